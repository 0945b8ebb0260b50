// Sends the outbox (outbox.js), oldest first, one at a time, and removes an entry only when the
// server has answered it:
// - 2xx: saved (its fragment swapped in); 422: refused with the reason shown beside the field (its
//   form not on this page: held, with the reasons, until the user lets it go or saves it again).
// - 409: a conflict or a closed record: held, its fragment (theirs beside mine) shown; it stays
//   until the user chooses (fields.js), and is sent again after a reload.
// - 401: the session ended: sending pauses until the user has signed in again (session.js).
// - 400 "csrf-expired": the page's token is from before a new sign-in: fetched anew, sent again.
// - network error, timeout, 5xx, 429: sent again later, waiting longer each time (to a minute).
// - anything else (403, 404, 413 …): held with the server's reason; it is not retried by itself.
import * as outbox from "./outbox.js";

const TIMEOUT_MS = 20000;           // an answer save that hears nothing back in this time is resent
const UPLOAD_STALL_MS = 30000;      // an upload whose progress stops this long is resent
const MAX_WAIT_MS = 60000;
const RETRYABLE = function (status) { return status === 0 || status === 408 || status === 429 || status >= 500; };

let running = false;
let again = false;                  // asked to send while sending: look once more when done
let paused = false;                 // signed out: nothing can be sent until signed in again
let timer = null;
const retries = {};                 // seq -> { attempts, at }
const progress = {};                // seq -> fraction of an upload sent

function app() { return document.querySelector(".app") || document.body; }
export function user() { return app().getAttribute("data-user") || ""; }

export function csrfToken() {
  const wrapper = document.querySelector("[hx-headers]");
  try { return JSON.parse(wrapper.getAttribute("hx-headers"))["X-CSRFToken"]; } catch (e) { return ""; }
}

export function setCsrfToken(token) {
  const wrapper = document.querySelector("[hx-headers]");
  if (wrapper) wrapper.setAttribute("hx-headers", JSON.stringify({ "X-CSRFToken": token }));
}

export function isPaused() { return paused; }
export function uploaded(seq) { return progress[seq]; }
// The key an entry is sent under: a keyed form's record goes under its page key (fields.js), so a
// second tap is the same record; any other entry under its own.
export function sentKey(entry) { return entry.keyed ? entry.fields.key : entry.key; }
export function retrying(seq) { return retries[seq] ? retries[seq].attempts : 0; }

export function pause() { paused = true; changed(); }
export function resume() { paused = false; kick(); }

function changed() { document.dispatchEvent(new CustomEvent("outbox-changed")); }

// Send what waits, now or when the first entry is due.
export function kick() {
  clearTimeout(timer);
  if (paused || !user()) return;
  if (running) { again = true; return; }
  running = true;
  again = false;
  // One tab of this browser sends at a time (the others' changes are in the same outbox).
  const locked = navigator.locks
    ? navigator.locks.request("dudao-outbox", { ifAvailable: true }, function (lock) { return lock ? drain() : null; })
    : drain();
  locked.catch(function () {}).then(function () {
    running = false;
    if (again) kick();
  });
}

function dueAt(entry) {
  return Math.max(entry.notBefore || 0, retries[entry.seq] ? retries[entry.seq].at : 0);
}

// An entry that must wait for an earlier one of its page: a form sent once (a report) waits for
// everything before it (its photos); a tap waits for the earlier taps of its record.
function mustWait(entry, earlier) {
  return earlier.some(function (e) {
    return e.scope === entry.scope && (entry.mode === "submit" || (entry.mode === "append" && e.url === entry.url));
  });
}

// The oldest entry that may go now. One waiting to be retried does not hold up the others.
function next(entries) {
  const waiting = entries.filter(function (e) { return e.state === "waiting"; });
  let soonest = Infinity;
  for (let i = 0; i < waiting.length; i += 1) {
    if (mustWait(waiting[i], waiting.slice(0, i))) continue;
    const due = dueAt(waiting[i]);
    if (due <= Date.now()) return { entry: waiting[i] };
    soonest = Math.min(soonest, due);
  }
  return { soonest: soonest };
}

