// The service worker (served by portal/offline/views.py, registered by static/js/offline.js for
// /inspections/, /observations/ and /visits/ only). It keeps the app shell and the filling pages, so that a
// reload, or a tablet that discarded the tab, brings the page back without network; what was typed
// waits in the outbox (IndexedDB) and goes back into the page. Changes (POST) always go to the
// network: the outbox is their queue, not this worker.
const VERSION = {{ version|tojson }};
const SHELL = {{ shell|tojson }};
const FIELD_PAGE = new RegExp({{ pages|tojson }});
const SHELL_CACHE = "dudao-shell-" + VERSION;
const PAGES_CACHE = "dudao-pages";       // cleared when someone signs out (static/js/offline.js)
const NETWORK_WAIT_MS = 6000;            // weak Wi-Fi: after this long the kept page is shown

self.addEventListener("install", function (event) {
  event.waitUntil(caches.open(SHELL_CACHE).then(function (cache) { return cache.addAll(SHELL); })
    .then(function () { return self.skipWaiting(); }));
});

self.addEventListener("activate", function (event) {
  event.waitUntil(caches.keys().then(function (names) {
    return Promise.all(names.filter(function (name) { return name.indexOf("dudao-shell-") === 0 && name !== SHELL_CACHE; })
      .map(function (name) { return caches.delete(name); }));
  }).then(function () { return self.clients.claim(); }));
});

self.addEventListener("fetch", function (event) {
  const request = event.request;
  const url = new URL(request.url);
  if (request.method !== "GET" || url.origin !== self.location.origin) return;
  if (SHELL.indexOf(url.pathname) >= 0) {
    event.respondWith(caches.match(request, { cacheName: SHELL_CACHE }).then(function (kept) {
      return kept || fetch(request);
    }));
  } else if (FIELD_PAGE.test(url.pathname)) {
    event.respondWith(fieldPage(event));
  } else if (request.mode === "navigate") {
    event.respondWith(fetch(request).catch(function () { return caches.match("/offline", { cacheName: SHELL_CACHE }); }));
  }
});

// A filling page: from the network when it answers in time (and kept for later), else as kept.
// One asked with a query is one variant of it (记录走访 with its school chosen): the plain page is
// the one kept (static/js/offline.js asks for it), never shown offline for another school.
function fieldPage(event) {
  const request = event.request;
  const network = fetch(request).then(function (response) {
    const plain = !new URL(request.url).search;
    if (plain && response.ok && !response.redirected) event.waitUntil(keep(request.url, response.clone()));
    return response;
  });
  const offline = function () { return caches.match("/offline", { cacheName: SHELL_CACHE }); };
  const kept = function () {
    return keptCopy(request.url).then(function (page) { return page || network.catch(offline); });
  };
  const late = new Promise(function (resolve) { setTimeout(resolve, NETWORK_WAIT_MS); }).then(function () {
    return keptCopy(request.url).then(function (page) { return page || network; });
  });
  return Promise.race([network.catch(kept), late]).catch(kept);
}

// Each copy is kept under its own stamped address and the older ones are dropped only once it is
// whole: a reload that comes while a newer copy is being written still finds the previous one.
function keep(url, response) {
  const path = new URL(url).pathname;
  const stamp = Date.now();
  return caches.open(PAGES_CACHE).then(function (cache) {
    return cache.put(path + "?kept=" + stamp, response).then(function () { return cache.keys(); })
      .then(function (requests) {
        return Promise.all(requests.filter(function (older) {
          const address = new URL(older.url);
          return address.pathname === path && Number(address.searchParams.get("kept")) < stamp;
        }).map(function (older) { return cache.delete(older); }));
      });
  });
}

function keptCopy(url) {
  return caches.open(PAGES_CACHE).then(function (cache) {
    return cache.matchAll(new URL(url).pathname, { ignoreSearch: true, ignoreVary: true });
  }).then(function (copies) { return copies[copies.length - 1]; });
}

// The pages ask the worker to keep pages (offline.js: 离线准备, and a filling page after saves were
// acknowledged), so that one writer keeps them. It answers on the message's port: a progress
// message per page, then {done, failed}.
self.addEventListener("message", function (event) {
  const pages = event.data && event.data.keep;
  const port = event.ports[0];
  if (!Array.isArray(pages) || !port) return;
  let done = 0;
  const all = pages.reduce(function (chain, page) {
    return chain.then(function () {
      return fetch(page, { credentials: "same-origin", redirect: "manual" }).then(function (response) {
        if (!response.ok || response.redirected) throw new Error(page);
        return keep(response.url, response);
      }).then(function () { done += 1; port.postMessage({ progress: done, of: pages.length }); });
    });
  }, Promise.resolve());
  event.waitUntil(all.then(function () { port.postMessage({ done: done }); },
                           function () { port.postMessage({ done: done, failed: true }); }));
});
