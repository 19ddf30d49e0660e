"""One NATS subscription per live subject in a gateway process, shared by every socket that follows it."""

from __future__ import annotations

from typing import Any

from support.waiting import eventually

from contracts import Envelope
from contracts.chat import ChatLiveFrameV1
from gateway.chat.live import Hub, Link
from plumbing.bus import Bus


def link(hub: Hub) -> Link:
    return Link(hub, websocket=None, render=lambda frame: {"kind": frame.kind})  # type: ignore[arg-type]


def sent(link: Link) -> list[dict[str, Any]]:
    return list(link.outbox._queue)  # type: ignore[attr-defined]


async def test_sockets_on_one_subject_share_one_subscription_and_each_gets_every_frame(bus: Bus) -> None:
    hub = Hub(bus)
    customer, agent = link(hub), link(hub)
    subject = "atende.chat.live.conversation.hub-test"
    await customer.listen(subject)
    await agent.listen(subject)
    await agent.listen(subject)  # asking twice changes nothing
    assert len(hub._subscriptions) == 1
    await bus.nc.publish(
        subject, Envelope.wrap(ChatLiveFrameV1(conversation_id="x", kind="typing")).to_bytes()
    )
    await eventually(lambda: sent(customer) == sent(agent) == [{"kind": "typing"}])

    await customer.close()
    assert len(hub._subscriptions) == 1, "the agent still follows it"
    await agent.close()
    assert hub._subscriptions == {} and hub._links == {}
