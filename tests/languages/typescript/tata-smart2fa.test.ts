// A Tata Smart 2FA send and verify against a real emulator through the client openapi-generator's
// `typescript-fetch` generates from the published document (generated/typescript-fetch/tata_smart2fa).
// Run by node's test runner; tests/languages/test_typescript.py starts the emulator.
import assert from "node:assert/strict";
import { test } from "node:test";
import { Configuration, OTPApi, ResponseError } from "../../../generated/typescript-fetch/tata_smart2fa";
import { baseUrl, latestOtp, required } from "./emulator";

// HTTP Basic with the account SID and auth token: the generated client sends them itself.
const otp = new OTPApi(
  new Configuration({ basePath: baseUrl, username: required("TATA_ACCOUNT_SID"), password: required("TATA_AUTH_TOKEN") }),
);
const service = "roundtrip";

/** A fresh destination per test: the one-OTP-per-minute rule counts per destination. */
function phone(): string {
  return `+9198${String(Math.floor(Math.random() * 1e8)).padStart(8, "0")}`;
}

test("send by SMS, then verify with a wrong code and with the right one", async () => {
  const to = phone();
  const sent = await otp.tataSendOtp({
    sendOtpRequest: { service, from: "TATA2FA", to, body: "Your code is {code}", length: 6 },
  });
  assert.equal(sent.code, 200);
  assert.match(sent.requestID, /\S/);
  const code = await latestOtp(to);
  assert.match(code, /^[0-9]{6}$/);

  const wrong = code === "000000" ? "111111" : "000000";
  const refused = await otp.tataVerifyOtp({ verifyOtpRequest: { service, number: to, code: wrong } }).then(
    () => assert.fail("a wrong code was accepted"),
    (error: unknown) => error,
  );
  assert.ok(refused instanceof ResponseError);
  assert.equal(refused.response.status, 400);
  assert.equal(((await refused.response.json()) as { code: number }).code, 460); // Invalid code
  const verified = await otp.tataVerifyOtp({ verifyOtpRequest: { service, number: to, code } });
  assert.equal(verified.code, 200);
  assert.equal(verified.requestID, sent.requestID);
});

test("a wrong account token is refused with HTTP 401", async () => {
  const stranger = new OTPApi(
    new Configuration({ basePath: baseUrl, username: required("TATA_ACCOUNT_SID"), password: "not-the-token" }),
  );
  const request = { service, from: "TATA2FA", to: phone(), body: "Your code is {code}" };
  await assert.rejects(stranger.tataSendOtp({ sendOtpRequest: request }), (error: unknown) => {
    assert.ok(error instanceof ResponseError);
    assert.equal(error.response.status, 401);
    return true;
  });
});
