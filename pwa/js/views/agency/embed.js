// The embed builder: an agency admin picks what the embed shows, sees it live beside the
// options, and copies the snippets (their agency filled in) and the feed addresses.
// The live preview sizes itself the way agency sites do: the page in the iframe posts
// {"type": "rapport:resize", "height": N} (api/web/static/embed/frame.js), and this view,
// like embed.js on an agency's site, sets the iframe's height to it. No height is guessed.
import { el, fill } from "../../dom.js";
import { addStrings, language, t } from "../../i18n.js";
import { consolePage, consoleScreen, copyButton } from "./common.js";

addStrings({
  en: {
    conEmbedTitle: "Embed on your website",
    conEmbedIntro: "Show your tips or group topics on your own website. Pick the options, check the preview, then copy the code into your page.",
    conEmbedOptions: "Options", conEmbedWhich: "What to show", conEmbedTips: "Tips",
    conEmbedTopics: "Group topics", conEmbedCount: "How many", conEmbedCountHint: "1 to 20.",
    conEmbedLang: "Language", conEmbedTheme: "Colors", conEmbedLight: "Light", conEmbedDark: "Dark",
    conEmbedCompact: "Compact (titles and short text only)",
    conEmbedPreview: "Live preview", conEmbedPreviewFrame: "Preview of the embed",
    conEmbedPreviewHelp: "This is the real embed. It grows and shrinks to fit what it shows.",
    conEmbedIframe: "Iframe code", conEmbedIframeHelp: "Paste this where the embed should show. The script makes the frame exactly as tall as its content, so nothing is cut off and there is no scroll bar.",
    conEmbedScript: "Tip of the day card (script)", conEmbedScriptHelp: "A small card with the tip of the day. It works on any page, and your site's styles cannot break it.",
    conEmbedCopyIframe: "Copy the iframe code", conEmbedCopyScript: "Copy the card code",
    conEmbedFeeds: "Feeds", conEmbedFeedsHelp: "For news readers and other sites. Each feed lists your items first.",
    conEmbedFeedTips: "Tips", conEmbedFeedTopics: "Group topics", conEmbedCopyFeed: "Copy the {name} address",
    conEmbedEnglish: "English", conEmbedSpanish: "Spanish",
  },
  es: {
    conEmbedTitle: "Insertar en tu sitio web",
    conEmbedIntro: "Muestra tus consejos o temas para grupos en tu propio sitio web. Elige las opciones, mira la vista previa y copia el código en tu página.",
    conEmbedOptions: "Opciones", conEmbedWhich: "Qué mostrar", conEmbedTips: "Consejos",
    conEmbedTopics: "Temas para grupos", conEmbedCount: "Cuántos", conEmbedCountHint: "De 1 a 20.",
    conEmbedLang: "Idioma", conEmbedTheme: "Colores", conEmbedLight: "Claro", conEmbedDark: "Oscuro",
    conEmbedCompact: "Compacto (solo títulos y texto corto)",
    conEmbedPreview: "Vista previa en vivo", conEmbedPreviewFrame: "Vista previa del contenido insertado",
    conEmbedPreviewHelp: "Esto es lo que verá la gente. Crece y se achica para ajustarse a lo que muestra.",
    conEmbedIframe: "Código del iframe", conEmbedIframeHelp: "Pégalo donde quieras que se vea. El script hace que el marco mida justo lo que su contenido, así no se corta nada ni sale una barra de desplazamiento.",
    conEmbedScript: "Tarjeta del consejo del día (script)", conEmbedScriptHelp: "Una tarjeta pequeña con el consejo del día. Sirve en cualquier página y los estilos de tu sitio no la rompen.",
    conEmbedCopyIframe: "Copiar el código del iframe", conEmbedCopyScript: "Copiar el código de la tarjeta",
    conEmbedFeeds: "Canales (feeds)", conEmbedFeedsHelp: "Para lectores de noticias y otros sitios. Cada canal muestra primero lo tuyo.",
    conEmbedFeedTips: "Consejos", conEmbedFeedTopics: "Temas para grupos", conEmbedCopyFeed: "Copiar la dirección de {name}",
    conEmbedEnglish: "Inglés", conEmbedSpanish: "Español",
  },
});

