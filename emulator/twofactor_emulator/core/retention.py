"""Retention: old state is pruned past a count or an age, so a long-running emulator stays bounded.

Off by default. `PUT /_emulator/retention` sets `maxMessages` and/or `maxAgeSeconds`:

- messages: the newest `maxMessages` are kept, and none older than `maxAgeSeconds` (emulator clock);
- OTP sessions: the newest `maxMessages` are kept, and none that expired `maxAgeSeconds` ago;
- short links: those older than the oldest message kept go (a link lives as long as the messages
  that carry it; with the outbox empty, all go), and none older than `maxAgeSeconds`;
- a provider family's own rows (`Store.family_expiry`, e.g. Tata's OTPs and limit uses): none whose
  time there passed `maxAgeSeconds` ago;
- the webhook log keeps its last 1000 attempts whatever the setting (core/webhooks.py).

Freed pages go back to the file system (incremental vacuum, store.py), so the file shrinks too.
The setting is stored; a prune runs at once and then every `PRUNE_INTERVAL_SECONDS` of real time, as
a unit of work on the writer thread (batching.py), never on a request's path.
"""

from __future__ import annotations

import asyncio
import json
from dataclasses import asdict, dataclass

from .background import BackgroundLoop
from .service import Service

PRUNE_INTERVAL_SECONDS = 1.0
_META_KEY = "retention_settings"


@dataclass
class RetentionSettings:
    """None means no limit of that kind."""

    max_messages: int | None = None
    max_age_seconds: float | None = None

    @property
    def active(self) -> bool:
        """Whether any limit is set."""
        return self.max_messages is not None or self.max_age_seconds is not None


class Retention:
    """Applies the retention settings to the store."""

    def __init__(self, service: Service) -> None:
        self.service = service
        raw = service.store.get_meta(_META_KEY)
        self.settings = RetentionSettings(**json.loads(raw)) if raw else RetentionSettings()
        self.pruned = 0  # messages pruned since start
        self.loop = BackgroundLoop("twofactor-emulator-retention", self._run)

    async def configure(self, settings: RetentionSettings) -> int:
        """Store new settings, prune at once, keep pruning in the background; returns messages pruned now."""

        def store_and_prune() -> int:
            self.service.store.set_meta(_META_KEY, json.dumps(asdict(settings)))
            self.settings = settings
            return self.prune()

        pruned = await self.service.batcher.run(store_and_prune)
        self.ensure_running()
        return pruned

    def prune(self) -> int:
        """Delete what the settings no longer keep; returns how many messages went. A unit of work."""
        settings = self.settings
        deleted = 0
        store = self.service.store
        with store.transaction() as cur:
            others = 0  # sessions, links and the families' rows
            if settings.max_messages is not None:
                # Everything up to the (N+1)-th newest row: one walk down the primary key.
                deleted += cur.execute(
                    "DELETE FROM messages WHERE seq <= (SELECT seq FROM messages ORDER BY seq DESC LIMIT 1 OFFSET ?)",
                    (settings.max_messages,),
                ).rowcount
                others += cur.execute(
                    "DELETE FROM otp_sessions WHERE seq <= "
                    "(SELECT seq FROM otp_sessions ORDER BY seq DESC LIMIT 1 OFFSET ?)",
                    (settings.max_messages,),
                ).rowcount
            if settings.max_age_seconds is not None:
                cutoff = self.service.now() - settings.max_age_seconds
                deleted += cur.execute("DELETE FROM messages WHERE created_at < ?", (cutoff,)).rowcount
                others += cur.execute("DELETE FROM otp_sessions WHERE expires_at < ?", (cutoff,)).rowcount
                others += cur.execute("DELETE FROM short_links WHERE created_at < ?", (cutoff,)).rowcount
                for table, column in store.family_expiry.items():
                    sql = f"DELETE FROM {table} WHERE {column} < ?"  # noqa: S608 - names set in code
                    others += cur.execute(sql, (cutoff,)).rowcount
            # Links outlive no message: older than the oldest message kept (all, when none is).
            others += cur.execute(
                "DELETE FROM short_links WHERE created_at < "
                "COALESCE((SELECT created_at FROM messages ORDER BY seq LIMIT 1), 9e999)"
            ).rowcount
            if deleted or others:
                store.reclaim()
        self.pruned += deleted
        return deleted

    def ensure_running(self) -> None:
        """Keep pruning in the background while a limit is set."""
        if self.settings.active:
            self.loop.ensure_running()

    async def _run(self) -> None:
        while self.settings.active:
            await asyncio.sleep(PRUNE_INTERVAL_SECONDS)
            await self.service.batcher.run(self.prune)
