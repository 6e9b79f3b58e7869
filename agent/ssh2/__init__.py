"""SSH-2.0 protocol, sans-IO: the server core and a client core for tests and benchmarks."""
