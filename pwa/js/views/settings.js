// Settings and account: language; sign in, sign up (workers), join with an invite code
// (peers); for someone signed in, their data: download it, see who touched it, delete it.
import { ApiError, Offline, request } from "../api.js";
import { el } from "../dom.js";
import { addStrings, chosenLanguage, language, setLanguage, t } from "../i18n.js";
import { render, status } from "../screen.js";
import { unsentCount } from "../outbox.js";
import { deleteAccount, me, readPrivate, register, signIn, signOut } from "../session.js";
import { Notice, dateText, field, form, problemText } from "../ui.js";
import { agencyCard, joinForm } from "./invites.js";
import { foldRepeats } from "../fold.js";
import { takeAuthorization } from "../visit.js";
import { remindersSection } from "./reminders.js";

addStrings({
  en: {
    signIn: "Sign in", emailOrUsername: "Email (workers) or username (peers)", password: "Password",
    knownPhone: "A phone you signed in on before can sign in now.",
    passwordHint: "At least 8 characters. A few words together work well.",
    newWorker: "New peer support worker? Create an account", displayName: "Your name",
    email: "Email", agencyCode: "Agency code (optional)", createAccount: "Create account",
    joinTitle: "Have an invite code? Join", code: "Invite code", codeHint: "Like K7QM-4TPX.",
    username: "Pick a username", usernameHint: "You sign in with this. No email needed.",
    nameHint: "Your peer worker sees this name.", joinButton: "Join",
    signedInAs: "Signed in as {name}", role_worker: "peer support worker", role_peer: "peer",
    role_agency_admin: "agency admin", yourData: "Your data", download: "Download my data",
    downloaded: "Your data is downloading.", accessLogLink: "Who has seen my data",
    agencySeesTitle: "What your agency sees",
    agencySees: "Your agency's admins see numbers about your work: how many people you support, how many check-ins are late, how steady your check-ins are, and days since your last one. They never see goals, notes, answers or the names of the people you support.",
    agencySeesLog: "Each time they look, it shows in Who has seen my data.",
    signOut: "Sign out", signOutOffline: "You are offline. Connect to sign out, so your session ends on the server too.",
    unsentWarning: "Saved on this phone and not sent yet: {n}. If you sign out now, they will be lost.",
    stay: "Stay signed in", signOutAnyway: "Sign out anyway", signedOut: "You are signed out.",
    deleteTitle: "Delete my account",
    deleteHelp: "This erases your name, sign-in and answers, and ends every session. It cannot be undone. Shared goals stay for the other person, without your name.",
    deleteConfirm: "Type DELETE to confirm", deleteWord: "DELETE", deleteButton: "Delete my account for good",
    deleteMismatch: "Type DELETE to confirm.", accountDeleted: "Your account is deleted.",
    accessTitle: "Who has seen my data", accessHelp: "Every time someone reads or changes your data, it is written down here. Newest first.",
    noAccess: "Nothing yet.", actor_you: "You", actor_worker: "Your peer worker",
    actor_peer: "Your peer", actor_agency_admin: "An agency admin", actor_system: "Rapport",
    refused: "(refused)", morePages: "Show more", timesCount: "{n} times",
    viaApp: "via {app}", viaGoneApp: "via an app since removed",
    changeName: "Change my name", nameSaved: "Your name is saved.", changePassword: "Change my password",
    savePassword: "Save new password", currentPassword: "Current password", newPassword: "New password",
    passwordSaved: "Password changed. Other phones signed in as you are signed out, and your calendar links stopped.",
    needCurrent: "Write your current password.", needNew: "Write a new password.",
    appsLink: "Connected apps", appsLinkText: "See the apps you let into your account, and remove them.",
  },
  es: {
    signIn: "Iniciar sesión", emailOrUsername: "Correo (acompañantes de pares) o usuario (personas acompañadas)",
    knownPhone: "Un teléfono con el que ya entraste antes puede entrar ahora.",
    password: "Contraseña", passwordHint: "Al menos 8 caracteres. Varias palabras juntas funcionan bien.",
    newWorker: "¿Eres acompañante de pares y todavía no tienes cuenta? Crea una", displayName: "Tu nombre",
    email: "Correo", agencyCode: "Código de la agencia (opcional)", createAccount: "Crear cuenta",
    joinTitle: "¿Tienes un código de invitación? Únete", code: "Código de invitación",
    codeHint: "Como K7QM-4TPX.", username: "Elige un nombre de usuario",
    usernameHint: "Entras con esto. No necesitas correo.", nameHint: "Tu acompañante ve este nombre.",
    joinButton: "Unirme", signedInAs: "Sesión de {name}", role_worker: "acompañante de pares",
    role_peer: "persona acompañada", role_agency_admin: "administrador de agencia", yourData: "Tus datos",
    download: "Descargar mis datos", downloaded: "Tus datos se están descargando.",
    accessLogLink: "Quién vio mis datos", signOut: "Cerrar sesión",
    agencySeesTitle: "Lo que ve tu agencia",
    agencySees: "Quienes administran tu agencia ven números sobre tu trabajo: a cuántas personas acompañas, cuántos avances van tarde, qué tan seguido registras avances y los días desde el último. Nunca ven metas, notas, respuestas ni los nombres de las personas que acompañas.",
    agencySeesLog: "Cada vez que miran, aparece en Quién vio mis datos.",
    signOutOffline: "Estás sin conexión. Conéctate para cerrar sesión, así también termina en el servidor.",
    unsentWarning: "Guardado en este teléfono y sin enviar: {n}. Si cierras sesión ahora, se pierde.",
    stay: "Seguir con la sesión", signOutAnyway: "Cerrar sesión igual", signedOut: "Cerraste sesión.",
    deleteTitle: "Borrar mi cuenta",
    deleteHelp: "Esto borra tu nombre, tu acceso y tus respuestas, y cierra todas las sesiones. No se puede deshacer. Las metas en común quedan para la otra persona, sin tu nombre.",
    deleteConfirm: "Escribe BORRAR para confirmar", deleteWord: "BORRAR",
    deleteButton: "Borrar mi cuenta para siempre", deleteMismatch: "Escribe BORRAR para confirmar.",
    accountDeleted: "Tu cuenta está borrada.", accessTitle: "Quién vio mis datos",
    accessHelp: "Cada vez que alguien lee o cambia tus datos, queda anotado aquí. Lo más nuevo primero.",
    noAccess: "Nada todavía.", actor_you: "Tú", actor_worker: "Tu acompañante",
    actor_peer: "La persona que acompañas", actor_agency_admin: "Un administrador de la agencia",
    actor_system: "Rapport", refused: "(negado)", morePages: "Ver más", timesCount: "{n} veces",
    viaApp: "mediante {app}", viaGoneApp: "mediante una aplicación ya quitada",
    changeName: "Cambiar mi nombre", nameSaved: "Tu nombre está guardado.", changePassword: "Cambiar mi contraseña",
    savePassword: "Guardar la contraseña nueva", currentPassword: "Contraseña actual", newPassword: "Contraseña nueva",
    passwordSaved: "Contraseña cambiada. Se cerró la sesión en los otros teléfonos y tus enlaces de calendario dejaron de servir.",
    needCurrent: "Escribe tu contraseña actual.", needNew: "Escribe una contraseña nueva.",
    appsLink: "Apps conectadas", appsLinkText: "Ve las apps que dejaste entrar a tu cuenta y quítalas.",
  },
});

