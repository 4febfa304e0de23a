// The agency console's crisis lines: the agency's own help lines (every language, in order),
// whether the default set (988 in the US) comes first, and a preview of "Need help now" as
// members will see it, drawn by the same code as the real dialog (pwa/js/crisis.js).
import { getJSON, request } from "../../api.js";
import { el, fill } from "../../dom.js";
import { addStrings, language, t, tIn } from "../../i18n.js";
import { crisisItems } from "../../crisis.js";
import { status } from "../../screen.js";
import { field, form } from "../../ui.js";
import { agencyApi, consoleHeader, consoleScreen } from "./common.js";

addStrings({
  en: {
    conCrisisTitle: "Crisis lines",
    conCrisisIntro: "People see these when they tap “Need help now”. Calling 911 is always shown first.",
    conCrisisDefault: "Show the national lines (988) first, then ours",
    conCrisisDefaultHint: "Turn this off to show only your lines. Then at least one must be in English.",
    conCrisisLine: "Line {n}", conCrisisName: "Name", conCrisisLanguage: "Language",
    conCrisisPhone: "Number to call", conCrisisText: "Number to text", conCrisisHours: "When someone answers",
    conCrisisHoursHint: "Plain words, like Every day, 8 am to 10 pm.",
    conCrisisUrl: "Website", conCrisisUrlHint: "Starts with https://",
    conCrisisNumberHint: "Like (202) 555-0143, or a short number like 988.",
    conCrisisUp: "Move up", conCrisisDown: "Move down", conCrisisRemove: "Remove",
    conCrisisAdd: "Add a line", conCrisisNone: "No lines of your own yet.",
    conCrisisSave: "Save crisis lines", conCrisisSaved: "Saved. Members see these lines now.",
    conCrisisPreview: "What members see", conCrisisPreviewIn: "Show the preview in",
    conCrisisPreviewNote: "Save to update the preview.",
  },
  es: {
    conCrisisTitle: "Líneas de crisis",
    conCrisisIntro: "Las personas ven esto al tocar “Necesito ayuda ya”. Llamar al 911 siempre sale primero.",
    conCrisisDefault: "Mostrar primero las líneas nacionales (988) y después las nuestras",
    conCrisisDefaultHint: "Apágalo para mostrar solo tus líneas. Entonces al menos una debe estar en inglés.",
    conCrisisLine: "Línea {n}", conCrisisName: "Nombre", conCrisisLanguage: "Idioma",
    conCrisisPhone: "Número para llamar", conCrisisText: "Número para mensajes", conCrisisHours: "Cuándo contestan",
    conCrisisHoursHint: "Palabras sencillas, como Todos los días, de 8 a 22 h.",
    conCrisisUrl: "Sitio web", conCrisisUrlHint: "Empieza con https://",
    conCrisisNumberHint: "Como (202) 555-0143, o un número corto como 988.",
    conCrisisUp: "Subir", conCrisisDown: "Bajar", conCrisisRemove: "Quitar",
    conCrisisAdd: "Agregar una línea", conCrisisNone: "Todavía no tienes líneas propias.",
    conCrisisSave: "Guardar líneas de crisis", conCrisisSaved: "Guardado. Ya ven estas líneas.",
    conCrisisPreview: "Lo que ven", conCrisisPreviewIn: "Ver la vista previa en",
    conCrisisPreviewNote: "Guarda para ver los cambios aquí.",
  },
});

const FIELDS = ["name", "phone", "text", "hours", "url"];
const emptyLine = () => ({ name: "", phone: "", text: "", hours: "", url: "", language: language() });

// One line's fields. Names carry the line's place (resources.0.phone), as the API's 422
// names its problems, so each problem shows at its field.
function lineFields(line, index, count, move) {
  const name = (key) => `resources.${index}.${key}`;
  const id = (key) => `con-line-${index}-${key}`;
  const languages = el("select", { name: name("language"), id: id("language") },
    el("option", { value: "en", lang: "en", text: "English" }), el("option", { value: "es", lang: "es", text: "Español" }));
  languages.value = line.language;
  const input = (key, label, attrs = {}, hint = null) =>
    field(label, { name: name(key), id: id(key), value: line[key] ?? "", ...attrs }, hint);
  return el("fieldset", { class: "card con-line" },
    el("legend", { text: t("conCrisisLine", { n: index + 1 }) }),
    el("div", { class: "con-line-grid" },
      input("name", t("conCrisisName"), { maxlength: 120 }),
      el("div", { class: "field" }, el("label", { for: id("language"), text: t("conCrisisLanguage") }), languages),
      input("phone", t("conCrisisPhone"), { type: "tel", autocomplete: "off" }, t("conCrisisNumberHint")),
      input("text", t("conCrisisText"), { type: "tel", autocomplete: "off" }),
      input("hours", t("conCrisisHours"), {}, t("conCrisisHoursHint")),
      input("url", t("conCrisisUrl"), { type: "url", autocomplete: "off" }, t("conCrisisUrlHint"))),
    el("div", { class: "actions" },
      index > 0 ? el("button", { type: "button", text: t("conCrisisUp"), onclick: () => move(index, index - 1) }) : null,
      index < count - 1 ? el("button", { type: "button", text: t("conCrisisDown"), onclick: () => move(index, index + 1) }) : null,
      el("button", { type: "button", class: "quiet-danger", text: t("conCrisisRemove"), onclick: () => move(index, null) })));
}

