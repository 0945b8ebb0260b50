// The outbox: the durable browser queue every field form's change goes into first (IndexedDB, so
// it survives a reload, a closed or discarded tab and signing in again). A change leaves it only
// when the server has acknowledged it (sender.js). Each entry is numbered by IndexedDB in the
// order it was made on this device; its key, "<device>-<seq>", is the queue key the server checks
// (portal/idempotency.py): it recognises a resend, keeps one device's changes in order, and tells
// a lost reply from someone else's change.
//
// An entry: { seq, key, user, scope, mode, unit, url, fields, file, name, label, target, swap,
//             created, notBefore, state: "waiting" | "held", problem, sentAt }
// mode "replace": one unit (an answer, a record's fields) saved as a whole; a newer change of the
//   unit replaces an older one that has not been sent. "submit": a form sent once (a report).
// mode "append": each entry its own (a quick-log tap). "upload": a photo or file (a Blob).

const DB_NAME = "dudao";
const IN_FLIGHT_MS = 60000;  // an entry sent longer ago than this is no longer in flight (a tab died)
let database = null;

function open() {
  if (!database) {
    database = new Promise(function (resolve, reject) {
      const request = indexedDB.open(DB_NAME, 2);
      request.onupgradeneeded = function () {
        const names = request.result.objectStoreNames;
        if (!names.contains("outbox")) request.result.createObjectStore("outbox", { keyPath: "seq", autoIncrement: true });
        if (!names.contains("meta")) request.result.createObjectStore("meta");
        if (!names.contains("acknowledged")) request.result.createObjectStore("acknowledged", { keyPath: "id" });
      };
      request.onsuccess = function () { resolve(request.result); };
      request.onerror = function () { reject(request.error); };
    });
  }
  return database;
}

// Run `work(stores)` in one transaction; resolves with what work returned once it has committed.
function transact(names, mode, work) {
  return open().then(function (db) {
    return new Promise(function (resolve, reject) {
      const tx = db.transaction(names, mode);
      const stores = {};
      names.forEach(function (name) { stores[name] = tx.objectStore(name); });
      let result;
      Promise.resolve(work(stores)).then(function (value) { result = value; }, reject);
      tx.oncomplete = function () { resolve(result); };
      tx.onerror = function () { reject(tx.error); };
      tx.onabort = function () { reject(tx.error); };
    });
  });
}

function requested(request) {
  return new Promise(function (resolve, reject) {
    request.onsuccess = function () { resolve(request.result); };
    request.onerror = function () { reject(request.error); };
  });
}

const channel = "BroadcastChannel" in window ? new BroadcastChannel("dudao-outbox") : null;
function changed(local) {
  document.dispatchEvent(new CustomEvent("outbox-changed"));
  if (channel && local !== false) channel.postMessage("changed");
}
if (channel) channel.onmessage = function () { changed(false); };

function randomHex(bytes) {
  const values = new Uint8Array(bytes);
  window.crypto.getRandomValues(values);  // randomUUID needs HTTPS; the intranet may be plain HTTP
  return Array.prototype.map.call(values, function (b) { return ("0" + b.toString(16)).slice(-2); }).join("");
}

// A page key drawn here (a keyed form's next record, static/js/fields.js).
export function newKey() { return randomHex(16); }

// This browser's device id for `user` (one per user: a shared tablet's users are different writers).
function device(user) {
  return transact(["meta"], "readwrite", function (stores) {
    return requested(stores.meta.get("device:" + user)).then(function (found) {
      if (found) return found;
      const made = randomHex(8);
      stores.meta.put(made, "device:" + user);
      return made;
    });
  });
}

// A change is first staged in localStorage, synchronously, the moment it is made: an IndexedDB
// write takes a few milliseconds, and a tab reloaded or discarded in between would lose it. The
// staged copy goes when the outbox has the change; one left over is put in when the page loads.
const STAGED = "dudao-staged:";
let adopted = Promise.resolve();

// A unit's newest change replaces its staged one; each tap is staged on its own.
function stagedName(entry, token) {
  return STAGED + entry.user + ":" + (entry.unit || "tap-" + token);
}

