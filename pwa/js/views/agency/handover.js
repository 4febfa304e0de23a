// Handing over a worker's partnerships (agency admins): choose which ones and who takes them
// over, ask, and follow the requests. A partnership is shown only by when it started, its
// state and how often they check in: never the peer's name. Each peer decides in the app;
// nothing moves until they agree.
import { request } from "../../api.js";
import { el } from "../../dom.js";
import { addStrings, t } from "../../i18n.js";
import { render, status } from "../../screen.js";
import { me } from "../../session.js";
import { Notice, dateText, form, problemText } from "../../ui.js";

addStrings({
  en: {
    conHandoverTitle: "Hand over {name}'s partnerships", conHandoverBack: "Back to members",
    conHandoverIntro: "Each person they support is asked in the app. Nothing moves until that person agrees. After a move, the new worker sees the shared goals and check-ins, and {name} does not.",
    conHandoverWhich: "Which partnerships", conHandoverNone: "{name} has no active or paused partnerships to hand over.",
    conHandoverStarted: "Started {date}", conHandoverEvery: "check-ins every {n} days",
    conHandoverEvery_one: "check-ins every day",
    conHandoverTo: "Hand over to", conHandoverPick: "Choose a worker",
    conHandoverNoOne: "There is no other worker in your agency yet. Make a join code to add one.",
    conHandoverAsk: "Ask them", conHandoverPickOne: "Choose at least one partnership.",
    conHandoverAsked: "Asked. Each person will see the request in the app.",
    conHandoverAsked_one: "Asked. The person will see the request in the app.",
    conHandoverRequests: "Requests", conHandoverNoRequests: "No requests yet.",
    conHandoverLine: "Partnership started {date}: {from} to {to}",
    conHandoverAskedOn: "asked {date}", conHandoverDecidedOn: "{status} {date}",
    conHandoverCancel: "Cancel request", conHandoverCancelled: "Request cancelled.",
    conHandoverErased: "a removed account", conHandoverFailed: "Could not load this worker.",
    conHandoverStatus_active: "active", conHandoverStatus_paused: "paused",
    conHandover_waiting: "waiting for an answer", conHandover_accepted: "agreed",
    conHandover_declined: "said not now", conHandover_cancelled: "cancelled",
  },
  es: {
    conHandoverTitle: "Pasar los acompañamientos de {name}", conHandoverBack: "Volver a las personas del equipo",
    conHandoverIntro: "A cada persona acompañada se le pregunta en la app. Nada cambia hasta que esa persona acepta. Después del cambio, el nuevo acompañante de pares ve las metas y avances compartidos, y {name} ya no.",
    conHandoverWhich: "Qué acompañamientos", conHandoverNone: "{name} no tiene acompañamientos activos ni en pausa para pasar.",
    conHandoverStarted: "Empezó el {date}", conHandoverEvery: "avances cada {n} días",
    conHandoverEvery_one: "avances cada día",
    conHandoverTo: "Pasar a", conHandoverPick: "Elige a un acompañante de pares",
    conHandoverNoOne: "Todavía no hay otro acompañante de pares en tu agencia. Crea un código para sumar a alguien.",
    conHandoverAsk: "Preguntarles", conHandoverPickOne: "Elige al menos un acompañamiento.",
    conHandoverAsked: "Listo. Cada persona verá el pedido en la app.",
    conHandoverAsked_one: "Listo. La persona verá el pedido en la app.",
    conHandoverRequests: "Pedidos", conHandoverNoRequests: "Todavía no hay pedidos.",
    conHandoverLine: "Acompañamiento que empezó el {date}: de {from} a {to}",
    conHandoverAskedOn: "pedido el {date}", conHandoverDecidedOn: "{status} el {date}",
    conHandoverCancel: "Cancelar el pedido", conHandoverCancelled: "Pedido cancelado.",
    conHandoverErased: "una cuenta borrada", conHandoverFailed: "No se pudo cargar a esta persona.",
    conHandoverStatus_active: "activo", conHandoverStatus_paused: "en pausa",
    conHandover_waiting: "esperando respuesta", conHandover_accepted: "aceptó",
    conHandover_declined: "dijo que ahora no", conHandover_cancelled: "cancelado",
  },
});

const nameOf = (person) => person?.display_name || t("conHandoverErased");

