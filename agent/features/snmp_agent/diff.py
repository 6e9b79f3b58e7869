"""sys-info values replace each other; a community is one object per name (fleet config diff rules, agent/configrules.py)."""

from agent.configrules import DiffRules, Keyed

RULES = DiffRules(
    single=("snmp-agent sys-info contact", "snmp-agent sys-info location"),
    keyed=(Keyed(r"^snmp-agent community (?:read|write) (\S+)$", "snmp-agent community {}"),),
)