export function stage(entry) {
  const token = randomHex(6);
  try {
    localStorage.setItem(stagedName(entry, token), JSON.stringify({ token: token, entry: entry }));
  } catch (e) {
    return null;  // storage full or refused: the outbox write below still follows
  }
  return token;
}

function unstage(entry, token) {
  const name = stagedName(entry, token);
  try {
    const staged = JSON.parse(localStorage.getItem(name) || "null");
    if (staged && staged.token === token) localStorage.removeItem(name);
  } catch (e) { /* nothing staged */ }
}

function adoptStaged(user) {
  const found = [];
  for (let i = localStorage.length - 1; i >= 0; i -= 1) {
    const name = localStorage.key(i);
    if (name && name.indexOf(STAGED + user + ":") === 0) found.push(name);
  }
  return found.reduce(function (done, name) {
    return done.then(function () {
      const staged = JSON.parse(localStorage.getItem(name) || "null");
      return staged ? write(staged.entry, staged.token) : null;
    });
  }, Promise.resolve());
}

// Before anything reads or writes the outbox on this page: what an earlier version or an
// interrupted write left is taken in.
export function start(user) {
  adopted = adoptEarlierQueue(user).then(function () { return adoptStaged(user); }).catch(function () {});
  return adopted;
}

// Put a change in the outbox (replacing the unit's older changes not in flight); resolves with it.
// `token`: what stage() returned for it.
export function put(entry, token) {
  return adopted.then(function () { return write(entry, token); });
}

function write(entry, token) {
  return device(entry.user).then(function (id) {
    return transact(["outbox"], "readwrite", function (stores) {
      const store = stores.outbox;
      const replaced = entry.mode === "replace" || entry.mode === "submit"
        ? requested(store.getAll()).then(function (all) {
          all.forEach(function (old) {
            if (old.unit === entry.unit && old.user === entry.user && !inFlight(old)) store.delete(old.seq);
          });
        })
        : Promise.resolve();
      return replaced.then(function () {
        const fresh = Object.assign({ state: "waiting", created: Date.now(), notBefore: 0, sentAt: 0 }, entry);
        return requested(store.add(fresh)).then(function (seq) {
          fresh.seq = seq;
          fresh.key = id + "-" + seq;
          store.put(fresh);
          return fresh;
        });
      });
    });
  }).then(function (fresh) {
    if (token) unstage(entry, token);
    changed();
    return fresh;
  });
}

export function inFlight(entry) {
  return entry.sentAt && Date.now() - entry.sentAt < IN_FLIGHT_MS;
}

// Every entry of `user` (all users: null), oldest first.
export function all(user) {
  return adopted.then(function () {
    return transact(["outbox"], "readonly", function (stores) {
      return requested(stores.outbox.getAll());
    });
  }).then(function (entries) {
    return entries.filter(function (e) { return user == null || e.user === user; });
  });
}

// What the server last acknowledged of a unit (its fields and the revision it gave them): a page
// kept for offline use from before that save shows it again instead of its older copy, so the next
// change is not made on top of stale values (fields.js restore()).
export function acknowledge(entry, revision) {
  const id = entry.user + " " + entry.unit;
  return transact(["acknowledged"], "readwrite", function (stores) {
    return requested(stores.acknowledged.get(id)).then(function (known) {
      if (known && known.revision > revision) return;  // a later save was acknowledged first
      stores.acknowledged.put({ id: id, user: entry.user, unit: entry.unit, url: entry.url, fields: entry.fields,
                                revision: revision, at: Date.now() });
    });
  });
}

export function acknowledged(user) {
  return transact(["acknowledged"], "readonly", function (stores) {
    return requested(stores.acknowledged.getAll());
  }).then(function (all) { return all.filter(function (a) { return a.user === user; }); });
}

export function forgetAcknowledged(id) {
  return transact(["acknowledged"], "readwrite", function (stores) { stores.acknowledged.delete(id); });
}

export function remove(seq) {
  return transact(["outbox"], "readwrite", function (stores) { stores.outbox.delete(seq); }).then(changed);
}

