// Self-checks: the worker's rapport self-check and its trend, the peer's session-check, and
// the view both members share. One question a screen, so it fits a phone and a screen reader.
import { getJSON, request } from "../api.js";
import { el, fill } from "../dom.js";
import { addStrings, language, t } from "../i18n.js";
import { me, readPrivate } from "../session.js";
import { outboxItems, queue } from "../outbox.js";
import { badge, dateText, live, problemText } from "../ui.js";

addStrings({
  en: {
    scTitle: "Self-check", scSession: "Session check", scStart: "Start", scNext: "Next",
    scFinish: "Finish", scRetry: "Try again", scQuestion: "Question {n} of {m}",
    scPast: "See your results over time", scResults: "Your results",
    scTotal: "Total: {n} of {m} ({p})", scOutOf: "{n} of {m}", scPractices: "Each practice",
    scStartHere: "Where to start", scKeep: "Sign in to keep your results and follow them over time.",
    scToSettings: "Go to Settings", scSignIn: "Sign in to see this.",
    scWaiting: "We will send your answers when you are online.",
    scResultsTitle: "Your self-check results", scFrom: "From {date}",
    scNone: "You have not done the self-check yet.", scTake: "Take the self-check",
    scOverTime: "Over time", scOne: "One check so far. Do it again in two weeks to see what changes.",
    scChart: "Your total went from {a} to {b} over {n} checks", scReal: "Real changes",
    scTotalChange: "{date}: {c} points since the check before — a real change",
    scItemChange: "{item}: {c} points since last time — a real change",
    scNoChange: "No real changes yet. So far the ups and downs are the usual kind.",
    scNoise: "What counts as a real change?", scHowToday: "How did today go with {name}?",
    scYourWorker: "your peer worker", scBoth: "See both sides", scNoPartners: "You have no partnerships yet.",
    scPeersOnly: "This check is for peers.", scLast: "Last step", scWho: "Who sees this?",
    scShareNow: "My peer worker can see my answers",
    scShareNowHint: "They see your answers and how they change over time.",
    scShareAgg: "Only count it in anonymous totals for the agency",
    scShareAggHint: "No one sees your answers. They only add to totals with no names.",
    scPickShare: "Choose one to finish.", scThanks: "Thank you",
    scSharedNote: "Your peer worker will see your answers.",
    scAggNote: "Your answers only count in totals with no names.",
    scTalk: "Thank you for being honest. Your answers show that some things could go better, so your peer worker will see that it may help to talk about how it is going. You can bring it up too.",
    scTalkItem: "Thank you for being honest. One answer was lower than the others, so your peer worker will see that it may help to talk about it. You can bring it up too.",
    scTalkDrop: "Thank you for being honest. Today felt less good than last time, so your peer worker will see that it may help to talk about it. You can bring it up too.",
    scYou: "You", scYourPeer: "Your peer", scYourWorkerSide: "Your peer worker",
    scGapYouLower: "You rate this {n} points lower than your peer worker does.",
    scGapYouLower_one: "You rate this {n} point lower than your peer worker does.",
    scGapYouHigher: "You rate this {n} points higher than your peer worker does.",
    scGapYouHigher_one: "You rate this {n} point higher than your peer worker does.",
    scNoSelfMine: "You have not done a self-check yet.",
    scNoSelfTheirs: "Your peer worker has not done a self-check yet.",
    scNoSharedMine: "You have not shared a session check yet.",
    scNoSharedTheirs: "Your peer has not shared a session check yet.",
    scPeerTalkTitle: "Some things could go better",
    scPeerTalkIntro: "Saying so can make your work together stronger. These are for you:",
    scTwoTitle: "How it is going, from both sides",
    scNoAnswer: "No answers yet", scGapLower: "Your peer rates this {n} points lower than you do.",
    scGapLower_one: "Your peer rates this {n} point lower than you do.",
    scGapHigher: "Your peer rates this {n} points higher than you do.",
    scGapHigher_one: "Your peer rates this {n} point higher than you do.",
    scGapSame: "You both see this the same.", scTalkTitle: "Time to talk about how it is going",
    scTalkIntro: "A short, honest talk can help. These can help you start:",
    scSavedAt: "Saved on this phone {date}", scD_relationship: "Relationship", scD_goals: "Goals",
    scD_approach: "Way of working", scD_overall: "Overall",
    scOr: "Or, if it did not happen in these two weeks:", scEach: "Each check",
    scRated: "{n} of {m} practices rated", scNotUp: "Did not come up",
    scRatedNote: "Practices that did not come up are not counted, so they never lower your total.",
    scPoint: "{date}: {p} of the practices you rated ({n} of {m})",
    scChartNote: "Each point is the share of the practices you rated that time, so checks with different practices still compare fairly.",
    scTotalChangeSome: "{date}: {c} points over the {k} practices you rated both times — a real change",
  },
  es: {
    scTitle: "Autoevaluación", scSession: "Revisión de la sesión", scStart: "Empezar",
    scNext: "Siguiente", scFinish: "Terminar", scRetry: "Intentar de nuevo",
    scQuestion: "Pregunta {n} de {m}", scPast: "Ver tus resultados con el tiempo",
    scResults: "Tus resultados", scTotal: "Total: {n} de {m} ({p})", scOutOf: "{n} de {m}",
    scPractices: "Cada práctica", scStartHere: "Por dónde empezar",
    scKeep: "Inicia sesión para guardar tus resultados y ver cómo cambian con el tiempo.",
    scToSettings: "Ir a Ajustes", scSignIn: "Inicia sesión para ver esto.",
    scWaiting: "Enviaremos tus respuestas cuando tengas conexión.",
    scResultsTitle: "Resultados de tu autoevaluación", scFrom: "Del {date}",
    scNone: "Todavía no has hecho la autoevaluación.", scTake: "Hacer la autoevaluación",
    scOverTime: "Con el tiempo",
    scOne: "Por ahora hay una sola. Hazla de nuevo en dos semanas para ver qué cambia.",
    scChart: "Tu total pasó de {a} a {b} en {n} autoevaluaciones", scReal: "Cambios reales",
    scTotalChange: "{date}: {c} puntos desde la vez anterior, un cambio real",
    scItemChange: "{item}: {c} puntos desde la última vez, un cambio real",
    scNoChange: "Todavía no hay cambios reales. Por ahora, las subidas y bajadas son las normales.",
    scNoise: "¿Qué cuenta como un cambio real?", scHowToday: "¿Cómo te fue hoy con {name}?",
    scYourWorker: "tu acompañante", scBoth: "Ver los dos lados",
    scNoPartners: "Todavía no tienes acompañamientos.",
    scPeersOnly: "Esta revisión es para las personas acompañadas.", scLast: "Último paso",
    scWho: "¿Quién ve esto?", scShareNow: "Mi acompañante puede ver mis respuestas",
    scShareNowHint: "Ve tus respuestas y cómo cambian con el tiempo.",
    scShareAgg: "Solo contarlas en los totales anónimos de la agencia",
    scShareAggHint: "Nadie ve tus respuestas. Solo se suman a totales sin nombres.",
    scPickShare: "Elige una opción para terminar.", scThanks: "¡Gracias!",
    scSharedNote: "Tu acompañante verá tus respuestas.",
    scAggNote: "Tus respuestas solo cuentan en totales sin nombres.",
    scTalk: "Gracias por tu sinceridad. Tus respuestas muestran que algunas cosas podrían ir mejor, así que tu acompañante verá que puede ayudar hablar de cómo van. Tú también puedes sacar el tema.",
    scTalkItem: "Gracias por tu sinceridad. Una respuesta fue más baja que las demás, así que tu acompañante verá que puede ayudar hablar de eso. Tú también puedes sacar el tema.",
    scTalkDrop: "Gracias por tu sinceridad. Hoy se sintió peor que la última vez, así que tu acompañante verá que puede ayudar hablar de eso. Tú también puedes sacar el tema.",
    scYou: "Tú", scYourPeer: "La persona que acompañas", scYourWorkerSide: "Tu acompañante",
    scGapYouLower: "Tú lo calificas {n} puntos más bajo que tu acompañante.",
    scGapYouLower_one: "Tú lo calificas {n} punto más bajo que tu acompañante.",
    scGapYouHigher: "Tú lo calificas {n} puntos más alto que tu acompañante.",
    scGapYouHigher_one: "Tú lo calificas {n} punto más alto que tu acompañante.",
    scNoSelfMine: "Todavía no has hecho tu autoevaluación.",
    scNoSelfTheirs: "Tu acompañante todavía no ha hecho su autoevaluación.",
    scNoSharedMine: "Todavía no has compartido una revisión de la sesión.",
    scNoSharedTheirs: "La persona que acompañas todavía no ha compartido una revisión de la sesión.",
    scPeerTalkTitle: "Algunas cosas podrían ir mejor",
    scPeerTalkIntro: "Decirlo puede hacer más fuerte el trabajo juntos. Esto es para ti:",
    scTwoTitle: "Cómo va, desde los dos lados",
    scNoAnswer: "Sin respuestas todavía",
    scGapLower: "La persona que acompañas lo califica {n} puntos más bajo que tú.",
    scGapLower_one: "La persona que acompañas lo califica {n} punto más bajo que tú.",
    scGapHigher: "La persona que acompañas lo califica {n} puntos más alto que tú.",
    scGapHigher_one: "La persona que acompañas lo califica {n} punto más alto que tú.",
    scGapSame: "Los dos lo ven igual.",
    scTalkTitle: "Es momento de hablar de cómo va todo",
    scTalkIntro: "Una charla corta y sincera puede ayudar. Esto les puede servir para empezar:",
    scSavedAt: "Guardado en este teléfono el {date}", scD_relationship: "Relación",
    scD_goals: "Metas", scD_approach: "Forma de trabajar", scD_overall: "En general",
    scOr: "O, si no pasó en estas dos semanas:", scEach: "Cada autoevaluación",
    scRated: "Calificaste {n} de {m} prácticas", scNotUp: "No se dio",
    scRatedNote: "Las prácticas que no se dieron no cuentan, así que nunca bajan tu total.",
    scPoint: "{date}: {p} de las prácticas que calificaste ({n} de {m})",
    scChartNote: "Cada punto es la parte de las prácticas que calificaste esa vez, así que se pueden comparar aunque no sean las mismas prácticas.",
    scTotalChangeSome: "{date}: {c} puntos en las {k} prácticas que calificaste las dos veces, un cambio real",
  },
});

