// Shared goals: partnerships, their goals, milestones, check-ins, celebrations and timeline.
// Reads come from the server, or the phone's copy when offline; check-ins, milestones done,
// goal status and celebrations go through the outbox, so they are never lost.
import { request } from "../api.js";
import { el, fill } from "../dom.js";
import { addStrings, t } from "../i18n.js";
import { discard, keepMine, outboxItems, queue } from "../outbox.js";
import { me, readPrivate } from "../session.js";
import { badge, celebrate, dateText, field, form, live, problemText, titleText } from "../ui.js";
import { inviteCard } from "./invites.js";
import { celebrationList, describeChange, goalPanel, keepOpen, milestoneRow, shownGoal, shownMilestones } from "./goal_edit.js";

addStrings({
  en: {
    goalsTitle: "Shared goals", signInFirst: "Sign in to see your shared goals.",
    signInLink: "Sign in or join", noPartners: "No partnerships yet.",
    noPartnersWorker: "Invite a peer to start setting goals together.",
    noPartnersPeer: "Ask your peer worker for an invite code.",
    adminNoGoals: "Goals belong to workers and peers. Agency admins do not see them.",
    withName: "With {name}", paused: "Paused", ended: "Ended", timeline: "Timeline",
    howItGoes: "How it is going", howDidToday: "How did today go?", goals: "Goals",
    noGoals: "No goals yet. Set one together.", newGoal: "Set a new goal",
    goalFirst: "A check-in is written on a goal. Set one together, then check in on it.",
    goalTitle: "Goal", goalWhy: "Why it matters (optional)", targetDate: "Target date (optional)",
    save: "Save", status_active: "Active", status_paused: "Paused", status_achieved: "Reached",
    status_let_go: "Let go", target: "Target: {date}", milestones: "Milestones",
    noMilestones: "No milestones yet. Small steps help.", addMilestone: "Add a milestone",
    milestone: "Milestone", dueDate: "Due date (optional)", markDone: "Mark done",
    doneOn: "Done {date}", due: "Due {date}", celebrateIt: "Celebrate",
    celebrationMessage: "Message", wellDone: "Well done!", emoji: "Picture",
    checkIn: "Check in", progress: "How far along? 0 = not started, 10 = done",
    note: "Note (optional)", saveCheckIn: "Save check-in", checkIns: "Check-ins",
    noCheckIns: "No check-ins yet.", progressOf: "Progress {n} of 10", by: "by {name}",
    reached: "We reached this goal", goalReached: "Goal reached!",
    reachedAsk: "Mark this goal as reached? You can open it again later.",
    reachedYes: "Yes, we reached it", notYet: "Not yet", reopen: "Open this goal again",
    savedCopy: "You are offline. This is what was saved on this phone on {date}.",
    conflictTitle: "Someone changed this first",
    conflictHelp: "Your change was not sent, because this changed on the server. Choose which to keep.",
    yours: "Your change", theirs: "Now on the server", keepMine: "Use mine",
    keepTheirs: "Keep theirs", serverDeleted: "It was deleted.", notSentTitle: "Could not send this",
    remove: "Remove it", doneYes: "done", doneNo: "not done", you: "you", someone: "someone",
    checkinItem: "Check-in", celebrationItem: "Celebration", statusChange: "Goal: {from} → {to}",
    savedCheckIn: "Check-in saved.", partnershipSettings: "Check-ins, pause and calendar",
  },
  es: {
    goalsTitle: "Metas en común", signInFirst: "Inicia sesión para ver tus metas en común.",
    signInLink: "Iniciar sesión o unirte", noPartners: "Todavía no hay acompañamientos.",
    noPartnersWorker: "Invita a una persona para empezar a poner metas juntos.",
    noPartnersPeer: "Pide un código de invitación a tu acompañante.",
    adminNoGoals: "Las metas son de cada acompañante y de las personas que acompaña. La agencia no las ve.",
    withName: "Con {name}", paused: "En pausa", ended: "Terminada", timeline: "Historia",
    howItGoes: "Cómo vamos", howDidToday: "¿Cómo te fue hoy?", goals: "Metas",
    noGoals: "Todavía no hay metas. Pongan una juntos.", newGoal: "Poner una meta nueva",
    goalFirst: "Cada avance se registra en una meta. Pongan una juntos y luego registren el avance en ella.",
    goalTitle: "Meta", goalWhy: "Por qué importa (opcional)", targetDate: "Fecha meta (opcional)",
    save: "Guardar", status_active: "Activa", status_paused: "En pausa",
    status_achieved: "Lograda", status_let_go: "Dejada", target: "Fecha meta: {date}",
    milestones: "Pasos", noMilestones: "Todavía no hay pasos. Los pasos chicos ayudan.",
    addMilestone: "Agregar un paso", milestone: "Paso", dueDate: "Fecha (opcional)",
    markDone: "Marcar hecho", doneOn: "Hecho el {date}", due: "Para el {date}",
    celebrateIt: "Celebrar", celebrationMessage: "Mensaje", wellDone: "¡Bien hecho!",
    emoji: "Dibujo", checkIn: "Registrar avance",
    progress: "¿Cuánto avanzaste? 0 = sin empezar, 10 = listo", note: "Nota (opcional)",
    saveCheckIn: "Guardar avance", checkIns: "Avances", noCheckIns: "Todavía no hay avances.",
    progressOf: "Avance {n} de 10", by: "de {name}", reached: "Logramos esta meta",
    goalReached: "¡Meta lograda!",
    reachedAsk: "¿Marcar esta meta como lograda? Puedes volver a abrirla después.",
    reachedYes: "Sí, la logramos", notYet: "Todavía no", reopen: "Volver a abrir esta meta",
    savedCopy: "Estás sin conexión. Esto es lo que se guardó en este teléfono el {date}.",
    conflictTitle: "Alguien lo cambió antes",
    conflictHelp: "Tu cambio no se envió porque esto cambió en el servidor. Elige qué guardar.",
    yours: "Tu cambio", theirs: "Ahora en el servidor", keepMine: "Usar el mío",
    keepTheirs: "Dejar el otro", serverDeleted: "Lo borraron.", notSentTitle: "No se pudo enviar",
    remove: "Quitarlo", doneYes: "hecho", doneNo: "sin hacer", you: "tú", someone: "alguien",
    checkinItem: "Avance", celebrationItem: "Celebración", statusChange: "Meta: {from} → {to}",
    savedCheckIn: "Avance guardado.", partnershipSettings: "Avances, pausa y calendario",
  },
});

