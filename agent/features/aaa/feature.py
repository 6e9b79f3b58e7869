"""AAA: local users, the VTY user interface (`user-interface vty 0 15`), `super` and its passwords."""

from agent.cli.family import ConfigSection, Feature
from agent.features.aaa import commands, config, display

FEATURE = Feature(
    "aaa",
    (commands.COMMANDS, display.COMMANDS),
    sections=(
        ConfigSection(300, config.super_passwords),
        ConfigSection(500, config.local_users),
        ConfigSection(1000, config.user_interface),
    ),
)
