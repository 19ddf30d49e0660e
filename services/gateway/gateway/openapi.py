"""The error body every refusal has, and the ``responses=`` that document it on a route."""

from __future__ import annotations

from typing import Annotated, Any

from pydantic import BaseModel, Field, StringConstraints

# PostgreSQL text cannot hold NUL: free text that reaches a query says so here (a 422), not as a 500 behind.
NO_NUL = r"^[^\x00]*$"
# An id a client sends back (all are UUIDs): as long as the services take one, printable ASCII. A longer,
# empty or NUL-bearing one was a 500 (the command could not be built, or PostgreSQL refused it).
ApiId = Annotated[str, StringConstraints(min_length=1, max_length=200, pattern=r"^[\x21-\x7e]+$")]
# Paging: a larger offset overflowed PostgreSQL's OFFSET (a bigint) into a 500; no list comes near it.
MAX_OFFSET = 1_000_000_000


class FieldError(BaseModel):
    """One field at fault."""

    field: str = Field(
        examples=["password"], description="Dotted path of the field (query./path. for parameters)."
    )
    reason: str = Field(examples=["password_too_short"], description="Stable reason code.")
    limit: int | str | None = Field(default=None, description="The limit broken, when one was (e.g. bytes).")
    message: str = Field(description="The reason in the reader's language (Accept-Language: pt-BR or en).")


class ErrorBody(BaseModel):
    """Every 4xx and 5xx answer."""

    error: str = Field(examples=["invalid"], description="Stable reason code.")
    message: str = Field(description="What went wrong, in pt-BR or English by Accept-Language.")
    fields: list[FieldError] | None = Field(default=None, description="The fields at fault, when any.")
    retry_after_s: int | None = Field(
        default=None, description="429 `rate_limited`: seconds to wait, as in the Retry-After header."
    )
    current: dict[str, Any] | None = Field(
        default=None, description="409 `stale_version`: the resource as it is now, to review before retrying."
    )


_MEANING = {
    401: "`unauthorized`: no credential, or an unknown, expired or revoked one.",
    403: "`forbidden`: this account may not do this; `csrf_failed`: a cookie request without a matching X-CSRF-Token.",
    404: "`not_found`.",
    409: "`conflict`.",
    422: "`invalid` or a more precise code; `fields` names each field at fault and why.",
    429: "`rate_limited`: too many requests; try again after Retry-After seconds (also `retry_after_s`).",
    503: "`unavailable`: a dependency is down; try again later (Retry-After).",
    504: "`timeout`: the service behind took too long; try again.",
}


def documented(*codes: int, **reasons: str) -> dict[int | str, dict[str, Any]]:
    """``responses=`` for a route: each status with the shared body; ``reasons`` (``e401="..."``) override."""
    return {
        code: {"model": ErrorBody, "description": reasons.get(f"e{code}", _MEANING.get(code, "Refused."))}
        for code in codes
    }
