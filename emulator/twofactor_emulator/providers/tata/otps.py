"""Tata Smart 2FA's state: OTPs (send, verify, cancel, search), usage records and limits.

Every method runs inside the commit batcher (`service.batcher.run`), so a reply leaves only after
its change is committed. The code of an OTP is stored only as an HMAC (core/otp.py); the outbox
message carries it, as every emulated "delivery" does, so tests can read it.

An OTP row's `state` is what happened to it (`pending`, `verified`, `canceled`, `locked`); its status
adds time: a pending OTP past `expires_at` is `expired`, or `canceled` when a newer send shortened it
to a guard time (`replaced`).
"""

from __future__ import annotations

import json
import secrets
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any

from ...core import ids
from ...core.otp import after_wrong_code, code_matches, otp_hash
from ...core.service import Service
from ...core.store import new_message
from . import errors
from .accounts import TataAccount
from .requests import CHANNELS, SendRequest, destination, epoch_of_timestamp

PROVIDER = "tata"
ONE_OTP_PER_SECONDS = 60.0  # documented: at most one OTP per destination per minute
PENDING, VERIFIED, CANCELED, LOCKED, EXPIRED = "pending", "verified", "canceled", "locked", "expired"
_STATE_ERRORS = {
    VERIFIED: errors.ALREADY_VERIFIED,
    CANCELED: errors.CANCELED,
    LOCKED: errors.LOCKED,
    EXPIRED: errors.EXPIRED,
}
_OTP_COLUMNS = (
    "seq, request_id, owner, account_sid, service, channel, destination, sender, otp_hash, created_at, "
    "expires_at, updated_at, attempts, state, replaced"
)


