#!/usr/bin/env python3
"""The known-answer vectors of the AES-256 envelope (`x-envelope.vectors` of `sendEncrypted`).

    python scripts/envelope_vectors.py           # print the vectors as YAML, to paste into the document
    python scripts/envelope_vectors.py --check   # re-derive the document's vectors by two other paths

Each body is computed here with `cryptography` from a fixed key, nonce or IV and plaintext, and only
printed once a second implementation agrees: the `openssl enc` command for CBC (it pads and
unpads itself) and Node's `crypto` for GCM (OpenSSL's command line has no AEAD modes). A vector
with `valid: false` must be refused by both. `--check` does the same for the vectors in the
document, so a vector edited by hand cannot confirm itself. Neither path is the client's
`twofactor.envelope` or the emulator's envelope code: the vectors check those, not the reverse.
"""

from __future__ import annotations

import argparse
import base64
import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import yaml
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

ROOT = Path(__file__).resolve().parent.parent
DOCUMENT = ROOT / "openapi" / "twofactor.yaml"

# Printable ASCII of every kind, so that a reader of the key as anything but its UTF-8 bytes fails.
VECTOR_KEY = "Kx7#pQ2!vR9@mW4$tY6%nB8^cD3&fG5*"
WRONG_KEY = "Zq1(hJ5)uL8+eS0=oA2[iC4]yE6{wG9}"

SEND = {
    "module": "TRANS_SMS",
    "apikey": "a1b2c3d4-e5f6-4a7b-8c9d-0e1f2a3b4c5d",
    "to": "919999999999,918888888888",
    "from": "TFACTR",
    "msg": "Your OTP for login is 482913. Do not share it with anyone.",
}
SEND_UNICODE = dict(SEND, to="919999999999", msg="आपका लॉगिन OTP 482913 है। इसे किसी से साझा न करें।")
DLR_QUERY = {
    "module": "TRANS_SMS_DLR",
    "apikey": "a1b2c3d4-e5f6-4a7b-8c9d-0e1f2a3b4c5d",
    "sessionid": "4fd4bd5e-2a6c-11ee-9f2a-0200cd936042",
    "smsdate": "2026-11-30",
}
REPLY_SENT = {"Status": "Success", "Details": "4fd4bd5e-2a6c-11ee-9f2a-0200cd936042"}
REPLY_STATUS = {
    "Status": "Success",
    "Details": "1 record found for the specified filters",
    "DeliveryStatus": "DELIVERED",
    "SentAt": "2026-11-30 10:15:02",
    "DeliveredAt": "2026-11-30 10:15:05",
}
# 64 bytes, four whole blocks: PKCS7 then adds a full block of sixteen 0x10 bytes.
REPLY_BLOCK_ALIGNED = {"Status": "Success", "Details": "request-2026-11-30-000000000001"}


def text(payload: dict[str, Any]) -> str:
    """The compact UTF-8 JSON text a client seals (non-ASCII characters kept as they are)."""
    return json.dumps(payload, separators=(",", ":"), ensure_ascii=False)


def gcm_body(key: str, nonce: bytes, plaintext: bytes) -> bytes:
    return nonce + AESGCM(key.encode()).encrypt(nonce, plaintext, None)


def cbc_raw(key: str, iv: bytes, padded: bytes) -> bytes:
    """CBC without padding: the caller pads (or pads wrongly on purpose)."""
    encryptor = Cipher(algorithms.AES(key.encode()), modes.CBC(iv)).encryptor()
    return iv + encryptor.update(padded) + encryptor.finalize()


def pkcs7(data: bytes) -> bytes:
    pad = 16 - len(data) % 16
    return data + bytes([pad]) * pad


def vector(name: str, mode: str, key: str, start: bytes, plaintext: str, body: bytes, *, valid: bool) -> dict[str, Any]:
    return {
        "name": name,
        "mode": mode,
        "secretKey": key,
        ("nonce" if mode == "GCM" else "iv"): start.hex(),
        "plaintext": plaintext,
        "body": base64.b64encode(body).decode("ascii"),
        "valid": valid,
    }


