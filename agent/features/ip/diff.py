"""One IP address per VLAN interface (fleet config diff rules, agent/configrules.py)."""

from agent.configrules import DiffRules

RULES = DiffRules(
    single=("ip address",),
)
