// Field forms (form[data-queue]) save through the outbox: a change is put there first, then sent
// (sender.js). What waits is shown where it was typed, and counted exactly.
//   data-queue="replace"  a unit saved whole on every change (answers and notes, an observation's
//                         fields, a score); typing waits a moment before it is sent
//   data-queue="submit"   a form sent once when submitted (a rectification report, a milestone's progress);
//                         with data-unit="key" it makes a new record each time (a visit): its page key is
//                         the unit and what the server sees, so a resend or a second tap stores it once,
//                         and [data-queue-next] starts the next record while this one waits
//   data-queue="append"   each submit its own entry (a quick-log tap), shown as a pending line
//   data-queue="upload"   a picked photo or file, shrunk on the tablet first (photos.js)
// data-target / data-swap: where the server's answer goes ("find .item-state", "#quick-log", …).
// data-offline-queue on an ancestor names the page's scope (the inspection, the observation).
import * as outbox from "./outbox.js";
import * as photos from "./photos.js";
import * as sender from "./sender.js";

const TYPING_SEND_MS = 1200;   // a note is sent this long after the last keystroke…
const TYPING_KEEP_MS = 300;    // …and kept in the outbox this long after it

function scopeOf(element) {
  const root = element.closest("[data-offline-queue]");
  return root ? root.getAttribute("data-offline-queue") : "page:" + location.pathname;
}

function scopes() {
  const found = new Set(["page:" + location.pathname]);
  document.querySelectorAll("[data-offline-queue]").forEach(function (root) {
    found.add(root.getAttribute("data-offline-queue"));
  });
  return found;
}

function keyed(form) { return form.getAttribute("data-unit") === "key"; }

// Every named field of the form but the CSRF token and the page's key (the outbox gives its own,
// unless the key is the record's own). A name given several values (ticked boxes) keeps them all.
function fieldsOf(form) {
  const fields = {};
  new FormData(form).forEach(function (value, name) {
    if (name === "csrf_token" || (name === "key" && !keyed(form)) || typeof value !== "string") return;
    fields[name] = name in fields ? [].concat(fields[name], value) : value;
  });
  if (form.querySelector("[name=revision]")) fields.revision = fields.revision || "0";
  return fields;
}

function entryOf(form, extra) {
  const mode = form.getAttribute("data-queue");
  const url = form.getAttribute("action");
  return Object.assign({
    user: sender.user(), scope: scopeOf(form), page: location.pathname + location.search, mode: mode,
    unit: keyed(form) ? url + "#" + keyOf(form).value : mode === "replace" || mode === "submit" ? url : null,
    keyed: keyed(form), url: url, label: labelOf(form), target: form.getAttribute("data-target"),
    swap: form.getAttribute("data-swap") || "innerHTML",
  }, extra);
}

function keyOf(form) { return form.elements.namedItem("key"); }

// What a waiting entry is called in its line: data-label, after the values of data-label-fields as
// shown (a select's chosen option: the school's name, not its id).
function labelOf(form) {
  const parts = (form.getAttribute("data-label-fields") || "").split(" ").filter(Boolean).map(function (name) {
    const field = form.elements.namedItem(name);
    if (!field) return "";
    return field.tagName === "SELECT" ? (field.selectedIndex > 0 ? field.options[field.selectedIndex].text : "") : field.value;
  });
  return parts.concat([form.getAttribute("data-label") || ""]).filter(Boolean).join(" ") || null;
}

// A keyed form starts its next record: blank as the page gave it, under a key of its own.
function startNext(form) {
  form.reset();
  keyOf(form).value = outbox.newKey();
  render();
}

let keeping = 0;          // changes on their way into the outbox
let waitingHere = 0;      // entries of this page in the outbox, as last counted
let submitting = null;    // a 提交/完成 form waiting for the changes made just before it was tapped

function keep(form, delay) {
  keeping += 1;
  const entry = entryOf(form, { fields: fieldsOf(form), notBefore: delay ? Date.now() + delay : 0 });
  return outbox.put(entry, outbox.stage(entry))
    .then(function () { sender.kick(); }, storageFailed)
    .then(function () { keeping -= 1; });
}

