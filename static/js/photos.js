// Photos shrink on the tablet before they cross the school's Wi-Fi: turned upright, the long side
// cut to 2000 px, re-encoded as JPEG within a byte budget (a 4000×3000 camera photo of 4-5 MB
// becomes about half a megabyte). Re-encoding drops the camera's EXIF, its location included;
// when the office keeps locations (setting PHOTO_KEEP_LOCATION) the location is read first and
// sent beside the photo, for the server to write back. Files that are not photos go as they are;
// the server checks and shrinks whatever it gets.

const LONG_SIDE = 2000;
const BUDGET = 600 * 1024;
const QUALITIES = [0.82, 0.72, 0.62, 0.52];

export function prepare(file, keepLocation) {
  if (!/^image\/(jpeg|png|webp|heic|heif)$/.test(file.type) || !window.createImageBitmap) {
    return Promise.resolve({ blob: file, name: file.name, fields: {} });
  }
  const location = keepLocation ? gps(file) : Promise.resolve(null);
  return Promise.all([shrink(file), location]).then(function (done) {
    const fields = done[1] ? { latitude: String(done[1][0]), longitude: String(done[1][1]) } : {};
    return done[0] ? { blob: done[0], name: jpegName(file.name), fields: fields }
      : { blob: file, name: file.name, fields: fields };
  });
}

function jpegName(name) { return (name.replace(/\.[^.]*$/, "") || "照片") + ".jpg"; }

// The picture upright and at most LONG_SIDE on its long side, as a JPEG within BUDGET; null when
// the browser cannot read it (then the original goes and the server does the work).
export function shrink(file) {
  return createImageBitmap(file, { imageOrientation: "from-image" }).then(function (bitmap) {
    const scale = Math.min(1, LONG_SIDE / Math.max(bitmap.width, bitmap.height));
    const canvas = document.createElement("canvas");
    canvas.width = Math.round(bitmap.width * scale);
    canvas.height = Math.round(bitmap.height * scale);
    const context = canvas.getContext("2d");
    context.imageSmoothingQuality = "high";
    context.drawImage(bitmap, 0, 0, canvas.width, canvas.height);
    bitmap.close();
    return encode(canvas, 0);
  }).catch(function () { return null; });
}

function encode(canvas, attempt) {
  return new Promise(function (resolve) {
    canvas.toBlob(resolve, "image/jpeg", QUALITIES[attempt]);
  }).then(function (blob) {
    if (!blob) return null;
    return blob.size <= BUDGET || attempt === QUALITIES.length - 1 ? blob : encode(canvas, attempt + 1);
  });
}

// The photo's GPS position [latitude, longitude] in degrees from its EXIF, or null.
export function gps(file) {
  return file.slice(0, 256 * 1024).arrayBuffer().then(readGps).catch(function () { return null; });
}

function readGps(buffer) {
  const view = new DataView(buffer);
  if (view.getUint16(0) !== 0xffd8) return null;
  let at = 2;
  while (at + 4 < view.byteLength) {
    const marker = view.getUint16(at);
    const size = view.getUint16(at + 2);
    if (marker === 0xffe1 && view.getUint32(at + 4) === 0x45786966) return tiffGps(view, at + 10);  // "Exif"
    if ((marker & 0xff00) !== 0xff00) return null;
    at += 2 + size;
  }
  return null;
}

function tiffGps(view, start) {
  const little = view.getUint16(start) === 0x4949;
  const u16 = function (at) { return view.getUint16(start + at, little); };
  const u32 = function (at) { return view.getUint32(start + at, little); };
  const entries = function (ifd) {
    const found = {};
    for (let i = 0, n = u16(ifd); i < n; i += 1) {
      const at = ifd + 2 + i * 12;
      found[u16(at)] = at;
    }
    return found;
  };
  const root = entries(u32(4));
  if (!(0x8825 in root)) return null;
  const tags = entries(u32(root[0x8825] + 8));
  const ref = function (tag) { return tag in tags ? String.fromCharCode(view.getUint8(start + tags[tag] + 8)) : ""; };
  const degrees = function (tag) {
    if (!(tag in tags)) return null;
    const values = u32(tags[tag] + 8);
    const part = function (i) { return u32(values + i * 8) / (u32(values + i * 8 + 4) || 1); };
    return part(0) + part(1) / 60 + part(2) / 3600;
  };
  const latitude = degrees(2);
  const longitude = degrees(4);
  if (latitude === null || longitude === null) return null;
  return [ref(1) === "S" ? -latitude : latitude, ref(3) === "W" ? -longitude : longitude].map(function (v) {
    return Math.round(v * 1e6) / 1e6;
  });
}
