"""Public keys: the local RSA key pair and peer keys (imported or typed), `display public-key`."""

from agent.cli.family import ConfigSection, Feature
from agent.features.public_key import commands, config, display

FEATURE = Feature("public_key", (commands.COMMANDS, display.COMMANDS), sections=(ConfigSection(800, config.peer_keys),))
