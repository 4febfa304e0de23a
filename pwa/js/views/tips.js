import { el } from "../dom.js";
import { t } from "../i18n.js";
import { status } from "../screen.js";
import { getContent } from "../session.js";

export function tipCard(tip, label) {
  return el("article", { class: "card" },
    label ? el("p", { class: "muted", text: label }) : null,
    el("h2", {}, el("a", { href: `#/tips/${encodeURIComponent(tip.slug)}`, text: tip.title })),
    el("p", { text: tip.summary }),
    tip.agency ? el("p", { class: "muted", text: tip.agency.name }) : null);
}

export async function tipList(_, query) {
  const q = query.get("q") || "";
  const tips = await getContent("/api/v1/tips", { q, page_size: 100 });
  const form = el("form", { role: "search", onsubmit: (event) => {
    event.preventDefault();
    const value = new FormData(event.target).get("q");
    location.hash = value ? `#/tips?q=${encodeURIComponent(value)}` : "#/tips";
  } },
    el("label", { for: "tip-search", text: t("searchTips") }),
    el("input", { id: "tip-search", name: "q", type: "search", value: q }),
    el("button", { type: "submit", text: t("search") }));
  const list = tips.length
    ? el("ul", { class: "plain" }, tips.map((tip) => el("li", {},
        el("a", { href: `#/tips/${encodeURIComponent(tip.slug)}`, text: tip.title }))))
    : el("p", { text: t("noResults") });
  return [el("h1", { text: t("tipsTitle") }), form, list,
    el("p", {}, el("a", { href: "#/topics", text: t("topicsLink") }))];
}

async function share(tip) {
  // An agency's tip is found only with its agency named.
  const url = `${location.origin}/#/tips/${encodeURIComponent(tip.slug)}${
    tip.agency ? `?agency=${encodeURIComponent(tip.agency.id)}` : ""}`;
  if (navigator.share) {
    try { await navigator.share({ title: tip.title, text: tip.summary, url }); } catch { /* cancelled */ }
    return;
  }
  await navigator.clipboard?.writeText(url);
  status(t("copied"));
}

// Links from feeds and embeds carry ?agency=: an agency's own tip is found only with it.
export async function tipDetail([slug], query) {
  const tip = await getContent(`/api/v1/tips/${encodeURIComponent(slug)}`,
                            { agency: query?.get("agency") });
  return [
    el("p", {}, el("a", { href: "#/tips", text: t("back") })),
    el("h1", { text: tip.title }),
    el("p", { class: "muted", text: tip.summary }),
    ...tip.body.split("\n\n").map((paragraph) => el("p", { text: paragraph })),
    tip.actions.length ? el("section", { class: "card" }, el("h2", { text: t("tryThis") }),
      el("ul", {}, tip.actions.map((action) => el("li", { text: action })))) : null,
    tip.questions.length ? el("section", { class: "card" }, el("h2", { text: t("askThis") }),
      el("ul", {}, tip.questions.map((question) => el("li", { text: question })))) : null,
    el("button", { type: "button", text: t("share"), onclick: () => share(tip) }),
  ];
}
