// What the screen shows: the view the address (#/path?query) names, and the status line.
// The route table comes from app.js, so a view can ask for a redraw without importing the
// module that loads it.
import { el } from "./dom.js";
import { t, translatePage } from "./i18n.js";
import { hasSession, me } from "./session.js";
import { remember } from "./visit.js";

let routes = [];

// [pattern, show] pairs: the first pattern that matches the path shows the view, else the first.
export function useRoutes(table) { routes = table; }

// The status line: news ("Link copied") fades after a while; being offline stays said.
let fading;
export function status(message) {
  const line = document.getElementById("status");
  line.textContent = message;
  clearTimeout(fading);
  if (message && message !== t("offline")) {
    // Cleared, then "offline" put back if it still holds: offlineStatus alone only ever
    // cleared its own word, so news stayed on screen for good.
    fading = setTimeout(() => {
      if (line.textContent === message) { line.textContent = ""; offlineStatus(); }
    }, 8000);
  }
}

export function offlineStatus() {
  const line = document.getElementById("status");
  if (!navigator.onLine) line.textContent = t("offline");
  else if (line.textContent === t("offline")) line.textContent = "";
}

function current() {
  const [path, search = ""] = location.hash.slice(1).split("?");
  return { path: path || "/", query: new URLSearchParams(search) };
}

let renders = 0;
const SLOW_MS = 300;

// The tabs fit who is signed in: the check tab leads a person supported to their session
// check, and says so; an agency admin's first tab is the agency console, and goals and the
// self-check (a worker's and a peer's) are not theirs (class "console" on <body> hides them).
// Then the tab of the view shown is marked.
async function fitTabs(path, ticket) {
  const user = hasSession() ? await me().catch(() => null) : null;
  if (ticket !== renders) return; // a newer view marks its own tab
  const admin = user?.role === "agency_admin";
  document.body.classList.toggle("console", admin);
  const name = (link, key) => {
    const word = link?.querySelector("[data-i18n]");
    if (word && word.dataset.i18n !== key) { word.dataset.i18n = key; word.textContent = t(key); }
  };
  name(document.querySelector('.tabs a[href="#/self-check"]'), user?.role === "peer" ? "navCheckPeer" : "navCheck");
  const home = document.querySelector(".tabs a");
  if (home) { home.setAttribute("href", admin ? "#/agency" : "#/"); name(home, admin ? "navConsole" : "navToday"); }
  for (const link of document.querySelectorAll(".tabs a")) {
    const target = link.getAttribute("href").slice(1);
    const here = target === "/" ? path === "/" : path.startsWith(target) || (admin && link === home && path === "/");
    if (here) link.setAttribute("aria-current", "page"); else link.removeAttribute("aria-current");
  }
}

export async function render() {
  const ticket = ++renders; // a slow view must not cover a newer one
  const { path, query } = current();
  remember(query); // a link's ?lang= and ?agency= last the visit
  translatePage();
  fitTabs(path, ticket);
  const view = document.getElementById("view");
  // On a slow network the old view gives way to a sign that the new one is coming.
  const slow = setTimeout(() => {
    if (ticket !== renders) return;
    view.setAttribute("aria-busy", "true");
    view.replaceChildren(el("p", { class: "loading", role: "status", text: t("loading") }));
  }, SLOW_MS);
  const [pattern, show] = routes.find(([candidate]) => candidate.test(path)) ?? routes[0];
  let parts;
  try {
    parts = await show(path.match(pattern) ?? [path], query);
  } catch (error) {
    parts = [el("h1", { text: "Rapport" }),
             el("p", { text: error?.status === 404 ? t("notFound") : t("failed") })];
  }
  clearTimeout(slow);
  if (ticket !== renders) return;
  view.removeAttribute("aria-busy");
  view.replaceChildren(...parts.flat(Infinity).filter(Boolean));
  // Each view's own title, for the tab, the history and screen readers announcing the page.
  const heading = view.querySelector("h1")?.textContent.trim();
  document.title = heading && heading !== "Rapport" ? `${heading} – Rapport` : "Rapport";
  offlineStatus();
}
