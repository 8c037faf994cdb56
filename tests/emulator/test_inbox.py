"""The web inbox end to end in headless Chromium (Debian's /usr/bin/chromium, driven by Playwright):
a message sent through the client appears without a reload, its OTP highlighted; search, phones,
delivery status, webhooks sent and reset work. A screenshot is saved under artifacts/."""

from __future__ import annotations

import shutil
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from twofactor import TwoFactor
from twofactor_emulator.testing import EmulatorHandle, random_config, running_emulator

from .conftest import Receiver

pytestmark = pytest.mark.slow
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
ARTIFACTS = Path(__file__).resolve().parents[2] / "artifacts"
PHONE, OTHER = "+919876543210", "+918765432109"
WAIT_MS = 15_000  # upper bound for the page to show an update; not a timing assertion

playwright_sync = pytest.importorskip("playwright.sync_api")


@pytest.fixture
def page() -> Iterator[Any]:
    if not Path(CHROMIUM).exists():
        pytest.fail(f"{CHROMIUM} is missing: ./dev setup installs Debian's chromium")
    with playwright_sync.sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=["--no-sandbox"])
        try:
            yield browser.new_page(viewport={"width": 1280, "height": 800})
        finally:
            browser.close()


def test_a_message_appears_live_with_its_otp_highlighted(
    emulator: EmulatorHandle, page: Any, receiver_factory: Callable[[int], Receiver]
) -> None:
    expect = playwright_sync.expect
    p = page  # a playwright Page
    p.goto(f"{emulator.base_url}/_emulator/inbox")
    expect(p.locator("#no-messages")).to_be_visible()
    expect(p.locator("#live")).to_have_text("live", timeout=WAIT_MS)

    with TwoFactor(emulator.api_key, base_url=emulator.base_url) as client:
        client.otp.send(PHONE)
        client.otp.send(OTHER)
    otp = emulator.latest_otp(PHONE)
    row = p.locator("tr.message", has_text=PHONE)
    expect(row).to_have_count(1, timeout=WAIT_MS)  # no reload: the event stream brought it
    expect(row.locator("mark.otp")).to_have_text(otp)
    expect(row.locator(".status")).to_have_text("DELIVERED")

    # A bulk message with a webhook receiver: the attempt shows up in "Webhooks sent".
    receiver = receiver_factory(0)
    emulator.client.put("/_emulator/webhooks", json={"url": receiver.url}).raise_for_status()
    bulk = {
        "module": "TRANS_SMS",
        "apikey": emulator.api_key,
        "messages": [{"smsFrom": "TFACTR", "smsTo": "+919000000002", "smsText": "Sale today"}],
    }
    emulator.client.post("/API/R1/Bulk/", json=bulk).raise_for_status()
    dnd = p.locator("tr.message", has_text="Sale today")
    expect(dnd.locator(".status")).to_have_text("DND", timeout=WAIT_MS)
    expect(p.locator("tr.webhook", has_text="acknowledged")).to_have_count(1, timeout=WAIT_MS)

    p.fill("#search", otp)
    expect(p.locator("tr.message")).to_have_count(1)
    p.fill("#search", "")
    p.click(f"#phones li[data-phone='{OTHER}']")  # one account: its phones
    expect(p.locator("tr.message")).to_have_count(1)
    p.click("#phones li[data-phone='']")
    expect(p.locator("tr.message")).to_have_count(3)

    ARTIFACTS.mkdir(exist_ok=True)
    p.screenshot(path=str(ARTIFACTS / "inbox.png"), full_page=True)

    p.click("#reset")
    expect(p.locator("tr.message")).to_have_count(0, timeout=WAIT_MS)
    assert emulator.messages() == []


def test_message_text_is_shown_as_text_not_markup(emulator: EmulatorHandle, page: Any) -> None:
    expect = playwright_sync.expect
    p = page
    form = {"module": "TRANS_SMS", "apikey": emulator.api_key, "to": PHONE, "from": "HEADER"}
    emulator.client.post("/API/R1/", data={**form, "msg": "<img src=x onerror=alert(1)><b>bold</b>"}).raise_for_status()
    p.goto(f"{emulator.base_url}/_emulator/inbox")
    row = p.locator("tr.message")
    expect(row).to_contain_text("<b>bold</b>", timeout=WAIT_MS)
    expect(row.locator("img")).to_have_count(0)
    expect(row.locator("b")).to_have_count(0)


def test_messages_are_grouped_per_account_and_phone(page: Any) -> None:
    expect = playwright_sync.expect
    config = random_config()
    config["accounts"].append(random_config()["accounts"][0])
    first, second = (a["api_key"] for a in config["accounts"])
    with running_emulator(config=config) as emulator:
        for key in (first, second, second):
            emulator.client.get(f"/API/V1/{key}/SMS/{PHONE}/AUTOGEN").raise_for_status()
        page.goto(f"{emulator.base_url}/_emulator/inbox")
        expect(page.locator("#phones li.account")).to_have_text([f"Account …{second[-4:]}", f"Account …{first[-4:]}"])
        page.click(f"#phones li[data-account='{second[-4:]}'][data-phone='{PHONE}']")
        expect(page.locator("tr.message")).to_have_count(2)
        page.click(f"#phones li[data-account='{first[-4:]}'][data-phone='{PHONE}']")
        expect(page.locator("tr.message")).to_have_count(1)
        expect(page.locator("tr.message")).to_contain_text(f"…{first[-4:]}")


def test_every_provider_has_a_column_and_a_filter(page: Any) -> None:
    expect = playwright_sync.expect
    with running_emulator() as emulator:
        sid, token = emulator.credentials["tata"]
        user, password = emulator.credentials["datatechlabs"]
        emulator.client.get(f"/API/V1/{emulator.api_key}/SMS/{PHONE}/AUTOGEN").raise_for_status()
        tata = {"service": "2FA", "from": "TATA", "to": OTHER, "body": "Tata code {code}"}
        emulator.client.post("/2fa/send", json=tata, auth=(sid, token)).raise_for_status()
        sms = {"to": PHONE, "from": "DTLABS", "content": "datatechlabs says hi"}
        emulator.client.post("/sms/send", json=sms, auth=(user, password)).raise_for_status()
        page.goto(f"{emulator.base_url}/_emulator/inbox")
        expect(page.locator("tr.message")).to_have_count(3, timeout=WAIT_MS)
        expect(page.locator("tr.message td.provider")).to_have_text(["datatechlabs", "Tata Smart 2FA", "2Factor"])
        page.select_option("#provider", "tata")
        expect(page.locator("tr.message")).to_have_count(1)
        tata_row = page.locator("tr.message")
        expect(tata_row.locator("mark.otp")).to_have_text(emulator.latest_otp(OTHER))
        page.select_option("#provider", "datatechlabs")
        expect(page.locator("tr.message")).to_contain_text("datatechlabs says hi")
        page.select_option("#provider", "")
        expect(page.locator("tr.message")).to_have_count(3)
