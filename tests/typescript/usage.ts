// Compiled by tests/spec/test_typescript.py against types that openapi-typescript generates from
// dist/twofactor-openapi-<version>.json: proof that the published document serves TypeScript.
// The @ts-expect-error lines make the compile fail if the types are looser than the document.
import type { components, operations, paths, webhooks } from "./twofactor";

type Schemas = components["schemas"];

const sent: Schemas["OtpSendWithValueSuccess"] = {
  Status: "Success",
  Details: "160gaseavbemjvlgw7o-7303503698702e11",
  OTP: "565059",
};
// @ts-expect-error Status is a const in the Success variant
const wrongStatus: Schemas["OtpSendWithValueSuccess"] = { Status: "Error", Details: "x", OTP: "1234" };

const error: Schemas["ErrorReply"] = { Status: "Error", Details: "OTP Mismatch" };
const verdict: Schemas["VerifyReply"] = Math.random() > 0.5 ? error : { Status: "Success", Details: "OTP Matched" };

type VerifyPath = operations["verifyOtp"]["parameters"]["path"];
const verifyPath: VerifyPath = { api_key: "XXXX-XXXX", otp_session_id: sent.Details, otp_entered_by_user: sent.OTP };
// @ts-expect-error the session id is required
const missingSession: VerifyPath = { api_key: "XXXX-XXXX", otp_entered_by_user: "1234" };

const bulk: Schemas["BulkRequest"] = {
  module: "TRANS_SMS",
  apikey: "XXXX-XXXX-XXXX-XXXX-XXXX",
  messages: [{ smsFrom: "TFACTR", smsTo: "+919876543210", smsText: "Your OTP is 123456" }],
};
// @ts-expect-error bulk accepts only TRANS_SMS
const promoBulk: Schemas["BulkRequest"] = { ...bulk, module: "PROMO_SMS" };

type R1Form = NonNullable<operations["sendSms"]["requestBody"]>["content"]["application/x-www-form-urlencoded"];
const form: R1Form = { module: "PROMO_SMS", apikey: "k", to: "919999999999", from: "HEADER", msg: "Hi" };

type BulkOk = operations["sendBulkSms"]["responses"][200]["content"]["application/json"];
const processed = (reply: BulkOk): number => reply.messageCount + reply.queueStats.totalChunks;

type Report = NonNullable<webhooks["bulkDeliveryReport"]["post"]>["requestBody"];
type EncryptedRoute = paths["/API/R1"]["post"];

export { verdict, verifyPath, form, processed, wrongStatus, missingSession, promoBulk };
export type { Report, EncryptedRoute };
