"""One small connection interface over netmiko (SSH-2) and the project's SSH1 client (SSH-1.5).

Operations only call ``send_command``, ``send_config``, ``save`` and ``close``, so one push
covers both kinds of device. A host marked ``ssh1_only`` in the inventory goes through
:class:`Ssh1Connection`; any other host that answers with an SSH-1.5 banner fails with class
``version`` unless the run allows SSH1 (``--allow-ssh1``): a device that suddenly speaks only
SSH1 is a downgrade to notice, not to follow silently.

Bounds: ``timeout`` bounds the connection, the banner, the authentication and every command's
read; ``max_output`` caps what one command may return (class ``output limit``), so a device
that never stops sending costs the controller at most that much memory. Host keys are checked
against :class:`agent.fleet.hostkeys.KnownHosts` after the key exchange, before any password.

Speed (``fast=True``, the default; measured in docs/benchmarks.md, "Fleet push"): netmiko logs
in (key exchange, authentication, its Comware session preparation: prompt, ``screen-length
disable``) and closes; in between

* the client asks for the cheapest safe algorithms first (curve25519, AES-GCM, Ed25519: see
  :func:`fast_transport`); a device that lacks them negotiates the next ones in paramiko's list;
* each command is written through netmiko and read by blocking on the paramiko channel until
  the device's prompt ends the output (:meth:`NetmikoConnection._read_to_prompt`): netmiko's
  own reads poll every 10 ms with a regex over everything read so far, which with 100 devices
  in flight cost more CPU than the SSH itself;
* a configuration goes out in one write (``system-view``, the lines, ``return``) read back in
  one go, and every line is checked in the device's echo: echoed in order and followed by the
  next prompt with nothing in between (Comware accepts a configuration line silently) sets
  ``echo_verified``; an error line fails the device naming the line it answers; any other reply
  leaves ``echo_verified`` false, so that the push reads the configuration back to verify.

``fast=False`` keeps netmiko's stock calls (``send_command``, ``send_config_set``,
``save_config``) and its timing.
"""

from __future__ import annotations

import codecs
import functools
import re
import socket
import time
from dataclasses import dataclass, field
from typing import Any, Protocol

import paramiko

from agent.fleet.errors import OUTPUT_LIMIT, PLATFORM, VERSION, CommandError, FleetError
from agent.fleet.hostkeys import KnownHosts
from agent.fleet.inventory import SUPPORTED_PLATFORMS, Host

# Comware 5 error lines ("% Unrecognized command found at '^' position.", " Error: ...").
ERROR_PATTERN = r"^\s*(% (Unrecognized|Incomplete|Too many|Wrong|Ambiguous)|Error:)"
_ERROR_RE = re.compile(ERROR_PATTERN, re.M)


class Connection(Protocol):
    protocol: str

    def send_command(self, command: str) -> str: ...

    def send_commands(self, commands: list[str]) -> list[str]: ...

    def send_config(self, lines: list[str]) -> str: ...

    def save(self) -> str: ...

    def close(self) -> None: ...


@dataclass
class ConnectSettings:
    """Timeouts and tuning shared by every device of a run."""

    timeout: float = 20.0  # connect, banner, authentication and each read
    fast: bool = True  # cheap algorithms first, blocking reads, one-write echo-checked configuration
    allow_ssh1: bool = False  # use SSH1 for a host not marked ssh1_only that answers SSH-1.5
    max_output: int = 16 * 1024 * 1024  # characters one command may return
    host_key_policy: str = "tofu"  # strict | tofu | off
    known_hosts: str | None = None  # None: agent.fleet.hostkeys.default_path()
    extras: dict[str, Any] = field(default_factory=dict)

    def known_hosts_store(self) -> KnownHosts:
        return KnownHosts(self.known_hosts, self.host_key_policy)

    def to_dict(self) -> dict[str, Any]:
        """Plain data for a Celery task (``extras`` stay local: they may hold key paths)."""
        return {"timeout": self.timeout, "fast": self.fast, "allow_ssh1": self.allow_ssh1,
                "max_output": self.max_output, "host_key_policy": self.host_key_policy}

    @classmethod
    def from_dict(cls, raw: dict[str, Any], known_hosts: str | None = None) -> ConnectSettings:
        return cls(timeout=float(raw.get("timeout", 20.0)), fast=bool(raw.get("fast", True)),
                   allow_ssh1=bool(raw.get("allow_ssh1", False)),
                   max_output=int(raw.get("max_output", 16 * 1024 * 1024)),
                   host_key_policy=str(raw.get("host_key_policy", "tofu")), known_hosts=known_hosts)


