import { el } from "../dom.js";
import { t } from "../i18n.js";
import { getContent } from "../session.js";

export async function faq(_, query) {
  const q = query.get("q") || "";
  const items = await getContent("/api/v1/faqs", { q, page_size: 100 });
  const form = el("form", { role: "search", onsubmit: (event) => {
    event.preventDefault();
    const value = new FormData(event.target).get("q");
    location.hash = value ? `#/faq?q=${encodeURIComponent(value)}` : "#/faq";
  } },
    el("label", { for: "faq-search", text: t("searchFaq") }),
    el("input", { id: "faq-search", name: "q", type: "search", value: q }),
    el("button", { type: "submit", text: t("search") }));
  const list = items.length ? items.map((item) => el("details", {},
    el("summary", { text: item.question }),
    ...item.answer.split("\n\n").map((paragraph) => el("p", { text: paragraph })),
    item.related_tips.length ? el("p", {}, `${t("relatedTips")}: `,
      ...item.related_tips.flatMap((tip, i) => [i ? ", " : "",
        el("a", { href: `#/tips/${encodeURIComponent(tip.slug)}`, text: tip.title })])) : null))
    : [el("p", { text: t("noResults") })];
  return [el("h1", { text: t("faqTitle") }), form, ...list];
}
