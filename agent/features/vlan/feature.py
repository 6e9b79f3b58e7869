"""VLANs: `vlan N` (name, description, access ports) and `display vlan`."""

from agent.cli.family import ConfigSection, Feature
from agent.features.vlan import commands, config, display

FEATURE = Feature("vlan", (commands.COMMANDS, display.COMMANDS), sections=(ConfigSection(400, config.vlans),))
