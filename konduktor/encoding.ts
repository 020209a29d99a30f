/**
 * Runtime-neutral byte helpers (workerd, Node, browsers): base64 without `Buffer`, SHA-256 with
 * WebCrypto. Nothing here logs or keeps what it is given.
 */

const ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
const LOOKUP = new Int16Array(128).fill(-1);
for (let i = 0; i < ALPHABET.length; i++) LOOKUP[ALPHABET.charCodeAt(i)] = i;

/** Standard base64 with padding, as the Kubernetes API writes `data`. */
export function bytesToBase64(bytes: Uint8Array): string {
  let out = "";
  let i = 0;
  const parts: string[] = [];
  for (; i + 2 < bytes.length; i += 3) {
    const n =
      ((bytes[i] as number) << 16) | ((bytes[i + 1] as number) << 8) | (bytes[i + 2] as number);
    out +=
      ALPHABET.charAt((n >> 18) & 63) +
      ALPHABET.charAt((n >> 12) & 63) +
      ALPHABET.charAt((n >> 6) & 63) +
      ALPHABET.charAt(n & 63);
    if (out.length >= 8192) {
      parts.push(out);
      out = "";
    }
  }
  const rest = bytes.length - i;
  if (rest === 1) {
    const n = (bytes[i] as number) << 16;
    out += `${ALPHABET[(n >> 18) & 63]}${ALPHABET[(n >> 12) & 63]}==`;
  } else if (rest === 2) {
    const n = ((bytes[i] as number) << 16) | ((bytes[i + 1] as number) << 8);
    out += `${ALPHABET[(n >> 18) & 63]}${ALPHABET[(n >> 12) & 63]}${ALPHABET[(n >> 6) & 63]}=`;
  }
  parts.push(out);
  return parts.join("");
}

/** Unused low bits of a last group's final character: 4 bits after 2 characters, 2 after 3. */
const LOW4_ZERO = 0b1111;
const LOW2_ZERO = 0b11;

/**
 * Length in base64 characters (without padding) of canonical standard base64 (RFC 4648 §4,
 * alphabet `A–Z a–z 0–9 + /`), or -1 when `text` is not that. Canonical: groups of 4, and a last
 * group of 2 or 3 characters whose unused low bits are zero (so no two strings decode to the same
 * bytes), with its `=` padding or without it. No whitespace, no URL-safe `-`/`_`, no `=` other than
 * the last group's full padding. A loop, not a regex: V8's regex backtrack stack overflows on
 * multi-megabyte inputs.
 */
function canonicalLength(text: string): number {
  let end = text.length;
  let pad = 0;
  while (pad < 2 && end > 0 && text.charCodeAt(end - 1) === 61 /* = */) {
    end--;
    pad++;
  }
  const rest = end % 4;
  if (rest === 1) return -1;
  // padding, when present, completes the last group exactly ("QQ==", "QUI=")
  if (pad > 0 && rest + pad !== 4) return -1;
  for (let i = 0; i < end; i++) {
    const c = text.charCodeAt(i);
    if (c >= 128 || (LOOKUP[c] as number) < 0) return -1;
  }
  if (rest > 0) {
    const last = LOOKUP[text.charCodeAt(end - 1)] as number;
    if ((last & (rest === 2 ? LOW4_ZERO : LOW2_ZERO)) !== 0) return -1;
  }
  return end;
}

/**
 * True when `text` is canonical standard base64 (RFC 4648, padding optional): exactly the strings
 * `base64ToBytes` accepts. For request schemas.
 */
export function isBase64(text: string): boolean {
  return canonicalLength(text) >= 0;
}

export interface Base64DecodeOptions {
  /**
   * Ignore CR and LF anywhere (as Go's `base64.StdEncoding` does, so as kubectl reads kubeconfig
   * `*-data` fields that a tool wrapped at 76 columns). Default false: any whitespace is an error.
   */
  ignoreLineBreaks?: boolean;
}

/**
 * Decodes canonical standard base64 (RFC 4648; padding optional, see `isBase64`). Throws a
 * value-free error for anything else: a length that leaves 1 character over, a character outside
 * the alphabet (including whitespace and URL-safe `-`/`_`), misplaced or partial padding, or a
 * last character with non-zero unused bits. It never guesses at bytes. (`atob` is no replacement:
 * it ignores whitespace and non-zero unused bits; zod's `z.base64()` accepts the latter too.)
 */
export function base64ToBytes(text: string, options: Base64DecodeOptions = {}): Uint8Array {
  const clean = options.ignoreLineBreaks ? text.replace(/[\r\n]+/g, "") : text;
  const end = canonicalLength(clean);
  if (end < 0) throw new Error("not valid base64: must be standard base64 (RFC 4648)");
  const out = new Uint8Array(Math.floor((end * 3) / 4));
  let buffer = 0;
  let bits = 0;
  let o = 0;
  for (let i = 0; i < end; i++) {
    buffer = ((buffer << 6) | (LOOKUP[clean.charCodeAt(i)] as number)) & 0xffffff;
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out[o++] = (buffer >> bits) & 0xff;
    }
  }
  return out;
}

/** Size in bytes of the decoded form of a base64 string, without decoding it. */
export function base64DecodedLength(text: string): number {
  const clean = text.replace(/\s+/g, "");
  let pad = 0;
  if (clean.endsWith("==")) pad = 2;
  else if (clean.endsWith("=")) pad = 1;
  const len = clean.length - pad;
  return Math.floor((len * 3) / 4);
}

const encoder = new TextEncoder();
export function utf8(text: string): Uint8Array {
  return encoder.encode(text);
}

export function toHex(bytes: Uint8Array): string {
  let out = "";
  for (const b of bytes) out += b.toString(16).padStart(2, "0");
  return out;
}

export async function sha256Hex(bytes: Uint8Array): Promise<string> {
  const digest = await crypto.subtle.digest("SHA-256", bytes as Uint8Array<ArrayBuffer>);
  return toHex(new Uint8Array(digest));
}
