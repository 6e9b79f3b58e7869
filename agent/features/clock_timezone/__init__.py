"""The local time zone: `clock timezone NAME add|minus HH:MM:SS` (see feature.py; diff.py for the fleet)."""