def compute() -> list[dict[str, Any]]:
    nonce_send = bytes.fromhex("9f3a5c7e1b2d4f6081a3c5e7")
    nonce_unicode = bytes.fromhex("c0ffee0ddba11a5eed5ca1ab")
    nonce_reply = bytes.fromhex("0b1c2d3e4f5a6b7c8d9eafb0")
    iv_send = bytes.fromhex("00112233445566778899aabbccddeeff")
    iv_dlr = bytes.fromhex("f0e1d2c3b4a5968778695a4b3c2d1e0f")
    iv_reply = bytes.fromhex("5a17c0de5a17c0de0123456789abcdef")
    iv_aligned = bytes.fromhex("a5a5a5a55a5a5a5a0f0f0f0ff0f0f0f0")

    send, unicode_send, dlr = text(SEND), text(SEND_UNICODE), text(DLR_QUERY)
    sent, status, aligned = text(REPLY_SENT), text(REPLY_STATUS), text(REPLY_BLOCK_ALIGNED)
    assert len(aligned.encode()) % 16 == 0, "the block-aligned reply must fill whole blocks"

    gcm_send = gcm_body(VECTOR_KEY, nonce_send, send.encode())
    gcm_sent = gcm_body(VECTOR_KEY, nonce_reply, sent.encode())
    cbc_send = cbc_raw(VECTOR_KEY, iv_send, pkcs7(send.encode()))
    cbc_status = cbc_raw(VECTOR_KEY, iv_reply, pkcs7(status.encode()))

    flipped_tag = bytearray(gcm_send)
    flipped_tag[-1] ^= 0x01
    # Bad padding: the last byte says 0 (never valid) or says n while an earlier pad byte differs.
    dlr_bytes = dlr.encode()
    pad = 16 - len(dlr_bytes) % 16
    assert pad >= 2, "the inconsistent-padding vector needs at least two pad bytes"
    zero_pad = dlr_bytes + bytes([pad]) * (pad - 1) + b"\x00"
    mixed_pad = dlr_bytes + bytes([pad - 1]) + bytes([pad]) * (pad - 1)

    return [
        vector("gcm-send-sms", "GCM", VECTOR_KEY, nonce_send, send, gcm_send, valid=True),
        vector(
            "gcm-send-sms-unicode",
            "GCM",
            VECTOR_KEY,
            nonce_unicode,
            unicode_send,
            gcm_body(VECTOR_KEY, nonce_unicode, unicode_send.encode()),
            valid=True,
        ),
        vector("cbc-send-sms", "CBC", VECTOR_KEY, iv_send, send, cbc_send, valid=True),
        vector(
            "cbc-delivery-status-query",
            "CBC",
            VECTOR_KEY,
            iv_dlr,
            dlr,
            cbc_raw(VECTOR_KEY, iv_dlr, pkcs7(dlr_bytes)),
            valid=True,
        ),
        vector("gcm-reply-sent", "GCM", VECTOR_KEY, nonce_reply, sent, gcm_sent, valid=True),
        vector("cbc-reply-delivery-status", "CBC", VECTOR_KEY, iv_reply, status, cbc_status, valid=True),
        vector(
            "cbc-reply-full-padding-block",
            "CBC",
            VECTOR_KEY,
            iv_aligned,
            aligned,
            cbc_raw(VECTOR_KEY, iv_aligned, pkcs7(aligned.encode())),
            valid=True,
        ),
        vector("gcm-tag-bit-flipped", "GCM", VECTOR_KEY, nonce_send, send, bytes(flipped_tag), valid=False),
        vector("gcm-wrong-key", "GCM", WRONG_KEY, nonce_reply, sent, gcm_sent, valid=False),
        vector("gcm-truncated-tag", "GCM", VECTOR_KEY, nonce_send, send, gcm_send[:-1], valid=False),
        vector("gcm-shorter-than-nonce-and-tag", "GCM", VECTOR_KEY, nonce_reply, sent, gcm_sent[:27], valid=False),
        vector(
            "cbc-padding-byte-zero",
            "CBC",
            VECTOR_KEY,
            iv_dlr,
            dlr,
            cbc_raw(VECTOR_KEY, iv_dlr, zero_pad),
            valid=False,
        ),
        vector(
            "cbc-padding-bytes-differ",
            "CBC",
            VECTOR_KEY,
            iv_dlr,
            dlr,
            cbc_raw(VECTOR_KEY, iv_dlr, mixed_pad),
            valid=False,
        ),
        vector("cbc-truncated", "CBC", VECTOR_KEY, iv_send, send, cbc_send[:-1], valid=False),
        vector("cbc-iv-only", "CBC", VECTOR_KEY, iv_send, send, cbc_send[:16], valid=False),
    ]


