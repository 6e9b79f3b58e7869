"""OS families and features: what a Comware release is made of, as data.

A :class:`Feature` is one Comware feature's contribution: its commands (a
:class:`~agent.cli.tree.CommandSet`), its sections of ``display current-configuration`` and
where they go, and what it offers other features (``provides``). Its typed state lives on the
device (:meth:`agent.device.device.Device.state`), its fleet diff rules in its package's
``diff.py`` (agent/configrules.py finds them).

A :class:`Family` (Comware 5 today) is a set of features plus the tables that differ between
releases: view specs (prompt, parent, Ctrl+Z target), interface types. Its command tree is
built once, on first use, and shared by every device of the family. A family is the device's
:class:`~agent.device.device.DeviceCli`: it opens CLI sessions, applies configuration text and
renders the running configuration.
"""

from __future__ import annotations

import functools
import importlib
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field

from agent.cli.context import View
from agent.cli.loader import apply_config_text
from agent.cli.session import CliSession
from agent.cli.tree import CommandSet, CommandTree
from agent.device.device import Device

Section = list[str]


@dataclass(frozen=True)
class ConfigSection:
    """Sections of ``display current-configuration``: ``order`` places them among the family's others."""

    order: int
    render: Callable[[Device], list[Section]]


@dataclass(frozen=True)
class Feature:
    name: str
    commands: tuple[CommandSet, ...]
    sections: tuple[ConfigSection, ...] = ()
    provides: Mapping[str, object] = field(default_factory=dict)  # named extension points other features read


@dataclass(frozen=True)
class ViewSpec:
    """One CLI view: its prompt (``{sysname}``, ``{key}``), where ``quit`` and Ctrl+Z go."""

    name: str
    prompt: str
    parent: str | None  # None: quit leaves the session
    ctrl_z: str | None = None  # None: Ctrl+Z does nothing here
    keep_key: bool = False  # the parent is the same object's view (public-key code -> public-key)
    system_fallback: bool = False  # a line unknown here runs in system view (Comware's sub-views)
    help_title: str = ""  # first line of a bare `?`
    section_header: str = ""  # first line of the view's configuration section (`display this`), e.g. "vlan {key}"


@dataclass(frozen=True)
class Family:
    """An OS family: its features and tables. Instances are module constants (agent/family/)."""

    name: str
    features: tuple[Feature, ...]
    views: tuple[ViewSpec, ...]
    interface_types: tuple[str, ...]  # every interface type the CLI names
    port_types: tuple[str, ...]  # the physical ones
    user_view: str = "user"
    system_view: str = "system"

    # ------------------------------------------------------------------ tables
    @functools.cached_property
    def view_specs(self) -> dict[str, ViewSpec]:
        return {spec.name: spec for spec in self.views}

    @functools.cached_property
    def tree(self) -> CommandTree:
        """The family's command tree: built once, shared by every session of every device."""
        tree = CommandTree(
            [spec.name for spec in self.views], self.interface_types, self.port_types,
            config_views=[spec.name for spec in self.views if spec.name != self.user_view],
        )
        for feature in self.features:
            for commands in feature.commands:
                tree.add_set(commands)
        return tree

    def provided(self, name: str) -> Iterator[object]:
        """What the features offer under ``name`` (extension points, e.g. ``clock.zone``)."""
        for feature in self.features:
            if name in feature.provides:
                yield feature.provides[name]

    # ------------------------------------------------------------------ views
    def prompt(self, view: View, sysname: str) -> str:
        return self.view_specs[view.kind].prompt.format(sysname=sysname, key=view.key)

    def parent(self, view: View) -> View | None:
        """Where ``quit`` goes from ``view`` (None: leave the session)."""
        spec = self.view_specs[view.kind]
        if spec.parent is None:
            return None
        return View(spec.parent, view.key if spec.keep_key else None)

    def ctrl_z(self, view: View) -> View | None:
        target = self.view_specs[view.kind].ctrl_z
        return None if target is None else View(target)

    # ------------------------------------------------------------------ configuration
    def config_sections(self, device: Device) -> list[Section]:
        """Every feature's sections in the family's order (stable within one order)."""
        parts = sorted((s for f in self.features for s in f.sections), key=lambda s: s.order)
        return [section for part in parts for section in part.render(device)]

    def render_config(self, device: Device) -> str:
        return wrap(self.config_sections(device))

    def apply_config(self, device: Device, text: str) -> list[str]:
        return apply_config_text(self, device, text)

    # ------------------------------------------------------------------ sessions
    def open_session(
        self, device: Device, username: str, level: int, *, interactive: bool, width: int, height: int,
        term: str, vty: int | None, peer: str,
    ) -> CliSession:
        return CliSession(
            self, device, username, level, interactive=interactive, width=width, height=height, term=term,
            vty=vty, peer=peer,
        )


def load_features(names: Iterable[str]) -> tuple[Feature, ...]:
    """``FEATURE`` of each ``agent/features/<name>/feature.py``, in the order given."""
    features = []
    for name in names:
        feature = importlib.import_module(f"agent.features.{name}.feature").FEATURE
        if not isinstance(feature, Feature):
            raise TypeError(f"agent.features.{name}.feature.FEATURE is not a Feature")
        features.append(feature)
    return tuple(features)


def wrap(parts: Sequence[Section]) -> str:
    """Join sections with ``#`` separators and the closing ``return``."""
    lines: list[str] = []
    for section in parts:
        lines.append("#")
        lines.extend(section)
    lines.append("#")
    lines.append("return")
    return "\n".join(lines) + "\n"
