"""Compliance rules (YAML) checked against each device's configuration, commands and SSH offer.

Rule kinds (one per rule):

* ``config_present: LINE`` / ``config_absent: REGEX`` (optionally ``section: HEADER``): on the
  running configuration; ``section_present: HEADER`` (e.g. ``vlan 10``).
* ``command: CMD`` with ``output_matches`` / ``output_not_matches``: on a command's output.
* ``banner_not_matches: REGEX``: on the SSH identification line ("no SSH1": ``^SSH-1\\.``).
* ``ssh_offers_none: [names]``: none of these algorithms in the device's SSH-2 KEXINIT
  ("no legacy ciphers"); read with a bare TCP probe, before any login.
"""

from __future__ import annotations

import re
import socket
import struct
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from agent.errors import ConfigError
from agent.fleet import configdiff
from agent.profiles.yaml_lines import format_validation_error, load_yaml_with_lines

_KINDS = ("config_present", "config_absent", "section_present", "command", "banner_not_matches", "ssh_offers_none")


class Rule(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: str = Field(pattern=r"^[A-Za-z0-9_.\-]{1,64}$")
    description: str = ""
    section: str | None = None
    config_present: str | None = None
    config_absent: str | None = None
    section_present: str | None = None
    command: str | None = None
    output_matches: str | None = None
    output_not_matches: str | None = None
    banner_not_matches: str | None = None
    ssh_offers_none: list[str] | None = None

    @model_validator(mode="after")
    def _one_kind(self) -> Rule:
        kinds = [k for k in _KINDS if getattr(self, k) is not None]
        if len(kinds) != 1:
            raise ValueError(f"a rule needs exactly one of {', '.join(_KINDS)} (found {kinds or 'none'})")
        if self.command is not None and self.output_matches is None and self.output_not_matches is None:
            raise ValueError("a 'command' rule needs output_matches or output_not_matches")
        for pattern in (self.config_absent, self.output_matches, self.output_not_matches, self.banner_not_matches):
            if pattern is not None:
                try:
                    re.compile(pattern)
                except re.error as exc:
                    raise ValueError(f"bad regular expression {pattern!r}: {exc}") from None
        return self


class RuleSet(BaseModel):
    model_config = ConfigDict(extra="forbid")
    rules: list[Rule] = Field(min_length=1)


def load_rules(path: str | Path) -> list[dict[str, Any]]:
    """Rules as plain dicts (they travel to Celery workers); errors name file, line and field."""
    path = Path(path)
    data, locations = load_yaml_with_lines(path)
    try:
        rules = RuleSet.model_validate(data)
    except ValidationError as exc:
        raise ConfigError(format_validation_error(exc, locations, str(path), "compliance")) from None
    return [r.model_dump(exclude_none=True) for r in rules.rules]


def probe_ssh(host: str, port: int, timeout: float = 10.0) -> tuple[str, dict[str, list[str]]]:
    """The server's identification line and (SSH-2 only) its KEXINIT name-lists."""
    with socket.create_connection((host, port), timeout) as sock:
        sock.settimeout(timeout)
        buf = b""
        while b"\n" not in buf:
            chunk = sock.recv(4096)
            if not chunk:
                raise ConnectionError("closed before the SSH identification line")
            buf += chunk
            if len(buf) > 8192:
                raise ConnectionError("no SSH identification line")
        line, _, rest = buf.partition(b"\n")
        banner = line.decode("ascii", "replace").strip()
        if not banner.startswith(("SSH-2.0", "SSH-1.99")):
            return banner, {}
        sock.sendall(b"SSH-2.0-switch-agent_compliance\r\n")
        while len(rest) < 5:
            rest += sock.recv(4096)
        length = struct.unpack(">I", rest[:4])[0]
        while len(rest) < 4 + length:
            chunk = sock.recv(65536)
            if not chunk:
                break
            rest += chunk
        payload = rest[5 : 4 + length - rest[4]]
        if not payload or payload[0] != 20:
            return banner, {}
        pos = 17
        names = ("kex", "host_key", "cipher_c2s", "cipher_s2c", "mac_c2s", "mac_s2c", "comp_c2s", "comp_s2c")
        lists: dict[str, list[str]] = {}
        for key in names:
            n = struct.unpack(">I", payload[pos : pos + 4])[0]
            lists[key] = payload[pos + 4 : pos + 4 + n].decode("ascii", "replace").split(",")
            pos += 4 + n
        return banner, lists


def evaluate(conn: Any, rules: list[dict[str, Any]], address: tuple[str, int] | None) -> list[dict[str, Any]]:
    """Check every rule; returns ``[{rule, passed, detail}]``."""
    running: configdiff.Config | None = None
    probe: tuple[str, dict[str, list[str]]] | None = None
    findings = []
    for rule in rules:
        passed, detail = True, ""
        if any(k in rule for k in ("config_present", "config_absent", "section_present")):
            if running is None:
                running = configdiff.parse_config(conn.send_command("display current-configuration"))
            header = configdiff.normalize(rule.get("section", ""))
            if "section_present" in rule:
                passed = configdiff.normalize(rule["section_present"]) in running.sections
            elif "config_present" in rule:
                passed = configdiff.covered(configdiff.normalize(rule["config_present"]), running.lines(header))
            else:
                regex = re.compile(rule["config_absent"])
                hits = [x for h, body in running.sections.items() if not header or h == header for x in body
                        if regex.search(x)]
                passed, detail = not hits, "; ".join(hits[:3])
        elif "command" in rule:
            output = conn.send_command(rule["command"])
            if "output_matches" in rule:
                passed = re.search(rule["output_matches"], output, re.M) is not None
            if passed and "output_not_matches" in rule:
                hit = re.search(rule["output_not_matches"], output, re.M)
                passed, detail = hit is None, hit.group(0) if hit else ""
        else:
            if address is None:
                raise ConfigError(f"rule {rule['name']}: no address to probe")
            if probe is None:
                probe = probe_ssh(*address)
            banner, lists = probe
            if "banner_not_matches" in rule:
                passed, detail = re.search(rule["banner_not_matches"], banner) is None, banner
            else:
                offered = {name for values in lists.values() for name in values}
                if not lists and banner.startswith("SSH-1."):
                    offered = {"ssh1"}
                bad = sorted(offered & set(rule["ssh_offers_none"]))
                passed, detail = not bad, ", ".join(bad)
        findings.append({"rule": rule["name"], "passed": passed, "detail": detail})
    return findings