function drain() {
  return outbox.all(user()).then(function (entries) {
    if (paused || !navigator.onLine) return null;  // known to be offline: the "online" event sends
    const found = next(entries);
    if (!found.entry) {
      if (found.soonest < Infinity) timer = setTimeout(kick, found.soonest - Date.now());
      return null;
    }
    const head = found.entry;
    return outbox.update(head.seq, { sentAt: Date.now() })
      .then(function () { return send(head); })
      .then(function (reply) { return settle(head, reply); })
      .then(function (more) { return more ? drain() : null; });
  });
}

function send(entry) {
  return new Promise(function (resolve) {
    const xhr = new XMLHttpRequest();
    xhr.open("POST", entry.url);
    xhr.setRequestHeader("HX-Request", "true");
    xhr.setRequestHeader("HX-Current-URL", location.href);
    xhr.setRequestHeader("X-CSRFToken", csrfToken());
    const fields = Object.assign({}, entry.fields, { key: sentKey(entry) });
    if (entry.mode === "append") fields.age = String(Math.max(0, Date.now() - entry.created));
    let body;
    if (entry.file) {
      body = new FormData();
      appendAll(body, fields);
      body.append(entry.fileField, entry.file, entry.name);
      let stalled = setTimeout(function () { xhr.abort(); }, UPLOAD_STALL_MS);
      xhr.upload.onprogress = function (event) {
        clearTimeout(stalled);
        stalled = setTimeout(function () { xhr.abort(); }, UPLOAD_STALL_MS);
        if (event.lengthComputable) { progress[entry.seq] = event.loaded / event.total; changed(); }
      };
      xhr.upload.onloadend = function () { clearTimeout(stalled); };
    } else {
      body = appendAll(new URLSearchParams(), fields);
      xhr.timeout = TIMEOUT_MS;
    }
    xhr.onload = function () { resolve(xhr); };
    xhr.onerror = xhr.ontimeout = xhr.onabort = function () { resolve(null); };
    xhr.send(body);
  });
}

// Each field's value, or each of its values (ticked boxes of one name).
function appendAll(body, fields) {
  Object.keys(fields).forEach(function (name) {
    [].concat(fields[name]).forEach(function (value) { body.append(name, value); });
  });
  return body;
}

function header(xhr, name) { return xhr ? xhr.getResponseHeader(name) : null; }

function triggers(xhr) {
  try { return JSON.parse(header(xhr, "HX-Trigger") || "{}"); } catch (e) { return {}; }
}

// Deal with the answer; resolves true to go on with the next entry.
function settle(entry, xhr) {
  delete progress[entry.seq];
  let status = xhr ? xhr.status : 0;
  // An answer that is the sign-in page (a redirect followed by the browser) means signed out.
  if (xhr && xhr.responseURL && new URL(xhr.responseURL).pathname === "/login") status = 401;
  const events = triggers(xhr);
  if (status === 401) {
    pause();
    document.body.dispatchEvent(new CustomEvent("session-ended"));
    return outbox.unsent(entry.seq, {}).then(function () { return false; });
  }
  if (status === 400 && events["csrf-expired"] && !entry.retriedToken) {
    return refreshToken().then(function (ok) {
      return outbox.unsent(entry.seq, { retriedToken: true }).then(function () { return ok; });
    });
  }
  if (RETRYABLE(status)) {
    const retry = retries[entry.seq] || { attempts: 0 };
    retry.attempts += 1;
    const wait = Math.min(MAX_WAIT_MS, 1000 * Math.pow(2, retry.attempts - 1)) * (0.75 + Math.random() / 2);
    const after = Number(header(xhr, "Retry-After")) * 1000;
    retry.at = Date.now() + Math.max(wait, after || 0);
    retries[entry.seq] = retry;
    return outbox.unsent(entry.seq, {}).then(function (waits) {
      if (!waits) delete retries[entry.seq];
      return true;
    });
  }
  delete retries[entry.seq];
  show(entry, xhr, status);
  Object.keys(events).forEach(function (name) { htmx.trigger(document.body, name, events[name]); });
  const unseen = status === 422 && !formOf(entry);  // refused where nobody sees the form's errors
  if (status === 409 || !(status >= 200 && status < 300) && status !== 422 || unseen) {
    // A 409 with the unit as it now is: a conflict, chosen on the page; with a reason: a closed record.
    const reason = events["app-error"] && events["app-error"].message || (unseen ? refusal(xhr) : null);
    const problem = status === 409 && !reason ? "conflict" : reason || "未能保存（" + status + "）";
    return outbox.update(entry.seq, { state: "held", problem: problem, sentAt: 0 }).then(function () { return true; });
  }
  // Saved as sent: the server's copy of the unit is now these fields (a save that changed nothing,
  // a resend overtaken by a newer one, says nothing of the fields it carried).
  const revision = /class="item-state state-saved"[^>]*>\s*<input type="hidden" name="revision" value="(\d+)"/
    .exec(xhr.responseText || "");
  const kept = entry.mode === "replace" && revision && status < 300
    ? outbox.acknowledge(entry, Number(revision[1])) : Promise.resolve();
  return kept.then(function () { return outbox.remove(entry.seq); }).then(function () {
    document.dispatchEvent(new CustomEvent("outbox-acknowledged", { detail: entry }));
    const redirect = header(xhr, "HX-Redirect");
    if (redirect && formOf(entry)) { location.href = redirect; return false; }
    return true;
  });
}

