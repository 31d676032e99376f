// The outbox's storage: the items waiting to send, kept in IndexedDB on the
// phone. Each item has an ID made on the phone (a UUID) and belongs to the
// builder who made it: another person signing in on the same phone never
// sees or sends it. Every change is announced on `changes`, so the page can
// redraw what it shows without this module knowing about the page.

import { openDB } from "../../vendor/idb/idb.js";

const DB_NAME = "abcd-outbox";
const STORE = "items";

export const user = document.body.dataset.user || "";
export const changes = new EventTarget();

let dbPromise = null;

function db() {
  if (!dbPromise) {
    dbPromise = openDB(DB_NAME, 1, {
      upgrade(database) {
        const store = database.createObjectStore(STORE, { keyPath: "id" });
        store.createIndex("user", "user");
      },
    });
  }
  return dbPromise;
}

function changed() {
  changes.dispatchEvent(new Event("change"));
}

// The outbox works only for a signed-in builder, in a browser with IndexedDB.
export function available() {
  return "indexedDB" in window && Boolean(user);
}

// This builder's items, oldest first (the order they are sent in).
export async function items() {
  if (!user) return [];
  const all = await (await db()).getAllFromIndex(STORE, "user", user);
  return all.sort((a, b) => a.createdAt - b.createdAt);
}

export async function getItem(id) {
  const item = await (await db()).get(STORE, id);
  return item && item.user === user ? item : undefined;
}

export async function putItem(item) {
  await (await db()).put(STORE, item);
  changed();
}

export async function removeItem(id) {
  await (await db()).delete(STORE, id);
  changed();
}

// What the builder calls the item in lists and messages.
function describe(kind, payload) {
  if (kind === "resident") return payload.first_name || "A resident";
  if (kind === "conversation") {
    const who = payload.add_new_resident ? ` with ${payload.first_name || "someone new"}` : "";
    return `Conversation on ${payload.held_on || "a day"}${who}`;
  }
  if (kind === "introduction") return `Introduction through ${payload.interest || "an interest"}`;
  if (kind === "group") return payload.name || "A group";
  return kind;
}

// Keep a form's fields as an item waiting to send; with the ID of an item
// already kept (one being corrected), replace it, keeping its place in line.
export async function queue(kind, payload, id = null) {
  const existing = id ? await getItem(id) : undefined;
  const item = {
    ...(existing || {}),
    id: existing ? existing.id : crypto.randomUUID(),
    kind,
    payload,
    user,
    label: describe(kind, payload),
    createdAt: existing ? existing.createdAt : Date.now(),
    state: "waiting",
    errors: null,
  };
  await putItem(item);
  return item;
}