function partnershipLine(item) {
  return `${t("conHandoverStarted", { date: dateText(item.started) })} · ${
    t(`conHandoverStatus_${item.status}`)} · ${t("conHandoverEvery", { n: item.checkin_cadence_days })}`;
}

function askForm(base, worker, partnerships, others) {
  const choices = el("fieldset", { class: "handover-choices" },
    el("legend", { text: t("conHandoverWhich") }),
    partnerships.map((item) => el("div", { class: "check" },
      el("input", { type: "checkbox", id: `ho-${item.id}`, name: "partnership_ids", value: item.id,
                    checked: true }),
      el("label", { for: `ho-${item.id}`, text: partnershipLine(item) }))));
  const select = el("select", { id: "ho-to", name: "to_worker_id", required: true },
    el("option", { value: "", text: t("conHandoverPick") }),
    others.map((person) => el("option", { value: person.id, text: nameOf(person) })));
  return form({ class: "card handover-form" }, [
    choices,
    el("div", { class: "field" }, el("label", { for: "ho-to", text: t("conHandoverTo") }), select),
    el("button", { type: "submit", class: "primary", text: t("conHandoverAsk") })],
  async (values, node) => {
    const chosen = [...node.querySelectorAll("input[name=partnership_ids]:checked")].map((box) => box.value);
    if (!chosen.length) throw new Notice(t("conHandoverPickOne"));
    const { data } = await request("POST", `${base}/handovers`, { body: {
      from_worker_id: worker.id, to_worker_id: values.to_worker_id || undefined,
      partnership_ids: chosen } });
    await render();
    status(t("conHandoverAsked", { n: data.length }));
  });
}

function requestList(base, items) {
  if (!items.length) return el("p", { class: "muted", text: t("conHandoverNoRequests") });
  return el("ul", { class: "plain handover-requests" }, items.map((item) => el("li", {},
    el("p", { text: t("conHandoverLine", { date: dateText(item.partnership_started),
      from: nameOf(item.from_worker), to: nameOf(item.to_worker) }) }),
    el("p", { class: "muted small", text: `${t("conHandoverAskedOn", { date: dateText(item.asked_at) })}${
      item.status === "waiting" ? ` · ${t("conHandover_waiting")}`
        : ` · ${t("conHandoverDecidedOn", { status: t(`conHandover_${item.status}`), date: dateText(item.decided_at) })}`}` }),
    item.status === "waiting" ? el("button", { type: "button", text: t("conHandoverCancel"),
      onclick: async () => {
        try {
          await request("DELETE", `${base}/handovers/${item.id}`);
          await render();
          status(t("conHandoverCancelled"));
        } catch (error) {
          status(problemText(error));
        }
      } }) : null)));
}

export async function handover([workerId]) {
  const user = await me();
  if (user?.role !== "agency_admin") { location.hash = "#/"; return []; }
  const base = `/api/v1/agencies/${user.agency_id}`;
  const back = el("p", {}, el("a", { href: "#/agency/members", text: t("conHandoverBack") }));
  let members, partnerships, requests;
  try {
    [{ data: members }, { data: partnerships }, { data: requests }] = await Promise.all([
      request("GET", `${base}/members`),
      request("GET", `${base}/members/${workerId}/partnerships`),
      request("GET", `${base}/handovers`)]);
  } catch (error) {
    return [back, el("h1", { text: t("conHandoverFailed") }), el("p", { text: problemText(error) })];
  }
  const worker = members.find((person) => person.id === workerId) ?? { id: workerId };
  const name = nameOf(worker);
  const others = members.filter((person) => person.id !== workerId);
  const theirs = requests.filter((item) => item.from_worker?.id === workerId || item.to_worker?.id === workerId);
  const asking = !partnerships.length ? el("p", { class: "card", text: t("conHandoverNone", { name }) })
    : !others.length ? el("p", { class: "card", text: t("conHandoverNoOne") })
      : askForm(base, worker, partnerships, others);
  const list = el("section", { class: "card", "aria-labelledby": "ho-requests" },
    el("h2", { id: "ho-requests", text: t("conHandoverRequests") }), requestList(base, theirs));
  return [back, el("h1", { text: t("conHandoverTitle", { name }) }),
          el("p", { text: t("conHandoverIntro", { name }) }), asking, list];
}
