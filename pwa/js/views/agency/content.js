// The agency console's content: the agency's own tips, FAQs and group topics beside the core
// ones, in the order members see them; the ones due for review; and an editor with English
// and Spanish side by side and a live preview of the app's card and the embed's.
import { ApiError, getJSON, request } from "../../api.js";
import { el, fill } from "../../dom.js";
import { addStrings, language, t, tIn } from "../../i18n.js";
import { render, status } from "../../screen.js";
import { ask, dateText, field, form } from "../../ui.js";
import { tipCard } from "../tips.js";
import { agencyApi, agencyDetails, consoleHeader, consoleScreen } from "./common.js";

addStrings({
  en: {
    conContentTitle: "Tips, FAQs and group topics",
    conContentIntro: "Write your own. Members of your agency see them next to ours once you publish them.",
    conContentOrder: "Where your items go", conContentOwnFirst: "Show our items before the core ones",
    conContentOwnLast: "Show our items after the core ones", conContentOrderSaved: "Saved. Members see the new order.",
    conContentDue: "Due for review", conContentNoneDue: "Nothing is due for review.",
    conContentDueOn: "review was due {date}", conContentNoReview: "no review date",
    conContentDueHint: "Read these again and set a new review date.",
    conContentKind_tips: "Tips", conContentKind_faqs: "FAQs", conContentKind_topics: "Group topics",
    conContentNew_tips: "Write a tip", conContentNew_faqs: "Write an FAQ", conContentNew_topics: "Write a group topic",
    conContentYours: "Yours", conContentNoneYet: "None yet.",
    conContentMembersSee: "What members see, in order", conContentCore: "Rapport",
    conContentOurs: "Yours",
    conContentStatus_draft: "Draft", conContentStatus_published: "Published",
    conContentReviewBy: "review by {date}",
    conContentEditTitle_tips: "Edit tip", conContentEditTitle_faqs: "Edit FAQ",
    conContentEditTitle_topics: "Edit group topic",
    conContentNewIntro: "Write it in English. Add Spanish if you can: without it, Spanish readers see the English words.",
    conContentEnglish: "English", conContentSpanish: "Español (Spanish)",
    conContentSlug: "Web address name", conContentSlugHint: "Small letters, numbers and dashes, like before-a-first-visit. It cannot change later.",
    conContentF_title: "Title", conContentF_summary: "Summary: one short sentence",
    conContentF_body: "The tip", conContentF_bodyHint: "Plain words. Leave an empty line between paragraphs.",
    conContentF_actions: "Things to try: one on each line", conContentF_questions: "Questions to ask: one on each line",
    conContentF_question: "Question", conContentF_answer: "Answer",
    conContentF_opening_question: "Question to open the talk",
    conContentF_deeper_questions: "Questions that go deeper: 2 to 4, one on each line",
    conContentF_guide_open: "How to open the talk", conContentF_guide_safety: "How to keep the group safe",
    conContentF_guide_distress: "If someone gets upset",
    conContentAbout: "About it", conContentAudience: "Written for",
    conContentAudience_worker: "Peer support workers", conContentAudience_peer: "People who get support",
    conContentTags: "Tags", conContentTagsHint: "Small words, split by commas, like listening, first-visit.",
    conContentRelated: "Tips that help", conContentRelatedHint: "Web address names of tips, split by commas, like reflect-back.",
    conContentNextReview: "Next review date", conContentNextReviewHint: "When someone should read it again.",
    conContentSaveDraft: "Save draft", conContentPublish: "Publish", conContentSaveChanges: "Save changes",
    conContentUnpublish: "Unpublish", conContentDelete: "Delete",
    conContentDeleteAsk: "Delete “{title}” for good? Unpublish it instead to keep it.",
    conContentKeep: "Keep it", conContentDeleted: "Deleted.",
    conContentSavedDraft: "Saved as a draft. Only you see it.", conContentPublished: "Published. Members see it now.",
    conContentSaved: "Saved.", conContentUnpublished: "Unpublished. Members no longer see it.",
    conContentPreview: "Preview", conContentPreviewIn: "Show the preview in",
    conContentInApp: "In the app", conContentInEmbed: "In the embed on your site",
    conContentNoEmbed: "The embed shows tips and group topics. FAQs are in the app.",
    conContentNoSpanish: "No Spanish yet: Spanish readers see the English words.",
    conContentEmpty: "Start writing to see it here.", conContentYourAgency: "Your agency",
    conContentEmbedBy: "From",
  },
  es: {
    conContentTitle: "Consejos, dudas y temas para grupos",
    conContentIntro: "Escribe los tuyos. Las personas de tu agencia los ven junto a los nuestros cuando los publicas.",
    conContentOrder: "Dónde van los tuyos", conContentOwnFirst: "Mostrar los nuestros antes que los de Rapport",
    conContentOwnLast: "Mostrar los nuestros después de los de Rapport", conContentOrderSaved: "Guardado. Ya se ve el orden nuevo.",
    conContentDue: "Toca revisar", conContentNoneDue: "No hay nada por revisar.",
    conContentDueOn: "tocaba revisar el {date}", conContentNoReview: "sin fecha de revisión",
    conContentDueHint: "Léelos otra vez y pon una fecha nueva de revisión.",
    conContentKind_tips: "Consejos", conContentKind_faqs: "Dudas", conContentKind_topics: "Temas para grupos",
    conContentNew_tips: "Escribir un consejo", conContentNew_faqs: "Escribir una duda", conContentNew_topics: "Escribir un tema para grupos",
    conContentYours: "Los tuyos", conContentNoneYet: "Todavía no hay.",
    conContentMembersSee: "Lo que ven, en orden", conContentCore: "Rapport",
    conContentOurs: "Tuyo",
    conContentStatus_draft: "Borrador", conContentStatus_published: "Publicado",
    conContentReviewBy: "revisar el {date}",
    conContentEditTitle_tips: "Editar consejo", conContentEditTitle_faqs: "Editar duda",
    conContentEditTitle_topics: "Editar tema para grupos",
    conContentNewIntro: "Escríbelo en inglés. Agrega español si puedes: sin él, quien lee en español ve el inglés.",
    conContentEnglish: "English (inglés)", conContentSpanish: "Español",
    conContentSlug: "Nombre en la dirección web", conContentSlugHint: "Letras minúsculas, números y guiones, como antes-de-la-primera-visita. No se puede cambiar después.",
    conContentF_title: "Título", conContentF_summary: "Resumen: una frase corta",
    conContentF_body: "El consejo", conContentF_bodyHint: "Palabras sencillas. Deja una línea vacía entre párrafos.",
    conContentF_actions: "Cosas para probar: una por línea", conContentF_questions: "Preguntas para hacer: una por línea",
    conContentF_question: "Pregunta", conContentF_answer: "Respuesta",
    conContentF_opening_question: "Pregunta para empezar la charla",
    conContentF_deeper_questions: "Preguntas para ir más a fondo: de 2 a 4, una por línea",
    conContentF_guide_open: "Cómo empezar la charla", conContentF_guide_safety: "Cómo cuidar al grupo",
    conContentF_guide_distress: "Si alguien se angustia",
    conContentAbout: "Sobre esto", conContentAudience: "Escrito para",
    conContentAudience_worker: "Acompañantes de pares", conContentAudience_peer: "Personas acompañadas",
    conContentTags: "Etiquetas", conContentTagsHint: "Palabras cortas, separadas por comas, como escuchar, primera-visita.",
    conContentRelated: "Consejos que ayudan", conContentRelatedHint: "Nombres en la dirección web de consejos, separados por comas, como reflect-back.",
    conContentNextReview: "Próxima fecha de revisión", conContentNextReviewHint: "Cuándo alguien debe leerlo otra vez.",
    conContentSaveDraft: "Guardar borrador", conContentPublish: "Publicar", conContentSaveChanges: "Guardar cambios",
    conContentUnpublish: "Dejar de publicar", conContentDelete: "Borrar",
    conContentDeleteAsk: "¿Borrar “{title}” para siempre? Si quieres guardarlo, deja de publicarlo.",
    conContentKeep: "Guardarlo", conContentDeleted: "Borrado.",
    conContentSavedDraft: "Guardado como borrador. Solo tú lo ves.", conContentPublished: "Publicado. Ya lo ven.",
    conContentSaved: "Guardado.", conContentUnpublished: "Ya no está publicado. Nadie más lo ve.",
    conContentPreview: "Vista previa", conContentPreviewIn: "Ver la vista previa en",
    conContentInApp: "En la app", conContentInEmbed: "En tu sitio web",
    conContentNoEmbed: "Tu sitio web muestra consejos y temas para grupos. Las dudas están en la app.",
    conContentNoSpanish: "Todavía no hay español: quien lee en español ve el inglés.",
    conContentEmpty: "Empieza a escribir para verlo aquí.", conContentYourAgency: "Tu agencia",
    conContentEmbedBy: "De",
  },
});

