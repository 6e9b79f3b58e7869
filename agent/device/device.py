"""The device: one state object per emulated switch, shared by every session and protocol.

All mutations happen under :attr:`Device.lock` (one ``RLock`` per device); the CLI takes it
around every command. Other parts (SSH server, SNMP agent) read the live records and may
:meth:`Device.subscribe` to hear about changes.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path
from typing import Protocol, TypeVar, cast

from agent.device.model import (
    LocalUser,
    PeerKey,
    Port,
    SnmpSettings,
    SshServerSettings,
    SshUser,
    UserInterface,
    Vlan,
    VlanInterface,
)
from agent.files import atomic_write_text, remove_stale_temporaries
from agent.keys import pubkeys
from agent.keys.store import HostKeyStore
from agent.passwords import VERIFIED, hash_password
from agent.profiles.model import LabUser, Profile, SshAlgorithms
from agent.sessions import CliSession, SessionRegistry

log = logging.getLogger(__name__)

Listener = Callable[["Device", str], None]
State = TypeVar("State")
# Topics passed to listeners: "ssh", "users", "keys", "snmp", "sysname", "interfaces",
# "vlans", "ui", "config" (a whole configuration was applied) and "reboot".


class DeviceCli(Protocol):
    """The command language a device runs: given to the device by whoever builds it.

    agent.family builds one per OS family (Comware 5 now): its command tree, views and
    configuration sections. The device keeps state; it never imports the CLI.
    """

    def open_session(
        self, device: Device, username: str, level: int, *, interactive: bool, width: int, height: int,
        term: str, vty: int | None, peer: str,
    ) -> CliSession: ...

    def apply_config(self, device: Device, text: str) -> list[str]:
        """Run configuration text through the command handlers; returns the lines that failed."""
        ...

    def render_config(self, device: Device) -> str:
        """``display current-configuration`` text (LF line ends)."""
        ...


MAX_FILE_NAME = 200  # bytes: the save's temporary file (.NAME.PID.tmp) must fit the host's 255 too


def flash_path(state_dir: Path, name: str) -> Path:
    """``flash:/x.cfg`` / ``x.cfg`` -> ``state_dir/flash/x.cfg`` (never outside the flash folder)."""
    bare = name.strip()
    if bare.lower().startswith("flash:"):
        bare = bare[6:]
    bare = bare.lstrip("/")
    if not bare or "/" in bare or "\\" in bare or bare in (".", "..") or len(bare.encode()) > MAX_FILE_NAME:
        raise ValueError(f"bad file name {name!r}")
    return state_dir / "flash" / bare


class Device:
    """State of one emulated 3Com/H3C Comware 5 switch (see docs/architecture.md)."""

    def __init__(
        self, profile: Profile, state_dir: Path | str, extra_users: Sequence[LabUser] = (), *, cli: DeviceCli
    ) -> None:
        self.profile = profile
        self.cli = cli
        self.state_dir = Path(state_dir)
        self.extra_users = list(extra_users)
        self.lock = threading.RLock()
        self.sessions = SessionRegistry()
        self._listeners: list[Listener] = []
        self._host_keys: HostKeyStore | None = None
        self._mac_base = int(profile.identity.mac_base.replace("-", ""), 16)
        self._reset()

    # ------------------------------------------------------------------ construction
    @classmethod
    def load(
        cls, profile: Profile, state_dir: Path | str, extra_users: Iterable[LabUser] = (), *, cli: DeviceCli
    ) -> Device:
        """Build the device from its saved configuration, or from the profile on first start.

        Most callers want :func:`agent.family.load_device`, which picks ``cli`` from the profile.
        """
        device = cls(profile, state_dir, list(extra_users), cli=cli)
        for folder in (device.state_dir / "flash", device.state_dir / "keys"):
            if remove_stale_temporaries(folder):  # a save or key write killed half-way (never a torn file)
                log.info("%s: removed stale temporary files in %s", profile.identity.sysname, folder)
        device._boot()
        return device

    def _reset(self) -> None:
        """Factory state: the hardware from the profile and Comware defaults for everything else."""
        self.boot_time = time.time()
        self.sysname = self.profile.identity.sysname
        self.ports: dict[str, Port] = {}
        ordinal = 0
        for spec in sorted(self.profile.chassis, key=lambda s: s.slot):
            for kind, count in spec.ports.items():
                for index in range(1, count + 1):
                    ordinal += 1
                    name = f"{kind}{spec.slot}/0/{index}"
                    # Emulated cabling: the first two ports of every line card are connected.
                    self.ports[name] = Port(name, kind, spec.slot, index, ordinal, connected=index <= 2)
        self.vlans: dict[int, Vlan] = {1: Vlan(1)}
        self.vlan_interfaces: dict[int, VlanInterface] = {}
        self.local_users: dict[str, LocalUser] = {}
        self.super_passwords: dict[int, str] = {}
        self.vty = UserInterface()
        self.ssh = SshServerSettings()
        self.ssh_users: dict[str, SshUser] = {}
        self.peer_keys: dict[str, PeerKey] = {}
        self.snmp = SnmpSettings()
        self.ssh_algorithms: SshAlgorithms = self.profile.ssh.algorithms.model_copy(deep=True)
        self.config_errors: list[str] = []
        self._feature_states: dict[type, object] = {}

    def _boot(self) -> None:
        path = self.config_path
        if path.is_file():
            self.apply_config(path.read_text(encoding="utf-8", errors="replace"))
        else:
            self._first_start()

    def _first_start(self) -> None:
        """No saved configuration: the profile's defaults, its default_config and the lab users."""
        prof = self.profile
        self.ssh.enabled = prof.ssh.enabled
        self.ssh.compatible_ssh1x = prof.ssh.compatible_ssh1x
        self.ssh.authentication_timeout = prof.ssh.authentication_timeout
        self.ssh.authentication_retries = prof.ssh.authentication_retries
        self.ssh.rekey_interval_hours = prof.ssh.rekey_interval_hours
        self.vty.authentication_mode = "scheme"
        self.snmp.enabled = prof.snmp.enabled
        for name in prof.snmp.communities_read:
            self.snmp.communities[name] = "read"
        for name in prof.snmp.communities_write:
            self.snmp.communities[name] = "write"
        self.snmp.contact = prof.snmp.contact or None
        self.snmp.location = prof.snmp.location or None
        if prof.default_config.strip():
            self.apply_config(prof.default_config)
        for user in [*prof.users, *self.extra_users]:
            self.local_users[user.name] = LocalUser(
                user.name, hash_password(user.password), list(user.service_types), user.level
            )

    def state(self, kind: type[State]) -> State:
        """A feature's state on this device: one ``kind()`` (its factory default) made on first use.

        Features keep their records here (agent/features/<name>/state.py) instead of adding
        attributes to the device; a reboot drops them with the rest of the running state, and
        the saved configuration brings them back.
        """
        found = self._feature_states.get(kind)
        if found is None:
            found = self._feature_states[kind] = kind()
        return cast(State, found)

    # ------------------------------------------------------------------ listeners
    def subscribe(self, callback: Listener) -> Callable[[], None]:
        """Call ``callback(device, topic)`` after every change; returns an unsubscribe function."""
        self._listeners.append(callback)

        def unsubscribe() -> None:
            if callback in self._listeners:
                self._listeners.remove(callback)

        return unsubscribe

    def notify(self, topic: str) -> None:
        """Tell listeners that ``topic`` changed; a failing listener never breaks the CLI."""
        for callback in list(self._listeners):
            try:
                callback(self, topic)
            except Exception:  # noqa: BLE001 - listeners are other subsystems; log and go on
                log.exception("device listener failed on %s", topic)

    # ------------------------------------------------------------------ identity / keys
    @property
    def host_keys(self) -> HostKeyStore:
        """Loaded (or generated on first use) from ``state_dir/keys``; lazy so labs start fast."""
        if self._host_keys is None:
            with self.lock:
                if self._host_keys is None:
                    self._host_keys = HostKeyStore(self.state_dir, self.profile.ssh.host_key_rsa_bits)
        return self._host_keys

    @property
    def config_path(self) -> Path:
        return flash_path(self.state_dir, self.profile.identity.startup_file)

    @property
    def startup_file(self) -> str:
        name = self.profile.identity.startup_file
        return name if name.startswith("flash:") else f"flash:/{name.lstrip('/')}"

    @property
    def uptime_seconds(self) -> float:
        return max(0.0, time.time() - self.boot_time)

    def mac(self, offset: int = 0) -> str:
        """Bridge MAC (offset 0) or a derived address, in Comware ``xxxx-xxxx-xxxx`` form."""
        value = f"{(self._mac_base + offset) & 0xFFFFFFFFFFFF:012x}"
        return f"{value[0:4]}-{value[4:8]}-{value[8:12]}"

    def ssh_protocol_version(self) -> str:
        """1.5 for an SSH1-only profile, 1.99 when SSH1 compatibility is on, else 2.0."""
        if self.profile.ssh.ssh1_only:
            return "1.5"
        return "1.99" if self.ssh.compatible_ssh1x else "2.0"

    # ------------------------------------------------------------------ authentication
    def authenticate_password(self, username: str, password: bytes) -> int | None:
        """Privilege level on success, else None.

        A wrong password and a missing user each cost exactly one hash computation; a password
        that already verified for this stored hash is recognised without one (see
        :class:`agent.passwords.VerifiedPasswords`).

        A login needs an active local user with service-type ssh whose ``ssh user`` entry (if
        any) allows passwords.
        """
        with self.lock:
            user = self.local_users.get(username)
            stored = user.password_hash if user is not None else None
            ssh_user = self.ssh_users.get(username)
            level = (user.level or 0) if user is not None else 0
            allowed = (
                user is not None
                and user.state == "active"
                and "ssh" in user.service_types
                and (ssh_user is None or ssh_user.authentication_type != "publickey")
            )
        ok = VERIFIED.verify(stored, bytes(password))
        return level if ok and allowed else None

    def _assigned_keys(self, username: str) -> list[PeerKey]:
        with self.lock:
            ssh_user = self.ssh_users.get(username)
            if ssh_user is not None and ssh_user.authentication_type == "password":
                return []
            user = self.local_users.get(username)
            if user is not None and (user.state != "active" or "ssh" not in user.service_types):
                return []  # a blocked user (or one without service-type ssh) has no key login either
            names = []
            if ssh_user is not None and ssh_user.publickey:
                names.append(ssh_user.publickey)
            if username not in names:
                names.append(username)
            return [self.peer_keys[n] for n in names if n in self.peer_keys]

    def authorized_keys(self, username: str) -> list[bytes]:
        """SSH-2 public key blobs ``username`` may log in with (assigned key, or a key named like the user)."""
        return [pubkeys.ssh2_blob(k.key) for k in self._assigned_keys(username)]

    def rsa1_keys(self, username: str) -> list[tuple[int, int]]:
        """``(e, n)`` of the RSA keys ``username`` may use for SSH1 RSA authentication."""
        out = []
        for peer in self._assigned_keys(username):
            numbers = pubkeys.rsa1_numbers(peer.key)
            if numbers is not None:
                out.append(numbers)
        return out

    def user_level(self, username: str) -> int:
        """The local user's authorization level, else the VTY ``user privilege level``."""
        with self.lock:
            user = self.local_users.get(username)
            if user is not None:
                return user.level or 0
            return self.vty.privilege_level

    def peer_rsa1_keys(self) -> list[tuple[int, int]]:
        """``(e, n)`` of every RSA key the device knows (`public-key peer`): the hosts RhostsRSA trusts."""
        with self.lock:
            keys = [peer.key for peer in self.peer_keys.values()]
        return [numbers for numbers in map(pubkeys.rsa1_numbers, keys) if numbers is not None]

    def has_local_user(self, username: str) -> bool:
        with self.lock:
            return username in self.local_users

    # ------------------------------------------------------------------ lookups used by the CLI
    def port(self, name: str) -> Port | None:
        return self.ports.get(name)

    def port_mac(self, port: Port) -> str:
        return self.mac(0x100 + port.ordinal)

    def vlan_members(self, vid: int) -> tuple[list[Port], list[Port]]:
        """(tagged, untagged) ports of VLAN ``vid``."""
        bit = 1 << vid
        tagged = [p for p in self.ports.values() if p.tagged_mask() & bit]
        untagged = [p for p in self.ports.values() if p.untagged_mask() & bit]
        return tagged, untagged

    def vlan_interface_up(self, vid: int) -> bool:
        vif = self.vlan_interfaces.get(vid)
        if vif is None or vif.shutdown or vid not in self.vlans:
            return False
        bit = 1 << vid
        return any(p.link == "UP" and (p.tagged_mask() | p.untagged_mask()) & bit for p in self.ports.values())

    # ------------------------------------------------------------------ configuration
    def render_configuration(self) -> str:
        """``display current-configuration`` text (LF line ends)."""
        with self.lock:
            return self.cli.render_config(self)

    def apply_config(self, text: str) -> list[str]:
        """Feed configuration text through the CLI command handlers; returns the lines that failed."""
        with self.lock:
            errors = self.cli.apply_config(self, text)
            self.config_errors = errors
        self.notify("config")
        return errors

    def saved_configuration(self) -> str | None:
        path = self.config_path
        try:
            return path.read_text(encoding="utf-8", errors="replace")
        except OSError:
            return None

    def save(self, name: str | None = None) -> Path:
        """Atomically write the running configuration (to ``name`` in flash, default the startup file)."""
        path = self.config_path if name is None else flash_path(self.state_dir, name)
        text = self.render_configuration()
        atomic_write_text(path, text)
        return path

    def is_saved(self) -> bool:
        return self.saved_configuration() == self.render_configuration()

    def reboot(self) -> None:
        """Drop every session, then restart from the saved configuration (or the profile)."""
        self.sessions.terminate_all("reboot")
        with self.lock:
            self._reset()
            self._boot()
        self.notify("reboot")

    # ------------------------------------------------------------------ CLI
    def open_cli(
        self,
        username: str,
        level: int,
        *,
        interactive: bool,
        width: int = 80,
        height: int = 24,
        term: str = "vt100",
        vty: int | None = None,
        peer: str = "",
    ) -> CliSession:
        """A new CLI session for an authenticated user (``vty``/``peer`` only feed `display users`)."""
        return self.cli.open_session(
            self, username, level, interactive=interactive, width=width, height=height, term=term, vty=vty, peer=peer
        )
