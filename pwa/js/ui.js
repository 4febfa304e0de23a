// Small pieces the views share: form fields, dates, error text, outbox badges, celebrations.
import { ApiError, Offline } from "./api.js";
import { el } from "./dom.js";
import { addStrings, language, t } from "./i18n.js";

addStrings({
  en: { savedOnPhone: "Saved on this phone", sent: "Sent", conflict: "Needs you",
        notSent: "Not sent", needNetwork: "You are offline. This needs the internet.",
        undo: "Undo", undone: "Undone.", save: "Save" },
  es: { savedOnPhone: "Guardado en este teléfono", sent: "Enviado", conflict: "Te necesita",
        notSent: "No enviado", needNetwork: "Estás sin conexión. Esto necesita internet.",
        undo: "Deshacer", undone: "Deshecho.", save: "Guardar" },
});

// A question before something that ends or completes a thing: true when the person said yes.
// `danger`: the yes button looks like what it is, something that cannot be taken back.
export async function ask(question, yes, no, danger = false) {
  const dialog = el("dialog", { class: "confirm", "aria-labelledby": "ask-title" },
    el("p", { id: "ask-title", text: question }),
    el("form", { method: "dialog" },
      el("button", { value: "no", text: no, autofocus: true }),
      el("button", { value: "yes", class: danger ? "danger" : "primary", text: yes })));
  document.body.append(dialog);
  dialog.showModal();
  const answer = await new Promise((resolve) =>
    dialog.addEventListener("close", () => resolve(dialog.returnValue)));
  dialog.remove();
  return answer === "yes";
}

const TOAST_MS = 10000;
// A short note after a change, with Undo when the change can be taken back. It leaves on its
// own (later while the person is on it, so Undo never slips away under a finger or a key).
export function toast(message, undo) {
  document.querySelector(".toast")?.remove();
  const node = el("div", { class: "toast", role: "status" }, el("span", { text: message }),
    undo ? el("button", { type: "button", class: "undo", text: t("undo"), onclick: async () => {
      node.remove();
      await undo();
    } }) : null);
  // Right after the view, so the keyboard reaches Undo next after what was just changed.
  (document.getElementById("view") ?? document.body).after(node);
  const leave = () => {
    if (!node.isConnected) return;
    if (node.matches(":focus-within, :hover")) setTimeout(leave, 2000);
    else node.remove();
  };
  setTimeout(leave, TOAST_MS);
  return node;
}

// The version a thing will have once the changes still on this phone are sent, for the
// If-Match of one more change (an undo made before the first change was even sent).
export function versionAfter(version, items) {
  let current = version;
  for (const item of items) {
    if (item.state === "sent" && item.result?.version) current = Math.max(current, item.result.version);
    else if (item.state === "saved") current = Math.max(current, Number(/\d+/.exec(item.ifMatch || "")?.[0] ?? current) + 1);
  }
  return current;
}

let fieldCount = 0;
// A labelled input; `hint` is read out with it (aria-describedby).
export function field(label, attrs, hint) {
  const id = attrs.id || `f${++fieldCount}`;
  const tag = attrs.tag || "input";
  const hintId = hint ? `${id}-hint` : null;
  return el("div", { class: "field" },
    el("label", { for: id, text: label }),
    el(tag, { ...attrs, tag: null, id, "aria-describedby": hintId }),
    hint ? el("p", { id: hintId, class: "muted small", text: hint }) : null);
}

// Trimmed, except passwords: a space there is part of the secret.
export function formValues(form) {
  return Object.fromEntries([...new FormData(form)].map(([key, value]) =>
    [key, key.endsWith("password") ? value : value.trim()]));
}

// Something the app itself tells the person (not a fault): its message is shown as it is.
export class Notice extends Error {}

