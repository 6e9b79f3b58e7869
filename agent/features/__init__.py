"""Comware features, one package each: state, commands, renderers, configuration section, diff rules."""
