"""Static host names: `ip host NAME IP`, `display ip host` (see feature.py; diff.py for the fleet)."""
