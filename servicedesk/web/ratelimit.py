"""Failed-login throttling per client address and per account."""

from __future__ import annotations

import time
from collections import deque


class LoginThrottle:
    """Sliding window of failures. In-process: each app process counts its own
    (documented in docs/operations.md); good enough to stop online guessing."""

    def __init__(self, attempts: int, window_seconds: int) -> None:
        self.attempts = attempts
        self.window = window_seconds
        self._failures: dict[str, deque[float]] = {}

    def _recent(self, key: str, now: float) -> deque[float]:
        q = self._failures.setdefault(key, deque())
        while q and now - q[0] > self.window:
            q.popleft()
        return q

    def blocked(self, *keys: str) -> bool:
        now = time.monotonic()
        return any(len(self._recent(k, now)) >= self.attempts for k in keys)

    def fail(self, *keys: str) -> None:
        now = time.monotonic()
        for key in keys:
            self._recent(key, now).append(now)
        if len(self._failures) > 100_000:  # bound memory under a spray of addresses
            self._failures.clear()

    def succeed(self, *keys: str) -> None:
        for key in keys:
            self._failures.pop(key, None)
