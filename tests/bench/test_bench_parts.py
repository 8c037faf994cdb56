"""The benchmark's pure parts: percentiles, the success rule, the OTP conversation, the table."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from bench.stats import LoadResult, percentile
from bench.table import Row, render, skipped
from bench.workloads import OTP_CODE, Conversation, reply_ok


def test_percentile_is_nearest_rank() -> None:
    values = [float(v) for v in range(1, 101)]
    assert percentile(values, 0.50) == 50.0
    assert percentile(values, 0.99) == 99.0
    assert percentile([7.0], 0.99) == 7.0
    assert percentile([], 0.5) is None


def test_errors_do_not_count_as_throughput() -> None:
    result = LoadResult(requests=1000, errors=250, seconds=2.0, p50_ms=1.0, p99_ms=2.0, tool="python")
    assert result.rate == 375.0


def test_only_a_2factor_success_is_a_success() -> None:
    assert reply_ok(200, b'{"Status":"Success","Details":"abc"}')
    assert reply_ok(200, b'{"success":true,"requestId":"r"}')
    assert not reply_ok(200, b'{"Status":"Error","Details":"Invalid API Key"}')
    assert not reply_ok(400, b'{"Status":"Success"}')


def test_otp_conversation_verifies_the_session_its_send_returned() -> None:
    talk = Conversation("otp", "key-1")
    send = talk.next_request()
    assert send.method == "GET" and send.path.endswith(f"/{OTP_CODE}") and "/VERIFY/" not in send.path
    assert talk.on_reply(send, 200, b'{"Status":"Success","Details":"sess-42"}')
    verify = talk.next_request()
    assert verify.path == f"/API/V1/key-1/SMS/VERIFY/sess-42/{OTP_CODE}"
    assert talk.on_reply(verify, 200, b'{"Status":"Success","Details":"OTP Matched"}')
    assert "/VERIFY/" not in talk.next_request().path  # back to a send
    # A failed send leaves nothing to verify.
    failed = Conversation("otp", "key-1")
    first = failed.next_request()
    assert not failed.on_reply(first, 400, b'{"Status":"Error","Details":"Invalid Phone Number"}')
    assert "/VERIFY/" not in failed.next_request().path


def test_table_renders_figures_and_skip_reasons() -> None:
    text = render(
        [
            Row(
                "load",
                "emulator ×1",
                "otp",
                16,
                rate=1234.5,
                p50_ms=2.0,
                p99_ms=9.5,
                ratio=0.7,
                ratio_vs="bare",
                goal="≥ 0.60× bare",
                met=True,
            ),
            skipped("load", "Prism 5.16", "Prism is not installed"),
        ]
    )
    lines = text.splitlines()
    assert lines[0].startswith("| Section |") and len(lines) == 4
    assert "| 1,234 req/s | 2.00 | 9.50 | 0.70× bare | ≥ 0.60× bare | yes |" in lines[2]
    assert lines[3].endswith("| skipped: Prism is not installed |")


def test_flame_summary_shares_samples_by_layer_and_keeps_the_checkpoint_thread_apart() -> None:
    from bench.flame import summarise

    folded = "\n".join(
        [
            "<module> (twofactor-emulator);main (twofactor_emulator/cli.py);Runner.run (asyncio/runners.py);"
            "RequestResponseCycle.send (uvicorn/protocols/http/httptools_impl.py) 6",
            "<module> (twofactor-emulator);Runner.run (asyncio/runners.py);CommitBatcher._flush "
            "(twofactor_emulator/core/batching.py);Store.batch (twofactor_emulator/core/store.py) 3",
            "Thread._bootstrap (threading.py);Checkpointer._run (twofactor_emulator/core/store.py);"
            "Event.wait (threading.py) 1",
        ]
    )
    text = summarise(folded)
    assert text.startswith("10 samples")
    assert "| uvicorn HTTP protocol (h11 / httptools) | 60% |" in text
    assert "| emulator store + SQLite's C calls (store, group commit) | 30% |" in text
    assert "| WAL checkpoint thread (waits included) | 10% |" in text
    # Own samples are the event loop thread's only; the checkpoint thread's wait is not among them.
    assert "Event.wait" not in text.split("top frames by own samples")[1]


async def test_the_limit_app_reads_the_whole_body_then_sends_the_constant_reply() -> None:
    from bench.limit import REPLY, app

    chunks = [{"type": "http.request", "body": b"a" * 10, "more_body": True}, {"type": "http.request", "body": b"b"}]
    received: list[dict[str, object]] = []

    async def receive() -> dict[str, object]:
        return chunks.pop(0)

    async def send(message: dict[str, object]) -> None:
        received.append(message)

    await app({"type": "http", "method": "POST", "path": "/API/R1/"}, receive, send)
    assert not chunks, "the body was not read to its end"
    assert received[0]["status"] == 200 and received[1]["body"] == REPLY


def test_the_ab_tool_checks_out_a_revisions_emulator(tmp_path: Path) -> None:
    """bench/ab.py runs another revision's emulator from a checkout of its `emulator/` folder."""
    from bench import ab

    inside = subprocess.run(["git", "rev-parse", "HEAD"], cwd=ab.servers.REPO, capture_output=True, check=False)
    if inside.returncode != 0:
        pytest.skip("not a git checkout: the A/B tool compares git revisions")
    folder = ab.checkout_emulator("HEAD", tmp_path)
    assert (folder / "twofactor_emulator" / "app.py").is_file()
    assert not (tmp_path / "overrides").exists()  # the emulator only: the client stays the installed one
