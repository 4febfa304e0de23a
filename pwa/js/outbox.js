// Writes that must not be lost. Each goes to the phone first (IndexedDB) with its own
// Idempotency-Key, then to the server when it can: at once, when the network returns, or
// when the app opens. Sending twice is safe, because the server answers a repeated key with
// its first answer. A 412 (someone changed the thing first) is never overwritten silently:
// the item waits as a conflict until the person chooses.
import { Offline, request } from "./api.js";
import { me } from "./session.js";
import { allItems, deleteItem, putItem } from "./store.js";

const KEEP_SENT_MS = 24 * 60 * 60 * 1000; // long enough to see "sent", then tidied away

function changed() {
  window.dispatchEvent(new CustomEvent("outbox-changed"));
}

// kind: checkin | milestone_done | milestone_edit | goal_status | goal_edit | celebration |
// survey_response.
// `about` holds the ids a view needs to show the item in the right place.
export async function queue({ kind, method = "POST", path, body, ifMatch, about = {} }) {
  const user = await me();
  const item = {
    id: crypto.randomUUID(), key: crypto.randomUUID(), user_id: user.id, kind, method, path,
    body, ifMatch, about, state: "saved", created_at: new Date().toISOString(),
  };
  await putItem("outbox", item.id, item);
  changed();
  flush();
  return item;
}

export async function outboxItems(match = () => true) {
  const items = await allItems("outbox").catch(() => []);
  return items.filter(match).sort((a, b) => a.created_at.localeCompare(b.created_at));
}

export const unsentCount = async () =>
  (await outboxItems((item) => item.state !== "sent")).length;

let sending = null;
let asked = false;
// Send what waits, oldest first; one run at a time. Asked again during a run (the network
// came back while it was failing), it runs once more after.
export function flush() {
  if (sending) {
    asked = true;
    return sending;
  }
  sending = sendWaiting().finally(() => {
    sending = null;
    if (asked) {
      asked = false;
      flush();
    }
  });
  return sending;
}

// What the server holds now, to show next to the person's own version after a 412.
async function serverVersion(item) {
  if (item.kind === "milestone_done" || item.kind === "milestone_edit") {
    const { data } = await request("GET", `/api/v1/goals/${item.about.goal_id}/milestones`);
    return data.find((milestone) => milestone.id === item.about.milestone_id) ?? null;
  }
  return (await request("GET", `/api/v1/goals/${item.about.goal_id}`)).data;
}

function alreadyThere(item, server) {
  return Object.entries(item.body).every(([field, value]) => server[field] === value);
}

async function sendWaiting() {
  const user = await me().catch(() => null);
  if (!user) return;
  for (const item of await outboxItems()) {
    if (item.user_id !== user.id) { // saved by someone signed in before: never send as another
      await deleteItem("outbox", item.id);
      continue;
    }
    if (item.state === "sent" && Date.now() - Date.parse(item.sent_at) > KEEP_SENT_MS) {
      await deleteItem("outbox", item.id);
      continue;
    }
    if (item.state !== "saved") continue;
    const headers = { "Idempotency-Key": item.key };
    if (item.ifMatch) headers["If-Match"] = item.ifMatch;
    try {
      const { data } = await request(item.method, item.path, { body: item.body, headers });
      Object.assign(item, { state: "sent", sent_at: new Date().toISOString(), result: data });
    } catch (error) {
      // No network, a session to renew, a busy server or our own earlier try still running:
      // leave it saved and try again later.
      if (error instanceof Offline || error.status === 401 || error.status === 429
          || error.status >= 500 || (error.status === 409 && error.retryAfter)) return;
      if (error.status === 412) {
        const server = await serverVersion(item).catch(() => null);
        // An earlier try that landed but whose answer was lost looks like a conflict.
        if (server && alreadyThere(item, server)) {
          Object.assign(item, { state: "sent", sent_at: new Date().toISOString(), result: server });
        } else {
          Object.assign(item, { state: "conflict", server });
        }
      } else {
        item.state = "failed";
        item.problem = { status: error.status, detail: error.message };
      }
    }
    await putItem("outbox", item.id, item);
    changed();
  }
}

// After a conflict: send mine over what is there now, or keep theirs and drop mine.
export async function keepMine(item) {
  // A new key too: the server may have kept its 412 as the answer to the old one.
  Object.assign(item, { state: "saved", ifMatch: `"v${item.server.version}"`, server: null,
                        key: crypto.randomUUID() });
  await putItem("outbox", item.id, item);
  changed();
  return flush();
}

export async function discard(item) {
  await deleteItem("outbox", item.id);
  changed();
}

window.addEventListener("online", () => flush());
