"""switch-agent: emulated Comware switches (SSH-2, SSH-1.5, CLI, SNMP) and a fleet controller."""

from agent import native

__version__ = "0.1.0"

native.choose()  # compiled SSH-2 modules when built for these sources, else the sources (agent/native.py)
