// Rapport, the phone app: a hash router over a few views, the crisis button on every view,
// and the service worker that keeps it working offline.
import { el } from "./api.js";
import { t, translatePage } from "./i18n.js";
import { openCrisis } from "./crisis.js";
import { today } from "./views/today.js";
import { tipDetail, tipList } from "./views/tips.js";
import { faq } from "./views/faq.js";
import { settings } from "./views/settings.js";

const ROUTES = [
  [/^\/?$/, () => today()],
  [/^\/tips$/, (_, query) => tipList(query)],
  [/^\/tips\/([a-z0-9-]+)$/, (match, query) => tipDetail(match[1], query)],
  [/^\/faq$/, (_, query) => faq(query)],
  [/^\/settings$/, () => settings()],
];

export function status(message) {
  document.getElementById("status").textContent = message;
}

function current() {
  const [path, search = ""] = location.hash.slice(1).split("?");
  return { path: path || "/", query: new URLSearchParams(search) };
}

export async function render() {
  translatePage();
  const { path, query } = current();
  const view = document.getElementById("view");
  for (const link of document.querySelectorAll(".tabs a")) {
    const target = link.getAttribute("href").slice(1);
    const here = target === "/" ? path === "/" : path.startsWith(target);
    if (here) link.setAttribute("aria-current", "page"); else link.removeAttribute("aria-current");
  }
  const route = ROUTES.find(([pattern]) => pattern.test(path));
  try {
    const parts = route ? await route[1](path.match(route[0]), query) : await today();
    view.replaceChildren(...parts.filter(Boolean));
    status(navigator.onLine ? "" : t("offline"));
  } catch {
    view.replaceChildren(el("h1", { text: "Rapport" }), el("p", { text: t("failed") }));
  }
}

let refreshAsked = false;

function watchForUpdates(registration) {
  const offer = (worker) => {
    const button = el("button", { type: "button", text: t("refresh"), onclick: () => {
      refreshAsked = true;
      worker.postMessage("SKIP_WAITING");
    } });
    document.getElementById("status").replaceChildren(`${t("updateReady")} `, button);
  };
  if (registration.waiting && navigator.serviceWorker.controller) offer(registration.waiting);
  registration.addEventListener("updatefound", () => {
    const worker = registration.installing;
    worker?.addEventListener("statechange", () => {
      if (worker.state === "installed" && navigator.serviceWorker.controller) offer(worker);
    });
  });
  // Reload only when the person asked for the new version: the first install also changes
  // the controller, and must not pull the page from under them.
  navigator.serviceWorker.addEventListener("controllerchange", () => {
    if (refreshAsked) { refreshAsked = false; location.reload(); }
  });
}

document.getElementById("help-now").addEventListener("click", openCrisis);
window.addEventListener("hashchange", () => { render(); document.getElementById("view").focus(); });
window.addEventListener("online", () => status(""));
window.addEventListener("offline", () => status(t("offline")));
render();
if ("serviceWorker" in navigator) {
  navigator.serviceWorker.register("/sw.js").then(watchForUpdates).catch(() => {});
}
