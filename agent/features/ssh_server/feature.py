"""SSH server: `ssh server ...` settings the SSH cores read live, `ssh user`, `display ssh ...`."""

from agent.cli.family import ConfigSection, Feature
from agent.features.ssh_server import commands, config, display

FEATURE = Feature("ssh_server", (commands.COMMANDS, display.COMMANDS), sections=(ConfigSection(900, config.ssh_server),))
