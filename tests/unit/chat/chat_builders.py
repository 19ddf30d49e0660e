"""Conversations in a known state, for the chat unit tests."""

from __future__ import annotations

from datetime import datetime

from chat.domain.conversation import Conversation

EMAIL = "maria@example.com"


def queued(at: datetime, request_id: str = "r-1") -> Conversation:
    """A chat just started in Suporte."""
    return Conversation.start(request_id, "Suporte", EMAIL, "Maria", "Não consigo emitir a nota", at)


def active(at: datetime, agent: str = "ana") -> Conversation:
    """A chat accepted by ``agent``."""
    conversation = queued(at)
    conversation.accept(agent, agent.title(), at)
    return conversation
