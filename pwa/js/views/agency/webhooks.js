// Webhooks: an agency admin registers an address that hears what happens (Standard Webhooks),
// copies its signing secret (shown once), sends a test event, reads the delivery log and sends
// a message again, rotates the secret, and switches an endpoint that kept failing back on.
import { request } from "../../api.js";
import { el, fill } from "../../dom.js";
import { addStrings, t } from "../../i18n.js";
import { status } from "../../screen.js";
import { Notice, ask, dateText, field, form, problemText } from "../../ui.js";
import { agencyApps } from "./apps.js";
import { agencyApi, consolePage, consoleScreen, copyButton, table } from "./common.js";

// api/schemas/webhooks.py EVENT_TYPES, in the same order.
const EVENTS = ["content.published", "partnership.created", "partnership.ended", "goal.achieved",
                "checkin.overdue"];

addStrings({
  en: {
    conHooksTitle: "Webhooks",
    conHooksIntro: "Rapport tells your system when something happens, right away, instead of your system asking again and again. Each message is signed (Standard Webhooks) and holds only ids, never anyone's words.",
    conHooksNew: "Add a webhook", conHooksUrl: "Address (URL)", conHooksUrlHint: "An https address of your system that accepts POST.",
    conHooksDescription: "Description (optional)", conHooksDescriptionHint: "Like “Our case system”. Only admins see this.",
    conHooksEvents: "What to hear about", conHooksApp: "For an app (optional)",
    conHooksAppNone: "No app: for the agency itself",
    conHooksAppHint: "An app's webhook hears only about partnerships where someone let that app see their goals.",
    conHooksMake: "Add webhook", conHooksPickEvent: "Choose at least one thing to hear about.",
    conHooksMade: "Webhook added", conHooksSecret: "Signing secret", conHooksCopySecret: "Copy the signing secret",
    conHooksSecretOnce: "Copy the secret now and keep it in your system: it checks each message with it. We will not show it again.",
    conHooksList: "Your webhooks", conHooksNone: "No webhooks yet.",
    conHooksFor: "For the app {name}", conHooksForAgency: "For the agency",
    conHooksHears: "Hears about:", conHooksOn: "On", conHooksOffSince: "Switched off {date}",
    conHooksReason_failing: "Every try failed for too long, so we stopped sending.",
    conHooksReason_gone: "Your system answered 410 Gone, which means “this address is closed”.",
    conHooksReason_by_admin: "An admin switched it off.",
    conHooksWaits: "Nothing is lost: what waited is sent when you switch it back on. Fix your system first.",
    conHooksFailing: "Failing since {date}: {n} messages given up.", conHooksFailing_one: "Failing since {date}: {n} message given up.",
    conHooksSwitchOn: "Switch back on", conHooksSwitchedOn: "Webhook switched back on.",
    conHooksTest: "Send a test event", conHooksTestSent: "Test event sent. It shows in the delivery log.",
    conHooksRotate: "Rotate secret",
    conHooksRotateAsk: "Make a new signing secret? The old one keeps working for 24 hours, so you have time to put the new one in your system.",
    conHooksRotateYes: "Make new secret", conHooksKeep: "Not now",
    conHooksRotated: "Your new signing secret", conHooksOldUntil: "The old secret keeps working until {date} (24 hours). Put the new one in your system before then.",
    conHooksRemove: "Remove", conHooksRemoveName: "Remove the webhook {url}",
    conHooksRemoveAsk: "Remove this webhook and its delivery log? Nothing more is sent to {url}.",
    conHooksRemoveYes: "Remove webhook", conHooksRemoved: "Webhook removed.",
    conHooksLog: "Delivery log", conHooksLogFor: "Delivery log for {url}", conHooksRefresh: "Refresh",
    conHooksLogNone: "Nothing sent yet.",
    conHooksColTime: "Time", conHooksColEvent: "Event", conHooksColStatus: "Status",
    conHooksColAttempts: "Tries", conHooksColCode: "Last answer", conHooksColAgain: "Again",
    conHooksStatus_pending: "Waiting", conHooksStatus_delivered: "Delivered", conHooksStatus_failed: "Given up",
    conHooksNoAnswer: "No answer", conHooksAgain: "Send again", conHooksAgainName: "Send again: {event}, {time}",
    conHooksAgainSent: "Sent again, with the same webhook-id.",
    "event_content.published": "Your agency published a tip, FAQ or group topic",
    "event_partnership.created": "A worker and a peer started working together",
    "event_partnership.ended": "A worker and a peer stopped working together",
    "event_goal.achieved": "A shared goal was reached (apps only)",
    "event_checkin.overdue": "A check-in is late (apps only)",
    "event_webhook.test": "Test event",
  },
  es: {
    conHooksTitle: "Webhooks",
    conHooksIntro: "Rapport avisa a tu sistema en cuanto algo pasa, en vez de que tu sistema pregunte una y otra vez. Cada mensaje va firmado (Standard Webhooks) y lleva solo identificadores, nunca las palabras de nadie.",
    conHooksNew: "Agregar un webhook", conHooksUrl: "Dirección (URL)", conHooksUrlHint: "Una dirección https de tu sistema que acepte POST.",
    conHooksDescription: "Descripción (opcional)", conHooksDescriptionHint: "Como «Nuestro sistema de casos». Solo quienes administran la ven.",
    conHooksEvents: "De qué avisar", conHooksApp: "Para una app (opcional)",
    conHooksAppNone: "Ninguna app: para la agencia",
    conHooksAppHint: "El webhook de una app solo avisa de acompañamientos donde alguien dejó que esa app vea sus metas.",
    conHooksMake: "Agregar webhook", conHooksPickEvent: "Elige al menos una cosa de la que avisar.",
    conHooksMade: "Webhook agregado", conHooksSecret: "Secreto de firma", conHooksCopySecret: "Copiar el secreto de firma",
    conHooksSecretOnce: "Copia el secreto ahora y guárdalo en tu sistema: con él revisa cada mensaje. No lo volveremos a mostrar.",
    conHooksList: "Tus webhooks", conHooksNone: "Aún no hay webhooks.",
    conHooksFor: "Para la app {name}", conHooksForAgency: "Para la agencia",
    conHooksHears: "Avisa de:", conHooksOn: "Encendido", conHooksOffSince: "Apagado el {date}",
    conHooksReason_failing: "Todos los intentos fallaron por mucho tiempo, así que dejamos de enviar.",
    conHooksReason_gone: "Tu sistema respondió 410 Gone, que quiere decir «esta dirección está cerrada».",
    conHooksReason_by_admin: "Alguien de la administración lo apagó.",
    conHooksWaits: "No se pierde nada: lo que esperaba se envía al encenderlo de nuevo. Arregla tu sistema primero.",
    conHooksFailing: "Falla desde el {date}: {n} mensajes abandonados.", conHooksFailing_one: "Falla desde el {date}: {n} mensaje abandonado.",
    conHooksSwitchOn: "Encender de nuevo", conHooksSwitchedOn: "Webhook encendido de nuevo.",
    conHooksTest: "Enviar un evento de prueba", conHooksTestSent: "Evento de prueba enviado. Aparece en el registro de envíos.",
    conHooksRotate: "Cambiar el secreto",
    conHooksRotateAsk: "¿Crear un secreto de firma nuevo? El anterior sigue sirviendo 24 horas, así tienes tiempo de poner el nuevo en tu sistema.",
    conHooksRotateYes: "Crear secreto nuevo", conHooksKeep: "Ahora no",
    conHooksRotated: "Tu secreto de firma nuevo", conHooksOldUntil: "El secreto anterior sigue sirviendo hasta el {date} (24 horas). Pon el nuevo en tu sistema antes.",
    conHooksRemove: "Quitar", conHooksRemoveName: "Quitar el webhook {url}",
    conHooksRemoveAsk: "¿Quitar este webhook y su registro de envíos? No se envía nada más a {url}.",
    conHooksRemoveYes: "Quitar webhook", conHooksRemoved: "Webhook quitado.",
    conHooksLog: "Registro de envíos", conHooksLogFor: "Registro de envíos de {url}", conHooksRefresh: "Actualizar",
    conHooksLogNone: "Todavía no se envió nada.",
    conHooksColTime: "Hora", conHooksColEvent: "Evento", conHooksColStatus: "Estado",
    conHooksColAttempts: "Intentos", conHooksColCode: "Última respuesta", conHooksColAgain: "De nuevo",
    conHooksStatus_pending: "En espera", conHooksStatus_delivered: "Entregado", conHooksStatus_failed: "Abandonado",
    conHooksNoAnswer: "Sin respuesta", conHooksAgain: "Enviar de nuevo", conHooksAgainName: "Enviar de nuevo: {event}, {time}",
    conHooksAgainSent: "Enviado de nuevo, con el mismo webhook-id.",
    "event_content.published": "Tu agencia publicó un consejo, una duda o un tema para grupos",
    "event_partnership.created": "Un acompañante y una persona empezaron a trabajar juntos",
    "event_partnership.ended": "Un acompañante y una persona dejaron de trabajar juntos",
    "event_goal.achieved": "Se logró una meta compartida (solo apps)",
    "event_checkin.overdue": "Un avance va tarde (solo apps)",
    "event_webhook.test": "Evento de prueba",
  },
});

