# Generated from overrides/otp_gateway/_async/gateway.py by scripts/unasync_clients.py; do not edit.
# Change the async source and run scripts/generate.py (`--check` fails on drift).
"""The synchronous twin of `otp_gateway._async.gateway`: the same classes and functions, without async (docs there)."""

from __future__ import annotations

import random
import secrets
import time
from collections.abc import Callable, Mapping, Sequence
from types import TracebackType

from .. import events as ev
from ..breaker import BreakerState, CircuitBreaker
from ..codes import CodeHasher, generate_code, looks_like_code
from ..errors import AllProvidersFailed, InvalidInput, ProviderError, ProviderFailure, VerifyUnavailable
from ..outcomes import FailureKind, Health, SendFailed, VerifyOutcome, VerifyResult
from ..phones import mask_phone, normalise_phone
from ..policy import FailoverPolicy, Selection
from ..store import CodeStore, MemoryCodeStore, StoredCode, as_sync_store
from ..ticket import MAX_DELIVERIES, Delivery, OtpTicket, TicketSigner, new_ticket_id
from .base import OtpProvider, SmsProvider

__all__ = ["OtpGateway"]

AnyProvider = OtpProvider | SmsProvider
Secret = str | bytes


def _secret_bytes(secret: Secret | Sequence[Secret]) -> list[bytes]:
    items = [secret] if isinstance(secret, str | bytes) else list(secret)
    return [item.encode("utf-8") if isinstance(item, str) else bytes(item) for item in items]


def _elapsed_ms(started: float) -> float:
    return round((time.perf_counter() - started) * 1000, 3)