// Each kind's words (text fields of api/schemas/agency_content.py, in order; "lines" are lists
// written one item a line) and what else it has.
const KINDS = {
  tips: { fields: { title: "input", summary: "input", body: "long", actions: "lines", questions: "lines" },
          heading: "title", audience: true, tags: true, related: false },
  faqs: { fields: { question: "input", answer: "long" },
          heading: "question", audience: true, tags: false, related: true },
  topics: { fields: { title: "input", opening_question: "input", deeper_questions: "lines",
                      guide_open: "long", guide_safety: "long", guide_distress: "long" },
            heading: "title", audience: false, tags: false, related: true },
};
const KIND_NAMES = Object.keys(KINDS);
const MAX_LENGTH = { title: 120, summary: 200, question: 200, opening_question: 300 };

const localDay = () => new Date().toLocaleDateString("en-CA"); // YYYY-MM-DD, this computer's day
const headingOf = (kind, item, lang = language()) =>
  (item.text[lang] ?? item.text.en)[KINDS[kind].heading];
const editLink = (kind, slug) => `#/agency/content/${kind}/${encodeURIComponent(slug)}`;

// Due for review: its date has come, or it has none.
const isDue = (item) => !item.next_review || item.next_review <= localDay();

// The agency's own items of every kind, drafts included: {tips: [...], faqs: [...], topics: [...]}.
export async function ownContent(admin) {
  const lists = await Promise.all(KIND_NAMES.map((kind) =>
    request("GET", agencyApi(admin, `/${kind}`), { params: { page_size: 100 } })));
  return Object.fromEntries(KIND_NAMES.map((kind, i) => [kind, lists[i].data]));
}

