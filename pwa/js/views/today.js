import { el, getJSON } from "../api.js";
import { t } from "../i18n.js";
import { tipCard } from "./tips.js";

export async function today() {
  const tip = await getJSON("/api/v1/tips/today");
  return [el("h1", { text: t("today") }), tipCard(tip, t("tipOfTheDay")),
          el("p", {}, el("a", { href: "#/tips", text: t("allTips") }))];
}