const EMOJIS = ["🎉", "🌟", "💪", "🙌"];

function signInPrompt() {
  return [el("h1", { text: t("goalsTitle") }), el("p", { text: t("signInFirst") }),
          el("p", {}, el("a", { href: "#/settings", text: t("signInLink") }))];
}

function savedNote(savedAt) {
  return savedAt ? el("p", { class: "notice", text: t("savedCopy", { date: dateText(new Date(savedAt).toISOString(), true) }) }) : null;
}

const other = (partnership, user) =>
  (user.role === "worker" ? partnership.peer : partnership.worker).display_name || "—";

function nameOf(id, partnership, user) {
  if (id === user.id) return t("you");
  const person = [partnership.worker, partnership.peer].find((p) => p.id === id);
  return person?.display_name || t("someone");
}

export async function partnershipList() {
  const user = await me();
  if (!user) return signInPrompt();
  if (user.role === "agency_admin") return [el("h1", { text: t("goalsTitle") }), el("p", { text: t("adminNoGoals") })];
  const { data: partnerships, savedAt } = await readPrivate("/api/v1/partnerships", { page_size: 100 });
  const list = partnerships.length
    ? el("ul", { class: "plain" }, partnerships.map((partnership) => el("li", {},
        el("a", { href: `#/partnerships/${partnership.id}` }, other(partnership, user),
          partnership.status === "active" ? null
            : el("span", { class: "muted", text: ` · ${t(partnership.status)}` })))))
    : el("p", { text: `${t("noPartners")} ${t(user.role === "worker" ? "noPartnersWorker" : "noPartnersPeer")}` });
  return [el("h1", { text: t("goalsTitle") }), savedNote(savedAt),
          user.role === "worker" ? await inviteCard() : null, list];
}

