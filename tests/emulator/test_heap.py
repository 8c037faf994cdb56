"""The command's process keeps its long-lived objects out of the garbage collector's full scans
(core/heap.py); a test runner's process, which embeds the emulator, is left alone.

Each case runs in a fresh interpreter: freezing is process-wide and must not leak into this one."""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap

from .conftest import API_KEY


def _run(code: str) -> dict[str, object]:
    out = subprocess.run(
        [sys.executable, "-c", textwrap.dedent(code)], capture_output=True, text=True, timeout=120, check=False
    )
    assert out.returncode == 0, out.stderr[-2000:]
    result: dict[str, object] = json.loads(out.stdout.strip().splitlines()[-1])
    return result


def test_embedded_emulator_freezes_nothing() -> None:
    """In process (the pytest plugin, create_app): a lazily imported module does not freeze the heap."""
    result = _run(
        """
        import gc, json
        from twofactor_emulator.providers.twofactor.sms_handlers import models
        models()
        print(json.dumps({"frozen": gc.get_freeze_count()}))
        """
    )
    assert result == {"frozen": 0}


def test_command_process_freezes_at_start_and_after_the_lazy_models() -> None:
    result = _run(
        """
        import gc, json, sys
        from twofactor_emulator.server import GIL_SWITCH_SECONDS, tune_process
        from twofactor_emulator.providers.twofactor.sms_handlers import models
        tune_process()
        at_start = gc.get_freeze_count()
        models()
        print(json.dumps({
            "at_start": at_start > 0,
            "models_frozen": gc.get_freeze_count() > at_start,
            "switch": sys.getswitchinterval() == GIL_SWITCH_SECONDS,
        }))
        """
    )
    assert result == {"at_start": True, "models_frozen": True, "switch": True}


def test_the_command_tunes_its_process(tmp_path) -> None:  # type: ignore[no-untyped-def]
    """`twofactor-emulator` itself: once it serves, its heap is frozen; an R1 send still works after."""
    config = tmp_path / "emulator.json"
    config.write_text(json.dumps({"accounts": [{"api_key": API_KEY, "secret_key": "k" * 32, "sandbox": False}]}))
    config.chmod(0o600)
    result = _run(
        f"""
        import gc, json, os, signal, sys, threading, time, httpx
        from twofactor_emulator.cli import main

        def probe():
            for _ in range(300):
                try:
                    httpx.get(f"http://127.0.0.1:{{PORT}}/_emulator/health", timeout=1)
                    break
                except httpx.TransportError:
                    time.sleep(0.05)
            frozen = gc.get_freeze_count()
            reply = httpx.post(
                f"http://127.0.0.1:{{PORT}}/API/R1/",
                data={{"module": "TRANS_SMS", "apikey": "{API_KEY}", "to": "919999999999",
                       "from": "HEADER", "msg": "hello"}},
            )
            print(json.dumps({{"frozen": frozen > 0, "r1": reply.json()["Status"]}}))
            sys.stdout.flush()
            os.kill(os.getpid(), signal.SIGINT)

        import socket
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            PORT = s.getsockname()[1]
        threading.Thread(target=probe, daemon=True).start()
        sys.argv = ["twofactor-emulator", "--port", str(PORT), "--db", ":memory:", "--config", r"{config}"]
        try:
            main()
        except KeyboardInterrupt:  # the probe's Ctrl-C, re-raised by uvicorn after its shutdown
            pass
        """
    )
    assert result == {"frozen": True, "r1": "Success"}