const eventText = (type) => t(`event_${type}`);

// A secret shown once, with its copy button and the warning that goes with it.
function secretCard(titleKey, secret, warning) {
  const code = el("code", { class: "con-secret", text: secret });
  return el("section", { class: "card con-once", "aria-labelledby": "hook-secret-title" },
    el("h2", { id: "hook-secret-title", tabindex: "-1", text: t(titleKey) }),
    el("p", { class: "con-warning", text: warning }),
    el("p", {}, code), copyButton(code, t("conHooksCopySecret")));
}

function showOnce(shown, card) {
  fill(shown, card);
  shown.querySelector("h2").focus();
}

// Do `action`, say `done` (or what went wrong), then draw again.
const acting = (action, done, redraw) => async () => {
  try {
    await action();
    status(done);
  } catch (error) {
    status(problemText(error));
  }
  await redraw();
};

function deliveryLog(admin, hook) {
  const path = agencyApi(admin, `/webhooks/${hook.id}`);
  const body = el("div", { "aria-live": "polite" });
  const load = async () => {
    try {
      const { data } = await request("GET", `${path}/deliveries`, { params: { page_size: 50 } });
      fill(body, data.length ? table(t("conHooksLogFor", { url: hook.url }),
        [t("conHooksColTime"), t("conHooksColEvent"), t("conHooksColStatus"), t("conHooksColAttempts"),
         t("conHooksColCode"), t("conHooksColAgain")],
        data.map((item) => {
          const time = dateText(item.created_at, true);
          return [time, el("span", { title: item.event_type }, eventText(item.event_type)),
            el("span", { class: `con-delivery con-delivery-${item.status}`, text: t(`conHooksStatus_${item.status}`) }),
            String(item.attempts),
            item.last_status_code ? String(item.last_status_code) : (item.last_error || t("conHooksNoAnswer")),
            el("button", { type: "button", class: "small-button",
              "aria-label": t("conHooksAgainName", { event: eventText(item.event_type), time }),
              text: t("conHooksAgain"),
              onclick: acting(() => request("POST", `${path}/deliveries/${item.id}/replay`),
                              t("conHooksAgainSent"), load) })];
        }), "con-log", false) : el("p", { class: "muted", text: t("conHooksLogNone") }));
    } catch (error) {
      fill(body, el("p", { class: "error", text: problemText(error) }));
    }
  };
  const details = el("details", { class: "con-log-details" },
    el("summary", { text: t("conHooksLog") }),
    el("button", { type: "button", class: "small-button con-refresh", text: t("conHooksRefresh"), onclick: load }),
    body);
  details.addEventListener("toggle", () => { if (details.open) load(); });
  return { details, load };
}

