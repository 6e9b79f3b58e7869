"""Single-valued lines of the system feature (fleet config diff rules, agent/configrules.py)."""

from agent.configrules import DiffRules

RULES = DiffRules(
    single=("sysname",),
)
