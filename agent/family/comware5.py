"""Comware 5 (3Com Switch 7900E / H3C S7500E era): the family of every profile today."""

from __future__ import annotations

from agent.family.spec import Family

COMWARE5 = Family("comware5")
