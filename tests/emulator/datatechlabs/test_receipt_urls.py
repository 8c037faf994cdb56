"""datatechlabs receipt URLs on a real emulator and real receivers: a `dlr-url` no request can be sent to
or that points at the emulator itself is refused when the message is sent; a receipt whose request
fails in any way is a failed, logged attempt (never stuck in flight); every attempt has the shared
total deadline; the webhook log never shows the URL's credentials."""

from __future__ import annotations

import socket
import threading
from collections.abc import Callable

import pytest

from .conftest import RETRY_SECONDS, Datatechlabs, DlrReceiver
from .test_receipts import logged, wait_for

INVALID = {"status": "Error", "message": "Argument dlr-url has an invalid value"}


@pytest.mark.parametrize("url", ["http://a:x/dlr", "http://a:99999/dlr", "http:///dlr"])
def test_a_dlr_url_no_request_can_use_is_refused(dtl: Datatechlabs, url: str) -> None:
    reply = dtl.send(**{"dlr": True, "dlr-level": 1, "dlr-url": url})
    assert (reply.status_code, reply.json()) == (400, INVALID)


@pytest.mark.parametrize("host", ["127.0.0.1", "localhost", "127.1"])
def test_a_dlr_url_at_the_emulator_itself_is_refused(dtl: Datatechlabs, host: str) -> None:
    port = dtl.base_url.rsplit(":", 1)[1]
    reply = dtl.send(**{"dlr": True, "dlr-level": 1, "dlr-url": f"http://{host}:{port}/_emulator/reset"})
    assert (reply.status_code, reply.json()) == (400, INVALID)


def test_a_receipt_whose_request_raises_is_retried_then_the_handset_one_follows(dtl: Datatechlabs) -> None:
    # Accepted (it parses), but sending raises IDNAError, which is not an httpx error.
    message_id = dtl.sent(**{"dlr": True, "dlr-level": 3, "dlr-url": "http://xn--zz.example/dlr"})
    first = logged(dtl, message_id, 1)[0]
    assert (first["level"], first["error"], first["outcome"]) == (3, "IDNAError", "will retry")
    for attempt in range(2, 5):
        dtl.advance(RETRY_SECONDS)
        logged(dtl, message_id, attempt)
    dtl.advance(RETRY_SECONDS)
    log = logged(dtl, message_id, 5)  # the SMSC receipt gave up, so the handset receipt goes
    assert [a["outcome"] for a in log] == ["will retry"] * 3 + ["gave up", "will retry"]
    assert log[4]["payload"]["message_status"] == "DELIVRD"


def test_a_trickling_receiver_is_cut_by_the_total_deadline(dtl: Datatechlabs) -> None:
    server = socket.create_server(("127.0.0.1", 0))
    done = threading.Event()

    def serve() -> None:
        conn, _ = server.accept()
        with conn:
            conn.recv(65536)
            for byte in b"HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nACK/Jasmin":
                if done.wait(0.2):  # each byte well within the read timeout (0.5 s), all of them not
                    return
                try:
                    conn.sendall(bytes([byte]))
                except OSError:
                    return

    threading.Thread(target=serve, daemon=True).start()
    try:
        url = f"http://127.0.0.1:{server.getsockname()[1]}/dlr"
        message_id = dtl.sent(**{"dlr": True, "dlr-level": 1, "dlr-url": url})
        first = logged(dtl, message_id, 1)[0]
    finally:
        done.set()
        server.close()
    assert (first["statusCode"], first["error"], first["outcome"]) == (None, "DeadlineExceeded", "will retry")


def test_the_log_masks_credentials_of_the_dlr_url(dtl: Datatechlabs, receiver: Callable[..., DlrReceiver]) -> None:
    target = receiver()
    port = target.url.split(":")[2].split("/")[0]
    url = f"http://dlr-user:dlr-password@127.0.0.1:{port}/dlr?token=dlr-token"
    message_id = dtl.sent(**{"dlr": True, "dlr-level": 1, "dlr-url": url, "dlr-method": "GET"})
    assert wait_for(target, 1)[0]["fields"]["token"] == "dlr-token"  # the receiver gets the URL as given
    entry = logged(dtl, message_id, 1)[0]
    assert entry["outcome"] == "acknowledged"
    assert entry["url"] == f"http://***@127.0.0.1:{port}/dlr?token=***"
    text = dtl.control.get("/_emulator/webhooks/log").text
    assert "dlr-password" not in text and "dlr-token" not in text and "dlr-user" not in text
