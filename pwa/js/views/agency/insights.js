// Insights: how the agency's self-checks and session checks went over the last closed months
// or quarters, as charts read at a glance (inline SVG, no library, styled by classes only),
// each with a table of the same numbers. The API adds privacy noise to every figure and gives
// a 90% range for each; a group too small shows nothing, and the chart says so in words.
import { ApiError, request } from "../../api.js";
import { el } from "../../dom.js";
import { addStrings, language, t } from "../../i18n.js";
import { problemText } from "../../ui.js";
import { agencyApi, consolePage, consoleScreen, table } from "./common.js";

addStrings({
  en: {
    conInsTitle: "Insights",
    conInsIntro: "How the self-checks and session checks went in your agency, month by month or quarter by quarter.",
    conInsPrivacy: "Numbers have privacy noise added, so no one can be picked out. The bars show where the true number most likely is (9 times in 10). When too few people answered, we show nothing.",
    conInsKept: "Each period's numbers are made once, the first time anyone opens them, and then stay the same.",
    conInsBy: "Show by", conInsMonths: "Month", conInsQuarters: "Quarter",
    conInsQuarter: "Q{q} {year}", conInsTooFew: "Too few to show", conInsTooFewShort: "Too few",
    conInsNone: "No closed periods to show yet.",
    conInsSurvey_rapport_self_check: "Workers' self-check", conInsSurvey_session_check: "Session check (peers)",
    conInsAbout_rapport_self_check: "What peer support workers say about their own practice.",
    conInsAbout_session_check: "What peers say about their sessions with their worker.",
    conInsScore: "Score (0 to 100)", conInsRange: "Likely range", conInsPeople: "People who answered (about)",
    conInsPeriod: "Period", conInsNumbers: "The numbers", conInsTableCaption: "{survey}: score by period",
    conInsChartLabel: "{survey}: score by period, 0 to 100. {summary}",
    conInsPoint: "{period}: {score} (likely {low} to {high})", conInsPointFew: "{period}: too few to show",
    conInsDim_relationship: "Relationship", conInsDim_goals: "Goals", conInsDim_approach: "Approach",
    conInsDim_overall: "Overall", conInsAll: "All questions",
  },
  es: {
    conInsTitle: "Resultados",
    conInsIntro: "Cómo salieron las autoevaluaciones y las evaluaciones de sesión en tu agencia, mes a mes o trimestre a trimestre.",
    conInsPrivacy: "Los números llevan ruido de privacidad, para que nadie pueda ser identificado. Las barras muestran dónde está casi seguro el número real (9 de cada 10 veces). Cuando respondieron muy pocas personas, no mostramos nada.",
    conInsKept: "Los números de cada periodo se hacen una sola vez, la primera vez que alguien los abre, y luego no cambian.",
    conInsBy: "Ver por", conInsMonths: "Mes", conInsQuarters: "Trimestre",
    conInsQuarter: "T{q} {year}", conInsTooFew: "Muy pocas respuestas para mostrar", conInsTooFewShort: "Muy pocas",
    conInsNone: "Aún no hay periodos cerrados para mostrar.",
    conInsSurvey_rapport_self_check: "Autoevaluación de acompañantes", conInsSurvey_session_check: "Evaluación de la sesión (personas acompañadas)",
    conInsAbout_rapport_self_check: "Lo que dicen los acompañantes de pares sobre su propia práctica.",
    conInsAbout_session_check: "Lo que dicen las personas acompañadas sobre sus sesiones.",
    conInsScore: "Puntaje (0 a 100)", conInsRange: "Rango probable", conInsPeople: "Personas que respondieron (aprox.)",
    conInsPeriod: "Periodo", conInsNumbers: "Los números", conInsTableCaption: "{survey}: puntaje por periodo",
    conInsChartLabel: "{survey}: puntaje por periodo, de 0 a 100. {summary}",
    conInsPoint: "{period}: {score} (probable entre {low} y {high})", conInsPointFew: "{period}: muy pocas respuestas",
    conInsDim_relationship: "Relación", conInsDim_goals: "Metas", conInsDim_approach: "Forma de acompañar",
    conInsDim_overall: "En general", conInsAll: "Todas las preguntas",
  },
});