export const dueCount = (own) => KIND_NAMES.reduce((n, kind) => n + own[kind].filter(isDue).length, 0);

function orderChoice(admin, agency) {
  const message = el("p", { class: "error", role: "alert" });
  const choose = async (event) => {
    message.textContent = "";
    try {
      await request("PATCH", agencyApi(admin), { body: { own_content_first: event.target.value === "first" } });
      status(t("conContentOrderSaved"));
    } catch (error) {
      message.textContent = error instanceof ApiError ? error.problem.detail || t("failed") : t("needNetwork");
    }
  };
  const option = (value, label, checked) => el("label", { class: "check" },
    el("input", { type: "radio", name: "own-first", value, checked, onchange: choose }), label);
  return el("fieldset", { class: "card con-order" },
    el("legend", { text: t("conContentOrder") }),
    option("first", t("conContentOwnFirst"), agency.own_content_first !== false),
    option("last", t("conContentOwnLast"), agency.own_content_first === false),
    message);
}

function dueSection(own) {
  const due = KIND_NAMES.flatMap((kind) => own[kind].filter(isDue).map((item) => ({ kind, item })));
  return el("section", { class: due.length ? "card con-due alert" : "card con-due", "aria-labelledby": "con-due" },
    el("h2", { id: "con-due", text: `${t("conContentDue")} (${due.length})` }),
    due.length ? [el("p", { class: "muted", text: t("conContentDueHint") }),
      el("ul", { class: "plain" }, due.map(({ kind, item }) => el("li", {},
        el("a", { href: editLink(kind, item.slug) }, headingOf(kind, item),
          el("span", { class: "muted", text: ` · ${t(`conContentKind_${kind}`)} · ${item.next_review
            ? t("conContentDueOn", { date: dateText(item.next_review) }) : t("conContentNoReview")}` })))))]
      : el("p", { text: t("conContentNoneDue") }));
}

