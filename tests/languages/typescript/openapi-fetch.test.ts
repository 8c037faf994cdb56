// A full round trip against a real emulator with openapi-fetch, typed by the types openapi-typescript
// generates from the published document (generated/openapi-typescript/twofactor.d.ts).
// Run by node's test runner; tests/languages/test_typescript.py starts the emulator.
import assert from "node:assert/strict";
import { test } from "node:test";
import createClient from "openapi-fetch";
import type { components, paths } from "../../../generated/openapi-typescript/twofactor";
import { apiKey, baseUrl, latestOtp, secretKey } from "./emulator";
import { open, seal, type Mode } from "./envelope";

type Schemas = components["schemas"];
const client = createClient<paths>({ baseUrl });

async function latestText(phone: string): Promise<string> {
  const response = await fetch(`${baseUrl}/_emulator/messages/latest?phone=${encodeURIComponent(phone)}`);
  assert.equal(response.status, 200);
  return ((await response.json()) as { text: string }).text;
}

// openapi-fetch serializes every body as JSON unless told otherwise: the R1 form needs a form
// serializer, and the encrypted route's base64 text must go as is (JSON would quote it).
const asForm = (body: Schemas["R1SmsForm"]): string =>
  new URLSearchParams(Object.entries(body).map(([k, v]) => [k, String(v)])).toString();
const asText = (body: string): string => body;

test("AUTOGEN, then VERIFY with a wrong code and with the right one", async () => {
  const phone = "+919811100101";
  const sent = await client.GET("/API/V1/{api_key}/SMS/{phone_number}/AUTOGEN", {
    params: { path: { api_key: apiKey, phone_number: phone } },
  });
  assert.equal(sent.data?.Status, "Success");
  const session = sent.data?.Details ?? "";
  const code = await latestOtp(phone);
  const wrong = code === "000000" ? "111111" : "000000";
  const verifyPath = "/API/V1/{api_key}/SMS/VERIFY/{otp_session_id}/{otp_entered_by_user}" as const;
  const mismatch = await client.GET(verifyPath, {
    params: { path: { api_key: apiKey, otp_session_id: session, otp_entered_by_user: wrong } },
  });
  assert.equal(mismatch.response.status, 400);
  assert.deepEqual(mismatch.error, { Status: "Error", Details: "OTP Mismatch" });
  const matched = await client.GET(verifyPath, {
    params: { path: { api_key: apiKey, otp_session_id: session, otp_entered_by_user: code } },
  });
  assert.deepEqual(matched.data, { Status: "Success", Details: "OTP Matched" });
});

test("AUTOGEN2 returns the OTP, and VERIFY3 checks it by phone number", async () => {
  const phone = "+919811100102";
  const sent = await client.GET("/API/V1/{api_key}/SMS/{phone_number}/AUTOGEN2", {
    params: { path: { api_key: apiKey, phone_number: phone } },
  });
  const reply = sent.data;
  assert.equal(reply?.Status, "Success");
  if (reply?.Status !== "Success") return; // narrows the union to OtpSendWithValueSuccess
  assert.equal(reply.OTP, await latestOtp(phone));
  const matched = await client.GET("/API/V1/{api_key}/SMS/VERIFY3/{phone_number}/{otp_entered_by_user}", {
    params: { path: { api_key: apiKey, phone_number: phone, otp_entered_by_user: reply.OTP } },
  });
  assert.deepEqual(matched.data, { Status: "Success", Details: "OTP Matched" });
});

test("a custom OTP value is the one the SMS carries", async () => {
  const phone = "+919811100103";
  const sent = await client.GET("/API/V1/{api_key}/SMS/{phone_number}/{otp_value_or_template}", {
    params: { path: { api_key: apiKey, phone_number: phone, otp_value_or_template: "4826" } },
  });
  assert.equal(sent.data?.Status, "Success");
  assert.equal(await latestOtp(phone), "4826");
  const matched = await client.GET("/API/V1/{api_key}/SMS/VERIFY/{otp_session_id}/{otp_entered_by_user}", {
    params: { path: { api_key: apiKey, otp_session_id: sent.data?.Details ?? "", otp_entered_by_user: "4826" } },
  });
  assert.equal(matched.data?.Details, "OTP Matched");
});

test("R1 form POST sends the SMS", async () => {
  const phone = "+919811100104";
  const msg = "openapi-fetch R1 form";
  const sent = await client.POST("/API/R1/", {
    body: { module: "TRANS_SMS", apikey: apiKey, to: phone.slice(1), from: "TFACTR", msg },
    bodySerializer: asForm,
    headers: { "Content-Type": "application/x-www-form-urlencoded" },
  });
  assert.equal(sent.data?.Status, "Success");
  assert.equal(await latestText(phone), msg);
});

test("bulk JSON: accepted and rejected messages", async () => {
  const sent = await client.POST("/API/R1/Bulk/", {
    body: {
      module: "TRANS_SMS",
      apikey: apiKey,
      messages: [
        { smsFrom: "TFACTR", smsTo: "+919811100105", smsText: "bulk one" },
        { smsFrom: "TFACTR", smsTo: "+919811100106", smsText: "bulk two" },
        { smsFrom: "TFACTR", smsTo: "not-a-number", smsText: "bulk three" },
      ],
    },
  });
  assert.equal(sent.data?.messageCount, 2);
  assert.deepEqual(
    sent.data?.messages?.map((m) => m.status),
    ["accepted", "accepted", "rejected"],
  );
  assert.equal(await latestText("+919811100106"), "bulk two");
});

for (const mode of ["GCM", "CBC"] as Mode[]) {
  test(`encrypted send (${mode}) with node:crypto, the sealed reply opened`, async () => {
    const phone = mode === "GCM" ? "+919811100107" : "+919811100108";
    const msg = `openapi-fetch encrypted ${mode}`;
    const plaintext: Schemas["EncSmsPlaintext"] = { module: "TRANS_SMS", apikey: apiKey, to: phone.slice(1), from: "TFACTR", msg };
    const sent = await client.POST("/API/R1", {
      params: { query: { module: "ENC", encmode: mode }, header: { "Secret-Key": secretKey } },
      body: seal(JSON.stringify(plaintext), secretKey, mode),
      bodySerializer: asText,
      headers: { "Content-Type": "text/plain" },
      parseAs: "text",
    });
    assert.equal(sent.response.status, 200);
    const reply = JSON.parse(open(sent.data ?? "", secretKey, mode)) as Schemas["EncSendResult"];
    assert.equal(reply.Status, "Success");
    assert.equal(await latestText(phone), msg);
  });
}
