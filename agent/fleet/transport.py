"""One small connection interface over netmiko (SSH-2) and the project's SSH1 client (SSH-1.5).

Operations only call ``send_command``, ``send_config``, ``save`` and ``close``, so one push
covers both kinds of device. netmiko and paramiko stop at an SSH-1.5 banner
(``Incompatible version (1.5 instead of 2.0)``); a host marked ``ssh1_only`` in the inventory,
or one whose banner turns out to be SSH-1.5, goes through :class:`Ssh1Connection`.

Speed: netmiko's Comware driver turns command-echo checking off, so ``send_config_set`` waits
for ~2 s of silence per call. The emulator and real Comware echo every command and our lines
are short (well under the 511-column pty netmiko asks for), so with ``fast=True`` we turn echo
checking back on: netmiko then reads each command's echo and the next prompt and returns as
soon as the prompt is back, and checks each command's output for Comware error lines.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any, Protocol

from agent.fleet.errors import CommandError
from agent.fleet.inventory import Host

# Comware 5 error lines ("% Unrecognized command found at '^' position.", " Error: ...").
ERROR_PATTERN = r"^\s*(% (Unrecognized|Incomplete|Too many|Wrong|Ambiguous)|Error:)"
_ERROR_RE = re.compile(ERROR_PATTERN, re.M)


class Connection(Protocol):
    protocol: str

    def send_command(self, command: str) -> str: ...

    def send_config(self, lines: list[str]) -> str: ...

    def save(self) -> str: ...

    def close(self) -> None: ...


@dataclass
class ConnectSettings:
    """Timeouts and tuning shared by every device of a run."""

    timeout: float = 20.0  # connect, banner, authentication and each read
    fast: bool = True  # echo-checked config sends (no 2 s silence wait)
    ssh1_fallback: bool = True  # try SSH1 when the banner says SSH-1.5
    extras: dict[str, Any] = field(default_factory=dict)


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

        options = dict(host.connection_options.get("netmiko", {}).get("extras", {}))
        options.update(settings.extras)
        params: dict[str, Any] = {
            "device_type": host.platform if host.platform.startswith(("hp_", "h3c_")) else "hp_comware",
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
        self.conn = ConnectHandler(**params)

    def _prompt_pattern(self) -> str:
        return rf"[<\[]{re.escape(self.conn.base_prompt)}[^\r\n<>\[\]]*[>\]]"

    def send_command(self, command: str) -> str:
        if not self.settings.fast:
            return str(self.conn.send_command(command, read_timeout=self.settings.timeout * 3))
        # The base prompt is known since login: skip netmiko's per-command prompt probe (one
        # round trip plus a sleep) and read until the device's prompt comes back.
        return str(self.conn.send_command(
            command, read_timeout=self.settings.timeout * 3, auto_find_prompt=False,
            expect_string=self._prompt_pattern(),
        ))

    def send_config(self, lines: list[str]) -> str:
        if not lines:
            return ""
        verify = self.settings.fast and all(len(x) < 400 for x in lines)
        output = str(
            self.conn.send_config_set(
                lines, cmd_verify=verify, read_timeout=self.settings.timeout,
                error_pattern=ERROR_PATTERN if verify else "",
            )
        )
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
        self.client = Ssh1Client()
        try:
            self.client.connect(host.hostname, host.port, host.username, password, timeout=settings.timeout)
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
        data = self.client.read_until(pattern, timeout=self.timeout)
        if not pattern.search(data):
            raise TimeoutError(f"no prompt within {self.timeout:.0f}s (got {data[-80:]!r})")
        return data

    def _exchange(self, command: str) -> str:
        self.client.send(command.encode() + b"\n")
        raw = self._read(self.prompt).decode("utf-8", "replace").replace("\r", "")
        lines = raw.split("\n")
        if lines and lines[0].strip().endswith(command.strip()):
            lines = lines[1:]  # the echo
        return "\n".join(lines[:-1])  # drop the prompt line

    def send_command(self, command: str) -> str:
        return self._exchange(command)

    def send_config(self, lines: list[str]) -> str:
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
    """An SSH1 connection for SSH1-only hosts, else netmiko; fall back to SSH1 on a 1.5 banner."""
    if host.ssh1_only:
        return Ssh1Connection(host, password, settings)
    try:
        return NetmikoConnection(host, password, settings)
    except Exception as exc:
        if settings.ssh1_fallback and "1.5 instead of 2.0" in _all_text(exc):
            return Ssh1Connection(host, password, settings)
        raise


def _all_text(exc: BaseException) -> str:
    parts = []
    current: BaseException | None = exc
    while current is not None and len(parts) < 10:
        parts.append(str(current))
        current = current.__cause__ or current.__context__
    return " ".join(parts)