def utc(epoch: float) -> str:
    """The document's Timestamp, `YYYY-MM-DDThh:mm:ssZ`."""
    return datetime.fromtimestamp(epoch, UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def utc_day(epoch: float) -> date:
    return datetime.fromtimestamp(epoch, UTC).date()


def request_id() -> str:
    """`OTP` and 31 lower-case hex digits (34 characters, like the documented sample)."""
    return "OTP" + secrets.token_hex(16)[:31]


def limit_sid() -> str:
    return "LM" + secrets.token_hex(16)


def transcript(req: SendRequest, code: str) -> str:
    """What the call says: the body with the code read digit by digit, `repeat` times."""
    spoken = req.body.replace("{code}", " ".join(code))
    return " ".join([spoken] * req.repeat)


@dataclass(frozen=True)
class Selection:
    """Which OTP a verify or cancel means: by request id, or the valid ones of a service and number."""

    service: str
    number: str
    request_id: str | None


class TataState:
    """OTPs, usage and limits over the shared `Service` (store, clock)."""

    def __init__(self, service: Service) -> None:
        self.service = service
        self.store = service.store

    # ------------------------------------------------------------------ reads
    def _otps(self, where: str, params: tuple[Any, ...], suffix: str = "ORDER BY seq DESC") -> list[dict[str, Any]]:
        return self.store.rows(f"SELECT {_OTP_COLUMNS} FROM tata_otps WHERE {where} {suffix}", params)  # noqa: S608

    def status(self, row: dict[str, Any], now: float) -> str:
        """The OTP's status at emulator time `now`."""
        if row["state"] != PENDING:
            return str(row["state"])
        if now >= row["expires_at"]:
            return CANCELED if row["replaced"] else EXPIRED
        return PENDING

    def record(self, row: dict[str, Any], now: float) -> dict[str, Any]:
        """An OTP as the document's OtpRecord shows it (never its code)."""
        out: dict[str, Any] = {
            "requestID": row["request_id"],
            "accountSid": row["account_sid"],
            "service": row["service"],
            "channel": row["channel"],
            "to": row["destination"],
            "status": self.status(row, now),
            "attempts": row["attempts"],
            "dateCreated": utc(row["created_at"]),
            "dateExpires": utc(row["expires_at"]),
            "dateUpdated": utc(row["updated_at"]),
        }
        if row["sender"] is not None and row["channel"] != "email":  # an emailFrom is no Source
            out["from"] = row["sender"]
        return out

    # ------------------------------------------------------------------ send
    def send(self, account: TataAccount, req: SendRequest) -> tuple[str, str]:
        """Check the documented rules, store the OTP and its message; returns (request id, code)."""
        now = self.service.now()
        owner = account.account_sid
        target_sid = req.account_sid or owner
        limits = []
        for name, value in req.limits.items():
            found = self.store.rows(
                "SELECT name, buckets FROM tata_limits WHERE owner = ? AND name = ? AND account_sid = ?",
                (owner, name, target_sid),
            )
            if not found:
                raise errors.invalid_limit_name(name)
            limits.append((name, value, json.loads(found[0]["buckets"])))
        newest = self._otps("owner = ? AND destination = ?", (owner, req.to), "ORDER BY seq DESC LIMIT 1")
        if newest and now - newest[0]["created_at"] < ONE_OTP_PER_SECONDS:
            raise errors.too_many_otps()
        for name, value, buckets in limits:
            for bucket in buckets:
                used = self.store.rows(
                    "SELECT COUNT(*) AS n FROM tata_limit_uses WHERE owner = ? AND name = ? AND value = ? AND at > ?",
                    (owner, name, value, now - bucket["interval"]),
                )[0]["n"]
                if used >= bucket["max"]:
                    raise errors.limit_exceeded(name)
        code = ids.otp_digits(req.length)
        rid = request_id()
        text = transcript(req, code) if req.channel == "call" else req.body.replace("{code}", code)
        message = new_message(
            id=rid,
            account=owner,
            phone=req.to,
            sender=req.sender,
            text=text,
            kind={"sms": "otp", "call": "voice", "email": "email"}[req.channel],
            operation="tataSendOtp",
            created_at=now,
            session_id=rid,
            otp=code,
            provider=PROVIDER,
            subject=req.subject,
        )
        with self.store.transaction() as cur:
            # A valid OTP of the same service and destination: canceled now, or after the guard time.
            if req.guard_time > 0:
                cur.execute(
                    "UPDATE tata_otps SET expires_at = MIN(expires_at, ?), replaced = 1 "
                    "WHERE owner = ? AND service = ? AND destination = ? AND state = ? AND expires_at > ?",
                    (now + req.guard_time, owner, req.service, req.to, PENDING, now),
                )
            else:
                cur.execute(
                    "UPDATE tata_otps SET state = ?, updated_at = ? "
                    "WHERE owner = ? AND service = ? AND destination = ? AND state = ? AND expires_at > ?",
                    (CANCELED, now, owner, req.service, req.to, PENDING, now),
                )
            cur.execute(
                "INSERT INTO tata_otps (request_id, owner, account_sid, service, channel, destination, sender, "
                "otp_hash, created_at, expires_at, updated_at, attempts, state) "
                "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 0, ?)",
                (
                    rid,
                    owner,
                    target_sid,
                    req.service,
                    req.channel,
                    req.to,
                    req.sender,
                    otp_hash(self.store.pepper, rid, code),
                    now,
                    now + req.timeout,
                    now,
                    PENDING,
                ),
            )
            cur.executemany(
                "INSERT INTO tata_limit_uses (owner, name, value, at) VALUES (?, ?, ?, ?)",
                [(owner, name, value, now) for name, value, _ in limits],
            )
            self.store.add_provider_messages(PROVIDER, owner, [message], cost=0, credit_limit=None)
        return rid, code

    # ------------------------------------------------------------------ verify and cancel
    def _selected(self, account: TataAccount, sel: Selection, now: float) -> list[dict[str, Any]]:
        """The OTPs a verify or cancel acts on (each pending), or the error that says why there is none."""
        owner = account.account_sid
        if sel.request_id is not None:
            rows = self._otps("owner = ? AND request_id = ?", (owner, sel.request_id))
            if not rows or rows[0]["service"] != sel.service or rows[0]["destination"] != sel.number:
                raise errors.TataError(*errors.NOT_FOUND)
        else:
            rows = self._otps("owner = ? AND service = ? AND destination = ?", (owner, sel.service, sel.number))
            if not rows:
                raise errors.TataError(*errors.NOT_FOUND)
            valid = [row for row in rows if self.status(row, now) == PENDING]
            rows = valid or rows[:1]
        status = self.status(rows[0], now)
        if status != PENDING:
            raise errors.TataError(*_STATE_ERRORS[status])
        return rows

    def verify(self, account: TataAccount, sel: Selection, code: str) -> str | errors.TataError:
        """The request id of the OTP the code matched (now used up), or error 460, returned rather than
        raised: the attempt it counts must be committed (a raised error rolls the unit of work back)."""
        now = self.service.now()
        rows = self._selected(account, sel, now)
        for row in rows:
            if row["attempts"] >= account.max_attempts:
                continue
            if code_matches(self.store.pepper, row["request_id"], code, row["otp_hash"]):
                with self.store.transaction() as cur:
                    cur.execute(
                        "UPDATE tata_otps SET state = ?, updated_at = ? WHERE seq = ?", (VERIFIED, now, row["seq"])
                    )
                return str(row["request_id"])
        with self.store.transaction() as cur:
            for row in rows:
                attempts, locked = after_wrong_code(row["attempts"], account.max_attempts)
                cur.execute(
                    "UPDATE tata_otps SET attempts = ?, state = ?, updated_at = ? WHERE seq = ?",
                    (attempts, LOCKED if locked else PENDING, now, row["seq"]),
                )
        return errors.TataError(*errors.WRONG_CODE)

    def cancel(self, account: TataAccount, sel: Selection) -> str:
        """Cancel the selected OTP (the newest valid one, by number); returns its request id."""
        now = self.service.now()
        row = self._selected(account, sel, now)[0]
        with self.store.transaction() as cur:
            cur.execute("UPDATE tata_otps SET state = ?, updated_at = ? WHERE seq = ?", (CANCELED, now, row["seq"]))
        return str(row["request_id"])

    # ------------------------------------------------------------------ search
    def find(self, account: TataAccount, rid: str) -> dict[str, Any] | None:
        rows = self._otps("owner = ? AND request_id = ?", (account.account_sid, rid))
        return self.record(rows[0], self.service.now()) if rows else None

    def search(
        self, account: TataAccount, filters: dict[str, Any], page: int, page_size: int
    ) -> tuple[int, list[dict[str, Any]]]:
        """(matches in all, the page of records), newest first. The status filter is applied after the
        clock is taken into account, so it is computed per row."""
        where, params = ["owner = ?"], [account.account_sid]
        for name, column in (("service", "service"), ("channel", "channel")):
            if name in filters:
                where.append(f"{column} = ?")
                params.append(filters[name])
        if "to" in filters:
            where.append("destination = ?")
            params.append(destination(filters["to"]))
        if "startTime" in filters:
            where.append("created_at >= ?")
            params.append(epoch_of_timestamp(filters["startTime"]))  # type: ignore[arg-type]
        if "endTime" in filters:
            where.append("created_at < ?")
            params.append(epoch_of_timestamp(filters["endTime"]))  # type: ignore[arg-type]
        now = self.service.now()
        rows = self._otps(" AND ".join(where), tuple(params))
        if "status" in filters:
            rows = [row for row in rows if self.status(row, now) == filters["status"]]
        chosen = rows[page * page_size : (page + 1) * page_size]
        return len(rows), [self.record(row, now) for row in chosen]

    # ------------------------------------------------------------------ usage
    def usage(
        self, account: TataAccount, categories: tuple[str, ...], start: date | None, end: date | None
    ) -> list[dict[str, Any]]:
        """One record per category over [start, end] (defaults: the first OTP's day, today)."""
        rows = self.store.rows(
            "SELECT channel, created_at, state FROM tata_otps WHERE owner = ? ORDER BY seq", (account.account_sid,)
        )
        today = utc_day(self.service.now())
        first = utc_day(rows[0]["created_at"]) if rows else today
        start = start or min(first, end or today)
        end = end or max(today, start)
        out = []
        for category in categories:
            chosen = [r for r in rows if r["channel"] == category and start <= utc_day(r["created_at"]) <= end]
            out.append(_usage_record(category, start, end, chosen))
        return out

    def usage_by_period(self, account: TataAccount, period: str) -> list[dict[str, Any]]:
        """One record per channel and UTC day, month or year with at least one OTP, oldest first."""
        rows = self.store.rows(
            "SELECT channel, created_at, state FROM tata_otps WHERE owner = ? ORDER BY seq", (account.account_sid,)
        )
        out = []
        for category in CHANNELS:
            periods: dict[tuple[date, date], list[dict[str, Any]]] = {}
            for row in rows:
                if row["channel"] == category:
                    periods.setdefault(_period(utc_day(row["created_at"]), period), []).append(row)
            for (start, end), chosen in sorted(periods.items()):
                out.append(_usage_record(category, start, end, chosen))
        return out

    # ------------------------------------------------------------------ limits
    def _limit_json(self, row: dict[str, Any]) -> dict[str, Any]:
        out = {
            "limitSid": row["limit_sid"],
            "name": row["name"],
            "accountSid": row["account_sid"],
            "buckets": json.loads(row["buckets"]),
            "dateCreated": utc(row["created_at"]),
            "dateUpdated": utc(row["updated_at"]),
        }
        if row["description"] is not None:
            out["description"] = row["description"]
        return out

    def _limit_row(self, account: TataAccount, sid: str) -> dict[str, Any]:
        rows = self.store.rows(
            "SELECT * FROM tata_limits WHERE owner = ? AND limit_sid = ?", (account.account_sid, sid)
        )
        if not rows:
            raise errors.limit_not_found(sid)
        return rows[0]

    def create_limit(self, account: TataAccount, body: dict[str, Any]) -> dict[str, Any]:
        owner = account.account_sid
        if self.store.rows("SELECT 1 FROM tata_limits WHERE owner = ? AND name = ?", (owner, body["name"])):
            raise errors.limit_exists(body["name"])
        now = self.service.now()
        sid = limit_sid()
        buckets = [{k: (int(v) if k != "name" else v) for k, v in b.items()} for b in body["buckets"]]
        with self.store.transaction() as cur:
            cur.execute(
                "INSERT INTO tata_limits (limit_sid, owner, account_sid, name, description, buckets, created_at, "
                "updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                (
                    sid,
                    owner,
                    body.get("accountSid", owner),
                    body["name"],
                    body.get("description"),
                    json.dumps(buckets),
                    now,
                    now,
                ),
            )
        return self._limit_json(self._limit_row(account, sid))

    def limits(self, account: TataAccount) -> list[dict[str, Any]]:
        rows = self.store.rows("SELECT * FROM tata_limits WHERE owner = ? ORDER BY name", (account.account_sid,))
        return [self._limit_json(row) for row in rows]

    def update_limit(self, account: TataAccount, sid: str, body: dict[str, Any]) -> dict[str, Any]:
        row = self._limit_row(account, sid)
        description = body.get("description", row["description"])
        buckets = row["buckets"]
        if "buckets" in body:
            buckets = json.dumps([{k: (int(v) if k != "name" else v) for k, v in b.items()} for b in body["buckets"]])
        with self.store.transaction() as cur:
            cur.execute(
                "UPDATE tata_limits SET description = ?, buckets = ?, updated_at = ? WHERE limit_sid = ?",
                (description, buckets, self.service.now(), sid),
            )
        return self._limit_json(self._limit_row(account, sid))

    def delete_limit(self, account: TataAccount, sid: str) -> None:
        row = self._limit_row(account, sid)
        with self.store.transaction() as cur:
            cur.execute("DELETE FROM tata_limits WHERE limit_sid = ?", (sid,))
            cur.execute("DELETE FROM tata_limit_uses WHERE owner = ? AND name = ?", (row["owner"], row["name"]))


def _usage_record(category: str, start: date, end: date, rows: list[dict[str, Any]]) -> dict[str, Any]:
    return {
        "category": category,
        "startDate": start.isoformat(),
        "endDate": end.isoformat(),
        "count": len(rows),
        "verified": sum(1 for r in rows if r["state"] == VERIFIED),
    }


def _period(day: date, period: str) -> tuple[date, date]:
    if period == "daily":
        return day, day
    if period == "monthly":
        following = date(day.year + (day.month == 12), day.month % 12 + 1, 1)
        return day.replace(day=1), date.fromordinal(following.toordinal() - 1)
    return date(day.year, 1, 1), date(day.year, 12, 31)
