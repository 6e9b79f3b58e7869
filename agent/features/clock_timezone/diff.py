"""One zone per device: a new `clock timezone` replaces the old one; `undo clock timezone` takes no value."""

from agent.configrules import DiffRules

RULES = DiffRules(single=("clock timezone",))