class OutputLimitError(FleetError):
    def __init__(self, limit: int) -> None:
        super().__init__(OUTPUT_LIMIT, f"the device sent more than {limit} characters for one command "
                                       f"(--max-output); connection closed")


class _CappedReader:
    """Wraps netmiko's ``read_channel``: counts what the device sent for one command, stops past
    the cap. netmiko hands back what a pattern match left over (``_read_buffer``) in front of the
    new data; that part was counted when it arrived."""

    def __init__(self, conn: Any, limit: int) -> None:
        self.conn, self.read, self.limit, self.count = conn, conn.read_channel, limit, 0

    def __call__(self) -> str:
        buffered = len(self.conn._read_buffer)
        data = str(self.read())
        self.count += len(data) - buffered
        if self.count > self.limit:
            raise OutputLimitError(self.limit)
        return data


# Client preferences of the fast path, cheapest first among the safe ones the 3Com profile offers:
# curve25519 (one X25519 operation; the ML-KEM hybrid paramiko prefers costs both sides more),
# AES-GCM (one AEAD call per packet instead of CTR plus a separate HMAC), Ed25519 host keys.
_FAST_KEX = ("curve25519-sha256@libssh.org",)
_FAST_CIPHERS = ("aes128-gcm@openssh.com", "aes256-gcm@openssh.com")
_FAST_KEYS = ("ssh-ed25519",)


def _first(preferred: tuple[str, ...], default: tuple[str, ...]) -> tuple[str, ...]:
    return tuple(x for x in preferred if x in default) + tuple(x for x in default if x not in preferred)


@functools.cache
def fast_transport() -> type:
    """A paramiko ``Transport`` that offers the cheap algorithms first and all the others after
    (the device still chooses from the client's whole list, so one without them is reached too).

    paramiko's thread also wakes every 0.1 s to see whether it should stop; waking once a second
    saved some context switches, but a closed socket then stays open to the device until that
    thread's next wake-up (its ``recv`` holds the socket), so a device saw our session end up to a
    second late: the 0.1 s stays."""
    import paramiko

    base = paramiko.Transport

    class FastTransport(base):  # type: ignore[misc, valid-type]
        _preferred_kex = _first(_FAST_KEX, base._preferred_kex)
        _preferred_ciphers = _first(_FAST_CIPHERS, base._preferred_ciphers)
        _preferred_keys = _first(_FAST_KEYS, base._preferred_keys)

    return FastTransport


_BANNER_END = re.compile(r"(?:to continue|[>\]])\s*$")
_PROMPT_END = re.compile(r"[>\]]\s*$")


def echo_check(output: str, sent: list[str], prompt: re.Pattern[str]) -> bool:
    """Whether the device echoed every ``sent`` line in order, each followed by the next prompt
    (``prompt``: at a line start) with nothing in between, as Comware does for a configuration
    line it accepts. A Comware error line raises :class:`CommandError` naming the line it
    answers; ``system-view``'s "return to User View" hint is expected."""
    replies = prompt.split(output)
    silent = len(replies) == len(sent) + 1
    for line, reply in zip(sent, replies, strict=False):
        echo, _, rest = reply.partition("\n")
        if echo != line:
            silent = False
        match = _ERROR_RE.search(rest)
        if match:
            raise CommandError(f"device rejected {line!r}: {rest[match.start():].strip().splitlines()[0]}")
        if rest.strip() and line != "system-view":
            silent = False
    return silent


