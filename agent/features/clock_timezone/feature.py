"""The local time zone: state, commands, configuration after the sysname, and the zone display clock shows."""

from agent.cli.family import ConfigSection, Feature
from agent.features.clock_timezone import commands, config
from agent.features.system.clock import CLOCK_ZONE

FEATURE = Feature(
    "clock_timezone",
    (commands.COMMANDS,),
    sections=(ConfigSection(210, config.clock_timezone),),
    provides={CLOCK_ZONE: config.zone},
)
