// Members: the agency's peer support workers (name, email, when they joined, how many
// partnerships they have under the agency), and removing one from the agency. A worker who
// still supports peers under the agency cannot be removed: the API says so (409), and the
// screen offers to hand their partnerships over first.
import { ApiError, request } from "../../api.js";
import { el, fill } from "../../dom.js";
import { addStrings, t } from "../../i18n.js";
import { status } from "../../screen.js";
import { ask, dateText, problemText } from "../../ui.js";
import { agencyApi, consolePage, consoleScreen, table } from "./common.js";

addStrings({
  en: {
    conMembersTitle: "Members",
    conMembersIntro: "The peer support workers in your agency. People join with a join code.",
    conMembersJoinLink: "Make a join code", conMembersList: "Workers", conMembersNone: "No workers yet.",
    conMembersColName: "Name", conMembersColEmail: "Email", conMembersColJoined: "Joined",
    conMembersColPartnerships: "Partnerships", conMembersColRemove: "Remove",
    conMembersUnknown: "Not known", conMembersNoName: "(no name)",
    conMembersRemove: "Remove", conMembersRemoveName: "Remove {name} from the agency",
    conMembersRemoveAsk: "Remove {name} from the agency? They keep their account, but no longer see your agency's tips and crisis lines.",
    conMembersRemoveYes: "Remove", conMembersKeep: "Keep them", conMembersRemoved: "{name} left the agency.",
    conMembersHandover: "Hand over their partnerships",
  },
  es: {
    conMembersTitle: "Miembros",
    conMembersIntro: "Los acompañantes de pares de tu agencia. Se unen con un código para unirse.",
    conMembersJoinLink: "Crear un código para unirse", conMembersList: "Acompañantes", conMembersNone: "Aún no hay acompañantes.",
    conMembersColName: "Nombre", conMembersColEmail: "Correo", conMembersColJoined: "Se unió",
    conMembersColPartnerships: "Acompañamientos", conMembersColRemove: "Quitar",
    conMembersUnknown: "No se sabe", conMembersNoName: "(sin nombre)",
    conMembersRemove: "Quitar", conMembersRemoveName: "Quitar a {name} de la agencia",
    conMembersRemoveAsk: "¿Quitar a {name} de la agencia? Conserva su cuenta, pero ya no ve los consejos ni las líneas de crisis de tu agencia.",
    conMembersRemoveYes: "Quitar", conMembersKeep: "Dejarlo", conMembersRemoved: "{name} salió de la agencia.",
    conMembersHandover: "Pasar sus acompañamientos a otra persona",
  },
});

// The API's reason a worker cannot be removed yet, and the way forward.
function blocked(error, member) {
  return el("div", { class: "notice con-blocked", role: "alert" },
    el("p", { text: problemText(error) }),
    el("p", {}, el("a", { href: `#/agency/members/${member.id}/handover`, text: t("conMembersHandover") })));
}

export const members = consoleScreen(async (user) => {
  const message = el("div");
  const list = el("div");

  const remove = async (member, name) => {
    if (!await ask(t("conMembersRemoveAsk", { name }), t("conMembersRemoveYes"), t("conMembersKeep"), true)) return;
    fill(message);
    try {
      await request("DELETE", agencyApi(user, `/members/${member.id}`));
      status(t("conMembersRemoved", { name }));
    } catch (error) {
      if (error instanceof ApiError && error.status === 409) fill(message, blocked(error, member));
      else fill(message, el("p", { class: "error", role: "alert", text: problemText(error) }));
    }
    await redraw();
  };

  const redraw = async () => {
    try {
      const { data } = await request("GET", agencyApi(user, "/members"));
      fill(list, data.length ? table(t("conMembersList"),
        [t("conMembersColName"), t("conMembersColEmail"), t("conMembersColJoined"),
         t("conMembersColPartnerships"), t("conMembersColRemove")],
        data.map((member) => {
          const name = member.display_name || t("conMembersNoName");
          return [name, member.email || "", member.joined_at ? dateText(member.joined_at) : t("conMembersUnknown"),
            String(member.partnerships ?? 0),
            el("button", { type: "button", class: "quiet-danger small-button", text: t("conMembersRemove"),
              "aria-label": t("conMembersRemoveName", { name }), onclick: () => remove(member, name) })];
        }), "con-members")
        : el("p", { class: "muted", text: t("conMembersNone") }));
    } catch (error) {
      fill(list, el("p", { class: "error", text: problemText(error) }));
    }
  };

  await redraw();
  return consolePage(t("conMembersTitle"), t("conMembersIntro"),
    el("p", {}, el("a", { href: "#/agency/join-codes", text: t("conMembersJoinLink") })),
    message, list);
});
