"""Credits: one per SMS segment, as carriers bill a long SMS.

A new account starts with 250 free credits (2Factor's docs: "You will receive 250 free credits"),
configurable per account (`credits`). A text is GSM-7 when every character is in the GSM 03.38
default alphabet or its extension table (the extension characters take two septets); otherwise it
is sent as UCS-2 and counted in UTF-16 code units (an emoji outside the BMP takes two).

- GSM-7: up to 160 septets in one segment; split, 153 per segment (7 go to the concatenation header).
- Unicode: up to 70 in one segment; split, 67 per segment.

The charge happens in the same UPDATE that records the credits used, with the limit in its WHERE
clause (store.py), so enforcing the balance costs no extra database round trip per send.
"""

from __future__ import annotations

import math
import re

# GSM 03.38 default alphabet (one septet each) and extension table (escape + septet: two each).
_GSM_BASIC = frozenset(
    "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?"
    "¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà"
)
_GSM_EXTENSION = frozenset("\f^{}\\[~]|€")
# The same sets as regular expressions: a bulk request counts up to 1000 texts of up to 1000
# characters, and a scan in C costs a fraction of a Python loop over the characters.
_NOT_GSM7 = re.compile("[^" + "".join(re.escape(ch) for ch in sorted(_GSM_BASIC | _GSM_EXTENSION)) + "]")
_EXTENSION = re.compile("[" + "".join(re.escape(ch) for ch in sorted(_GSM_EXTENSION)) + "]")
GSM_SINGLE, GSM_PART = 160, 153
UNICODE_SINGLE, UNICODE_PART = 70, 67

# The 2Factor-style text when a send needs more credits than are left (the docs quote none).
OUT_OF_CREDITS = "Insufficient Credits - Recharge Your Account To Send More SMS"


class OutOfCreditsError(Exception):
    """A send needs more credits than the account has left; nothing was stored."""


def is_gsm7(text: str) -> bool:
    """Whether the text fits the GSM-7 alphabet (basic or extension)."""
    return _NOT_GSM7.search(text) is None


def segments(text: str) -> int:
    """How many SMS segments (and credits) the text takes; an empty text still takes one."""
    if is_gsm7(text):
        length = len(text) + len(_EXTENSION.findall(text))  # an extension character takes two septets
        single, part = GSM_SINGLE, GSM_PART
    else:
        length = len(text.encode("utf-16-le")) // 2
        single, part = UNICODE_SINGLE, UNICODE_PART
    return 1 if length <= single else math.ceil(length / part)


def ucs2_segments(text: str) -> int:
    """Segments of a text sent as UCS-2 whatever its characters (a provider's explicit Unicode coding)."""
    length = len(text.encode("utf-16-le")) // 2
    return 1 if length <= UNICODE_SINGLE else math.ceil(length / UNICODE_PART)
