#!/usr/bin/env python3
"""Generate the synchronous clients from their async sources, so the twins cannot drift.

    python scripts/unasync_clients.py           # rewrite every sync twin
    python scripts/unasync_clients.py --check   # fail if a twin differs from what its source gives

`scripts/generate.py` runs this too (and `generate.py --check` checks it). The rewrite is `unasync`'s
(the tool httpcore generates its sync code with, pinned in the `dev` extra): `async` and `await` go,
and every async name becomes its sync name by the table below. Whatever the table does not name and
still says "async" fails the generation, so a new async name cannot slip into a sync file. The
result is formatted with the pinned ruff, and carries a banner naming its source.
"""

from __future__ import annotations

import argparse
import ast
import io
import os
import re
import subprocess
import sys
import tempfile
import tokenize
from dataclasses import dataclass
from pathlib import Path

import unasync

ROOT = Path(__file__).resolve().parent.parent


@dataclass(frozen=True)
class Twin:
    """An async source module and the sync module generated from it (paths from the repository root)."""

    source: str
    target: str


TWINS = (
    Twin("overrides/sms_common/aio.py", "overrides/sms_common/client.py"),
    Twin("overrides/twofactor/aio.py", "overrides/twofactor/client.py"),
    Twin("overrides/tata_smart2fa/aio.py", "overrides/tata_smart2fa/client.py"),
    Twin("overrides/datatechlabs/aio.py", "overrides/datatechlabs/client.py"),
    Twin("overrides/otp_gateway/_async/base.py", "overrides/otp_gateway/_sync/base.py"),
    Twin("overrides/otp_gateway/_async/gateway.py", "overrides/otp_gateway/_sync/gateway.py"),
    Twin("overrides/otp_gateway/_async/twofactor.py", "overrides/otp_gateway/_sync/twofactor.py"),
    Twin("overrides/otp_gateway/_async/tata.py", "overrides/otp_gateway/_sync/tata.py"),
    Twin("overrides/otp_gateway/_async/datatechlabs.py", "overrides/otp_gateway/_sync/datatechlabs.py"),
)

# Async name -> sync name, beyond unasync's own (`__aenter__`, `AsyncIterator`, ...). unasync would
# turn any other `AsyncX` into `SyncX`; every one is named here so that the sync API reads naturally.
REPLACEMENTS = {
    # modules
    "aio": "client",
    # httpx
    "AsyncClient": "Client",
    "AsyncBaseTransport": "BaseTransport",
    "AsyncHTTPTransport": "HTTPTransport",
    "aclose": "close",
    # sms_common
    "AsyncAttempt": "Attempt",
    "AsyncBaseClient": "BaseClient",
    "AsyncLoggingTransport": "LoggingTransport",
    "async_sleep": "sleep",
    # twofactor
    "AsyncTwoFactor": "TwoFactor",
    "AsyncOtp": "Otp",
    "AsyncVoice": "Voice",
    "AsyncSms": "Sms",
    "AsyncBulk": "Bulk",
    "AsyncEncrypted": "Encrypted",
    # tata_smart2fa
    "AsyncSmart2fa": "Smart2fa",
    # datatechlabs (its `AsyncSms` group is named above)
    "AsyncDatatechlabs": "Datatechlabs",
    # otp_gateway
    "AsyncOtpGateway": "OtpGateway",
    "AsyncOtpProvider": "OtpProvider",
    "AsyncSmsProvider": "SmsProvider",
    "AsyncTwoFactorOtp": "TwoFactorOtp",
    "AsyncTwoFactorSms": "TwoFactorSms",
    "AsyncTataOtp": "TataOtp",
    "AsyncDatatechlabsSms": "DatatechlabsSms",
    "AsyncTrackingTransport": "TrackingTransport",
    "AnyCodeStore": "CodeStore",
    "as_async_store": "as_sync_store",
}

_LEFT_OVER = re.compile(r"\b(async|await|Async\w*|Sync\w*|a(?:enter|exit|close)\w*)\b")


class TwinError(RuntimeError):
    """A source could not be turned into its sync twin."""


def banner(twin: Twin) -> str:
    return (
        f"# Generated from {twin.source} by scripts/unasync_clients.py; do not edit.\n"
        "# Change the async source and run scripts/generate.py (`--check` fails on drift).\n"
    )


