"""Retention: old messages are pruned past a count or an age, so a long-running emulator stays bounded.

Off by default. `PUT /_emulator/retention` sets `maxMessages` (keep the newest N) and/or
`maxAgeSeconds` (drop messages older than that on the emulator's clock, and OTP sessions that expired
that long ago). The setting is stored; a prune runs at once and then every `PRUNE_INTERVAL_SECONDS`
of real time on the server's event loop, never on a request's path.
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
        with self.service.store.transaction() as cur:
            if settings.max_messages is not None:
                # Everything up to the (N+1)-th newest message: one walk down the primary key.
                deleted += cur.execute(
                    "DELETE FROM messages WHERE seq <= (SELECT seq FROM messages ORDER BY seq DESC LIMIT 1 OFFSET ?)",
                    (settings.max_messages,),
                ).rowcount
            if settings.max_age_seconds is not None:
                cutoff = self.service.now() - settings.max_age_seconds
                deleted += cur.execute("DELETE FROM messages WHERE created_at < ?", (cutoff,)).rowcount
                cur.execute("DELETE FROM otp_sessions WHERE expires_at < ?", (cutoff,))
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
