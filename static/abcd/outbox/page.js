// What the builder sees of the outbox: how many items are waiting, "Saved
// on this phone", the server's errors on a form, and the list of waiting
// items. The markup comes from <template> elements the server renders
// (templates/fragments/outbox_status.html and communities/outbox.html); this
// module only clones them and fills in text and attributes.

import { changes, getItem, items, queue, removeItem } from "./storage.js";
import { flush, isRefused, isSaved, syncEvents } from "./sync.js";

// Kept up to date by showStatus(), so that a submit handler can decide
// without waiting (preventDefault() must be called before any await).
let waitingCount = 0;
let statusDrawn = 0;

// A copy of the first element of the <template> with this id.
function fromTemplate(id) {
  const template = document.getElementById(id);
  return template ? template.content.firstElementChild.cloneNode(true) : null;
}

function plural(count, one, many) {
  return `${count} ${count === 1 ? one : many}`;
}

function signInNeeded() {
  return document.body.dataset.outboxSignIn === "true";
}

// The status box ---------------------------------------------------------------

export async function showStatus() {
  const status = document.getElementById("outbox-status");
  if (!status) return;
  const drawing = ++statusDrawn;
  const all = await items();
  if (drawing !== statusDrawn) return; // a later call draws a newer state
  const invalid = all.filter((i) => i.state === "invalid").length;
  const count = all.length;
  waitingCount = count;
  document.querySelectorAll("[data-outbox-count]").forEach((el) => {
    el.textContent = String(count);
  });
  status.hidden = count === 0;
  const text = status.querySelector("[data-outbox-text]");
  if (text) {
    let message = `${plural(count, "item is", "items are")} waiting to send.`;
    if (invalid) message += ` ${plural(invalid, "needs", "need")} correcting.`;
    if (signInNeeded()) {
      message += " Sign in again to send them.";
    } else if (!navigator.onLine) {
      message += " They will send when you have signal.";
    }
    text.textContent = message;
  }
  const signIn = status.querySelector("[data-outbox-signin]");
  if (signIn) signIn.hidden = !signInNeeded();
}

function notice(text) {
  const region = document.getElementById("outbox-notice");
  if (region) region.textContent = text;
}

function showSaved(item) {
  // The panel exists only once something has been saved on the phone.
  const place = document.getElementById("outbox-saved");
  const panel = fromTemplate("outbox-saved-template");
  if (!place || !panel) return;
  panel.querySelector("[data-outbox-saved-label]").textContent = item.label;
  place.replaceChildren(panel);
  panel.focus();
}

// A form's errors, as the server's forms show them ----------------------------

function showErrors(form, errors) {
  clearErrors(form);
  const summary = fromTemplate("outbox-error-summary-template");
  if (!summary) return;
  summary.querySelector("[data-outbox-error-title]").textContent = "There is a problem";
  const list = summary.querySelector("[data-outbox-error-list]");
  for (const [name, messages] of Object.entries(errors)) {
    const field = form.querySelector(`[name="${CSS.escape(name)}"]`);
    const target = field ? field.id : form.querySelector("input, select, textarea")?.id;
    for (const message of messages) {
      const entry = fromTemplate("outbox-error-summary-item-template");
      const link = entry.querySelector("a");
      link.href = `#${target || ""}`;
      link.textContent = message;
      list.append(entry);
    }
    const group = field?.closest(".govuk-form-group");
    if (group) {
      group.classList.add("govuk-form-group--error");
      const error = fromTemplate("outbox-field-error-template");
      error.querySelector("[data-outbox-error-text]").textContent = messages.join(" ");
      const before = group.querySelector("input, select, textarea, .govuk-checkboxes, .govuk-radios");
      group.insertBefore(error, before);
    }
  }
  form.parentElement.insertBefore(summary, form.parentElement.firstChild);
  if (!document.title.startsWith("Error: ")) document.title = `Error: ${document.title}`;
  summary.focus();
}

function clearErrors(form) {
  form.parentElement.querySelectorAll("[data-outbox-errors]").forEach((el) => el.remove());
  form.querySelectorAll("[data-outbox-error]").forEach((el) => el.remove());
  form.querySelectorAll(".govuk-form-group--error").forEach((el) => el.classList.remove("govuk-form-group--error"));
}