function ownList(kind, items) {
  if (!items.length) return el("p", { class: "muted", text: t("conContentNoneYet") });
  return el("ul", { class: "plain con-items" }, items.map((item) => el("li", {},
    el("a", { href: editLink(kind, item.slug) }, headingOf(kind, item),
      el("span", { class: `con-status con-${item.status}`, text: t(`conContentStatus_${item.status}`) }),
      el("span", { class: "muted small con-when", text: item.next_review
        ? t("conContentReviewBy", { date: dateText(item.next_review) }) : t("conContentNoReview") })))));
}

// The published items as members read them: the agency's own before or after the core ones.
function membersOrder(kind, items, core, ownFirst) {
  const ours = items.filter((item) => item.status === "published").map((item) =>
    el("li", { class: "con-ours" }, headingOf(kind, item),
      el("span", { class: "con-status con-published", text: t("conContentOurs") })));
  const theirs = core.map((item) => el("li", { class: "muted", text: item[KINDS[kind].heading] }));
  return el("ol", { class: "con-order-list" }, ownFirst ? [ours, theirs] : [theirs, ours]);
}

export const contentList = consoleScreen(async (admin) => {
  const [agency, own, ...core] = await Promise.all([agencyDetails(admin), ownContent(admin),
    ...KIND_NAMES.map((kind) => getJSON(`/api/v1/${kind}`, { page_size: 100 }))]);
  const ownFirst = agency.own_content_first !== false;
  return [
    consoleHeader(t("conContentTitle"), t("conContentIntro")),
    el("div", { class: "con-columns" }, orderChoice(admin, agency), dueSection(own)),
    KIND_NAMES.map((kind, i) => el("section", { class: "con-kind", "aria-labelledby": `con-${kind}` },
      el("div", { class: "con-kind-head" },
        el("h2", { id: `con-${kind}`, text: t(`conContentKind_${kind}`) }),
        el("a", { class: "button primary", href: `#/agency/content/${kind}/new`, text: t(`conContentNew_${kind}`) })),
      el("div", { class: "con-columns" },
        el("div", {}, el("h3", { text: t("conContentYours") }), ownList(kind, own[kind])),
        // Open beside the agency's own list on a desktop; one tap away on a phone.
        el("details", { class: "con-members-see", open: matchMedia("(min-width: 900px)").matches },
          el("summary", { text: `${t("conContentMembersSee")} (${own[kind].filter((x) => x.status === "published").length + core[i].length})` }),
          membersOrder(kind, own[kind], core[i], ownFirst))))),
  ];
});

// --- The editor ---

const splitList = (value) => value.split(",").map((part) => part.trim()).filter(Boolean);

function textFrom(values, kind, lang) {
  const text = {};
  for (const [name, type] of Object.entries(KINDS[kind].fields)) {
    const value = values[`text.${lang}.${name}`] || "";
    text[name] = type === "lines" ? value.split("\n").map((line) => line.trim()).filter(Boolean) : value;
  }
  return text;
}

const isBlank = (text) => Object.values(text).every((value) => (Array.isArray(value) ? !value.length : !value));

// What the form says, as the API takes it. Spanish left empty is no Spanish (readers fall
// back to English); half written, it goes as it is and the API says what is missing.
function bodyFrom(values, kind, isNew) {
  const es = textFrom(values, kind, "es");
  const body = { text: { en: textFrom(values, kind, "en"), es: isBlank(es) ? null : es },
                 next_review: values.next_review || null };
  if (isNew) body.slug = values.slug;
  if (KINDS[kind].audience) body.audience = values.audience;
  if (KINDS[kind].tags) body.tags = splitList(values.tags || "");
  if (KINDS[kind].related) body.related_tips = splitList(values.related_tips || "");
  return body;
}

// A list's problem is about the whole field ("text.en.actions.2" is the actions box).
function atFields(error) {
  if (error instanceof ApiError && error.problem?.errors) {
    const errors = {};
    for (const [name, messages] of Object.entries(error.problem.errors)) {
      const key = name.replace(/(\.\d+)+$/, "");
      errors[key] = [...(errors[key] ?? []), ...messages];
    }
    error.problem.errors = errors;
  }
  return error;
}

