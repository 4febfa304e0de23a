// Changing and undoing on a goal's screen: edit the goal, pause, resume, let go, reach, open
// again or delete it; edit, reorder, complete, un-complete or delete its milestones; and the
// celebrations saved on it. Every change goes through the outbox (with If-Match), so one made
// offline is sent later; whatever ends or completes something asks first and offers Undo.
import { ApiError, request } from "../api.js";
import { el } from "../dom.js";
import { addStrings, t } from "../i18n.js";
import { outboxItems, queue } from "../outbox.js";
import { ask, badge, celebrate, dateText, field, form, problemText, titleText, toast, versionAfter } from "../ui.js";

addStrings({
  en: {
    changeGoal: "Change this goal", saved: "Saved.", needTitle: "Write a title.",
    pause: "Pause", resume: "Start again", letGo: "Let go of this goal",
    letGoAsk: "Let go of this goal? It stays in your history, and you can open it again later.",
    letGoYes: "Yes, let it go", keep: "Keep it", lettingGo: "Goal let go.", pausedNote: "Goal paused.",
    resumedNote: "Goal started again.", reachedNote: "Goal reached.", reopenedNote: "Goal open again.",
    deleteGoal: "Delete this goal",
    deleteGoalAsk: "Delete this goal and its steps for both of you? This cannot be undone.",
    deleteYes: "Delete it", goalDeleted: "Goal deleted.",
    hasCheckins: "This goal has check-ins, so it stays for you both. You can let it go instead.",
    edit: "Change", moveUp: "Move up", moveDown: "Move down", deleteStep: "Delete",
    deleteStepAsk: "Delete the step “{title}”?", stepDeleted: "Step deleted.",
    notDoneYet: "Not done yet", markedDone: "Marked done.", markedNotDone: "Marked not done.",
    celebrations: "Celebrations", noCelebrations: "No celebrations yet.",
    changeOf: "{field}: {value}", position: "place {n}", cleared: "none",
  },
  es: {
    changeGoal: "Cambiar esta meta", saved: "Guardado.", needTitle: "Escribe un título.",
    pause: "Pausar", resume: "Seguir de nuevo", letGo: "Dejar esta meta",
    letGoAsk: "¿Dejar esta meta? Queda en su historia y puedes volver a abrirla después.",
    letGoYes: "Sí, dejarla", keep: "Mantenerla", lettingGo: "Meta dejada.", pausedNote: "Meta en pausa.",
    resumedNote: "La meta sigue de nuevo.", reachedNote: "Meta lograda.", reopenedNote: "La meta está abierta de nuevo.",
    deleteGoal: "Borrar esta meta",
    deleteGoalAsk: "¿Borrar esta meta y sus pasos para los dos? No se puede deshacer.",
    deleteYes: "Borrarla", goalDeleted: "Meta borrada.",
    hasCheckins: "Esta meta tiene avances, así que queda para los dos. Puedes dejarla en su lugar.",
    edit: "Cambiar", moveUp: "Subir", moveDown: "Bajar", deleteStep: "Borrar",
    deleteStepAsk: "¿Borrar el paso “{title}”?", stepDeleted: "Paso borrado.",
    notDoneYet: "Todavía no está hecho", markedDone: "Marcado como hecho.", markedNotDone: "Marcado como sin hacer.",
    celebrations: "Celebraciones", noCelebrations: "Todavía no hay celebraciones.",
    changeOf: "{field}: {value}", position: "lugar {n}", cleared: "nada",
  },
});

const GOAL_KINDS = new Set(["goal_status", "goal_edit"]);
const STEP_KINDS = new Set(["milestone_done", "milestone_edit"]);

// A field's problem shown at that field, in the person's words, before anything is sent.
const fieldProblem = (name, message) => new ApiError(422, { errors: { [name]: [message] } });