// ?goal=new (from a due check-in with no active goal): the new-goal form open, its first field
// focused.
export async function goalList([partnershipId], query) {
  const user = await me();
  if (!user) return signInPrompt();
  const [{ data: partnership, savedAt }, { data: goals }] = await Promise.all([
    readPrivate(`/api/v1/partnerships/${partnershipId}`),
    readPrivate(`/api/v1/partnerships/${partnershipId}/goals`, { page_size: 100 })]);
  const base = `#/partnerships/${partnershipId}`;
  const links = el("p", { class: "links" },
    el("a", { href: `${base}/timeline`, text: t("timeline") }),
    el("a", { href: `${base}/rapport`, text: t("howItGoes") }),
    user.role === "peer" ? el("a", { href: `${base}/session-check`, text: t("howDidToday") }) : null,
    el("a", { href: `${base}/settings`, text: t("partnershipSettings") }));
  const order = { active: 0, paused: 1, achieved: 2, let_go: 3 };
  const sorted = [...goals].sort((a, b) => order[a.status] - order[b.status]);
  const list = sorted.length
    ? el("ul", { class: "plain" }, sorted.map((goal) => el("li", {},
        el("a", { href: `#/goals/${goal.id}` }, titleText(goal.title, goal.words_removed),
          el("span", { class: "muted", text: ` · ${t(`status_${goal.status}`)}` })))))
    : el("p", { text: t("noGoals") });
  const goalFirst = query?.get("goal") === "new";
  const newGoal = partnership.status === "ended" ? null : el("details", { class: "card", open: goalFirst },
    el("summary", { text: t("newGoal") }),
    goalFirst ? el("p", { class: "muted", text: t("goalFirst") }) : null,
    form({}, [
      field(t("goalTitle"), { name: "title", required: true, maxlength: 200 }),
      field(t("goalWhy"), { tag: "textarea", name: "why", maxlength: 2000, rows: 3 }),
      field(t("targetDate"), { name: "target_date", type: "date" }),
      el("button", { type: "submit", text: t("save") })],
    async (values) => {
      const body = { title: values.title, why: values.why || null,
                     target_date: values.target_date || null };
      const { data } = await create(`/api/v1/partnerships/${partnershipId}/goals`, body);
      location.hash = `#/goals/${data.id}`;
    }));
  if (goalFirst) requestAnimationFrame(() => newGoal?.querySelector("input[name=title]")?.focus());
  return [el("p", {}, el("a", { href: "#/goals", text: t("back") })),
          el("h1", { text: t("withName", { name: other(partnership, user) }) }),
          savedNote(savedAt), links, el("h2", { text: t("goals") }), list, newGoal];
}

// New goals and milestones need the network (their ids come from the server).
const create = (path, body) =>
  request("POST", path, { body, headers: { "Idempotency-Key": crypto.randomUUID() } });

// The server's list with this phone's outbox laid over it: what is only on the phone shows
// as saved, what was sent as sent, and a sent item's answer stands in for the server's
// older copy until the next read.
function overlay(list, items, kind, key) {
  const byId = new Map(list.map((entry) => [entry.id, { ...entry }]));
  for (const item of items.filter((entry) => entry.kind === kind)) {
    const id = key(item);
    const entry = item.state === "sent" ? { ...byId.get(id), ...item.result } : byId.get(id);
    if (entry || item.state !== "sent") byId.set(id, { ...entry, id, outbox: item });
  }
  return [...byId.values()];
}

function conflictCard(item, describe) {
  if (item.state === "failed") {
    return el("div", { class: "card alert", role: "alert" },
      el("h2", { text: t("notSentTitle") }), el("p", { text: describe(item.body, item) }),
      el("p", { text: item.problem?.detail || "" }),
      el("button", { type: "button", text: t("remove"), onclick: () => discard(item) }));
  }
  return el("div", { class: "card alert", role: "alert" },
    el("h2", { text: t("conflictTitle") }), el("p", { text: t("conflictHelp") }),
    el("dl", { class: "versions" },
      el("dt", { text: t("yours") }), el("dd", { text: describe(item.body, item) }),
      el("dt", { text: t("theirs") }),
      el("dd", { text: item.server ? describe(item.server, item) : t("serverDeleted") })),
    item.server ? el("button", { type: "button", text: t("keepMine"), onclick: () => keepMine(item) }) : null,
    el("button", { type: "button", text: t("keepTheirs"), onclick: () => discard(item) }));
}

function celebrateForm(goalId, milestoneId) {
  const choices = el("fieldset", { class: "emojis" }, el("legend", { text: t("emoji") }),
    EMOJIS.map((emoji, i) => el("label", { class: "emoji" },
      el("input", { type: "radio", name: "emoji", value: emoji, checked: i === 0 }),
      el("span", { text: emoji }))));
  const node = el("details", { class: "celebrate" }, el("summary", { text: `${t("celebrateIt")} 🎉` }),
    form({}, [field(t("celebrationMessage"), { name: "message", value: t("wellDone"), required: true, maxlength: 500 }),
              choices, el("button", { type: "submit", text: t("celebrateIt") })],
    async (values) => {
      await queue({ kind: "celebration", path: `/api/v1/goals/${goalId}/celebrations`,
        body: { message: values.message || t("wellDone"), emoji: values.emoji, milestone_id: milestoneId },
        about: { goal_id: goalId, milestone_id: milestoneId } });
      celebrate(values.emoji);
      node.open = false;
    }));
  return node;
}