const MONTHS_SHOWN = 6;
const QUARTERS_SHOWN = 4;

// The last closed periods, oldest first: months "2026-11" or quarters "2026-Q4".
export function lastPeriods(by, today = new Date()) {
  const keys = [];
  if (by === "quarter") {
    let year = today.getFullYear();
    let quarter = Math.floor(today.getMonth() / 3); // the one before this quarter (0: last year's Q4)
    for (let i = 0; i < QUARTERS_SHOWN; i++) {
      if (quarter === 0) { year -= 1; quarter = 4; }
      keys.unshift(`${year}-Q${quarter}`);
      quarter -= 1;
    }
  } else {
    for (let back = MONTHS_SHOWN; back >= 1; back--) {
      const month = new Date(today.getFullYear(), today.getMonth() - back, 1);
      keys.push(`${month.getFullYear()}-${String(month.getMonth() + 1).padStart(2, "0")}`);
    }
  }
  return keys;
}

function periodName(key) {
  const [year, part] = key.split("-");
  if (part.startsWith("Q")) return t("conInsQuarter", { q: part.slice(1), year });
  return new Intl.DateTimeFormat(language(), { month: "short", year: "numeric" })
    .format(new Date(Number(year), Number(part) - 1, 1));
}

const slugKey = (slug) => slug.replace(/-/g, "_");
const words = (prefix, name) => {
  const key = `${prefix}${slugKey(name)}`;
  const text = t(key);
  return text === key ? name : text;
};
const whole = (value) => String(Math.round(value));
const shownFigure = (figure) => figure && figure.percent !== null && figure.percent !== undefined;

// The chart: one dot per period at its score, a bar from low to high; "Too few" where the
// group was too small. Sizes are in the viewBox; the SVG scales to the width it is given.
const WIDTH = 640, HEIGHT = 250, LEFT = 40, RIGHT = 12, TOP = 14, PLOT = 190;
const y = (value) => TOP + PLOT - (Math.max(0, Math.min(100, value)) / 100) * PLOT;

function chart(survey, rows) {
  const step = (WIDTH - LEFT - RIGHT) / rows.length;
  const parts = [];
  for (const tick of [0, 25, 50, 75, 100]) {
    parts.push(el("svg:line", { class: "con-grid", x1: LEFT, x2: WIDTH - RIGHT, y1: y(tick), y2: y(tick) }),
      el("svg:text", { class: "con-axis", x: LEFT - 8, y: y(tick) + 4, "text-anchor": "end", text: String(tick) }));
  }
  const summary = [];
  rows.forEach(({ key, figure }, index) => {
    const x = LEFT + step * (index + 0.5);
    parts.push(el("svg:text", { class: "con-axis", x, y: TOP + PLOT + 24, "text-anchor": "middle", text: periodName(key) }));
    if (!shownFigure(figure)) {
      parts.push(el("svg:text", { class: "con-few", x, y: y(50), "text-anchor": "middle", text: t("conInsTooFewShort") }));
      summary.push(t("conInsPointFew", { period: periodName(key) }));
      return;
    }
    const low = figure.low ?? figure.percent, high = figure.high ?? figure.percent;
    parts.push(
      el("svg:line", { class: "con-interval", x1: x, x2: x, y1: y(low), y2: y(high) }),
      el("svg:line", { class: "con-interval", x1: x - 8, x2: x + 8, y1: y(low), y2: y(low) }),
      el("svg:line", { class: "con-interval", x1: x - 8, x2: x + 8, y1: y(high), y2: y(high) }),
      el("svg:circle", { class: "con-dot", cx: x, cy: y(figure.percent), r: 6 }),
      el("svg:text", { class: "con-value", x: x + 12, y: y(figure.percent) + 5, text: whole(figure.percent) }));
    summary.push(t("conInsPoint", { period: periodName(key), score: whole(figure.percent),
                                    low: whole(low), high: whole(high) }));
  });
  return el("svg:svg", { class: "con-chart", viewBox: `0 0 ${WIDTH} ${HEIGHT}`, role: "img",
    "aria-label": t("conInsChartLabel", { survey, summary: summary.join("; ") }) }, parts);
}

