"""A VLAN's name and description are replaced in place (fleet config diff rules, agent/configrules.py)."""

from agent.configrules import DiffRules

RULES = DiffRules(
    single=("name", "description"),
)
