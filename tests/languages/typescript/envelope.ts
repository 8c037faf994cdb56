// The AES-256 envelope of 2Factor's encrypted route (the document's `x-envelope`), with Node's own
// crypto. Hand-written: no generator reads `x-envelope`. Key = the UTF-8 bytes of the 32-character
// secret key. GCM: base64(nonce(12) || ciphertext || tag(16)), no associated data.
// CBC: base64(IV(16) || ciphertext), PKCS7 padding.
import { createCipheriv, createDecipheriv, randomBytes } from "node:crypto";

export type Mode = "GCM" | "CBC";

const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

export class EnvelopeError extends Error {
  override name = "EnvelopeError";
}

function keyBytes(secretKey: string): Buffer {
  const key = Buffer.from(secretKey, "utf8");
  if (key.length !== 32) throw new EnvelopeError("the secret key must be 32 bytes of UTF-8 (AES-256)");
  return key;
}

/** Seal a UTF-8 JSON plaintext. `nonceOrIv` is for known-answer tests only: real envelopes use a fresh random one. */
export function seal(plaintext: string, secretKey: string, mode: Mode, nonceOrIv?: Buffer): string {
  const key = keyBytes(secretKey);
  if (mode === "GCM") {
    const nonce = nonceOrIv ?? randomBytes(12);
    const cipher = createCipheriv("aes-256-gcm", key, nonce);
    const ciphertext = Buffer.concat([cipher.update(plaintext, "utf8"), cipher.final()]);
    return Buffer.concat([nonce, ciphertext, cipher.getAuthTag()]).toString("base64");
  }
  const iv = nonceOrIv ?? randomBytes(16);
  const cipher = createCipheriv("aes-256-cbc", key, iv); // PKCS7 padding is Node's default
  return Buffer.concat([iv, cipher.update(plaintext, "utf8"), cipher.final()]).toString("base64");
}

/** Open a sealed body; throws EnvelopeError on anything that is not a well-formed, authentic envelope. */
export function open(body: string, secretKey: string, mode: Mode): string {
  const key = keyBytes(secretKey);
  const text = body.trim();
  // Buffer.from(..., "base64") skips characters it does not know; the envelope is strict base64.
  if (!BASE64.test(text)) throw new EnvelopeError("the body is not base64");
  const raw = Buffer.from(text, "base64");
  let plain: Buffer;
  try {
    if (mode === "GCM") {
      if (raw.length < 12 + 16) throw new EnvelopeError("shorter than a nonce and a tag");
      const decipher = createDecipheriv("aes-256-gcm", key, raw.subarray(0, 12));
      decipher.setAuthTag(raw.subarray(raw.length - 16));
      plain = Buffer.concat([decipher.update(raw.subarray(12, raw.length - 16)), decipher.final()]);
    } else {
      if (raw.length < 32 || raw.length % 16 !== 0) throw new EnvelopeError("not an IV and whole blocks");
      const decipher = createDecipheriv("aes-256-cbc", key, raw.subarray(0, 16));
      plain = Buffer.concat([decipher.update(raw.subarray(16)), decipher.final()]);
    }
  } catch (error) {
    if (error instanceof EnvelopeError) throw error;
    throw new EnvelopeError(`cannot open the envelope (${mode})`); // bad tag or padding: no detail, no oracle
  }
  return new TextDecoder("utf-8", { fatal: true }).decode(plain);
}
