"""Command handlers; importing this package registers every command in :data:`agent.cli.tree.TREE`."""

from agent.cli.commands import aaa, basic, display, layer2, security, snmp  # noqa: F401
