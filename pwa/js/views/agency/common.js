// What every agency console screen shares. A screen is written as
//   export const members = consoleScreen(async (admin, match, query) => [parts...]);
// and gets the signed-in agency admin (from GET /api/v1/me: admin.agency_id is their agency);
// anyone else is told the console is for agency admins. Its parts are wrapped in
// <div class="console">, which lets the page grow wider on a desktop (app.css, "Agency console").
//   consoleHeader(title, intro?)  the back link to the console home, the h1, one plain sentence
//   agencyApi(admin, "/tips")     "/api/v1/agencies/<the admin's agency>/tips"
//   consolePage(title, intro, ...parts)  a screen's header and its parts
//   agencyDetails(admin)          {id, name, own_content_first, ...}; name is null while the
//                                 server has no GET /agencies/{id} yet
//   copyButton(source, label?)    copies a textarea's value or an element's text
//   table(caption, columns, rows) a table that becomes one block per row on a phone
import { request } from "../../api.js";
import { el } from "../../dom.js";
import { addStrings, t } from "../../i18n.js";
import { status } from "../../screen.js";
import { hasSession, me } from "../../session.js";

addStrings({
  en: { conBack: "Agency console", conOnlyAdmins: "This part of Rapport is for agency admins.",
        conSignIn: "Sign in with your agency admin account", conTitle: "Agency console",
        conCopy: "Copy", conCopied: "Copied.",
        conCopyByHand: "Could not copy. The text is selected: press Ctrl+C (or ⌘+C) to copy it." },
  es: { conBack: "Consola de la agencia", conOnlyAdmins: "Esta parte de Rapport es para quienes administran una agencia.",
        conSignIn: "Inicia sesión con tu cuenta de administración de la agencia", conTitle: "Consola de la agencia",
        conCopy: "Copiar", conCopied: "Copiado.",
        conCopyByHand: "No se pudo copiar. El texto está seleccionado: pulsa Ctrl+C (o ⌘+C) para copiarlo." },
});

export const agencyApi = (admin, path = "") => `/api/v1/agencies/${admin.agency_id}${path}`;

export function consoleScreen(build) {
  return async (match, query) => {
    const user = hasSession() ? await me() : null;
    if (user?.role !== "agency_admin" || !user.agency_id) {
      return [el("h1", { text: t("conTitle") }), el("p", { text: t("conOnlyAdmins") }),
              el("p", {}, el("a", { href: "#/settings", text: t("conSignIn") }))];
    }
    return [el("div", { class: "console" }, await build(user, match, query))];
  };
}

export const consoleHeader = (title, intro) => [
  el("p", { class: "con-back" }, el("a", { href: "#/agency", text: t("conBack") })),
  el("h1", { text: title }),
  intro ? el("p", { class: "muted", text: intro }) : null,
];

export const consolePage = (title, intro, ...parts) =>
  [el("div", { class: "con-page" }, consoleHeader(title, intro), ...parts)];

// The agency itself. Until the server answers GET /agencies/{id}, the console still works:
// it knows the id (from /me) and that the agency's own items come first (the default).
export async function agencyDetails(admin) {
  try {
    return (await request("GET", agencyApi(admin))).data;
  } catch (error) {
    if (error.status !== 404 && error.status !== 405) throw error;
    return { id: admin.agency_id, name: null, own_content_first: true };
  }
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
    text: t("conCopy"), onclick: async () => {
      const text = "value" in source ? source.value : source.textContent;
      try {
        await navigator.clipboard.writeText(text);
        status(t("conCopied"));
      } catch {
        selectText(source);
        status(t("conCopyByHand"));
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
