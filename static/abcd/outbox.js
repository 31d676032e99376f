// The builder's outbox: nothing recorded on the phone is lost.
//
// Every builder form goes through here when JavaScript runs. The form's
// fields are kept in IndexedDB under an ID made on the phone (a UUID), then
// sent to the server's sync endpoint, which is idempotent on that ID. An item
// is deleted only when the server has stored it (201) or already had it
// (200). With no signal the item waits, and is sent when the network returns
// (the online event, every page load, and retries with back-off). If the
// session has expired, items wait until the builder signs in again. Items
// belong to the builder who made them: another person signing in on the same
// phone never sends them.

import { openDB } from "../vendor/idb/idb.js";

const DB_NAME = "abcd-outbox";
const STORE = "items";
const SYNC_URL = "/communities/sync/";
const MAX_BACKOFF_MS = 5 * 60 * 1000;

const KIND_LABELS = {
  resident: "Resident",
  conversation: "Conversation",
  introduction: "Introduction",
  group: "Group",
};

const user = document.body.dataset.user || "";
let dbPromise = null;
let flushing = null;
let backoff = 2000;
let retryTimer = null;
// Kept up to date by showStatus(), so that a submit handler can decide
// without waiting (preventDefault() must be called before any await).
let waitingCount = 0;

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

export async function items() {
  const all = await (await db()).getAllFromIndex(STORE, "user", user);
  return all.sort((a, b) => a.createdAt - b.createdAt);
}

export async function getItem(id) {
  const item = await (await db()).get(STORE, id);
  return item && item.user === user ? item : undefined;
}

export async function removeItem(id) {
  await (await db()).delete(STORE, id);
  await showStatus();
}

async function putItem(item) {
  await (await db()).put(STORE, item);
}

function csrfToken() {
  const match = document.cookie.match(/(?:^|;\s*)csrftoken=([^;]+)/);
  return match ? decodeURIComponent(match[1]) : "";
}

// Form fields as the server's forms read them: text, or lists of text for
// fields that repeat (checkboxes, multiple selects).
export function formPayload(form) {
  const payload = {};
  const data = new FormData(form);
  for (const [name, value] of data.entries()) {
    if (name === "csrfmiddlewaretoken" || typeof value !== "string") continue;
    const field = form.querySelector(`[name="${CSS.escape(name)}"]`);
    if (field?.type === "checkbox" || field?.multiple) {
      (payload[name] ||= []).push(value);
    } else {
      payload[name] = value;
    }
  }
  return payload;
}

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
  await showStatus();
  return item;
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
  let body = {};
  try {
    body = await response.json();
  } catch {
    body = {};
  }
  return { status: response.status, body };
}

// Send waiting items in the order they were made, so a resident made on the
// phone arrives before the introduction that names them. Returns what
// happened to each item sent.
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
    if (status === 200 || status === 201) {
      await removeItem(item.id);
    } else if (status === 409) {
      // The server kept it for an officer; nothing more the phone can do.
      await removeItem(item.id);
      notice(`"${item.label}" clashed with something already sent. An officer will check it.`);
    } else if (status === 422 || status === 400) {
      await putItem({ ...item, state: "invalid", errors: body.errors || { form: [body.message || "Check this item."] } });
    } else if (status === 424) {
      await putItem({ ...item, state: "waiting", errors: body.errors || null });
    } else if (status === 401 || status === 403) {
      await markSignIn();
      break;
    } else {
      networkFailed = true; // a server error: try again later
      break;
    }
  }
  if (networkFailed) {
    scheduleRetry();
  } else {
    backoff = 2000;
  }
  await showStatus();
  return outcomes;
}

function scheduleRetry() {
  clearTimeout(retryTimer);
  retryTimer = setTimeout(flush, backoff);
  backoff = Math.min(backoff * 2, MAX_BACKOFF_MS);
}

async function markSignIn() {
  document.body.dataset.outboxSignIn = "true";
}

// What the builder sees ------------------------------------------------------

function notice(text) {
  const region = document.getElementById("outbox-notice");
  if (region) region.textContent = text;
}

export async function showStatus() {
  const status = document.getElementById("outbox-status");
  if (!status) return;
  const all = user ? await items() : [];
  const invalid = all.filter((i) => i.state === "invalid").length;
  const count = all.length;
  waitingCount = count;
  document.querySelectorAll("[data-outbox-count]").forEach((el) => {
    el.textContent = String(count);
  });
  status.hidden = count === 0;
  const text = status.querySelector("[data-outbox-text]");
  if (text) {
    let message = `${count} ${count === 1 ? "item is" : "items are"} waiting to send.`;
    if (invalid) message += ` ${invalid} ${invalid === 1 ? "needs" : "need"} correcting.`;
    if (document.body.dataset.outboxSignIn === "true") {
      message += " Sign in again to send them.";
    } else if (!navigator.onLine) {
      message += " They will send when you have signal.";
    }
    text.textContent = message;
  }
  const signIn = status.querySelector("[data-outbox-signin]");
  if (signIn) signIn.hidden = document.body.dataset.outboxSignIn !== "true";
}

