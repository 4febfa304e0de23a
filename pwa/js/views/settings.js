import { el } from "../api.js";
import { chosenLanguage, setLanguage, t } from "../i18n.js";
import { render } from "../app.js";

export async function settings() {
  const select = el("select", { id: "language", onchange: (event) => {
    setLanguage(event.target.value);
    render();
  } },
    el("option", { value: "", text: t("languageAuto") }),
    el("option", { value: "en", lang: "en", text: "English" }),
    el("option", { value: "es", lang: "es", text: "Español" }));
  select.value = chosenLanguage();
  return [el("h1", { text: t("settings") }),
          el("label", { for: "language", text: t("language") }), select];
}