function languagePicker() {
  const select = el("select", { id: "language", onchange: (event) => {
    setLanguage(event.target.value);
    render();
  } },
    el("option", { value: "", text: t("languageAuto") }),
    el("option", { value: "en", lang: "en", text: "English" }),
    el("option", { value: "es", lang: "es", text: "Español" }));
  select.value = chosenLanguage();
  return [el("label", { for: "language", text: t("language") }), select];
}

const done = (message) => { location.hash = "#/"; status(message ?? ""); };
// Signed in: back to the app's sign-in request that sent them here, if one waits.
const signedIn = () => { location.hash = takeAuthorization() || "#/"; };

export function signedOutForms() {
  const signInForm = form({ class: "card", "aria-labelledby": "sign-in" }, [
    el("h2", { id: "sign-in", text: t("signIn") }),
    field(t("emailOrUsername"), { name: "login", autocomplete: "username", required: true }),
    field(t("password"), { name: "password", type: "password", autocomplete: "current-password", required: true }),
    el("button", { type: "submit", text: t("signIn") })],
  async ({ login, password }) => {
    try {
      await signIn(login.includes("@") ? { email: login, password } : { username: login, password });
    } catch (error) {
      // Held back as an unknown device (api/services/logins.py): a phone that signed in to
      // this account before is not, so say so.
      if (error instanceof ApiError && error.status === 429) {
        throw new Notice(`${problemText(error)} ${t("knownPhone")}`);
      }
      throw error;
    }
    signedIn();
  });
  const registerForm = el("details", { class: "card" }, el("summary", { text: t("newWorker") }),
    form({}, [
      field(t("displayName"), { name: "display_name", autocomplete: "name", required: true, maxlength: 80 }),
      field(t("email"), { name: "email", type: "email", autocomplete: "email", required: true }),
      field(t("password"), { name: "password", type: "password", autocomplete: "new-password", required: true }, t("passwordHint")),
      field(t("agencyCode"), { name: "agency_code", autocomplete: "off" }),
      el("button", { type: "submit", text: t("createAccount") })],
    async (values) => {
      if (!values.agency_code) delete values.agency_code;
      await register(values);
      signedIn();
    }));
  return [signInForm, registerForm, joinForm()];
}