export async function goalDetail([goalId]) {
  const user = await me();
  if (!user) return signInPrompt();
  const [{ data: goal, savedAt }, { data: milestones }, { data: checkins }] = await Promise.all([
    readPrivate(`/api/v1/goals/${goalId}`),
    readPrivate(`/api/v1/goals/${goalId}/milestones`),
    readPrivate(`/api/v1/goals/${goalId}/checkins`, { page_size: 30 })]);
  const [{ data: partnership }, { data: story }] = await Promise.all([
    readPrivate(`/api/v1/partnerships/${goal.partnership_id}`),
    readPrivate(`/api/v1/partnerships/${goal.partnership_id}/timeline`, { page_size: 100 })
      .catch(() => ({ data: [] }))]);
  const celebrations = story.filter((entry) => entry.type === "celebration" && entry.goal_id === goalId);
  const forGoal = (item) => item.about.goal_id === goalId;
  const ended = partnership.status === "ended"; // read-only: its history stays, nothing changes
  const who = (id) => nameOf(id, partnership, user);

  // A version in words; the outbox's own version of a milestone names no title, so the one
  // the person saw is used.
  const stepName = (item) => {
    const named = milestones.find((x) => x.id === item.about.milestone_id);
    return (named && titleText(named.title, named.words_removed)) ?? t("milestone");
  };
  const goalTitle = titleText(goal.title, goal.words_removed);
  const describe = (thing, item) => (["milestone_done", "milestone_edit"].includes(item.kind)
    ? describeChange(thing, item, stepName(item))
    : ["goal_status", "goal_edit"].includes(item.kind) ? describeChange(thing, item, heading.textContent)
      : thing.note || thing.message || "");

  const problems = el("div");
  const heading = el("h1", { text: goalTitle });
  const milestoneList = el("ul", { class: "plain milestones" });
  const goalState = el("div");
  const celebrationPart = el("div");
  const checkinList = el("ul", { class: "plain checkins" });

  async function redraw() {
    const items = await outboxItems(forGoal);
    // The focused button is found again after the list is drawn anew (moving a step up keeps
    // the keyboard on it).
    const focused = document.activeElement?.dataset?.key;
    fill(problems, ...items.filter((item) => ["conflict", "failed"].includes(item.state))
      .map((item) => conflictCard(item, describe)));

    const shown = shownMilestones(milestones, items);
    keepOpen(milestoneList, () => fill(milestoneList, ...(shown.length
      ? shown.map((m, index) => milestoneRow(goalId, m, index, shown, { milestones, redraw, celebrateForm, ended }))
      : [el("li", { class: "muted", text: t("noMilestones") })])));
    if (focused) {
      const [id, key] = focused.split(":");
      const other = { up: "down", down: "up" }[key]; // moved to an end: the way back
      const again = milestoneList.querySelector(`[data-key="${id}:${key}"]:not([disabled])`)
        || milestoneList.querySelector(`[data-key="${id}:${other}"]:not([disabled])`)
        || milestoneList.querySelector(`li[data-id="${id}"] button:not([disabled])`);
      again?.focus();
    }

    const goalNow = shownGoal(goal, items);
    heading.textContent = titleText(goalNow.title, goal.words_removed && goalNow.title === goal.title);
    keepOpen(goalState, () => fill(goalState, goalPanel(goal, items, celebrateForm, ended)));
    fill(celebrationPart, celebrationList(celebrations, items, who));

    const shownCheckins = overlay(checkins, items, "checkin", (item) => item.body.id)
      .sort((a, b) => (b.created_at || b.outbox.created_at).localeCompare(a.created_at || a.outbox.created_at));
    fill(checkinList, ...(shownCheckins.length ? shownCheckins.map((c) => el("li", {},
      el("strong", { text: t("progressOf", { n: c.progress ?? c.outbox.body.progress }) }),
      el("span", { class: "muted small", text: ` · ${dateText(c.created_at || c.outbox.created_at, true)}`
        + (c.author_id ? ` · ${t("by", { name: who(c.author_id) })}` : "") }),
      c.outbox ? badge(c.outbox) : null,
      (c.note ?? c.outbox?.body.note) ? el("p", { text: c.note ?? c.outbox.body.note }) : null))
      : [el("li", { class: "muted", text: t("noCheckIns") })]));
  }
  await redraw();
  live(milestoneList, "outbox-changed", redraw);

  // The slider starts where the last check-in left it: progress rarely goes back to halfway.
  const lastProgress = String(checkins[0]?.progress ?? 5);
  const progressOut = el("output", { for: "progress", text: lastProgress });
  const checkinForm = form({ class: "card" }, [
    el("h2", { text: t("checkIn") }),
    el("label", { for: "progress", text: t("progress") }),
    el("div", { class: "range" },
      el("input", { id: "progress", name: "progress", type: "range", min: 0, max: 10, step: 1, value: lastProgress,
        oninput: (event) => { progressOut.textContent = event.target.value; } }), progressOut),
    field(t("note"), { tag: "textarea", name: "note", maxlength: 2000, rows: 3 }),
    el("button", { type: "submit", class: "primary", text: t("saveCheckIn") })],
  async (values, node) => {
    // made_at: the moment it was written, so one sent days later counts in its own week.
    await queue({ kind: "checkin", path: `/api/v1/goals/${goalId}/checkins`,
      body: { id: crypto.randomUUID(), progress: Number(values.progress), note: values.note || null,
              made_at: new Date().toISOString() },
      about: { goal_id: goalId } });
    const slider = node.querySelector("#progress");
    slider.setAttribute("value", values.progress);
    node.reset();
    progressOut.textContent = values.progress;
  });

  const addMilestone = el("details", { class: "card" }, el("summary", { text: t("addMilestone") }),
    form({}, [field(t("milestone"), { name: "title", required: true, maxlength: 200 }),
              field(t("dueDate"), { name: "due_date", type: "date" }),
              el("button", { type: "submit", text: t("save") })],
    async (values) => {
      const { data } = await create(`/api/v1/goals/${goalId}/milestones`,
        { title: values.title, due_date: values.due_date || null });
      milestones.push(data);
      addMilestone.open = false;
      addMilestone.querySelector("form").reset();
      await redraw();
    }));

  return [el("p", {}, el("a", { href: `#/partnerships/${goal.partnership_id}`, text: t("back") })),
    heading, savedNote(savedAt), problems, goalState,
    el("h2", { text: t("milestones") }), milestoneList, ended ? null : addMilestone, celebrationPart,
    ended ? null : checkinForm, el("h2", { text: t("checkIns") }), checkinList];
}