function showErrors(form, errors) {
  clearErrors(form);
  const summary = document.createElement("div");
  summary.className = "govuk-error-summary";
  summary.setAttribute("data-outbox-errors", "");
  const alert = document.createElement("div");
  alert.setAttribute("role", "alert");
  const title = document.createElement("h2");
  title.className = "govuk-error-summary__title";
  title.textContent = "There is a problem";
  const body = document.createElement("div");
  body.className = "govuk-error-summary__body";
  const list = document.createElement("ul");
  list.className = "govuk-list govuk-error-summary__list";
  for (const [name, messages] of Object.entries(errors)) {
    const field = form.querySelector(`[name="${name}"]`);
    const target = field ? field.id : form.querySelector("input, select, textarea")?.id;
    for (const message of messages) {
      const item = document.createElement("li");
      const link = document.createElement("a");
      link.href = `#${target || ""}`;
      link.textContent = message;
      item.append(link);
      list.append(item);
    }
    const group = field?.closest(".govuk-form-group");
    if (group) {
      group.classList.add("govuk-form-group--error");
      const p = document.createElement("p");
      p.className = "govuk-error-message";
      p.setAttribute("data-outbox-error", "");
      const hidden = document.createElement("span");
      hidden.className = "govuk-visually-hidden";
      hidden.textContent = "Error: ";
      p.append(hidden, messages.join(" "));
      const before = group.querySelector("input, select, textarea, .govuk-checkboxes, .govuk-radios");
      group.insertBefore(p, before);
    }
  }
  body.append(list);
  alert.append(title, body);
  summary.append(alert);
  form.parentElement.insertBefore(summary, form.parentElement.firstChild);
  if (!document.title.startsWith("Error: ")) document.title = `Error: ${document.title}`;
  summary.setAttribute("tabindex", "-1");
  summary.focus();
}

function clearErrors(form) {
  form.parentElement.querySelectorAll("[data-outbox-errors]").forEach((el) => el.remove());
  form.querySelectorAll("[data-outbox-error]").forEach((el) => el.remove());
  form.querySelectorAll(".govuk-form-group--error").forEach((el) => el.classList.remove("govuk-form-group--error"));
}

function showSaved(form, item) {
  // The panel exists only once something has been saved on the phone.
  const place = document.getElementById("outbox-saved");
  const template = document.getElementById("outbox-saved-template");
  if (!place || !template) return;
  const panel = template.content.firstElementChild.cloneNode(true);
  panel.querySelector("[data-outbox-saved-label]").textContent = item.label;
  place.replaceChildren(panel);
  panel.focus();
}

// Forms ----------------------------------------------------------------------

function fill(form, payload) {
  for (const element of form.elements) {
    if (!element.name || element.name === "csrfmiddlewaretoken") continue;
    const value = payload[element.name];
    const values = Array.isArray(value) ? value : value === undefined ? [] : [value];
    if (element.type === "checkbox" || element.type === "radio") {
      element.checked = values.includes(element.value);
    } else if (element.tagName === "SELECT" && element.multiple) {
      for (const option of element.options) option.selected = values.includes(option.value);
    } else if (element.type !== "submit" && element.type !== "button") {
      element.value = values[0] ?? "";
    }
  }
}

// Residents recorded on this phone but not yet sent can be chosen in other
// forms: they are offered as "device:<id>", which the server resolves.
async function offerWaitingResidents(form) {
  const residents = (await items()).filter((i) => i.kind === "resident");
  if (!residents.length) return;
  for (const name of ["resident", "to_resident"]) {
    const select = form.querySelector(`select[name="${name}"]`);
    if (!select) continue;
    for (const item of residents) {
      const option = document.createElement("option");
      option.value = `device:${item.id}`;
      option.textContent = `${item.payload.first_name} (waiting to send)`;
      select.append(option);
    }
  }
  for (const name of ["residents", "members"]) {
    const list = form.querySelector(`[name="${name}"]`)?.closest(".govuk-checkboxes");
    if (!list) continue;
    for (const item of residents) {
      const id = `outbox-${name}-${item.id}`;
      const wrapper = document.createElement("div");
      wrapper.className = "govuk-checkboxes__item";
      const input = document.createElement("input");
      input.className = "govuk-checkboxes__input";
      input.type = "checkbox";
      input.name = name;
      input.id = id;
      input.value = `device:${item.id}`;
      const label = document.createElement("label");
      label.className = "govuk-label govuk-checkboxes__label";
      label.htmlFor = id;
      label.textContent = `${item.payload.first_name} (waiting to send)`;
      wrapper.append(input, label);
      list.append(wrapper);
    }
  }
}

