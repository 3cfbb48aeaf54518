// The shared report: decrypted here with the key from the link's #fragment,
// which browsers never send to the server. An ally can confirm a milestone;
// the confirmation is encrypted under the same key before it is sent.
(function () {
  "use strict";
  var data = JSON.parse(document.getElementById("sealed").textContent);
  var status = document.getElementById("status");
  function b64(bytes) { var s = ""; bytes.forEach(function (b) { s += String.fromCharCode(b); }); return btoa(s); }
  function unb64(s) { return Uint8Array.from(atob(s), function (c) { return c.charCodeAt(0); }); }
  function unb64url(s) { s = s.replace(/-/g, "+").replace(/_/g, "/"); while (s.length % 4) { s += "="; } return unb64(s); }
  async function main() {
    if (!window.crypto || !crypto.subtle) {
      status.textContent = "This browser cannot open the report here (it needs a secure connection). Ask for the sealed file instead.";
      return;
    }
    var raw, key, plain;
    try {
      raw = unb64url(location.hash.slice(1));
      key = await crypto.subtle.importKey("raw", raw, "AES-GCM", false, ["encrypt", "decrypt"]);
      plain = await crypto.subtle.decrypt({ name: "AES-GCM", iv: unb64(data.iv) }, key, unb64(data.ciphertext));
    } catch (e) {
      status.textContent = "This link is incomplete: the part after # is missing or changed.";
      return;
    }
    document.getElementById("content").innerHTML = new TextDecoder().decode(plain);
    status.textContent = "";
    var macKey = await crypto.subtle.importKey("raw", raw, { name: "HMAC", hash: "SHA-256" }, false, ["sign"]);
    var proof = new Uint8Array(await crypto.subtle.sign("HMAC", macKey, new TextEncoder().encode("rekindle-confirm-v1")));
    var proofHex = Array.from(proof).map(function (b) { return b.toString(16).padStart(2, "0"); }).join("");
    // The report was opened: count one view (a plain GET of the link, as link
    // previewers send, counts nothing). The page works whether or not it is counted.
    fetch(location.pathname + "/view", {
      method: "POST", headers: { "content-type": "application/json" },
      body: JSON.stringify({ proof: proofHex })
    }).catch(function () {});
    // The same rules the owner's app applies before keeping a confirmation.
    var hidden = /[\u0000-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/;
    function problem(label, value) {
      if (/[\u202a-\u202e\u2066-\u2069]/.test(value)) {
        return label + " contains invisible characters that change the direction of the text; please retype it.";
      }
      if (hidden.test(value)) { return label + " contains invisible control characters; please retype it."; }
      return "";
    }
    document.querySelectorAll("[data-milestone]").forEach(function (item, i) {
      var form = document.createElement("form");
      form.className = "confirm";
      form.innerHTML = '<label>Your name <input name="by" required maxlength="80"></label>' +
        '<label>A note (optional) <input name="note" maxlength="500"></label>' +
        '<button type="submit">I saw this</button><span class="done" role="status"></span>';
      form.querySelector("input[name=by]").id = "by-" + i;
      form.addEventListener("submit", async function (e) {
        e.preventDefault();
        var done = form.querySelector(".done");
        var wrong = problem("Your name", form.by.value) || problem("The note", form.note.value);
        if (!form.by.value.trim()) { wrong = "Please write your name, so they know who confirmed it."; }
        if (wrong) { done.textContent = " " + wrong; return; }
        var body = JSON.stringify({ milestone: item.getAttribute("data-milestone"), by: form.by.value, note: form.note.value });
        var iv = crypto.getRandomValues(new Uint8Array(12));
        var ct = new Uint8Array(await crypto.subtle.encrypt({ name: "AES-GCM", iv: iv }, key, new TextEncoder().encode(body)));
        var res = await fetch(location.pathname + "/confirm", {
          method: "POST", headers: { "content-type": "application/json" },
          body: JSON.stringify({ proof: proofHex, iv: b64(iv), ciphertext: b64(ct) })
        });
        if (res.status === 429) {
          done.textContent = " " + ((await res.text()) || "Too many tries just now; please try again later.");
          return;
        }
        done.textContent = res.ok ? " Thank you — confirmed." : " That did not work; the link may have expired.";
        if (res.ok) { form.querySelector("button").disabled = true; }
      });
      item.appendChild(form);
    });
  }
  main();
})();