const SELF = "rapport-self-check", SESSION = "session-check";
const surveyPath = (slug) => `/api/v1/surveys/${slug}`;
const pct = (v) => new Intl.NumberFormat(language(), { style: "percent", maximumFractionDigits: 0 })
  .format(v / 100);
const signed = (n) => new Intl.NumberFormat(language(), { signDisplay: "exceptZero" }).format(n);
const p = (text, cls) => el("p", { class: cls, text });
const link = (href, text) => el("a", { href, text });
const back = (href) => el("p", {}, link(href, t("back")));
const signInLine = () => el("p", {}, `${t("scSignIn")} `, link("#/settings", t("scToSettings")));
const savedLine = (at) => at
  ? p(t("scSavedAt", { date: dateText(new Date(at).toISOString(), true) }), "muted") : null;
const heading = (text) => el("h2", { class: "sc-step", tabindex: "-1", text });
const tipLink = (tip) => link(`#/tips/${encodeURIComponent(tip.slug)}`, tip.title);
const itemText = (survey) => {
  const texts = new Map((survey?.items || []).map((item) => [item.id, item.text]));
  return (id) => texts.get(id) || id;
};
let ids = 0;

// A view whose data could not load says why, under its heading.
async function guarded(title, body) {
  const h1 = el("h1", { text: title });
  try {
    return [h1, ...(await body()).flat(Infinity)];
  } catch (error) {
    return [h1, p(problemText(error), "error")];
  }
}

