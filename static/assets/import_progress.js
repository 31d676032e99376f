// Follow a background import: ask for its progress every two seconds and
// show the result page when it finishes.
(function () {
  "use strict";
  var box = document.getElementById("import-progress");
  if (!box) {
    return;
  }
  var text = document.getElementById("import-progress-text");
  var bar = document.getElementById("import-progress-bar");
  function poll() {
    fetch(box.getAttribute("data-status-url"), { credentials: "same-origin" })
      .then(function (response) { return response.json(); })
      .then(function (data) {
        if (data.finished) {
          window.location.reload();
          return;
        }
        text.textContent = data.status_label + ": " + data.done + " of " + data.total + " rows checked.";
        bar.value = data.done;
        window.setTimeout(poll, 2000);
      })
      .catch(function () { window.setTimeout(poll, 5000); });
  }
  window.setTimeout(poll, 2000);
})();
