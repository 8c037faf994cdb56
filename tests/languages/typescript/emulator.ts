// What the round trips need from their environment: the emulator's address and the accounts' keys
// (set by tests/languages/conftest.py), plus the emulator's control API for the OTP an SMS carried.
import { readFileSync } from "node:fs";
import type { Mode } from "./envelope";

export function required(name: string): string {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is not set (tests/languages/conftest.py sets it)`);
  return value;
}

export const baseUrl = required("TWOFACTOR_BASE_URL");
export const apiKey = required("TWOFACTOR_API_KEY");
export const secretKey = required("TWOFACTOR_SECRET_KEY");

/** The newest OTP the emulator sent to `phone` (its control API: GET /_emulator/otp?phone=). */
export async function latestOtp(phone: string): Promise<string> {
  const response = await fetch(`${baseUrl}/_emulator/otp?phone=${encodeURIComponent(phone)}`);
  if (!response.ok) throw new Error(`no OTP for ${phone}: HTTP ${response.status}`);
  const body = (await response.json()) as { otp: string };
  return body.otp;
}

export interface Vector {
  name: string;
  mode: Mode;
  secretKey: string;
  nonce?: string;
  iv?: string;
  plaintext: string;
  body: string;
  valid?: boolean;
}

/** The known-answer vectors of the bundled document (`x-envelope.vectors` of sendEncrypted). */
export function vectors(): Vector[] {
  const document = JSON.parse(readFileSync(required("TWOFACTOR_DOCUMENT"), "utf8"));
  return document.paths["/API/R1"].post["x-envelope"].vectors as Vector[];
}