function figureText(figure) {
  return shownFigure(figure) ? whole(figure.percent) : t("conInsTooFew");
}

function rangeText(figure) {
  return shownFigure(figure) && figure.low !== null ? `${whole(figure.low)}–${whole(figure.high)}` : "—";
}

// One survey across the periods: chart, then the same numbers (and each part's) in a table.
function surveySection(slug, releases) {
  const name = words("conInsSurvey_", slug);
  const rows = releases.map(({ key, body }) => {
    const survey = body?.surveys.find((item) => item.survey === slug);
    return { key, survey, figure: survey?.enough_responses ? survey.all_items : null };
  });
  const dimensions = [...new Set(rows.flatMap(({ survey }) => survey?.dimensions.map((d) => d.dimension) ?? []))];
  const columns = [t("conInsPeriod"), t("conInsPeople"), `${t("conInsAll")}: ${t("conInsScore")}`, t("conInsRange"),
    ...dimensions.map((dimension) => words("conInsDim_", dimension))];
  const cells = rows.map(({ key, survey, figure }) => [
    periodName(key),
    survey?.enough_responses ? `${survey.respondents.estimate} (${survey.respondents.low}–${survey.respondents.high})`
      : t("conInsTooFew"),
    figureText(figure), rangeText(figure),
    ...dimensions.map((dimension) => {
      const part = survey?.enough_responses ? survey.dimensions.find((d) => d.dimension === dimension) : null;
      return shownFigure(part) ? `${whole(part.percent)} (${rangeText(part)})` : t("conInsTooFew");
    }),
  ]);
  const about = words("conInsAbout_", slug);
  return el("section", { class: "card con-insight", "aria-labelledby": `ins-${slug}` },
    el("h2", { id: `ins-${slug}`, text: name }),
    about !== slug ? el("p", { class: "muted small", text: about }) : null,
    chart(name, rows),
    el("details", { class: "con-numbers-details" }, el("summary", { text: t("conInsNumbers") }),
      table(t("conInsTableCaption", { survey: name }), columns, cells, "con-numbers")));
}

async function release(user, key) {
  try {
    return { key, body: (await request("GET", agencyApi(user, "/insights"), { params: { period: key } })).data };
  } catch (error) {
    if (error instanceof ApiError && error.status === 422) return null; // not closed yet here
    throw error;
  }
}

export const insights = consoleScreen(async (user, _match, query) => {
  const by = query?.get("by") === "quarter" ? "quarter" : "month";
  const choose = el("nav", { class: "con-switch", "aria-label": t("conInsBy") },
    el("span", { class: "muted", text: `${t("conInsBy")}:` }),
    [["month", "conInsMonths"], ["quarter", "conInsQuarters"]].map(([value, label]) =>
      el("a", { class: "button", href: `#/agency/insights?by=${value}`, text: t(label),
                "aria-current": value === by ? "page" : null })));
  let body;
  try {
    const releases = (await Promise.all(lastPeriods(by).map((key) => release(user, key)))).filter(Boolean);
    const slugs = [...new Set(releases.flatMap(({ body: got }) => got.surveys.map((survey) => survey.survey)))];
    body = slugs.length ? slugs.map((slug) => surveySection(slug, releases))
      : el("p", { class: "muted", text: t("conInsNone") });
  } catch (error) {
    body = el("p", { class: "error", text: problemText(error) });
  }
  return consolePage(t("conInsTitle"), t("conInsIntro"), choose,
    el("p", { class: "notice", text: t("conInsPrivacy") }),
    el("p", { class: "muted small", text: t("conInsKept") }), body);
});
