"""Local users and the user interface: attributes set in place (fleet config diff rules, agent/configrules.py)."""

from agent.configrules import DiffRules

RULES = DiffRules(
    single=("password", "authorization-attribute level", "level", "state", "authentication-mode", "user privilege level", "protocol inbound", "idle-timeout"),
)
