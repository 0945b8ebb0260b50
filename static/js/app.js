// Behaviour keyed on data attributes; no inline scripts (strict CSP).
(function () {
  "use strict";

  // Dismiss a flash message.
  document.addEventListener("click", function (event) {
    var button = event.target.closest("[data-dismiss]");
    if (button) button.parentElement.remove();
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
  document.body.addEventListener("htmx:sendError", function (event) {
    // Autosaves and photos are kept for later (see the offline queue below); anything else must be retried.
    if (!event.detail.elt.matches("form[data-autosave], form[data-photo-upload]")) toast("网络连接中断，请检查网络后重试。");
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

  // Auto-submit a filter form when a select changes (the search box has its own trigger).
  document.addEventListener("change", function (event) {
    var form = event.target.closest("form[data-autosubmit]");
    if (form && event.target.matches("select, input[type=checkbox]")) form.requestSubmit();
  });
})();

// Autosave (form[data-autosave] inside [data-offline-queue]: checklist answers, observation records)
// and its offline queue.
// Every save carries a fresh idempotency key. A save that cannot reach the server (offline,
// network error, timeout) goes into a queue kept in localStorage, one entry per item holding the
// latest content and the revision the inspector last saw; the queue survives closing the tab and
// signing in again, is shown as "N 条未同步", and is sent in order, once, when the network is back.
// While anything is queued, new saves join the queue so that the order is kept.
(function () {
  "use strict";

  function newKey() {
    var bytes = new Uint8Array(16);
    window.crypto.getRandomValues(bytes);  // randomUUID needs HTTPS; the intranet may be plain HTTP
    return Array.prototype.map.call(bytes, function (b) { return ("0" + b.toString(16)).slice(-2); }).join("");
  }

  function sheet() { return document.querySelector("[data-offline-queue]"); }
  function storeKey(root) { return "dudao-queue:" + root.getAttribute("data-offline-queue"); }
  function readQueue(root) {
    try { return JSON.parse(localStorage.getItem(storeKey(root)) || "[]"); } catch (e) { return []; }
  }
  function writeQueue(root, queue) {
    if (queue.length) localStorage.setItem(storeKey(root), JSON.stringify(queue));
    else localStorage.removeItem(storeKey(root));
    showStatus(root, queue.length);
  }

  var flushing = null;  // the key of the entry being sent

  function showStatus(root, count) {
    count += photoCount;
    var status = document.querySelector("[data-sync-status]");
    if (status) {
      status.hidden = count === 0 && !flushing;
      status.textContent = flushing ? "正在同步 " + count + " 条…" : count + " 条未同步";
      status.classList.toggle("is-pending", count > 0);
    }
    document.querySelectorAll("[data-needs-sync]").forEach(function (button) {
      button.disabled = count > 0;
      button.title = count > 0 ? "还有未同步的内容，联网同步后才能提交" : "";
    });
  }

  // Every named field of the unit's form, but the CSRF token and the save's own key.
  function fieldsOf(form) {
    var fields = {};
    new FormData(form).forEach(function (value, name) {
      if (name !== "csrf_token" && name !== "key") fields[name] = value;
    });
    fields.revision = fields.revision || "0";
    return fields;
  }

  function markPending(form) {
    var state = form.querySelector(".item-state");
    if (!state) return;
    state.className = "item-state state-pending";
    var span = state.querySelector(".saved, .error, .pending");
    if (!span) { span = document.createElement("span"); state.appendChild(span); }
    span.className = "pending";
    span.textContent = "未同步（已保存在本机）";
  }

  // A form[data-append] (a quick-log tap) adds a line rather than replacing a value: each tap is
  // its own entry, shown as a pending line in its target until the server has it.
  function enqueue(form) {
    var root = sheet();
    var queue = readQueue(root);
    var item = form.getAttribute("data-item");
    var fields = fieldsOf(form);
    var entry = { item: item, url: form.getAttribute("action"), key: newKey(), fields: fields, tapped: Date.now() };
    if (form.hasAttribute("data-append")) {
      entry.item = item + ":" + entry.key;
      entry.target = form.getAttribute("hx-target");
    }
    var index = queue.findIndex(function (e) { return e.item === item && e.key !== flushing; });
    if (index >= 0) {
      entry.fields.revision = queue[index].fields.revision;  // still based on what was last seen
      queue[index] = entry;
    } else if (queue.some(function (e) { return e.item === item; })) {
      entry.fields.revision = null;  // follows the save in flight: based on the revision it returns
      queue.push(entry);
    } else {
      queue.push(entry);
    }
    writeQueue(root, queue);
    markPending(form);
    showPendingLines(root);
  }

  function showPendingLines(root) {
    readQueue(root).forEach(function (entry) {
      var list = entry.target && document.querySelector(entry.target + " [data-pending-lines]");
      if (!list || list.querySelector('[data-key="' + entry.key + '"]')) return;
      var line = document.createElement("li");
      var at = new Date(entry.tapped);
      line.className = "pending";
      line.setAttribute("data-key", entry.key);
      line.textContent = ("0" + at.getHours()).slice(-2) + ":" + ("0" + at.getMinutes()).slice(-2) + " "
        + entry.fields.kind + "（未同步）";
      list.appendChild(line);
    });
  }

  function csrfToken() {
    var wrapper = document.querySelector("[hx-headers]");
    try { return JSON.parse(wrapper.getAttribute("hx-headers"))["X-CSRFToken"]; } catch (e) { return ""; }
  }

  // Send the queue, oldest first, one at a time. Anything the server answered leaves the queue
  // (saved, unchanged, refused with a reason shown beside the item, or a conflict shown in place);
  // a network failure or an ended session stops the flush and keeps the rest.
  function flush() {
    var root = sheet();
    if (!root || flushing) return;
    var queue = readQueue(root);
    if (!queue.length) { if (window.indexedDB) flushPhotos(root); return; }
    var entry = queue[0];
    flushing = entry.key;
    showStatus(root, queue.length);
    var page = document.querySelector('form[data-item="' + entry.item + '"] [name=revision]');
    var fields = Object.assign({}, entry.fields);
    if (fields.revision === null) fields.revision = page ? page.value : "0";
    var body = new URLSearchParams(fields);
    body.set("key", entry.key);
    if (entry.target) body.set("age", String(Math.max(0, Date.now() - entry.tapped)));
    fetch(entry.url, {
      method: "POST", body: body, credentials: "same-origin", redirect: "manual",
      headers: { "HX-Request": "true", "X-CSRFToken": csrfToken() },
    }).then(function (response) {
      if (response.status === 200 || response.status === 409 || response.status === 422) {
        return response.text().then(function (html) {
          var form = document.querySelector('form[data-item="' + entry.item + '"]');
          var target = entry.target && document.querySelector(entry.target);
          if (target && response.status === 409) {
            window.dudaoToast("这条听课记录已完成，离线时点的“" + entry.fields.kind + "”未能记入。");
          } else if (target) {
            htmx.swap(target, html, { swapStyle: "outerHTML" });
          } else if (form && response.status === 409) {
            htmx.swap(form.closest(".sheet-item"), html, { swapStyle: "outerHTML" });
          } else if (form) {
            htmx.swap(form.querySelector(".item-state"), html, { swapStyle: "outerHTML" });
          }
          var rest = readQueue(root).filter(function (e) { return e.key !== entry.key; });
          flushing = null;
          writeQueue(root, rest);
          showPendingLines(root);
          flush();
        });
      }
      throw new Error("status " + response.status);
    }).catch(function (problem) {
      flushing = null;
      showStatus(root, readQueue(root).length);
      if (String(problem).indexOf("status") >= 0) {
        window.dudaoToast("未同步的内容暂时无法发送（登录可能已过期），内容仍保存在本机。请重新登录后回到此页。");
      }
    });
  }

  // Photos picked while offline (or whose upload failed) wait in IndexedDB: a photo is too big
  // for localStorage. They are sent after the answers, one at a time, with the key chosen when
  // they were picked, so a photo whose upload did arrive is stored once.
  var photoCount = 0;
  function photoDb() {
    return new Promise(function (resolve, reject) {
      var request = indexedDB.open("dudao-photos", 1);
      request.onupgradeneeded = function () { request.result.createObjectStore("photos", { keyPath: "key" }); };
      request.onsuccess = function () { resolve(request.result); };
      request.onerror = function () { reject(request.error); };
    });
  }
  function photoStore(mode, work) {
    return photoDb().then(function (db) {
      return new Promise(function (resolve, reject) {
        var tx = db.transaction("photos", mode);
        var result = work(tx.objectStore("photos"));
        tx.oncomplete = function () { db.close(); resolve(result && result.result); };
        tx.onerror = function () { db.close(); reject(tx.error); };
      });
    });
  }
  function waitingPhotos(root) {
    var inspection = root.getAttribute("data-offline-queue");
    return photoStore("readonly", function (store) { return store.getAll(); }).then(function (all) {
      return all.filter(function (p) { return p.inspection === inspection; })
        .sort(function (a, b) { return a.at - b.at; });
    });
  }
  function showWaitingPhotos(root) {
    return waitingPhotos(root).then(function (photos) {
      photoCount = photos.length;
      root.querySelectorAll("[data-waiting-photos]").forEach(function (el) { el.remove(); });
      photos.forEach(function (photo) {
        var box = root.querySelector("#photos-" + photo.item);
        if (!box) return;
        var note = box.querySelector("[data-waiting-photos]");
        if (!note) {
          note = document.createElement("p");
          note.className = "pending small";
          note.setAttribute("data-waiting-photos", "0");
          box.appendChild(note);
        }
        var n = Number(note.getAttribute("data-waiting-photos")) + 1;
        note.setAttribute("data-waiting-photos", String(n));
        note.textContent = n + " 张照片待上传（已保存在本机）";
      });
      showStatus(root, readQueue(root).length);
      return photos;
    });
  }
  function keepPhoto(form) {
    var root = sheet();
    var input = form.querySelector("input[type=file]");
    var file = input && input.files[0];
    if (!root || !file) return;
    var keyField = form.querySelector("[name=key]");
    var entry = { key: keyField.value, inspection: root.getAttribute("data-offline-queue"),
                  item: form.closest(".photos").id.replace("photos-", ""), url: form.getAttribute("action"),
                  name: file.name, blob: file, at: Date.now() };
    photoStore("readwrite", function (store) { return store.put(entry); }).then(function () {
      input.value = "";
      keyField.value = newKey();  // the next photo is another photo
      return showWaitingPhotos(root);
    }).then(function () {
      if (navigator.onLine) flush();
    }, function () {
      window.dudaoToast("照片未能上传，也无法保存在本机（浏览器不允许），请联网后重新选择。");
    });
  }
  var sendingPhoto = false;
  function flushPhotos(root) {
    if (sendingPhoto || readQueue(root).length || !window.indexedDB) return;
    sendingPhoto = true;
    waitingPhotos(root).then(function (photos) {
      if (!photos.length) { sendingPhoto = false; return; }
      var photo = photos[0];
      var body = new FormData();
      body.append("photo", photo.blob, photo.name);
      body.append("key", photo.key);
      return fetch(photo.url, {
        method: "POST", body: body, credentials: "same-origin", redirect: "manual",
        headers: { "HX-Request": "true", "X-CSRFToken": csrfToken() },
      }).then(function (response) {
        if (response.status !== 200 && response.status !== 422 && response.status !== 409) {
          throw new Error("status " + response.status);
        }
        return response.text().then(function (html) {
          var box = root.querySelector("#photos-" + photo.item);
          if (response.status === 409) window.dudaoToast("这次检查已不能修改，本机保存的照片“" + photo.name + "”未上传。");
          else if (box) htmx.swap(box, html, { swapStyle: "innerHTML" });
          return photoStore("readwrite", function (store) { return store.delete(photo.key); });
        }).then(function () {
          sendingPhoto = false;
          return showWaitingPhotos(root).then(function () { flushPhotos(root); });
        });
      });
    }).catch(function (problem) {
      sendingPhoto = false;
      if (String(problem).indexOf("status") >= 0) {
        window.dudaoToast("待上传的照片暂时无法发送（登录可能已过期），照片仍保存在本机。请重新登录后回到此页。");
      }
    });
  }

  // Restore queued content into the page (after a reload or reopening the tab), then try to send.
  function restore(root) {
    readQueue(root).forEach(function (entry) {
      var form = root.querySelector('form[data-item="' + entry.item + '"]');
      if (!form) return;
      Array.prototype.forEach.call(form.elements, function (el) {
        if (!el.name || el.name === "revision" || el.name === "key" || el.name === "csrf_token") return;
        var value = entry.fields[el.name];
        if (el.type === "radio") el.checked = el.value === value;
        else if (el.type === "checkbox") el.checked = value !== undefined && value !== "";
        else if (el.type !== "button" && el.type !== "submit") el.value = value === undefined ? "" : value;
      });
      markPending(form);
    });
    showPendingLines(root);
    showStatus(root, readQueue(root).length);
    var photos = window.indexedDB ? showWaitingPhotos(root) : Promise.resolve();
    photos.catch(function () {}).then(function () { if (navigator.onLine) flush(); });
  }

  document.body.addEventListener("htmx:load", function (event) {
    var root = event.detail.elt.matches("[data-offline-queue]") ? event.detail.elt
      : event.detail.elt.querySelector("[data-offline-queue]");
    if (root) restore(root);
  });

  // A saved answer's state says whether the item is now met; its card's red edge follows.
  document.body.addEventListener("htmx:load", function (event) {
    var state = event.detail.elt;
    if (!state.matches(".item-state") || !state.closest(".sheet-item")) return;
    state.closest(".sheet-item").classList.toggle("not-met", state.hasAttribute("data-not-met"));
  });

  document.body.addEventListener("htmx:configRequest", function (event) {
    if (!event.detail.elt.matches("form[data-autosave]")) return;
    event.detail.parameters.key = newKey();
  });

  document.body.addEventListener("htmx:beforeRequest", function (event) {
    var form = event.detail.elt;
    if (form.matches("form[data-photo-upload]") && window.indexedDB && sheet()
        && (!navigator.onLine || readQueue(sheet()).length || photoCount)) {
      event.preventDefault();  // offline, or earlier photos still waiting: this one waits behind them
      keepPhoto(form);
      return;
    }
    if (!form.matches("form[data-autosave]")) return;
    if (!navigator.onLine || readQueue(sheet()).length) {
      event.preventDefault();
      enqueue(form);
      if (navigator.onLine) flush();
    }
  });

  // A form with a [data-needs-sync] button (submit, finish) waits for autosaves still in flight:
  // the field left by tapping the button must arrive before the record is closed.
  document.body.addEventListener("htmx:beforeRequest", function (event) {
    var form = event.detail.elt;
    if (!form.querySelector || !form.querySelector("[data-needs-sync]")) return;
    if (!document.querySelector("form[data-autosave].htmx-request")) return;
    event.preventDefault();
    setTimeout(function () { htmx.trigger(form, "submit"); }, 300);
  });

  ["htmx:sendError", "htmx:timeout"].forEach(function (name) {
    document.body.addEventListener(name, function (event) {
      if (event.detail.elt.matches("form[data-autosave]")) enqueue(event.detail.elt);
      if (event.detail.elt.matches("form[data-photo-upload]") && window.indexedDB) keepPhoto(event.detail.elt);
    });
  });

  window.addEventListener("online", flush);
  setInterval(function () { if (navigator.onLine) flush(); }, 15000);  // onLine can be wrong on weak Wi-Fi
})();
