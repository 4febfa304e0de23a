// API keys: an agency admin makes a key for an integration (shown once, to copy), sees the
// keys with their prefix and last use, and revokes one (it stops working at once).
import { request } from "../../api.js";
import { el, fill } from "../../dom.js";
import { addStrings, t } from "../../i18n.js";
import { status } from "../../screen.js";
import { ask, dateText, field, form, problemText } from "../../ui.js";
import { agencyApi, consolePage, consoleScreen, copyButton, table } from "./common.js";

addStrings({
  en: {
    conKeysTitle: "API keys",
    conKeysIntro: "A key lets your website or app ask Rapport for more, faster. Send it in the X-API-Key header. Keep it secret, like a password.",
    conKeysNew: "Make a key", conKeysName: "What is it for?", conKeysNameHint: "Like “Our website”. Only you see this.",
    conKeysMake: "Make key", conKeysYourKey: "Your new key “{name}”",
    conKeysOnce: "Copy it now and keep it somewhere safe. We will not show it again.",
    conKeysCopy: "Copy the key", conKeysList: "Your keys", conKeysNone: "No keys yet.",
    conKeysColName: "Name", conKeysColPrefix: "Starts with", conKeysColCreated: "Made",
    conKeysColUsed: "Last used", conKeysColStatus: "Status", conKeysNever: "Never",
    conKeysActive: "Works", conKeysRevoked: "Revoked {date}", conKeysRevoke: "Revoke",
    conKeysRevokeName: "Revoke {name}",
    conKeysRevokeAsk: "Revoke “{name}”? It stops working right away, and anything using it will stop getting the higher limit.",
    conKeysRevokeYes: "Revoke key", conKeysKeep: "Keep it", conKeysRevokedNow: "Key revoked.",
  },
  es: {
    conKeysTitle: "Claves de API",
    conKeysIntro: "Una clave deja que tu sitio web o tu app pida más a Rapport, y más rápido. Envíala en el encabezado X-API-Key. Guárdala en secreto, como una contraseña.",
    conKeysNew: "Crear una clave", conKeysName: "¿Para qué es?", conKeysNameHint: "Como «Nuestro sitio web». Solo tú lo ves.",
    conKeysMake: "Crear clave", conKeysYourKey: "Tu nueva clave «{name}»",
    conKeysOnce: "Cópiala ahora y guárdala en un lugar seguro. No la volveremos a mostrar.",
    conKeysCopy: "Copiar la clave", conKeysList: "Tus claves", conKeysNone: "Aún no hay claves.",
    conKeysColName: "Nombre", conKeysColPrefix: "Empieza con", conKeysColCreated: "Creada",
    conKeysColUsed: "Último uso", conKeysColStatus: "Estado", conKeysNever: "Nunca",
    conKeysActive: "Funciona", conKeysRevoked: "Revocada el {date}", conKeysRevoke: "Revocar",
    conKeysRevokeName: "Revocar {name}",
    conKeysRevokeAsk: "¿Revocar «{name}»? Deja de servir ahora mismo, y lo que la use ya no tendrá el límite más alto.",
    conKeysRevokeYes: "Revocar clave", conKeysKeep: "Dejarla", conKeysRevokedNow: "Clave revocada.",
  },
});

function keyRows(user, keys, redraw) {
  return keys.map((key) => [
    key.name,
    el("code", { text: key.prefix }),
    dateText(key.created_at),
    key.last_used_at ? dateText(key.last_used_at, true) : t("conKeysNever"),
    key.revoked_at ? t("conKeysRevoked", { date: dateText(key.revoked_at) })
      : el("span", { class: "con-status-cell" }, `${t("conKeysActive")} `,
        el("button", { type: "button", class: "quiet-danger small-button",
          "aria-label": t("conKeysRevokeName", { name: key.name }), text: t("conKeysRevoke"),
          onclick: async () => {
            if (!await ask(t("conKeysRevokeAsk", { name: key.name }), t("conKeysRevokeYes"),
                           t("conKeysKeep"), true)) return;
            try {
              await request("DELETE", agencyApi(user, `/api-keys/${key.id}`));
              status(t("conKeysRevokedNow"));
            } catch (error) {
              status(problemText(error));
            }
            await redraw();
          } })),
  ]);
}

export const apiKeys = consoleScreen(async (user) => {
  const shown = el("div", { "aria-live": "polite" });
  const list = el("div");

  const redraw = async () => {
    try {
      const { data } = await request("GET", agencyApi(user, "/api-keys"), { params: { page_size: 100 } });
      fill(list, data.length
        ? table(t("conKeysList"), [t("conKeysColName"), t("conKeysColPrefix"), t("conKeysColCreated"),
                                   t("conKeysColUsed"), t("conKeysColStatus")], keyRows(user, data, redraw), "", false)
        : el("p", { class: "muted", text: t("conKeysNone") }));
    } catch (error) {
      fill(list, el("p", { class: "error", text: problemText(error) }));
    }
  };

  const make = form({ class: "card", "aria-labelledby": "keys-new-title" }, [
    el("h2", { id: "keys-new-title", text: t("conKeysNew") }),
    field(t("conKeysName"), { name: "name", required: true, maxlength: 80, autocomplete: "off" },
          t("conKeysNameHint")),
    el("button", { type: "submit", class: "primary", text: t("conKeysMake") }),
  ], async (values, node) => {
    const { data } = await request("POST", agencyApi(user, "/api-keys"), { body: { name: values.name } });
    node.reset();
    const secret = el("code", { class: "con-secret", id: "new-key", text: data.key });
    fill(shown, el("section", { class: "card con-once", "aria-labelledby": "new-key-title" },
      el("h2", { id: "new-key-title", text: t("conKeysYourKey", { name: data.name }) }),
      el("p", { class: "con-warning", text: t("conKeysOnce") }),
      el("p", {}, secret), copyButton(secret, t("conKeysCopy"))));
    shown.querySelector("h2").setAttribute("tabindex", "-1");
    shown.querySelector("h2").focus();
    await redraw();
  });

  await redraw();
  return consolePage(t("conKeysTitle"), t("conKeysIntro"), make, shown,
    el("h2", { text: t("conKeysList") }), list);
});
