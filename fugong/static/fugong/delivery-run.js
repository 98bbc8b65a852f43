/* The driver's route on a phone with a poor network.
 * Every action is first saved on the phone (localStorage) with its own Idempotency-Key, then
 * sent; if the network fails it is resent, oldest first, until the server answers. The server
 * acts once per key, so a resend after a lost answer never records a hand-over twice. */
(function () {
  "use strict";
  var root = document.getElementById("run");
  if (!root) { return; }
  var api = root.dataset.api.replace(/\/?$/, "/");
  var storeKey = "fugong-run-queue-" + root.dataset.route;
  var status = document.getElementById("queue-status");
  var sending = false;

  var RETRY_MS = 5000, MAX_SERVER_RETRIES = 60;  // a server in trouble gets five minutes
  function load() { try { return JSON.parse(localStorage.getItem(storeKey) || "[]"); } catch (e) { return []; } }
  function save(queue) {
    try { localStorage.setItem(storeKey, JSON.stringify(queue)); return true; } catch (e) { return false; }  // full
  }
  function newKey() {
    if (window.crypto && crypto.randomUUID) { return crypto.randomUUID(); }
    return Date.now().toString(36) + "-" + Math.random().toString(36).slice(2);
  }
  function show(text, kind) {
    status.hidden = !text;
    status.textContent = text || "";
    status.className = "pill " + (kind || "");
  }

  function shrink(file) {  // a phone photo of 4-8 MB becomes a JPEG of ~200 KB that fits the queue
    return new Promise(function (resolve) {
      if (!file) { resolve(null); return; }
      var reader = new FileReader();
      reader.onload = function () {
        var img = new Image();
        img.onload = function () {
          var scale = Math.min(1, 1280 / Math.max(img.width, img.height));
          var canvas = document.createElement("canvas");
          canvas.width = Math.round(img.width * scale);
          canvas.height = Math.round(img.height * scale);
          canvas.getContext("2d").drawImage(img, 0, 0, canvas.width, canvas.height);
          resolve(canvas.toDataURL("image/jpeg", 0.7));
        };
        img.onerror = function () { resolve(reader.result); };
        img.src = reader.result;
      };
      reader.readAsDataURL(file);
    });
  }

  function toBlob(dataUrl) {
    var parts = dataUrl.split(","), bytes = atob(parts[1]), array = new Uint8Array(bytes.length);
    for (var i = 0; i < bytes.length; i++) { array[i] = bytes.charCodeAt(i); }
    return new Blob([array], { type: parts[0].split(":")[1].split(";")[0] });
  }

  function card(stopId) { return document.getElementById("stop-" + stopId); }

  // The next stop sits on top (#next-slot), the rest of the route folded below in its order.
  // A hand-over saved on the phone brings the following stop up at once, network or not.
  var slot = document.getElementById("next-slot"), rest = document.getElementById("rest-of-route");
  var reloadNote = document.querySelector("#next-stop .next-reload");
  var TO_DO = ".run-stop:not(.done):not([data-held]):not([data-queued])";
  function position(li) { return Number(li.dataset.position); }
  function putBack(li) {
    var after = Array.prototype.filter.call(rest.children, function (x) { return position(x) > position(li); })[0];
    rest.insertBefore(li, after || null);
  }
  function bringUp(li) {
    if (!slot || !rest) { return; }
    Array.prototype.slice.call(slot.children).forEach(putBack);
    var before = li && li.previousElementSibling;
    before = before && before.classList.contains("reload") && !li.closest("#next-slot") ? before : null;
    if (li) { slot.appendChild(li); }
    reloadNote.hidden = !before;
    reloadNote.textContent = before ? before.textContent : "";
    var held = rest.querySelector(".run-stop[data-held]:not(.done)");
    document.getElementById("no-next-held").hidden = Boolean(li) || !held;
    document.getElementById("no-next-done").hidden = Boolean(li) || Boolean(held);
  }
  function following(li) {  // the first stop still to do after this one, else any skipped before it
    var left = Array.prototype.slice.call(document.querySelectorAll(TO_DO)).filter(function (x) { return x !== li; });
    left.sort(function (a, b) { return position(a) - position(b); });
    return left.filter(function (x) { return position(x) > position(li); })[0] || left[0] || null;
  }
  function isNext(li) { return Boolean(slot && li && li.parentNode === slot); }

  function applyAnswer(item, body) {
    var li = card(item.stop);
    if (!li) { return; }
    var state = li.querySelector(".stop-state");
    if (item.action === "arrive") {
      state.textContent = root.dataset.textSent;
    } else {
      delete li.dataset.queued;
      li.classList.add("done");
      li.dataset.outcome = body.outcome;
      li.querySelectorAll("form").forEach(function (f) { f.remove(); });
      state.textContent = root.dataset.textSent + " · " + body.outcome_label;
    }
  }

  function showError(item, message) {
    var li = card(item.stop);
    var box = li && li.querySelector(".handover .error");
    if (box) { box.hidden = false; box.textContent = message; }
    if (li) {
      li.querySelectorAll("button").forEach(function (b) { b.disabled = false; });
      if (!li.classList.contains("done")) { delete li.dataset.queued; if (!isNext(li)) { bringUp(li); } }  // back on top, to be put right
    }
  }

  function sendNext() {
    var queue = load();
    if (sending || !queue.length) { if (!queue.length) { show(""); } return; }
    sending = true;
    var item = queue[0];
    var form = new FormData();
    Object.keys(item.fields || {}).forEach(function (k) { form.append(k, item.fields[k]); });
    if (item.photo) { form.append("photo", toBlob(item.photo), "handover.jpg"); }
    fetch(api + "stops/" + item.stop + "/" + item.action, {
      method: "POST", body: form, headers: { "Idempotency-Key": item.key }, credentials: "omit"
    }).then(function (response) {
      return response.json().catch(function () { return {}; }).then(function (body) {
        return { ok: response.ok, status: response.status, body: body };
      });
    }).then(function (answer) {
      sending = false;
      if (answer.status >= 500 || answer.status === 429) {  // the server is in trouble, not the request
        item.tries = (item.tries || 0) + 1;
        if (item.tries < MAX_SERVER_RETRIES) {
          save(load().map(function (q) { return q.key === item.key ? item : q; }));
          // The server's own words when it gave any (the database is back in a minute, its disk is full).
          show(answer.body.message || root.dataset.textOffline, "failed");
          setTimeout(sendNext, RETRY_MS);
          return;
        }
      }
      var rest = load().filter(function (q) { return q.key !== item.key; });
      save(rest);
      if (answer.ok) { applyAnswer(item, answer.body); }
      else {
        var errors = answer.body.errors || {};
        var text = Object.keys(errors).map(function (k) { return errors[k].join(" "); }).join(" ") ||
          answer.body.message || String(answer.status);
        showError(item, text);
      }
      show(rest.length ? root.dataset.textQueued : "");
      sendNext();
    }).catch(function () {  // no network: keep it and try again a little later
      sending = false;
      show(root.dataset.textOffline, "failed");
      setTimeout(sendNext, RETRY_MS);
    });
  }

  function enqueue(item) {
    var queue = load();
    queue.push(item);
    if (!save(queue)) {  // the phone's storage is full: say so rather than lose the action
      showError(item, root.dataset.textFull);
      return;
    }
    show(root.dataset.textQueued, "queued");
    sendNext();
  }

  root.addEventListener("submit", function (event) {
    var form = event.target;
    event.preventDefault();
    var li = form.closest(".run-stop");
    var item = { key: newKey(), stop: li.dataset.stop, action: form.dataset.action, fields: {} };
    form.querySelectorAll("button").forEach(function (b) { b.disabled = true; });
    if (item.action === "arrive") {  // the driver is there: on to the hand-over while it sends
      form.hidden = true;
      li.querySelector("form.handover").hidden = false;
      if (!isNext(li)) { bringUp(li); }  // arrived at another stop than the next: it becomes the next
      enqueue(item);
      return;
    }
    var quantities = {};
    form.querySelectorAll("input[data-line]").forEach(function (input) { quantities[input.dataset.line] = Number(input.value || 0); });
    item.fields.quantities = JSON.stringify(quantities);
    item.fields.refused = form.querySelector("[name=refused]").checked ? "true" : "false";
    item.fields.reason = form.querySelector("[name=reason]").value;
    shrink(form.querySelector("[name=photo]").files[0]).then(function (photo) {
      item.photo = photo;
      li.dataset.queued = "1";
      if (isNext(li)) { bringUp(following(li)); }
      enqueue(item);
    });
  });
  window.addEventListener("online", sendNext);
  sendNext();  // whatever was left from before the page was closed
})();
