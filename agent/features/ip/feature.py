"""IP on VLAN interfaces: `ip address` (written in the interface's section) and `display ip interface`."""

from agent.cli.family import Feature
from agent.features.ip import commands, display

FEATURE = Feature("ip", (commands.COMMANDS, display.COMMANDS))
