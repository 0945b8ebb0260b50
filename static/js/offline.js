// The page's side of working offline. A service worker (templates/offline/sw.js) is registered for
// the filling pages only (/inspections/, /observations/, and /visits/ for 记录走访): it keeps the app
// shell and those pages.
// Service workers need a secure context: HTTPS, or this machine itself (localhost); on a plain-HTTP
// intranet address the browser has none, and a reload without network shows its own error page
// (what was typed still waits in the outbox and comes back once the page loads again).
// 离线准备 on an inspector's home keeps today's open inspections and observations before leaving.
// Signing out drops the kept pages (shared machines); what waits in the outbox stays for its owner.
import * as outbox from "./outbox.js";
import * as sender from "./sender.js";

const PAGES_CACHE = "dudao-pages";
const SCOPES = ["/inspections/", "/observations/", "/visits/"];
const REFRESH_AFTER_MS = 5000;   // the kept copy of a filling page follows what the server has acknowledged
const KEEP_WAIT_MS = 30000;      // a worker that has not installed by then is tried again on the next keep
const KEEP_RETRIES = 3;

export function supported() { return "serviceWorker" in navigator && window.isSecureContext; }

function register() {
  if (!supported() || !sender.user()) return Promise.resolve([]);
  return Promise.all(SCOPES.map(function (scope) {
    return navigator.serviceWorker.register("/sw.js", { scope: scope });
  }));
}

// Looked at again and again rather than followed by its statechange: a registration just made may
// have no installing worker yet to follow (nothing was kept then, and a kept page never came).
// Refused if none is active by KEEP_WAIT_MS (it failed to install); the next keep tries again.
function installed(registration) {
  const deadline = Date.now() + KEEP_WAIT_MS;
  return new Promise(function (resolve, reject) {
    (function check() {
      if (registration.active) resolve();
      else if (Date.now() > deadline) reject(new Error("worker not installed"));
      else setTimeout(check, 100);
    })();
  });
}

// Gives up on a promise after `ms`: a worker stopped mid-way never answers, and the next keep must
// not wait behind it for ever.
function within(ms, promise) {
  return Promise.race([promise, new Promise(function (resolve, reject) {
    setTimeout(function () { reject(new Error("timed out")); }, ms);
  })]);
}

// The worker keeps pages (templates/offline/sw.js, one writer); `progress(n, of)` follows along.
function keepPages(pages, progress) {
  return register().then(function (registrations) { return Promise.all(registrations.map(installed)).then(function () {
    const worker = registrations[0].active;
    return new Promise(function (resolve, reject) {
      const channel = new MessageChannel();
      channel.port1.onmessage = function (message) {
        if ("progress" in message.data) { if (progress) progress(message.data.progress, message.data.of); return; }
        (message.data.failed ? reject : resolve)(message.data.done);
      };
      worker.postMessage({ keep: pages }, [channel.port2]);
    });
  }); });
}

// 离线准备: keep the shell and each listed page now, while the network is good.
function prepare(button) {
  const result = button.parentElement.querySelector("[data-offline-result]");
  const say = function (text) { if (result) result.textContent = text; };
  if (!supported()) {
    say("此浏览器或此网址（非 HTTPS）不支持离线打开页面；已填写的内容仍会保存在本机。");
    return;
  }
  const pages = JSON.parse(button.getAttribute("data-offline-prepare") || "[]");
  button.disabled = true;
  say("正在准备…");
  keepPages(pages, function (done, of) { say("已准备 " + done + "/" + of + " 个页面"); })
    .then(function () { say("已准备 " + pages.length + " 个页面，可离线打开和填写。"); })
    .catch(function () { say("准备未完成，请检查网络后重试。"); })
    .then(function () { button.disabled = false; });
}

function signOut(form, event) {
  if (form.hasAttribute("data-confirmed")) return;
  event.preventDefault();
  outbox.all(sender.user()).catch(function () { return []; }).then(function (waiting) {
    if (waiting.length && !window.confirm("本机还有 " + waiting.length + " 条内容未同步。退出后它们仍保存在本机，"
        + "您下次在这台设备上登录后会继续发送。确定退出？")) return null;
    return forget().then(function () {
      form.setAttribute("data-confirmed", "");
      form.submit();
    });
  });
}

// A filling page is kept as the server last showed it: when first opened (the worker may not have
// been in control yet to keep it), and again a little after saves were acknowledged, so that a
// reload without network shows what was saved, with what still waits filled in on top.
function fieldPage() { return supported() && window.caches && document.querySelector("[data-offline-queue]"); }

// Whether this page's own load went through the worker (which kept it then, unless asked with a query). A worker that took
// control after the request had gone (it was still installing) is the page's controller but never saw it.
function seenByWorker() {
  const load = performance.getEntriesByType("navigation")[0];
  return Boolean(navigator.serviceWorker.controller && load && load.workerStart > 0);
}

let refreshing = null;
let unkept = false;  // the last keep failed (the session had ended, the link dropped): the next save acknowledged keeps at once
let retries = 0;     // a failed keep is tried again a few times by itself, a page just opened having no saves to wait for
function keepThisPage(delay) {
  if (!fieldPage() || refreshing) return;
  refreshing = setTimeout(function () {
    within(KEEP_WAIT_MS, keepPages([location.pathname]))
      .then(function () { unkept = false; retries = 0; }, function () { unkept = true; })
      .then(function () {
        refreshing = null;
        if (unkept && retries < KEEP_RETRIES) { retries += 1; keepThisPage(REFRESH_AFTER_MS); }
      });
  }, delay);
}

function forget() {
  return window.caches ? caches.delete(PAGES_CACHE).catch(function () {}) : Promise.resolve();
}

function listKept(list) {
  if (!window.caches) return;
  caches.open(PAGES_CACHE).then(function (cache) { return cache.keys(); }).then(function (requests) {
    const pages = new Set(requests.map(function (request) { return new URL(request.url).pathname; }));
    list.textContent = "";
    pages.forEach(function (page) {
      const item = document.createElement("li");
      const link = document.createElement("a");
      link.href = page;
      link.textContent = (/observations/.test(page) ? "推门听课记录 " : /visits/.test(page) ? "记录走访 " : "督导检查 ") + page;
      item.appendChild(link);
      list.appendChild(item);
    });
    if (!pages.size) list.textContent = "（没有）";
  });
}

export function wire() {
  register().catch(function () {});
  if (fieldPage() && (!seenByWorker() || location.search)) keepThisPage(0);
  document.addEventListener("outbox-acknowledged", function () { keepThisPage(unkept ? 0 : REFRESH_AFTER_MS); });
  document.body.addEventListener("htmx:load", function (event) {
    if (event.detail.elt.querySelector && event.detail.elt.querySelector("[data-offline-queue]")
        && !navigator.serviceWorker.controller) keepThisPage(0);
  });
  document.addEventListener("click", function (event) {
    const button = event.target.closest("[data-offline-prepare]");
    if (button) prepare(button);
  });
  document.addEventListener("submit", function (event) {
    if (event.target.matches("form[data-logout]")) signOut(event.target, event);
  });
  if (document.querySelector("[data-signin-page]")) forget();  // whoever was signed in here is gone
  const kept = document.querySelector("[data-offline-pages]");
  if (kept) listKept(kept);
}
