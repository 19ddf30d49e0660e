"""Guide 000's status rules, every (status, action) pair checked against the spec."""

from __future__ import annotations

import itertools

import pytest

from tickets.domain.status import Status
from tickets.domain.transitions import TRANSITIONS, Action, IllegalTransition, next_status

W, P, A, F = Status.WAITING, Status.IN_PROGRESS, Status.AWAITING_CUSTOMER, Status.FINISHED
# The rules restated independently of the implementation; None means "refused (409)".
EXPECTED: dict[tuple[Status, Action], Status | None] = {
    (W, Action.START_WORK): P,
    (P, Action.START_WORK): None,
    (A, Action.START_WORK): P,
    (F, Action.START_WORK): None,
    (W, Action.AGENT_REPLY): A,
    (P, Action.AGENT_REPLY): A,
    (A, Action.AGENT_REPLY): A,
    (F, Action.AGENT_REPLY): None,
    (W, Action.CUSTOMER_REPLY): W,
    (P, Action.CUSTOMER_REPLY): P,
    (A, Action.CUSTOMER_REPLY): P,
    (F, Action.CUSTOMER_REPLY): None,  # the customer's reply reopens first (see the aggregate)
    (W, Action.FINISH): F,
    (P, Action.FINISH): F,
    (A, Action.FINISH): F,
    (F, Action.FINISH): None,
    (W, Action.REOPEN): None,
    (P, Action.REOPEN): None,
    (A, Action.REOPEN): None,
    (F, Action.REOPEN): W,
}


def test_the_spec_covers_every_pair() -> None:
    assert set(EXPECTED) == set(itertools.product(Status, Action))


@pytest.mark.parametrize(("status", "action"), sorted(EXPECTED, key=str))
def test_every_pair_moves_or_is_refused(status: Status, action: Action) -> None:
    expected = EXPECTED[(status, action)]
    if expected is None:
        with pytest.raises(IllegalTransition) as refused:
            next_status(status, action)
        assert (refused.value.status, refused.value.action) == (status, action)
    else:
        assert next_status(status, action) is expected


def test_the_table_holds_nothing_the_spec_does_not() -> None:
    assert {pair: target for pair, target in EXPECTED.items() if target is not None} == TRANSITIONS
