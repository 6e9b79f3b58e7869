"""Inventory in Nornir's SimpleInventory shape: hosts, groups, defaults, with inheritance.

One YAML file with top-level ``hosts`` / ``groups`` / ``defaults`` (what ``switch-agent lab``
writes), or a folder with Nornir's three files ``hosts.yaml``, ``groups.yaml``,
``defaults.yaml``. A host's attributes resolve host -> its groups (depth first, in order,
including the groups' own groups) -> defaults, as in Nornir; ``data`` is merged key by key
in the same order. Every validation error names the file, the line and the field.

Passwords: a host may name ``password_env`` (the environment variable holding its password);
``password`` is accepted only because a user may choose to write it, the lab never does.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from agent.errors import ConfigError
from agent.profiles.yaml_lines import Location, PathKey, format_validation_error, load_yaml_with_lines

_NAME = r"^[A-Za-z0-9_.\-@()/:]{1,128}$"
DRIVER = "netmiko"  # the connection plugin whose options apply (Nornir's name for it)
DEFAULT_PLATFORM = "hp_comware"
# netmiko platforms the controller can drive: Comware under the names netmiko knows it by.
SUPPORTED_PLATFORMS = frozenset({"hp_comware", "hp_comware_ssh", "h3c_comware", "h3c_comware_ssh"})


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


Port = Annotated[int, Field(ge=1, le=65535)]


class ConnectionOptions(_Strict):
    """Per-plugin options as in Nornir (``connection_options: {netmiko: {extras: {...}}}``).

    For the ``netmiko`` plugin, the one the controller uses, they take precedence over the host's
    own attributes exactly as Nornir's ``get_connection_parameters("netmiko")`` applies them.
    """

    hostname: str | None = None
    port: Port | None = None
    username: str | None = None
    password: str | None = None
    platform: str | None = None
    extras: dict[str, Any] = Field(default_factory=dict)


class DefaultsModel(_Strict):
    """Attributes a host inherits; ``defaults`` has exactly these, hosts and groups add ``groups``."""

    hostname: str | None = None
    port: Port | None = None
    username: str | None = None
    password: str | None = None
    password_env: str | None = Field(default=None, pattern=r"^[A-Za-z_][A-Za-z0-9_]*$")
    platform: str | None = None
    data: dict[str, Any] = Field(default_factory=dict)
    connection_options: dict[str, ConnectionOptions] = Field(default_factory=dict)


class _Common(DefaultsModel):
    groups: list[str] = Field(default_factory=list)


class HostModel(_Common):
    pass


class GroupModel(_Common):
    pass


class InventoryModel(_Strict):
    hosts: dict[str, HostModel] = Field(default_factory=dict)
    groups: dict[str, GroupModel] = Field(default_factory=dict)
    defaults: DefaultsModel = Field(default_factory=DefaultsModel)


@dataclass
class Host:
    """A fully resolved host: what the controller connects to and renders templates with."""

    name: str
    hostname: str
    port: int
    username: str
    platform: str
    groups: list[str]
    data: dict[str, Any]
    password: str | None = None
    password_env: str | None = None
    connection_options: dict[str, dict[str, Any]] = field(default_factory=dict)

    @property
    def ssh1_only(self) -> bool:
        return bool(self.data.get("ssh1_only", False))

    def to_dict(self) -> dict[str, Any]:
        """A picklable/JSON-able form (for Celery workers); never includes the password."""
        return {
            "name": self.name, "hostname": self.hostname, "port": self.port, "username": self.username,
            "platform": self.platform, "groups": list(self.groups), "data": dict(self.data),
            "password_env": self.password_env, "connection_options": self.connection_options,
        }

    @classmethod
    def from_dict(cls, raw: dict[str, Any]) -> Host:
        return cls(**raw)


@dataclass
class Inventory:
    hosts: dict[str, Host]
    groups: dict[str, GroupModel]
    source: str = ""

    def filter(self, names: list[str] | None = None, groups: list[str] | None = None) -> Inventory:
        """Hosts whose name is in ``names`` and/or that belong (transitively) to one of ``groups``."""
        hosts = dict(self.hosts)
        if names:
            missing = [n for n in names if n not in hosts]
            if missing:
                raise ConfigError(f"{self.source}: no such host(s): {', '.join(missing)}")
            hosts = {n: hosts[n] for n in names}
        if groups:
            wanted = set(groups)
            hosts = {n: h for n, h in hosts.items() if wanted & set(h.groups)}
        return Inventory(hosts, self.groups, self.source)


def _read(path: Path) -> tuple[dict[str, Any], dict[PathKey, Location]]:
    data, locations = load_yaml_with_lines(path)
    if data is None:
        return {}, locations
    if not isinstance(data, dict):
        raise ConfigError(f"{path}:1: an inventory file must be a YAML mapping")
    return data, locations


def _load_raw(path: Path) -> tuple[dict[str, Any], dict[PathKey, Location]]:
    if path.is_dir():
        merged: dict[str, Any] = {}
        locations: dict[PathKey, Location] = {}
        for key in ("hosts", "groups", "defaults"):
            part = path / f"{key}.yaml"
            if not part.is_file():
                continue
            data, locs = _read(part)
            merged[key] = data
            locations.update({(key, *k): v for k, v in locs.items()})
        if "hosts" not in merged:
            raise ConfigError(f"{path}: no hosts.yaml in this inventory folder")
        return merged, locations
    return _read(path)


def _group_chain(name: str, groups: dict[str, GroupModel], seen: tuple[str, ...]) -> list[str]:
    """Nornir's order: a group, then its parents depth first."""
    if name in seen:
        raise ConfigError(f"group inheritance loops: {' -> '.join((*seen, name))}")
    chain = [name]
    for parent in groups[name].groups:
        chain.extend(_group_chain(parent, groups, (*seen, name)))
    return chain


