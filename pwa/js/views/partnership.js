// A partnership's settings, for either member: how often to check in, pause and start
// again, a private calendar link of the check-ins due (make, copy, turn off), and ending it.
// These need the network: the server's answer decides what is due for both people.
import { request } from "../api.js";
import { el, fill } from "../dom.js";
import { addStrings, t } from "../i18n.js";
import { render, status } from "../screen.js";
import { me, readPrivate } from "../session.js";
import { ask, dateText, field, form, problemText, toast } from "../ui.js";

addStrings({
  en: {
    checkinsWith: "Check-ins with {name}", cadence: "Check in every how many days?",
    cadenceHint: "From 1 to 365. The one who is due sees it on Today.", cadenceSaved: "Saved. Check in every {n} days.",
    isPaused: "Check-ins are paused. Nobody is due one until you start again.",
    pauseHelp: "Taking a break? While paused, nobody is due a check-in. Goals stay as they are.",
    pauseCheckins: "Pause check-ins", resumeCheckins: "Start check-ins again",
    checkinsPaused: "Check-ins paused.", checkinsResumed: "Check-ins started again.",
    calendar: "Calendar",
    calendarHelp: "Put the check-ins due in your phone's calendar. Anyone with the link can see when they are due, so keep it to yourself.",
    makeLink: "Make a calendar link", calendarLink: "Add to my calendar", calendarAddress: "Calendar address",
    shownOnce: "This link is shown only now. You can make a new one any time.", copy: "Copy link",
    copyByHand: "Select the address and copy it.", turnOff: "Turn off calendar links",
    turnOffAsk: "Turn off your calendar links for this partnership? Calendars that use them stop getting check-ins.",
    turnOffYes: "Turn them off", keepLinks: "Keep them", linksOff: "Calendar links turned off.",
    endTitle: "End this partnership",
    endHelp: "Ending is for good. You can both still read your goals, steps and check-ins, but nobody can add or change anything, no check-ins are due, and it cannot be started again. Your accounts stay.",
    endButton: "End the partnership", endAsk: "End this partnership with {name} for good? This cannot be undone.",
    endYes: "Yes, end it", keepIt: "Keep it", hasEnded: "This partnership ended on {date}. You can still read your goals and check-ins.",
    endedNote: "The partnership has ended.",
    supportHistory: "Who has supported this partnership", someoneErased: "someone",
    handedOver: "On {date}, support moved from {old} to {new}.",
  },
  es: {
    checkinsWith: "Avances con {name}", cadence: "¿Cada cuántos días registran avance?",
    cadenceHint: "De 1 a 365. A quien le toca lo ve en Hoy.", cadenceSaved: "Guardado. Registran avance cada {n} días.",
    isPaused: "Los avances están en pausa. A nadie le toca hasta que sigan de nuevo.",
    pauseHelp: "¿Un descanso? En pausa, a nadie le toca registrar avance. Las metas quedan como están.",
    pauseCheckins: "Pausar los avances", resumeCheckins: "Seguir con los avances",
    checkinsPaused: "Avances en pausa.", checkinsResumed: "Los avances siguen de nuevo.",
    calendar: "Calendario",
    calendarHelp: "Pon los avances pendientes en el calendario de tu teléfono. Quien tenga el enlace puede ver cuándo tocan, así que no lo compartas.",
    makeLink: "Crear un enlace de calendario", calendarLink: "Agregar a mi calendario", calendarAddress: "Dirección del calendario",
    shownOnce: "Este enlace se muestra solo ahora. Puedes crear otro cuando quieras.", copy: "Copiar enlace",
    copyByHand: "Selecciona la dirección y cópiala.", turnOff: "Apagar los enlaces de calendario",
    turnOffAsk: "¿Apagar tus enlaces de calendario de este acompañamiento? Los calendarios que los usan dejan de recibir avances.",
    turnOffYes: "Apagarlos", keepLinks: "Dejarlos", linksOff: "Enlaces de calendario apagados.",
    endTitle: "Terminar este acompañamiento",
    endHelp: "Terminar es para siempre. Los dos pueden seguir leyendo sus metas, pasos y avances, pero nadie puede agregar ni cambiar nada, no toca ningún avance y no se puede volver a empezar. Sus cuentas siguen.",
    endButton: "Terminar el acompañamiento", endAsk: "¿Terminar para siempre el acompañamiento con {name}? No se puede deshacer.",
    endYes: "Sí, terminarlo", keepIt: "No terminar", hasEnded: "Este acompañamiento terminó el {date}. Pueden seguir leyendo sus metas y avances.",
    endedNote: "El acompañamiento terminó.",
    supportHistory: "Quién ha dado este acompañamiento", someoneErased: "alguien",
    handedOver: "El {date}, el acompañamiento pasó de {old} a {new}.",
  },
});

const change = (id, body) => request("PATCH", `/api/v1/partnerships/${id}`, { body });

// Pause or start again, with Undo.
async function setStatus(partnership, to, note) {
  const from = partnership.status;
  try {
    await change(partnership.id, { status: to });
  } catch (error) {
    toast(problemText(error));
    return;
  }
  await render();
  toast(t(note), async () => {
    await change(partnership.id, { status: from }).catch((error) => toast(problemText(error)));
    await render();
  });
}

