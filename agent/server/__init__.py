"""asyncio edges: the listener, the per-connection driver and timers."""
