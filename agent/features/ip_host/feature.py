"""Static host names (`ip host`): state, commands, display, configuration after the interfaces."""

from agent.cli.family import ConfigSection, Feature
from agent.features.ip_host import commands, config, display

FEATURE = Feature("ip_host", (commands.COMMANDS, display.COMMANDS), sections=(ConfigSection(650, config.ip_hosts),))
