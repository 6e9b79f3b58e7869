"""Load a profile file, resolving ``extends`` chains and naming file/line/field on errors."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from pydantic import ValidationError

from agent.errors import ConfigError
from agent.profiles.model import Profile
from agent.profiles.yaml_lines import Location, PathKey, format_validation_error, load_yaml_with_lines
from agent.ssh2.algorithms import registry_for

PROFILE_DIR = Path(__file__).resolve().parents[2] / "device_profiles"


def _resolve_parent(name: str, child: Path) -> Path:
    candidates = [child.parent / name, child.parent / f"{name}.yaml", PROFILE_DIR / name, PROFILE_DIR / f"{name}.yaml"]
    for candidate in candidates:
        if candidate.is_file():
            return candidate
    raise ConfigError(f"{child}: 'extends: {name}' names no profile file (looked in {child.parent} and {PROFILE_DIR})")


def _merge(base: Any, override: Any) -> Any:
    """Deep-merge mappings; any other value (lists included) in ``override`` replaces the base."""
    if isinstance(base, dict) and isinstance(override, dict):
        merged = dict(base)
        for key, value in override.items():
            merged[key] = _merge(base[key], value) if key in base else value
        return merged
    return override


def _load_raw(path: Path, seen: tuple[Path, ...]) -> tuple[dict[str, Any], dict[PathKey, Location]]:
    if path in seen:
        chain = " -> ".join(str(p) for p in (*seen, path))
        raise ConfigError(f"{path}: 'extends' loops: {chain}")
    data, locations = load_yaml_with_lines(path)
    if not isinstance(data, dict):
        raise ConfigError(f"{path}:1: a profile must be a YAML mapping")
    parent_name = data.get("extends")
    if parent_name is None:
        return data, locations
    if not isinstance(parent_name, str):
        line = locations.get(("extends",), (str(path), 1))[1]
        raise ConfigError(f"{path}:{line}: profile field 'extends': must be a profile name")
    parent_data, parent_locations = _load_raw(_resolve_parent(parent_name, path), (*seen, path))
    merged_locations = dict(parent_locations)
    merged_locations.update(locations)
    return _merge(parent_data, data), merged_locations


def load_profile(path: str | Path) -> Profile:
    """Read and validate a profile; every error names the file, the line and the field."""
    path = Path(path)
    if not path.is_file():
        by_name = PROFILE_DIR / f"{path}.yaml" if path.suffix == "" else PROFILE_DIR / path.name
        if by_name.is_file():
            path = by_name
        else:
            raise ConfigError(f"{path}: no such profile file")
    data, locations = _load_raw(path, ())
    try:
        profile = Profile.model_validate(data)
    except ValidationError as exc:
        raise ConfigError(format_validation_error(exc, locations, str(path), "profile")) from None
    _check_algorithm_names(profile, path, locations)
    return profile


def _check_algorithm_names(profile: Profile, path: Path, locations: dict[PathKey, Location]) -> None:
    for kind in ("kex", "host_key", "cipher", "mac", "compression"):
        names = getattr(profile.ssh.algorithms, kind)
        known = registry_for(kind)
        for index, name in enumerate(names):
            if name not in known:
                file, line = locations.get(("ssh", "algorithms", kind, index), (str(path), 1))
                raise ConfigError(
                    f"{file}:{line}: profile field 'ssh.algorithms.{kind}.{index}': unknown algorithm {name!r}; "
                    f"known: {', '.join(known)}"
                )
