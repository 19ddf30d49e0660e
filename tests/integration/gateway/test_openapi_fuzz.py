"""Schemathesis over the gateway's OpenAPI: no 5xx, and every answer documented and shaped as declared.

Every operation of the schema is fuzzed (valid and invalid inputs) as a customer, an agent and an admin
(anonymously when it takes no credential), against the whole of Atende on real NATS and PostgreSQL; then
stateful runs chain operations through the links Schemathesis infers (open a ticket, read it, reply...).
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import contextlib
import threading
from collections.abc import AsyncIterator, Callable, Coroutine, Iterator
from contextlib import AbstractAsyncContextManager, asynccontextmanager, contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

import httpx
import hypothesis
import pytest
import requests
import schemathesis
from imapclient import IMAPClient
from schemathesis.checks import not_a_server_error
from schemathesis.errors import FailureGroup
from schemathesis.generation.stateful.state_machine import StepInput, StepOutput
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)
from support import infra
from support.accounts import PASSWORD, verified_customer
from support.site import Site, running

from gateway.app import create_app
from gateway.config import DEPARTMENTS
from gateway.config import Settings as GatewaySettings
from mail_ingest.bootstrap import bootstrap as mail_ingest_bootstrap
from mail_ingest.config import Settings as MailIngestSettings

T = TypeVar("T")
CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance]
SEED = 9  # issue [9/9]: a fixed seed, so every run sends the same requests
CONFIG = schemathesis.Config.from_dict(
    {
        "seed": SEED,
        "generation": {
            "mode": "all",  # valid and invalid inputs: an invalid one must be a 4xx, never a 500
            "max-examples": 8,
            "deterministic": True,
            "database": "none",
            "with-security-parameters": False,  # credentials are ours: a real token per role
        },
        "phases": {
            "coverage": {"enabled": False},
            # Journeys of valid calls: an invalid one ends the chain (each call above also gets invalid data).
            "stateful": {"max-steps": 6, "generation": {"mode": "positive"}},
        },
    }
)
# The document the running gateway serves at /api/openapi.json (a test below checks they are the same);
# built here so that pytest collects one test per operation.
SCHEMA = schemathesis.openapi.from_dict(
    create_app(None, settings=GatewaySettings(chat_secret="fuzz")).openapi(),  # type: ignore[arg-type]
    config=CONFIG,
)
SETTINGS = hypothesis.settings(
    max_examples=8,
    derandomize=True,
    database=None,
    deadline=None,
    suppress_health_check=list(hypothesis.HealthCheck),
    # No shrinking: a failure is reported as found (shrinking replays against servers that remember).
    phases=[hypothesis.Phase.explicit, hypothesis.Phase.generate],
)
ROLES = ("customer", "agent", "admin")
# Calls that may end the credential they were made with (log out, revoke a token): checked afterwards.
REVOKING = frozenset({("DELETE", "/api/v1/session"), ("DELETE", "/api/v1/tokens/{token_id}")})


@dataclass
class Atende:
    """The running Atende as the fuzzer sees it: its URL and a live bearer token per role."""

    url: str
    renew: Callable[[str], str]  # role → a new token (log in with the password, create a token)
    tokens: dict[str, str] = field(default_factory=dict)
    session: requests.Session = field(default_factory=requests.Session)

    def headers(self, role: str | None) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.tokens[role]}"} if role else {}

    def roles(self, operation: schemathesis.APIOperation) -> tuple[str | None, ...]:
        """Every role for an operation that reads a credential; none (anonymous) for the others."""
        return ROLES if operation.definition.raw.get("security") else (None,)

    def role_for(self, operation: schemathesis.APIOperation) -> str | None:
        """The role whose operation this is, by its path (for the stateful journeys)."""
        if not operation.definition.raw.get("security"):
            return None
        path = operation.path
        return "admin" if path.startswith("/api/v1/admin/") else "agent" if "/agent/" in path else "customer"

    def call(self, case: schemathesis.Case, role: str | None) -> None:
        """Send the case as ``role`` and run the checks; a failure names the role."""
        try:
            case.call_and_validate(
                base_url=self.url, session=self.session, headers=self.headers(role), checks=CHECKS
            )
        except BaseException as failed:
            failed.add_note(f"sent as: {role or 'anonymous'}")
            raise
        finally:
            if role and (case.method.upper(), case.path) in REVOKING:
                self.keep_alive(role)

    def keep_alive(self, role: str) -> None:
        """Replace the role's token if the call just ended it (it revoked itself, or logged out)."""
        me = self.session.get(f"{self.url}/api/v1/me", headers=self.headers(role), timeout=10)
        if me.status_code == 401:
            self.tokens[role] = self.renew(role)


