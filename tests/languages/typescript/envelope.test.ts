// The hand-written envelope (envelope.ts) against the document's known-answer vectors: checked
// before any round trip trusts it.
import assert from "node:assert/strict";
import { test } from "node:test";
import { EnvelopeError, open, seal } from "./envelope";
import { vectors } from "./emulator";

const all = vectors();

test("the document has GCM and CBC vectors, valid and invalid", () => {
  for (const mode of ["GCM", "CBC"]) {
    assert.ok(all.some((v) => v.mode === mode && v.valid !== false), `no valid ${mode} vector`);
    assert.ok(all.some((v) => v.mode === mode && v.valid === false), `no invalid ${mode} vector`);
  }
});

for (const vector of all) {
  if (vector.valid === false) {
    test(`refuses ${vector.name}`, () => {
      assert.throws(() => open(vector.body, vector.secretKey, vector.mode), EnvelopeError);
    });
  } else {
    test(`seals and opens ${vector.name}`, () => {
      const nonceOrIv = Buffer.from((vector.mode === "GCM" ? vector.nonce : vector.iv) ?? "", "hex");
      assert.equal(seal(vector.plaintext, vector.secretKey, vector.mode, nonceOrIv), vector.body);
      assert.equal(open(vector.body, vector.secretKey, vector.mode), vector.plaintext);
    });
  }
}

test("a random nonce gives a different body that still opens", () => {
  const key = all[0].secretKey;
  const first = seal('{"a":1}', key, "GCM");
  assert.notEqual(first, seal('{"a":1}', key, "GCM"));
  assert.equal(open(first, key, "GCM"), '{"a":1}');
});
