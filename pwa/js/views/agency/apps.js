// Apps (OAuth): an agency admin registers an app that people can then let into their account
// on the consent screen (views/authorize.js), copies its client_id (and a confidential app's
// secret, shown once), sees its scopes and return addresses, and revokes it.
import { request } from "../../api.js";
import { el, fill } from "../../dom.js";
import { addStrings, t } from "../../i18n.js";
import { status } from "../../screen.js";
import { Notice, ask, dateText, field, form, problemText } from "../../ui.js";
import { agencyApi, consolePage, consoleScreen, copyButton, table } from "./common.js";

// The scopes an app may ask for, as the consent screen says them (api/lib/oauth_scopes.py
// holds the catalogue; the same words, so the admin sees what people will be asked).
export const SCOPES = ["profile:read", "goals:read", "goals:write", "checkins:write", "surveys:read",
                       "export:read"];

addStrings({
  en: {
    conAppsTitle: "Apps (OAuth)",
    conAppsIntro: "Register an app so people can let it into their Rapport account. Each person says yes on their own phone, sees what the app can do, and can take it back any time.",
    conAppsNew: "Register an app", conAppsName: "App name", conAppsNameHint: "People see this when the app asks to connect.",
    conAppsHome: "Homepage (optional)", conAppsHomeHint: "An https address. People see its name.",
    conAppsRedirects: "Return addresses (redirect URIs)",
    conAppsRedirectsHint: "One per line. https, http://127.0.0.1 for apps on a computer, or the app's own scheme like org.example.app:/callback.",
    conAppsScopes: "What the app may ask for",
    conAppsConfidential: "The app has its own server that can keep a secret (confidential)",
    conAppsConfidentialHint: "Leave it off for phone and browser apps: they prove themselves with PKCE.",
    conAppsRegister: "Register app", conAppsPickScope: "Choose at least one thing the app may ask for.",
    conAppsMade: "“{name}” is registered",
    conAppsClientId: "Client ID", conAppsCopyId: "Copy the client ID",
    conAppsSecret: "Client secret", conAppsCopySecret: "Copy the client secret",
    conAppsSecretOnce: "Copy the secret now and keep it on the app's server. We will not show it again.",
    conAppsList: "Your apps", conAppsNone: "No apps yet.",
    conAppsColName: "App", conAppsColId: "Client ID", conAppsColKind: "Kind", conAppsColScopes: "May ask for",
    conAppsColRedirects: "Return addresses", conAppsColStatus: "Status",
    conAppsPublic: "Public (phone or browser)", conAppsConfidentialKind: "Confidential (has a server)",
    conAppsActive: "Works", conAppsRevoked: "Revoked {date}", conAppsRevoke: "Revoke",
    conAppsRevokeName: "Revoke {name}",
    conAppsRevokeAsk: "Revoke “{name}”? Nobody can connect it again, and every person's access through it stops right away.",
    conAppsRevokeYes: "Revoke app", conAppsKeep: "Keep it", conAppsRevokedNow: "App revoked.",
    "scope_profile:read": "See your name and whether you are a worker or a peer.",
    "scope_goals:read": "See your partnerships and shared goals, with their steps, check-ins and celebrations.",
    "scope_goals:write": "Add and change shared goals and their steps, and celebrate them.",
    "scope_checkins:write": "Add check-ins to your shared goals.",
    "scope_surveys:read": "See your own self-check answers and scores, and the session checks shared with you.",
    "scope_export:read": "Get a copy of everything Rapport keeps about you.",
  },
  es: {
    conAppsTitle: "Apps (OAuth)",
    conAppsIntro: "Registra una app para que las personas la dejen entrar a su cuenta de Rapport. Cada persona dice que sí en su propio teléfono, ve lo que la app puede hacer y puede quitarle el permiso cuando quiera.",
    conAppsNew: "Registrar una app", conAppsName: "Nombre de la app", conAppsNameHint: "Las personas lo ven cuando la app pide conectarse.",
    conAppsHome: "Página de inicio (opcional)", conAppsHomeHint: "Una dirección https. Las personas ven su nombre.",
    conAppsRedirects: "Direcciones de regreso (redirect URIs)",
    conAppsRedirectsHint: "Una por línea. https, http://127.0.0.1 para apps en una computadora, o el esquema propio de la app como org.example.app:/callback.",
    conAppsScopes: "Lo que la app puede pedir",
    conAppsConfidential: "La app tiene su propio servidor que guarda un secreto (confidencial)",
    conAppsConfidentialHint: "Déjalo apagado para apps de teléfono o de navegador: se identifican con PKCE.",
    conAppsRegister: "Registrar app", conAppsPickScope: "Elige al menos una cosa que la app pueda pedir.",
    conAppsMade: "«{name}» está registrada",
    conAppsClientId: "ID de cliente", conAppsCopyId: "Copiar el ID de cliente",
    conAppsSecret: "Secreto del cliente", conAppsCopySecret: "Copiar el secreto del cliente",
    conAppsSecretOnce: "Copia el secreto ahora y guárdalo en el servidor de la app. No lo volveremos a mostrar.",
    conAppsList: "Tus apps", conAppsNone: "Aún no hay apps.",
    conAppsColName: "App", conAppsColId: "ID de cliente", conAppsColKind: "Tipo", conAppsColScopes: "Puede pedir",
    conAppsColRedirects: "Direcciones de regreso", conAppsColStatus: "Estado",
    conAppsPublic: "Pública (teléfono o navegador)", conAppsConfidentialKind: "Confidencial (tiene servidor)",
    conAppsActive: "Funciona", conAppsRevoked: "Revocada el {date}", conAppsRevoke: "Revocar",
    conAppsRevokeName: "Revocar {name}",
    conAppsRevokeAsk: "¿Revocar «{name}»? Nadie podrá conectarla de nuevo, y el acceso de cada persona a través de ella se detiene ahora mismo.",
    conAppsRevokeYes: "Revocar app", conAppsKeep: "Dejarla", conAppsRevokedNow: "App revocada.",
    "scope_profile:read": "Ver tu nombre y si eres trabajador o participante.",
    "scope_goals:read": "Ver tus parejas de apoyo y sus metas compartidas, con sus pasos, registros y celebraciones.",
    "scope_goals:write": "Agregar y cambiar metas compartidas y sus pasos, y celebrarlas.",
    "scope_checkins:write": "Agregar registros a tus metas compartidas.",
    "scope_surveys:read": "Ver tus propias respuestas y puntajes de autoevaluación, y las revisiones de la sesión que te compartieron.",
    "scope_export:read": "Obtener una copia de todo lo que Rapport guarda sobre ti.",
  },
});

