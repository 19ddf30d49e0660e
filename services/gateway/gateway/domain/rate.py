"""A token bucket: at most ``burst`` at once, refilled at ``per_s``; flooding gets refused, not queued."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass
class Bucket:
    """Allows bursts up to ``burst`` and a steady ``per_s``; the caller passes the clock."""

    burst: float
    per_s: float
    tokens: float = field(default=-1.0)
    at: float = 0.0

    def take(self, now: float) -> bool:
        """Spend one token if there is one."""
        if self.tokens < 0:
            self.tokens, self.at = self.burst, now
        self.tokens = min(self.burst, self.tokens + (now - self.at) * self.per_s)
        self.at = now
        if self.tokens < 1:
            return False
        self.tokens -= 1
        return True
