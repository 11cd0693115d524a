// Share links: the flow, compressed (deflate-raw) and base64url-encoded, in the URL fragment
// (#share=...). The fragment never reaches the server; opening the link adds the flow as a NEW
// custom flow (flows.js gives it a fresh id when the id is taken), never overwriting one.

export const FRAGMENT_KEY = "share";
const MAX_DECODED_BYTES = 20 * 1024 * 1024;

export async function encodeFlow(flow) {
  const bytes = new TextEncoder().encode(JSON.stringify(flow));
  const packed = await pipe(bytes, new CompressionStream("deflate-raw"));
  return toBase64Url(packed);
}

export async function decodeFlow(text) {
  let bytes;
  try {
    bytes = fromBase64Url(text);
  } catch {
    throw new Error("The share link is damaged: its data is not base64url.");
  }
  let json;
  try {
    const raw = await pipe(bytes, new DecompressionStream("deflate-raw"), MAX_DECODED_BYTES);
    json = new TextDecoder().decode(raw);
  } catch (err) {
    throw new Error(err && err.message && err.message.includes("too large")
      ? err.message
      : "The share link is damaged or cut short: its data does not decompress.");
  }
  try {
    return JSON.parse(json);
  } catch {
    throw new Error("The share link is damaged: its flow is not JSON.");
  }
}

export async function shareUrl(flow, base = location.origin + "/") {
  return `${base}#${FRAGMENT_KEY}=${await encodeFlow(flow)}`;
}

// The encoded flow in a location hash ("#share=..."), or null.
export function sharedPayload(hash) {
  const params = new URLSearchParams(String(hash || "").replace(/^#/, ""));
  const value = params.get(FRAGMENT_KEY);
  return value ? value : null;
}

async function pipe(bytes, transform, limit = Infinity) {
  const stream = new Blob([bytes]).stream().pipeThrough(transform);
  const reader = stream.getReader();
  const chunks = [];
  let size = 0;
  for (;;) {
    const { value, done } = await reader.read();
    if (done) break;
    size += value.length;
    if (size > limit) {
      await reader.cancel();
      throw new Error(`The shared flow is too large (over ${limit / 1024 / 1024} MB).`);
    }
    chunks.push(value);
  }
  const out = new Uint8Array(size);
  let at = 0;
  for (const c of chunks) {
    out.set(c, at);
    at += c.length;
  }
  return out;
}

export function toBase64Url(bytes) {
  let bin = "";
  const step = 0x8000;
  for (let i = 0; i < bytes.length; i += step) bin += String.fromCharCode(...bytes.subarray(i, i + step));
  return btoa(bin).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
}

export function fromBase64Url(text) {
  const clean = String(text).replace(/-/g, "+").replace(/_/g, "/");
  if (/[^A-Za-z0-9+/]/.test(clean)) throw new Error("not base64url");
  const bin = atob(clean + "=".repeat((4 - (clean.length % 4)) % 4));
  const out = new Uint8Array(bin.length);
  for (let i = 0; i < bin.length; i++) out[i] = bin.charCodeAt(i);
  return out;
}
