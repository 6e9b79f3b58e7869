"""Compare intended configuration with a running one and produce the commands that close the gap.

Both sides are parsed from Comware ``display current-configuration`` layout: ``#`` separators,
object headers (``vlan 10``, ``interface GigabitEthernet2/0/1``, ``local-user ops``) at column 0
with children indented, and global commands indented one space under no header. The diff is
per section and semantic where Comware is:

* merge (default): only intent lines the device lacks are sent; a line is "had" if present
  verbatim, or if the device's line already covers it (``service-type ssh`` within
  ``service-type ssh telnet terminal``, VLANs within ``port trunk permit vlan``, a
  ``password simple X`` whose stored hash verifies X).
* replace: sections named in the intent are made to match exactly; extra lines are removed with
  ``undo`` unless the intent sets the same single-valued attribute (``description``, ``name`` ...)
  which Comware overwrites in place. Global lines are replaced per command family (a line's
  words minus its last argument, e.g. ``snmp-agent community read``), never wholesale, so a
  template cannot undo ``ssh server enable`` by leaving it out. Sections absent from the intent
  are left alone.

An ``undo`` line in the intent asks for absence. When it removes an object or a value
(``undo snmp-agent community public``, ``undo description``), it is "had" once the device has
nothing it would remove, so it is sent only while there is something to remove and a second
push sends nothing. Other ``undo`` lines (feature switches such as ``undo ssh server
compatible-ssh1x enable``, which the device displays as written) are "had" when present verbatim.

Volatile lines (``version``, password hashes, the SNMP engine id) are left out of comparisons.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from agent.configrules import feature_rules
from agent.passwords import is_hash, verify_password

GLOBAL = ""  # the pseudo-header of global (system view) lines

VOLATILE = [
    re.compile(r"^version \S"),
    re.compile(r"^(super )?password .*cipher "),
    re.compile(r"^password cipher "),
    re.compile(r"^snmp-agent local-engineid "),
]

# Single-valued attributes and keyed objects: each feature declares its own (agent/features/*/diff.py).
RULES = feature_rules()
SINGLE = RULES.single

_SECRET = re.compile(r"^((?:super )?password(?: level \d)? simple )\S+")
_SECRET_LINE = re.compile(r"^(\s*(?:super )?password(?: level \d)? simple )\S+", re.M)


def normalize(line: str) -> str:
    return " ".join(line.split())


def mask(line: str) -> str:
    """Hide clear-text passwords in anything shown or reported."""
    return _SECRET.sub(r"\1******", line)


def mask_text(text: str) -> str:
    """:func:`mask` for whole configuration texts (indented lines, e.g. rendered templates)."""
    return _SECRET_LINE.sub(r"\1******", text)


def is_volatile(line: str) -> bool:
    return any(p.search(line) for p in VOLATILE)


@dataclass
class Config:
    """Parsed configuration: ordered sections ``header -> lines`` (header ``""`` = global lines)."""

    sections: dict[str, list[str]] = field(default_factory=dict)

    def lines(self, header: str) -> list[str]:
        return self.sections.get(header, [])

    def add(self, header: str, line: str | None = None) -> None:
        body = self.sections.setdefault(header, [])
        if line is not None and line not in body:
            body.append(line)


def parse_config(text: str) -> Config:
    """Parse ``display current-configuration`` (or template output) into sections.

    A ``public-key peer`` block (nested views ending with ``peer-public-key end``) is kept as one
    global line joining its parts, so it compares as a unit.
    """
    config = Config()
    config.sections[GLOBAL] = []
    header = GLOBAL
    block: list[str] | None = None
    for raw in text.replace("\r", "").split("\n"):
        if not raw.strip():
            continue
        stripped = normalize(raw)
        if block is not None:
            block.append(stripped)
            if stripped == "peer-public-key end":
                config.add(GLOBAL, " / ".join(block))
                block = None
            continue
        if stripped in ("#", "return") or stripped.startswith("<") or stripped.startswith("["):
            header = GLOBAL
            continue
        if stripped.startswith("public-key peer ") and " import " not in stripped:
            block = [stripped]
            continue
        if not raw[0].isspace():
            header = stripped
            config.add(header)
            continue
        config.add(header, stripped)
    return config


def strip_volatile(config: Config) -> Config:
    return Config({h: [x for x in body if not is_volatile(x)] for h, body in config.sections.items()})


# ---------------------------------------------------------------------------- line semantics

def family(line: str) -> str | None:
    """The single-valued attribute a line sets, if any (``description``, ``port access vlan`` ...)."""
    if line.startswith("undo "):
        return None
    for prefix in SINGLE:
        if line == prefix or line.startswith(prefix + " "):
            return prefix
    for keyed in RULES.keyed:
        name = keyed.family_of(line)
        if name is not None:
            return name
    return None


def _is_family(target: str) -> bool:
    """Is ``target`` the name of a single-valued attribute or object (what ``undo_of`` produces)?"""
    return target in SINGLE or any(keyed.is_family(target) for keyed in RULES.keyed)


def undone_by(line: str, running: list[str]) -> list[str] | None:
    """For an intent ``undo`` line that removes a value or object: the running lines it removes.

    ``None`` when ``line`` is not such an ``undo`` (e.g. a feature switch like ``undo ssh server
    compatible-ssh1x enable``): those count as present only verbatim.
    """
    if not line.startswith("undo ") or line in running:
        return None
    target = line[5:]
    hits = [x for x in running if not x.startswith("undo ") and (x == target or undo_of(x) == line)]
    if hits or _is_family(target):
        return hits
    return None


def global_group(line: str) -> str | None:
    """Words minus the last argument, for replacing global lines by command family."""
    words = line.split()
    return " ".join(words[:-1]) if len(words) >= 3 else None


def undo_of(line: str) -> str:
    """The Comware command that removes ``line``."""
    if line.startswith("undo "):
        return line[5:]
    if line.startswith("public-key peer "):
        return "undo " + line.split(" / ")[0]
    fam = family(line)
    if fam is not None:
        return "undo " + fam
    return "undo " + line


def vlan_set(items: list[str]) -> set[int]:
    """``['2', 'to', '10', '20']`` -> {2..10, 20}; ``['all']`` -> 1..4094."""
    if items == ["all"]:
        return set(range(1, 4095))
    out: set[int] = set()
    i = 0
    while i < len(items):
        if not items[i].isdigit():
            i += 1
            continue
        first = int(items[i])
        if i + 2 < len(items) and items[i + 1] == "to" and items[i + 2].isdigit():
            out.update(range(first, int(items[i + 2]) + 1))
            i += 3
        else:
            out.add(first)
            i += 1
    return out


def vlan_items(vlans: set[int]) -> str:
    """{2, 3, 4, 10} -> ``2 to 4 10``."""
    parts: list[str] = []
    ordered = sorted(vlans)
    i = 0
    while i < len(ordered):
        j = i
        while j + 1 < len(ordered) and ordered[j + 1] == ordered[j] + 1:
            j += 1
        parts.append(str(ordered[i]) if i == j else f"{ordered[i]} to {ordered[j]}")
        i = j + 1
    return " ".join(parts)


_TRUNK = "port trunk permit vlan "
_SERVICE = "service-type "


def _tokens_of(lines: list[str], prefix: str) -> list[str]:
    out: list[str] = []
    for x in lines:
        if x.startswith(prefix):
            out.extend(x[len(prefix):].split())
    return out


def _password_ok(line: str, running: list[str]) -> bool:
    """``password simple X`` is satisfied by a stored hash of X (or, unverifiable, any hash)."""
    m = re.match(r"^password simple (\S+)$", line)
    if not m:
        return False
    for have in running:
        h = re.match(r"^password cipher (\S+)$", have)
        if h:
            stored = h.group(1)
            if not is_hash(stored):
                return True  # a real switch's reversible $c$ form: we cannot check it, keep it
            return verify_password(stored, m.group(1).encode())
    return False


def covered(line: str, running: list[str]) -> bool:
    """Does the running section already provide ``line``?"""
    if line in running:
        return True
    if line.startswith(_SERVICE):
        return set(line[len(_SERVICE):].split()) <= set(_tokens_of(running, _SERVICE))
    if line.startswith(_TRUNK):
        return vlan_set(line[len(_TRUNK):].split()) <= vlan_set(_tokens_of(running, _TRUNK))
    if line.startswith("password simple "):
        return _password_ok(line, running)
    if is_volatile(line):
        return True
    if undone_by(line, running) == []:
        return True  # an ``undo`` of something the device does not have
    return False


# ---------------------------------------------------------------------------- the diff

@dataclass
class SectionChange:
    header: str
    adds: list[str] = field(default_factory=list)
    undos: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)  # running lines the undos remove (for display)
    new: bool = False


@dataclass
class ChangeSet:
    """What must be typed, per section, to bring a device to the intent."""

    changes: list[SectionChange] = field(default_factory=list)

    @property
    def empty(self) -> bool:
        return not any(c.adds or c.undos or c.new for c in self.changes)

    def commands(self) -> list[str]:
        """Lines to type in system view: global lines bare, sections entered and left with ``quit``."""
        out: list[str] = []
        for change in self.changes:
            body = [*change.undos, *change.adds]
            if change.header == GLOBAL:
                out.extend(body)
            elif body or change.new:
                out.extend([change.header, *body, "quit"])
        return out

    def script(self) -> str:
        """The whole change as a user would type it, passwords masked."""
        if self.empty:
            return ""
        lines = ["system-view"]
        for change in self.changes:
            body = [mask(x) for x in (*change.undos, *change.adds)]
            if change.header == GLOBAL:
                lines.extend(f" {x}" for x in body)
            elif body or change.new:
                lines.extend([f" {change.header}", *(f"  {x}" for x in body), "  quit"])
        lines.append("return")
        return "\n".join(lines) + "\n"

    def delta(self) -> list[tuple[str, str, str]]:
        """``(header, '+'|'-', line)`` for display and for comparing with backup diffs."""
        out: list[tuple[str, str, str]] = []
        for change in self.changes:
            if change.new:
                out.append((change.header, "+", change.header))
            out.extend((change.header, "-", x) for x in change.removed)
            out.extend((change.header, "+", mask(x)) for x in change.adds)
        return out


def _order(header: str) -> int:
    if header.startswith("vlan "):
        return 0
    if header.startswith("local-user "):
        return 1
    if header == GLOBAL:
        return 2
    if header.startswith("interface "):
        return 4
    return 3


def diff(intent: Config, running: Config, *, replace: bool = False) -> ChangeSet:
    """The commands that make ``running`` contain (merge) or match (replace) ``intent``."""
    result = ChangeSet()
    order = list(intent.sections)
    headers = sorted(order, key=lambda h: (_order(h), order.index(h)))
    for header in headers:
        want = intent.lines(header)
        have = running.lines(header)
        exists = header == GLOBAL or header in running.sections
        change = SectionChange(header, new=not exists)
        for line in want:
            if covered(line, have):
                continue
            gone = undone_by(line, have)
            if gone:  # removes running lines: an undo, shown as those lines removed
                change.undos.append(line)
                change.removed.extend(gone)
            else:
                change.adds.append(line)
        added = {f for f in (family(x) for x in change.adds) if f}
        # Single-valued lines the adds overwrite in place: shown as removed, no undo needed.
        change.removed.extend(x for x in have if x not in want and family(x) in added and not is_volatile(x))
        if replace:
            _replace_extras(change, header, want, have)
        if change.adds or change.undos or change.new:
            result.changes.append(change)
    return result


def _replace_extras(change: SectionChange, header: str, want: list[str], have: list[str]) -> None:
    families = {f for f in (family(x) for x in want) if f}
    groups = {g for g in (global_group(x) for x in want) if g}
    for line in have:
        if is_volatile(line) or line in want:
            continue
        if line.startswith(_SERVICE) and any(x.startswith(_SERVICE) for x in want):
            extra = [t for t in line[len(_SERVICE):].split() if t not in _tokens_of(want, _SERVICE)]
            if extra:
                change.undos.append("undo service-type " + " ".join(extra))
                change.removed.append(_SERVICE + " ".join(extra))
            continue
        if line.startswith(_TRUNK) and any(x.startswith(_TRUNK) for x in want):
            extra_vlans = vlan_set(line[len(_TRUNK):].split()) - vlan_set(_tokens_of(want, _TRUNK))
            if extra_vlans:
                change.undos.append("undo " + _TRUNK + vlan_items(extra_vlans))
                change.removed.append(_TRUNK + vlan_items(extra_vlans))
            continue
        fam = family(line)
        if fam is not None and fam in families:
            continue  # the intent's value overwrites it in place
        if undo_of(line) in change.undos:
            continue  # the intent itself undoes it
        if header == GLOBAL and global_group(line) not in groups:
            continue  # global lines are replaced per command family only
        change.undos.append(undo_of(line))
        change.removed.append(line)


def config_delta(old: Config, new: Config) -> list[tuple[str, str, str]]:
    """Section-aware difference between two configurations (volatile lines ignored)."""
    old, new = strip_volatile(old), strip_volatile(new)
    out: list[tuple[str, str, str]] = []
    for header in [*new.sections, *(h for h in old.sections if h not in new.sections)]:
        if header not in old.sections:
            out.append((header, "+", header))
        elif header not in new.sections:
            out.append((header, "-", header))
        before, after = old.lines(header), new.lines(header)
        out.extend((header, "-", x) for x in before if x not in after)
        out.extend((header, "+", x) for x in after if x not in before)
    return out


def render_delta(delta: list[tuple[str, str, str]]) -> str:
    """Human-readable delta: section headers as context, ``+``/``-`` lines indented as on the device."""
    lines: list[str] = []
    current: str | None = None
    for header, sign, line in delta:
        if header != current:
            current = header
            if header and not any(h == header and s in "+-" and x == header for h, s, x in delta):
                lines.append(f"  {header}")
        if line == header and header:
            lines.append(f"{sign} {header}")
        else:
            lines.append(f"{sign}  {line}")
    return "\n".join(lines) + ("\n" if lines else "")
