"""Port and VLAN-interface attributes set in place (fleet config diff rules, agent/configrules.py)."""

from agent.configrules import DiffRules

RULES = DiffRules(
    single=("description", "port access vlan", "port link-type", "port trunk pvid vlan", "port hybrid pvid vlan"),
)
