/* Rapport service worker.
 * - The app shell is precached at install, so the app opens with no network.
 * - Public content (tips, FAQs, surveys, crisis lines) is stale-while-revalidate: shown at
 *   once from the phone, refreshed in the background; a request made with cache "no-cache"
 *   asks the server first (the phone's copy when offline).
 * - Private answers (anything else under /api/) are never stored on the phone by us.
 * - A new version waits until the page asks it to take over (SKIP_WAITING).
 * - Reminders arrive as pushes: shown as they came (they name no one unless the person chose
 *   names), and a tap opens the app at the view they are about.
 */
const VERSION = "v25";
const SHELL = `rapport-shell-${VERSION}`;
const CONTENT = `rapport-content-${VERSION}`;
const SHELL_FILES = [
  "/", "/offline.html", "/manifest.webmanifest", "/css/app.css", "/icons/icon-192.png",
  "/js/app.js", "/js/screen.js", "/js/dom.js", "/js/api.js", "/js/i18n.js", "/js/crisis.js",
  "/js/store.js", "/js/session.js", "/js/visit.js", "/js/outbox.js", "/js/ui.js",
  "/js/views/today.js", "/js/views/tips.js", "/js/views/faq.js", "/js/views/settings.js",
  "/js/views/goals.js", "/js/views/goal_edit.js", "/js/views/partnership.js",
  "/js/views/selfcheck.js", "/js/views/invites.js", "/js/views/topics.js", "/js/fold.js",
  "/js/push.js", "/js/views/reminders.js",
  "/js/views/agency/common.js", "/js/views/agency/home.js", "/js/views/agency/content.js",
  "/js/views/agency/crisis.js", "/js/views/agency/handover.js",
  "/js/views/agency/embed.js", "/js/views/agency/keys.js",
  "/js/views/agency/join_codes.js", "/js/views/agency/members.js",
  "/js/views/agency/insights.js", "/js/views/agency/supervision.js",
  "/js/views/authorize.js", "/js/views/connected_apps.js",
  "/js/views/agency/apps.js", "/js/views/agency/webhooks.js",
];
const PUBLIC_API = /^\/api\/v1\/(tips|faqs|topics|crisis-resources|surveys(\/[a-z0-9-]+)?)(\/[a-z0-9-]+)?$/;

self.addEventListener("install", (event) => {
  // "reload" skips the browser's HTTP cache: a new version never precaches yesterday's files.
  const fresh = SHELL_FILES.map((url) => new Request(url, { cache: "reload" }));
  event.waitUntil(caches.open(SHELL).then((cache) => cache.addAll(fresh)));
});

self.addEventListener("activate", (event) => {
  event.waitUntil((async () => {
    const keep = new Set([SHELL, CONTENT]);
    for (const name of await caches.keys()) if (!keep.has(name)) await caches.delete(name);
    await self.clients.claim();
  })());
});

self.addEventListener("message", (event) => {
  if (event.data === "SKIP_WAITING") self.skipWaiting();
});

async function staleWhileRevalidate(request) {
  const cache = await caches.open(CONTENT);
  const cached = await cache.match(request);
  if (request.cache === "no-cache") { // the page asks for the server's answer (getJSON fresh)
    try {
      const response = await fetch(request);
      if (response.ok) await cache.put(request, response.clone());
      return response;
    } catch {
      return cached || Response.error();
    }
  }
  const fresh = fetch(request).then((response) => {
    if (response.ok) cache.put(request, response.clone());
    return response;
  }).catch(() => cached);
  return cached || fresh;
}

async function page(request) {
  try {
    return await fetch(request);
  } catch {
    return (await caches.match("/")) || caches.match("/offline.html");
  }
}

self.addEventListener("fetch", (event) => {
  const { request } = event;
  const url = new URL(request.url);
  if (request.method !== "GET" || url.origin !== self.location.origin) return;
  if (request.mode === "navigate") { event.respondWith(page(request)); return; }
  if (url.pathname.startsWith("/api/")) {
    // Public content only; the rest goes to the network untouched and is never stored.
    if (PUBLIC_API.test(url.pathname) && !url.pathname.endsWith("/responses")) {
      event.respondWith(staleWhileRevalidate(request));
    }
    return;
  }
  event.respondWith(caches.match(request).then((hit) => hit || fetch(request).catch(
    () => caches.match("/offline.html"))));
});

// A push must always show something (userVisibleOnly): one that is missing or unreadable
// says only that there is something new.
const ICON = "/icons/icon-192.png";
const SOMETHING_NEW = { en: "Something new in Rapport.", es: "Hay algo nuevo en Rapport." };

function somethingNew() {
  const lang = (self.navigator.language || "en").slice(0, 2).toLowerCase();
  return { title: "Rapport", body: SOMETHING_NEW[lang] || SOMETHING_NEW.en, url: "#/", tag: "rapport" };
}

// Only the app's own views: a push can never send the app to another address.
const appHash = (url) => (typeof url === "string" && /^#\/[\w\-/]*$/.test(url) ? url : "#/");

function readPush(data) {
  let message;
  try {
    message = data?.json();
  } catch {
    return somethingNew();
  }
  if (!message || typeof message.title !== "string" || !message.title) return somethingNew();
  return { title: message.title, body: typeof message.body === "string" ? message.body : "",
           url: appHash(message.url), tag: typeof message.tag === "string" ? message.tag : "rapport" };
}

self.addEventListener("push", (event) => {
  const message = readPush(event.data);
  event.waitUntil(self.registration.showNotification(message.title, {
    body: message.body, tag: message.tag, data: { url: message.url }, icon: ICON, badge: ICON }));
});

// A tap: bring an open app window forward and show the view; else open the app there.
// The page moves itself (a message, see app.js), so nothing it holds is reloaded.
async function openFromNotification(notification) {
  notification.close();
  const hash = appHash(notification.data?.url);
  const windows = await self.clients.matchAll({ type: "window", includeUncontrolled: true });
  const app = windows.find((client) => new URL(client.url).pathname === "/");
  if (!app) return self.clients.openWindow(`/${hash}`);
  try {
    await app.focus();
  } catch {
    // Focus needs the tap's permission; without it the view still changes.
  }
  app.postMessage({ type: "open", url: hash });
  return app;
}

self.addEventListener("notificationclick", (event) => {
  event.waitUntil(openFromNotification(event.notification));
});
