// The builder's outbox: nothing recorded on the phone is lost.
//
// Every builder form goes through here when JavaScript runs. The form's
// fields are kept on the phone (outbox/storage.js), sent to the server's
// sync endpoint when there is signal (outbox/sync.js), and the page shows
// what is waiting (outbox/page.js). This file only starts them.

import { available, getItem, items, queue, removeItem } from "./outbox/storage.js";
import { flush, startSync } from "./outbox/sync.js";
import { renderOutboxPage, startPage } from "./outbox/page.js";

async function start() {
  if (!available()) return;
  if ("serviceWorker" in navigator) {
    navigator.serviceWorker.register("/communities/sw.js", { scope: "/communities/" }).catch(() => {});
  }
  if (navigator.storage?.persist) {
    // Ask the browser not to clear this site's storage under pressure.
    navigator.storage.persist().catch(() => {});
  }
  const list = await startPage();
  await startSync();
  if (list) await renderOutboxPage(list);
}

// For the browser tests, and for anyone checking a phone by hand.
window.abcdOutbox = { items, flush, queue, getItem, removeItem };
start();