// The agency's apps, newest first (revoked ones too): the webhooks screen lists them as well.
export async function agencyApps(admin) {
  return (await request("GET", agencyApi(admin, "/oauth-clients"), { params: { page_size: 100 } })).data;
}

const scopeList = (scope) => el("ul", { class: "con-list con-scopes" },
  scope.split(" ").filter(Boolean).map((name) => el("li", {}, el("code", { text: name }))));

function appRows(admin, apps, redraw) {
  return apps.map((app) => {
    const id = el("code", { class: "con-id", text: app.client_id });
    return [
      app.name,
      el("span", { class: "con-status-cell" }, id, copyButton(id, t("conAppsCopyId"))),
      app.confidential ? t("conAppsConfidentialKind") : t("conAppsPublic"),
      scopeList(app.scope),
      el("ul", { class: "con-list" }, app.redirect_uris.map((uri) => el("li", { class: "con-url", text: uri }))),
      app.revoked_at ? t("conAppsRevoked", { date: dateText(app.revoked_at) })
        : el("span", { class: "con-status-cell" }, `${t("conAppsActive")} `,
          el("button", { type: "button", class: "quiet-danger small-button",
            "aria-label": t("conAppsRevokeName", { name: app.name }), text: t("conAppsRevoke"),
            onclick: async () => {
              if (!await ask(t("conAppsRevokeAsk", { name: app.name }), t("conAppsRevokeYes"),
                             t("conAppsKeep"), true)) return;
              try {
                await request("DELETE", agencyApi(admin, `/oauth-clients/${app.id}`));
                status(t("conAppsRevokedNow"));
              } catch (error) {
                status(problemText(error));
              }
              await redraw();
            } })),
    ];
  });
}

