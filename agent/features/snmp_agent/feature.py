"""SNMP agent: `snmp-agent` settings (the agent itself is agent/snmp) and `display snmp-agent sys-info`."""

from agent.cli.family import ConfigSection, Feature
from agent.features.snmp_agent import commands, config, display

FEATURE = Feature("snmp_agent", (commands.COMMANDS, display.COMMANDS), sections=(ConfigSection(700, config.snmp_agent),))
