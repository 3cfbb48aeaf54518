// Quick exit: one action that locks rekindle on the server, covers the page at
// once and replaces it (and its history entry) with a neutral page.
(function () {
  "use strict";
  var leaving = false;
  function quickExit(event) {
    if (event) { event.preventDefault(); }
    if (leaving) { return; }
    leaving = true;
    var veil = document.createElement("div");
    veil.className = "veil";
    document.body.appendChild(veil);
    var form = document.getElementById("quick-exit-form");
    if (form) {
      var body = new URLSearchParams(new FormData(form));
      try {
        fetch("/q", { method: "POST", body: body, keepalive: true, credentials: "same-origin" });
      } catch (e) { /* the redirect below still leaves the page */ }
    }
    window.location.replace("/bye");
  }
  var lastEsc = 0;
  document.addEventListener("keydown", function (e) {
    if (e.key !== "Escape") { return; }
    var now = Date.now();
    if (now - lastEsc < 1500) { quickExit(e); }
    lastEsc = now;
  });
  document.addEventListener("DOMContentLoaded", function () {
    var form = document.getElementById("quick-exit-form");
    if (form) { form.addEventListener("submit", quickExit); }
    var link = document.getElementById("quick-exit");
    if (link && link.tagName === "A") { link.addEventListener("click", quickExit); }
    var importForm = document.getElementById("import-form");
    if (importForm) {
      importForm.addEventListener("submit", function () {
        var progress = document.getElementById("import-progress");
        var button = document.getElementById("import-button");
        if (progress) { progress.hidden = false; }
        if (button) { button.disabled = true; }
      });
    }
    var summary = document.getElementById("error-summary");
    if (summary) { summary.focus(); }
  });
})();
