// Today: the tip of the day; for a worker, who is due a check-in; for a peer, a handover their
// agency asks them to agree to; for a worker or a peer, their next milestones. An agency admin
// sees their agency's console instead.
import { Offline, request } from "../api.js";
import { el } from "../dom.js";
import { addStrings, t } from "../i18n.js";
import { render, status } from "../screen.js";
import { getContent, hasSession, me, readPrivate } from "../session.js";
import { dateText, problemText, titleText } from "../ui.js";
import { tipCard } from "./tips.js";

addStrings({
  en: { dueTitle: "Due a check-in", noneDue: "Nobody is due a check-in. Nice work.",
        noPeers: "No one to check in with yet. Invite someone you support to start.",
        invitePeer: "Invite a peer",
        overdue: "{n} days overdue", overdue_one: "{n} day overdue", dueToday: "due today",
        nextSteps: "Next steps",
        needsGoal: "no active goal: set one to check in",
        noSteps: "No open milestones. Break a goal into small steps to see them here.",
        openGoals: "Open your goals", dueOn: "due {date}",
        talkCheck: "How did your last talk go?",
        talkCheckIntro: "Four quick questions. You choose who sees your answers.",
        talkWith: "Tell us about {name}", yourWorker: "your peer worker",
        talkTitle: "Time to talk",
        talkNote: "{name}'s last session check asks for a talk about how it is going.",
        cheeredTitle: "{name} celebrated with you", cheeredOn: "On “{goal}”, {date}",
        handoverTitle: "A change in who supports you",
        handoverAsk: "{agency} asks to move your support from {old} to {new}. If you agree, {new} will see your shared goals and check-ins, and {old} will not.",
        handoverAgree: "Agree", handoverNotNow: "Not now", handoverSomeone: "someone",
        handoverAgreed: "Done. {new} supports you now.",
        handoverDeclined: "You said not now. {old} still supports you." },
  es: { dueTitle: "Toca registrar avance", noneDue: "Nadie está pendiente. Buen trabajo.",
        noPeers: "Todavía no acompañas a nadie aquí. Invita a una persona que acompañas para empezar.",
        invitePeer: "Invitar a alguien",
        overdue: "{n} días de atraso", overdue_one: "{n} día de atraso", dueToday: "toca hoy",
        nextSteps: "Próximos pasos",
        needsGoal: "sin meta activa: pongan una para registrar avance",
        noSteps: "No hay pasos pendientes. Divide una meta en pasos pequeños para verlos aquí.",
        openGoals: "Ver tus metas", dueOn: "para el {date}",
        talkCheck: "¿Cómo te fue en la última charla?",
        talkCheckIntro: "Cuatro preguntas rápidas. Tú eliges quién ve tus respuestas.",
        talkWith: "Cuéntanos de {name}", yourWorker: "tu acompañante",
        talkTitle: "Es momento de hablar",
        talkNote: "La última revisión de sesión de {name} pide hablar de cómo van.",
        cheeredTitle: "{name} celebró contigo", cheeredOn: "En “{goal}”, {date}",
        handoverTitle: "Un cambio en quién te acompaña",
        handoverAsk: "{agency} pide pasar tu acompañamiento de {old} a {new}. Si aceptas, {new} verá sus metas y avances compartidos, y {old} ya no.",
        handoverAgree: "Aceptar", handoverNotNow: "Ahora no", handoverSomeone: "alguien",
        handoverAgreed: "Listo. Ahora te acompaña {new}.",
        handoverDeclined: "Dijiste que ahora no. {old} te sigue acompañando." },
});

// For a worker: the peers whose last shared session check asks for a talk, one tap from
// the two-sided view that says why.
function timeToTalk(partnerships) {
  const flagged = partnerships.filter((x) => x.talk_flag && x.status !== "ended");
  if (!flagged.length) return null;
  return el("section", { class: "card alert", "aria-labelledby": "time-to-talk" },
    el("h2", { id: "time-to-talk", text: t("talkTitle") }),
    el("ul", { class: "plain" }, flagged.map((x) => el("li", {},
      el("a", { href: `#/partnerships/${x.id}/rapport`,
                text: t("talkNote", { name: x.peer?.display_name || "—" }) })))));
}

async function dueCheckins() {
  const [{ data: due }, { data: partnerships }] = await Promise.all([
    readPrivate("/api/v1/checkins/due"), readPrivate("/api/v1/partnerships", { page_size: 100 })]);
  // "Nice work" is for someone whose peers are all up to date, not for someone with none yet.
  const empty = partnerships.length
    ? el("p", { text: t("noneDue") })
    : [el("p", { text: t("noPeers") }), el("p", {}, el("a", { href: "#/goals", text: t("invitePeer") }))];
  return [timeToTalk(partnerships), el("section", { class: "card", "aria-labelledby": "due" },
    el("h2", { id: "due", text: t("dueTitle") }),
    due.length ? el("ul", { class: "plain" }, due.map(dueItem)) : empty)];
}

// A partnership with no active goal is due too, but a check-in is written on a goal: its item
// says so and opens the partnership's goals with the new-goal form ready.
function dueItem(entry) {
  const when = entry.days_overdue > 0 ? t("overdue", { n: entry.days_overdue }) : t("dueToday");
  const href = `#/partnerships/${entry.partnership_id}${entry.needs_goal ? "?goal=new" : ""}`;
  return el("li", {}, el("a", { href }, entry.peer.display_name || "—",
    el("span", { class: "muted", text: ` · ${when}` }),
    entry.needs_goal ? el("span", { class: "muted", text: ` · ${t("needsGoal")}` }) : null));
}