def check_output(output: str, command: str) -> None:
    match = _ERROR_RE.search(output)
    if match:
        line = output[match.start():].strip().splitlines()[0]
        raise CommandError(f"device rejected {command!r}: {line}")


class NetmikoConnection:
    """netmiko ``hp_comware`` (paramiko underneath) for SSH-2 devices."""

    protocol = "ssh2"

    def __init__(self, host: Host, password: str, settings: ConnectSettings) -> None:
        from netmiko import ConnectHandler

        self.config_sent = False
        options = dict(host.connection_options.get("netmiko", {}).get("extras", {}))
        options.update(settings.extras)
        params: dict[str, Any] = {
            "device_type": host.platform,
            "host": host.hostname,
            "port": host.port,
            "username": host.username,
            "password": password,
            "conn_timeout": settings.timeout,
            "auth_timeout": settings.timeout,
            "banner_timeout": settings.timeout,
            "blocking_timeout": settings.timeout,
            "read_timeout_override": None,
            "fast_cli": True,
            "allow_agent": False,
        }
        if "key_file" not in options:
            params["use_keys"] = False
        if settings.fast:
            params["global_cmd_verify"] = True
        params.update(options)
        self.settings = settings
        store = settings.known_hosts_store()
        # netmiko has no public hook for either, so before it connects: our paramiko client (this
        # host's keys on file, our policy for an unknown one) and a cap on every channel read,
        # session preparation included (netmiko reads through self.read_channel everywhere).
        self.conn = ConnectHandler(auto_connect=False, **params)
        self.echo_verified = False

        def build_client() -> Any:
            client = store.paramiko_client(host.hostname, host.port)
            if settings.fast:
                client.connect = functools.partial(client.connect, transport_factory=fast_transport())
            return client

        self.conn._build_ssh_client = build_client  # type: ignore[method-assign]
        self.reader = _CappedReader(self.conn, settings.max_output)
        self.conn.read_channel = self.reader  # type: ignore[method-assign]
        if settings.fast:
            # netmiko would first send a newline and sleep 0.1 s "so that there is data"; the
            # device sends its banner and prompt unasked, which _prepare reads as they come
            self.conn.session_preparation = self._prepare  # type: ignore[method-assign]
            self.conn._try_session_preparation = functools.partial(  # type: ignore[method-assign]
                type(self.conn)._try_session_preparation, self.conn, force_data=False)
        try:
            self.conn._open()
        except Exception as exc:
            bad = next((e for e in _chain(exc) if type(e).__name__ == "BadHostKeyException"), None)
            if bad is not None:
                raise store.mismatch(host.hostname, host.port, bad.key) from exc  # type: ignore[attr-defined]
            raise

    @functools.cached_property
    def _any_prompt(self) -> re.Pattern[str]:
        """The device's prompt in any view, at the end of what it sent."""
        return re.compile(rf"\n[<\[]{re.escape(self.conn.base_prompt)}[^\n<>\[\]]*[>\]]$")

    @functools.cached_property
    def _user_prompt(self) -> re.Pattern[str]:
        """The user-view prompt at the end: where ``return`` leaves a configuration session."""
        return re.compile(rf"\n<{re.escape(self.conn.base_prompt)}[^\n<>\[\]]*>$")

    @functools.cached_property
    def _prompt_at_line_start(self) -> re.Pattern[str]:
        return re.compile(rf"^[<\[]{re.escape(self.conn.base_prompt)}[^\n<>\[\]]*[>\]]", re.M)

    def _prepare(self) -> None:
        """netmiko's Comware session preparation with blocking reads instead of its polling and
        prompt probes: answer a "Press Y or ENTER to continue" banner, learn the base prompt as
        netmiko does (``<SW1>`` -> ``SW1``), then ``screen-length disable``."""
        text = self._read_until(_BANNER_END)
        if "to continue" in text[-200:]:
            self.conn.write_channel("\n")
            text = self._read_until(_PROMPT_END)
        prompt = text.rstrip().rsplit("\n", 1)[-1].strip()
        self.conn.base_prompt = re.sub(r"^RBM_.", "", prompt[1:-1]).strip()
        self.conn.write_channel("screen-length disable\n")
        self._read_to_prompt("screen-length disable", self._any_prompt)

    def _recv(self, deadline: float, seen: str) -> str:
        """The next data from the device (``\\r`` removed): blocks until it comes (paramiko wakes
        the thread), within ``deadline``, counting toward ``max_output``."""
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            raise _read_timeout(self.settings.timeout, seen)
        chan = self.conn.remote_conn
        if not isinstance(chan, paramiko.Channel):  # netmiko's hp_comware over SSH: always a channel
            raise TypeError(f"expected a paramiko channel, not {type(chan).__name__}")
        chan.settimeout(remaining)
        try:
            data = chan.recv(65536)
        except TimeoutError:
            raise _read_timeout(self.settings.timeout, seen) from None
        if not data:
            raise EOFError("the device closed the connection before its prompt came back")
        text = self._decoder.decode(data).replace("\r", "")
        self._received += len(text)
        if self._received > self.settings.max_output:
            raise OutputLimitError(self.settings.max_output)
        return text

    def _await_end(self, seconds: float) -> None:
        """Read and drop what comes until the device closes the channel, within ``seconds``."""
        chan = self.conn.remote_conn
        assert isinstance(chan, paramiko.Channel)
        deadline = time.monotonic() + seconds
        while (remaining := deadline - time.monotonic()) > 0:
            chan.settimeout(remaining)
            try:
                if not chan.recv(65536):
                    return
            except TimeoutError:
                return

    def _start_read(self) -> tuple[float, str]:
        self._decoder = codecs.getincrementaldecoder("utf-8")("replace")
        self._received = 0
        pending = self.conn._read_buffer.replace("\r", "")
        self.conn._read_buffer = ""
        return time.monotonic() + self.settings.timeout, pending

    def _read_until(self, pattern: re.Pattern[str]) -> str:
        """Everything until ``pattern`` matches the end of what came (used before the prompt is known)."""
        deadline, text = self._start_read()
        while not pattern.search(text[-512:]):
            text += self._recv(deadline, text)
        return text

    def _read_to_prompt(self, echo: str, prompt: re.Pattern[str], prompts: int = 1) -> str:
        """What the device sends from the ``echo`` of our (first) command until ``prompt`` ends
        it for the ``prompts``-th time, with ``\\n`` line ends.

        Blocks on the channel instead of polling; bounded by ``timeout`` overall and
        ``max_output`` characters. Anything before the echo (a prompt left unread) is dropped,
        and the prompt is looked for in the tail only, so a long output costs one pass, not one
        per packet.
        """
        deadline, head = self._start_read()
        echo = echo[:60]
        while (at := head.find(echo)) < 0:
            head += self._recv(deadline, head)
        parts = [head[at:]]
        tail = "\n" + parts[0][-512:]
        while True:
            if prompt.search(tail):
                if prompts == 1:
                    return "".join(parts)
                joined = "".join(parts)
                if len(self._prompt_at_line_start.findall(joined)) >= prompts:
                    return joined
                parts = [joined]
            text = self._recv(deadline, tail)
            parts.append(text)
            tail = (tail + text)[-512:]

    def send_command(self, command: str) -> str:
        self.reader.count = 0
        if not self.settings.fast:
            return str(self.conn.send_command(command, read_timeout=self.settings.timeout))
        self.conn.write_channel(command + "\n")
        lines = self._read_to_prompt(command, self._any_prompt).split("\n")
        return "\n".join(lines[1:-1])  # without the echo and the prompt line

    def send_commands(self, commands: list[str]) -> list[str]:
        """Several commands in one write, their outputs in one read (one round trip, not one each)."""
        if not self.settings.fast or len(commands) < 2:
            return [self.send_command(c) for c in commands]
        self.conn.write_channel("".join(f"{c}\n" for c in commands))
        text = self._read_to_prompt(commands[0], self._any_prompt, prompts=len(commands))
        replies = self._prompt_at_line_start.split(text)
        if len(replies) != len(commands) + 1:
            raise CommandError(f"expected {len(commands)} prompts after {commands!r}, got {len(replies) - 1}")
        outputs = []
        for command, reply in zip(commands, replies, strict=False):
            echo, _, rest = reply.partition("\n")
            if echo.strip() != command.strip():
                raise CommandError(f"expected the echo of {command!r}, got {echo[:80]!r}")
            outputs.append(rest.rstrip("\n"))
        return outputs

    def send_config(self, lines: list[str]) -> str:
        if not lines:
            return ""
        self.reader.count = 0
        self.config_sent = True
        self.echo_verified = False
        if not self.settings.fast:
            output = str(self.conn.send_config_set(lines, cmd_verify=False, read_timeout=self.settings.timeout))
            check_output(output, "configuration")
            return output
        sent = ["system-view", *lines, "return"]
        self.conn.write_channel("".join(f"{x}\n" for x in sent))
        output = self._read_to_prompt(sent[0], self._user_prompt)
        self.echo_verified = echo_check(output, sent, self._prompt_at_line_start)
        check_output(output, "configuration")
        return output

    def save(self) -> str:
        if self.settings.fast:
            # `save force` asks nothing and works in user view, where send_config left us;
            # netmiko's save_config would first enter system view and probe the prompt.
            output = self.send_command("save force")
        else:
            output = str(self.conn.save_config())
        check_output(output, "save force")
        return output

    def close(self) -> None:
        try:
            if self.settings.fast and self.conn.remote_conn is not None:
                # in user view after every call: `quit` ends the session (netmiko's disconnect
                # would first probe for system view, one more round trip). The device's end of
                # the channel is awaited (a second at most) and the socket shut down, not just
                # closed (paramiko's thread holds it in recv() for up to 0.1 s): when close()
                # returns the device has ended the session, before a per-device lock is released.
                self.conn.write_channel("quit\n")
                self._await_end(min(self.settings.timeout, 1.0))
                chan = self.conn.remote_conn
                transport = chan.get_transport() if isinstance(chan, paramiko.Channel) else None
                if transport is not None and transport.sock is not None:
                    transport.sock.shutdown(socket.SHUT_RDWR)
                self.conn.paramiko_cleanup()
            else:
                self.conn.disconnect()
        except Exception:  # noqa: BLE001 - closing a broken session must not mask the real result
            pass


