"""Save and reboot: the running configuration to flash and back (no configuration of their own)."""

from agent.cli.family import Feature
from agent.features.save_reboot import commands

FEATURE = Feature("save_reboot", (commands.COMMANDS,))
