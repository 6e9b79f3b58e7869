"""One address per host name: a new address replaces the old one; `undo ip host NAME` removes it."""

from agent.configrules import DiffRules, Keyed

RULES = DiffRules(keyed=(Keyed(r"^ip host (\S+) ", "ip host {}"),))
