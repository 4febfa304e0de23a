// Settings → Reminders: turn push reminders on for this phone (the browser asks for
// permission only then), choose what they say and when, turn them off, remove other devices.
// Where push cannot work (iPhone outside a Home Screen app, blocked, old browser) it says so
// and offers the calendar link instead.
import { el, fill } from "../dom.js";
import { addStrings, t } from "../i18n.js";
import { status } from "../screen.js";
import { readPrivate } from "../session.js";
import { NotAllowed, browserSubscription, change, devices, keepCurrent, pushSupport, remove,
         turnOff, turnOn } from "../push.js";
import { dateText, field, form, problemText, toast } from "../ui.js";

addStrings({
  en: {
    remTitle: "Reminders",
    remHelp: "Get a note on this phone when a check-in is due or something changes on a shared goal.",
    remTurnOn: "Turn on reminders on this phone", remTurnOff: "Turn off on this phone",
    remOn: "Reminders are on for this phone.", remOff: "Reminders are off for this phone.",
    remNotAllowed: "Reminders stay off: notifications were not allowed.",
    remIos: "On iPhone and iPad, reminders only work after you add Rapport to your Home Screen. In Safari, tap Share, then “Add to Home Screen”. Then open Rapport from there.",
    remDenied: "Notifications are blocked for Rapport on this phone. You can allow them in your browser’s settings.",
    remUnsupported: "This browser cannot show reminders.",
    remCalendar: "You can put check-ins in your calendar instead:",
    remCalendarWith: "Calendar link for check-ins with {name}",
    remCalendarNone: "Once you have a partnership, its settings give you a calendar link.",
    remWhat: "Tell me when", kind_checkin_due: "A check-in is due",
    kind_talk_flag: "A peer asks to talk about how sessions are going",
    kind_milestone_done: "A step on a shared goal is done",
    kind_celebration: "Someone sends me a celebration", kind_new_goal: "A new shared goal is added",
    remNames: "Show names on the lock screen",
    remNamesHelp: "Off: a reminder says only something like “A check-in is due in Rapport.” On: it may say who it is about. Words people wrote are never shown. You see them when you open the app.",
    remQuiet: "Quiet hours", remQuietHelp: "Reminders that come in quiet hours wait until they end.",
    remFrom: "From", remUntil: "Until",
    remSummary: "One summary a day instead of each reminder", remSummaryAt: "Send it at",
    remSaved: "Reminder choices saved.", remOthers: "Other devices with reminders",
    remRemove: "Remove", remRemoved: "Device removed.", remAdded: "Added {date}",
    remLastSent: "last reminder {date}",
  },
  es: {
    remTitle: "Recordatorios",
    remHelp: "Recibe un aviso en este teléfono cuando toca un avance o cambia algo en una meta en común.",
    remTurnOn: "Activar recordatorios en este teléfono", remTurnOff: "Desactivar en este teléfono",
    remOn: "Los recordatorios están activados en este teléfono.",
    remOff: "Los recordatorios están desactivados en este teléfono.",
    remNotAllowed: "Los recordatorios siguen desactivados: no se permitieron las notificaciones.",
    remIos: "En iPhone y iPad, los recordatorios solo funcionan si agregas Rapport a tu pantalla de inicio. En Safari, toca Compartir y luego “Agregar a inicio”. Después abre Rapport desde ahí.",
    remDenied: "Las notificaciones de Rapport están bloqueadas en este teléfono. Puedes permitirlas en los ajustes de tu navegador.",
    remUnsupported: "Este navegador no puede mostrar recordatorios.",
    remCalendar: "En su lugar, puedes poner los avances en tu calendario:",
    remCalendarWith: "Enlace de calendario para los avances con {name}",
    remCalendarNone: "Cuando tengas un acompañamiento, sus ajustes te dan un enlace de calendario.",
    remWhat: "Avísame cuando", kind_checkin_due: "Toca un avance",
    kind_talk_flag: "Una persona acompañada pide hablar de cómo van las sesiones",
    kind_milestone_done: "Se termina un paso de una meta en común",
    kind_celebration: "Alguien me manda una celebración", kind_new_goal: "Se agrega una meta en común nueva",
    remNames: "Mostrar nombres en la pantalla bloqueada",
    remNamesHelp: "Desactivado: el aviso solo dice algo como “Toca un avance en Rapport.” Activado: puede decir de quién se trata. Nunca se muestran palabras que alguien escribió. Las ves al abrir la app.",
    remQuiet: "Horas de silencio", remQuietHelp: "Los avisos que llegan en horas de silencio esperan hasta que terminan.",
    remFrom: "Desde", remUntil: "Hasta",
    remSummary: "Un resumen al día en vez de cada aviso", remSummaryAt: "Enviarlo a las",
    remSaved: "Opciones de recordatorios guardadas.", remOthers: "Otros dispositivos con recordatorios",
    remRemove: "Quitar", remRemoved: "Dispositivo quitado.", remAdded: "Agregado el {date}",
    remLastSent: "último aviso el {date}",
  },
});