// A labelled bar: the meter for the eye, its text for everyone.
function bar(label, value, max, text, context) {
  const id = `sc-m${++ids}`;
  return el("li", { class: "sc-bar" }, el("label", { for: id, id: `${id}l`, text: label }),
    el("div", { class: "sc-row" }, el("meter", { id, min: 0, max, value, text,
      "aria-valuetext": text, "aria-labelledby": context && `${context} ${id}l` }),
    el("span", { text })));
}

function radios(legend, options, value, pick, numbers) {
  return el("fieldset", { class: numbers ? "sc-radios sc-nums" : "sc-radios" },
    el("legend", { text: legend }),
    el("div", { class: "sc-opts" }, options.map(([v, text, spoken, hint]) => el("label", { class: "sc-opt" },
      el("input", { type: "radio", name: "sc-answer", value: v, checked: v === value,
                    onchange: () => pick(v) }),
      hint ? el("span", {}, el("span", { text }), el("span", { class: "muted small sc-hint", text: hint }))
        : el("span", { text }),
      spoken ? el("span", { class: "sc-sr", text: `, ${spoken}` }) : null))));
}

// A label per point (the self-check), or numbers with words at the two ends (0-10). An item
// that offers "did not come up" gets it apart from the scale: it is not a point on it.
function scaleGroup({ min, max, labels, did_not_come_up: offScale }, legend, value, pick, offered) {
  const each = labels.length === max - min + 1;
  const options = [];
  for (let v = min; v <= max; v++) {
    const end = v === min ? labels[0] : v === max ? labels.at(-1) : null;
    options.push(each ? [v, labels[v - min]] : [v, String(v), end]);
  }
  const group = radios(legend, options, value, pick, !each);
  if (!each) group.append(el("p", { class: "sc-ends muted", "aria-hidden": "true" },
    el("span", { text: `${min} = ${labels[0]}` }), el("span", { text: `${max} = ${labels.at(-1)}` })));
  if (offered) {
    group.append(el("p", { class: "sc-or muted", text: t("scOr") }),
      el("div", { class: "sc-opts sc-off" }, el("label", { class: "sc-opt" },
        el("input", { type: "radio", name: "sc-answer", value: "none", checked: value === null,
                      onchange: () => pick(null) }),
        el("span", { text: offScale || t("scNotUp") }))));
  }
  return group;
}

