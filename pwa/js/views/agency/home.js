// The agency console's home: the agency's name, how many of its items are due for review, and
// one card for each screen of the console, each with a plain sentence saying what it is for.
import { el } from "../../dom.js";
import { addStrings, t } from "../../i18n.js";
import { agencyDetails, consoleScreen } from "./common.js";
import { dueCount, ownContent } from "./content.js";

addStrings({
  en: {
    conHomeIntro: "Everything your agency does in Rapport, in one place.",
    conHomeYourAgency: "Your agency",
    conHomeDue: "Due for review: {n} items", conHomeDue_one: "Due for review: {n} item",
    conHomeDueNone: "Nothing is due for review.",
    conHomeContent: "Content", conHomeContentText: "Write your own tips, FAQs and group topics, and choose where they go.",
    conHomeCrisis: "Crisis lines", conHomeCrisisText: "Choose the numbers people see when they tap “Need help now”.",
    conHomeEmbed: "Embed on your site", conHomeEmbedText: "Show tips on your own website, and copy the code to do it.",
    conHomeKeys: "API keys", conHomeKeysText: "Let your own software read your content. Each key is shown once.",
    conHomeJoin: "Join codes", conHomeJoinText: "Make codes your peer support workers enter to join your agency.",
    conHomeMembers: "Members", conHomeMembersText: "See your workers, hand over their caseload, or remove them.",
    conHomeInsights: "Insights", conHomeInsightsText: "See how self-checks and session checks went, without names.",
    conHomeSupervision: "Supervision", conHomeSupervisionText: "See how steadily each worker checks in. Numbers only, never words.",
    conHomeApps: "Apps (OAuth)", conHomeAppsText: "Register apps that people can let into their account, one yes at a time.",
    conHomeWebhooks: "Webhooks", conHomeWebhooksText: "Tell your own system when something happens, with signed messages.",
    conHomeHooksOff: "{n} webhooks were switched off after failing. Check them.",
    conHomeHooksOff_one: "{n} webhook was switched off after failing. Check it.",
  },
  es: {
    conHomeIntro: "Todo lo que tu agencia hace en Rapport, en un solo lugar.",
    conHomeYourAgency: "Tu agencia",
    conHomeDue: "Toca revisar: {n}", conHomeDue_one: "Toca revisar: {n}",
    conHomeDueNone: "No hay nada por revisar.",
    conHomeContent: "Contenido", conHomeContentText: "Escribe tus propios consejos, dudas y temas para grupos, y elige dónde van.",
    conHomeCrisis: "Líneas de crisis", conHomeCrisisText: "Elige los números que ven al tocar “Necesito ayuda ya”.",
    conHomeEmbed: "En tu sitio web", conHomeEmbedText: "Muestra consejos en tu propio sitio web y copia el código para hacerlo.",
    conHomeKeys: "Claves de la API", conHomeKeysText: "Deja que tus propios programas lean tu contenido. Cada clave se ve una sola vez.",
    conHomeJoin: "Códigos para unirse", conHomeJoinText: "Crea códigos que tus acompañantes de pares escriben para unirse a tu agencia.",
    conHomeMembers: "Personas de la agencia", conHomeMembersText: "Ve a tus acompañantes, pasa sus acompañamientos a otra persona o quítalos.",
    conHomeInsights: "Resultados", conHomeInsightsText: "Ve cómo salieron las autoevaluaciones y las revisiones de sesión, sin nombres.",
    conHomeSupervision: "Supervisión", conHomeSupervisionText: "Ve qué tan seguido registra avances cada acompañante. Solo números, nunca palabras.",
    conHomeApps: "Apps (OAuth)", conHomeAppsText: "Registra apps que las personas pueden dejar entrar a su cuenta, un sí a la vez.",
    conHomeWebhooks: "Webhooks", conHomeWebhooksText: "Avisa a tu propio sistema cuando algo pasa, con mensajes firmados.",
    conHomeHooksOff: "Se apagaron {n} webhooks porque fallaban. Revísalos.",
    conHomeHooksOff_one: "Se apagó {n} webhook porque fallaba. Revísalo.",
  },
});

// Every screen of the console (pwa/js/app.js routes them), in the order an agency needs them.
const SCREENS = [
  ["content", "conHomeContent"], ["crisis", "conHomeCrisis"], ["embed", "conHomeEmbed"],
  ["keys", "conHomeKeys"], ["join-codes", "conHomeJoin"], ["members", "conHomeMembers"],
  ["insights", "conHomeInsights"], ["supervision", "conHomeSupervision"],
  ["apps", "conHomeApps"], ["webhooks", "conHomeWebhooks"],
];

export const consoleHome = consoleScreen(async (admin) => {
  const [agency, own] = await Promise.all([agencyDetails(admin), ownContent(admin)]);
  const due = dueCount(own);
  return [
    el("p", { class: "muted con-kicker", text: t("conTitle") }),
    el("h1", { text: agency.name || t("conHomeYourAgency") }),
    el("p", { text: t("conHomeIntro") }),
    el("p", { class: due ? "notice con-due-count" : "con-due-count" },
      due ? el("a", { href: "#/agency/content", text: t("conHomeDue", { n: due }) }) : t("conHomeDueNone")),
    // Webhooks switched off after failing (api/services/webhooks): the admin is told here.
    agency.webhooks_switched_off > 0 ? el("p", { class: "notice con-blocked con-hooks-off" },
      el("a", { href: "#/agency/webhooks", text: t("conHomeHooksOff", { n: agency.webhooks_switched_off }) }))
      : null,
    // Each card's link is named by its title and described by its sentence.
    el("ul", { class: "con-cards" }, SCREENS.map(([path, key]) => el("li", {},
      el("a", { class: "card con-card", href: `#/agency/${path}`, "aria-labelledby": `con-${path}`,
                "aria-describedby": `con-${path}-text` },
        el("h2", { id: `con-${path}`, text: t(key) }),
        el("p", { id: `con-${path}-text`, text: t(`${key}Text`) }))))),
  ];
});