const ICONS = { checkin: "📈", milestone_done: "✅", celebration: "🎉", goal_status: "🏁" };

export async function timeline([partnershipId]) {
  const user = await me();
  if (!user) return signInPrompt();
  const [{ data: partnership }, { data: entries, savedAt }] = await Promise.all([
    readPrivate(`/api/v1/partnerships/${partnershipId}`),
    readPrivate(`/api/v1/partnerships/${partnershipId}/timeline`, { page_size: 100 })]);
  const text = (entry) => ({
    checkin: `${t("progressOf", { n: entry.progress })}${entry.text ? ` · ${entry.text}` : ""}`,
    milestone_done: titleText(entry.text, entry.words_removed), celebration: `${entry.emoji || ""} ${entry.text}`.trim(),
    goal_status: t("statusChange", { from: entry.from_status ? t(`status_${entry.from_status}`) : "—",
                                     to: t(`status_${entry.to_status}`) }),
  }[entry.type]);
  return [el("p", {}, el("a", { href: `#/partnerships/${partnershipId}`, text: t("back") })),
    el("h1", { text: t("timeline") }), savedNote(savedAt),
    entries.length ? el("ol", { class: "plain timeline" }, entries.map((entry) => el("li", {},
      el("span", { "aria-hidden": "true", text: `${ICONS[entry.type]} ` }),
      el("a", { href: `#/goals/${entry.goal_id}`, text: titleText(entry.goal_title, entry.goal_words_removed) }),
      el("p", { text: text(entry) }),
      el("p", { class: "muted small", text: `${dateText(entry.at, true)} · ${nameOf(entry.actor_id, partnership, user)}` }))))
      : el("p", { text: t("noCheckIns") })];
}
