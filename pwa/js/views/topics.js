// Group discussion topics: questions for a peer support group, and a short guide for whoever
// facilitates it. Public content, kept on the phone by the service worker like the tips.
import { el } from "../dom.js";
import { addStrings, t } from "../i18n.js";
import { getContent } from "../session.js";

addStrings({
  en: {
    topicsTitle: "Group topics", searchTopics: "Search group topics",
    topicsIntro: "Questions to open a peer support group talk, with a short guide for whoever facilitates.",
    openWith: "Open with", goDeeper: "Go deeper", facilitatorGuide: "For whoever facilitates",
    howToOpen: "How to open", keepItSafe: "Keep it safe",
    ifDistressed: "If someone becomes distressed", topicsBack: "All group topics",
  },
  es: {
    topicsTitle: "Temas para grupos", searchTopics: "Buscar temas para grupos",
    topicsIntro: "Preguntas para abrir la charla en un grupo de apoyo entre pares, con una guía corta para quien facilita.",
    openWith: "Para empezar", goDeeper: "Para ir más a fondo",
    facilitatorGuide: "Para quien facilita", howToOpen: "Cómo empezar",
    keepItSafe: "Cuidar el grupo", ifDistressed: "Si alguien se angustia",
    topicsBack: "Todos los temas",
  },
});

const topicLink = (topic) => `#/topics/${encodeURIComponent(topic.slug)}`;

export async function topicList(_, query) {
  const q = query.get("q") || "";
  const topics = await getContent("/api/v1/topics", { q, page_size: 100 });
  const form = el("form", { role: "search", onsubmit: (event) => {
    event.preventDefault();
    const value = new FormData(event.target).get("q");
    location.hash = value ? `#/topics?q=${encodeURIComponent(value)}` : "#/topics";
  } },
    el("label", { for: "topic-search", text: t("searchTopics") }),
    el("input", { id: "topic-search", name: "q", type: "search", value: q }),
    el("button", { type: "submit", text: t("search") }));
  const list = topics.length
    ? el("ul", { class: "plain topics" }, topics.map((topic) => el("li", {},
        el("a", { href: topicLink(topic), text: topic.title }),
        el("p", { class: "muted", text: topic.opening_question }))))
    : el("p", { text: t("noResults") });
  return [el("h1", { text: t("topicsTitle") }), el("p", { text: t("topicsIntro") }), form, list];
}

// Links that name an agency (?agency=) find that agency's own topics too.
export async function topicDetail([slug], query) {
  const topic = await getContent(`/api/v1/topics/${encodeURIComponent(slug)}`,
                                 { agency: query?.get("agency") });
  const guide = topic.guide;
  return [
    el("p", {}, el("a", { href: "#/topics", text: t("topicsBack") })),
    el("h1", { text: topic.title }),
    el("section", { class: "card" }, el("h2", { text: t("openWith") }),
      el("p", { text: topic.opening_question })),
    el("section", { class: "card" }, el("h2", { text: t("goDeeper") }),
      el("ul", {}, topic.deeper_questions.map((question) => el("li", { text: question })))),
    el("section", { class: "card" }, el("h2", { text: t("facilitatorGuide") }),
      el("h3", { text: t("howToOpen") }), el("p", { text: guide.how_to_open }),
      el("h3", { text: t("keepItSafe") }), el("p", { text: guide.keep_it_safe }),
      el("h3", { text: t("ifDistressed") }), el("p", { text: guide.if_someone_is_distressed })),
    topic.related_tips.length ? el("p", {}, `${t("relatedTips")}: `,
      ...topic.related_tips.flatMap((tip, i) => [i ? ", " : "",
        el("a", { href: `#/tips/${encodeURIComponent(tip.slug)}`, text: tip.title })])) : null,
  ];
}