function hookCard(admin, hook, apps, shown, redraw) {
  const path = agencyApi(admin, `/webhooks/${hook.id}`);
  const app = hook.client_id ? apps.find((item) => item.id === hook.client_id) : null;
  const log = deliveryLog(admin, hook);
  return el("li", { class: "card con-hook" },
    el("h3", { class: "con-url", text: hook.url }),
    hook.description ? el("p", { text: hook.description }) : null,
    el("p", { class: "muted" }, app ? t("conHooksFor", { name: app.name }) : t("conHooksForAgency"),
       " · ", hook.disabled_at ? t("conHooksOffSince", { date: dateText(hook.disabled_at, true) }) : t("conHooksOn")),
    hook.disabled_at ? el("div", { class: "notice con-blocked", role: "status" },
      el("p", { class: "con-warning", text: t(`conHooksReason_${hook.disabled_reason}`) }),
      el("p", { text: t("conHooksWaits") }),
      el("button", { type: "button", class: "primary", text: t("conHooksSwitchOn"),
        onclick: acting(() => request("PATCH", path, { body: { enabled: true } }), t("conHooksSwitchedOn"), redraw) }))
      : null,
    !hook.disabled_at && hook.failing_since ? el("p", { class: "con-warning", text: t("conHooksFailing",
      { n: hook.consecutive_failures, date: dateText(hook.failing_since, true) }) }) : null,
    el("p", { class: "con-hears" }, t("conHooksHears")),
    el("ul", { class: "con-list" }, hook.event_types.map((type) => el("li", {}, eventText(type), " ",
      el("code", { class: "muted", text: type })))),
    el("div", { class: "con-actions" },
      el("button", { type: "button", text: t("conHooksTest"),
        onclick: acting(async () => {
          await request("POST", `${path}/test`);
          log.details.open = true;
        }, t("conHooksTestSent"), log.load) }),
      el("button", { type: "button", text: t("conHooksRotate"), onclick: async () => {
        if (!await ask(t("conHooksRotateAsk"), t("conHooksRotateYes"), t("conHooksKeep"))) return;
        try {
          const { data } = await request("POST", `${path}/rotate-secret`);
          showOnce(shown, secretCard("conHooksRotated", data.secret,
            t("conHooksOldUntil", { date: dateText(data.previous_secret_until, true) })));
        } catch (error) {
          status(problemText(error));
        }
      } }),
      el("button", { type: "button", class: "quiet-danger", text: t("conHooksRemove"),
        "aria-label": t("conHooksRemoveName", { url: hook.url }), onclick: async () => {
          if (!await ask(t("conHooksRemoveAsk", { url: hook.url }), t("conHooksRemoveYes"), t("conHooksKeep"), true)) return;
          await acting(() => request("DELETE", path), t("conHooksRemoved"), redraw)();
        } })),
    log.details);
}

