// The outbox's sync: sending waiting items to the server's sync endpoint,
// which is idempotent on the item's ID. An item is deleted only when the
// server has stored it (201) or already had it (200). With no signal the
// item waits, and is sent when the network returns (the online event, every
// page load, and retries with back-off). If the session has expired, items
// wait until the builder signs in again.
//
// What the builder should be told is announced on `syncEvents`:
//   "notice"   (event.detail is the text): something they should know;
//   "sign-in"  the session has expired: sign in again to send;
//   "flushed"  a round of sending has ended.

import { items, putItem, removeItem, user } from "./storage.js";

const SYNC_URL = "/communities/sync/";
const FIRST_BACKOFF_MS = 2000;
const MAX_BACKOFF_MS = 5 * 60 * 1000;

export const syncEvents = new EventTarget();

let flushing = null;
let backoff = FIRST_BACKOFF_MS;
let retryTimer = null;

function announce(type, detail = null) {
  syncEvents.dispatchEvent(new CustomEvent(type, { detail }));
}

function csrfToken() {
  const match = document.cookie.match(/(?:^|;\s*)csrftoken=([^;]+)/);
  return match ? decodeURIComponent(match[1]) : "";
}

async function send(item, interactive = false) {
  const headers = {
    "Content-Type": "application/json",
    Accept: "application/json",
    "X-CSRFToken": csrfToken(),
  };
  // The item the builder has just saved: the server says "saved" on the
  // page they are taken to next.
  if (interactive) headers["X-Outbox-Interactive"] = "1";
  const response = await fetch(`${SYNC_URL}${item.id}/`, {
    method: "PUT",
    credentials: "same-origin",
    headers,
    body: JSON.stringify({ kind: item.kind, payload: item.payload }),
  });
  // Every answer of the sync endpoint is JSON; anything else (a proxy's
  // error page, say) is an answer with nothing in it.
  const body = await response.json().catch(() => ({}));
  return { status: response.status, body };
}

export function isSaved(answer) {
  return Boolean(answer) && (answer.status === 200 || answer.status === 201);
}

export function isRefused(answer) {
  return Boolean(answer) && (answer.status === 422 || answer.status === 400);
}

// Send waiting items in the order they were made, so a resident made on the
// phone arrives before the introduction that names them. Returns what
// happened to each item sent, by ID: {status, body}.
export async function flush(interactiveId = null) {
  // One flush at a time; a later call waits for the one under way and then
  // runs its own, so an item saved meanwhile is never left out.
  while (flushing) {
    try {
      await flushing;
    } catch {
      // the earlier flush's failure is its own
    }
  }
  flushing = doFlush(interactiveId).finally(() => {
    flushing = null;
  });
  return flushing;
}

async function doFlush(interactiveId) {
  const outcomes = {};
  if (!user) return outcomes;
  let networkFailed = false;
  for (const item of await items()) {
    if (item.state === "invalid") continue; // waiting for the builder to correct it
    let answer;
    try {
      answer = await send(item, item.id === interactiveId);
    } catch {
      networkFailed = true;
      break;
    }
    outcomes[item.id] = answer;
    const { status, body } = answer;
    if (isSaved(answer)) {
      await removeItem(item.id);
    } else if (status === 409) {
      // The server kept it for an officer; nothing more the phone can do.
      await removeItem(item.id);
      announce("notice", `"${item.label}" clashed with something already sent. An officer will check it.`);
    } else if (isRefused(answer)) {
      await putItem({ ...item, state: "invalid", errors: body.errors || { form: [body.message || "Check this item."] } });
    } else if (status === 424) {
      await putItem({ ...item, state: "waiting", errors: body.errors || null });
    } else if (status === 401 || status === 403) {
      announce("sign-in");
      break;
    } else {
      networkFailed = true; // a server error: try again later
      break;
    }
  }
  if (networkFailed) {
    scheduleRetry();
  } else {
    backoff = FIRST_BACKOFF_MS;
  }
  announce("flushed");
  return outcomes;
}

function scheduleRetry() {
  clearTimeout(retryTimer);
  retryTimer = setTimeout(flush, backoff);
  backoff = Math.min(backoff * 2, MAX_BACKOFF_MS);
}

// Send when the network returns, and now.
export function startSync() {
  window.addEventListener("online", () => {
    backoff = FIRST_BACKOFF_MS;
    flush();
  });
  return flush();
}