// What to tell the person when something did not work, in their words not the server's codes.
export function problemText(error) {
  if (error instanceof Notice) return error.message;
  if (error instanceof Offline) return t("needNetwork");
  if (!(error instanceof ApiError)) return t("failed");
  if (error.status === 429) {
    return t("tooManyTries", { minutes: Math.max(1, Math.ceil(Number(error.retryAfter || 60) / 60)) });
  }
  const errors = error.problem.errors;
  if (errors) return Object.values(errors).flat().join(" ");
  return error.problem.detail || t("failed");
}

// Each field's problem next to the field it is about (read out with it); what names no
// field of this form is left for the message under the button.
function showAtFields(node, error) {
  const errors = error instanceof ApiError ? error.problem?.errors : null;
  if (!errors) return false;
  const left = [];
  for (const [name, messages] of Object.entries(errors)) {
    const input = node.querySelector(`[name="${CSS.escape(name)}"]`);
    if (!input) { left.push(...messages); continue; }
    const note = el("p", { id: `${input.id}-error`, class: "error field-error", text: messages.join(" ") });
    input.setAttribute("aria-invalid", "true");
    input.setAttribute("aria-describedby",
      [input.getAttribute("aria-describedby"), note.id].filter(Boolean).join(" "));
    input.after(note);
  }
  node.querySelector("[aria-invalid=true]")?.focus();
  return left.length ? left.join(" ") : true;
}

function clearFields(node) {
  for (const note of node.querySelectorAll(".field-error")) note.remove();
  for (const input of node.querySelectorAll("[aria-invalid]")) {
    input.removeAttribute("aria-invalid");
    const kept = (input.getAttribute("aria-describedby") || "").split(" ")
      .filter((id) => id && !id.endsWith("-error")).join(" ");
    if (kept) input.setAttribute("aria-describedby", kept); else input.removeAttribute("aria-describedby");
  }
}

// A form that shows problems at their fields (the rest under its button), and is busy
// while it works.
export function form(attrs, children, submit) {
  const message = el("p", { class: "error", role: "alert" });
  const node = el("form", { ...attrs, novalidate: true, onsubmit: async (event) => {
    event.preventDefault();
    message.textContent = "";
    clearFields(node);
    const button = node.querySelector("button[type=submit]");
    button.disabled = true;
    button.classList.add("busy");
    node.setAttribute("aria-busy", "true");
    try {
      await submit(formValues(node), node);
    } catch (error) {
      const shown = showAtFields(node, error);
      message.textContent = shown === true ? "" : shown || problemText(error);
    } finally {
      button.disabled = false;
      button.classList.remove("busy");
      node.removeAttribute("aria-busy");
    }
  } }, children, message);
  return node;
}

export function dateText(iso, withTime = false) {
  if (!iso) return "";
  const options = withTime ? { dateStyle: "medium", timeStyle: "short" } : { dateStyle: "medium" };
  // Dates without a time are days, not instants: read them as local days.
  const value = iso.length === 10 ? new Date(`${iso}T00:00:00`) : new Date(iso);
  return new Intl.DateTimeFormat(language(), options).format(value);
}

// A title whose writer erased their account is empty: say why, in place of the words.
export const titleText = (title, wordsRemoved) => (wordsRemoved ? t("wordsRemoved") : title);

// Where an outbox item is: only on this phone, sent, or waiting for the person.
export function badge(item) {
  const text = { saved: t("savedOnPhone"), sent: t("sent"), conflict: t("conflict"),
                 failed: t("notSent") }[item.state];
  return el("span", { class: `badge badge-${item.state}`, text });
}

// Re-draw `node` whenever `event` fires, until the node leaves the page.
export function live(node, event, redraw) {
  const listener = () => {
    if (!node.isConnected) window.removeEventListener(event, listener);
    else redraw();
  };
  window.addEventListener(event, listener);
  return node;
}

// A short burst for a celebration; nothing moves for people who asked for less motion.
export function celebrate(emoji) {
  const burst = el("div", { class: "burst", "aria-hidden": "true", text: emoji || "🎉" });
  document.body.append(burst);
  const still = matchMedia("(prefers-reduced-motion: reduce)").matches;
  setTimeout(() => burst.remove(), still ? 800 : 1600);
}
