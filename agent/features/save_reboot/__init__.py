"""The save reboot feature (see feature.py; diff.py holds its fleet diff rules where it has any)."""
