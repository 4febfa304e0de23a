// Rapport, the phone app: a hash router over a few views, the crisis button on every view,
// the outbox sent whenever the app opens or the network returns, and the service worker that
// keeps it working offline.
import { el } from "./api.js";
import { t, translatePage } from "./i18n.js";
import { openCrisis } from "./crisis.js";
import { flush } from "./outbox.js";

// Each view loads when first shown, so the first screen downloads only what it needs.
const load = (file, name) => (match, query) =>
  import(`./views/${file}.js`).then((module) => module[name](match.slice(1), query));
const ID = "([0-9a-f-]{36})";
const ROUTES = [
  [/^\/?$/, load("today", "today")],
  [/^\/tips$/, load("tips", "tipList")],
  [/^\/tips\/([a-z0-9-]+)$/, load("tips", "tipDetail")],
  [/^\/faq$/, load("faq", "faq")],
  [/^\/goals$/, load("goals", "partnershipList")],
  [new RegExp(`^/partnerships/${ID}$`), load("goals", "goalList")],
  [new RegExp(`^/partnerships/${ID}/timeline$`), load("goals", "timeline")],
  [new RegExp(`^/goals/${ID}$`), load("goals", "goalDetail")],
  [/^\/self-check$/, load("selfcheck", "selfCheck")],
  [/^\/self-check\/results$/, load("selfcheck", "selfCheckResults")],
  [new RegExp(`^/partnerships/${ID}/session-check$`), load("selfcheck", "sessionCheck")],
  [new RegExp(`^/partnerships/${ID}/rapport$`), load("selfcheck", "twoSided")],
  [/^\/settings$/, load("settings", "settings")],
  [/^\/settings\/access-log$/, load("settings", "accessLog")],
];

// The status line: news ("Link copied") fades after a while; being offline stays said.
let fading;
export function status(message) {
  const line = document.getElementById("status");
  line.textContent = message;
  clearTimeout(fading);
  if (message && message !== t("offline")) {
    fading = setTimeout(() => { if (line.textContent === message) offlineStatus(); }, 8000);
  }
}

function offlineStatus() {
  const line = document.getElementById("status");
  if (!navigator.onLine) line.textContent = t("offline");
  else if (line.textContent === t("offline")) line.textContent = "";
}

function current() {
  const [path, search = ""] = location.hash.slice(1).split("?");
  return { path: path || "/", query: new URLSearchParams(search) };
}

let renders = 0;

export async function render() {
  const ticket = ++renders; // a slow view must not cover a newer one
  translatePage();
  const { path, query } = current();
  const view = document.getElementById("view");
  for (const link of document.querySelectorAll(".tabs a")) {
    const target = link.getAttribute("href").slice(1);
    const here = target === "/" ? path === "/" : path.startsWith(target);
    if (here) link.setAttribute("aria-current", "page"); else link.removeAttribute("aria-current");
  }
  const [pattern, show] = ROUTES.find(([candidate]) => candidate.test(path)) ?? ROUTES[0];
  let parts;
  try {
    parts = await show(path.match(pattern) ?? [path], query);
  } catch (error) {
    parts = [el("h1", { text: "Rapport" }),
             el("p", { text: error?.status === 404 ? t("notFound") : t("failed") })];
  }
  if (ticket !== renders) return;
  view.replaceChildren(...parts.filter(Boolean));
  offlineStatus();
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
// Tapping the tab you are on shows it afresh (a link to the same hash changes nothing).
document.querySelector(".tabs").addEventListener("click", (event) => {
  if (event.target.closest("a")?.getAttribute("href") === (location.hash || "#/")) render();
});
window.addEventListener("hashchange", () => { render(); document.getElementById("view").focus(); });
window.addEventListener("online", offlineStatus);
window.addEventListener("session-changed", () => render());
window.addEventListener("offline", () => status(t("offline")));
render();
flush();
if ("serviceWorker" in navigator) {
  navigator.serviceWorker.register("/sw.js").then(watchForUpdates).catch(() => {});
}
