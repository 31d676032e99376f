// Follow a report run: ask for its progress every two seconds and show the
// finished page when it is done (or failed).
(function () {
  "use strict";
  var box = document.getElementById("run-progress");
  if (!box) {
    return;
  }
  var text = document.getElementById("run-progress-text");
  var bar = document.getElementById("run-progress-bar");
  function poll() {
    fetch(box.getAttribute("data-status-url"), { credentials: "same-origin" })
      .then(function (response) { return response.json(); })
      .then(function (data) {
        if (data.finished) {
          window.location.reload();
          return;
        }
        text.textContent = data.status_label + ": " + data.progress + "% done. " + data.step;
        bar.value = data.progress;
        window.setTimeout(poll, 2000);
      })
      .catch(function () { window.setTimeout(poll, 5000); });
  }
  window.setTimeout(poll, 2000);
})();
