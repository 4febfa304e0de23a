// Connected apps (Settings): the apps the person let in on the consent screen, what each may
// do, and one tap to take an app's access back (its tokens stop at once). Online only: the
// list is not kept on the phone, since it changes when an app is removed elsewhere.
import { Offline, request } from "../api.js";
import { el, fill } from "../dom.js";
import { addStrings, t } from "../i18n.js";
import { status } from "../screen.js";
import { me } from "../session.js";
import { ask, dateText, problemText } from "../ui.js";
import { settings } from "./settings.js";

addStrings({
  en: {
    appsTitle: "Connected apps",
    appsIntro: "Apps you let into your Rapport account. Remove one and it stops at once.",
    appsNone: "No apps are connected. When an app asks to connect, Rapport asks you first.",
    appsOffline: "You are offline. Connect to the internet to see your connected apps.",
    appsBy: "From {agency}", appsCan: "It can:",
    appsGranted: "Allowed {date}", appsUsed: "Last used {date}", appsNeverUsed: "Not used yet",
    appsRemove: "Remove access", appsRemoveName: "Remove access for {name}",
    appsRemoveAsk: "Remove access for “{name}”? It stops working with your account right away. You can connect it again later.",
    appsRemoveYes: "Remove access", appsKeep: "Keep it", appsRemoved: "Access removed.",
  },
  es: {
    appsTitle: "Apps conectadas",
    appsIntro: "Las apps que dejaste entrar a tu cuenta de Rapport. Si quitas una, se detiene al momento.",
    appsNone: "No hay apps conectadas. Cuando una app pida conectarse, Rapport te pregunta antes.",
    appsOffline: "Estás sin conexión. Conéctate a internet para ver tus apps conectadas.",
    appsBy: "De {agency}", appsCan: "Puede:",
    appsGranted: "Permitida el {date}", appsUsed: "Último uso: {date}", appsNeverUsed: "Sin usar todavía",
    appsRemove: "Quitar acceso", appsRemoveName: "Quitar acceso a {name}",
    appsRemoveAsk: "¿Quitar el acceso a «{name}»? Deja de funcionar con tu cuenta ahora mismo. Puedes conectarla de nuevo después.",
    appsRemoveYes: "Quitar acceso", appsKeep: "Dejarla", appsRemoved: "Acceso quitado.",
  },
});

function appItem(grant, redraw) {
  const name = grant.app.name;
  const headingId = `app-${grant.id}`;
  return el("li", { class: "card connected-app" },
    el("h2", { id: headingId, text: name }),
    grant.app.agency ? el("p", { class: "muted", text: t("appsBy", { agency: grant.app.agency }) }) : null,
    el("p", { class: "app-can", text: t("appsCan") }),
    el("ul", {}, grant.scopes.map((scope) => el("li", { text: scope.description }))),
    el("p", { class: "muted small" }, t("appsGranted", { date: dateText(grant.granted_at) }), el("br"),
       grant.last_used_at ? t("appsUsed", { date: dateText(grant.last_used_at, true) }) : t("appsNeverUsed")),
    el("button", { type: "button", class: "quiet-danger", "aria-label": t("appsRemoveName", { name }),
      text: t("appsRemove"), onclick: async () => {
        if (!await ask(t("appsRemoveAsk", { name }), t("appsRemoveYes"), t("appsKeep"), true)) return;
        try {
          await request("DELETE", `/api/v1/me/connected-apps/${grant.id}`);
          status(t("appsRemoved"));
        } catch (error) {
          status(problemText(error));
        }
        await redraw();
      } }));
}

export async function connectedApps() {
  const user = await me();
  if (!user) return settings();
  const list = el("div", { "aria-live": "polite" });
  const redraw = async () => {
    try {
      const { data } = await request("GET", "/api/v1/me/connected-apps");
      fill(list, data.length
        ? el("ul", { class: "plain connected-apps" }, data.map((grant) => appItem(grant, redraw)))
        : el("p", { class: "notice", text: t("appsNone") }));
    } catch (error) {
      fill(list, el("p", { class: "notice", text: error instanceof Offline ? t("appsOffline") : problemText(error) }));
    }
  };
  await redraw();
  return [el("p", {}, el("a", { href: "#/settings", text: t("back") })),
          el("h1", { text: t("appsTitle") }), el("p", { text: t("appsIntro") }), list];
}
