"""SNMP agent answering from the live device model (pysnmp 7, asyncio).

``agent.snmp.agent.SnmpAgent(device, host, port)`` serves v1/v2c communities and v3 USM users
from ``device.snmp``; the MIB modules (``mib_*.py``) compute their rows from the device on
request, and SETs go through the same CLI command handlers an operator would use.
"""
