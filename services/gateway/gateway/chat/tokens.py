"""Resume tokens: what lets a customer's browser come back to its conversation (no account needed).

Signed with the gateway's secret (itsdangerous), so any replica can check one without a lookup.
A token names the conversation and the customer's address and is good for the resume window;
the socket hands out a fresh one while the customer is there, so the window runs from the last
time they were seen.
"""

from __future__ import annotations

from dataclasses import dataclass

from itsdangerous import BadSignature, URLSafeTimedSerializer


@dataclass(frozen=True)
class Visitor:
    """Who a resume token speaks for."""

    conversation_id: str
    email: str
    name: str


class ResumeTokens:
    """Mints and reads resume tokens."""

    def __init__(self, secret: str, window_s: float) -> None:
        self._serializer = URLSafeTimedSerializer(secret, salt="atende-chat-resume")
        self.window_s = window_s

    def mint(self, visitor: Visitor) -> str:
        """A token for ``visitor``, good for the window from now."""
        return str(self._serializer.dumps([visitor.conversation_id, visitor.email, visitor.name]))

    def read(self, token: str) -> Visitor | None:
        """The visitor of a valid, unexpired token; None otherwise (forged, altered, old)."""
        try:
            conversation_id, email, name = self._serializer.loads(token, max_age=int(self.window_s))
        except (BadSignature, ValueError, TypeError):
            return None
        return Visitor(str(conversation_id), str(email), str(name))
