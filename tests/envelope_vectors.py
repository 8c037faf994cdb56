"""The envelope's known-answer vectors (`x-envelope.vectors` of `sendEncrypted`), as the document has
them, for the tests that check an implementation against them (client, emulator, spec)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

DOCUMENT = Path(__file__).resolve().parents[1] / "openapi" / "twofactor.yaml"
ENCRYPTED_OPERATION: dict[str, Any] = yaml.safe_load(DOCUMENT.read_text())["paths"]["/API/R1"]["post"]
VECTORS: list[dict[str, Any]] = ENCRYPTED_OPERATION["x-envelope"]["vectors"]
VALID = [v for v in VECTORS if v.get("valid", True)]
INVALID = [v for v in VECTORS if not v.get("valid", True)]


def fixed_start(vector: dict[str, Any]) -> bytes:
    """The vector's GCM nonce or CBC IV."""
    return bytes.fromhex(vector["nonce"] if vector["mode"] == "GCM" else vector["iv"])


def names(vectors: list[dict[str, Any]]) -> list[str]:
    """pytest ids."""
    return [v["name"] for v in vectors]