function makeForm(admin, apps, shown, redraw) {
  const live = apps.filter((app) => !app.revoked_at);
  return form({ class: "card", "aria-labelledby": "hooks-new-title" }, [
    el("h2", { id: "hooks-new-title", text: t("conHooksNew") }),
    field(t("conHooksUrl"), { name: "url", type: "url", required: true, maxlength: 2048, autocomplete: "off",
                              placeholder: "https://" }, t("conHooksUrlHint")),
    field(t("conHooksDescription"), { name: "description", maxlength: 200, autocomplete: "off" },
          t("conHooksDescriptionHint")),
    el("fieldset", { class: "con-checks" }, el("legend", { text: t("conHooksEvents") }),
      EVENTS.map((type, index) => el("div", { class: "check" },
        el("input", { type: "checkbox", id: `hook-event-${index}`, name: "event_types", value: type }),
        el("label", { for: `hook-event-${index}`, text: eventText(type) })))),
    live.length ? field(t("conHooksApp"), { tag: "select", name: "client_id" }, t("conHooksAppHint")) : null,
    el("button", { type: "submit", class: "primary", text: t("conHooksMake") }),
  ], async (values, node) => {
    const events = [...node.querySelectorAll("input[name=event_types]:checked")].map((box) => box.value);
    if (!events.length) throw new Notice(t("conHooksPickEvent"));
    const body = { url: values.url, event_types: events };
    if (values.description) body.description = values.description;
    if (values.client_id) body.client_id = values.client_id;
    const { data } = await request("POST", agencyApi(admin, "/webhooks"), { body });
    node.reset();
    showOnce(shown, secretCard("conHooksMade", data.secret, t("conHooksSecretOnce")));
    await redraw();
  });
}

export const webhooks = consoleScreen(async (admin) => {
  const shown = el("div", { "aria-live": "polite" });
  const list = el("div");
  const apps = await agencyApps(admin).catch(() => []);
  const redraw = async () => {
    try {
      const { data } = await request("GET", agencyApi(admin, "/webhooks"), { params: { page_size: 100 } });
      fill(list, data.length
        ? el("ul", { class: "plain con-hooks" }, data.map((hook) => hookCard(admin, hook, apps, shown, redraw)))
        : el("p", { class: "muted", text: t("conHooksNone") }));
    } catch (error) {
      fill(list, el("p", { class: "error", text: problemText(error) }));
    }
  };
  await redraw();
  const made = makeForm(admin, apps, shown, redraw);
  const select = made.querySelector("select[name=client_id]");
  if (select) {
    select.append(el("option", { value: "", text: t("conHooksAppNone") }),
      ...apps.filter((app) => !app.revoked_at).map((app) => el("option", { value: app.id, text: app.name })));
  }
  return consolePage(t("conHooksTitle"), t("conHooksIntro"), made, shown,
    el("h2", { text: t("conHooksList") }), list);
});
