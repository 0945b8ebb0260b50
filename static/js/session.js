// A session that ends while someone works (expiry, a password reset, signed out elsewhere): the
// server answers the page's requests 401 with a `session-ended` event (portal/htmx.py). Nothing is
// lost: the outbox keeps what waits, and a dialog offers the sign-in form right here. The form is
// the sign-in page's own (#signin), so throttling and any second step are the same; signing in
// lands on /account/resumed, whose fragment hands over the new session's CSRF token, and what
// waited is sent.
import * as sender from "./sender.js";

function dialog() { return document.querySelector("dialog[data-session-dialog]"); }

// The form is fetched once per ended session: the dialog closed with Escape and opened again shows the
// same form. Fetched again, without a cookie, while the first answer was still on its way, each answer
// began a session of its own, and the form shown could carry the other one's token (refused as expired).
let loading = null;
function ask() {
  const box = dialog();
  if (!box || box.open) return;
  sender.pause();
  box.showModal();
  if (loading || box.querySelector("#signin-slot form")) return;
  loading = htmx.ajax("GET", box.getAttribute("data-login"), { target: "#signin-slot", select: "#signin", swap: "innerHTML" })
    .finally(function () { loading = null; });
}

function resumed(fragment) {
  const box = dialog();
  sender.setCsrfToken(fragment.getAttribute("data-csrf"));
  if (fragment.getAttribute("data-user") !== sender.user()) {
    // Someone else signed in: what waits here is the first user's; it stays in the outbox for them.
    location.href = "/";
    return;
  }
  if (box) box.close();
  window.dudaoToast("已重新登录，正在发送未同步的内容。");
  sender.resume();
}

export function wire() {
  document.body.addEventListener("session-ended", ask);
  // The dialog closed with Escape: what waits says so, and a tap on it asks again.
  document.addEventListener("click", function (event) {
    if (event.target.closest("[data-sync-status]") && sender.isPaused()) ask();
  });
  document.body.addEventListener("csrf-expired", function () { sender.refreshToken(); });
  document.body.addEventListener("htmx:load", function (event) {
    const fragment = event.detail.elt.matches("[data-session-resumed]") ? event.detail.elt
      : event.detail.elt.querySelector("[data-session-resumed]");
    if (fragment && dialog() && dialog().contains(fragment)) resumed(fragment);
  });
}
