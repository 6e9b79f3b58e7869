"""Many emulated devices in one process (or a few): the lab, and the inventory it writes."""