@contextmanager
def on_own_loop(
    context: AbstractAsyncContextManager[T],
) -> Iterator[tuple[T, Callable[[Coroutine[Any, Any, Any]], Any]]]:
    """Hold ``context`` open on an event loop in a thread of its own, for tests that block (requests, Hypothesis).

    Yields its value and a function that runs a coroutine on that loop and waits for its result.
    """
    loop = asyncio.new_event_loop()
    entered: concurrent.futures.Future[T] = concurrent.futures.Future()
    stop = asyncio.Event()

    async def hold() -> None:
        try:
            async with context as value:
                entered.set_result(value)
                await stop.wait()
        except BaseException as failed:
            if not entered.done():
                entered.set_exception(failed)
            raise

    def run(coroutine: Coroutine[Any, Any, Any]) -> Any:
        return asyncio.run_coroutine_threadsafe(coroutine, loop).result(timeout=60)

    thread = threading.Thread(target=loop.run_until_complete, args=(hold(),), name="atende", daemon=True)
    thread.start()
    try:
        yield entered.result(timeout=120), run
    finally:
        loop.call_soon_threadsafe(stop.set)
        thread.join(timeout=60)
        loop.close()


async def _bearer(url: str, email: str) -> str:
    """Log in with the tests' password and create an API token."""
    async with httpx.AsyncClient(base_url=url) as client:
        session = await client.post("/api/v1/session", json={"email": email, "password": PASSWORD})
        assert session.status_code == 200, session.text
        client.headers["X-CSRF-Token"] = session.json()["csrf_token"]
        created = await client.post("/api/v1/tokens", json={"name": "fuzz"})
        assert created.status_code == 201, created.text
        return str(created.json()["token"])


async def _accounts(site: Site) -> dict[str, str]:
    """A verified customer, an agent of one department and an admin; their emails by role."""
    emails = {"customer": "maria@example.com", "agent": "ana@atende.test", "admin": "rui@atende.test"}
    async with httpx.AsyncClient(base_url=site.url) as client:
        await verified_customer(client, emails["customer"])
    await site.agent(emails["agent"], "Ana Agente", DEPARTMENTS[2])
    await site.agent(emails["admin"], "Rui Admin", *DEPARTMENTS, kind="admin")
    return emails


@asynccontextmanager
async def _whole(root: Path, servers: infra.Session) -> AsyncIterator[Site]:
    """Every service, mail-ingest too (the admins' mail answers 503 without it), on a mailbox of its own."""
    mail, folder = servers.mail, f"fuzz{root.name}"
    with IMAPClient(mail.imap_host, port=mail.imap_port, ssl=False, timeout=10) as imap:
        imap.login(mail.imap_user, mail.imap_password)
        imap.create_folder(folder)
    postgres_url = servers.database("fuzz")
    # No rate limits: the fuzzer sends more than any person would (a 429 would hide the answers).
    async with running(root, postgres_url, servers.s3, mail, rate_limits=False) as site:
        ingest = MailIngestSettings(
            nats_url=site.nats_url,
            postgres_url=postgres_url,
            ops_port=None,
            imap_host=mail.imap_host,
            imap_port=mail.imap_port,
            imap_user=mail.imap_user,
            imap_password=mail.imap_password,
            imap_mailbox=folder,
        )
        async with mail_ingest_bootstrap(ingest):
            yield site


@pytest.fixture(scope="module")
def atende(servers: infra.Session, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Atende]:
    """The whole of Atende on real NATS and PostgreSQL, with a live API token per role."""
    with on_own_loop(_whole(tmp_path_factory.mktemp("fuzz"), servers)) as (site, run):
        emails = run(_accounts(site))
        fuzzed = Atende(site.url, lambda role: str(run(_bearer(site.url, emails[role]))))
        fuzzed.tokens = {role: fuzzed.renew(role) for role in ROLES}
        yield fuzzed
        fuzzed.session.close()


def test_the_fuzzed_schema_is_the_one_served(atende: Atende) -> None:
    served = atende.session.get(f"{atende.url}/api/openapi.json", timeout=10)
    assert served.status_code == 200
    assert served.json() == SCHEMA.raw_schema


@SCHEMA.parametrize()
@SETTINGS
def test_every_operation_answers_as_documented(case: schemathesis.Case, atende: Atende) -> None:
    for role in atende.roles(case.operation):
        atende.call(case, role)


