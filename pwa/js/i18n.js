// Every string the app shows, in English and Spanish. The language follows the setting,
// else the link that opened the app (visit.js), else the browser, else English. The shell's strings are here; each view adds its own
// (addStrings), so a view's words load with the view.
import { visit } from "./visit.js";

const STRINGS = {
  en: {
    skip: "Skip to content", helpNow: "Need help now", navToday: "Today", navTips: "Tips",
    navFaq: "FAQ", navSettings: "Settings", navGoals: "Goals", navCheck: "Self-check", helpTitle: "Help right now",
    navCheckPeer: "Session", navConsole: "Agency", navMain: "Main", loading: "Loading…",
    helpIntro: "If you or someone near you may be in danger, reach out now.", close: "Close",
    call: "Call", text: "Text", website: "Website", today: "Today",
    dangerNow: "If someone is in danger right now, call 911.", call911: "Call 911",
    lifeline: "988 Suicide & Crisis Lifeline", tipOfTheDay: "Tip of the day",
    tryThis: "Try this", askThis: "Questions to ask", allTips: "All tips",
    search: "Search", searchTips: "Search tips", searchFaq: "Search questions",
    noResults: "Nothing found. Try other words.", share: "Share", copied: "Link copied",
    offline: "You are offline. Showing what is saved on this phone.",
    failed: "Could not load this. Check your connection and try again.",
    faqTitle: "Questions and answers", settings: "Settings", language: "Language",
    languageAuto: "Same as my phone", back: "Back", tipsTitle: "Tips", updateReady:
    "A new version is ready.", refresh: "Refresh", relatedTips: "Tips that help",
    topicsLink: "Group topics: questions for a peer support group",
    notFound: "We could not find that. It may have been removed.",
    wordsRemoved: "Words removed by the person who wrote them",
    tooManyTries: "Too many tries. To keep things safe, wait about {minutes} min, then try again.",
  },
  es: {
    skip: "Saltar al contenido", helpNow: "Necesito ayuda ya", navToday: "Hoy",
    navTips: "Consejos", navFaq: "Dudas", navSettings: "Ajustes", navGoals: "Metas", navCheck: "Evaluarme",
    navCheckPeer: "Sesión", navConsole: "Agencia", navMain: "Principal", loading: "Cargando…",
    helpTitle: "Ayuda ahora mismo",
    helpIntro: "Si tú o alguien cerca puede estar en peligro, busca ayuda ahora.",
    close: "Cerrar", call: "Llamar", text: "Mensaje", website: "Sitio web", today: "Hoy",
    dangerNow: "Si alguien está en peligro ahora mismo, llama al 911.", call911: "Llamar al 911",
    lifeline: "988 Línea de Prevención del Suicidio y Crisis",
    tipOfTheDay: "Consejo del día", tryThis: "Prueba esto", askThis: "Preguntas para hacer",
    allTips: "Todos los consejos", search: "Buscar", searchTips: "Buscar consejos",
    searchFaq: "Buscar preguntas", noResults: "No encontramos nada. Prueba otras palabras.",
    share: "Compartir", copied: "Enlace copiado",
    offline: "Estás sin conexión. Ves lo que está guardado en este teléfono.",
    failed: "No se pudo cargar. Revisa tu conexión e inténtalo de nuevo.",
    faqTitle: "Preguntas y respuestas", settings: "Ajustes", language: "Idioma",
    languageAuto: "Igual que mi teléfono", back: "Volver", tipsTitle: "Consejos",
    updateReady: "Hay una versión nueva.", refresh: "Actualizar",
    relatedTips: "Consejos que ayudan",
    topicsLink: "Temas para grupos: preguntas para un grupo de apoyo entre pares",
    notFound: "No encontramos eso. Puede que lo hayan quitado.",
    wordsRemoved: "Palabras borradas por la persona que las escribió",
    tooManyTries: "Demasiados intentos. Para cuidar tus datos, espera unos {minutes} min y vuelve a intentarlo.",
  },
};
export const LANGUAGES = Object.keys(STRINGS);

export function chosenLanguage() {
  return localStorage.getItem("rapport.lang") || "";
}

export function language() {
  const chosen = chosenLanguage();
  if (LANGUAGES.includes(chosen)) return chosen;
  const linked = visit("lang");
  if (LANGUAGES.includes(linked)) return linked;
  const browser = (navigator.language || "en").slice(0, 2).toLowerCase();
  return LANGUAGES.includes(browser) ? browser : "en";
}

export function setLanguage(value) {
  if (value) localStorage.setItem("rapport.lang", value);
  else localStorage.removeItem("rapport.lang");
}

export const stringKeys = (lang) => Object.keys(STRINGS[lang]); // for the tests

export function addStrings(more) {
  for (const lang of LANGUAGES) {
    for (const [key, text] of Object.entries(more[lang])) {
      // Two views using one key for different words would show the wrong words in one of them.
      if (key in STRINGS[lang] && STRINGS[lang][key] !== text) console.error(`i18n: ${key} twice`);
      STRINGS[lang][key] = text;
    }
  }
}

// t("key") or t("key", {n: 3}) for "{n} items"; a count picks "key_one" where there is one.
export const t = (key, values) => tIn(language(), key, values);

// The same words in a given language: a preview of what someone reading in it will see.
export function tIn(lang, key, values) {
  const words = STRINGS[lang] ?? STRINGS.en;
  if (typeof values?.n === "number") {
    const form = `${key}_${new Intl.PluralRules(lang).select(values.n)}`;
    if (form in words) key = form;
  }
  const text = words[key] ?? STRINGS.en[key] ?? key;
  return values ? text.replace(/\{(\w+)\}/g, (_, name) => values[name] ?? "") : text;
}

// Static text in the page shell carries data-i18n="key".
export function translatePage(root = document) {
  document.documentElement.lang = language();
  for (const node of root.querySelectorAll("[data-i18n]")) node.textContent = t(node.dataset.i18n);
  for (const node of root.querySelectorAll("[data-i18n-label]")) {
    node.setAttribute("aria-label", t(node.dataset.i18nLabel));
  }
}