function cadenceForm(partnership) {
  return form({ class: "card" }, [
    field(t("cadence"), { name: "checkin_cadence_days", type: "number", inputmode: "numeric",
      min: 1, max: 365, required: true, value: partnership.checkin_cadence_days }, t("cadenceHint")),
    el("button", { type: "submit", class: "primary", text: t("save") })],
  async (values) => {
    const n = Number(values.checkin_cadence_days || 0);
    const { data } = await change(partnership.id, { checkin_cadence_days: n });
    toast(t("cadenceSaved", { n: data.checkin_cadence_days }));
  });
}

// The feed's address for a calendar app (webcal://, which opens the phone's calendar), and
// the plain address to paste into a calendar on the web.
function calendarCard(partnership) {
  const shown = el("div", { "aria-live": "polite" });
  const copy = async (url, input) => {
    try {
      await navigator.clipboard.writeText(url);
      status(t("copied"));
    } catch {
      input.select();
      status(t("copyByHand"));
    }
  };
  const make = async () => {
    try {
      const { data } = await request("POST", `/api/v1/partnerships/${partnership.id}/calendar-feeds`, { body: {} });
      const input = el("input", { id: "calendar-address", readonly: true, value: data.url });
      fill(shown,
        el("p", {}, el("a", { class: "button primary", href: data.url.replace(/^https?:/, "webcal:"), text: t("calendarLink") })),
        el("label", { for: "calendar-address", text: t("calendarAddress") }), input,
        el("p", {}, el("button", { type: "button", text: t("copy"), onclick: () => copy(data.url, input) })),
        el("p", { class: "muted small", text: t("shownOnce") }));
    } catch (error) {
      fill(shown, el("p", { class: "error", text: problemText(error) }));
    }
  };
  const turnOff = async () => {
    if (!await ask(t("turnOffAsk"), t("turnOffYes"), t("keepLinks"), true)) return;
    try {
      await request("DELETE", `/api/v1/partnerships/${partnership.id}/calendar-feeds`);
      fill(shown);
      toast(t("linksOff"));
    } catch (error) {
      toast(problemText(error));
    }
  };
  return el("section", { class: "card", "aria-labelledby": "calendar" },
    el("h2", { id: "calendar", text: t("calendar") }), el("p", { text: t("calendarHelp") }),
    partnership.status === "ended" ? null
      : el("p", {}, el("button", { type: "button", text: t("makeLink"), onclick: make })),
    shown, el("p", {}, el("button", { type: "button", text: t("turnOff"), onclick: turnOff })));
}

function endSection(partnership, name) {
  return el("details", { class: "card danger-zone" }, el("summary", { text: t("endTitle") }),
    el("p", { text: t("endHelp") }),
    el("button", { type: "button", class: "danger", text: t("endButton"), onclick: async () => {
      if (!await ask(t("endAsk", { name }), t("endYes"), t("keepIt"), true)) return;
      try {
        await change(partnership.id, { status: "ended" });
      } catch (error) {
        toast(problemText(error));
        return;
      }
      await render();
      toast(t("endedNote"));
    } }));
}

// Handovers the peer agreed to: who supported the peer, from when (the history stays after
// a move; the worker before no longer sees any of it).
async function supportHistory(partnershipId) {
  const { data } = await readPrivate(`/api/v1/partnerships/${partnershipId}/handovers`);
  const moves = data.filter((item) => item.status === "accepted");
  if (!moves.length) return null;
  const name = (person) => person?.display_name || t("someoneErased");
  return el("section", { class: "card", "aria-labelledby": "support-history" },
    el("h2", { id: "support-history", text: t("supportHistory") }),
    el("ul", { class: "plain handover-history" }, moves.map((item) => el("li", {
      text: t("handedOver", { date: dateText(item.decided_at), old: name(item.from_worker),
                              new: name(item.to_worker) }) }))));
}

export async function partnershipSettings([partnershipId]) {
  const user = await me();
  if (!user) { location.hash = "#/settings"; return []; }
  const { data: partnership } = await readPrivate(`/api/v1/partnerships/${partnershipId}`);
  const name = (user.role === "worker" ? partnership.peer : partnership.worker).display_name || "—";
  const back = el("p", {}, el("a", { href: `#/partnerships/${partnershipId}`, text: t("back") }));
  const heading = el("h1", { text: t("checkinsWith", { name }) });
  const history = await supportHistory(partnershipId).catch(() => null);
  if (partnership.status === "ended") {
    return [back, heading,
      el("p", { class: "notice", text: t("hasEnded", { date: dateText(partnership.ended_at) }) }),
      calendarCard(partnership), history];
  }
  const paused = partnership.status === "paused";
  return [back, heading, cadenceForm(partnership),
    el("section", { class: "card" },
      el("p", { text: t(paused ? "isPaused" : "pauseHelp") }),
      paused
        ? el("button", { type: "button", class: "primary", text: t("resumeCheckins"),
            onclick: () => setStatus(partnership, "active", "checkinsResumed") })
        : el("button", { type: "button", text: t("pauseCheckins"),
            onclick: () => setStatus(partnership, "paused", "checkinsPaused") })),
    calendarCard(partnership), history, endSection(partnership, name)];
}