async function download() {
  const { data } = await request("GET", "/api/v1/me/export");
  const blob = new Blob([JSON.stringify(data, null, 2)], { type: "application/json" });
  const link = el("a", { href: URL.createObjectURL(blob),
    download: `rapport-my-data-${new Date().toISOString().slice(0, 10)}.json` });
  document.body.append(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(link.href), 10000);
  status(t("downloaded"));
}

// Ask before signing out would throw away what has not been sent.
async function confirmSignOut() {
  if (!navigator.onLine) { status(t("signOutOffline")); return; }
  const waiting = await unsentCount();
  if (waiting) {
    const dialog = el("dialog", { class: "confirm", "aria-labelledby": "unsent-title" },
      el("p", { id: "unsent-title", text: t("unsentWarning", { n: waiting }) }),
      el("form", { method: "dialog" },
        el("button", { value: "stay", text: t("stay"), autofocus: true }),
        el("button", { value: "out", class: "danger", text: t("signOutAnyway") })));
    document.body.append(dialog);
    dialog.showModal();
    const answer = await new Promise((resolve) => dialog.addEventListener("close", () => resolve(dialog.returnValue)));
    dialog.remove();
    if (answer !== "out") return;
  }
  try {
    await signOut();
    done(t("signedOut"));
  } catch (error) {
    status(error instanceof Offline ? t("signOutOffline") : problemText(error));
  }
}

const atField = (name, message) => new ApiError(422, { errors: { [name]: [message] } });

// Name and password. A wrong current password is told at its field.
function accountForms(user) {
  const nameForm = el("details", { class: "card" }, el("summary", { text: t("changeName") }),
    form({}, [field(t("displayName"), { name: "display_name", autocomplete: "nickname", required: true,
                                        maxlength: 80, value: user.display_name || "" }),
              el("button", { type: "submit", class: "primary", text: t("save") })],
    async ({ display_name: name }) => {
      const { data } = await request("PATCH", "/api/v1/me", { body: { display_name: name } });
      Object.assign(user, data); // the signed-in person, as every view reads them
      await render();
      status(t("nameSaved"));
    }));
  const passwordForm = el("details", { class: "card" }, el("summary", { text: t("changePassword") }),
    form({}, [
      field(t("currentPassword"), { name: "current_password", type: "password", autocomplete: "current-password", required: true }),
      field(t("newPassword"), { name: "password", type: "password", autocomplete: "new-password", required: true }, t("passwordHint")),
      el("button", { type: "submit", class: "primary", text: t("savePassword") })],
    async (values, node) => {
      if (!values.current_password) throw atField("current_password", t("needCurrent"));
      if (!values.password) throw atField("password", t("needNew"));
      try {
        await request("PATCH", "/api/v1/me", { body: values });
      } catch (error) {
        if (error instanceof ApiError && error.status === 403) throw atField("current_password", problemText(error));
        throw error;
      }
      node.reset();
      passwordForm.open = false;
      status(t("passwordSaved"));
    }));
  return [nameForm, passwordForm];
}