// The server's copy with this phone's changes laid over it in order: what waits on the phone,
// and what was sent (its answer, unless the copy read since is newer).
function laidOver(thing, items) {
  let shown = { ...thing };
  for (const item of items) {
    if (item.state === "saved") shown = { ...shown, ...item.body };
    else if (item.state === "sent" && item.result && item.result.version >= thing.version) {
      shown = { ...shown, ...item.result };
    }
  }
  return shown;
}

// Draw `container` anew without losing what the person was typing: forms open in it (each
// details with a data-key) stay open, with their words and the focus where they were.
export function keepOpen(container, draw) {
  const open = [...container.querySelectorAll("details[open][data-key]")].map((node) => ({
    key: node.dataset.key,
    values: [...node.querySelectorAll("[name]")].map((input) => [input.name, input.value]),
    focused: node.contains(document.activeElement) ? document.activeElement.name : null }));
  draw();
  for (const { key, values, focused } of open) {
    const node = container.querySelector(`details[data-key="${CSS.escape(key)}"]`);
    if (!node) continue;
    node.open = true;
    for (const [name, value] of values) {
      const input = node.querySelector(`[name="${CSS.escape(name)}"]`);
      if (input) input.value = value;
    }
    if (focused) node.querySelector(`[name="${CSS.escape(focused)}"]`)?.focus();
  }
}

export const shownGoal = (goal, items) => laidOver(goal, items.filter((i) => GOAL_KINDS.has(i.kind)));

export function shownMilestones(milestones, items) {
  return milestones.map((m) => {
    const own = items.filter((i) => STEP_KINDS.has(i.kind) && i.about.milestone_id === m.id);
    const pending = own.filter((i) => i.state === "saved" || i.state === "conflict" || i.state === "failed").at(-1);
    return { ...laidOver(m, own), outbox: pending || own.at(-1) };
  }).sort((a, b) => a.position - b.position);
}

// A change in words, for the conflict card: the fields this change sets, as `thing` has them.
export function describeChange(thing, item, name) {
  const value = (key) => {
    const v = thing[key];
    if (key === "status") return t(`status_${v}`);
    if (key === "done") return v ? t("doneYes") : t("doneNo");
    if (key === "position") return t("position", { n: v + 1 });
    if (key.endsWith("_date")) return v ? dateText(v) : t("cleared");
    return v || t("cleared");
  };
  return `${thing.title ? titleText(thing.title, thing.words_removed) : name}: ${Object.keys(item.body).map(value).join(" · ")}`;
}

async function changeGoal(goal, body, kind = "goal_edit") {
  const items = await outboxItems((i) => i.about.goal_id === goal.id && GOAL_KINDS.has(i.kind));
  return queue({ kind, method: "PATCH", path: `/api/v1/goals/${goal.id}`, body,
                 ifMatch: `"v${versionAfter(goal.version, items)}"`, about: { goal_id: goal.id } });
}

async function changeStep(goalId, m, body, kind = "milestone_edit") {
  const items = await outboxItems((i) => STEP_KINDS.has(i.kind) && i.about.milestone_id === m.id);
  return queue({ kind, method: "PATCH", path: `/api/v1/milestones/${m.id}`, body,
                 ifMatch: `"v${versionAfter(m.version, items)}"`,
                 about: { goal_id: goalId, milestone_id: m.id } });
}

// A status change, with Undo back to where it was.
async function setStatus(goal, from, to, note) {
  await changeGoal(goal, { status: to }, "goal_status");
  toast(t(note), () => changeGoal(goal, { status: from }, "goal_status").then(() => toast(t("undone"))));
}

function editGoalForm(goal, shown) {
  const node = el("details", { class: "card", "data-key": "goal-edit" }, el("summary", { text: t("changeGoal") }),
    form({}, [
      field(t("goalTitle"), { name: "title", required: true, maxlength: 200, value: shown.title }),
      field(t("goalWhy"), { tag: "textarea", name: "why", maxlength: 2000, rows: 3, text: shown.why || "" }),
      field(t("targetDate"), { name: "target_date", type: "date", value: shown.target_date || "" }),
      el("button", { type: "submit", class: "primary", text: t("save") })],
    async (values) => {
      if (!values.title) throw fieldProblem("title", t("needTitle"));
      node.open = false;
      await changeGoal(goal, { title: values.title, why: values.why || null,
                               target_date: values.target_date || null });
      toast(t("saved"));
    }));
  return node;
}

