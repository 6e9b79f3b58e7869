"""What a lab is made of: groups of devices, each a profile and a count.

A lab is either given on the command line (one profile, ``--count N``) or by a spec file that
mixes profiles (``40 x 3com-s7906e`` plus ``10 x 3com-s7906e-ssh1``). Both end up as a
:class:`LabSpec`, validated with pydantic so a bad spec names the file, the line and the field.
"""

from __future__ import annotations

from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from agent.errors import ConfigError
from agent.profiles.model import LabUser
from agent.profiles.yaml_lines import format_validation_error, load_yaml_with_lines, locate


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class DeviceGroup(_Strict):
    """``count`` devices built from one profile."""

    profile: str = Field(description="profile file or name in device_profiles/")
    count: int = Field(ge=1, le=100_000)
    prefix: str | None = Field(default=None, pattern=r"^[A-Za-z0-9.\-_@()/:]{1,40}$",
                               description="sysname prefix; default: the profile's sysname")
    group: str | None = Field(default=None, pattern=r"^[A-Za-z0-9_.\-]{1,64}$",
                              description="inventory group; default: the profile name")
    users: list[LabUser] = Field(default_factory=list)
    data: dict[str, object] = Field(default_factory=dict, description="extra inventory data for these hosts")


class LabSpec(_Strict):
    """The whole lab: device groups plus settings shared by all of them."""

    devices: list[DeviceGroup] = Field(min_length=1)
    users: list[LabUser] = Field(default_factory=list, description="users added to every device")
    inventory_username: str | None = None

    @property
    def total(self) -> int:
        return sum(group.count for group in self.devices)


def load_spec(path: str | Path) -> LabSpec:
    """Read a lab spec file; every error names the file, the line and the field."""
    path = Path(path)
    data, locations = load_yaml_with_lines(path)
    if not isinstance(data, dict):
        raise ConfigError(f"{path}:1: a lab spec must be a YAML mapping with a 'devices' list")
    try:
        spec = LabSpec.model_validate(data)
    except ValidationError as exc:
        raise ConfigError(format_validation_error(exc, locations, str(path), "lab spec")) from None
    base = path.parent
    for index, group in enumerate(spec.devices):
        found = find_profile(group.profile, base)
        if found is None:
            file, line = locate(locations, ("devices", index, "profile"), str(path))
            raise ConfigError(
                f"{file}:{line}: lab spec field 'devices.{index}.profile': no such profile {group.profile!r} "
                f"(looked in {_looked_in(group.profile, base)})"
            )
        group.profile = str(found)
    return spec


def _candidates(profile: str, base: Path | None) -> list[Path]:
    """Where a spec's or ``--profile``'s profile may be: next to the spec file, as given (the
    current folder or an absolute path), then by name in ``device_profiles/``."""
    from agent.profiles.loader import PROFILE_DIR

    given = Path(profile)
    out = [base / given] if base is not None and not given.is_absolute() else []
    out.append(given)
    if not given.is_absolute():
        out.append(PROFILE_DIR / (f"{profile}.yaml" if given.suffix == "" else given.name))
    return out


def find_profile(profile: str, base: Path | None = None) -> Path | None:
    """The profile file ``profile`` names (see :func:`_candidates`), or None."""
    for candidate in _candidates(profile, base):
        if candidate.is_file():
            return candidate
    return None


def _looked_in(profile: str, base: Path | None) -> str:
    return ", ".join(dict.fromkeys(str(c.absolute()) for c in _candidates(profile, base)))


def check_profile(profile: str) -> str:
    """``--profile`` resolved to a file, or a ConfigError listing where it was looked for."""
    found = find_profile(profile)
    if found is None:
        raise ConfigError(f"--profile: no such profile {profile!r} (looked in {_looked_in(profile, None)})")
    return str(found)