const KINDS = ["checkin_due", "talk_flag", "milestone_done", "celebration", "new_goal"];
// Only a worker is told a peer asks to talk.
const kindsFor = (user) => KINDS.filter((kind) => kind !== "talk_flag" || user.role === "worker");

// Push service hosts, told as people know them.
const SERVICES = [["fcm.googleapis.com", "Chrome, Edge or Android"], ["mozilla.com", "Firefox"],
                  ["push.apple.com", "iPhone, iPad or Mac"], ["notify.windows.com", "Windows"]];
const serviceName = (host) => SERVICES.find(([end]) => host === end || host.endsWith(`.${end}`))?.[1] ?? host;

const check = (name, label, checked, extra = {}) => {
  const id = `rem-${name}${extra.value ? `-${extra.value}` : ""}`;
  return el("div", { class: "check" },
    el("input", { type: "checkbox", id, name, checked, ...extra }),
    el("label", { for: id, text: label }));
};

// The calendar link, where push cannot work: each partnership's settings make one.
async function calendarLinks(user) {
  let partnerships = [];
  try {
    partnerships = (await readPrivate("/api/v1/partnerships")).data
      .filter((partnership) => partnership.status !== "ended");
  } catch {
    // Offline with nothing saved: say where to look.
  }
  if (!partnerships.length) return el("p", { class: "muted", text: t("remCalendarNone") });
  return [el("p", { text: t("remCalendar") }),
    el("ul", { class: "plain" }, partnerships.map((partnership) => el("li", {},
      el("a", { href: `#/partnerships/${partnership.id}/settings`, text: t("remCalendarWith", {
        name: (user.role === "worker" ? partnership.peer : partnership.worker)?.display_name || "—" }) }))))];
}

function choicesForm(user, device, redraw) {
  const quiet = device.quiet_hours;
  const times = (prefix, names, values, on) => el("div", { class: "times", hidden: !on }, names.map((name, i) =>
    field(t(prefix[i]), { name, type: "time", value: values[i], required: true, disabled: !on })));
  const quietTimes = times(["remFrom", "remUntil"], ["quiet_start", "quiet_end"],
                           [quiet?.start ?? "22:00", quiet?.end ?? "07:00"], Boolean(quiet));
  const summaryTime = times(["remSummaryAt"], ["summary_at"], [device.summary_at || "08:00"],
                            device.daily_summary);
  const toggles = (box, group) => box.querySelector("input").addEventListener("change", (event) => {
    group.hidden = !event.target.checked;
    for (const input of group.querySelectorAll("input")) input.disabled = !event.target.checked;
  });
  const quietBox = check("quiet", t("remQuiet"), Boolean(quiet));
  const summaryBox = check("daily_summary", t("remSummary"), device.daily_summary);
  toggles(quietBox, quietTimes);
  toggles(summaryBox, summaryTime);
  const node = form({}, [
    el("fieldset", {}, el("legend", { text: t("remWhat") }),
      kindsFor(user).map((kind) => check("kinds", t(`kind_${kind}`), device.kinds.includes(kind),
                                         { value: kind }))),
    check("names", t("remNames"), device.detail === "names", { "aria-describedby": "rem-names-help" }),
    el("p", { id: "rem-names-help", class: "muted small", text: t("remNamesHelp") }),
    el("fieldset", {}, el("legend", { class: "sc-sr", text: t("remQuiet") }),
      quietBox, el("p", { class: "muted small", text: t("remQuietHelp") }), quietTimes),
    el("fieldset", {}, el("legend", { class: "sc-sr", text: t("remSummary") }),
      summaryBox, summaryTime),
    el("button", { type: "submit", class: "primary", text: t("save") })],
  async () => {
    // Read the boxes themselves: FormData leaves out what is unticked or disabled.
    const value = (name) => node.querySelector(`[name="${name}"]`).value;
    const ticked = (name) => node.querySelector(`[name="${name}"]`).checked;
    const choices = {
      kinds: [...node.querySelectorAll("[name=kinds]:checked")].map((box) => box.value),
      detail: ticked("names") ? "names" : "private",
      quiet_hours: ticked("quiet") ? { start: value("quiet_start"), end: value("quiet_end") } : null,
      daily_summary: ticked("daily_summary"),
    };
    if (choices.daily_summary) choices.summary_at = value("summary_at");
    await change(device, choices);
    status(t("remSaved"));
    await redraw();
  });
  return node;
}

