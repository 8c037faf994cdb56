"""Write the sync OTP gateway (`overrides/otp_gateway/_sync/`) from its async source (`_async/`).

    .venv/bin/python scripts/unasync_otp_gateway.py          # rewrite _sync/
    .venv/bin/python scripts/unasync_otp_gateway.py --check  # fail if _sync/ is stale (CI)

unasync removes `async`/`await` and renames tokens by the table below; docstrings and comments get
the same renames, so the sync twin's text names sync things. Each file gets a banner.
"""

from __future__ import annotations

import argparse
import re
import subprocess
import sys
import tempfile
from pathlib import Path

import unasync

ROOT = Path(__file__).resolve().parent.parent
SOURCE = ROOT / "overrides" / "otp_gateway" / "_async"
TARGET = ROOT / "overrides" / "otp_gateway" / "_sync"
BANNER = "# Generated from the `_async` twin by scripts/unasync_otp_gateway.py: do not edit by hand.\n"

RENAMES = {
    "AsyncOtpGateway": "OtpGateway",
    "AsyncOtpProvider": "OtpProvider",
    "AsyncSmsProvider": "SmsProvider",
    "AsyncTwoFactorOtp": "TwoFactorOtp",
    "AsyncTwoFactorSms": "TwoFactorSms",
    "AsyncTwoFactor": "TwoFactor",
    "AsyncTataOtp": "TataOtp",
    "AsyncSmart2FA": "Smart2FA",
    "AsyncDatatechlabsSms": "DatatechlabsSms",
    "AsyncDatatechlabs": "Datatechlabs",
    "AsyncTrackingTransport": "TrackingTransport",
    "AsyncBaseTransport": "BaseTransport",
    "AsyncCodeStore": "CodeStore",
    "AnyCodeStore": "CodeStore",
    "as_async_store": "as_sync_store",
    "aclose": "close",
    "_async": "_sync",
}


def _text_pass(source: str) -> str:
    """The renames and `await ` removals inside docstrings and comments, which unasync leaves alone."""
    for old, new in RENAMES.items():
        source = re.sub(rf"\b{re.escape(old)}\b", new, source)
    source = re.sub(r"\bawait ", "", source)
    source = re.sub(r"\basync with\b", "with", source)
    return source.replace("__aenter__", "__enter__").replace("__aexit__", "__exit__")


def generate(target: Path) -> None:
    """Write the sync twin of every source file into `target`."""
    with tempfile.TemporaryDirectory() as folder:
        work_async = Path(folder) / "_async"
        work_async.mkdir()
        files = sorted(SOURCE.glob("*.py"))
        for path in files:
            (work_async / path.name).write_text(path.read_text(encoding="utf-8"), encoding="utf-8")
        rule = unasync.Rule(fromdir="/_async/", todir="/_sync/", additional_replacements=RENAMES)
        unasync.unasync_files([str(work_async / path.name) for path in files], [rule])
        target.mkdir(parents=True, exist_ok=True)
        for path in files:
            text = _text_pass((Path(folder) / "_sync" / path.name).read_text(encoding="utf-8"))
            (target / path.name).write_text(BANNER + text, encoding="utf-8")
    ruff = [sys.executable, "-m", "ruff"]
    subprocess.run([*ruff, "check", "--fix", "--quiet", str(target)], check=False, cwd=ROOT)
    subprocess.run([*ruff, "format", "--quiet", str(target)], check=True, cwd=ROOT)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="fail when _sync/ differs from a fresh generation")
    options = parser.parse_args()
    if not options.check:
        generate(TARGET)
        return 0
    with tempfile.TemporaryDirectory(dir=TARGET.parent) as folder:
        fresh = Path(folder) / "_sync"
        generate(fresh)
        stale = sorted(
            {p.name for p in fresh.glob("*.py")} ^ {p.name for p in TARGET.glob("*.py")}
            | {
                p.name
                for p in fresh.glob("*.py")
                if not (TARGET / p.name).exists()
                or (TARGET / p.name).read_text(encoding="utf-8") != p.read_text(encoding="utf-8")
            }
        )
    if stale:
        print(f"overrides/otp_gateway/_sync is stale ({', '.join(stale)}): run scripts/unasync_otp_gateway.py")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
