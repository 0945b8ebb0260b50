// Wires the portal's browser code to data attributes (no inline scripts: strict CSP). The field
// forms' save path is in modules of its own: outbox.js (the durable queue), sender.js, fields.js,
// photos.js, session.js and offline.js (the service worker's side).
import * as fields from "./fields.js";
import * as offline from "./offline.js";
import * as outbox from "./outbox.js";
import * as sender from "./sender.js";
import * as session from "./session.js";

(function () {

  // Dismiss a flash message.
  document.addEventListener("click", function (event) {
    var button = event.target.closest("[data-dismiss]");
    if (button) button.parentElement.remove();
  });

  // A one-tap choice of several checkboxes (button[data-tick="A,B"] inside or beside them, data-tick-in
  // naming their box): exactly those ticked, then one change event, as if ticked by hand.
  document.addEventListener("click", function (event) {
    var button = event.target.closest("button[data-tick]");
    if (!button) return;
    var box = document.querySelector(button.getAttribute("data-tick-in"));
    if (!box) return;
    var wanted = button.getAttribute("data-tick").split(",");
    var boxes = box.querySelectorAll("input[type=checkbox]");
    boxes.forEach(function (input) { input.checked = wanted.indexOf(input.value) !== -1; });
    if (boxes.length) boxes[0].dispatchEvent(new Event("change", { bubbles: true }));
  });

  // Menus (details[data-menu]): a tap elsewhere or Escape closes them; one open at a time.
  function closeMenus(except) {
    document.querySelectorAll("details[data-menu][open]").forEach(function (menu) {
      if (menu !== except) menu.removeAttribute("open");
    });
  }
  document.addEventListener("click", function (event) { closeMenus(event.target.closest("details[data-menu]")); });
  document.addEventListener("keydown", function (event) { if (event.key === "Escape") closeMenus(null); });
  document.body.addEventListener("htmx:beforeRequest", function () { closeMenus(null); });

  // One toast for errors reported by the server (HX-Trigger "app-error") or the network.
  function toast(message) {
    var el = document.getElementById("toast");
    if (!el) {
      el = document.createElement("div");
      el.id = "toast";
      el.className = "toast";
      el.setAttribute("role", "alert");
      document.body.appendChild(el);
    }
    el.textContent = message;
    el.hidden = false;
    clearTimeout(el._timer);
    el._timer = setTimeout(function () { el.hidden = true; }, 6000);
  }
  window.dudaoToast = toast;

  var reported = false;
  document.body.addEventListener("app-error", function (event) {
    reported = true;
    toast(event.detail.message);
  });
  document.body.addEventListener("htmx:beforeRequest", function () { reported = false; });
  document.body.addEventListener("htmx:responseError", function (event) {
    if (!reported && event.detail.xhr.status !== 401) toast("操作未成功（" + event.detail.xhr.status + "），请重试。");
  });
  document.body.addEventListener("htmx:sendError", function () {
    toast("网络连接中断，请检查网络后重试。");  // field forms do not come here: they go through the outbox
  });

  // Keep what was typed in a form[data-keep-draft] until the server has taken it: a session
  // that ends mid-form sends the user to sign in and back, and the text comes back with them.
  // sessionStorage, not localStorage: it goes when the tab closes (shared office machines).
  function draftKey(form) { return "draft:" + form.getAttribute("action"); }

  document.addEventListener("input", function (event) {
    var form = event.target.closest("form[data-keep-draft]");
    if (!form) return;
    var data = {};
    Array.prototype.forEach.call(form.elements, function (el) {
      if (!el.name || el.name === "csrf_token" || el.type === "password" || el.type === "file") return;
      data[el.name] = (el.type === "checkbox" || el.type === "radio") ? el.checked : el.value;
    });
    sessionStorage.setItem(draftKey(form), JSON.stringify(data));
  });

  function restoreDrafts(root) {
    var forms = root.matches && root.matches("form[data-keep-draft]") ? [root] : root.querySelectorAll("form[data-keep-draft]");
    Array.prototype.forEach.call(forms, function (form) {
      var saved = sessionStorage.getItem(draftKey(form));
      if (!saved) return;
      var data = JSON.parse(saved);
      var restored = 0;
      Object.keys(data).forEach(function (name) {
        var el = form.elements.namedItem(name);
        if (!el || el.length) return;
        var checkable = el.type === "checkbox" || el.type === "radio";
        if ((checkable ? el.checked : el.value) === data[name]) return;
        if (checkable) el.checked = data[name]; else el.value = data[name];
        restored += 1;
      });
      if (restored) toast("已恢复您上次未提交的内容，请检查后保存。");
    });
  }

  document.body.addEventListener("htmx:afterRequest", function (event) {
    var form = event.detail.elt;
    var status = event.detail.xhr.status;
    if (form.matches && form.matches("form[data-keep-draft]") && status >= 200 && status < 400) {
      sessionStorage.removeItem(draftKey(form));
    }
  });
  document.addEventListener("submit", function (event) {
    // A plain (non-htmx) submit leaves the page; the server's answer will carry any errors.
    if (event.target.matches("form[data-keep-draft]") && !event.target.closest("[hx-boost=true]")) {
      sessionStorage.removeItem(draftKey(event.target));
    }
  });
  document.body.addEventListener("htmx:load", function (event) { restoreDrafts(event.detail.elt); });

  // A saved answer's state says whether the item is now met; its card's red edge follows.
  document.body.addEventListener("htmx:load", function (event) {
    var state = event.detail.elt;
    if (!state.matches(".item-state") || !state.closest(".sheet-item")) return;
    state.closest(".sheet-item").classList.toggle("not-met", state.hasAttribute("data-not-met"));
  });

  // Auto-submit a filter form when a select changes (the search box has its own trigger).
  document.addEventListener("change", function (event) {
    var form = event.target.closest("form[data-autosubmit]");
    if (form && event.target.matches("select, input[type=checkbox]")) form.requestSubmit();
  });
})();

fields.wire();
session.wire();
offline.wire();
if (sender.user()) outbox.start(sender.user()).then(function () { sender.kick(); });
