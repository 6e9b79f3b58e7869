"""The device model: one state object per emulated switch (see docs/architecture.md)."""

from agent.device.device import Device
from agent.sessions import SessionHandle, SessionInfo, SessionRegistry

__all__ = ["Device", "SessionHandle", "SessionInfo", "SessionRegistry"]
