"""Interfaces: Ethernet ports (link type, VLAN membership) and VLAN interfaces; `display interface`."""

from agent.cli.family import ConfigSection, Feature
from agent.features.interfaces import commands, config, display

FEATURE = Feature("interfaces", (commands.COMMANDS, display.COMMANDS), sections=(ConfigSection(600, config.interfaces),))