// One screen: its heading takes the focus, so a screen reader starts reading there.
function step(box, title, group, onBack, next, onNext) {
  const h2 = heading(title);
  fill(box, h2, el("form", { onsubmit: (event) => {
    event.preventDefault();
    if (next.disabled) return;
    next.disabled = true; // one tap, one answer
    onNext();
  } }, group, el("div", { class: "sc-nav" },
    el("button", { type: "button", text: t("back"), onclick: onBack }), next)));
  h2.focus();
}

function intro(box, survey, onStart, extra) {
  const h2 = heading(survey.title);
  fill(box, el("section", { class: "card" }, h2, p(survey.intro),
    el("button", { type: "button", class: "sc-go", text: t("scStart"), onclick: onStart })), extra);
  h2.focus();
}

function runSurvey(box, survey, start, done) {
  const answers = new Map(), items = survey.items;
  const show = (i) => {
    if (i < 0) return start();
    if (i === items.length) {
      return done(items.map((item) => ({ item: item.id, value: answers.get(item.id) })),
                  () => show(i - 1));
    }
    const item = items[i];
    const next = el("button", { type: "submit", class: "sc-go", disabled: !answers.has(item.id),
                                text: t(i === items.length - 1 ? "scFinish" : "scNext") });
    step(box, t("scQuestion", { n: i + 1, m: items.length }),
      scaleGroup(survey.scale, item.text, answers.get(item.id), (v) => {
        answers.set(item.id, v);
        next.disabled = false;
      }, item.did_not_come_up), () => show(i - 1), next, () => show(i + 1));
  };
  show(0);
}