function deleteSection() {
  return el("details", { class: "card danger-zone" }, el("summary", { text: t("deleteTitle") }),
    el("p", { text: t("deleteHelp") }),
    form({}, [field(t("deleteConfirm"), { name: "confirm", autocomplete: "off", required: true }),
              el("button", { type: "submit", class: "danger", text: t("deleteButton") })],
    async ({ confirm }) => {
      if (confirm.toUpperCase() !== t("deleteWord")) throw new Notice(t("deleteMismatch"));
      await deleteAccount();
      done(t("accountDeleted"));
    }));
}

export async function settings() {
  const user = await me();
  const head = [el("h1", { text: t("settings") }), ...languagePicker()];
  if (!user) return [...head, ...signedOutForms()];
  return [...head,
    el("section", { class: "card", "aria-labelledby": "account" },
      el("h2", { id: "account", text: t("signedInAs", { name: user.display_name || user.email || user.username }) }),
      el("p", { class: "muted", text: t(`role_${user.role}`) }),
      el("button", { type: "button", text: t("signOut"), onclick: confirmSignOut })),
    user.role === "worker" && !user.agency_id ? agencyCard() : null,
    user.role === "worker" && user.agency_id ? agencySees() : null,
    await remindersSection(user),
    accountForms(user),
    el("section", { class: "card", "aria-labelledby": "your-data" },
      el("h2", { id: "your-data", text: t("yourData") }),
      el("p", {}, el("button", { type: "button", text: t("download"), onclick: () =>
        download().catch((error) => status(problemText(error))) })),
      el("p", {}, el("a", { href: "#/settings/access-log", text: t("accessLogLink") }))),
    user.role === "worker" || user.role === "peer" ? connectedAppsCard() : null,
    deleteSection()];
}

// Apps the person let in (views/connected_apps.js): the list and one-tap removal.
const connectedAppsCard = () => el("section", { class: "card", "aria-labelledby": "apps-link" },
  el("h2", { id: "apps-link" }, el("a", { href: "#/settings/connected-apps", text: t("appsLink") })),
  el("p", { class: "muted", text: t("appsLinkText") }));

// Workers are told plainly what supervision shows their agency (api/services/support/supervision.py).
function agencySees() {
  return el("section", { class: "card", "aria-labelledby": "agency-sees" },
    el("h2", { id: "agency-sees", text: t("agencySeesTitle") }),
    el("p", { text: t("agencySees") }),
    el("p", {}, el("a", { href: "#/settings/access-log", text: t("agencySeesLog") })));
}