// An entry sent and not saved (the session ended, no answer, a busy server) waits again, unless a
// newer change of its unit was made while it was in flight: that one carries the whole unit and is
// the one sent, so the older goes (sent first it would be saved, then overwritten: two saves where
// the user made one change, and two entries counted for one unit). Resolves with whether it waits.
export function unsent(seq, fields) {
  return transact(["outbox"], "readwrite", function (stores) {
    const store = stores.outbox;
    return requested(store.getAll()).then(function (all) {
      const entry = all.find(function (e) { return e.seq === seq; });
      if (!entry) return false;
      const replaced = (entry.mode === "replace" || entry.mode === "submit") && all.some(function (e) {
        return e.seq > seq && e.unit === entry.unit && e.user === entry.user && e.state === "waiting";
      });
      if (replaced) store.delete(seq);
      else store.put(Object.assign(entry, fields, { sentAt: 0 }));
      return !replaced;
    });
  }).then(function (waits) { changed(); return waits; });
}

// Change fields of an entry still there (it may have been replaced or acknowledged meanwhile).
export function update(seq, fields) {
  return transact(["outbox"], "readwrite", function (stores) {
    return requested(stores.outbox.get(seq)).then(function (entry) {
      if (entry) stores.outbox.put(Object.assign(entry, fields));
      return entry;
    });
  }).then(function (entry) { changed(); return entry; });
}

// The queue of earlier versions (localStorage answers, IndexedDB "dudao-photos"), moved into the
// outbox once, so an upgrade in the middle of a field day loses nothing that waited.
function adoptEarlierQueue(user) {
  const moves = [];
  for (let i = localStorage.length - 1; i >= 0; i -= 1) {
    const name = localStorage.key(i);
    if (!name || name.indexOf("dudao-queue:") !== 0) continue;
    let entries = [];
    try { entries = JSON.parse(localStorage.getItem(name)) || []; } catch (e) { entries = []; }
    const id = name.slice("dudao-queue:".length);
    const scope = /^\d+$/.test(id) ? "inspection-" + id : id;
    entries.forEach(function (old) {
      const fields = Object.assign({}, old.fields, { revision: old.fields.revision == null ? "0" : old.fields.revision });
      moves.push(old.target
        ? { user: user, scope: scope, mode: "append", unit: null, url: old.url, fields: fields, label: fields.kind,
            target: old.target, swap: "outerHTML", created: old.tapped }
        : { user: user, scope: scope, mode: "replace", unit: old.url, url: old.url, fields: fields,
            target: "find .item-state", swap: "outerHTML", created: old.tapped });
    });
    localStorage.removeItem(name);
  }
  const earlier = moves.reduce(function (done, entry) { return done.then(function () { return write(entry); }); },
    Promise.resolve());
  return earlier.then(function () { return adoptEarlierPhotos(user); });
}

function adoptEarlierPhotos(user) {
  if (!indexedDB.databases) return Promise.resolve();
  return indexedDB.databases().then(function (names) {
    if (!names.some(function (d) { return d.name === "dudao-photos"; })) return null;
    return new Promise(function (resolve) {
      const request = indexedDB.open("dudao-photos", 1);
      request.onupgradeneeded = function () { request.result.createObjectStore("photos", { keyPath: "key" }); };
      request.onsuccess = function () {
        const db = request.result;
        const read = db.transaction("photos", "readonly").objectStore("photos").getAll();
        read.onsuccess = function () {
          db.close();
          const moved = read.result.reduce(function (done, photo) {
            return done.then(function () {
              return write({ user: user, scope: "inspection-" + photo.inspection, mode: "upload", unit: null,
                           url: photo.url, fields: {}, file: photo.blob, fileField: "photo", name: photo.name,
                           label: photo.name, target: "#photos-" + photo.item, swap: "innerHTML", created: photo.at });
            });
          }, Promise.resolve());
          moved.then(function () { indexedDB.deleteDatabase("dudao-photos"); resolve(); });
        };
        read.onerror = function () { db.close(); resolve(); };
      };
      request.onerror = function () { resolve(); };
    });
  });
}
