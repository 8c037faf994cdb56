// A full round trip against a real emulator through the client openapi-generator's
// `typescript-fetch` generates from the published document (generated/typescript-fetch/twofactor).
// Run by node's test runner; tests/languages/test_typescript.py starts the emulator.
import assert from "node:assert/strict";
import { test } from "node:test";
import {
  BulkSMSApi,
  Configuration,
  EncryptedSMSApi,
  ErrorReplyFromJSON,
  OTPApi,
  OTPVerificationApi,
  ResponseError,
  TransactionalSMSApi,
  type ErrorReply,
} from "../../../generated/typescript-fetch/twofactor";
import { apiKey, baseUrl, latestOtp, secretKey } from "./emulator";
import { open, seal, type Mode } from "./envelope";

const config = new Configuration({ basePath: baseUrl });
const otp = new OTPApi(config);
const verify = new OTPVerificationApi(config);
const sms = new TransactionalSMSApi(config);
const bulk = new BulkSMSApi(config);
const encrypted = new EncryptedSMSApi(config);

// Production answers errors with HTTP 400, which the generated client throws as a ResponseError;
// its body is the same {Status, Details} envelope.
async function errorOf(call: Promise<unknown>): Promise<{ status: number; reply: ErrorReply }> {
  try {
    await call;
  } catch (error) {
    if (error instanceof ResponseError) {
      return { status: error.response.status, reply: ErrorReplyFromJSON(await error.response.json()) };
    }
    throw error;
  }
  assert.fail("expected an error reply");
}

async function latestText(phone: string): Promise<string> {
  const response = await fetch(`${baseUrl}/_emulator/messages/latest?phone=${encodeURIComponent(phone)}`);
  assert.equal(response.status, 200);
  return ((await response.json()) as { text: string }).text;
}

test("AUTOGEN, then VERIFY with a wrong code and with the right one", async () => {
  const phone = "+919811100001";
  const sent = await otp.sendOtpAutogen({ apiKey, phoneNumber: phone });
  assert.equal(sent.status, "Success");
  const code = await latestOtp(phone);
  assert.match(code, /^\d{6}$/);
  const wrong = code === "000000" ? "111111" : "000000";
  const mismatch = await errorOf(verify.verifyOtp({ apiKey, otpSessionId: sent.details, otpEnteredByUser: wrong }));
  assert.deepEqual([mismatch.status, mismatch.reply.status, mismatch.reply.details], [400, "Error", "OTP Mismatch"]);
  const matched = await verify.verifyOtp({ apiKey, otpSessionId: sent.details, otpEnteredByUser: code });
  assert.deepEqual([matched.status, matched.details], ["Success", "OTP Matched"]);
});

test("AUTOGEN2 returns the OTP, and VERIFY3 checks it by phone number", async () => {
  const phone = "+919811100002";
  const sent = await otp.sendOtpAutogen2({ apiKey, phoneNumber: phone });
  assert.equal(sent.status, "Success");
  if (sent.status !== "Success") return; // narrows the union to OtpSendWithValueSuccess
  assert.equal(sent.oTP, await latestOtp(phone));
  const matched = await verify.verifyOtpByPhone({ apiKey, phoneNumber: phone, otpEnteredByUser: sent.oTP });
  assert.deepEqual([matched.status, matched.details], ["Success", "OTP Matched"]);
});

test("a custom OTP value is the one the SMS carries", async () => {
  const phone = "+919811100003";
  const sent = await otp.sendCustomOtpOrTemplateSms({ apiKey, phoneNumber: phone, otpValueOrTemplate: "4826" });
  assert.equal(sent.status, "Success");
  assert.equal(await latestOtp(phone), "4826");
  const matched = await verify.verifyOtp({ apiKey, otpSessionId: sent.details, otpEnteredByUser: "4826" });
  assert.equal(matched.details, "OTP Matched");
});

test("R1 form POST sends the SMS", async () => {
  const phone = "+919811100004";
  const msg = "typescript-fetch R1 form";
  const sent = await sms.sendSms({ module: "TRANS_SMS", apikey: apiKey, to: phone.slice(1), from: "TFACTR", msg });
  assert.equal(sent.status, "Success");
  assert.equal(await latestText(phone), msg);
});

test("bulk JSON: accepted and rejected messages", async () => {
  const reply = await bulk.sendBulkSms({
    bulkRequest: {
      module: "TRANS_SMS",
      apikey: apiKey,
      messages: [
        { smsFrom: "TFACTR", smsTo: "+919811100005", smsText: "bulk one" },
        { smsFrom: "TFACTR", smsTo: "+919811100006", smsText: "bulk two" },
        { smsFrom: "TFACTR", smsTo: "not-a-number", smsText: "bulk three" },
      ],
    },
  });
  assert.equal(reply.success, true);
  assert.equal(reply.messageCount, 2);
  assert.deepEqual(
    reply.messages?.map((m) => m.status),
    ["accepted", "accepted", "rejected"],
  );
  assert.equal(await latestText("+919811100006"), "bulk two");
});

for (const mode of ["GCM", "CBC"] as Mode[]) {
  test(`encrypted send (${mode}) with node:crypto, the sealed reply opened`, async () => {
    const phone = mode === "GCM" ? "+919811100007" : "+919811100008";
    const msg = `typescript-fetch encrypted ${mode}`;
    const plaintext = JSON.stringify({ module: "TRANS_SMS", apikey: apiKey, to: phone.slice(1), from: "TFACTR", msg });
    const body = seal(plaintext, secretKey, mode);
    const sealedReply = await encrypted.sendEncrypted({ module: "ENC", encmode: mode, secretKey, body });
    const reply = JSON.parse(open(sealedReply, secretKey, mode)) as { Status: string; Details: string };
    assert.equal(reply.Status, "Success");
    assert.equal(await latestText(phone), msg);
  });
}

test("encrypted send sealed with another key is refused", async () => {
  const plaintext = JSON.stringify({ module: "TRANS_SMS", apikey: apiKey, to: "919811100009", from: "TFACTR", msg: "x" });
  const body = seal(plaintext, "k".repeat(32), "GCM");
  const refused = await errorOf(encrypted.sendEncrypted({ module: "ENC", encmode: "GCM", secretKey, body }));
  assert.deepEqual([refused.status, refused.reply.details], [400, "Decryption failed"]);
});
