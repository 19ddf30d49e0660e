"""The accounts use cases: sign up, verify, log in and out, reset a password, resolve a credential."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterable, Sequence
from contextlib import asynccontextmanager, suppress
from dataclasses import dataclass
from datetime import timedelta
from uuid import UUID, uuid4

from psycopg import AsyncConnection
from psycopg_pool import AsyncConnectionPool

from gateway.accounts import access, store
from gateway.accounts.credentials import Passwords, digest, new_secret
from gateway.accounts.lookups import GroupLookup
from gateway.config import Settings
from gateway.domain import accounts as rules
from gateway.domain.principal import Principal, principal
from plumbing.errors import Invalid, ServiceError
from plumbing.logging import get_logger

log = get_logger(__name__)


@dataclass(frozen=True)
class LoggedIn:
    """A new browser session: its secrets go into cookies, only their digests into the database."""

    principal: Principal
    session: str
    csrf_token: str
    max_age_s: int


def refuse(problems: list[rules.Problem], reason: str = "invalid") -> None:
    """Raise a 422 naming every field at fault, when there is any."""
    if problems:
        raise Invalid(reason, errors=[{"field": p.field, "reason": p.reason} for p in problems])


def bad_token() -> Invalid:
    """The one answer for an unknown, used or expired one-time token."""
    return Invalid(
        "token_invalid_or_expired", errors=[{"field": "token", "reason": "token_invalid_or_expired"}]
    )


class Accounts:
    """Accounts over the gateway's own database; passwords hashed with argon2id in worker threads."""

    def __init__(self, pool: AsyncConnectionPool, settings: Settings, passwords: Passwords | None = None):
        self.pool = pool
        self.settings = settings
        self.passwords = passwords or Passwords()
        self.session_idle = timedelta(days=settings.session_idle_days)
        self.session_max = timedelta(days=settings.session_max_days)
        # Concurrent requests' credentials are looked up together (never cached: see lookups).
        self._sessions = GroupLookup(self._session_holders)
        self._tokens = GroupLookup(self._token_holders)

    @asynccontextmanager
    async def transaction(self) -> AsyncIterator[AsyncConnection]:
        """A connection inside one transaction: everything in it is written, or nothing."""
        async with self.pool.connection() as conn, conn.transaction():
            yield conn

    async def staff_members(self, ids: Iterable[str]) -> dict[str, Principal]:
        """Agents and admins by account id (ids that are not staff, or not ids at all, are left out)."""
        wanted = []
        for value in set(ids):
            with suppress(ValueError):
                wanted.append(UUID(value))
        if not wanted:
            return {}
        async with self.pool.connection() as conn:
            found = await store.staff_by_ids(conn, wanted)
        return {str(account.id): self.to_principal(account) for account in found}

    def link(self, page: str, secret: str) -> str:
        """A portal link carrying a one-time token in the fragment (kept out of logs and Referer)."""
        return f"{self.settings.public_url}/{page}#token={secret}"

    def to_principal(self, account: store.Account | access.Holder) -> Principal:
        """What routers see of an account."""
        departments = tuple(account.departments)
        return principal(
            str(account.id), account.kind, account.email, account.name, account.email_verified,
            departments, self.settings.departments,
        )  # fmt: skip

    async def _queue_link(
        self, conn: AsyncConnection, account: store.Account, purpose: str, template: str, language: str
    ) -> str:
        secret = new_secret()
        await store.drop_unused_tokens(conn, account.id, purpose)
        await store.add_one_time_token(
            conn, digest(secret), account.id, purpose, rules.TOKEN_LIFETIME[purpose]
        )
        link = self.link(purpose.replace("_", "-"), secret)
        await store.queue_email(conn, template, account.email, account.name, language, link)
        log.info(
            "accounts.email_queued", template=template, **({"link": link} if self.settings.dev_mode else {})
        )
        return link

    async def sign_up(self, name: str, email: str, password: str, language: str) -> str | None:
        """Register a customer and queue the verification mail; the link (for dev mode) or None.

        A registered address gets the same answer, at the same pace (the password is hashed either
        way); its owner is mailed instead, and nothing else changes.
        """
        name, email = rules.normalise_name(name), rules.normalise_email(email)
        refuse(rules.sign_up_problems(name, email, password))
        password_hash = await self.passwords.hash(password)
        async with self.transaction() as conn:
            if await store.insert_account(
                conn, uuid4(), "customer", email, name, password_hash, language=language
            ):
                account = await store.account_by_email(conn, email)
                assert account is not None
                return await self._queue_link(conn, account, rules.VERIFY_EMAIL, "verify_email", language)
            existing = await store.account_by_email(conn, email)
            assert existing is not None
            if existing.email_verified:
                await store.queue_email(conn, "account_exists", existing.email, existing.name, language, None)
                return None
            return await self._queue_link(conn, existing, rules.VERIFY_EMAIL, "account_exists", language)

    async def verify_email(self, token: str) -> None:
        """Spend a verification token; the account's address is verified from now on."""
        async with self.transaction() as conn:
            account_id = await store.use_one_time_token(conn, digest(token), rules.VERIFY_EMAIL)
            if account_id is None:
                raise bad_token()
            await store.mark_verified(conn, account_id)

    async def log_in(self, email: str, password: str) -> LoggedIn:
        """Open a session; the same refusal, after the same work, for an unknown address or a wrong password."""
        async with self.pool.connection() as conn:
            account = await store.account_by_email(conn, rules.normalise_email(email))
        matches = await self.passwords.verify(account.password_hash if account else None, password)
        if account is None or not matches:
            raise ServiceError("401", "invalid_credentials")
        rehashed = (
            await self.passwords.hash(password)
            if self.passwords.needs_rehash(account.password_hash)
            else None
        )
        session, csrf = new_secret(), new_secret()
        async with self.transaction() as conn:
            if rehashed:
                await store.set_password(conn, account.id, rehashed)
            await access.add_session(conn, digest(session), digest(csrf), account.id, self.session_max)
        return LoggedIn(self.to_principal(account), session, csrf, int(self.session_max.total_seconds()))

    async def request_reset(self, email: str, language: str) -> str | None:
        """Queue a reset link when the address has an account; the link (for dev mode) or None."""
        email = rules.normalise_email(email)
        refuse(rules.email_problems(email))
        async with self.transaction() as conn:
            account = await store.account_by_email(conn, email)
            if account is None:
                return None
            return await self._queue_link(conn, account, rules.RESET_PASSWORD, "reset_password", language)

    async def reset_password(self, token: str, password: str) -> None:
        """Spend a reset token: new password, address verified, every session and API token ended."""
        refuse(rules.password_problems(password))
        password_hash = await self.passwords.hash(password)
        async with self.transaction() as conn:
            account_id = await store.use_one_time_token(conn, digest(token), rules.RESET_PASSWORD)
            account = None if account_id is None else await store.account_by_id(conn, account_id)
            if account is None:
                raise bad_token()
            # Refused here, the transaction rolls back and the token stays unspent.
            refuse(rules.password_problems(password, account.email))
            await store.set_password(conn, account.id, password_hash)
            await store.mark_verified(conn, account.id)
            await store.drop_unused_tokens(conn, account.id, rules.RESET_PASSWORD)
            await access.drop_every_credential(conn, account.id)

    async def session(self, session: str) -> tuple[Principal, bytes] | None:
        """The principal of a live session and the digest of its CSRF token, or None."""
        holder = await self._sessions.get(digest(session))
        if holder is None or holder.csrf_hash is None:
            return None
        return self.to_principal(holder), holder.csrf_hash

    async def bearer(self, token: str) -> Principal | None:
        """The principal of a live API token, or None."""
        holder = await self._tokens.get(digest(token))
        return None if holder is None else self.to_principal(holder)

    async def _session_holders(self, id_hashes: Sequence[bytes]) -> dict[bytes, access.Holder]:
        async with self.pool.connection() as conn:
            return await access.session_holders(conn, id_hashes, self.session_idle)

    async def _token_holders(self, token_hashes: Sequence[bytes]) -> dict[bytes, access.Holder]:
        async with self.pool.connection() as conn:
            return await access.token_holders(conn, token_hashes)

    async def log_out(self, session: str) -> None:
        """End a browser session."""
        async with self.transaction() as conn:
            await access.drop_session(conn, digest(session))