// Where a queued answer is, redrawn as the outbox changes; `whenSent` adds what the server said.
function tracked(item, whenSent) {
  const state = el("p", { role: "status" }), more = el("div");
  let shown;
  const draw = async () => {
    const [now] = await outboxItems((x) => x.id === item.id);
    if (!now || now.state === shown) return;
    shown = now.state;
    const note = { saved: t("scWaiting"), failed: now.problem?.detail || t("failed") }[now.state];
    state.replaceChildren(badge(now), note ? ` ${note}` : "");
    fill(more, now.state === "sent" ? whenSent(now) : []);
  };
  live(state, "outbox-changed", draw);
  draw();
  return [state, more];
}

function results(score, survey) {
  const text = itemText(survey);
  const some = score.rated !== undefined && score.rated < score.of;
  return [
    p(t("scTotal", { n: score.total, m: score.max, p: pct(score.percent) }), "sc-total"),
    score.rated === undefined ? null : p(t("scRated", { n: score.rated, m: score.of })),
    some ? p(t("scRatedNote"), "muted") : null,
    el("h2", { text: t("scPractices") }),
    el("ul", { class: "plain" }, score.practices.map((x) => x.value === null
      ? el("li", { class: "sc-bar sc-unrated" }, el("p", { text: text(x.item) }),
        el("p", { class: "muted", text: survey?.scale?.did_not_come_up || t("scNotUp") }))
      : bar(text(x.item), x.value, x.max, t("scOutOf", { n: x.value, m: x.max })))),
    score.weakest.length ? [el("h2", { text: t("scStartHere") }),
      el("ul", { class: "sc-list" }, score.weakest.map((w) => el("li", {}, p(text(w.item)),
        el("p", {}, tipLink(w.tip)), p(`${t("tryThis")}: ${w.action}`))))] : null,
  ];
}

// One check on the chart: its percent is of what was rated, and it says how much that was.
const pointText = (c) => t("scPoint", { date: dateText(c.created_at), p: pct(c.percent),
  n: c.rated ?? c.practices.length, m: c.of ?? c.practices.length });

function chart(checks) {
  const n = checks.length, first = checks[0], last = checks.at(-1);
  const x = (i) => Math.round(48 + (260 * i) / (n - 1)), y = (v) => Math.round(130 - 1.2 * v);
  const s = (tag, attrs, text) => el(`svg:${tag}`, { ...attrs, text });
  return el("svg:svg", { class: "sc-chart", viewBox: "0 0 320 170", role: "img",
    "aria-label": t("scChart", { a: pct(first.percent), b: pct(last.percent), n }) },
    [0, 50, 100].flatMap((v) => [s("line", { class: "sc-grid", x1: 48, x2: 308, y1: y(v), y2: y(v) }),
      s("text", { x: 42, y: y(v) + 4, "text-anchor": "end" }, `${v}%`)]),
    s("polyline", { class: "sc-line", points: checks.map((c, i) => `${x(i)},${y(c.percent)}`).join(" ") }),
    checks.map((c, i) => el("svg:circle", { cx: x(i), cy: y(c.percent), r: 4 },
      s("title", {}, pointText(c)))),
    s("text", { x: 48, y: 160 }, dateText(first.created_at)),
    s("text", { x: 308, y: 160, "text-anchor": "end" }, dateText(last.created_at)));
}

function trendView(trend, survey) {
  const checks = trend?.checks || [];
  if (!checks.length) return [];
  const text = itemText(survey);
  const changes = [
    ...checks.filter((c) => c.beyond_noise).map((c) => {
      const whole = c.compared === undefined || c.compared === null || c.compared === c.of;
      return t(whole ? "scTotalChange" : "scTotalChangeSome",
        { date: dateText(c.created_at), c: signed(c.change), k: c.compared });
    }),
    ...checks.at(-1).practices.filter((x) => x.beyond_noise).map((x) =>
      t("scItemChange", { item: text(x.item).replace(/\.$/, ""), c: signed(x.change) }))];
  return [el("h2", { text: t("scOverTime") }),
    checks.length < 2 ? p(t("scOne")) : [chart(checks),
      checks.some((c) => c.rated < c.of) ? p(t("scChartNote"), "muted small") : null,
      el("details", {}, el("summary", { text: t("scEach") }),
        el("ol", { class: "sc-list" }, checks.map((c) => el("li", { text: pointText(c) })))),
      el("h2", { text: t("scReal") }),
      changes.length ? el("ul", { class: "sc-list" }, changes.map((c) => el("li", { text: c })))
        : p(t("scNoChange"))],
    el("details", {}, el("summary", { text: t("scNoise") }), p(trend.noise.rule))];
}