function storageFailed() {
  window.dudaoToast("无法保存在本机（浏览器存储不可用），请保持联网，或换用其他浏览器。");
}

const typing = new Map();   // form -> timer: a note being typed is kept shortly after each keystroke

function typed(form) {
  outbox.stage(entryOf(form, { fields: fieldsOf(form), notBefore: Date.now() + TYPING_SEND_MS }));
  clearTimeout(typing.get(form));
  typing.set(form, setTimeout(function () {
    typing.delete(form);
    keep(form, TYPING_SEND_MS);
  }, TYPING_KEEP_MS));
}

function keepTypingNow() {
  typing.forEach(function (timer, form) { clearTimeout(timer); keep(form, 0); });
  typing.clear();
}

function isTyping(element) {
  return element.matches("textarea, input[type=text], input[type=search], input[type=number], input:not([type])");
}

// Photos and files: each picked one shrunk (photos), kept, then sent one at a time.
function picked(form, input) {
  const files = Array.prototype.slice.call(input.files);
  input.value = "";
  const keepLocation = Boolean(document.querySelector("[data-photo-location]"));
  keeping += 1;
  return files.reduce(function (done, file) {
    return done.then(function () { return photos.prepare(file, keepLocation); }).then(function (ready) {
      return outbox.put(entryOf(form, { fields: ready.fields, file: ready.blob, name: ready.name, fileField: input.name,
                                        label: ready.name }));
    });
  }, Promise.resolve()).then(function () { sender.kick(); }, storageFailed).then(function () { keeping -= 1; });
}

// Put entries back into the page: values into their forms, marks, lines and counts.
function render() {
  const user = sender.user();
  if (!user) return Promise.resolve();
  return outbox.all(user).then(function (entries) {
    const here = scopes();
    const local = entries.filter(function (e) { return here.has(e.scope); });
    document.querySelectorAll("[data-outbox-line]").forEach(function (el) { el.remove(); });
    document.querySelectorAll(".item-state.state-pending").forEach(function (el) {
      el.classList.remove("state-pending");
      el.querySelectorAll("[hidden]").forEach(function (hidden) { hidden.hidden = false; });
    });
    const pendingUnits = new Map();  // form -> its newest entry (one may be in flight behind it)
    const lined = new Set();         // keyed forms' earlier records drawn as lines of their list
    local.forEach(function (entry) {
      const form = sender.formOf(entry);
      if (entry.mode === "replace" || entry.mode === "submit") {
        if (form) pendingUnits.set(form, entry);
        else if (entry.keyed && line(null, entry)) lined.add(entry.seq);  // an earlier record: listed
      } else {
        line(form, entry);
      }
    });
    pendingUnits.forEach(function (entry, form) { markUnit(form, entry); });
    document.querySelectorAll("[data-queue-next]").forEach(function (button) {
      button.hidden = !pendingUnits.has(button.closest("form"));
    });
    countAnswers(pendingUnits);
    // Refused changes whose form is not on this page are listed on whatever page is open.
    heldList(entries.filter(function (e) {
      return e.state === "held" && e.problem !== "conflict" && !sender.formOf(e) && !lined.has(e.seq);
    }));
    const counted = newest(local);
    status(counted, newest(entries).length - counted.length);
  });
}

// One change counted per unit: an older entry of a unit still in flight behind the newer one that
// replaces it is not a second change (sender.js sends the newer, the older goes if not saved).
function newest(entries) {
  return entries.filter(function (e) {
    return !((e.mode === "replace" || e.mode === "submit") && entries.some(function (n) {
      return n.seq > e.seq && n.unit === e.unit && n.user === e.user;
    }));
  });
}

