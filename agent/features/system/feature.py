"""System: sysname, views, paging, `display version|clock|device|users|history-command|...-configuration`."""

from agent.cli.family import ConfigSection, Feature
from agent.features.system import commands, config, display

FEATURE = Feature(
    "system",
    (commands.COMMANDS, display.COMMANDS),
    sections=(ConfigSection(100, config.version), ConfigSection(200, config.sysname)),
)