// Forms --------------------------------------------------------------------------

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
      select.append(new Option(`${item.payload.first_name} (waiting to send)`, `device:${item.id}`));
    }
  }
  for (const name of ["residents", "members"]) {
    const list = form.querySelector(`[name="${name}"]`)?.closest(".govuk-checkboxes");
    if (!list) continue;
    for (const item of residents) {
      const choice = fromTemplate("outbox-checkbox-template");
      if (!choice) return;
      const id = `outbox-${name}-${item.id}`;
      const input = choice.querySelector("input");
      input.name = name;
      input.id = id;
      input.value = `device:${item.id}`;
      const label = choice.querySelector("label");
      label.htmlFor = id;
      label.textContent = `${item.payload.first_name} (waiting to send)`;
      list.append(choice);
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
      if (isSaved(answer)) {
        delete form.dataset.outboxId;
        const record = answer.body.record || {};
        location.assign(record.url || "/communities/my-work/");
        return;
      }
      if (isRefused(answer)) {
        showErrors(form, answer.body.errors || { form: [answer.body.message || "Check the form."] });
        return;
      }
      // Not sent yet (no signal, or signed out): it is safe on the phone.
      clearErrors(form);
      showSaved(item);
      delete form.dataset.outboxId;
      form.reset();
      if (editing) history.replaceState(null, "", location.pathname);
    } finally {
      if (button) button.disabled = false;
    }
  });
}

// Signing out with items waiting: say what will happen first.
function guardSignOut(form) {
  form.addEventListener("submit", (event) => {
    const count = waitingCount;
    if (form.dataset.confirmed === "true" || count === 0) return;
    event.preventDefault();
    event.stopImmediatePropagation();
    const ok = window.confirm(
      `${plural(count, "item is", "items are")} still waiting to send. ` +
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
}

// The list of waiting items (communities/outbox/) -----------------------------

function formUrl(container, kind) {
  return container.dataset[`form${kind[0].toUpperCase()}${kind.slice(1)}`];
}

function kindLabel(container, kind) {
  return container.dataset[`label${kind[0].toUpperCase()}${kind.slice(1)}`] || kind;
}

export async function renderOutboxPage(container) {
  const all = await items();
  if (!all.length) {
    container.replaceChildren(fromTemplate("outbox-empty-template"));
    return;
  }
  const list = fromTemplate("outbox-list-template");
  for (const item of all) {
    const entry = fromTemplate("outbox-item-template");
    entry.querySelector("[data-outbox-item-title]").textContent = `${kindLabel(container, item.kind)}: ${item.label}`;
    entry.querySelector("[data-outbox-item-state]").textContent =
      item.state === "invalid"
        ? "Needs correcting: " + Object.values(item.errors || {}).flat().join(" ")
        : `Waiting to send (recorded ${new Date(item.createdAt).toLocaleString("en-GB")})`;
    const open = entry.querySelector("[data-outbox-item-open]");
    open.href = `${formUrl(container, item.kind)}?outbox=${item.id}`;
    open.querySelector("[data-outbox-item-label]").textContent = ` ${item.label}`;
    const remove = entry.querySelector("[data-outbox-item-delete]");
    remove.setAttribute("aria-label", `Delete ${item.label}`);
    remove.addEventListener("click", async () => {
      if (window.confirm(`Delete "${item.label}"? It has not been sent and cannot be got back.`)) {
        await removeItem(item.id);
        await renderOutboxPage(container);
      }
    });
    list.append(entry);
  }
  container.replaceChildren(list);
}

// Start ------------------------------------------------------------------------

// Follow the outbox on this page; returns the list of waiting items, if this
// page shows it, so that it can be drawn again once the first sending ends.
export async function startPage() {
  changes.addEventListener("change", showStatus);
  syncEvents.addEventListener("notice", (event) => notice(event.detail));
  syncEvents.addEventListener("sign-in", () => {
    document.body.dataset.outboxSignIn = "true";
  });
  syncEvents.addEventListener("flushed", showStatus);
  window.addEventListener("offline", showStatus);
  document.querySelectorAll("form[data-outbox-kind]").forEach(enhance);
  document.querySelectorAll("form[data-sign-out]").forEach(guardSignOut);
  const list = document.getElementById("outbox-items");
  if (list) await renderOutboxPage(list);
  await showStatus();
  return list;
}