function markUnit(form, entry) {
  const held = entry.state === "held";
  const text = held ? (entry.problem === "conflict" ? "未保存：与他人的修改冲突，请在下方选择" : "未能保存：" + entry.problem)
    : sender.isPaused() ? "未同步（已保存在本机，重新登录后发送）"
      : sender.retrying(entry.seq) ? "未同步（已保存在本机，稍后自动重试）"
        : navigator.onLine ? "正在保存…" : "未同步（已保存在本机）";
  const state = form.querySelector(".item-state");
  const note = document.createElement("span");
  note.className = held ? "error" : "pending";
  note.setAttribute("data-outbox-line", "");
  note.textContent = text;
  if (state) {
    state.classList.add("state-pending");
    state.querySelectorAll(".saved, .error, .pending").forEach(function (el) { el.hidden = true; });
    state.appendChild(note);
  } else {
    note.classList.add("form-note");  // a whole form's state: above its fields, where it is read first
    form.prepend(note);
  }
  if (held && entry.problem !== "conflict") note.after(discardButton(entry));
}

// A refused change can be let go (its text stays readable until then).
function discardButton(entry) { return entryButton(entry, "data-discard", "放弃此条", "btn btn-ghost btn-small"); }

function entryButton(entry, attribute, text, className) {
  const button = document.createElement("button");
  button.type = "button";
  button.className = className;
  button.setAttribute(attribute, String(entry.seq));
  button.setAttribute("data-outbox-line", "");
  button.textContent = text;
  return button;
}

// A refused earlier record of a keyed form (记录走访) goes back into the form to be put right, not
// typed again: the form takes the record's key, so the outbox shows it there with its reason, and
// saving it again replaces the refused one (until then it stays on the tablet: a reload lists it again).
function reopenButton(entry) { return entryButton(entry, "data-reopen", "放回表单修改", "btn btn-small"); }

function keyedForm(entry) {
  const form = document.querySelector('form[data-unit="key"][action="' + CSS.escape(entry.url) + '"]');
  return form && keyOf(form) ? form : null;
}

function reopen(seq) {
  outbox.all(sender.user()).then(function (entries) {
    const entry = entries.find(function (e) { return e.seq === seq; });
    const form = entry && keyedForm(entry);
    if (!form) return;
    const waiting = entries.some(function (e) { return e.unit === form.getAttribute("action") + "#" + keyOf(form).value; });
    const typed = Array.prototype.some.call(form.querySelectorAll("textarea, input[type=text], input[type=checkbox]"),
      function (el) { return el.type === "checkbox" ? el.checked : el.value.trim(); });
    if (!waiting && typed) {  // never typed over: what the form holds is not saved anywhere yet
      window.dudaoToast("表单中有正在填写的走访：请先保存或清空它，再放回这一条。");
      return;
    }
    form.reset();  // what the form holds waits in the outbox under its own key (a line of the list now)
    fill(form, entry.fields);
    keyOf(form).value = entry.fields.key;
    render();
    form.scrollIntoView({ block: "start" });
  });
}

// A quick-log tap or a picked file waiting: a line in the place its answer will go; a keyed form's
// earlier record: a line in the list named for where it goes ([data-pending-lines="<url>"]). A tap the
// server's list already shows (stored, its answer not heard yet: it is resent and stored once) is
// not drawn a second time.
function line(form, entry) {
  const target = form ? sender.resolve(form, entry.target)
    : document.querySelector('[data-pending-lines="' + CSS.escape(entry.url) + '"]');
  const list = target && (target.querySelector("[data-pending-lines]") || target);
  if (!list) return false;
  const key = sender.sentKey(entry);
  if (key && list.querySelector('[data-key="' + CSS.escape(key) + '"]')) return true;
  const item = document.createElement(list.matches("ol, ul") ? "li" : "p");
  item.className = entry.state === "held" ? "error small" : "pending small";
  item.setAttribute("data-outbox-line", "");
  const at = new Date(entry.created);
  const time = ("0" + at.getHours()).slice(-2) + ":" + ("0" + at.getMinutes()).slice(-2);
  const sent = sender.uploaded(entry.seq);
  item.textContent = entry.state === "held" ? "“" + entry.label + "”未能保存：" + entry.problem
    : entry.mode === "upload"
      ? "“" + entry.label + "”" + (sent !== undefined ? "上传中 " + Math.round(sent * 100) + "%" : "待上传（已保存在本机）")
      : time + " " + entry.label + "（未同步）";
  if (entry.state === "held") {
    if (entry.keyed && keyedForm(entry)) item.appendChild(reopenButton(entry));
    item.appendChild(discardButton(entry));
  }
  list.appendChild(item);
  return true;
}