def test_journeys_answer_as_documented(atende: Atende) -> None:
    """Stateful: each answer feeds the next call (a ticket opened, then read, replied, moved, rated...).

    The links between operations are the ones Schemathesis infers from the schema (POST /api/v1/tickets
    answers an ``id`` that GET /api/v1/tickets/{ticket_id} takes, and so on); each call goes as the role
    whose path it is. Failures are collected rather than raised: Hypothesis replays a failing sequence,
    and the servers, which remember the first run, answer the replay differently (it calls that flaky).
    """
    failures: dict[str, str] = {}  # "operation: check" → the report (with a curl to reproduce)
    followed: set[str] = set()  # links whose call was answered with a 2xx

    # The tickets' operations, customers' and agents': where the links are (the rest is fuzzed above).
    tickets = SCHEMA.include(path_regex=r"^/api/v1/(agent/)?tickets")

    class Journeys(tickets.as_state_machine()):  # type: ignore[misc]
        def get_call_kwargs(self, case: schemathesis.Case) -> dict[str, Any]:
            role = atende.role_for(case.operation)
            return {"base_url": atende.url, "session": atende.session, "headers": atende.headers(role)}

        def step(self, input: StepInput) -> StepOutput:
            output = super().step(input)
            if input.transition is not None and input.is_applied and output.response.status_code < 300:
                followed.add(input.transition.id)
            return output

        def validate_response(self, response: Any, case: schemathesis.Case, *_: Any, **kwargs: Any) -> None:
            try:
                case.validate_response(response, checks=CHECKS, transport_kwargs=kwargs)
            except FailureGroup as failed:
                for failure in failed.exceptions:
                    failures.setdefault(f"{case.operation.label}: {failure.title}", str(failed))

        def after_call(self, response: Any, case: schemathesis.Case) -> None:
            super().after_call(response, case)
            role = atende.role_for(case.operation)
            if role and (case.method.upper(), case.path) in REVOKING:
                atende.keep_alive(role)

    # Hypothesis may find the servers' state made it draw differently on a replay: what ran still counts.
    with contextlib.suppress(hypothesis.errors.Flaky):
        Journeys.run(settings=hypothesis.settings(SETTINGS, max_examples=40, stateful_step_count=6))
    assert not failures, "\n\n".join(failures.values())
    assert len(followed) >= 3, followed  # the journeys went beyond single calls


OVERLONG = "x" * 201  # the services take ids of up to 200 characters


@pytest.mark.parametrize(
    ("role", "method", "path", "body"),
    [
        # Not UTF-8: FastAPI's bare 400, undocumented; now the 422 that malformed JSON gets.
        (None, "POST", "/api/v1/session", b"\xff\xfe{"),
        ("customer", "POST", "/api/v1/tickets", {"subject": "a", "description": "b", "attachment_ids": [""]}),
        ("agent", "PUT", "/api/v1/agent/tickets/1/assignee", {"agent_id": "", "expected_version": 1}),
        # NUL reached PostgreSQL (files, tickets, chat, the gateway's own accounts): a 500 there.
        (
            "customer",
            "POST",
            "/api/v1/tickets",
            {"subject": "a", "description": "b", "attachment_ids": ["\x00"]},
        ),
        ("agent", "GET", "/api/v1/agent/tickets?q=a%00b", None),
        ("agent", "GET", "/api/v1/agent/tickets?department=a%00b", None),
        ("agent", "GET", "/api/v1/agent/tickets?assignee=a%00b", None),
        ("agent", "GET", "/api/v1/agent/chats?q=a%00b", None),
        ("agent", "GET", "/api/v1/agent/chats?customer_email=maria", None),
        (None, "POST", "/api/v1/session", {"email": "a\x00@example.com", "password": "x"}),
        ("customer", "POST", "/api/v1/tokens", {"name": "a\x00"}),
        # An offset past PostgreSQL's bigint.
        ("admin", "GET", f"/api/v1/admin/mail?offset={10**25}", None),
        ("agent", "GET", f"/api/v1/agent/tickets?offset={10**25}", None),
        ("customer", "GET", f"/api/v1/tickets/{OVERLONG}", None),
        ("agent", "POST", f"/api/v1/agent/tickets/{OVERLONG}/notes", {"body": "nota"}),
        ("customer", "GET", f"/api/v1/chat/conversations/{OVERLONG}", None),
        ("agent", "GET", f"/api/v1/agent/chats/{OVERLONG}", None),
        (None, "GET", f"/api/v1/chat/conversations/c/attachments/{OVERLONG}", None),
    ],
)
def test_what_the_fuzzer_found_is_a_422(
    atende: Atende, role: str | None, method: str, path: str, body: bytes | dict[str, Any] | None
) -> None:
    """Each was a 500 or an undocumented 400: a command that could not be built, a value PostgreSQL refused."""
    sent = {"data": body} if isinstance(body, bytes) else {"json": body} if body is not None else {}
    headers = atende.headers(role) | {"Content-Type": "application/json"}
    answer = atende.session.request(method, atende.url + path, headers=headers, timeout=10, **sent)
    assert answer.status_code == 422, answer.text
    assert answer.json()["error"] == "invalid"
    assert answer.json()["fields"], answer.text
