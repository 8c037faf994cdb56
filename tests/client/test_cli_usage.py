"""The `twofactor` CLI's usage errors: human words, exit code 2, nothing sent, no traceback."""

from __future__ import annotations

import io

import pytest
from twofactor import __version__
from twofactor.cli import main


@pytest.fixture(autouse=True)
def clean_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("TWOFACTOR_API_KEY", "TWOFACTOR_SECRET_KEY", "TWOFACTOR_BASE_URL"):
        monkeypatch.delenv(name, raising=False)


def run(*argv: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    try:
        code = main(list(argv), out=out, err=err)
    except SystemExit as exit_:  # argparse's own exits (--help, --version, usage errors)
        code = int(exit_.code or 0)
    return code, out.getvalue(), err.getvalue()


@pytest.mark.parametrize(
    ("argv", "choices"),
    [
        ((), "otp, sms, bulk, encrypted, doctor, balance, tata, datatechlabs, demo"),
        (("otp",), "send, verify, verify-phone"),
        (("sms",), "send"),
        (("encrypted",), "send, status"),
        (("tata",), "send, verify, cancel, status"),
        (("datatechlabs",), "send"),
    ],
)
def test_a_missing_command_is_named_in_words(
    argv: tuple[str, ...], choices: str, capsys: pytest.CaptureFixture[str]
) -> None:
    code, _, _ = run(*argv)
    err = capsys.readouterr().err  # argparse writes its usage errors to sys.stderr
    assert code == 2
    assert f"choose a command: {choices}" in err
    assert "action" not in err and "group" not in err


def test_version(capsys: pytest.CaptureFixture[str]) -> None:
    code, _, _ = run("--version")
    assert code == 0 and capsys.readouterr().out.strip() == f"twofactor {__version__}"


def test_help_lists_the_commands(capsys: pytest.CaptureFixture[str]) -> None:
    code, _, _ = run("--help")
    out = capsys.readouterr().out
    assert code == 0
    for command in ("otp", "sms", "bulk", "encrypted", "balance", "demo"):
        assert f"\n    {command} " in out


def test_encrypted_without_a_secret_key_speaks_cli(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TWOFACTOR_API_KEY", "abcd-1234")
    code, out, err = run("encrypted", "send", "--to", "9999999999", "--sender", "ABCDEF", "--text", "hi")
    assert code == 2 and out == ""
    assert "set TWOFACTOR_SECRET_KEY" in err and "secret_key=" not in err and "TwoFactor(" not in err


def test_a_bad_secret_key_names_the_variable(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TWOFACTOR_API_KEY", "abcd-1234")
    monkeypatch.setenv("TWOFACTOR_SECRET_KEY", "short-secret")
    code, _, err = run("encrypted", "send", "--to", "9999999999", "--sender", "ABCDEF", "--text", "hi")
    assert code == 2 and "$TWOFACTOR_SECRET_KEY" in err and "short-secret" not in err


def test_connection_refused_from_the_cli(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TWOFACTOR_API_KEY", "abcd-1234")
    code, _, err = run("--base-url", "http://127.0.0.1:9", "--retries", "0", "otp", "send", "+919999999999")
    assert code == 3
    assert "http://127.0.0.1:9" in err and "is the emulator running?" in err and "Traceback" not in err
