// Who is signed in, and the private answers kept on the phone while they are.
// The session itself is an HttpOnly cookie this code cannot read; a flag in localStorage says
// whether to ask the server, so a signed-out phone never sends a request bound to fail.
import { Offline, getJSON, onSessionEnded, request } from "./api.js";
import { chosenLanguage, setLanguage } from "./i18n.js";
import { unsubscribeBrowser } from "./push.js";
import { clearStore, getItem, putItem } from "./store.js";
import { visit } from "./visit.js";

const FLAG = "rapport.signedIn";
let current; // undefined: not asked yet; null: nobody

export const hasSession = () => localStorage.getItem(FLAG) === "1";

let asking = null; // one question at a time: two views asking at once get the same person

export function me() {
  if (current !== undefined) return Promise.resolve(current);
  if (!hasSession()) return Promise.resolve(current = null);
  asking ??= askServer().finally(() => { asking = null; });
  return asking;
}

async function askServer() {
  try {
    current = (await request("GET", "/api/v1/me")).data;
    await putItem("private", "me", { data: current, at: Date.now() });
  } catch (error) {
    if (!(error instanceof Offline)) throw error;
    current = (await getItem("private", "me"))?.data ?? null; // offline: who was here last
  }
  return current;
}

// Lists written for someone: a person supported reads the tips and FAQs written for them.
const FOR_AUDIENCE = new Set(["/api/v1/tips", "/api/v1/tips/today", "/api/v1/faqs"]);

// Public content (tips, FAQs, crisis lines) as this person sees it: with their agency's own
// items too, unless a link (this view's, or the one that opened the app) names an agency.
export async function getContent(path, params = {}, options = {}) {
  const user = hasSession() ? await me().catch(() => null) : null;
  const audience = user?.role === "peer" && FOR_AUDIENCE.has(path) ? "peer" : undefined;
  const agency = params.agency || visit("agency") || user?.content_agency_id;
  return getJSON(path, { ...params, audience, agency: agency || undefined }, options);
}

// A private read: from the server when it answers, else the copy kept on this phone.
// `savedAt` is set when the answer is the phone's copy.
export async function readPrivate(path, params) {
  const key = params ? `${path}?${new URLSearchParams(params)}` : path;
  try {
    const { data } = await request("GET", path, { params });
    if (hasSession()) await putItem("private", key, { data, at: Date.now() });
    return { data, savedAt: null };
  } catch (error) {
    const copy = error instanceof Offline ? await getItem("private", key) : null;
    if (!copy) throw error;
    return { data: copy.data, savedAt: copy.at };
  }
}

async function started() {
  localStorage.setItem(FLAG, "1");
  current = undefined;
  asking = null;
  const user = await me();
  window.dispatchEvent(new CustomEvent("session-changed"));
  return user;
}

// Ask the server again who is signed in (after a change to the account, such as joining an
// agency), and redraw.
export const refreshMe = () => started();

export async function signIn(credentials) {
  await request("POST", "/api/v1/auth/token", { body: { ...credentials, use_cookie: true } });
  return started();
}

export async function register(details) {
  await request("POST", "/api/v1/auth/register", { body: details });
  return signIn({ email: details.email, password: details.password });
}

export async function join(code, details) {
  const { data } = await request("POST", `/api/v1/invites/${encodeURIComponent(code)}/accept`,
    { body: { ...details, use_cookie: true } });
  await started();
  return data.partnership_id;
}

// Forget everything private. The outbox goes too: `keepOutbox` only when the server ended
// the session, so the same person can sign in again and send what they saved.
export async function forget({ keepOutbox = false } = {}) {
  localStorage.removeItem(FLAG);
  current = null;
  asking = null;
  await clearPhone(keepOutbox ? ["private"] : ["private", "outbox"]);
  window.dispatchEvent(new CustomEvent("session-changed"));
}

// Clear-Site-Data may be deleting the same database at this moment: try a few times, and
// never leave the person looking signed in because the phone was busy.
async function clearPhone(stores) {
  for (let attempt = 0; attempt < 4; attempt++) {
    try {
      for (const store of stores) await clearStore(store);
      return;
    } catch {
      await new Promise((resolve) => setTimeout(resolve, 150));
    }
  }
}

// Signing out needs the network: only the server can end the session and drop the cookie.
// Its answer carries Clear-Site-Data, which also wipes this app's storage and caches; the
// language choice is not private, so it is put back, and the app re-registers its worker.
// The browser's push subscription is dropped first (Clear-Site-Data may take the worker, and
// the subscription with it, out of reach): the server drops its side with the session, and a
// shared phone stops getting the last person's reminders.
async function endSession(method, path) {
  const lang = chosenLanguage();
  await unsubscribeBrowser();
  await request(method, path);
  await forget();
  setLanguage(lang);
  navigator.serviceWorker?.register("/sw.js").catch(() => {});
}

export const signOut = () => endSession("DELETE", "/api/v1/auth/token");
export const deleteAccount = () => endSession("DELETE", "/api/v1/me");

onSessionEnded(() => { if (hasSession()) forget({ keepOutbox: true }); });
