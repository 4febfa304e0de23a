// Rapport, the phone app, started: which view each address shows, the crisis button on every
// view, the outbox sent whenever the app opens or the network returns, and the service worker
// that keeps it working offline. The page loads this module; no other module imports it.
import { el } from "./dom.js";
import { t } from "./i18n.js";
import { keepCrisisLinesReady, openCrisis } from "./crisis.js";
import { flush } from "./outbox.js";
import { offlineStatus, render, status, useRoutes } from "./screen.js";
import { remember } from "./visit.js";

// Each view loads when first shown, so the first screen downloads only what it needs. Each
// import names its file whole, so the dependency check (make jscheck) sees it.
const today = () => import("./views/today.js");
const tips = () => import("./views/tips.js");
const faq = () => import("./views/faq.js");
const topics = () => import("./views/topics.js");
const goals = () => import("./views/goals.js");
const partnership = () => import("./views/partnership.js");
const selfCheck = () => import("./views/selfcheck.js");
const settings = () => import("./views/settings.js");
const invites = () => import("./views/invites.js");
const authorize = () => import("./views/authorize.js");
const connectedApps = () => import("./views/connected_apps.js");
// The agency console (agency admins): one module per screen.
const consoleHome = () => import("./views/agency/home.js");
const agencyContent = () => import("./views/agency/content.js");
const agencyCrisis = () => import("./views/agency/crisis.js");
const agencyEmbed = () => import("./views/agency/embed.js");
const agencyKeys = () => import("./views/agency/keys.js");
const agencyJoinCodes = () => import("./views/agency/join_codes.js");
const agencyMembers = () => import("./views/agency/members.js");
const agencyHandover = () => import("./views/agency/handover.js");
const agencyInsights = () => import("./views/agency/insights.js");
const agencySupervision = () => import("./views/agency/supervision.js");
const agencyApps = () => import("./views/agency/apps.js");
const agencyWebhooks = () => import("./views/agency/webhooks.js");
const show = (view, name) => (match, query) =>
  view().then((module) => module[name](match.slice(1), query));
const ID = "([0-9a-f-]{36})";
useRoutes([
  [/^\/?$/, show(today, "today")],
  [/^\/tips$/, show(tips, "tipList")],
  [/^\/tips\/([a-z0-9-]+)$/, show(tips, "tipDetail")],
  [/^\/faq$/, show(faq, "faq")],
  [/^\/topics$/, show(topics, "topicList")],
  [/^\/topics\/([a-z0-9-]+)$/, show(topics, "topicDetail")],
  [/^\/goals$/, show(goals, "partnershipList")],
  [new RegExp(`^/partnerships/${ID}$`), show(goals, "goalList")],
  [new RegExp(`^/partnerships/${ID}/timeline$`), show(goals, "timeline")],
  [new RegExp(`^/partnerships/${ID}/settings$`), show(partnership, "partnershipSettings")],
  [new RegExp(`^/goals/${ID}$`), show(goals, "goalDetail")],
  [/^\/self-check$/, show(selfCheck, "selfCheck")],
  [/^\/self-check\/results$/, show(selfCheck, "selfCheckResults")],
  [new RegExp(`^/partnerships/${ID}/session-check$`), show(selfCheck, "sessionCheck")],
  [new RegExp(`^/partnerships/${ID}/rapport$`), show(selfCheck, "twoSided")],
  [/^\/settings$/, show(settings, "settings")],
  [/^\/settings\/access-log$/, show(settings, "accessLog")],
  [/^\/settings\/connected-apps$/, show(connectedApps, "connectedApps")],
  [/^\/authorize$/, show(authorize, "authorize")],
  [/^\/join$/, show(invites, "joinPage")],
  [/^\/agency$/, show(consoleHome, "consoleHome")],
  [/^\/agency\/content$/, show(agencyContent, "contentList")],
  [/^\/agency\/content\/(tips|faqs|topics)\/new$/, show(agencyContent, "contentNew")],
  [/^\/agency\/content\/(tips|faqs|topics)\/([a-z0-9-]+)$/, show(agencyContent, "contentEdit")],
  [/^\/agency\/crisis$/, show(agencyCrisis, "crisisLines")],
  [/^\/agency\/embed$/, show(agencyEmbed, "embedBuilder")],
  [/^\/agency\/keys$/, show(agencyKeys, "apiKeys")],
  [/^\/agency\/join-codes$/, show(agencyJoinCodes, "joinCodes")],
  [/^\/agency\/members$/, show(agencyMembers, "members")],
  [new RegExp(`^/agency/members/${ID}/handover$`), show(agencyHandover, "handover")],
  [/^\/agency\/insights$/, show(agencyInsights, "insights")],
  [/^\/agency\/supervision$/, show(agencySupervision, "supervision")],
  [/^\/agency\/apps$/, show(agencyApps, "oauthApps")],
  [/^\/agency\/webhooks$/, show(agencyWebhooks, "webhooks")],
]);

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

// Links made before the app read them from the #/ part put them in the query: heed those too.
remember(new URLSearchParams(location.search));
document.getElementById("help-now").addEventListener("click", openCrisis);
// Tapping the tab you are on shows it afresh (a link to the same hash changes nothing).
document.querySelector(".tabs").addEventListener("click", (event) => {
  if (event.target.closest("a")?.getAttribute("href") === (location.hash || "#/")) render();
});
window.addEventListener("hashchange", () => { render(); document.getElementById("view").focus(); });
window.addEventListener("online", offlineStatus);
window.addEventListener("session-changed", () => { render(); keepCrisisLinesReady(); });
window.addEventListener("offline", () => status(t("offline")));
render();
flush();
keepCrisisLinesReady();
if ("serviceWorker" in navigator) {
  navigator.serviceWorker.register("/sw.js").then(watchForUpdates).catch(() => {});
  // A tapped reminder: the worker asks the open app to show the view it is about.
  navigator.serviceWorker.addEventListener("message", (event) => {
    const { type, url } = event.data || {};
    if (type === "open" && typeof url === "string" && url.startsWith("#/")) location.hash = url;
  });
}
