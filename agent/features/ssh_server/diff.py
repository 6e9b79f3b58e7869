"""SSH server timers replace each other; an `ssh user` line is one object per user (fleet config diff rules, agent/configrules.py)."""

from agent.configrules import DiffRules, Keyed

RULES = DiffRules(
    single=("ssh server authentication-timeout", "ssh server authentication-retries", "ssh server rekey-interval"),
    keyed=(Keyed(r"^ssh user (\S+) ", "ssh user {}"),),
)