function otherDevices(others, redraw) {
  if (!others.length) return null;
  return [el("h3", { text: t("remOthers") }),
    el("ul", { class: "plain devices" }, others.map((device) => el("li", {},
      el("span", { text: [device.label || serviceName(device.push_service),
        t("remAdded", { date: dateText(device.created_at) }),
        device.last_sent_at ? t("remLastSent", { date: dateText(device.last_sent_at) }) : null]
        .filter(Boolean).join(" · ") }),
      el("button", { type: "button", class: "small-button", text: t("remRemove"),
        "aria-label": `${t("remRemove")}: ${device.label || serviceName(device.push_service)}`,
        onclick: async () => {
          try {
            await remove(device);
            toast(t("remRemoved"));
            await redraw();
          } catch (error) {
            toast(problemText(error));
          }
        } }))))];
}

async function draw(box, user) {
  const redraw = () => draw(box, user);
  const support = pushSupport();
  let list;
  try {
    list = await devices();
  } catch (error) {
    fill(box, el("p", { class: "error", text: problemText(error) }));
    return;
  }
  let mine = list.find((device) => device.this_device) ?? null;
  const others = list.filter((device) => device !== mine);
  if (support !== "ok") {
    const why = { "ios-install": "remIos", denied: "remDenied", unsupported: "remUnsupported" }[support];
    fill(box, el("p", { class: "notice", text: t(why) }), await calendarLinks(user),
         otherDevices(mine ? [mine, ...others] : others, redraw));
    return;
  }
  const subscription = await browserSubscription().catch(() => null);
  if (mine && !subscription) {
    // The browser forgot it (permission taken back, storage cleared): nothing reaches it.
    await remove(mine).catch(() => {});
    mine = null;
  } else if (mine) {
    mine = await keepCurrent(mine).catch(() => mine);
  }
  const message = el("p", { class: "error", role: "alert" });
  if (!mine) {
    fill(box, el("p", { text: t("remHelp") }), el("p", { class: "muted", text: t("remOff") }),
      el("p", {}, el("button", { type: "button", class: "primary", text: t("remTurnOn"),
        onclick: async (event) => {
          event.target.disabled = true;
          message.textContent = "";
          try {
            await turnOn({ kinds: kindsFor(user) });
            await redraw();
            status(t("remOn"));
          } catch (error) {
            event.target.disabled = false;
            message.textContent = error instanceof NotAllowed ? t("remNotAllowed") : problemText(error);
          }
        } })), message, otherDevices(others, redraw));
    return;
  }
  fill(box, el("p", { text: t("remOn") }), choicesForm(user, mine, redraw),
    el("p", {}, el("button", { type: "button", text: t("remTurnOff"), onclick: async () => {
      try {
        await turnOff(mine);
        await redraw();
        status(t("remOff"));
      } catch (error) {
        message.textContent = problemText(error);
      }
    } })), message, otherDevices(others, redraw));
}

export async function remindersSection(user) {
  const box = el("div");
  await draw(box, user);
  return el("section", { class: "card reminders", "aria-labelledby": "reminders" },
    el("h2", { id: "reminders", text: t("remTitle") }), box);
}
