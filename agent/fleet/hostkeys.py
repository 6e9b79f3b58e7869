"""Know which switch you talk to: an OpenSSH-format known_hosts, checked before any password.

One file holds both kinds of entry, as OpenSSH keeps them:

* SSH-2: ``[127.0.0.1]:22000 ssh-ed25519 AAAA...`` (``host`` alone for port 22; hashed
  ``|1|salt|hash`` names, as ``HashKnownHosts`` writes them, are read too);
* SSH1 (RSA1, as the ``ssh1`` client keeps it): ``[127.0.0.1]:22040 2048 65537 1234...``
  (bits, public exponent and modulus in decimal).

Policies (``--host-key-policy``): ``strict`` fails a device whose key is not in the file,
``tofu`` (default) learns a new device's key on first contact and checks it afterwards, ``off``
accepts any key and writes nothing. A key that differs from the one on file always fails the
device with class ``host key``: the check runs right after the key exchange, before the user
authentication, so a changed or impostor device never receives a password or a command.

Learning appends one line under a thread lock and an ``flock`` on the file, after re-reading
it, so the 50 threads of a run and several Celery workers on one machine never lose or
duplicate an entry.
"""

from __future__ import annotations

import base64
import fcntl
import hashlib
import hmac
import os
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from agent.fleet.errors import HOST_KEY, FleetError

POLICIES = ("strict", "tofu", "off")
RSA1 = "rsa1"  # our name for an SSH1 entry's key type

# A negotiated SSH-2 host key algorithm -> the key type that known_hosts records for it.
_RECORDED_TYPE = {"rsa-sha2-512": "ssh-rsa", "rsa-sha2-256": "ssh-rsa"}


def default_path() -> Path:
    """``$SWITCH_AGENT_KNOWN_HOSTS``, else ``$XDG_CONFIG_HOME/switch-agent/known_hosts``
    (``~/.config/switch-agent/known_hosts``)."""
    if os.environ.get("SWITCH_AGENT_KNOWN_HOSTS"):
        return Path(os.environ["SWITCH_AGENT_KNOWN_HOSTS"])
    base = os.environ.get("XDG_CONFIG_HOME") or os.path.join(os.path.expanduser("~"), ".config")
    return Path(base) / "switch-agent" / "known_hosts"


def host_pattern(host: str, port: int) -> str:
    """The name OpenSSH files a host under: ``host`` on port 22, ``[host]:port`` otherwise."""
    return host if port == 22 else f"[{host}]:{port}"


class HostKeyError(FleetError):
    """The device's host key is not the one on file, or is unknown under ``strict``."""

    def __init__(self, message: str) -> None:
        super().__init__(HOST_KEY, message)


@dataclass(frozen=True)
class Entry:
    names: tuple[str, ...]
    key_type: str  # "ssh-ed25519", "ssh-rsa", ... or RSA1
    key: str  # base64 blob, or "e n" in decimal for RSA1

    def matches(self, name: str) -> bool:
        for pattern in self.names:
            if pattern.startswith("|1|"):
                _, _, salt, digest = pattern.split("|", 3)
                mac = hmac.new(base64.b64decode(salt), name.encode(), hashlib.sha1).digest()
                if hmac.compare_digest(base64.b64encode(mac).decode(), digest):
                    return True
            elif pattern == name:
                return True
        return False


def parse_line(line: str) -> Entry | None:
    """One known_hosts line as an entry; comments, markers and unknown shapes give None."""
    fields = line.split()
    if not fields or fields[0].startswith("#") or fields[0].startswith("@"):
        return None
    names = tuple(fields[0].split(","))
    if len(fields) >= 4 and fields[1].isdigit() and fields[2].isdigit() and fields[3].isdigit():
        return Entry(names, RSA1, f"{fields[2]} {fields[3]}")
    if len(fields) >= 3:
        return Entry(names, fields[1], fields[2])
    return None


