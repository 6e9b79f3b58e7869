"""Host keys of one emulated device, kept in its state folder."""

from agent.keys.store import HostKeyStore

__all__ = ["HostKeyStore"]