function languageColumn(kind, lang, item) {
  const text = item?.text?.[lang] ?? {};
  return el("fieldset", { class: "card con-lang", lang },
    el("legend", { text: t(lang === "en" ? "conContentEnglish" : "conContentSpanish") }),
    Object.entries(KINDS[kind].fields).map(([name, type]) => {
      const value = type === "lines" ? (text[name] ?? []).join("\n") : text[name] ?? "";
      const attrs = { name: `text.${lang}.${name}`, id: `con-${lang}-${name}`, lang };
      const input = type === "input"
        ? { ...attrs, value, maxlength: MAX_LENGTH[name], required: lang === "en" }
        : { ...attrs, tag: "textarea", rows: type === "long" ? 8 : 4, text: value, required: lang === "en" };
      return field(t(`conContentF_${name}`), input, name === "body" ? t("conContentF_bodyHint") : null);
    }));
}

function aboutFields(kind, item) {
  const audience = el("select", { name: "audience", id: "con-audience" },
    ["worker", "peer"].map((value) => el("option", { value, text: t(`conContentAudience_${value}`) })));
  audience.value = item?.audience ?? "worker";
  return el("fieldset", { class: "card con-about" }, el("legend", { text: t("conContentAbout") }),
    item ? null : field(t("conContentSlug"), { name: "slug", id: "con-slug", required: true, maxlength: 80,
                                              autocomplete: "off", spellcheck: "false" }, t("conContentSlugHint")),
    KINDS[kind].audience ? el("div", { class: "field" },
      el("label", { for: "con-audience", text: t("conContentAudience") }), audience) : null,
    KINDS[kind].tags ? field(t("conContentTags"), { name: "tags", id: "con-tags", value: (item?.tags ?? []).join(", ") },
                             t("conContentTagsHint")) : null,
    KINDS[kind].related ? field(t("conContentRelated"), { name: "related_tips", id: "con-related",
      value: (item?.related_tips ?? []).join(", ") }, t("conContentRelatedHint")) : null,
    field(t("conContentNextReview"), { name: "next_review", id: "con-next-review", type: "date",
                                       value: item?.next_review ?? "" }, t("conContentNextReviewHint")));
}

// The preview: the same markup and classes as the app's views (tips.js, faq.js, topics.js)
// and the embed's page (api/web/templates/embed/), in the language chosen for it.
function previewOf(kind, values, lang, agencyName) {
  const written = textFrom(values, kind, lang);
  const english = textFrom(values, kind, "en");
  const text = lang !== "en" && isBlank(written) ? english : written;
  const note = text !== written ? el("p", { class: "muted small", text: t("conContentNoSpanish") }) : null;
  if (isBlank(text)) return [el("p", { class: "muted", text: t("conContentEmpty") })];
  const slug = values.slug || "preview";
  const inApp = {
    tips: () => tipCard({ slug, title: text.title, summary: text.summary, agency: { name: agencyName } }),
    faqs: () => el("details", { open: true }, el("summary", { text: text.question }),
      text.answer.split("\n\n").map((paragraph) => el("p", { text: paragraph }))),
    topics: () => el("ul", { class: "plain topics" }, el("li", {},
      el("a", { href: `#/topics/${slug}`, text: text.title }), el("p", { class: "muted", text: text.opening_question }))),
  }[kind]();
  const embed = kind === "faqs" ? el("p", { class: "muted small", text: t("conContentNoEmbed") })
    : el("div", { class: "con-embed-card", lang }, el("article", { class: kind === "topics" ? "tip topic" : "tip" },
      el("h2", {}, el("a", { href: `#/${kind}/${slug}`, text: text.title })),
      el("p", { class: "summary", text: kind === "topics" ? text.opening_question : text.summary }),
      kind === "tips" && text.actions.length ? el("p", { class: "try" },
        el("strong", { text: `${tIn(lang, "tryThis")}:` }), ` ${text.actions[0]}`) : null,
      el("p", { class: "by", text: `${tIn(lang, "conContentEmbedBy")} ${agencyName}` })));
  return [note, el("h3", { text: t("conContentInApp") }), el("div", { class: "con-app", lang }, inApp),
          el("h3", { text: t("conContentInEmbed") }), embed];
}