// 已答 counts what the server has plus what waits here (answers given offline), marked as such
// in the [data-answered-note] beside it.
function countAnswers(pendingUnits) {
  const fresh = [];
  pendingUnits.forEach(function (entry, form) {
    const state = form.querySelector(".item-state");
    const answers = entry.fields.value || entry.fields.na;
    if (state && !state.hasAttribute("data-answered") && answers && entry.state === "waiting") fresh.push(form);
  });
  document.querySelectorAll("[data-answered]:not(.item-state)").forEach(function (counter) {
    const section = counter.closest(".sheet-section");
    const extra = fresh.filter(function (form) { return !section || section.contains(form); }).length;
    const stored = Number(counter.getAttribute("data-answered"));
    counter.textContent = String(stored + extra);
    const note = counter.parentElement.querySelector("[data-answered-note]");
    if (note) note.textContent = extra ? "（含 " + extra + " 项未同步）" : "";
  });
}

// Refused changes whose form is not on this page (a tap for a record closed meanwhile): listed
// where they can be read and let go.
function heldList(held) {
  const panel = document.querySelector("[data-outbox-panel]");
  if (!panel || !held.length) return;
  const list = document.createElement("ul");
  list.className = "held-list small";
  list.setAttribute("data-outbox-line", "");
  held.forEach(function (entry) {
    const item = document.createElement("li");
    item.textContent = "未能保存：" + (entry.label ? "“" + entry.label + "”，" : "") + entry.problem + " ";
    item.appendChild(discardButton(entry));
    list.appendChild(item);
  });
  panel.appendChild(list);
}

function status(local, elsewhere) {
  const count = local.length;
  waitingHere = count;
  if (submitting && count === 0 && !keeping && !typing.size) {
    const form = submitting;
    submitting = null;
    htmx.trigger(form, "submit");
  }
  const bar = document.querySelector("[data-sync-status]");
  if (bar) {
    bar.hidden = count === 0;
    bar.textContent = count + " 条未同步" + (sender.isPaused() ? "（请重新登录）" : "");
    bar.classList.toggle("is-pending", count > 0);
  }
  document.querySelectorAll("[data-needs-sync]").forEach(function (button) {
    button.disabled = count > 0;
    button.title = count > 0 ? "还有未同步的内容，联网同步后才能提交" : "";
  });
  const other = document.querySelector("[data-sync-elsewhere]");
  if (other) {
    other.hidden = elsewhere === 0;
    other.textContent = "本机还有 " + elsewhere + " 条其他页面的内容未同步";
  }
}

// A box of a group is ticked when its value was sent; a lone box when anything was.
function ticked(form, box, value) {
  if (Array.isArray(value)) return value.indexOf(box.value) >= 0;
  const lone = form.elements.namedItem(box.name) === box;
  return value !== undefined && (lone || box.value === value);
}

function fill(form, fields) {
  Array.prototype.forEach.call(form.elements, function (el) {
    if (!el.name || el.name === "revision" || el.name === "key" || el.name === "csrf_token") return;
    const value = fields[el.name];
    if (el.type === "radio") el.checked = el.value === value;
    else if (el.type === "checkbox") el.checked = ticked(form, el, value);
    else if (el.type !== "button" && el.type !== "submit" && el.type !== "file") el.value = value === undefined ? "" : value;
  });
}

// A page arrives: units saved since this copy of it was made (a page kept for offline use) show
// what the server acknowledged, at its revision; what still waits is filled in on top.
function restore() {
  const user = sender.user();
  if (!user) return;
  // A kept page (a reload without network) carries the key it was drawn with, maybe long saved.
  document.querySelectorAll('form[data-unit="key"]').forEach(function (form) { keyOf(form).value = outbox.newKey(); });
  Promise.all([outbox.acknowledged(user), outbox.all(user)]).then(function (found) {
    found[0].forEach(function (saved) {
      const form = sender.formOf(saved);
      const revision = form && form.querySelector("[name=revision]");
      if (!form || !revision) return;
      if (saved.revision > Number(revision.value)) {
        fill(form, saved.fields);
        revision.value = String(saved.revision);
      } else {
        outbox.forgetAcknowledged(saved.id);  // this page already shows it
      }
    });
    found[1].forEach(function (entry) {
      const form = (entry.mode === "replace" || entry.mode === "submit") && sender.formOf(entry);
      if (form) fill(form, entry.fields);
    });
    return render();
  }).then(function () { sender.kick(); });
}