# ---------------------------------------------------------------------------- the second paths
_NODE_GCM = r"""
const crypto = require("node:crypto");
const v = JSON.parse(require("node:fs").readFileSync(0, "utf8"));
const key = Buffer.from(v.secretKey, "utf8");
const nonce = Buffer.from(v.nonce, "hex");
const out = {};
const c = crypto.createCipheriv("aes-256-gcm", key, nonce);
const ct = Buffer.concat([c.update(Buffer.from(v.plaintext, "utf8")), c.final()]);
out.sealed = Buffer.concat([nonce, ct, c.getAuthTag()]).toString("base64");
try {
  const raw = Buffer.from(v.body, "base64");
  if (raw.length < 28) throw new Error("short");
  const d = crypto.createDecipheriv("aes-256-gcm", key, raw.subarray(0, 12));
  d.setAuthTag(raw.subarray(raw.length - 16));
  out.opened = Buffer.concat([d.update(raw.subarray(12, raw.length - 16)), d.final()]).toString("utf8");
} catch (e) {
  out.opened = null;
}
process.stdout.write(JSON.stringify(out));
"""


def _openssl(args: list[str], data: bytes) -> subprocess.CompletedProcess[bytes]:
    return subprocess.run(["openssl", "enc", *args], input=data, capture_output=True, check=False)


def second_path(v: dict[str, Any]) -> tuple[str, str | None]:
    """(the body sealed from the plaintext, the plaintext opened from the body or None if refused),
    computed without `cryptography`."""
    if v["mode"] == "GCM":
        done = subprocess.run(["node", "-e", _NODE_GCM], input=json.dumps(v).encode(), capture_output=True, check=True)
        out = json.loads(done.stdout)
        return out["sealed"], out["opened"]
    key, iv = v["secretKey"].encode().hex(), v["iv"]
    sealed = _openssl(["-aes-256-cbc", "-K", key, "-iv", iv], v["plaintext"].encode())
    if sealed.returncode != 0:
        raise RuntimeError(sealed.stderr.decode())
    raw = base64.b64decode(v["body"])
    opened = _openssl(["-d", "-aes-256-cbc", "-K", key, "-iv", raw[:16].hex()], raw[16:])
    iv_ok = raw[:16].hex() == iv
    plaintext = opened.stdout.decode("utf-8", "replace") if opened.returncode == 0 and iv_ok else None
    return base64.b64encode(bytes.fromhex(iv) + sealed.stdout).decode(), plaintext


def problems(vectors: list[dict[str, Any]]) -> list[str]:
    """What the second paths disagree with: a valid vector must seal and open to itself, an invalid
    one must be refused."""
    found = []
    for v in vectors:
        sealed, opened = second_path(v)
        if v.get("valid", True):
            if sealed != v["body"]:
                found.append(f"{v['name']}: sealing the plaintext gives another body")
            if opened != v["plaintext"]:
                found.append(f"{v['name']}: the body does not open to the plaintext")
        elif opened is not None:
            found.append(f"{v['name']}: marked invalid but it opens")
    return found


def document_vectors() -> list[dict[str, Any]]:
    document = yaml.safe_load(DOCUMENT.read_text())
    vectors: list[dict[str, Any]] = document["paths"]["/API/R1"]["post"]["x-envelope"]["vectors"]
    return vectors


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--check", action="store_true", help="check the document's vectors instead of printing")
    args = parser.parse_args()
    vectors = document_vectors() if args.check else compute()
    found = problems(vectors)
    if args.check and vectors != compute():
        found.append("the document's vectors differ from what this script computes")
    for problem in found:
        print(problem, file=sys.stderr)
    if found:
        return 1
    if not args.check:
        print(yaml.safe_dump({"vectors": vectors}, sort_keys=False, allow_unicode=True, width=10_000), end="")
    return 0


if __name__ == "__main__":
    sys.exit(main())
