// Follow a background job (an asset import, a report run): ask the server
// for its progress every two seconds, show it, and open the finished page.
//
// Every progress box (templates/fragments/progress.html) names its status
// URL in data-progress-url, and every status URL answers the same JSON
// (docs/frontend.md): {state, state_label, finished, processed, total,
// percent, message, url}.

const INTERVAL_MS = 2000;
const RETRY_MS = 5000;

function follow(box) {
  const message = box.querySelector("[data-progress-message]");
  const bar = box.querySelector("[data-progress-bar]");

  async function poll() {
    let progress;
    try {
      const response = await fetch(box.dataset.progressUrl, {
        credentials: "same-origin",
        headers: { Accept: "application/json" },
      });
      if (!response.ok) throw new Error(`HTTP ${response.status}`);
      progress = await response.json();
    } catch {
      window.setTimeout(poll, RETRY_MS); // no signal, or a server error: try again
      return;
    }
    if (progress.finished) {
      window.location.assign(progress.url || window.location.href);
      return;
    }
    if (message) message.textContent = progress.message;
    if (bar) {
      bar.value = progress.percent;
      bar.textContent = `${progress.percent}%`;
    }
    window.setTimeout(poll, INTERVAL_MS);
  }

  window.setTimeout(poll, INTERVAL_MS);
}

document.querySelectorAll("[data-progress-url]").forEach(follow);