async function finishSelf(box, survey, answers, user) {
  const h2 = heading(t("scResults"));
  const body = { answers, version: survey.version };
  try {
    if (user?.role === "worker") {
      const item = await queue({ kind: "survey_response", path: `${surveyPath(SELF)}/responses`,
                                 body, about: { survey: SELF } });
      fill(box, h2, tracked(item, (sent) => [results(sent.result.score, survey),
        el("p", {}, link("#/self-check/results", t("scPast")))]));
    } else { // nothing is kept: the server only scores
      const { data } = await request("POST", `${surveyPath(SELF)}/score`, { body });
      fill(box, h2, results(data, survey),
        user ? null : el("p", {}, `${t("scKeep")} `, link("#/settings", t("scToSettings"))));
    }
  } catch (error) {
    fill(box, h2, p(problemText(error), "error"), el("button", { type: "button", text: t("scRetry"),
      onclick: () => finishSelf(box, survey, answers, user) }));
  }
  h2.focus();
}

async function peerList() {
  const { data, savedAt } = await readPrivate("/api/v1/partnerships");
  const open = data.filter((x) => x.status !== "ended");
  return [savedLine(savedAt), open.length ? el("ul", { class: "plain" }, open.map((x) => el("li", {},
    link(`#/partnerships/${x.id}/session-check`,
         t("scHowToday", { name: x.worker?.display_name || t("scYourWorker") })),
    link(`#/partnerships/${x.id}/rapport`, t("scBoth"))))) : p(t("scNoPartners"))];
}

export async function selfCheck() {
  const user = await me().catch(() => null);
  if (user?.role === "peer") return guarded(t("scSession"), peerList);
  return guarded(t("scTitle"), async () => {
    const survey = await getJSON(surveyPath(SELF));
    const box = el("div");
    const start = () => intro(box, survey,
      () => runSurvey(box, survey, start, (answers) => finishSelf(box, survey, answers, user)),
      user?.role === "worker" ? el("p", {}, link("#/self-check/results", t("scPast"))) : null);
    start();
    return [box];
  });
}

export function selfCheckResults() {
  return guarded(t("scResultsTitle"), async () => {
    if (!(await me())) return [signInLine()];
    const [survey, latest, trend] = await Promise.all([
      getJSON(surveyPath(SELF)).catch(() => null), // only for the questions' words
      readPrivate(`${surveyPath(SELF)}/responses`, { page_size: 1 }),
      readPrivate("/api/v1/me/self-check/trend").catch(() => ({}))]);
    const last = latest.data[0];
    if (!last) return [back("#/self-check"), p(t("scNone")), el("p", {}, link("#/self-check", t("scTake")))];
    return [back("#/self-check"), savedLine(latest.savedAt || trend.savedAt),
      p(t("scFrom", { date: dateText(last.created_at) }), "muted"), results(last.score, survey),
      trendView(trend.data, survey), el("p", {}, link("#/self-check", t("scTake")))];
  });
}

