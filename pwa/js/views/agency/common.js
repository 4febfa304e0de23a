// What every agency console screen shares. A screen is written as
//   export const members = consoleScreen(async (admin, match, query) => [parts...]);
// and gets the signed-in agency admin (from GET /api/v1/me: admin.agency_id is their agency);
// anyone else is told the console is for agency admins. Its parts are wrapped in
// <div class="console">, which lets the page grow wider on a desktop (app.css, "Agency console").
//   consoleHeader(title, intro?)  the back link to the console home, the h1, one plain sentence
//   agencyApi(admin, "/tips")     "/api/v1/agencies/<the admin's agency>/tips"
//   agencyDetails(admin)          {id, name, own_content_first, ...}; name is null while the
//                                 server has no GET /agencies/{id} yet
import { request } from "../../api.js";
import { el } from "../../dom.js";
import { addStrings, t } from "../../i18n.js";
import { hasSession, me } from "../../session.js";

addStrings({
  en: { conBack: "Agency console", conOnlyAdmins: "This part of Rapport is for agency admins.",
        conSignIn: "Sign in with your agency admin account", conTitle: "Agency console" },
  es: { conBack: "Consola de la agencia", conOnlyAdmins: "Esta parte de Rapport es para quienes administran una agencia.",
        conSignIn: "Inicia sesión con tu cuenta de administración de la agencia", conTitle: "Consola de la agencia" },
});

export const agencyApi = (admin, path = "") => `/api/v1/agencies/${admin.agency_id}${path}`;

export function consoleScreen(build) {
  return async (match, query) => {
    const user = hasSession() ? await me() : null;
    if (user?.role !== "agency_admin" || !user.agency_id) {
      return [el("h1", { text: t("conTitle") }), el("p", { text: t("conOnlyAdmins") }),
              el("p", {}, el("a", { href: "#/settings", text: t("conSignIn") }))];
    }
    return [el("div", { class: "console" }, await build(user, match, query))];
  };
}

export const consoleHeader = (title, intro) => [
  el("p", { class: "con-back" }, el("a", { href: "#/agency", text: t("conBack") })),
  el("h1", { text: title }),
  intro ? el("p", { class: "muted", text: intro }) : null,
];

// The agency itself. Until the server answers GET /agencies/{id}, the console still works:
// it knows the id (from /me) and that the agency's own items come first (the default).
export async function agencyDetails(admin) {
  try {
    return (await request("GET", agencyApi(admin))).data;
  } catch (error) {
    if (error.status !== 404 && error.status !== 405) throw error;
    return { id: admin.agency_id, name: null, own_content_first: true };
  }
}