async function deleteGoal(goal) {
  if (!await ask(t("deleteGoalAsk"), t("deleteYes"), t("keep"), true)) return;
  const items = await outboxItems((i) => i.about.goal_id === goal.id && GOAL_KINDS.has(i.kind));
  try {
    await request("DELETE", `/api/v1/goals/${goal.id}`,
      { headers: { "If-Match": `"v${versionAfter(goal.version, items)}"` } });
  } catch (error) {
    // Check-ins are shared history: such a goal is let go, not deleted.
    toast(error instanceof ApiError && error.status === 409 ? t("hasCheckins") : problemText(error));
    return;
  }
  toast(t("goalDeleted"));
  location.hash = `#/partnerships/${goal.partnership_id}`;
}

// The goal's state and what can be done with it now. `statusItem` is its newest outbox item.
export function goalPanel(goal, items, celebrateForm, ended) {
  const shown = shownGoal(goal, items);
  const latest = items.filter((i) => GOAL_KINDS.has(i.kind)).at(-1);
  const button = (text, onclick, cls) => el("button", { type: "button", class: cls, text, onclick });
  const { status } = shown;
  const about = [
    el("p", { class: "muted" }, t(`status_${status}`),
      shown.target_date ? ` · ${t("target", { date: dateText(shown.target_date) })}` : "",
      latest && latest.state !== "conflict" ? badge(latest) : null),
    shown.why ? el("p", { class: "why", text: shown.why }) : null];
  if (ended) return about;
  return [...about,
    el("div", { class: "actions" },
      status === "active" ? button(t("reached"), async () => {
        if (!await ask(t("reachedAsk"), t("reachedYes"), t("notYet"))) return;
        await setStatus(goal, status, "achieved", "reachedNote");
        celebrate("🏆");
      }, "primary") : null,
      status === "paused" ? button(t("resume"), () => setStatus(goal, status, "active", "resumedNote"), "primary") : null,
      status === "active" ? button(t("pause"), () => setStatus(goal, status, "paused", "pausedNote")) : null,
      // Reached or let go by mistake, or not quite: it opens again, nothing is lost.
      status === "achieved" || status === "let_go"
        ? button(t("reopen"), () => setStatus(goal, status, "active", "reopenedNote")) : null,
      status === "active" || status === "paused" ? button(t("letGo"), async () => {
        if (!await ask(t("letGoAsk"), t("letGoYes"), t("keep"))) return;
        await setStatus(goal, status, "let_go", "lettingGo");
      }) : null),
    status === "achieved" ? celebrateForm(goal.id, null) : null,
    editGoalForm(goal, shown),
    el("p", {}, button(t("deleteGoal"), () => deleteGoal(goal), "quiet-danger")),
  ];
}

// New order after moving `index` by `step`: each step whose place changes is sent.
async function move(goalId, shown, index, step) {
  const order = [...shown];
  [order[index], order[index + step]] = [order[index + step], order[index]];
  for (const [place, m] of order.entries()) {
    if (m.position !== place) await changeStep(goalId, m, { position: place });
  }
}

async function deleteStep(goalId, m, title, milestones, redraw) {
  if (!await ask(t("deleteStepAsk", { title }), t("deleteYes"), t("keep"), true)) return;
  const items = await outboxItems((i) => STEP_KINDS.has(i.kind) && i.about.milestone_id === m.id);
  try {
    await request("DELETE", `/api/v1/milestones/${m.id}`,
      { headers: { "If-Match": `"v${versionAfter(m.version, items)}"` } });
  } catch (error) {
    toast(problemText(error));
    return;
  }
  const at = milestones.findIndex((x) => x.id === m.id);
  if (at >= 0) milestones.splice(at, 1);
  await redraw();
  // Undo puts it back: the same words, date and place (a new id; done steps come back done).
  toast(t("stepDeleted"), async () => {
    const { data } = await request("POST", `/api/v1/goals/${goalId}/milestones`, {
      body: { title: m.title, due_date: m.due_date, position: m.position },
      headers: { "Idempotency-Key": crypto.randomUUID() } });
    milestones.push(data);
    if (m.done) await changeStep(goalId, data, { done: true }, "milestone_done");
    await redraw();
    toast(t("undone"));
  });
}

