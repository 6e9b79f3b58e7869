"""SSH protocol 1.5: a sans-IO server engine, a sans-IO client core and a small blocking client.

SSH1 is served only because real fleets still contain devices that speak nothing else. It has
no MAC (CRC-32 only), no rekeying and transports the password to the server; see
``docs`` and ``../shared/reference/ssh-spec.md`` part A for the byte-level rules followed here.
"""
