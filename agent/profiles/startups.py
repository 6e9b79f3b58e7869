"""OpenSSH's ``MaxStartups start:rate:full`` rule: a profile setting, applied by agent.server.admission."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True)
class StartupRule:
    """``MaxStartups start:rate:full``."""

    start: int
    rate: int
    full: int

    @classmethod
    def parse(cls, text: str) -> StartupRule:
        parts = text.split(":")
        try:
            numbers = [int(p) for p in parts]
        except ValueError:
            raise ValueError(f"max-startups {text!r}: expected START:RATE:FULL (three integers)") from None
        if len(numbers) == 1:
            numbers = [numbers[0], 100, numbers[0]]
        if len(numbers) != 3:
            raise ValueError(f"max-startups {text!r}: expected START:RATE:FULL")
        start, rate, full = numbers
        if not (1 <= start <= full and 0 <= rate <= 100):
            raise ValueError(f"max-startups {text!r}: need 1 <= START <= FULL and 0 <= RATE <= 100")
        return cls(start, rate, full)

    def drop(self, count: int, chance: Callable[[], float]) -> bool:
        """Whether a new connection is dropped while ``count`` others are unauthenticated."""
        if count < self.start:
            return False
        if count >= self.full:
            return True
        p = self.rate + (100 - self.rate) * (count - self.start) / (self.full - self.start)
        return chance() * 100 < p