class OtpGateway:
    """Send and verify OTPs through `providers` (tried in order, or by weight), with failover.

    `secret` signs tickets and keys the hashes of local codes: one secret, or several to rotate
    (the first signs). `store` keeps the codes the gateway generates for SMS-only providers
    (default: in memory, for one process). `clock` is seconds since the epoch (tests inject one);
    `on_event` gets every `GatewayEvent`. `rng` orders weighted providers (tests seed it).
    """

    def __init__(
        self,
        providers: Sequence[AnyProvider],
        *,
        secret: Secret | Sequence[Secret],
        policy: FailoverPolicy | None = None,
        store: CodeStore | None = None,
        clock: Callable[[], float] = time.time,
        on_event: Callable[[ev.GatewayEvent], None] | Sequence[Callable[[ev.GatewayEvent], None]] = (),
        rng: random.Random | None = None,
    ) -> None:
        if not providers:
            raise InvalidInput("the gateway needs at least one provider")
        names = [provider.name for provider in providers]
        if len(set(names)) != len(names):
            raise InvalidInput(f"provider names must be unique: {names}")
        for provider in providers:
            if not isinstance(provider, OtpProvider | SmsProvider):
                raise InvalidInput(f"{provider!r} is neither an OTP provider nor an SMS provider")
        app_secrets = _secret_bytes(secret)
        self.policy = policy or FailoverPolicy()
        self._providers = {provider.name: provider for provider in providers}
        self._signer = TicketSigner(app_secrets)
        self._hasher = CodeHasher(app_secrets)
        self._store = as_sync_store(store if store is not None else MemoryCodeStore())
        self._clock = clock
        self._emit = ev.EventSink([on_event] if callable(on_event) else on_event)
        self._rng = rng or random.Random(secrets.randbits(64))  # noqa: S311 - load spreading, not secrecy
        self._breakers = {
            name: CircuitBreaker(
                name,
                clock=clock,
                failure_threshold=self.policy.failure_threshold,
                reset_after=self.policy.reset_after,
                on_change=self._breaker_moved,
            )
            for name in names
        }

    def __repr__(self) -> str:
        return f"{type(self).__name__}(providers={list(self._providers)!r}, policy={self.policy!r})"

    # ------------------------------------------------------------------ public
    @property
    def providers(self) -> tuple[str, ...]:
        """The providers' names, in the configured order."""
        return tuple(self._providers)

    def breaker_states(self) -> Mapping[str, BreakerState]:
        """Each provider's breaker state now."""
        return {name: breaker.state for name, breaker in self._breakers.items()}

    def load_ticket(self, token: str) -> OtpTicket:
        """The ticket of a token (from a session or cookie), or `InvalidTicket`."""
        return self._signer.load(token)

    def send(self, phone: str) -> OtpTicket:
        """Send a new OTP to `phone`; return its ticket (`str(ticket)` is the token to keep).

        Raises `InvalidInput` for a malformed number (nothing is sent), the provider's own error
        for input a provider refused (no failover), and `AllProvidersFailed` when none sent.
        After an ambiguous send the ticket has `ambiguous=True` (see `FailoverPolicy.on_ambiguous`).
        """
        number = normalise_phone(phone)
        now = self._clock()
        return self._deliver(new_ticket_id(), number, now, (), self._order())

    def resend(self, ticket: OtpTicket | str) -> OtpTicket:
        """Send a new code for the same ticket, through the providers that have not sent for it
        first. Only the new code counts from then on. Returns the new ticket (keep its token)."""
        current = self._ticket(ticket)
        if len(current.deliveries) > self.policy.max_resends:
            raise InvalidInput(f"this ticket had its {self.policy.max_resends} resends: start a new send")
        used = {delivery.provider for delivery in current.deliveries}
        order = self._order()
        order = [name for name in order if name not in used] + [name for name in order if name in used]
        return self._deliver(current.id, current.phone, current.issued_at, current.deliveries, order)

    def verify(self, ticket: OtpTicket | str, code: str) -> VerifyResult:
        """Check `code` against the ticket's live OTP, at the provider that sent it, once.

        Wrong codes and codes of an earlier delivery are MISMATCH; a code that is not 4 to 10 ASCII
        digits is MISMATCH without asking anyone (and costs no attempt). Raises `InvalidTicket`
        for a ticket that does not check, `VerifyUnavailable` when the provider cannot be asked.
        """
        current = self._ticket(ticket)
        live = current.live
        if not looks_like_code(code):
            return self._verdict(current, VerifyOutcome.MISMATCH)
        if self._clock() >= current.expires_at:
            return self._verdict(current, VerifyOutcome.EXPIRED)
        provider = self._providers.get(live.provider)
        if provider is None:
            raise VerifyUnavailable(f"the provider {live.provider!r} that sent this OTP is not configured")
        started = time.perf_counter()
        if isinstance(provider, OtpProvider):
            try:
                outcome = provider.verify_otp(live, current.phone, code)
            except VerifyUnavailable as error:
                self._emit(
                    ev.GatewayEvent(
                        ev.VERIFY_FAILED,
                        provider=live.provider,
                        ticket_id=current.id,
                        reason=error.details,
                        elapsed_ms=_elapsed_ms(started),
                    )
                )
                raise
        else:
            assert live.ref is not None  # a local delivery always has its store key
            digest = self._hasher.digest(current.id, code, current.key_index)
            outcome = self._store.check(_store_key(current.id, live.ref), digest, self._clock())
        return self._verdict(current, outcome, started)

    def doctor(self) -> list[Health]:
        """Each provider's credentials, checked with a harmless call where the provider has one."""
        found = []
        for name, provider in self._providers.items():
            try:
                found.append(provider.check_credentials())
            except ProviderError as error:
                found.append(Health(name, False, f"{type(error).__name__}: {error}"))
        return found

    def close(self) -> None:
        """Close every provider's connections."""
        for provider in self._providers.values():
            provider.close()

    def __enter__(self) -> OtpGateway:
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()

    # ------------------------------------------------------------------ sending
    def _deliver(
        self, ticket_id: str, phone: str, issued_at: float, previous: tuple[Delivery, ...], order: Sequence[str]
    ) -> OtpTicket:
        """Try the providers of `order` until one sends; return the ticket with the new delivery."""
        failures: list[ProviderFailure] = []
        ambiguous: list[Delivery] = []
        masked = mask_phone(phone)
        for name in order:
            provider = self._providers[name]
            if not self._breakers[name].allow():
                failures.append(ProviderFailure(name, FailureKind.CIRCUIT_OPEN.value, "its circuit breaker is open"))
                self._emit(ev.GatewayEvent(ev.SEND_SKIPPED, provider=name, ticket_id=ticket_id, phone=masked))
                continue
            self._emit(ev.GatewayEvent(ev.SEND_ATTEMPT, provider=name, ticket_id=ticket_id, phone=masked))
            started = time.perf_counter()
            try:
                delivery = self._send_one(provider, ticket_id, phone)
            except SendFailed as failure:
                failures.append(self._failed(name, ticket_id, failure, started))
                if failure.kind is FailureKind.INVALID_REQUEST:
                    raise failure.error or InvalidInput(failure.reason) from None
                if failure.kind is FailureKind.AMBIGUOUS:
                    ambiguous.append(self._ambiguous_delivery(name, failure))
                    if not self.policy.fails_over(failure.kind):
                        break
                continue
            self._breakers[name].record_success()
            self._emit(
                ev.GatewayEvent(
                    ev.SENT, provider=name, ticket_id=ticket_id, phone=masked, elapsed_ms=_elapsed_ms(started)
                )
            )
            self._discard_superseded(ticket_id, previous + tuple(ambiguous))
            return self._ticket_with(ticket_id, phone, issued_at, previous, (*ambiguous, delivery), failures)
        if ambiguous:
            self._discard_superseded(ticket_id, previous + tuple(ambiguous[:-1]))
            return self._ticket_with(ticket_id, phone, issued_at, previous, tuple(ambiguous), failures)
        self._emit(
            ev.GatewayEvent(
                ev.ALL_FAILED, ticket_id=ticket_id, phone=masked, reason="; ".join(str(f) for f in failures)
            )
        )
        raise AllProvidersFailed(failures)

    def _send_one(self, provider: AnyProvider, ticket_id: str, phone: str) -> Delivery:
        """One provider's attempt. A local code is stored before its SMS leaves, so an ambiguous
        send stays verifiable; it is dropped again when the provider surely did not send."""
        policy = self.policy
        if isinstance(provider, OtpProvider):
            ref = provider.send_otp(phone, length=policy.code_length, ttl=policy.code_ttl)
            return Delivery(provider.name, ref, local=False, sent_at=self._clock())
        code = generate_code(policy.code_length)
        ref = new_ticket_id()
        key = _store_key(ticket_id, ref)
        now = self._clock()
        self._store.save(
            key, StoredCode(self._hasher.digest(ticket_id, code), now + policy.code_ttl, policy.max_attempts)
        )
        try:
            provider.send_sms(phone, policy.text_for(code))
        except SendFailed as failure:
            if failure.kind is not FailureKind.AMBIGUOUS:
                self._store.discard(key)
            failure.local_ref = ref
            raise
        return Delivery(provider.name, ref, local=True, sent_at=now)

    def _ambiguous_delivery(self, name: str, failure: SendFailed) -> Delivery:
        ref = failure.local_ref
        return Delivery(name, ref, local=ref is not None, sent_at=self._clock(), ambiguous=True)

    def _failed(self, name: str, ticket_id: str, failure: SendFailed, started: float) -> ProviderFailure:
        """Record one provider's failure: breaker, event, and the entry for the ticket or the error."""
        breaker = self._breakers[name]
        if failure.kind is FailureKind.INVALID_REQUEST:
            breaker.record_success()  # it answered, and sanely: the input was at fault
        elif failure.counts:
            breaker.record_failure()
        else:
            breaker.release()
        entry = ProviderFailure(name, failure.kind.value, failure.reason, failure.status_code)
        self._emit(
            ev.GatewayEvent(
                ev.SEND_AMBIGUOUS if failure.kind is FailureKind.AMBIGUOUS else ev.SEND_FAILED,
                provider=name,
                ticket_id=ticket_id,
                kind=failure.kind.value,
                reason=failure.reason,
                status_code=failure.status_code,
                elapsed_ms=_elapsed_ms(started),
            )
        )
        return entry

    def _discard_superseded(self, ticket_id: str, deliveries: Sequence[Delivery]) -> None:
        """Forget the local codes of deliveries a newer one replaced: only the live code counts."""
        for delivery in deliveries:
            if delivery.local and delivery.ref is not None:
                self._store.discard(_store_key(ticket_id, delivery.ref))

    def _ticket_with(
        self,
        ticket_id: str,
        phone: str,
        issued_at: float,
        previous: tuple[Delivery, ...],
        new: tuple[Delivery, ...],
        failures: Sequence[ProviderFailure],
    ) -> OtpTicket:
        deliveries = (previous + new)[-MAX_DELIVERIES:]
        ticket = OtpTicket(
            id=ticket_id,
            phone=phone,
            issued_at=issued_at,
            expires_at=deliveries[-1].sent_at + self.policy.code_ttl,
            deliveries=deliveries,
            failures=tuple(failures),
        )
        return self._signer.sign(ticket)

    # ------------------------------------------------------------------ helpers
    def _order(self) -> list[str]:
        names = list(self._providers)
        if self.policy.selection is Selection.ORDER:
            return names
        weights = self.policy.weights

        def draw(name: str) -> float:
            # Efraimidis-Spirakis: sorting by u**(1/w) puts each provider first with probability w/sum(w).
            weight = weights.get(name, 1.0)
            return self._rng.random() ** (1.0 / weight) if weight > 0 else -1.0

        keys = {name: draw(name) for name in names}
        return sorted(names, key=lambda name: keys[name], reverse=True)

    def _ticket(self, ticket: OtpTicket | str) -> OtpTicket:
        return ticket if isinstance(ticket, OtpTicket) else self._signer.load(ticket)

    def _verdict(self, ticket: OtpTicket, outcome: VerifyOutcome, started: float | None = None) -> VerifyResult:
        self._emit(
            ev.GatewayEvent(
                ev.VERIFIED,
                provider=ticket.provider,
                ticket_id=ticket.id,
                outcome=outcome.value,
                elapsed_ms=None if started is None else _elapsed_ms(started),
            )
        )
        return VerifyResult(outcome, ticket.provider, ticket.id)

    def _breaker_moved(self, name: str, old: BreakerState, new: BreakerState) -> None:
        self._emit(ev.GatewayEvent(ev.BREAKER, provider=name, previous_state=old.value, state=new.value))


def _store_key(ticket_id: str, ref: str) -> str:
    return f"{ticket_id}.{ref}"
