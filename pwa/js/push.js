// Web Push on this phone: can it work here, turn it on (only when the person asks), keep it
// on the server's current key, and turn it off. The choices themselves live on the server,
// one set per device (GET/POST/PATCH/DELETE /api/v1/me/push-subscriptions).
import { request } from "./api.js";
import { language } from "./i18n.js";

const DEVICES = "/api/v1/me/push-subscriptions";

// The person said no (or closed the prompt): nothing to subscribe.
export class NotAllowed extends Error {}

const appleMobile = () => /iPhone|iPad|iPod/.test(navigator.userAgent)
  || (navigator.platform === "MacIntel" && navigator.maxTouchPoints > 1); // iPadOS asks as a Mac
const installed = () => navigator.standalone === true
  || matchMedia("(display-mode: standalone)").matches;

// "ok", or why not: "ios-install" (Safari on iPhone/iPad pushes only to a Home Screen app),
// "denied" (blocked in the browser's settings), "unsupported".
export function pushSupport() {
  if (appleMobile() && !installed()) return "ios-install";
  if (!("serviceWorker" in navigator) || !("PushManager" in window) || !("Notification" in window)) {
    return "unsupported";
  }
  if (Notification.permission === "denied") return "denied";
  return "ok";
}

function bytes(base64url) {
  const text = atob(base64url.replace(/-/g, "+").replace(/_/g, "/"));
  return Uint8Array.from(text, (char) => char.charCodeAt(0));
}

function sameKey(subscription, key) {
  const held = subscription.options?.applicationServerKey;
  if (!held) return true; // the browser does not say: trust it
  const a = new Uint8Array(held);
  const b = bytes(key);
  return a.length === b.length && a.every((value, i) => value === b[i]);
}

const timeZone = () => Intl.DateTimeFormat().resolvedOptions().timeZone || "UTC";

// The browser's subscription, if any, without waiting for a worker that never comes.
export async function browserSubscription() {
  if (!("serviceWorker" in navigator) || !("PushManager" in window)) return null;
  const registration = await navigator.serviceWorker.getRegistration();
  return (await registration?.pushManager.getSubscription()) ?? null;
}

export const serverKey = async () => (await request("GET", "/api/v1/push/key")).data.public_key;

export async function devices() {
  return (await request("GET", DEVICES)).data;
}

// What a device chose, as the server takes it back.
export const choicesOf = (device) => ({
  label: device.label, kinds: device.kinds, detail: device.detail, quiet_hours: device.quiet_hours,
  daily_summary: device.daily_summary, summary_at: device.summary_at });

async function post(subscription, choices) {
  const { endpoint, keys } = subscription.toJSON();
  const body = { endpoint, keys: { p256dh: keys.p256dh, auth: keys.auth },
                 time_zone: timeZone(), language: language(), ...choices };
  if (body.label === null || body.label === undefined) delete body.label;
  return (await request("POST", DEVICES, { body })).data;
}

async function subscribe(key) {
  const registration = await navigator.serviceWorker.ready;
  let subscription = await registration.pushManager.getSubscription();
  if (subscription && !sameKey(subscription, key)) {
    await subscription.unsubscribe();
    subscription = null;
  }
  return subscription ?? registration.pushManager.subscribe({
    userVisibleOnly: true, applicationServerKey: bytes(key) });
}

// Only ever called from the person's press of "Turn on": that is when the browser asks.
export async function turnOn(choices) {
  const permission = await Notification.requestPermission();
  if (permission !== "granted") throw new NotAllowed(permission);
  return post(await subscribe(await serverKey()), choices);
}

export const change = async (device, choices) =>
  (await request("PATCH", `${DEVICES}/${device.id}`, { body: choices })).data;

export const remove = (device) => request("DELETE", `${DEVICES}/${device.id}`);

export async function turnOff(device) {
  if (device) await remove(device);
  await unsubscribeBrowser();
}

// The server rotated its key: the browser's subscription is for the old one and every push
// to it would fail. Subscribe again with the same choices, and drop the old device.
export async function keepCurrent(device) {
  const subscription = await browserSubscription();
  if (!subscription || !device) return device;
  const key = await serverKey();
  if (sameKey(subscription, key)) return device;
  await subscription.unsubscribe();
  const fresh = await subscribe(key);
  await remove(device).catch(() => {});
  return post(fresh, choicesOf(device));
}

// On sign-out and account deletion: a shared phone stops getting the last person's reminders.
export async function unsubscribeBrowser() {
  try {
    await (await browserSubscription())?.unsubscribe();
  } catch {
    // Nothing to stop, or the browser already forgot it.
  }
}
