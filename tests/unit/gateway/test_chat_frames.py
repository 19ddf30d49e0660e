"""What a customer's socket may see of chat's live frames."""

from __future__ import annotations

from datetime import UTC, datetime

from contracts.chat import ChatLiveFrameV1, ConversationStatus, ConversationSummary
from gateway.chat.frames import for_customer


def summary(status: ConversationStatus, **more: object) -> ConversationSummary:
    values: dict[str, object] = {
        "conversation_id": "c1",
        "status": status,
        "department": "Suporte",
        "customer_email": "rita@example.com",
        "customer_name": "Rita",
        "question": "Oi",
        "requested_at": datetime(2026, 11, 22, tzinfo=UTC),
        "last_seq": 1,
    }
    return ConversationSummary.model_validate(values | more)


def test_a_late_place_in_the_queue_never_turns_an_active_chat_back_to_queued() -> None:
    place = ChatLiveFrameV1(
        conversation_id="c1",
        kind="status",
        conversation=summary(ConversationStatus.QUEUED, queue_position=2, estimated_wait_s=90),
    )
    assert for_customer("c1", place) == {"type": "queue", "position": 2, "estimated_wait_s": 90}


def test_a_real_change_of_status_is_shown_without_the_agents_account_id() -> None:
    accepted = ChatLiveFrameV1(
        conversation_id="c1",
        kind="status",
        conversation=summary(ConversationStatus.ACTIVE, agent_id="acc-9", agent_name="Ana"),
    )
    shown = for_customer("c1", accepted)
    assert shown is not None and shown["type"] == "status"
    assert shown["conversation"]["agent_name"] == "Ana" and "agent_id" not in shown["conversation"]


def test_other_customers_are_invisible() -> None:
    queue = ChatLiveFrameV1(
        kind="queue",
        department="Suporte",
        queue=[summary(ConversationStatus.QUEUED, conversation_id="other", queue_position=1)],
    )
    assert for_customer("c1", queue) is None
    other = ChatLiveFrameV1(
        conversation_id="other", kind="status", conversation=summary(ConversationStatus.CLOSED)
    )
    assert for_customer("c1", other) is None