async function enhance(form) {
  const kind = form.dataset.outboxKind;
  await offerWaitingResidents(form);
  const editing = new URLSearchParams(location.search).get("outbox");
  if (editing) {
    const item = await getItem(editing);
    if (item) {
      fill(form, item.payload);
      form.dataset.outboxId = item.id;
      if (item.errors) showErrors(form, item.errors);
    }
  }
  form.addEventListener("submit", async (event) => {
    // A button that asks the server something (Find residents) posts the
    // page as usual: nothing is saved, so nothing waits on the phone.
    if (event.submitter && event.submitter.dataset.outboxSkip !== undefined) return;
    event.preventDefault();
    const button = form.querySelector("[type=submit]");
    if (button) button.disabled = true;
    try {
      const item = await queue(kind, formPayload(form), form.dataset.outboxId || null);
      form.dataset.outboxId = item.id;
      const outcomes = await flush(item.id);
      const answer = outcomes[item.id];
      if (answer && (answer.status === 200 || answer.status === 201)) {
        delete form.dataset.outboxId;
        const record = answer.body.record || {};
        location.assign(record.url || "/communities/my-work/");
        return;
      }
      if (answer && (answer.status === 422 || answer.status === 400)) {
        showErrors(form, answer.body.errors || { form: [answer.body.message || "Check the form."] });
        return;
      }
      // Not sent yet (no signal, or signed out): it is safe on the phone.
      clearErrors(form);
      showSaved(form, item);
      delete form.dataset.outboxId;
      form.reset();
      if (editing) history.replaceState(null, "", location.pathname);
    } finally {
      if (button) button.disabled = false;
    }
  });
}

// The list of waiting items (communities/outbox/) -----------------------------

async function renderOutboxPage(container) {
  const all = await items();
  container.replaceChildren();
  if (!all.length) {
    const p = document.createElement("p");
    p.className = "govuk-body";
    p.textContent = "Nothing is waiting to send.";
    container.append(p);
    return;
  }
  const list = document.createElement("ul");
  list.className = "govuk-list abcd-outbox-list";
  for (const item of all) {
    const li = document.createElement("li");
    li.className = "abcd-outbox-list__item";
    const heading = document.createElement("h2");
    heading.className = "govuk-heading-s govuk-!-margin-bottom-1";
    heading.textContent = `${KIND_LABELS[item.kind]}: ${item.label}`;
    const state = document.createElement("p");
    state.className = "govuk-body-s govuk-!-margin-bottom-1";
    state.textContent =
      item.state === "invalid"
        ? "Needs correcting: " + Object.values(item.errors || {}).flat().join(" ")
        : `Waiting to send (recorded ${new Date(item.createdAt).toLocaleString("en-GB")})`;
    const open = document.createElement("a");
    open.className = "govuk-link";
    open.href = `${container.dataset[`form${item.kind[0].toUpperCase()}${item.kind.slice(1)}`]}?outbox=${item.id}`;
    open.textContent = "Open and correct";
    const hidden = document.createElement("span");
    hidden.className = "govuk-visually-hidden";
    hidden.textContent = ` ${item.label}`;
    open.append(hidden);
    const remove = document.createElement("button");
    remove.type = "button";
    remove.className = "govuk-button govuk-button--warning govuk-!-margin-bottom-0 govuk-!-margin-left-3";
    remove.textContent = "Delete";
    remove.setAttribute("aria-label", `Delete ${item.label}`);
    remove.addEventListener("click", async () => {
      if (window.confirm(`Delete "${item.label}"? It has not been sent and cannot be got back.`)) {
        await removeItem(item.id);
        await renderOutboxPage(container);
      }
    });
    li.append(heading, state, open, remove);
    list.append(li);
  }
  container.append(list);
}

// Start ------------------------------------------------------------------------

async function start() {
  if (!("indexedDB" in window) || !user) return;
  if ("serviceWorker" in navigator) {
    navigator.serviceWorker
      .register("/communities/sw.js", { scope: "/communities/" })
      .catch(() => {});
  }
  if (navigator.storage?.persist) {
    // Ask the browser not to clear this site's storage under pressure.
    navigator.storage.persist().catch(() => {});
  }
  document.querySelectorAll("form[data-outbox-kind]").forEach(enhance);
  const page = document.getElementById("outbox-items");
  if (page) await renderOutboxPage(page);
  // Signing out with items waiting: say what will happen first.
  document.querySelectorAll("form[data-sign-out]").forEach((form) => {
    form.addEventListener("submit", (event) => {
      const count = waitingCount;
      if (form.dataset.confirmed === "true" || count === 0) return;
      event.preventDefault();
      event.stopImmediatePropagation();
      const ok = window.confirm(
        `${count} ${count === 1 ? "item is" : "items are"} still waiting to send. ` +
          "They will stay on this phone and send when you sign in again. Sign out anyway?",
      );
      if (ok) {
        form.dataset.confirmed = "true";
        form.requestSubmit();
      }
    });
    // Pages kept for offline use hold residents' details: forget them.
    form.addEventListener("submit", (event) => {
      if (!event.defaultPrevented) {
        navigator.serviceWorker?.controller?.postMessage({ type: "signed-out" });
      }
    });
  });
  window.addEventListener("online", () => {
    backoff = 2000;
    flush();
  });
  window.addEventListener("offline", showStatus);
  await showStatus();
  await flush();
  if (page) await renderOutboxPage(page);
}

window.abcdOutbox = { items, flush, queue, getItem, removeItem };
start();