export function sessionCheck([id]) {
  return guarded(t("scSession"), async () => {
    const user = await me();
    if (!user) return [signInLine()];
    if (user.role !== "peer") return [back(`#/partnerships/${id}`), p(t("scPeersOnly"))];
    const survey = await getJSON(surveyPath(SESSION));
    const box = el("div");
    // Who sees it is the person's own choice each time: nothing is picked for them.
    const done = (answers, backTo) => {
      let share = null;
      const next = el("button", { type: "submit", class: "sc-go", disabled: true,
                                  text: t("scFinish") });
      const choices = radios(t("scWho"), [
        ["now", t("scShareNow"), null, t("scShareNowHint")],
        ["aggregate_only", t("scShareAgg"), null, t("scShareAggHint")]], share,
      (v) => { share = v; next.disabled = false; });
      choices.append(p(t("scPickShare"), "muted small"));
      step(box, t("scLast"), choices, backTo, next, async () => {
        const h2 = heading(t("scThanks"));
        try {
          const item = await queue({ kind: "survey_response", path: `${surveyPath(SESSION)}/responses`,
            body: { answers, version: survey.version, partnership_id: id, share },
            about: { survey: SESSION, partnership_id: id } });
          fill(box, h2, tracked(item, (sent) => [p(thanksText(share, sent.result?.score))]));
        } catch (error) {
          fill(box, h2, p(problemText(error), "error"));
        }
        h2.focus();
      });
    };
    const start = () => intro(box, survey, () => runSurvey(box, survey, start, done));
    start();
    return [back(`#/partnerships/${id}`), box];
  });
}

// What the peer is told after a check, true to why it was flagged, if it was.
function thanksText(share, score) {
  if (share !== "now") return t("scAggNote");
  const reasons = score?.flag ? score.reasons || [] : [];
  if (reasons.includes("total_below_cutoff")) return t("scTalk");
  if (reasons.includes("item_below_cutoff")) return t("scTalkItem");
  if (reasons.includes("drop_since_last")) return t("scTalkDrop");
  return t("scSharedNote");
}

// A gap is the peer's side minus the worker's, said to whoever is reading.
function gapText(gap, peerReads) {
  const n = Math.round(Math.abs(gap));
  if (!n) return t("scGapSame");
  if (peerReads) return t(gap < 0 ? "scGapYouLower" : "scGapYouHigher", { n });
  return t(gap < 0 ? "scGapLower" : "scGapHigher", { n });
}

export function twoSided([id]) {
  return guarded(t("scTwoTitle"), async () => {
    const user = await me();
    if (!user) return [signInLine()];
    const { data, savedAt } = await readPrivate(`/api/v1/partnerships/${id}/rapport`);
    const peerReads = user.role === "peer";
    const [workerName, peerName] = peerReads ? [t("scYourWorkerSide"), t("scYou")]
      : [t("scYou"), t("scYourPeer")];
    const side = (context, who, v) => (v === null || v === undefined
      ? el("li", { class: "sc-bar", text: `${who}: ${t("scNoAnswer")}` })
      : bar(who, v, 100, pct(v), context));
    return [back(`#/partnerships/${id}`), savedLine(savedAt),
      data.flag ? el("section", { class: "card" },
        el("h2", { text: t(peerReads ? "scPeerTalkTitle" : "scTalkTitle") }),
        p(t(peerReads ? "scPeerTalkIntro" : "scTalkIntro")), el("ul", { class: "sc-list" },
          data.repair?.faq ? el("li", {}, link(`#/faq?q=${encodeURIComponent(data.repair.faq.question.replace(/[^\p{L}\p{N}\s]/gu, " ").trim())}`,
                                               data.repair.faq.question)) : null,
          (data.repair?.tips || []).map((tip) => el("li", {}, tipLink(tip),
            p(`${t("tryThis")}: ${tip.action}`))))) : null,
      data.self_check ? null : p(t(peerReads ? "scNoSelfTheirs" : "scNoSelfMine")),
      data.session_checks.length ? null : p(t(peerReads ? "scNoSharedMine" : "scNoSharedTheirs")),
      data.dimensions.map((d) => {
        const hid = `sc-h${++ids}`;
        return el("section", { class: "card" }, el("h2", { id: hid, text: t(`scD_${d.dimension}`) }),
          el("ul", { class: "plain" }, side(hid, workerName, d.worker_percent),
            side(hid, peerName, d.peer_percent)),
          d.gap === null || d.gap === undefined ? null : p(gapText(d.gap, peerReads)));
      })];
  });
}