_PROMPT_ANY = re.compile(rb"(?:^|\n)[<\[][^\r\n<>\[\]]{1,64}[>\]]$")


class Ssh1Connection:
    """The same calls over :class:`agent.ssh1.transport.Ssh1Client` in an interactive shell."""

    protocol = "ssh1"

    def __init__(self, host: Host, password: str, settings: ConnectSettings) -> None:
        from agent.ssh1.transport import Ssh1Client

        self.timeout = settings.timeout
        self.max_output = settings.max_output
        self.config_sent = False
        self.client = Ssh1Client()
        store = settings.known_hosts_store()
        try:
            self.client.connect(host.hostname, host.port, host.username, password, timeout=settings.timeout,
                                host_key_check=store.ssh1_check(host.hostname, host.port))
            self.client.open_shell(width=511, height=1000)
            first = self._read(re.compile(rb"(?:to continue|[>\]])\s*$"))
            if b"to continue" in first:
                self.client.send(b"\n")
                first = self._read(_PROMPT_ANY)
            self.prompt = _PROMPT_ANY
            match = re.search(rb"[<\[]([^\r\n<>\[\]]+?)[>\]]\s*$", first)
            if match:
                base = re.escape(match.group(1))
                self.prompt = re.compile(rb"(?:^|\n)[<\[]" + base + rb"[^\r\n<>\[\]]{0,64}[>\]]$")
            self._exchange("screen-length disable")
        except BaseException:
            # no shell, no prompt or a failed first command: the caller never gets this object to close
            self.client.close()
            raise

    def _read(self, pattern: re.Pattern[bytes]) -> bytes:
        """Read until ``pattern``, within ``timeout`` overall and ``max_output`` characters."""
        deadline = time.monotonic() + self.timeout
        data = b""
        while True:
            remaining = deadline - time.monotonic()
            data += self.client.read_until(pattern, timeout=max(0.0, min(0.25, remaining)))
            if pattern.search(data):
                return data
            if len(data) > self.max_output:
                raise OutputLimitError(self.max_output)
            if remaining <= 0 or not self.client.connected:
                raise TimeoutError(f"no prompt within {self.timeout:.0f}s (got {data[-80:]!r})")

    def _exchange(self, command: str) -> str:
        self.client.send(command.encode() + b"\n")
        raw = self._read(self.prompt).decode("utf-8", "replace").replace("\r", "")
        lines = raw.split("\n")
        if lines and lines[0].strip().endswith(command.strip()):
            lines = lines[1:]  # the echo
        return "\n".join(lines[:-1])  # drop the prompt line

    def send_command(self, command: str) -> str:
        return self._exchange(command)

    def send_commands(self, commands: list[str]) -> list[str]:
        return [self._exchange(c) for c in commands]

    def send_config(self, lines: list[str]) -> str:
        self.config_sent = True
        out = [self._exchange("system-view")]
        try:
            for line in lines:
                text = self._exchange(line)
                out.append(text)
                check_output(text, line)
        finally:
            self._exchange("return")
        return "\n".join(out)

    def save(self) -> str:
        output = self._exchange("save force")
        check_output(output, "save force")
        return output

    def close(self) -> None:
        try:
            self.client.send(b"quit\n")
        except Exception:  # noqa: BLE001 - the session may already be gone
            pass
        self.client.close()


