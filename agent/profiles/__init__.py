"""Device profiles: YAML descriptions of a switch model, validated with pydantic."""

from agent.profiles.loader import load_profile
from agent.profiles.model import Profile

__all__ = ["Profile", "load_profile"]
