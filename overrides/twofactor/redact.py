"""2Factor's rule for keeping the API key out of texts and logs.

The API key travels in the URL path of every V1 route ("Treat every URL of the V1 routes as a
secret"), so every URL we log is redacted with this rule, and so is httpx's own "HTTP Request:
GET <url>" line (the shared filter of `sms_common.redact`, installed by `settings.PROVIDER`).
Logging is off unless the environment variable TWOFACTOR_LOG is set (to `debug` or `info`).
"""

from __future__ import annotations

import re

from sms_common import redact as common

__all__ = ["redact_url"]

_V1_KEY = re.compile(r"(/API/V1/)[^/?#\s]+")


def redact_url(url: str) -> str:
    """Replace the API key of a V1 path, and credentials in the query (`apikey=`), by '***'."""
    return common.redact_url(_V1_KEY.sub(r"\1" + common.REDACTED, url))
