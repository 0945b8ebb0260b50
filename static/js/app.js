// Behaviour keyed on data attributes; no inline scripts (strict CSP).
(function () {
  "use strict";

  // Dismiss a flash message.
  document.addEventListener("click", function (event) {
    var button = event.target.closest("[data-dismiss]");
    if (button) button.parentElement.remove();
  });

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
    toast("网络连接中断，请检查网络后重试。");
  });

  // Auto-submit a filter form when a select changes (the search box has its own trigger).
  document.addEventListener("change", function (event) {
    var form = event.target.closest("form[data-autosubmit]");
    if (form && event.target.matches("select, input[type=checkbox]")) form.requestSubmit();
  });
})();
