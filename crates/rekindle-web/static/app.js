// Quick exit: one action that locks rekindle on the server, covers the page at
// once and replaces it (and its history entry) with a neutral page.
(function () {
  "use strict";
  // The path every page lives under (a random prefix per launch): where
  // this script was loaded from, without "/static/app.js".
  var base = (function () {
    var me = document.currentScript;
    if (!me || !me.src) { return ""; }
    var path = new URL(me.src).pathname;
    var end = path.lastIndexOf("/static/app.js");
    return end > 0 ? path.slice(0, end) : "";
  })();
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
        fetch(form.action, { method: "POST", body: body, keepalive: true, credentials: "same-origin" });
      } catch (e) { /* the redirect below still leaves the page */ }
    }
    window.location.replace(base + "/bye");
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
      importForm.addEventListener("submit", function (event) {
        var progress = document.getElementById("import-progress");
        var button = document.getElementById("import-button");
        var bar = document.getElementById("import-bar");
        var status = document.getElementById("import-status");
        if (progress) { progress.hidden = false; }
        if (button) { button.disabled = true; }
        if (!window.XMLHttpRequest || !window.FormData || !bar) { return; }
        // Sent by script so the bar shows how much of the file is uploaded;
        // the answer then replaces the page as a normal submit would.
        event.preventDefault();
        var xhr = new XMLHttpRequest();
        xhr.open("POST", importForm.action);
        xhr.upload.onprogress = function (e) {
          if (!e.lengthComputable) { return; }
          var pct = Math.floor(100 * e.loaded / e.total);
          bar.max = 100;
          bar.value = pct;
          status.textContent = "Uploading your export: " + pct + " %";
        };
        xhr.upload.onload = function () {
          bar.removeAttribute("value");
          status.textContent = "Reading your chat… this takes a few seconds for a long history.";
        };
        xhr.onload = function () {
          if (xhr.responseURL && xhr.responseURL.indexOf("/c?") !== -1) {
            window.location.assign(xhr.responseURL);
            return;
          }
          document.open();
          document.write(xhr.responseText);
          document.close();
        };
        xhr.onerror = function () {
          status.textContent = "The upload was interrupted. Please choose the file again.";
          if (button) { button.disabled = false; }
        };
        xhr.send(new FormData(importForm));
      });
    }
    // The server locks the vault after this many minutes without a request:
    // then the page hides what it shows (forms keep what was typed; a save
    // goes through the unlock page and is saved after it).
    var minutes = parseInt(document.body.getAttribute("data-lock-after-minutes") || "", 10);
    var typedIn = null;
    document.addEventListener("input", function (e) {
      if (e.target && e.target.form && e.target.form.method === "post") { typedIn = e.target.form; }
    });
    if (minutes > 0) {
      setTimeout(function () {
        document.body.classList.add("vault-locked");
        var veil = document.getElementById("locked-veil");
        if (!veil) { return; }
        veil.hidden = false;
        var save = document.getElementById("veil-save");
        if (typedIn && save) {
          save.hidden = false;
          document.getElementById("veil-typed").hidden = false;
          save.addEventListener("click", function () {
            if (typedIn.requestSubmit) { typedIn.requestSubmit(); } else { typedIn.submit(); }
          });
        }
      }, minutes * 60 * 1000);
    }
    // A slider shows its number next to its question.
    Array.prototype.forEach.call(document.querySelectorAll('input[type="range"]'), function (range) {
      var out = document.querySelector('output[for="' + range.id + '"]');
      if (!out) { return; }
      range.addEventListener("input", function () { out.value = range.value; });
    });
    // After an unlock, the form typed before the lock is posted again.
    var replay = document.getElementById("replay-draft");
    if (replay) { replay.submit(); }
    var summary = document.getElementById("error-summary");
    if (summary) { summary.focus(); }
  });
})();
