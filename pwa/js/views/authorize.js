// The consent screen: an app asks to act for the person (OAuth, GET /oauth/authorize sends the
// browser to #/authorize?<the app's request>). Signed out, they sign in or join first and come
// back here (visit.js keeps the address); then the server checks the request and says, in
// plain words, who asks and for what; their answer sends them back to the app. Every word of
// the request is shown as text, and only where the server says (redirect_to) is followed.
import { ApiError, request } from "../api.js";
import { el } from "../dom.js";
import { addStrings, t } from "../i18n.js";
import { status } from "../screen.js";
import { me } from "../session.js";
import { problemText } from "../ui.js";
import { keepAuthorization } from "../visit.js";
import { signedOutForms } from "./settings.js";

addStrings({
  en: {
    authTitle: "Connect an app",
    authSignInFirst: "An app wants to connect to your Rapport account. Sign in first, then you choose.",
    authAsks: "{app} wants to connect to your Rapport account.",
    authBy: "Registered by {agency}.", authHome: "Made by {host}.",
    authWillBe: "This app will be able to:",
    authBack: "After you choose, you go back to {host}.",
    authTakeBack: "You can take this back any time in Settings → Connected apps.",
    authBefore: "You let this app in before.",
    authAllow: "Allow", authDeny: "Don't allow", authSending: "Sending you back to the app…",
    authGone: "This app is not registered, or its agency turned it off. Nothing was shared.",
    authBad: "This app's sign-in link is not valid. Nothing was shared. Go back to the app and try again.",
    authRole: "Only workers and peers can connect apps.",
  },
  es: {
    authTitle: "Conectar una app",
    authSignInFirst: "Una app quiere conectarse a tu cuenta de Rapport. Primero inicia sesión y luego eliges.",
    authAsks: "{app} quiere conectarse a tu cuenta de Rapport.",
    authBy: "La registró {agency}.", authHome: "La hace {host}.",
    authWillBe: "Esta app podrá:",
    authBack: "Cuando elijas, vuelves a {host}.",
    authTakeBack: "Puedes quitarle el permiso cuando quieras en Ajustes → Apps conectadas.",
    authBefore: "Ya dejaste entrar a esta app antes.",
    authAllow: "Permitir", authDeny: "No permitir", authSending: "Te llevamos de vuelta a la app…",
    authGone: "Esta app no está registrada, o su agencia la apagó. No se compartió nada.",
    authBad: "El enlace de esta app no es válido. No se compartió nada. Vuelve a la app e inténtalo de nuevo.",
    authRole: "Solo acompañantes de pares y personas acompañadas pueden conectar apps.",
  },
});

// What the server reads of the app's request (api/schemas/oauth.py); anything else is dropped.
const PARAMS = ["response_type", "client_id", "redirect_uri", "scope", "state", "code_challenge",
                "code_challenge_method"];

const asked = (query) => Object.fromEntries(PARAMS.filter((name) => query.has(name))
  .map((name) => [name, query.get(name)]));

const hostOf = (url) => {
  try { return new URL(url).host; } catch { return ""; }
};

// Why nothing can be asked: an unknown or revoked app, a bad request, or someone who cannot
// grant. The person stays here: a bad request is never sent anywhere.
function refusalText(error) {
  const words = error instanceof ApiError
    ? { 404: t("authGone"), 422: t("authBad"), 403: t("authRole") }[error.status] : null;
  return words || problemText(error);
}

const refusal = (error) => [el("h1", { text: t("authTitle") }),
  el("p", { class: "notice alert", role: "alert", text: refusalText(error) })];

export async function authorize(_match, query) {
  const user = await me();
  if (!user) {
    keepAuthorization(location.hash);
    return [el("h1", { text: t("authTitle") }), el("p", { class: "notice", text: t("authSignInFirst") }),
            ...signedOutForms()];
  }
  if (user.role !== "worker" && user.role !== "peer") return refusal(new ApiError(403));
  const params = asked(query);
  let data;
  try {
    ({ data } = await request("GET", "/api/v1/oauth/authorization", { params }));
  } catch (error) {
    return refusal(error);
  }
  const { app } = data;
  const home = app.homepage_url ? hostOf(app.homepage_url) : "";
  const message = el("p", { class: "error", role: "alert" });
  const answer = async (approve, button) => {
    message.textContent = "";
    for (const each of button.parentElement.querySelectorAll("button")) each.disabled = true;
    button.classList.add("busy");
    try {
      const { data: sent } = await request("POST", "/api/v1/oauth/authorization",
                                           { body: { ...params, approve } });
      status(t("authSending"));
      location.assign(sent.redirect_to);
    } catch (error) {
      for (const each of button.parentElement.querySelectorAll("button")) each.disabled = false;
      button.classList.remove("busy");
      message.textContent = refusalText(error);
    }
  };
  return [
    el("h1", { text: t("authTitle") }),
    el("section", { class: "card consent", "aria-labelledby": "consent-asks" },
      el("h2", { id: "consent-asks", text: t("authAsks", { app: app.name }) }),
      el("p", { class: "muted" }, app.agency ? t("authBy", { agency: app.agency }) : null,
         home ? ` ${t("authHome", { host: home })}` : null),
      data.already_granted ? el("p", { class: "notice", text: t("authBefore") }) : null,
      el("h3", { id: "consent-scopes", text: t("authWillBe") }),
      el("ul", { class: "consent-scopes", "aria-labelledby": "consent-scopes" },
        data.scopes.map((scope) => el("li", { text: scope.description }))),
      el("p", { text: t("authBack", { host: data.redirect_host }) }),
      el("p", { class: "muted", text: t("authTakeBack") }),
      el("div", { class: "consent-actions" },
        el("button", { type: "button", class: "primary", text: t("authAllow"),
                       onclick: (event) => answer(true, event.currentTarget) }),
        el("button", { type: "button", text: t("authDeny"),
                       onclick: (event) => answer(false, event.currentTarget) })),
      message),
  ];
}