// What the form holds now, line by line, blanks kept (the editor's own state).
function linesIn(node) {
  return [...node.querySelectorAll(".con-line")].map((set, index) => {
    const value = (key) => set.querySelector(`[name="resources.${index}.${key}"]`).value;
    return Object.fromEntries([...FIELDS, "language"].map((key) => [key, value(key)]));
  });
}

// A copy of the "Need help now" dialog (pwa/index.html), in the language chosen, with the
// lines a member reading in it gets: the default set if kept, then the agency's lines in that
// language (or its English ones when it has none in that language), as the API picks them.
async function previewOf(settings, lang) {
  const defaults = settings.include_default ? await getJSON("/api/v1/crisis-resources", { lang }) : [];
  const ownIn = (wanted) => settings.resources.filter((line) => line.language === wanted);
  const own = ownIn(lang).length ? ownIn(lang) : ownIn("en");
  return el("div", { class: "con-help-preview", lang },
    el("h3", { text: tIn(lang, "helpTitle") }), el("p", { text: tIn(lang, "helpIntro") }),
    el("p", { class: "danger-now" }, el("strong", { text: tIn(lang, "dangerNow") }), " ",
      el("a", { class: "call", href: "tel:911", text: tIn(lang, "call911") })),
    el("ul", { class: "crisis-list" }, crisisItems([...defaults, ...own], lang)));
}

function previewPanel(settings) {
  const shown = el("div", { inert: true });
  let lang = language();
  const redraw = async () => fill(shown, await previewOf(settings, lang));
  const picker = el("select", { id: "con-crisis-lang", onchange: (event) => { lang = event.target.value; redraw(); } },
    el("option", { value: "en", lang: "en", text: "English" }), el("option", { value: "es", lang: "es", text: "Español" }));
  picker.value = lang;
  redraw();
  return el("aside", { class: "con-preview", "aria-labelledby": "con-crisis-preview" },
    el("h2", { id: "con-crisis-preview", text: t("conCrisisPreview") }),
    el("label", { for: "con-crisis-lang", text: t("conCrisisPreviewIn") }), picker,
    el("p", { class: "muted small", text: t("conCrisisPreviewNote") }), shown);
}

export const crisisLines = consoleScreen(async (admin) => {
  const { data: settings } = await request("GET", agencyApi(admin, "/crisis-resources"));
  const list = el("div", { class: "con-lines" });
  const node = form({ class: "con-crisis-form" }, [
    el("div", { class: "check" },
      el("input", { type: "checkbox", id: "con-include-default", name: "include_default",
                    checked: settings.include_default, "aria-describedby": "con-include-default-hint" }),
      el("label", { for: "con-include-default", text: t("conCrisisDefault") })),
    el("p", { id: "con-include-default-hint", class: "muted small", text: t("conCrisisDefaultHint") }),
    list,
    el("p", {}, el("button", { type: "button", text: t("conCrisisAdd"), onclick: () => {
      draw([...linesIn(node), emptyLine()]);
      list.querySelector(".con-line:last-of-type input")?.focus();
    } })),
    el("button", { type: "submit", class: "primary", text: t("conCrisisSave") })],
  async () => {
    const resources = linesIn(node).map((line) => Object.fromEntries(Object.entries(line)
      .map(([key, value]) => [key, key === "language" ? value : value.trim() || null])));
    const { data } = await request("PUT", agencyApi(admin, "/crisis-resources"), {
      body: { include_default: node.querySelector("#con-include-default").checked, resources } });
    status(t("conCrisisSaved"));
    Object.assign(settings, data);
    draw(data.resources);
    fill(preview, previewPanel(settings));
  });
  // Moving or removing a line redraws the list from what is typed, nothing lost on the way.
  const move = (from, to) => {
    const lines = linesIn(node);
    const [line] = lines.splice(from, 1);
    if (to !== null) lines.splice(to, 0, line);
    draw(lines);
    list.querySelectorAll(".con-line")[to ?? Math.min(from, lines.length - 1)]?.querySelector("input")?.focus();
  };
  const draw = (lines) => fill(list, lines.length
    ? lines.map((line, index) => lineFields(line, index, lines.length, move))
    : el("p", { class: "muted", text: t("conCrisisNone") }));
  draw(settings.resources);
  const preview = el("div", {}, previewPanel(settings));
  return [consoleHeader(t("conCrisisTitle"), t("conCrisisIntro")),
          el("div", { class: "con-editor" }, node, preview)];
});