function madeCard(app) {
  const id = el("code", { class: "con-secret", id: "new-client-id", text: app.client_id });
  const secret = app.client_secret
    ? el("code", { class: "con-secret", id: "new-client-secret", text: app.client_secret }) : null;
  return el("section", { class: "card con-once", "aria-labelledby": "new-app-title" },
    el("h2", { id: "new-app-title", tabindex: "-1", text: t("conAppsMade", { name: app.name }) }),
    el("h3", { text: t("conAppsClientId") }), el("p", {}, id), copyButton(id, t("conAppsCopyId")),
    secret ? [el("h3", { text: t("conAppsSecret") }),
              el("p", { class: "con-warning", text: t("conAppsSecretOnce") }),
              el("p", {}, secret), copyButton(secret, t("conAppsCopySecret"))] : null);
}

function registerForm(admin, shown, redraw) {
  const scopes = el("fieldset", { class: "con-checks" },
    el("legend", { text: t("conAppsScopes") }),
    SCOPES.map((name, index) => el("div", { class: "check" },
      el("input", { type: "checkbox", id: `app-scope-${index}`, name: "scope", value: name }),
      el("label", { for: `app-scope-${index}` }, el("code", { text: name }), ` ${t(`scope_${name}`)}`))));
  return form({ class: "card", "aria-labelledby": "apps-new-title" }, [
    el("h2", { id: "apps-new-title", text: t("conAppsNew") }),
    field(t("conAppsName"), { name: "name", required: true, maxlength: 80, autocomplete: "off" }, t("conAppsNameHint")),
    field(t("conAppsHome"), { name: "homepage_url", type: "url", maxlength: 300, autocomplete: "off",
                              placeholder: "https://" }, t("conAppsHomeHint")),
    field(t("conAppsRedirects"), { tag: "textarea", name: "redirect_uris", rows: 3, required: true,
                                   class: "con-code", autocomplete: "off", spellcheck: "false" },
          t("conAppsRedirectsHint")),
    scopes,
    el("div", { class: "check" },
      el("input", { type: "checkbox", id: "app-confidential", name: "confidential", value: "yes",
                    "aria-describedby": "app-confidential-hint" }),
      el("label", { for: "app-confidential", text: t("conAppsConfidential") })),
    el("p", { id: "app-confidential-hint", class: "muted small", text: t("conAppsConfidentialHint") }),
    el("button", { type: "submit", class: "primary", text: t("conAppsRegister") }),
  ], async (values, node) => {
    // FormData keeps only the last checkbox of a name: read them all from the form.
    const chosen = [...node.querySelectorAll("input[name=scope]:checked")].map((box) => box.value);
    if (!chosen.length) throw new Notice(t("conAppsPickScope"));
    const body = {
      name: values.name,
      homepage_url: values.homepage_url || null,
      redirect_uris: values.redirect_uris.split("\n").map((line) => line.trim()).filter(Boolean),
      scope: chosen.join(" "),
      confidential: node.querySelector("#app-confidential").checked,
    };
    const { data } = await request("POST", agencyApi(admin, "/oauth-clients"), { body });
    node.reset();
    fill(shown, madeCard(data));
    shown.querySelector("h2").focus();
    await redraw();
  });
}

export const oauthApps = consoleScreen(async (admin) => {
  const shown = el("div", { "aria-live": "polite" });
  const list = el("div");
  const redraw = async () => {
    try {
      const apps = await agencyApps(admin);
      fill(list, apps.length
        ? table(t("conAppsList"), [t("conAppsColName"), t("conAppsColId"), t("conAppsColKind"),
                                   t("conAppsColScopes"), t("conAppsColRedirects"), t("conAppsColStatus")],
                appRows(admin, apps, redraw), "con-apps", false)
        : el("p", { class: "muted", text: t("conAppsNone") }));
    } catch (error) {
      fill(list, el("p", { class: "error", text: problemText(error) }));
    }
  };
  await redraw();
  return consolePage(t("conAppsTitle"), t("conAppsIntro"), registerForm(admin, shown, redraw), shown,
    el("h2", { text: t("conAppsList") }), list);
});