function previewPanel(kind, node, agencyName) {
  const shown = el("div", { class: "con-preview-body", inert: true });
  let lang = language();
  const redraw = () => fill(shown, previewOf(kind, Object.fromEntries(new FormData(node)), lang, agencyName));
  const picker = el("select", { id: "con-preview-lang", onchange: (event) => { lang = event.target.value; redraw(); } },
    el("option", { value: "en", lang: "en", text: "English" }), el("option", { value: "es", lang: "es", text: "Español" }));
  picker.value = lang;
  node.addEventListener("input", redraw);
  redraw();
  return el("aside", { class: "con-preview", "aria-labelledby": "con-preview" },
    el("h2", { id: "con-preview", text: t("conContentPreview") }),
    el("label", { for: "con-preview-lang", text: t("conContentPreviewIn") }), picker, shown);
}

async function editor(admin, kind, item) {
  const agency = await agencyDetails(admin);
  const agencyName = agency.name || t("conContentYourAgency");
  const isNew = !item;
  let intent = "draft"; // which button sent the form
  const button = (key, value, primary) => el("button", { type: "submit", class: primary ? "primary" : null,
    text: t(key), onclick: () => { intent = value; } });
  const published = item?.status === "published";
  const buttons = el("div", { class: "actions" },
    published ? [button("conContentSaveChanges", "keep", true), button("conContentUnpublish", "draft")]
      : [button("conContentPublish", "published", true), button("conContentSaveDraft", "draft")],
    isNew ? null : el("button", { type: "button", class: "quiet-danger", text: t("conContentDelete"), onclick: async () => {
      const title = headingOf(kind, item);
      if (!await ask(t("conContentDeleteAsk", { title }), t("conContentDelete"), t("conContentKeep"), true)) return;
      await request("DELETE", agencyApi(admin, `/${kind}/${encodeURIComponent(item.slug)}`));
      location.hash = "#/agency/content";
      status(t("conContentDeleted"));
    } }));
  const node = form({ class: "con-editor-form" }, [
    el("div", { class: "con-langs" }, languageColumn(kind, "en", item), languageColumn(kind, "es", item)),
    aboutFields(kind, item), buttons],
  async (values) => {
    const body = bodyFrom(values, kind, isNew);
    if (intent !== "keep") body.status = intent;
    let saved;
    try {
      saved = isNew ? (await request("POST", agencyApi(admin, `/${kind}`), { body })).data
        : (await request("PATCH", agencyApi(admin, `/${kind}/${encodeURIComponent(item.slug)}`), { body })).data;
    } catch (error) {
      throw atFields(error);
    }
    const news = { draft: published ? "conContentUnpublished" : "conContentSavedDraft",
                   published: "conContentPublished", keep: "conContentSaved" }[intent];
    const target = editLink(kind, saved.slug);
    if (location.hash === target) await render();
    else location.hash = target;
    status(t(news));
  });
  // A new item's address name follows its English title until someone writes their own.
  const slug = node.querySelector("[name=slug]");
  if (slug) {
    let typed = false;
    slug.addEventListener("input", () => { typed = true; });
    node.querySelector("[name='text.en.title'], [name='text.en.question']").addEventListener("input", (event) => {
      if (!typed) slug.value = event.target.value.toLowerCase().normalize("NFD").replace(/[^a-z0-9]+/g, "-").replace(/^-|-$/g, "").slice(0, 80);
    });
  }
  return [
    consoleHeader(isNew ? t(`conContentNew_${kind}`) : t(`conContentEditTitle_${kind}`),
                  isNew ? t("conContentNewIntro") : null),
    item ? el("p", { class: "con-state" }, el("span", { class: `con-status con-${item.status}`, text: t(`conContentStatus_${item.status}`) })) : null,
    el("div", { class: "con-editor" }, node, previewPanel(kind, node, agencyName)),
  ];
}

export const contentNew = consoleScreen((admin, [kind]) => editor(admin, kind, null));

export const contentEdit = consoleScreen(async (admin, [kind, slug]) => {
  const { data: item } = await request("GET", agencyApi(admin, `/${kind}/${encodeURIComponent(slug)}`));
  return editor(admin, kind, item);
});
