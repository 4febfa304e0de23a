// Invites: a worker invites a peer (the code, a link to share, a QR code to scan), sees the
// invites no one has used yet and cancels one; a peer opens the link (#/join?code=...) and
// joins; a worker who signed up without an agency joins one with its code.
import { request } from "../api.js";
import { el, fill } from "../dom.js";
import { addStrings, language, t } from "../i18n.js";
import { status } from "../screen.js";
import { join, me, refreshMe } from "../session.js";
import { ask, dateText, field, form, problemText } from "../ui.js";
import { takeAuthorization } from "../visit.js";

addStrings({
  en: {
    inviteNew: "Invite a peer", inviteCodeIs: "Their invite code:",
    inviteShareHelp: "Share the link, or let them scan the code with their phone's camera. It works once, until {date}.",
    inviteShareText: "Join me on Rapport with this code: {code}",
    inviteShare: "Share the link", inviteQr: "QR code that opens the join link",
    invitesPending: "Invites not used yet", invitesNone: "No open invites.",
    inviteMade: "Made {made} · works until {date}", inviteCancel: "Cancel",
    inviteCancelAsk: "Cancel this invite? Its code will stop working.",
    inviteCancelYes: "Cancel invite", inviteKeep: "Keep it", inviteCancelled: "Invite cancelled.",
    joinWith: "Join with code {code}", joinAsPeerOnly: "Only peers join with an invite code. Sign out first to join as a peer.",
    joinSignedIn: "You are signed in. Join with this code?",
    joinTitle: "Have an invite code? Join", code: "Invite code", codeHint: "Like K7QM-4TPX.",
    displayName: "Your name", nameHint: "Your peer worker sees this name.",
    username: "Pick a username", usernameHint: "You sign in with this. No email needed.",
    password: "Password", passwordHint: "At least 8 characters. A few words together work well.",
    joinButton: "Join",
    agencyJoinTitle: "Join your agency", agencyJoinHelp: "Got a code from your agency? Enter it to see its own tips. Your peers and goals stay as they are.",
    agencyJoinCode: "Agency code", agencyJoinButton: "Join agency", agencyJoined: "You joined your agency.",
  },
  es: {
    inviteNew: "Invitar a una persona", inviteCodeIs: "El código para la persona que acompañas:",
    inviteShareHelp: "Comparte el enlace, o deja que escanee el código con la cámara de su teléfono. Sirve una vez, hasta el {date}.",
    inviteShareText: "Únete conmigo en Rapport con este código: {code}",
    inviteShare: "Compartir el enlace", inviteQr: "Código QR que abre el enlace para unirse",
    invitesPending: "Invitaciones sin usar", invitesNone: "No hay invitaciones abiertas.",
    inviteMade: "Hecha el {made} · sirve hasta el {date}", inviteCancel: "Anular",
    inviteCancelAsk: "¿Anular esta invitación? Su código dejará de servir.",
    inviteCancelYes: "Anular invitación", inviteKeep: "Dejarla", inviteCancelled: "Invitación anulada.",
    joinWith: "Unirte con el código {code}", joinAsPeerOnly: "Solo las personas acompañadas se unen con un código. Cierra sesión antes para unirte.",
    joinSignedIn: "Ya iniciaste sesión. ¿Te unes con este código?",
    joinTitle: "¿Tienes un código de invitación? Únete", code: "Código de invitación",
    codeHint: "Como K7QM-4TPX.", displayName: "Tu nombre", nameHint: "Tu acompañante ve este nombre.",
    username: "Elige un nombre de usuario", usernameHint: "Entras con esto. No necesitas correo.",
    password: "Contraseña", passwordHint: "Al menos 8 caracteres. Varias palabras juntas funcionan bien.",
    joinButton: "Unirme",
    agencyJoinTitle: "Únete a tu agencia", agencyJoinHelp: "¿Te dieron un código de tu agencia? Escríbelo para ver sus consejos. Tus personas y metas quedan igual.",
    agencyJoinCode: "Código de la agencia", agencyJoinButton: "Unirme a la agencia", agencyJoined: "Te uniste a tu agencia.",
  },
});

// The API's SVG as an image: an <img> runs no script and reads no page, and the CSP allows
// data: images. The text goes in as a URL, never as markup in this page.
function qrImage(svg) {
  return el("img", { class: "qr", src: `data:image/svg+xml,${encodeURIComponent(svg)}`,
    alt: t("inviteQr"), width: 220, height: 220 });
}

async function shareLink(invite) {
  const text = t("inviteShareText", { code: invite.code });
  if (navigator.share) {
    try { await navigator.share({ title: "Rapport", text, url: invite.join_url }); return; }
    catch (error) { if (error?.name === "AbortError") return; } // cancelled: nothing to say
  }
  try {
    await navigator.clipboard.writeText(invite.join_url);
    status(t("copied"));
  } catch {
    status(invite.join_url); // no clipboard here: show the link to copy by hand
  }
}