// The form an entry was made from, when it is on this page (a keyed form's only while it still
// shows that record: once it has started the next, the earlier one is a line of its list).
export function formOf(entry) {
  const form = document.querySelector('form[data-queue][action="' + CSS.escape(entry.url) + '"]');
  if (form && entry.keyed && form.elements.namedItem("key").value !== entry.fields.key) return null;
  return form;
}

// A 422's reasons as one line ("发现情况：请写明…"), from the form the server sent back.
function refusal(xhr) {
  const page = new DOMParser().parseFromString(xhr.responseText || "", "text/html");
  const reasons = Array.prototype.map.call(page.querySelectorAll(".has-error"), function (field) {
    const label = field.querySelector("label, .field-label");
    const errors = Array.prototype.map.call(field.querySelectorAll(".error"), function (e) { return e.textContent; });
    return (label ? label.textContent.trim() + "：" : "") + errors.join("、");
  });
  return reasons.length ? reasons.join("；") : "内容有误，请重新填写";
}

// Swap the answer where the form says (or the server retargets), when the form is on this page.
function show(entry, xhr, status) {
  const form = formOf(entry);
  const html = xhr ? xhr.responseText : "";
  const swap = header(xhr, "HX-Reswap") || entry.swap || "innerHTML";
  if (!form || !html || swap === "none") return;
  const retarget = header(xhr, "HX-Retarget");
  const target = retarget ? document.querySelector(retarget) : resolve(form, entry.target);
  if (target) htmx.swap(target, html, { swapStyle: swap });
  if (status === 409 || status === 422) document.dispatchEvent(new CustomEvent("outbox-refused", { detail: entry }));
}

// A target as the form names it: "this", "#id", "find <selector>", "closest <selector>".
export function resolve(form, target) {
  if (!target || target === "this") return form;
  if (target.indexOf("find ") === 0) return form.querySelector(target.slice(5));
  if (target.indexOf("closest ") === 0) return form.closest(target.slice(8));
  return document.querySelector(target);
}

// Ask the server for this session's CSRF token (after it was renewed by signing in elsewhere).
export function refreshToken() {
  return fetch(app().getAttribute("data-resumed"), { headers: { "HX-Request": "true" }, credentials: "same-origin" })
    .then(function (response) { return response.ok ? response.text() : ""; })
    .then(function (html) {
      const found = /data-csrf="([^"]+)"/.exec(html);
      if (found) setCsrfToken(found[1]);
      return Boolean(found);
    }, function () { return false; });
}

// The network is back, or the tab is seen again: try at once whatever was waiting to retry.
export function retryNow() {
  Object.keys(retries).forEach(function (seq) { retries[seq].at = 0; });
  kick();
}
