// "Need help now": the crisis lines, from the API (kept on the phone by the service worker,
// so they open with no network), each number a tel: or sms: link.
import { el } from "./dom.js";
import { language, t, tIn } from "./i18n.js";
import { getContent } from "./session.js";

const digits = (number) => number.replace(/[^0-9+]/g, "");

// Fetched once the app starts too, so an agency's own lines open with no network.
export const keepCrisisLinesReady = () => getContent("/api/v1/crisis-resources").catch(() => {});

// The lines as "Need help now" lists them, in `lang`: the agency console previews them so.
export const crisisItems = (lines, lang) => lines.map((line) => el("li", {},
  el("strong", { text: line.name }),
  line.hours ? el("div", { class: "muted", text: line.hours }) : null,
  el("div", {},
    line.phone ? el("a", { class: "call", href: `tel:${digits(line.phone)}`, text: `${tIn(lang, "call")} ${line.phone}` }) : null,
    line.text ? el("a", { class: "call", href: `sms:${digits(line.text)}`, text: `${tIn(lang, "text")} ${line.text}` }) : null,
    line.url ? el("a", { href: line.url, target: "_blank", rel: "noopener", text: tIn(lang, "website") }) : null)));

export async function openCrisis() {
  const dialog = document.getElementById("crisis");
  const list = document.getElementById("crisis-list");
  if (!dialog.open) dialog.showModal();
  try {
    // The phone's copy at once; then the server's, which has any change the agency made
    // since (a changed number must not wait for the next time someone needs help).
    const lines = await getContent("/api/v1/crisis-resources");
    list.replaceChildren(...crisisItems(lines, language()));
    getContent("/api/v1/crisis-resources", {}, { fresh: true })
      .then((current) => list.replaceChildren(...crisisItems(current, language())))
      .catch(() => {}); // offline: the phone's copy stays
  } catch {
    // Never leave someone in crisis with nothing: the national line is always shown.
    list.replaceChildren(el("li", {}, el("strong", { text: t("lifeline") }),
      el("div", {},
        el("a", { class: "call", href: "tel:988", text: `${t("call")} 988` }),
        el("a", { class: "call", href: "sms:988", text: `${t("text")} 988` }))));
  }
}