// 保留我的 / 保留他人的, in a conflict's panel (templates/macros/conflict.html).
function choose(button) {
  const panel = button.closest("[data-conflict]");
  const form = panel.parentElement.querySelector("form[data-queue]");
  if (!form) return;
  const url = form.getAttribute("action");
  const drop = outbox.all(sender.user()).then(function (entries) {
    return Promise.all(entries.filter(function (e) { return e.unit === url && e.state === "held"; })
      .map(function (e) { return outbox.remove(e.seq); }));
  });
  if (button.getAttribute("data-keep") === "mine") {
    const mine = {};  // as a form sends them: an unticked box is not sent at all
    panel.querySelectorAll("[data-mine] input").forEach(function (input) {
      const field = form.elements.namedItem(input.name);
      if (input.value !== "" || !field || field.type !== "checkbox") mine[input.name] = input.value;
    });
    fill(form, mine);
    drop.then(function () { return keep(form, 0); });
  }
  panel.remove();
}

export function wire() {
  document.addEventListener("input", function (event) {
    const form = event.target.closest && event.target.closest('form[data-queue="replace"]');
    if (form && isTyping(event.target)) typed(form);
  });
  document.addEventListener("change", function (event) {
    const form = event.target.closest && event.target.closest("form[data-queue]");
    if (!form) return;
    if (form.getAttribute("data-queue") === "upload" && event.target.type === "file") picked(form, event.target);
    else if (form.getAttribute("data-queue") === "replace") {
      clearTimeout(typing.get(form));
      typing.delete(form);
      keep(form, 0);
    }
  });
  document.addEventListener("submit", function (event) {
    const form = event.target.closest("form[data-queue]");
    if (!form || form.getAttribute("data-queue") === "upload") return;
    event.preventDefault();
    keep(form, 0);
  });
  document.addEventListener("click", function (event) {
    const choice = event.target.closest("[data-keep]");
    if (choice) choose(choice);
    const next = event.target.closest("[data-queue-next]");
    if (next) startNext(next.closest("form"));
    const back = event.target.closest("[data-reopen]");
    if (back) reopen(Number(back.getAttribute("data-reopen")));
    const discard = event.target.closest("[data-discard]");
    if (discard && window.confirm("放弃这条未能保存的内容？放弃后无法找回。")) {
      outbox.remove(Number(discard.getAttribute("data-discard")));
    }
  });
  document.addEventListener("outbox-changed", render);
  // 提交检查 / 完成听课 right after typing: the last note goes first, then the form (by itself).
  document.body.addEventListener("htmx:beforeRequest", function (event) {
    const form = event.detail.elt;
    if (!form.matches || !form.matches("form") || !form.querySelector("[data-needs-sync]")) return;
    if (!typing.size && !keeping && !waitingHere) return;
    event.preventDefault();
    keepTypingNow();
    submitting = form;
    window.dudaoToast("正在保存刚填写的内容，保存后自动提交。");
  });
  // A page arrives (loaded, boosted, reloaded offline): what waits goes back into its forms. A part
  // swapped in later only has its marks redrawn: refilling forms then could undo fresh typing.
  document.body.addEventListener("htmx:load", function (event) {
    const elt = event.detail.elt;
    if (elt === document.body || elt.contains(document.querySelector("main"))) restore();
    else if (elt.querySelector("form[data-queue], [data-pending-lines]")) render();
  });
  // The outbox is the record; a pending keystroke is kept before the tab may be discarded.
  document.addEventListener("visibilitychange", function () {
    if (document.visibilityState === "hidden") keepTypingNow();
    else sender.retryNow();
  });
  window.addEventListener("pagehide", keepTypingNow);
  window.addEventListener("online", function () { sender.retryNow(); render(); });
  window.addEventListener("offline", render);
}
