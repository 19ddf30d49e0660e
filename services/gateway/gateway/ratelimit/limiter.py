"""The limiter: the configured rules, counted in the gateway's database (one statement per check)."""

from __future__ import annotations

import random
from dataclasses import dataclass

from psycopg import AsyncConnection
from psycopg_pool import AsyncConnectionPool

from gateway.config import Settings
from gateway.domain.limits import Network, Rule, address_key, networks, retry_after
from gateway.ratelimit import store
from plumbing.errors import ServiceError
from plumbing.logging import get_logger

log = get_logger(__name__)
HOUR, MINUTE = 3600.0, 60.0
# About one check in this many also sweeps away the rows that no longer matter.
SWEEP_ONE_IN = 500

SIGN_UP, PASSWORD_RESET, LOG_IN = "sign_up", "password_reset", "log_in"
TICKET, REPLY, CHAT, OFFLINE_MESSAGE, RATING = "ticket", "reply", "chat", "offline_message", "rating"


class RateLimited(ServiceError):
    """429: too many requests; ``retry_after_s`` goes into the Retry-After header."""

    def __init__(self, wait_s: float) -> None:
        super().__init__("429", "rate_limited", {"retry_after_s": retry_after(wait_s)})


def rules(settings: Settings) -> dict[str, Rule]:
    """Every rule by name, from the settings (all off when RATE_LIMITS is false)."""
    found = {
        SIGN_UP: Rule(SIGN_UP, settings.sign_ups_per_ip_hour, HOUR),
        PASSWORD_RESET: Rule(PASSWORD_RESET, settings.password_resets_per_ip_hour, HOUR),
        LOG_IN: Rule(LOG_IN, settings.logins_per_ip_minute, MINUTE),
        TICKET: Rule(TICKET, settings.tickets_per_customer_hour, HOUR),
        REPLY: Rule(REPLY, settings.replies_per_customer_hour, HOUR),
        CHAT: Rule(CHAT, settings.chats_per_ip_hour, HOUR),
        OFFLINE_MESSAGE: Rule(OFFLINE_MESSAGE, settings.offline_messages_per_ip_hour, HOUR),
        RATING: Rule(RATING, settings.ratings_per_ip_hour, HOUR),
    }
    return {name: rule for name, rule in found.items() if settings.rate_limits and rule.enabled}


@dataclass(frozen=True)
class LoginAttempt:
    """A log-in let through: report how it went (the keys it counts against are kept here)."""

    limiter: Limiter
    account_key: str
    ip_key: str
    had_failures: bool

    async def failed(self) -> None:
        """Wrong email or password: one more failure for the account and for the IP."""
        pairs = [
            (f"login:account:{self.account_key}", self.limiter.failures_per_account),
            (f"login:ip:{self.ip_key}", self.limiter.failures_per_ip),
        ]
        counted = [(key, limit) for key, limit in pairs if limit > 0]
        if not counted:
            return
        keys, thresholds = zip(*counted, strict=True)
        async with self.limiter.pool.connection() as conn:
            await store.record_failure(conn, keys, thresholds, self.limiter.window_s)

    async def succeeded(self) -> None:
        """Logged in: the account's failures are forgotten (the IP's stay: it may be shared)."""
        if self.had_failures:
            async with self.limiter.pool.connection() as conn:
                await store.forget_failures(conn, f"login:account:{self.account_key}")


class Limiter:
    """The rules in force and the database that counts them (the same one for every replica)."""

    def __init__(self, pool: AsyncConnectionPool, settings: Settings) -> None:
        self.pool = pool
        self.rules = rules(settings)
        self.trusted: tuple[Network, ...] = networks(settings.trusted_proxies)
        on = settings.rate_limits
        self.failures_per_account = settings.login_failures_per_account if on else 0
        self.failures_per_ip = settings.login_failures_per_ip if on else 0
        self.window_s = settings.login_failure_window_s

    async def check(self, rule_name: str, key: str) -> None:
        """Count a request against ``key`` under the rule; RateLimited once over it (nothing else is done)."""
        rule = self.rules.get(rule_name)
        if rule is None:
            return
        async with self.pool.connection() as conn:
            hit = await store.hit(conn, f"{rule.name}:{key}", rule.interval_s, rule.tolerance_s)
            await self._maybe_sweep(conn)
        if not hit.allowed:
            log.info("ratelimit.refused", rule=rule.name, retry_after_s=retry_after(hit.wait_s))
            raise RateLimited(hit.wait_s)

    async def check_login(self, ip: str, account_key: str) -> LoginAttempt | None:
        """Before checking a password: the IP's budget and any block on the account or the IP.

        None when no login limit is on. Unknown and known emails are counted alike.
        """
        rule = self.rules.get(LOG_IN)
        if rule is None and not self.failures_per_account and not self.failures_per_ip:
            return None
        ip_key = address_key(ip)
        keys = [f"login:account:{account_key}", f"login:ip:{ip_key}"]
        address_rule = (f"{LOG_IN}:{ip_key}", rule.interval_s, rule.tolerance_s) if rule else None
        async with self.pool.connection() as conn:
            found = await store.check_login(conn, address_rule, keys, keys[0], self.window_s)
            await self._maybe_sweep(conn)
        if not found.hit.allowed or found.blocked_s > 0:
            wait = max(found.blocked_s, 0.0 if found.hit.allowed else found.hit.wait_s)
            log.info("ratelimit.login_refused", retry_after_s=retry_after(wait))
            raise RateLimited(wait)
        return LoginAttempt(self, account_key, ip_key, found.email_failures > 0)

    async def _maybe_sweep(self, conn: AsyncConnection) -> None:
        if random.randrange(SWEEP_ONE_IN) == 0:
            await store.sweep(conn, self.window_s)
