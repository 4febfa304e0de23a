// Join codes: an agency admin makes a code for workers to enter when they make their account
// (shown once, with words to send them), sees the codes (never the code itself again) and
// revokes one, so no one else joins with it.
import { request } from "../../api.js";
import { el, fill } from "../../dom.js";
import { addStrings, t } from "../../i18n.js";
import { status } from "../../screen.js";
import { ask, dateText, field, form, problemText } from "../../ui.js";
import { agencyApi, consolePage, consoleScreen, copyButton, table } from "./common.js";

addStrings({
  en: {
    conJoinTitle: "Join codes for workers",
    conJoinIntro: "A peer support worker enters a join code when they make their Rapport account. Then they are part of your agency: they see your tips and crisis lines, and you see them under Members.",
    conJoinNew: "Make a join code", conJoinLabel: "Label (optional)",
    conJoinLabelHint: "Who or what it is for, like “March training”. Only admins see it.",
    conJoinMake: "Make code", conJoinYourCode: "The new join code",
    conJoinOnce: "Copy it now. We will not show the code again. It works until {date}.",
    conJoinCopyCode: "Copy the code", conJoinSendTitle: "A message to send to your workers",
    conJoinMessage: "Join our agency on Rapport. Open {url}, choose “New peer support worker? Create an account”, and type this code in “Agency code (optional)”: {code}. It works until {date}.",
    conJoinCopyMessage: "Copy the message", conJoinList: "Your join codes", conJoinNone: "No join codes yet.",
    conJoinColLabel: "Label", conJoinColCreated: "Made", conJoinColExpires: "Works until",
    conJoinColUses: "Workers joined", conJoinColStatus: "Status", conJoinNoLabel: "(no label)",
    conJoinActive: "Works", conJoinExpired: "Expired", conJoinRevoked: "Revoked",
    conJoinRevoke: "Revoke", conJoinRevokeName: "Revoke the code {name}",
    conJoinRevokeAsk: "Revoke this code? No one else can join with it. Workers who already joined stay.",
    conJoinRevokeYes: "Revoke code", conJoinKeep: "Keep it", conJoinRevokedNow: "Code revoked.",
  },
  es: {
    conJoinTitle: "Códigos para unirse (acompañantes)",
    conJoinIntro: "Un acompañante de pares escribe el código al crear su cuenta de Rapport. Así entra en tu agencia: ve tus consejos y líneas de crisis, y tú lo ves en Miembros.",
    conJoinNew: "Crear un código", conJoinLabel: "Etiqueta (opcional)",
    conJoinLabelHint: "Para quién o para qué es, como «Capacitación de marzo». Solo lo ve la administración.",
    conJoinMake: "Crear código", conJoinYourCode: "El nuevo código",
    conJoinOnce: "Cópialo ahora. No volveremos a mostrar el código. Sirve hasta el {date}.",
    conJoinCopyCode: "Copiar el código", conJoinSendTitle: "Un mensaje para enviar a tus acompañantes",
    conJoinMessage: "Únete a nuestra agencia en Rapport. Abre {url}, elige «¿Eres acompañante de pares y todavía no tienes cuenta? Crea una» y escribe este código en «Código de la agencia (opcional)»: {code}. Sirve hasta el {date}.",
    conJoinCopyMessage: "Copiar el mensaje", conJoinList: "Tus códigos", conJoinNone: "Aún no hay códigos.",
    conJoinColLabel: "Etiqueta", conJoinColCreated: "Creado", conJoinColExpires: "Sirve hasta",
    conJoinColUses: "Se unieron", conJoinColStatus: "Estado", conJoinNoLabel: "(sin etiqueta)",
    conJoinActive: "Sirve", conJoinExpired: "Vencido", conJoinRevoked: "Revocado",
    conJoinRevoke: "Revocar", conJoinRevokeName: "Revocar el código {name}",
    conJoinRevokeAsk: "¿Revocar este código? Nadie más podrá unirse con él. Quienes ya se unieron se quedan.",
    conJoinRevokeYes: "Revocar código", conJoinKeep: "Dejarlo", conJoinRevokedNow: "Código revocado.",
  },
});

const STATUS = { active: "conJoinActive", expired: "conJoinExpired", revoked: "conJoinRevoked" };

function codeRows(user, codes, redraw) {
  return codes.map((code) => {
    const name = code.label || t("conJoinNoLabel");
    return [
      name, dateText(code.created_at), dateText(code.expires_at), String(code.uses ?? 0),
      code.status === "active"
        ? el("span", { class: "con-status-cell" }, `${t("conJoinActive")} `,
          el("button", { type: "button", class: "quiet-danger small-button", text: t("conJoinRevoke"),
            "aria-label": t("conJoinRevokeName", { name }), onclick: async () => {
              if (!await ask(t("conJoinRevokeAsk"), t("conJoinRevokeYes"), t("conJoinKeep"), true)) return;
              try {
                await request("DELETE", agencyApi(user, `/join-codes/${code.id}`));
                status(t("conJoinRevokedNow"));
              } catch (error) {
                status(problemText(error));
              }
              await redraw();
            } }))
        : t(STATUS[code.status] ?? "conJoinExpired"),
    ];
  });
}

export const joinCodes = consoleScreen(async (user) => {
  const shown = el("div");
  const list = el("div");

  const redraw = async () => {
    try {
      const { data } = await request("GET", agencyApi(user, "/join-codes"));
      fill(list, data.length
        ? table(t("conJoinList"), [t("conJoinColLabel"), t("conJoinColCreated"), t("conJoinColExpires"),
                                   t("conJoinColUses"), t("conJoinColStatus")], codeRows(user, data, redraw), "", false)
        : el("p", { class: "muted", text: t("conJoinNone") }));
    } catch (error) {
      fill(list, el("p", { class: "error", text: problemText(error) }));
    }
  };

  const make = form({ class: "card", "aria-labelledby": "join-new-title" }, [
    el("h2", { id: "join-new-title", text: t("conJoinNew") }),
    field(t("conJoinLabel"), { name: "label", maxlength: 80, autocomplete: "off" }, t("conJoinLabelHint")),
    el("button", { type: "submit", class: "primary", text: t("conJoinMake") }),
  ], async (values, node) => {
    const body = values.label ? { label: values.label } : {};
    const { data } = await request("POST", agencyApi(user, "/join-codes"), { body });
    node.reset();
    const date = dateText(data.expires_at);
    const code = el("code", { class: "code con-secret", id: "new-join-code", text: data.code });
    const message = el("textarea", { id: "join-message", class: "con-code", readonly: true, rows: 4,
      text: t("conJoinMessage", { url: `${location.origin}/#/settings`, code: data.code, date }) });
    fill(shown, el("section", { class: "card con-once", "aria-labelledby": "new-code-title" },
      el("h2", { id: "new-code-title", tabindex: "-1", text: t("conJoinYourCode") }),
      el("p", {}, code),
      el("p", { class: "con-warning", text: t("conJoinOnce", { date }) }),
      copyButton(code, t("conJoinCopyCode")),
      el("h3", {}, el("label", { for: "join-message", text: t("conJoinSendTitle") })),
      message, el("div", { class: "actions" }, copyButton(message, t("conJoinCopyMessage")))));
    shown.querySelector("h2").focus();
    await redraw();
  });

  await redraw();
  return consolePage(t("conJoinTitle"), t("conJoinIntro"), make, shown,
    el("h2", { text: t("conJoinList") }), list);
});
