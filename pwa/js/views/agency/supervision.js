// Supervision without content: per worker, process numbers only (partnerships, paused,
// check-ins overdue, median consistency, days since the last check-in), lowest consistency
// first, as the API sorts them. No one's words; each look lands in the worker's access log.
import { request } from "../../api.js";
import { el } from "../../dom.js";
import { addStrings, language, t } from "../../i18n.js";
import { problemText } from "../../ui.js";
import { agencyApi, consolePage, consoleScreen, table } from "./common.js";

addStrings({
  en: {
    conSupTitle: "Supervision",
    conSupIntro: "How steadily each worker checks in with the peers they support. Lowest first, so you know who may need support.",
    conSupPrivacy: "This list shows no one's words: no goals, notes or answers, and no peer's name. Each time you open it, every worker listed sees it in their access log.",
    conSupTable: "Workers, lowest consistency first", conSupNone: "No workers yet.",
    conSupColName: "Worker", conSupColPartnerships: "Partnerships", conSupColPaused: "Paused",
    conSupColOverdue: "Check-ins overdue", conSupColConsistency: "Consistency (median)",
    conSupColDays: "Days since last check-in", conSupNoScore: "No score yet", conSupNever: "Never",
    conSupNoName: "(no name)",
    conSupHow: "Consistency: how steadily check-ins happen on the agreed schedule over the last 12 weeks, from 0% to 100%. Recent weeks count more. Overdue: partnerships a day or more past their check-in.",
  },
  es: {
    conSupTitle: "Supervisión",
    conSupIntro: "Con qué constancia cada acompañante se reporta con las personas que acompaña. Primero quien está más bajo, para que sepas quién puede necesitar apoyo.",
    conSupPrivacy: "Esta lista no muestra las palabras de nadie: ni metas, ni notas, ni respuestas, ni el nombre de ninguna persona acompañada. Cada vez que la abres, cada acompañante de la lista lo ve en su registro de accesos.",
    conSupTable: "Acompañantes, primero la constancia más baja", conSupNone: "Aún no hay acompañantes.",
    conSupColName: "Acompañante", conSupColPartnerships: "Acompañamientos", conSupColPaused: "En pausa",
    conSupColOverdue: "Reportes atrasados", conSupColConsistency: "Constancia (mediana)",
    conSupColDays: "Días desde el último reporte", conSupNoScore: "Aún sin dato", conSupNever: "Nunca",
    conSupNoName: "(sin nombre)",
    conSupHow: "Constancia: qué tan seguido hay reportes según lo acordado en las últimas 12 semanas, de 0 % a 100 %. Las semanas recientes cuentan más. Atrasados: acompañamientos con el reporte vencido hace un día o más.",
  },
});

const percent = (value) =>
  new Intl.NumberFormat(language(), { style: "percent", maximumFractionDigits: 0 }).format(value);

export const supervision = consoleScreen(async (user) => {
  let body;
  try {
    const { data } = await request("GET", agencyApi(user, "/supervision"));
    body = data.length ? table(t("conSupTable"),
      [t("conSupColName"), t("conSupColPartnerships"), t("conSupColPaused"), t("conSupColOverdue"),
       t("conSupColConsistency"), t("conSupColDays")],
      data.map((row) => [
        row.display_name || t("conSupNoName"), String(row.partnerships), String(row.paused),
        row.overdue ? el("strong", { text: String(row.overdue) }) : "0",
        row.median_consistency === null ? t("conSupNoScore")
          : el("span", { class: "con-meter" },
            el("meter", { min: 0, max: 1, value: row.median_consistency, "aria-hidden": "true" }),
            percent(row.median_consistency)),
        row.days_since_last_checkin === null ? t("conSupNever") : String(row.days_since_last_checkin),
      ]), "con-numbers")
      : el("p", { class: "muted", text: t("conSupNone") });
  } catch (error) {
    body = el("p", { class: "error", text: problemText(error) });
  }
  return consolePage(t("conSupTitle"), t("conSupIntro"),
    el("p", { class: "notice", text: t("conSupPrivacy") }), body,
    el("p", { class: "muted small", text: t("conSupHow") }));
});