def _merge_options(layers: list[dict[str, ConnectionOptions]]) -> dict[str, dict[str, Any]]:
    out: dict[str, dict[str, Any]] = {}
    for layer in reversed(layers):  # defaults first, host last wins
        for plugin, opts in layer.items():
            cur = out.setdefault(plugin, {})
            for key, value in opts.model_dump(exclude_none=True).items():
                if key == "extras":
                    cur.setdefault("extras", {}).update(value)
                else:
                    cur[key] = value
    return out


def load_inventory(path: str | Path) -> Inventory:
    """Load and resolve an inventory file or folder; errors name file, line and field."""
    path = Path(path)
    if not path.exists():
        raise ConfigError(f"{path}: no such inventory file")
    raw, locations = _load_raw(path)
    try:
        model = InventoryModel.model_validate(raw)
    except ValidationError as exc:
        raise ConfigError(format_validation_error(exc, locations, str(path), "inventory")) from None
    return resolve(model, locations, str(path))


def resolve(model: InventoryModel, locations: dict[PathKey, Location], source: str) -> Inventory:
    """Apply group and defaults inheritance to every host."""

    def where(*loc: str | int) -> str:
        from agent.profiles.yaml_lines import locate

        file, line = locate(locations, loc, source)
        return f"{file}:{line}"

    for gname, group in model.groups.items():
        for index, parent in enumerate(group.groups):
            if parent not in model.groups:
                raise ConfigError(f"{where('groups', gname, 'groups', index)}: inventory field "
                                  f"'groups.{gname}.groups.{index}': unknown group {parent!r}")
    hosts: dict[str, Host] = {}
    defaults = model.defaults
    for name, host in model.hosts.items():
        chain: list[str] = []
        for index, gname in enumerate(host.groups):
            if gname not in model.groups:
                raise ConfigError(f"{where('hosts', name, 'groups', index)}: inventory field "
                                  f"'hosts.{name}.groups.{index}': unknown group {gname!r}")
            for g in _group_chain(gname, model.groups, ()):
                if g not in chain:
                    chain.append(g)
        layers: list[Any] = [host, *(model.groups[g] for g in chain), defaults]

        def pick(attr: str, layers: list[Any] = layers) -> Any:
            for layer in layers:
                value = getattr(layer, attr)
                if value is not None:
                    return value
            return None

        data: dict[str, Any] = {}
        for layer in reversed(layers):
            data.update(layer.data)
        options = _merge_options([layer.connection_options for layer in layers])
        netmiko = options.get(DRIVER, {})

        def attr(key: str, default: Any = None, netmiko: dict[str, Any] = netmiko) -> Any:
            """connection_options.netmiko.KEY, else the host's KEY (Nornir's precedence)."""
            value = netmiko.get(key)
            return value if value is not None else (pick(key) or default)

        username = attr("username")
        if not username:
            raise ConfigError(f"{where('hosts', name)}: inventory field 'hosts.{name}.username': "
                              "no username for this host (set it on the host, a group or defaults)")
        hosts[name] = Host(
            name=name, hostname=attr("hostname", name), port=int(attr("port", 22)), username=username,
            platform=attr("platform", DEFAULT_PLATFORM), groups=chain, data=data,
            password=attr("password"), password_env=pick("password_env"),
            connection_options=options,
        )
    return Inventory(hosts, dict(model.groups), source)

