"""What every provider's OTPs share: a code is stored only as an HMAC under the database's random
pepper, bound to the id of the OTP that carries it, and compared in constant time; a wrong code
counts an attempt, and the attempt that reaches the cap locks the OTP."""

from __future__ import annotations

import hashlib
import hmac


def otp_hash(pepper: bytes, otp_id: str, code: str) -> str:
    """The stored form of `code` for the OTP `otp_id` (the code itself is never stored with the OTP)."""
    return hmac.new(pepper, f"{otp_id}:{code}".encode(), hashlib.sha256).hexdigest()


def code_matches(pepper: bytes, otp_id: str, code: str, stored_hash: str) -> bool:
    """Whether `code` is the OTP's code, in constant time."""
    return hmac.compare_digest(otp_hash(pepper, otp_id, code), stored_hash)


def after_wrong_code(attempts: int, max_attempts: int) -> tuple[int, bool]:
    """The attempts after one more wrong code, and whether that locks the OTP."""
    attempts += 1
    return attempts, attempts >= max_attempts