def connect(host: Host, password: str, settings: ConnectSettings) -> Connection:
    """SSH1 for SSH1-only hosts, else netmiko; an SSH-1.5 answer is SSH1 only with ``allow_ssh1``.

    A host whose platform is not Comware is refused before any connection is made: its CLI would
    take Comware lines as errors at best, and as other commands at worst.
    """
    if host.platform not in SUPPORTED_PLATFORMS:
        raise FleetError(PLATFORM, f"platform {host.platform!r} is not driven by this controller "
                                   f"(supported: {', '.join(sorted(SUPPORTED_PLATFORMS))})")
    if host.ssh1_only:
        return Ssh1Connection(host, password, settings)
    try:
        return NetmikoConnection(host, password, settings)
    except Exception as exc:
        if "1.5 instead of 2.0" in _all_text(exc):
            if settings.allow_ssh1:
                return Ssh1Connection(host, password, settings)
            raise FleetError(VERSION, "the device answered SSH-1.5 only, but the inventory does not mark it "
                                      "ssh1_only: refusing to downgrade (mark it, or use --allow-ssh1)") from exc
        raise


def _read_timeout(seconds: float, tail: str) -> Exception:
    from netmiko.exceptions import ReadTimeout

    return ReadTimeout(f"no prompt within {seconds:.0f}s (last output {tail[-80:]!r})")


def _chain(exc: BaseException) -> list[BaseException]:
    chain: list[BaseException] = []
    current: BaseException | None = exc
    while current is not None and len(chain) < 10:
        chain.append(current)
        current = current.__cause__ or current.__context__
    return chain


def _all_text(exc: BaseException) -> str:
    return " ".join(str(e) for e in _chain(exc))