function editStepForm(goalId, m) {
  const node = el("details", { class: "edit-step", "data-key": `${m.id}:edit` }, el("summary", { text: t("edit") }),
    form({}, [
      field(t("milestone"), { name: "title", required: true, maxlength: 200, value: m.title }),
      field(t("dueDate"), { name: "due_date", type: "date", value: m.due_date || "" }),
      el("button", { type: "submit", class: "primary", text: t("save") })],
    async (values) => {
      if (!values.title) throw fieldProblem("title", t("needTitle"));
      node.open = false;
      await changeStep(goalId, m, { title: values.title, due_date: values.due_date || null });
      toast(t("saved"));
    }));
  return node;
}

// One milestone's row: its state, Mark done / Not done yet (each with Undo), change, move, delete.
export function milestoneRow(goalId, m, index, shown, { milestones, redraw, celebrateForm, ended }) {
  const title = titleText(m.title, m.words_removed);
  const named = (word) => `${word}: ${title}`;
  const done = (value) => async () => {
    await changeStep(goalId, m, { done: value }, "milestone_done");
    toast(t(value ? "markedDone" : "markedNotDone"), () =>
      changeStep(goalId, m, { done: !value }, "milestone_done").then(() => toast(t("undone"))));
  };
  const small = (key, text, label, onclick, disabled) => el("button", { type: "button",
    class: "small-button", text, "aria-label": label, "data-key": `${m.id}:${key}`, disabled, onclick });
  return el("li", { "data-id": m.id },
    el("span", { class: "title", text: `${m.done ? "✓ " : ""}${title}` }),
    el("span", { class: "muted small", text: m.done_at && m.done ? ` · ${t("doneOn", { date: dateText(m.done_at) })}`
      : m.due_date ? ` · ${t("due", { date: dateText(m.due_date) })}` : "" }),
    m.outbox ? badge(m.outbox) : null,
    ended ? null : el("div", { class: "step-actions" },
      m.done ? small("undone", t("notDoneYet"), named(t("notDoneYet")), done(false))
        : small("done", t("markDone"), named(t("markDone")), done(true)),
      small("up", "↑", named(t("moveUp")), () => move(goalId, shown, index, -1), index === 0),
      small("down", "↓", named(t("moveDown")), () => move(goalId, shown, index, 1), index === shown.length - 1),
      small("delete", t("deleteStep"), named(t("deleteStep")), () => deleteStep(goalId, m, title, milestones, redraw))),
    m.done && !ended ? celebrateForm(goalId, m.id) : null,
    ended ? null : editStepForm(goalId, m));
}

// Celebrations on this goal: those the server has (from the timeline) and those still on
// this phone.
export function celebrationList(entries, items, who) {
  const pending = items.filter((i) => i.kind === "celebration" && i.state !== "sent");
  const shown = [
    ...pending.map((i) => el("li", {}, el("span", { text: `${i.body.emoji || "🎉"} ${i.body.message}` }), badge(i))),
    ...entries.map((entry) => el("li", {},
      el("span", { text: `${entry.emoji || "🎉"} ${entry.text}` }),
      el("p", { class: "muted small", text: `${dateText(entry.at, true)} · ${who(entry.actor_id)}` })))];
  return [el("h2", { text: t("celebrations") }),
    el("ul", { class: "plain celebrations" }, shown.length ? shown : el("li", { class: "muted", text: t("noCelebrations") }))];
}