// "goal.update" → "changed goals": the log's action names, told in plain words.
const ACTIONS = {
  en: {
    verbs: { read: "looked at", list: "looked at", trend: "looked at", create: "added",
      update: "changed", delete: "deleted", erase: "erased", login: "signed in",
      logout: "signed out", export: "downloaded", accept: "accepted", register: "created",
      replace: "replaced", revoke: "revoked", join: "joined", taken_over: "took over",
      ask: "asked for", agree: "agreed to", decline: "said not now to", cancel: "cancelled" },
    objects: { account: "your account", goal: "goals", milestone: "milestones",
      checkin: "check-ins", checkins: "check-ins due", celebration: "celebrations",
      partnership: "your partnership", timeline: "the timeline", survey_response: "answers",
      self_check: "self-check results", invite: "an invite", calendar_feed: "a calendar link",
      membership: "an agency", auth: "", push_subscription: "reminders on a phone",
      supervision: "your work numbers (no words, no answers)",
      handover: "a move of the partnership to another worker" },
    denied: "was refused access", youVerbs: {}, youDenied: "were refused access" },
  es: {
    verbs: { read: "vio", list: "vio", trend: "vio", create: "agregó", update: "cambió",
      delete: "borró", erase: "borró", login: "inició sesión", logout: "cerró sesión",
      export: "descargó", accept: "aceptó", register: "creó", replace: "reemplazó",
      revoke: "anuló", join: "se unió a", taken_over: "tomó", ask: "pidió", agree: "aceptó",
      decline: "dijo que ahora no a", cancel: "canceló" },
    objects: { account: "tu cuenta", goal: "metas", milestone: "pasos", checkin: "avances",
      checkins: "avances pendientes", celebration: "celebraciones", partnership: "su acompañamiento",
      timeline: "la historia", survey_response: "respuestas", self_check: "autoevaluaciones",
      invite: "una invitación", calendar_feed: "un enlace de calendario", membership: "una agencia",
      auth: "", push_subscription: "recordatorios en un teléfono",
      supervision: "tus números de trabajo (sin palabras ni respuestas)",
      handover: "un cambio del acompañamiento a otro acompañante de pares" },
    denied: "no tuvo permiso",
    // Said of "Tú", a verb takes the second person.
    youVerbs: { read: "viste", list: "viste", trend: "viste", create: "agregaste",
      update: "cambiaste", delete: "borraste", erase: "borraste", login: "iniciaste sesión",
      logout: "cerraste sesión", export: "descargaste", accept: "aceptaste", register: "creaste",
      replace: "reemplazaste", revoke: "anulaste", join: "te uniste a", taken_over: "tomaste",
      ask: "pediste", agree: "aceptaste", decline: "dijiste que ahora no a", cancel: "cancelaste" },
    youDenied: "no tuviste permiso" },
};

function actionText(action, byYou) {
  const words = ACTIONS[language()] ?? ACTIONS.en;
  if (action.startsWith("denied:")) return byYou ? words.youDenied : words.denied;
  const parts = action.split(".");
  const verb = (byYou && words.youVerbs[parts.at(-1)]) || words.verbs[parts.at(-1)];
  const object = words.objects[parts[0]];
  return verb !== undefined && object !== undefined ? `${verb} ${object}`.trim() : action;
}

function actorName(entry, user) {
  if (entry.actor_id === user.id) return t("actor_you");
  return t(`actor_${entry.actor_role || "system"}`);
}

export async function accessLog() {
  const user = await me();
  if (!user) return settings();
  const list = el("ol", { class: "plain access-log" });
  const more = el("button", { type: "button", text: t("morePages") });
  const groups = [];
  // An app that acted for someone (OAuth) is named, so a person can tell it from them.
  const via = (entry) => (!entry.app ? ""
    : ` · ${entry.app.name ? t("viaApp", { app: entry.app.name }) : t("viaGoneApp")}`);
  const line = (entry) => `${actionText(entry.action, entry.actor_id === user.id)}${
    entry.outcome === "denied"
    && !entry.action.startsWith("denied:") ? ` ${t("refused")}` : ""}${via(entry)}`;
  let page = 0;
  async function next() {
    page += 1;
    const { data } = await readPrivate("/api/v1/me/access-log", { page, page_size: 50 });
    foldRepeats(groups, data, (entry) => `${entry.actor_id}|${entry.actor_role}|${line(entry)}`);
    list.replaceChildren(...groups.map(({ newest, oldest, count }) => el("li", {},
      el("strong", { text: actorName(newest, user) }), " · ", line(newest),
      count > 1 ? ` · ${t("timesCount", { n: count })}` : "",
      el("div", { class: "muted small", text: count > 1
        ? `${dateText(oldest.at, true)} – ${dateText(newest.at, true)}` : dateText(newest.at, true) }))));
    more.hidden = data.length < 50;
    if (!list.children.length) list.append(el("li", { class: "muted", text: t("noAccess") }));
  }
  more.addEventListener("click", () => next().catch(() => status(t("failed"))));
  await next();
  return [el("p", {}, el("a", { href: "#/settings", text: t("back") })),
          el("h1", { text: t("accessTitle") }), el("p", { text: t("accessHelp") }), list, more];
}