async function nextMilestones() {
  const { data: milestones } = await readPrivate("/api/v1/me/milestones", { page_size: 5 });
  return el("section", { class: "card", "aria-labelledby": "next" },
    el("h2", { id: "next", text: t("nextSteps") }),
    milestones.length ? el("ul", { class: "plain" }, milestones.map((milestone) => el("li", {},
      el("a", { href: `#/goals/${milestone.goal_id}` }, titleText(milestone.title, milestone.words_removed),
        el("span", { class: "muted", text: ` · ${titleText(milestone.goal_title, milestone.goal_words_removed)}${milestone.due_date
          ? ` · ${t("dueOn", { date: dateText(milestone.due_date) })}` : ""}` })))))
      : [el("p", { text: t("noSteps") }),
         el("p", {}, el("a", { href: "#/goals", text: t("openGoals") }))]);
}

// For a person supported: the session check, one tap from where they start.
async function sessionChecks() {
  const { data: partnerships } = await readPrivate("/api/v1/partnerships");
  const open = partnerships.filter((x) => x.status === "active");
  if (!open.length) return null;
  return el("section", { class: "card", "aria-labelledby": "talk" },
    el("h2", { id: "talk", text: t("talkCheck") }), el("p", { text: t("talkCheckIntro") }),
    open.map((x) => el("p", {}, el("a", { class: "button primary",
      href: `#/partnerships/${x.id}/session-check`,
      text: t("talkWith", { name: x.worker?.display_name || t("yourWorker") }) }))));
}

// For a person supported: their agency asks to move their support to another worker. Only
// they can say yes; asked fresh each time (never a saved copy), so an answered request never
// shows again.
async function handoverRequests() {
  const { data: waiting } = await request("GET", "/api/v1/me/handovers");
  return waiting.map((item) => {
    const names = { agency: item.agency_name, old: item.from_worker_name || t("handoverSomeone"),
                    new: item.to_worker_name || t("handoverSomeone") };
    const answer = async (agree, button) => {
      button.disabled = true;
      try {
        await request("POST", `/api/v1/handovers/${item.id}/decision`, { body: { agree } });
        status(t(agree ? "handoverAgreed" : "handoverDeclined", names));
      } catch (error) {
        status(problemText(error));
      }
      await render();
    };
    const id = `handover-${item.id}`;
    return el("section", { class: "card handover-ask", "aria-labelledby": id },
      el("h2", { id, text: t("handoverTitle") }),
      el("p", { text: t("handoverAsk", names) }),
      el("p", { class: "handover-buttons" },
        el("button", { type: "button", class: "primary", text: t("handoverAgree"),
          onclick: (event) => answer(true, event.currentTarget) }),
        el("button", { type: "button", text: t("handoverNotNow"),
          onclick: (event) => answer(false, event.currentTarget) })));
  });
}

const RECENT_MS = 14 * 24 * 60 * 60 * 1000;

// For a person supported: the newest celebration their worker made in the last two weeks.
async function recentCelebration(user) {
  const { data: partnerships } = await readPrivate("/api/v1/partnerships");
  const found = [];
  for (const x of partnerships.filter((p) => p.status !== "ended")) {
    const { data: entries } = await readPrivate(`/api/v1/partnerships/${x.id}/timeline`, { page_size: 50 });
    const entry = entries.find((e) => e.type === "celebration" && e.actor_id && e.actor_id !== user.id
      && Date.now() - Date.parse(e.at) < RECENT_MS);
    if (entry) found.push({ entry, name: x.worker?.display_name || t("yourWorker") });
  }
  const newest = found.sort((a, b) => b.entry.at.localeCompare(a.entry.at))[0];
  if (!newest) return null;
  const { entry, name } = newest;
  return el("section", { class: "card cheer", "aria-labelledby": "cheer" },
    el("h2", { id: "cheer", text: t("cheeredTitle", { name }) }),
    el("p", { class: "cheer-message", text: `${entry.emoji || "🎉"} ${entry.text}` }),
    el("p", { class: "muted small" }, el("a", { href: `#/goals/${entry.goal_id}`,
      text: t("cheeredOn", { goal: titleText(entry.goal_title, entry.goal_words_removed), date: dateText(entry.at) }) })));
}

// A private part that cannot load offline (nothing saved yet), or whose session just ended,
// is left out; any other failure is a fault and shows as one.
const optional = (promise) => promise.catch((error) => {
  if (error instanceof Offline || error.status === 401) return null;
  throw error;
});

export async function today() {
  const user = hasSession() ? await me() : null;
  // An agency admin's first screen is their agency's console, not a worker's day.
  if (user?.role === "agency_admin") return (await import("./agency/home.js")).consoleHome();
  const tip = await getContent("/api/v1/tips/today");
  const [handovers, due, talk, next, cheer] = await Promise.all([
    user?.role === "peer" ? optional(handoverRequests()) : null,
    user?.role === "worker" ? optional(dueCheckins()) : null,
    user?.role === "peer" ? optional(sessionChecks()) : null,
    user ? optional(nextMilestones()) : null,
    user?.role === "peer" ? optional(recentCelebration(user)) : null]);
  return [el("h1", { text: t("today") }), handovers, cheer, talk, tipCard(tip, t("tipOfTheDay")),
          due, next,
          el("p", {}, el("a", { href: "#/tips", text: t("allTips") }))];
}