def _docstring(twin: Twin) -> str:
    module = twin.source.removesuffix(".py").split("/", 1)[1].replace("/", ".")
    text = f"The synchronous twin of `{module}`: the same classes and functions, without async (docs there)."
    if len(text) + 6 > 120:  # the line limit: a long module name puts the rest on a line of its own
        text = text.replace(": the same", ":\nthe same", 1)
    return f'"""{text}"""\n'


def _unasync(source: Path) -> str:
    """The source rewritten by unasync's public `unasync_files`, in a scratch folder."""
    with tempfile.TemporaryDirectory(prefix="unasync-") as tmp:
        scratch = Path(tmp) / "async" / source.name
        scratch.parent.mkdir()
        scratch.write_bytes(source.read_bytes())
        rule = unasync.Rule(fromdir="/async/", todir="/sync/", additional_replacements=REPLACEMENTS)
        unasync.unasync_files([str(scratch)], [rule])
        return (Path(tmp) / "sync" / source.name).read_text(encoding="utf-8")


def _replace_module_docstring(text: str, docstring: str) -> str:
    module = ast.parse(text)
    first = module.body[0] if module.body else None
    if not (isinstance(first, ast.Expr) and isinstance(first.value, ast.Constant)) or ast.get_docstring(module) is None:
        raise TwinError("the async source must start with a module docstring")
    lines = text.splitlines(keepends=True)
    assert first.end_lineno is not None
    return "".join(lines[: first.lineno - 1]) + docstring + "".join(lines[first.end_lineno :])


def _code_tokens(text: str) -> str:
    """The code of `text` without strings and comments (what must not say "async" any more)."""
    kept = [
        token.string
        for token in tokenize.generate_tokens(io.StringIO(text).readline)
        if token.type not in (tokenize.STRING, tokenize.COMMENT)
    ]
    return " ".join(kept)


def _ruff(text: str, target: Path) -> str:
    env = dict(os.environ, RUFF_NO_CACHE="true")
    ruff = str(Path(sys.executable).parent / "ruff")
    for args in (["check", "--fix-only", "--quiet", "--select", "I,F401"], ["format", "--quiet"]):
        proc = subprocess.run(
            [ruff, *args, "--stdin-filename", str(target), "-"],
            input=text,
            capture_output=True,
            text=True,
            cwd=ROOT,
            env=env,
            check=False,
        )
        if proc.returncode != 0:
            raise TwinError(f"ruff {args[0]} failed on {target}:\n{proc.stderr}")
        text = proc.stdout
    return text


def render(twin: Twin, root: Path = ROOT) -> str:
    """The sync module that `twin.source` gives."""
    text = _replace_module_docstring(_unasync(root / twin.source), _docstring(twin))
    left_over = sorted(set(_LEFT_OVER.findall(_code_tokens(text))))
    if left_over:
        raise TwinError(f"{twin.source}: no sync name for {', '.join(left_over)}; add it to REPLACEMENTS")
    return banner(twin) + _ruff(text, root / twin.target)


def write(root: Path = ROOT) -> list[str]:
    """Rewrite every twin; return the paths written."""
    for twin in TWINS:
        (root / twin.target).write_text(render(twin, root), encoding="utf-8")
    return [twin.target for twin in TWINS]


def stale(root: Path = ROOT) -> list[str]:
    """The twins that differ from what their sources give (missing ones included)."""
    problems = []
    for twin in TWINS:
        target = root / twin.target
        if not target.exists() or target.read_text(encoding="utf-8") != render(twin, root):
            problems.append(f"{twin.target} differs from what {twin.source} gives")
    return problems


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--check", action="store_true", help="fail if a sync twin differs from its source")
    parser.add_argument("--root", type=Path, default=ROOT, help="the repository root (default: this one)")
    args = parser.parse_args(argv)
    try:
        if args.check:
            problems = stale(args.root)
            if problems:
                print("sync twins are stale or were edited by hand; run scripts/generate.py:", file=sys.stderr)
                print("\n".join(problems), file=sys.stderr)
                return 1
            print("sync twins match their async sources")
            return 0
        print("wrote " + ", ".join(write(args.root)))
        return 0
    except TwinError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