function pendingItem(invite, redraw) {
  const cancel = el("button", { type: "button", class: "danger small-button", text: t("inviteCancel"),
    "aria-label": `${t("inviteCancel")}: ${dateText(invite.created_at, true)}`,
    onclick: async () => {
      if (!await ask(t("inviteCancelAsk"), t("inviteCancelYes"), t("inviteKeep"))) return;
      try {
        await request("DELETE", `/api/v1/invites/${invite.id}`);
        status(t("inviteCancelled"));
      } catch (error) {
        status(problemText(error));
      }
      await redraw();
    } });
  return el("li", { "data-invite": invite.id },
    el("span", { text: t("inviteMade", { made: dateText(invite.created_at, true),
                                          date: dateText(invite.expires_at) }) }), " ", cancel);
}

// The worker's card on the Goals view: the invite button, the new invite, the open ones.
export async function inviteCard() {
  const result = el("div", { "aria-live": "polite" });
  const list = el("ul", { class: "plain pending-invites" });
  const redraw = async () => {
    try {
      const { data } = await request("GET", "/api/v1/invites", { params: { page_size: 100 } });
      fill(list, data.length ? data.map((invite) => pendingItem(invite, redraw))
        : el("li", { class: "muted", text: t("invitesNone") }));
    } catch (error) {
      fill(list, el("li", { class: "muted", text: problemText(error) }));
    }
  };
  const button = el("button", { type: "button", text: t("inviteNew"), onclick: async () => {
    try {
      const { data } = await request("POST", "/api/v1/invites", { params: { lang: language() }, body: {} });
      fill(result,
        el("p", { class: "muted", text: t("inviteCodeIs") }),
        el("p", { class: "code", text: data.code }),
        el("p", { text: t("inviteShareHelp", { date: dateText(data.expires_at) }) }),
        el("p", {}, el("button", { type: "button", text: t("inviteShare"), onclick: () => shareLink(data) })),
        qrImage(data.qr));
      await redraw();
    } catch (error) {
      fill(result, el("p", { class: "error", text: problemText(error) }));
    }
  } });
  await redraw();
  return el("section", { class: "card", "aria-label": t("inviteNew") },
    button, result,
    el("h2", { text: t("invitesPending") }), list);
}

// The form a new peer fills in to join; open, with the code in, when a link brought one.
export function joinForm(code = "") {
  return el("details", { class: "card", open: Boolean(code) }, el("summary", { text: t("joinTitle") }),
    form({}, [
      field(t("code"), { name: "code", autocomplete: "off", autocapitalize: "characters", required: true, value: code || undefined }, t("codeHint")),
      field(t("displayName"), { name: "display_name", autocomplete: "nickname", required: true, maxlength: 80 }, t("nameHint")),
      field(t("username"), { name: "username", autocomplete: "username", required: true }, t("usernameHint")),
      field(t("password"), { name: "password", type: "password", autocomplete: "new-password", required: true }, t("passwordHint")),
      el("button", { type: "submit", text: t("joinButton") })],
    async ({ code: typed, ...details }) => {
      const partnershipId = await join(typed, details);
      location.hash = takeAuthorization() || `#/partnerships/${partnershipId}`;
    }));
}

// #/join?code=K7QM-4TPX: the link in an invite, or its QR code.
export async function joinPage(_match, query) {
  const code = (query?.get("code") || "").slice(0, 20);
  const user = await me();
  const head = el("h1", { text: code ? t("joinWith", { code }) : t("joinTitle") });
  if (!user) return [head, joinForm(code)];
  if (user.role !== "peer") return [head, el("p", { text: t("joinAsPeerOnly") })];
  // A peer with an account already (a second worker, say) joins as themselves.
  return [head, form({ class: "card" }, [
    el("p", { text: t("joinSignedIn") }),
    field(t("code"), { name: "code", autocomplete: "off", required: true, value: code || undefined }),
    el("button", { type: "submit", text: t("joinButton") })],
  async ({ code: typed }) => {
    const partnershipId = await join(typed, {});
    location.hash = `#/partnerships/${partnershipId}`;
  })];
}

// Settings, for a worker who signed up without an agency's code.
export function agencyCard() {
  return el("section", { class: "card", "aria-labelledby": "agency-join" },
    el("h2", { id: "agency-join", text: t("agencyJoinTitle") }),
    el("p", { class: "muted", text: t("agencyJoinHelp") }),
    form({}, [
      field(t("agencyJoinCode"), { name: "code", autocomplete: "off", autocapitalize: "characters", required: true }),
      el("button", { type: "submit", text: t("agencyJoinButton") })],
    async ({ code }) => {
      await request("POST", "/api/v1/me/agency", { body: { code } });
      await refreshMe();
      status(t("agencyJoined"));
    }));
}
