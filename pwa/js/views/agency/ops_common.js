// What the console's operations screens share (embed, keys, join codes, members, insights,
// supervision): the admin check, the page frame, copy buttons and tables. Kept small and local
// so these screens stand on their own; the console's shared module may take these over.
import { el } from "../../dom.js";
import { addStrings, t } from "../../i18n.js";
import { status } from "../../screen.js";
import { me } from "../../session.js";

addStrings({
  en: {
    conOpsConsole: "Agency console", conOpsAdminsOnly: "This screen is for agency admins.",
    conOpsSignIn: "Sign in with your agency admin account in Settings.", conOpsSettings: "Go to Settings",
    conOpsCopy: "Copy", conOpsCopied: "Copied.",
    conOpsCopyByHand: "Could not copy. The text is selected: press Ctrl+C (or ⌘+C) to copy it.",
  },
  es: {
    conOpsConsole: "Panel de la agencia", conOpsAdminsOnly: "Esta pantalla es para quienes administran la agencia.",
    conOpsSignIn: "Entra con tu cuenta de administración de la agencia en Ajustes.", conOpsSettings: "Ir a Ajustes",
    conOpsCopy: "Copiar", conOpsCopied: "Copiado.",
    conOpsCopyByHand: "No se pudo copiar. El texto está seleccionado: pulsa Ctrl+C (o ⌘+C) para copiarlo.",
  },
});

// The signed-in agency admin, or null for anyone else (who sees `notAdmin` instead).
export async function agencyAdmin() {
  const user = await me().catch(() => null);
  return user?.role === "agency_admin" && user.agency_id ? user : null;
}

// A console screen (a list of parts, as views give): a way back to the console, its title,
// a line on what it is for.
export function consolePage(title, intro, ...children) {
  return [el("div", { class: "con-page" },
    el("p", { class: "con-back" }, el("a", { href: "#/agency", text: `← ${t("conOpsConsole")}` })),
    el("h1", { text: title }),
    intro ? el("p", { class: "muted", text: intro }) : null,
    ...children)];
}

export function notAdmin(title) {
  return consolePage(title, null, el("p", { class: "notice", text: t("conOpsAdminsOnly") }),
    el("p", { text: t("conOpsSignIn") }),
    el("p", {}, el("a", { class: "button", href: "#/settings", text: t("conOpsSettings") })));
}

// Select what a node shows, so the person can copy it themselves.
function selectText(node) {
  if (typeof node.select === "function") { node.focus(); node.select(); return; }
  const range = document.createRange();
  range.selectNodeContents(node);
  const selection = getSelection();
  selection.removeAllRanges();
  selection.addRange(range);
}

// A button that copies `source`'s text (a textarea's value, or an element's text) with the
// Clipboard API; where that is refused, it selects the text and says how to copy it.
// `label`: the button's accessible name when "Copy" alone would not say what it copies.
export function copyButton(source, label) {
  return el("button", { type: "button", class: "con-copy", "aria-label": label || null,
    text: t("conOpsCopy"), onclick: async () => {
      const text = "value" in source ? source.value : source.textContent;
      try {
        await navigator.clipboard.writeText(text);
        status(t("conOpsCopied"));
      } catch {
        selectText(source);
        status(t("conOpsCopyByHand"));
      }
    } });
}

// A table of rows. At desktop width it is a plain table; on a phone each row becomes a block
// with each cell under its column's name (data-label, shown by CSS). The roles are said
// outright because some browsers forget a table's roles once CSS changes its display.
// `columns`: header words; `rows`: arrays of cells (text or nodes). The caption names the
// table for screen readers; it is shown unless a heading right above already says the same.
export function table(caption, columns, rows, className = "", showCaption = true) {
  return el("div", { class: "con-scroll" },
    el("table", { class: `con-table ${className}`.trim(), role: "table" },
      el("caption", { class: showCaption ? null : "sc-sr", text: caption }),
      el("thead", { role: "rowgroup" }, el("tr", { role: "row" },
        columns.map((name) => el("th", { scope: "col", role: "columnheader", text: name })))),
      el("tbody", { role: "rowgroup" }, rows.map((cells) => el("tr", { role: "row" }, cells.map((cell, index) =>
        (index === 0 ? el("th", { scope: "row", role: "rowheader" }, cell)
          : el("td", { role: "cell", "data-label": columns[index] }, cell))))))));
}

// The agency's address in the API.
export const agencyPath = (user, rest = "") => `/api/v1/agencies/${user.agency_id}${rest}`;
