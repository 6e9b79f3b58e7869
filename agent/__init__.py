"""switch-agent: emulated Comware switches (SSH-2, SSH-1.5, CLI, SNMP) and a fleet controller."""

__version__ = "0.1.0"