const FEEDS = [["json", "JSON Feed"], ["atom", "Atom"], ["rss", "RSS"]];
// The iframe's title, in the language the embed shows (it is read out on the agency's page).
const FRAME_TITLES = {
  tips: { en: "Rapport tips", es: "Consejos de Rapport" },
  topics: { en: "Rapport group topics", es: "Temas para grupos de Rapport" },
};

// The embed's address for these options; only what differs from the defaults is added.
export function embedUrl(origin, agencyId, { which, lang, count, theme, compact }) {
  const url = new URL(`/embed/${which}`, origin);
  url.searchParams.set("agency", agencyId);
  url.searchParams.set("lang", lang);
  url.searchParams.set("count", String(count));
  if (theme === "dark") url.searchParams.set("theme", "dark");
  if (compact) url.searchParams.set("compact", "true");
  return url.href;
}

export function iframeSnippet(origin, agencyId, options) {
  // The id lets a site's own script find it; embed.js sizes every Rapport iframe, id or not.
  return `<iframe id="rapport-${options.which}" src="${embedUrl(origin, agencyId, options)}"\n` +
    `        title="${FRAME_TITLES[options.which][options.lang]}" width="100%" style="border:0; display:block"></iframe>\n` +
    `<script src="${origin}/embed.js" async></script>`;
}

export function cardSnippet(origin, agencyId, { lang, theme }) {
  return `<div data-rapport-tips data-lang="${lang}" data-agency="${agencyId}" data-theme="${theme}"></div>\n` +
    `<script src="${origin}/embed.js" async></script>`;
}

function options(formNode) {
  const data = new FormData(formNode);
  const count = Math.min(20, Math.max(1, Math.round(Number(data.get("count")) || 3)));
  return { which: data.get("which") === "topics" ? "topics" : "tips",
           lang: data.get("lang") === "es" ? "es" : "en", count,
           theme: data.get("theme") === "dark" ? "dark" : "light", compact: data.has("compact") };
}

function radios(legend, name, choices, checked) {
  return el("fieldset", { class: "con-choices" }, el("legend", { text: legend }),
    choices.map(([value, label]) => el("label", { class: "check" },
      el("input", { type: "radio", name, value, checked: value === checked }), label)));
}

// The preview iframe heeds its own page's resize messages, and only those.
function sizedFrame(frame) {
  const listener = (event) => {
    if (!frame.isConnected) { window.removeEventListener("message", listener); return; }
    const data = event.data;
    if (event.origin !== location.origin || event.source !== frame.contentWindow) return;
    if (data?.type !== "rapport:resize" || typeof data.height !== "number" || !(data.height >= 0)) return;
    // The content's height, plus the frame's own border and padding (box-sizing: border-box).
    const style = getComputedStyle(frame);
    const extra = style.boxSizing !== "border-box" ? 0 : frame.offsetHeight - frame.clientHeight +
      parseFloat(style.paddingTop) + parseFloat(style.paddingBottom);
    frame.style.height = `${data.height + extra}px`;
  };
  window.addEventListener("message", listener);
  return frame;
}

function codeBox(id, label, help, copyLabel) {
  const box = el("textarea", { id, class: "con-code", readonly: true, rows: 4, spellcheck: "false",
                               "aria-describedby": `${id}-help` });
  return { box, node: el("section", { class: "con-snippet" },
    el("h3", {}, el("label", { for: id, text: label })),
    el("p", { id: `${id}-help`, class: "muted small", text: help }),
    box, el("div", { class: "actions" }, copyButton(box, copyLabel))) };
}