def ssh2_line(name: str, key_type: str, blob: bytes) -> str:
    return f"{name} {key_type} {base64.b64encode(blob).decode()}"


def rsa1_line(name: str, e: int, n: int) -> str:
    return f"{name} {n.bit_length()} {e} {n}"


class KnownHosts:
    """The known_hosts file of a run, shared by its threads; see the module docstring."""

    _locks: dict[Path, threading.Lock] = {}
    _locks_guard = threading.Lock()
    # Parsed files by path, shared by every connection of the process; valid while mtime and size hold.
    _parsed: dict[Path, tuple[int, int, dict[str, list[Entry]], list[Entry]]] = {}

    def __init__(self, path: str | Path | None = None, policy: str = "tofu") -> None:
        if policy not in POLICIES:
            raise ValueError(f"host key policy must be one of {', '.join(POLICIES)}, not {policy!r}")
        self.path = Path(path) if path is not None else default_path()
        self.policy = policy
        self._key = self.path.resolve()
        with self._locks_guard:
            self._lock = self._locks.setdefault(self._key, threading.Lock())

    # ------------------------------------------------------------------ reading
    def _index(self) -> tuple[dict[str, list[Entry]], list[Entry]]:
        """Entries by plain name, and the hashed ones (matched one by one); re-read when the file changed."""
        try:
            stat = self.path.stat()
        except FileNotFoundError:
            return {}, []
        cached = self._parsed.get(self._key)
        if cached is not None and cached[:2] == (stat.st_mtime_ns, stat.st_size):
            return cached[2], cached[3]
        by_name: dict[str, list[Entry]] = {}
        hashed: list[Entry] = []
        for entry in map(parse_line, self.path.read_text(encoding="utf-8", errors="replace").splitlines()):
            if entry is None:
                continue
            for pattern in entry.names:
                if pattern.startswith("|1|"):
                    hashed.append(entry)
                else:
                    by_name.setdefault(pattern, []).append(entry)
        self._parsed[self._key] = (stat.st_mtime_ns, stat.st_size, by_name, hashed)
        return by_name, hashed

    def known(self, host: str, port: int, key_type: str | None = None) -> list[Entry]:
        """The entries for ``host:port`` (of one key type, if given)."""
        name = host_pattern(host, port)
        by_name, hashed = self._index()
        found = by_name.get(name, []) + [e for e in hashed if e.matches(name)]
        return [e for e in found if key_type is None or e.key_type == key_type]

    # ------------------------------------------------------------------ checking
    def check(self, host: str, port: int, key_type: str, key: str, line: str) -> None:
        """Accept, learn or refuse a presented key; raises :class:`HostKeyError` to refuse."""
        if self.policy == "off":
            return
        key_type = _RECORDED_TYPE.get(key_type, key_type)
        if any(e.key == key for e in self.known(host, port, key_type)):
            return  # on file: no lock needed
        name = host_pattern(host, port)
        with self._lock, self._file_lock():  # re-check: another thread or process may have learned it
            same_type = self.known(host, port, key_type)
            if any(e.key == key for e in same_type):
                return
            if same_type or self.known(host, port):
                raise self._differs(name, key_type, key)
            if self.policy == "strict":
                raise HostKeyError(f"host key for {name} not found in {self.path} (--host-key-policy strict)")
            self.path.parent.mkdir(parents=True, exist_ok=True)
            with open(self.path, "a", encoding="utf-8") as handle:
                handle.write(line + "\n")

    def _differs(self, name: str, key_type: str, key: str) -> HostKeyError:
        return HostKeyError(
            f"host key for {name} differs from the one in {self.path} "
            f"(presented {_kind(key_type)} key {_fingerprint(key_type, key)}): possible impostor; "
            f"if the device was really re-keyed, remove its line from {self.path}"
        )

    def mismatch(self, host: str, port: int, key: Any) -> HostKeyError:
        """The error for a paramiko key that does not match the one on file."""
        return self._differs(host_pattern(host, port), key.get_name(), base64.b64encode(key.asbytes()).decode())

    def paramiko_client(self, host: str, port: int) -> Any:
        """A paramiko ``SSHClient`` holding this host's SSH-2 keys on file (so paramiko asks for that
        key type first and refuses another key before authentication) and this file's policy
        for a host it does not know."""
        import paramiko

        client = paramiko.SSHClient()
        if self.policy != "off":
            name = host_pattern(host, port)
            for entry in self.known(host, port):
                if entry.key_type == RSA1:
                    continue
                try:
                    key = paramiko.PKey.from_type_string(entry.key_type, base64.b64decode(entry.key))
                except Exception:  # noqa: BLE001 - a key type paramiko cannot read is skipped, as ssh does
                    continue
                client.get_host_keys().add(name, entry.key_type, key)
        client.set_missing_host_key_policy(self.paramiko_policy(host, port))
        return client

    @contextmanager
    def _file_lock(self) -> Iterator[None]:
        """An ``flock`` on a lock file beside known_hosts (other processes: Celery workers, ``lab``)."""
        self.path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(self.path.with_name(self.path.name + ".lock"), os.O_RDWR | os.O_CREAT, 0o600)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX)
            yield
        finally:
            fcntl.flock(fd, fcntl.LOCK_UN)
            os.close(fd)

    def check_ssh2(self, host: str, port: int, key: Any) -> None:
        """A paramiko key presented by an SSH-2 server."""
        name = host_pattern(host, port)
        blob = key.asbytes()
        self.check(host, port, key.get_name(), base64.b64encode(blob).decode(),
                   ssh2_line(name, _RECORDED_TYPE.get(key.get_name(), key.get_name()), blob))

    def check_ssh1(self, host: str, port: int, e: int, n: int) -> None:
        """The RSA1 host key presented by an SSH1 server."""
        self.check(host, port, RSA1, f"{e} {n}", rsa1_line(host_pattern(host, port), e, n))

    def paramiko_policy(self, host: str, port: int) -> Any:
        """A paramiko ``MissingHostKeyPolicy`` that applies this file and policy to ``host:port``."""
        import paramiko

        store = self

        class _Policy(paramiko.MissingHostKeyPolicy):
            def missing_host_key(self, client: Any, hostname: str, key: Any) -> None:
                store.check_ssh2(host, port, key)

        return _Policy()

    def ssh1_check(self, host: str, port: int) -> Callable[[Any], bool]:
        """The ``host_key_check`` callback of the SSH1 client core."""

        def check(keys: Any) -> bool:
            e, n = keys.host_key
            self.check_ssh1(host, port, e, n)
            return True

        return check

    def write_entries(self, lines: list[str]) -> None:
        """Replace the entries of the hosts named in ``lines`` (``switch-agent lab --known-hosts``)."""
        names = {line.split()[0] for line in lines}
        with self._lock, self._file_lock():
            kept = []
            if self.path.exists():
                for old in self.path.read_text(encoding="utf-8").splitlines():
                    entry = parse_line(old)
                    if entry is None or not (set(entry.names) & names):
                        kept.append(old)
            tmp = self.path.with_name(f".{self.path.name}.{os.getpid()}.tmp")
            tmp.write_text("".join(f"{x}\n" for x in [*kept, *lines]), encoding="utf-8")
            os.replace(tmp, self.path)


def _kind(key_type: str) -> str:
    return "SSH1 RSA" if key_type == RSA1 else key_type


def _fingerprint(key_type: str, key: str) -> str:
    if key_type == RSA1:
        e, n = (int(x) for x in key.split())
        return f"{n.bit_length()} bits, modulus ...{n % 10**8:08d}"
    digest = hashlib.sha256(base64.b64decode(key)).digest()
    return "SHA256:" + base64.b64encode(digest).decode().rstrip("=")
