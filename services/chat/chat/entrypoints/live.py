"""Live frames on core NATS, published after a change is committed (and in the views).

At most once: a frame lost on the way costs nothing, because every entry carries its sequence
number and a client that sees a gap asks ``GetConversationV1(after_seq=…)`` for exactly the gap.
"""

from __future__ import annotations

import asyncio
import itertools
import json
import uuid
from collections.abc import Iterable
from datetime import UTC, datetime
from typing import Any

from prometheus_client import Gauge

from chat import wire
from chat.changes import Outcome
from chat.domain.conversation import Conversation
from chat.domain.entries import Entry, entry_of
from chat.views.queries import ChatQueries
from contracts.chat import ChatLiveFrameV1, ConversationSummary
from contracts.subjects import chat_live_agent, chat_live_conversation, chat_live_queue
from plumbing.bus import Bus
from plumbing.logging import get_logger

log = get_logger(__name__)
QUEUE_WAITING = Gauge(
    "atende_chat_queue_waiting", "Customers waiting in a department's queue.", ["department"]
)
# Frames are not deduplicated anywhere: a process prefix and a counter make unique ids without uuid4's cost.
_PREFIX = f"chat-live-{uuid.uuid4().hex[:12]}-"
_IDS = itertools.count()
# Events after which the conversation's own sockets get its summary (status, agent) again.
_STATUS = (
    Conversation.Accepted,
    Conversation.Transferred,
    Conversation.Closed,
    Conversation.Abandoned,
    Conversation.OfflineMessageLeft,
)


def _queue_changed(event: Any) -> str | None:
    """The department whose queue this event changed, if any."""
    if isinstance(event, Conversation.Queued | Conversation.Accepted | Conversation.OfflineMessageLeft):
        return str(event.department)
    if isinstance(event, Conversation.Closed | Conversation.Abandoned) and event.agent_id is None:
        return str(event.department)  # it ended while still queued
    return None


def _handed_to(event: Any) -> str | None:
    """The agent a chat was just given to without asking for it (a transfer, an auto-assignment)."""
    if isinstance(event, Conversation.Transferred):
        return event.to_agent_id
    if isinstance(event, Conversation.Accepted) and event.auto:
        return str(event.agent_id)
    return None


class LiveFrames:
    """Publishes entry, status, agent and queue frames for what a batch committed."""

    def __init__(self, bus: Bus, queries: ChatQueries) -> None:
        self.bus = bus
        self.queries = queries
        self._departments: set[str] = set()
        self._queues: asyncio.Task[None] | None = None

    async def committed(self, outcomes: list[tuple[Outcome, str | None]]) -> None:
        """Frames for one committed batch, in the order things happened."""
        departments: set[str] = set()
        for outcome, correlation in outcomes:
            conversation = str(outcome.summary.conversation_id)
            subject = chat_live_conversation(conversation)
            status = False
            for event in outcome.events:
                entry = entry_of(event)
                if entry is not None:
                    await self._publish(subject, entry_frame(conversation, entry), correlation)
                status = status or isinstance(event, _STATUS)
                if (department := _queue_changed(event)) is not None:
                    departments.add(department)
                if (agent := _handed_to(event)) is not None:
                    await self.send(chat_live_agent(agent), self._status(outcome), correlation)
            if status:
                await self.send(subject, self._status(outcome), correlation)
        if departments:
            self.queue_changed(departments)

    def queue_changed(self, departments: Iterable[str]) -> None:
        """Publish these departments' queues soon (coalesced: one query for many changes)."""
        self._departments.update(departments)
        if self._queues is None or self._queues.done():
            self._queues = asyncio.create_task(self._publish_queues(), name="chat-queue-frames")

    async def stop(self) -> None:
        """Let the queue frames in hand go out."""
        if self._queues is not None:
            await asyncio.gather(self._queues, return_exceptions=True)

    async def send(self, subject: str, frame: ChatLiveFrameV1, correlation: str | None = None) -> None:
        """Publish one frame on core NATS (no acknowledgement: gap-fill covers a loss)."""
        await self._publish(subject, frame.model_dump(mode="json"), correlation)

    async def _publish(self, subject: str, data: dict[str, Any], correlation: str | None) -> None:
        try:
            await self.bus.nc.publish(subject, envelope_bytes(data, correlation))
        except Exception as exc:
            log.debug("chat.frame_lost", subject=subject, error=repr(exc))

    async def _publish_queues(self) -> None:
        while self._departments:
            departments, self._departments = sorted(self._departments), set()
            try:
                queued = await self.queries.queue(departments)
            except Exception as exc:
                log.warning("chat.queue_frames_failed", error=repr(exc))
                continue
            by_department: dict[str, list[ConversationSummary]] = {
                department: [] for department in departments
            }
            for summary in queued:
                by_department[summary.department].append(summary)
            for department, queue in by_department.items():
                # As this replica last published it (replicas take turns, so take the newest sample).
                QUEUE_WAITING.labels(department).set(len(queue))
                frame = ChatLiveFrameV1(kind="queue", department=department, queue=queue)
                await self.send(chat_live_queue(department), frame)
                # Each waiting customer gets their own place and wait, on their conversation's subject.
                for summary in queue:
                    own = ChatLiveFrameV1(
                        conversation_id=summary.conversation_id, kind="status", conversation=summary
                    )
                    await self.send(chat_live_conversation(summary.conversation_id), own)

    @staticmethod
    def _status(outcome: Outcome) -> ChatLiveFrameV1:
        summary = wire.summary(outcome.summary)
        return ChatLiveFrameV1(conversation_id=summary.conversation_id, kind="status", conversation=summary)


def entry_frame(conversation: str, entry: Entry) -> dict[str, Any]:
    """An entry frame's body (``ChatLiveFrameV1``), built straight from the domain's entry.

    The hot path: one per message. Its content is ours and already valid, so it skips the model's
    validation; a unit test keeps it equal to what the model would produce.
    """
    fields = dict(vars(entry))
    fields["at"] = entry.at.isoformat()
    return {"conversation_id": conversation, "kind": "entry", "entry": fields}


def envelope_bytes(data: dict[str, Any], correlation: str | None) -> bytes:
    """A live frame's envelope on the wire (``contracts.Envelope`` of a ``ChatLiveFrameV1``)."""
    message_id = f"{_PREFIX}{next(_IDS)}"
    envelope = {
        "message_id": message_id,
        "type": ChatLiveFrameV1.TYPE,
        "version": ChatLiveFrameV1.VERSION,
        "occurred_at": datetime.now(UTC).isoformat(),
        "correlation_id": correlation or message_id,
        "causation_id": None,
        "data": data,
    }
    return json.dumps(envelope, ensure_ascii=False, separators=(",", ":")).encode()