export const embedBuilder = consoleScreen(async (user) => {
  const origin = location.origin;
  const agency = user.agency_id;

  const frame = sizedFrame(el("iframe", { class: "con-embed-frame", title: t("conEmbedPreviewFrame") }));
  const iframeCode = codeBox("embed-iframe-code", t("conEmbedIframe"), t("conEmbedIframeHelp"),
    t("conEmbedCopyIframe"));
  const cardCode = codeBox("embed-card-code", t("conEmbedScript"), t("conEmbedScriptHelp"),
    t("conEmbedCopyScript"));
  const feeds = el("ul", { class: "plain con-feeds" });

  const formNode = el("form", { class: "con-embed-options", onsubmit: (event) => event.preventDefault() },
    radios(t("conEmbedWhich"), "which", [["tips", t("conEmbedTips")], ["topics", t("conEmbedTopics")]], "tips"),
    el("div", { class: "field" },
      el("label", { for: "embed-count", text: t("conEmbedCount") }),
      el("input", { id: "embed-count", name: "count", type: "number", min: 1, max: 20, value: 3,
                    inputmode: "numeric", "aria-describedby": "embed-count-hint" }),
      el("p", { id: "embed-count-hint", class: "muted small", text: t("conEmbedCountHint") })),
    el("div", { class: "field" },
      el("label", { for: "embed-lang", text: t("conEmbedLang") }),
      el("select", { id: "embed-lang", name: "lang" },
        el("option", { value: "en", text: t("conEmbedEnglish") }),
        el("option", { value: "es", text: t("conEmbedSpanish") }))),
    radios(t("conEmbedTheme"), "theme", [["light", t("conEmbedLight")], ["dark", t("conEmbedDark")]], "light"),
    el("div", { class: "check" },
      el("input", { id: "embed-compact", type: "checkbox", name: "compact" }),
      el("label", { for: "embed-compact", text: t("conEmbedCompact") })));
  formNode.querySelector("#embed-lang").value = language();

  const update = () => {
    const chosen = options(formNode);
    const src = embedUrl(origin, agency, chosen);
    if (frame.getAttribute("src") !== src) frame.setAttribute("src", src);
    iframeCode.box.value = iframeSnippet(origin, agency, chosen);
    cardCode.box.value = cardSnippet(origin, agency, chosen);
    cardCode.node.hidden = chosen.which !== "tips"; // the card shows the tip of the day only
    const query = `?agency=${encodeURIComponent(agency)}&lang=${chosen.lang}`;
    fill(feeds, ["tips", "topics"].flatMap((content) => FEEDS.map(([format, name]) => {
      const address = el("code", { class: "con-url", text: `${origin}/feeds/${content}.${format}${query}` });
      const fullName = `${t(content === "tips" ? "conEmbedFeedTips" : "conEmbedFeedTopics")} · ${name}`;
      return el("li", { class: "con-feed" }, el("span", { class: "con-feed-name", text: fullName }),
        address, copyButton(address, t("conEmbedCopyFeed", { name: fullName })));
    })));
  };
  formNode.addEventListener("input", update);
  formNode.addEventListener("change", update);
  update();

  return consolePage(t("conEmbedTitle"), t("conEmbedIntro"),
    el("div", { class: "con-embed" },
      el("section", { class: "card con-embed-side", "aria-labelledby": "embed-options-title" },
        el("h2", { id: "embed-options-title", text: t("conEmbedOptions") }), formNode),
      el("section", { class: "con-embed-preview", "aria-labelledby": "embed-preview-title" },
        el("h2", { id: "embed-preview-title", text: t("conEmbedPreview") }),
        el("p", { class: "muted small", text: t("conEmbedPreviewHelp") }), frame)),
    iframeCode.node, cardCode.node,
    el("section", { "aria-labelledby": "embed-feeds-title" },
      el("h2", { id: "embed-feeds-title", text: t("conEmbedFeeds") }),
      el("p", { class: "muted small", text: t("conEmbedFeedsHelp") }), feeds));
});
