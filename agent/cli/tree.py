"""Declarative command tree with Comware matching rules.

Commands are declared with a small syntax (``display vlan [all|brief|<vid:int:1-4094>]``)
and compiled into one trie per view. Features declare their commands in a :class:`CommandSet`;
an OS family (agent/cli/family.py) builds its :class:`CommandTree` from its features' sets once,
and every device of the family shares it:

* ``word``                 keyword (matched case-insensitively by unique prefix)
* ``<name:type[:a-b]>``    argument; types: int, word, text (rest of line), ip, mask,
                           vlanitem (number or ``to``), hex, iface (any interface), port (physical)
* ``{a|b|c}``              one of several alternatives (each a sequence)
* ``[ ... ]``              optional part
* ``...`` after an item    the item may repeat

Interface-type keywords are "glued": ``g2/0/1`` is split into ``g`` + ``2/0/1``.
"""

from __future__ import annotations

import ipaddress
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any, TypeVar

from agent.cli.errors import AMBIGUOUS, INCOMPLETE, TOO_MANY, UNRECOGNIZED, WRONG, ParseError

_GLUE_RE = re.compile(r"^([A-Za-z][A-Za-z-]*?)(\d.*)$")
_PORTNUM_RE = re.compile(r"^\d{1,2}/\d/\d{1,3}$")

@dataclass(frozen=True, slots=True)
class Token:
    text: str
    start: int


def tokenize(line: str) -> list[Token]:
    return [Token(m.group(0), m.start()) for m in re.finditer(r"\S+", line)]


@dataclass(slots=True)
class ArgType:
    kind: str
    lo: int = 0
    hi: int = 0
    help: str = ""
    iface_type: str | None = None

    def label(self, device: Any = None) -> str:
        if self.kind in ("int", "vlanitem"):
            return f"<{self.lo}-{self.hi}>"
        if self.kind == "word":
            return f"STRING<1-{self.hi or 80}>"
        if self.kind == "text":
            return f"TEXT<1-{self.hi or 80}>" if self.hi else "TEXT"
        if self.kind == "ip":
            return "X.X.X.X"
        if self.kind == "mask":
            return "INTEGER<0-32>|X.X.X.X"
        if self.kind == "hex":
            return "STRING"
        if self.kind == "ifnum":
            return _ifnum_label(self.iface_type or "", device)
        return self.kind.upper()

    def accept(self, text: str, device: Any) -> tuple[bool, Any]:
        kind = self.kind
        if kind in ("int", "vlanitem"):
            if kind == "vlanitem" and text.lower() == "to":
                return True, "to"
            if text.isdigit() and len(text) <= 10 and self.lo <= int(text) <= self.hi:
                return True, int(text)
            return False, None
        if kind == "word":
            return (len(text) <= (self.hi or 80)), text
        if kind == "ip":
            try:
                return True, str(ipaddress.IPv4Address(text))
            except ValueError:
                return False, None
        if kind == "mask":
            if text.isdigit() and int(text) <= 32 and len(text) <= 2:
                return True, str(ipaddress.IPv4Network(f"0.0.0.0/{int(text)}").netmask)
            try:
                mask = ipaddress.IPv4Address(text)
                ipaddress.IPv4Network(f"0.0.0.0/{mask}")
            except ValueError:
                return False, None
            return True, str(mask)
        if kind == "hex":
            return (bool(re.fullmatch(r"[0-9A-Fa-f]+", text))), text.upper()
        if kind == "ifnum":
            return _accept_ifnum(self.iface_type or "", text, device)
        return True, text


def _ifnum_label(iface_type: str, device: Any) -> str:
    if iface_type == "Vlan-interface":
        return "<1-4094>"
    if iface_type == "NULL":
        return "<0-0>"
    if device is None:
        return "<slot/0/port>"
    slots = sorted({p.slot for p in device.ports.values() if p.kind == iface_type})
    counts = [p.index for p in device.ports.values() if p.kind == iface_type]
    if not slots:
        return "<slot/0/port>"
    slot_part = str(slots[0]) if len(slots) == 1 else f"{slots[0]}-{slots[-1]}"
    return f"<{slot_part}>/<0>/<1-{max(counts)}>"


def _accept_ifnum(iface_type: str, text: str, device: Any) -> tuple[bool, Any]:
    if iface_type == "Vlan-interface":
        if text.isdigit() and len(text) <= 4 and 1 <= int(text) <= 4094:
            return True, f"Vlan-interface{int(text)}"
        return False, None
    if iface_type == "NULL":
        return (text == "0"), "NULL0"
    if not _PORTNUM_RE.match(text):
        return False, None
    slot, sub, index = (int(x) for x in text.split("/"))
    name = f"{iface_type}{slot}/{sub}/{index}"
    if device is not None and name not in device.ports:
        return False, None
    return True, name


Handler = Callable[..., Any]
H = TypeVar("H", bound=Handler)


class Node:
    """One word position in the trie."""

    __slots__ = ("keyword", "arg", "name", "help", "children", "handler", "handler_level", "level",
                 "peers", "glue", "filterable", "choices_by_level")

    def __init__(self, keyword: str | None = None, arg: ArgType | None = None, name: str = "", help: str = "") -> None:
        self.keyword = keyword
        self.arg = arg
        self.name = name
        self.help = help
        self.children: list[Node] = []
        self.handler: Handler | None = None
        self.handler_level = 4
        self.level = 4
        self.peers: list[Node] | None = None  # repeatable siblings reachable again from here
        self.glue = False
        self.filterable = False
        # level -> (tree generation, Choices): what matching needs, computed once per level
        self.choices_by_level: dict[int, tuple[int, Choices]] = {}

    def key(self) -> tuple[object, ...]:
        if self.keyword is not None:
            return ("kw", self.keyword)
        assert self.arg is not None
        return ("arg", self.name, self.arg.kind, self.arg.lo, self.arg.hi, self.arg.iface_type)

    def __repr__(self) -> str:  # pragma: no cover - debugging aid
        return f"Node({self.keyword or '<' + self.name + '>'})"


# ---------------------------------------------------------------- syntax compiler
@dataclass
class _Item:
    node: Node | None = None  # atomic
    alts: list[list[_Item]] | None = None
    optional: bool = False
    repeat: bool = False


def _lex(syntax: str) -> list[str]:
    return re.findall(r"<[^>]+>|\.\.\.|[{}\[\]|]|[^\s{}\[\]|<>]+", syntax)


@dataclass(frozen=True)
class _Kinds:
    """The interface types an ``<x:iface>`` / ``<x:port>`` argument offers (the family's tables)."""

    iface: tuple[str, ...]
    port: tuple[str, ...]


def _parse_seq(tokens: list[str], pos: int, stop: set[str], kinds: _Kinds) -> tuple[list[_Item], int]:
    items: list[_Item] = []
    while pos < len(tokens) and tokens[pos] not in stop:
        tok = tokens[pos]
        if tok == "{" or tok == "[":
            close = "}" if tok == "{" else "]"
            alts: list[list[_Item]] = []
            pos += 1
            while True:
                seq, pos = _parse_seq(tokens, pos, {"|", close}, kinds)
                alts.append(seq)
                if tokens[pos] == close:
                    pos += 1
                    break
                pos += 1
            items.append(_Item(alts=alts, optional=(tok == "[")))
        elif tok == "...":
            items[-1].repeat = True
            pos += 1
        elif tok.startswith("<"):
            items.append(_arg_item(tok[1:-1], kinds))
            pos += 1
        else:
            items.append(_Item(node=Node(keyword=tok)))
            pos += 1
    return items, pos


def _arg_item(spec: str, kinds: _Kinds) -> _Item:
    parts = spec.split(":")
    name, kind = parts[0], parts[1] if len(parts) > 1 else "word"
    lo = hi = 0
    if len(parts) > 2:
        a, _, b = parts[2].partition("-")
        lo, hi = int(a), int(b or a)
    if kind in ("iface", "port"):
        types = kinds.iface if kind == "iface" else kinds.port
        alts = []
        for t in types:
            kw = Node(keyword=t, help=f"{t} interface")
            kw.glue = True
            num = Node(arg=ArgType("ifnum", iface_type=t), name=name, help=f"{t} interface number")
            alts.append([_Item(node=kw), _Item(node=num)])
        return _Item(alts=alts)
    if kind == "vlanitem":
        lo, hi = lo or 1, hi or 4094
    return _Item(node=Node(arg=ArgType(kind, lo, hi), name=name))


def _expand(items: list[_Item]) -> list[list[tuple[Node, list[Node] | None]]]:
    """All paths through ``items``; each step is (template node, repeat group templates)."""
    paths: list[list[tuple[Node, list[Node] | None]]] = [[]]
    for item in items:
        if item.node is not None:
            group = [item.node] if item.repeat else None
            paths = [p + [(item.node, group)] for p in paths]
            continue
        assert item.alts is not None
        alt_paths: list[list[tuple[Node, list[Node] | None]]] = []
        group = [seq[0].node for seq in item.alts if seq and seq[0].node is not None] if item.repeat else None
        for seq in item.alts:
            for sub in _expand(seq):
                if group is not None and sub:
                    sub = [(sub[0][0], group)] + sub[1:]
                alt_paths.append(sub)
        new = [p + a for p in paths for a in alt_paths]
        if item.optional:
            new = paths + new
        paths = new
    return paths


@dataclass(frozen=True)
class CommandSpec:
    """One declared command: ``views`` is a tuple of view names, ``ANY`` or ``CONFIG``."""

    views: str | tuple[str, ...]
    syntax: str
    handler: Handler
    level: int
    help: dict[str, str]
    filterable: bool


ANY = "any"  # every view of the family
CONFIG = "config"  # every view but user view (``return``)


class CommandSet:
    """The commands of one feature, and the help texts of their keywords.

    Declaring a command only records it: nothing is global, and a family's tree is built from
    the sets of the features it has (:meth:`CommandTree.add_set`).
    """

    def __init__(self) -> None:
        self.specs: list[CommandSpec] = []
        self.keyword_help: dict[str, str] = {}

    def describe(self, **words: str) -> None:
        """Default help texts for keywords (``foo_bar`` means ``foo-bar``)."""
        for key, text in words.items():
            self.keyword_help.setdefault(key.replace("_", "-"), text)

    def command(
        self, views: str | tuple[str, ...], syntax: str | list[str], level: int = 2,
        help: dict[str, str] | None = None, filterable: bool = False,
    ) -> Callable[[H], H]:
        """Decorator: declare ``handler`` for ``syntax`` in ``views`` (a view name, a tuple, ANY or CONFIG)."""
        syntaxes = [syntax] if isinstance(syntax, str) else syntax

        def wrap(handler: H) -> H:
            for text in syntaxes:
                self.specs.append(CommandSpec(views, text, handler, level, dict(help or {}), filterable))
            return handler

        return wrap

    def display(self, syntax: str | list[str], level: int = 1) -> Callable[[H], H]:
        """A `display` command: in every view, output filters (``| include`` ...) allowed; level 1 unless given."""
        return self.command(ANY, syntax, level=level, filterable=True)


class CommandTree:
    """The roots of all views of one family, built from its features' command sets."""

    def __init__(self, views: Sequence[str], iface_types: Sequence[str], port_types: Sequence[str],
                 config_views: Sequence[str] = ()) -> None:
        self.views = tuple(views)
        self.config_views = tuple(config_views)
        self.kinds = _Kinds(tuple(iface_types), tuple(port_types))
        self.roots: dict[str, Node] = {view: Node(keyword="") for view in self.views}
        self.keyword_help: dict[str, str] = {}

    def add_set(self, commands: CommandSet) -> None:
        """Add every command of a feature (its keyword help first, so that nodes get it)."""
        for key, text in commands.keyword_help.items():
            self.keyword_help.setdefault(key, text)
        for spec in commands.specs:
            self.add(self._views(spec.views), spec.syntax, spec.handler, spec.level, spec.help, spec.filterable)

    def _views(self, views: str | tuple[str, ...]) -> tuple[str, ...]:
        if views == ANY:
            return self.views
        if views == CONFIG:
            return self.config_views
        return (views,) if isinstance(views, str) else views

    def add(self, views: tuple[str, ...], syntax: str, handler: Handler, level: int,
            help: dict[str, str] | None = None, filterable: bool = False) -> None:
        items, _ = _parse_seq(_lex(syntax), 0, set(), self.kinds)
        _GENERATION[0] += 1  # every node's remembered Choices are stale from here on
        for view in views:
            for path in _expand(items):
                self._insert(self.roots[view], path, handler, level, help or {}, filterable)

    def _insert(self, root: Node, path: list[tuple[Node, list[Node] | None]], handler: Handler, level: int,
                help: dict[str, str], filterable: bool) -> None:
        node = root
        node.level = min(node.level, level)
        placed: dict[int, Node] = {}
        for template, group in path:
            child = next((c for c in node.children if c.key() == template.key()), None)
            if child is None:
                child = Node(template.keyword, template.arg, template.name, template.help)
                child.glue = template.glue
                if child.keyword is not None:
                    child.help = help.get(child.keyword) or child.help or self.keyword_help.get(child.keyword, "")
                else:
                    child.help = help.get(f"<{child.name}>") or child.help or self.keyword_help.get(f"<{child.name}>", "")
                node.children.append(child)
            elif child.keyword is not None and help.get(child.keyword) and not child.help:
                child.help = help[child.keyword]
            child.level = min(child.level, level)
            if group is not None:
                placed[id(template)] = child
                # peers: the siblings of this repeatable group under the same parent
                peers = [c for c in node.children if any(c.key() == g.key() for g in group)]
                for peer in peers:
                    peer.peers = peers
            node = child
        if filterable:
            node.filterable = True
        if node.handler is None or level < node.handler_level:
            node.handler = handler
            node.handler_level = level


# ---------------------------------------------------------------- matching
@dataclass
class Match:
    """A parsed line: the handler to run and what was typed."""

    handler: Handler
    args: dict[str, Any] = field(default_factory=dict)
    keywords: list[str] = field(default_factory=list)
    positions: dict[str, int] = field(default_factory=dict)
    filter: tuple[str, str] | None = None
    line: str = ""

    def has(self, *words: str) -> bool:
        return any(w in self.keywords for w in words)


_GENERATION = [0]  # bumped by CommandTree.add: the tree only grows while commands register


class Choices:
    """The children a node offers at one privilege level, indexed for matching a typed word.

    The tree is fixed once the commands have registered, so this is computed once per node and
    level (and again only if a command is added later) instead of for every word of every line.
    """

    __slots__ = ("cands", "exact", "keywords", "args", "texts")

    def __init__(self, node: Node, level: int) -> None:
        cands = [c for c in node.children if c.level <= level]
        if node.peers:
            cands.extend(p for p in node.peers if p.level <= level and p not in cands)
        self.cands = cands
        self.keywords = [(c.keyword.lower(), c) for c in cands if c.keyword is not None]
        self.exact: dict[str, Node] = {}
        for low, c in self.keywords:
            self.exact.setdefault(low, c)  # the first one wins, as in the children's order
        self.args = [c for c in cands if c.arg is not None and c.arg.kind != "text"]
        self.texts = [c for c in cands if c.arg is not None and c.arg.kind == "text"]


def choices(node: Node, level: int) -> Choices:
    known = node.choices_by_level.get(level)
    if known is not None and known[0] == _GENERATION[0]:
        return known[1]
    made = Choices(node, level)
    node.choices_by_level[level] = (_GENERATION[0], made)
    return made


def visible(node: Node, level: int) -> list[Node]:
    return list(choices(node, level).cands)


@dataclass
class Walk:
    node: Node
    match: Match
    filterable: bool
    error: ParseError | None = None
    filter_at: int | None = None  # column of "|" if an output filter follows


def _match_one(tok: Token, offered: Choices, device: Any) -> tuple[str, Node | None, Any]:
    """('ok', node, value) | ('ambiguous'|'none', None, None)."""
    low = tok.text.lower()
    exact = offered.exact.get(low)
    if exact is not None:
        return "ok", exact, exact.keyword
    prefix = [c for kw, c in offered.keywords if kw.startswith(low)]
    if len(prefix) == 1:
        return "ok", prefix[0], prefix[0].keyword
    for c in offered.args:
        ok, value = c.arg.accept(tok.text, device)  # type: ignore[union-attr]
        if ok:
            return "ok", c, value
    if offered.texts:
        return "ok", offered.texts[0], None
    if len(prefix) > 1:
        return "ambiguous", None, None
    return "none", None, None


def walk(root: Node, line: str, level: int, device: Any, tokens: list[Token] | None = None) -> Walk:
    """Follow ``line`` through the tree as far as it goes."""
    toks = list(tokenize(line) if tokens is None else tokens)
    node = root
    match = Match(handler=_no_handler, line=line)
    filterable = False
    i = 0
    while i < len(toks):
        tok = toks[i]
        if tok.text == "|" and filterable and node.handler is not None:
            return Walk(node, match, filterable, filter_at=tok.start)
        offered = choices(node, level)
        cands = offered.cands
        status, child, value = _match_one(tok, offered, device)
        if status == "none":
            glued = _GLUE_RE.match(tok.text)
            if glued:
                head = glued.group(1).lower()
                glue_kws = [c for c in cands if c.glue and c.keyword is not None and c.keyword.lower().startswith(head)]
                if len(glue_kws) == 1:
                    toks[i : i + 1] = [Token(glued.group(1), tok.start), Token(glued.group(2), tok.start + len(head))]
                    continue
        if status == "ambiguous":
            return Walk(node, match, filterable, ParseError(AMBIGUOUS, tok.start))
        if status == "none":
            if not cands:
                kind = TOO_MANY
            elif any(c.arg is not None for c in cands):
                kind = WRONG
            elif node is not root and node.handler is not None and node.handler_level <= level:
                kind = TOO_MANY if not any(c.keyword for c in cands) else UNRECOGNIZED
            else:
                kind = UNRECOGNIZED
            return Walk(node, match, filterable, ParseError(kind, tok.start))
        assert child is not None
        if child.keyword is not None:
            match.keywords.append(child.keyword)
            if child.filterable:
                filterable = True
        else:
            if child.arg is not None and child.arg.kind == "text":
                value = line[tok.start :].rstrip()
                i = len(toks) - 1
            if child.peers and child in child.peers:
                match.args.setdefault(child.name, []).append(value)
            else:
                match.args[child.name] = value
            match.positions.setdefault(child.name, tok.start)
        filterable = filterable or child.filterable
        node = child
        i += 1
    return Walk(node, match, filterable)


def _no_handler(*_: Any) -> None:  # pragma: no cover - never called: parse() checks handler
    raise AssertionError


FILTER_MODES = ("begin", "exclude", "include")


# (root id, line, level) -> (tree generation, Match) for lines made of keywords only
_KEYWORD_LINES: dict[tuple[int, str, int], tuple[int, Match]] = {}
_KEYWORD_LINES_LIMIT = 1024


def parse(root: Node, line: str, level: int, device: Any) -> Match:
    """Full parse of one command line; raises ParseError with the caret column.

    A line that matched keywords only (``display version``, ``display interface brief``)
    never consulted the device (arguments are the only device-dependent part), so its Match
    is remembered and handed out again as a fresh copy.
    """
    key = (id(root), line, level)
    known = _KEYWORD_LINES.get(key)
    if known is not None and known[0] == _GENERATION[0]:
        m = known[1]
        return Match(m.handler, {}, list(m.keywords), {}, m.filter, m.line)
    match = _parse(root, line, level, device)
    if not match.args:
        if len(_KEYWORD_LINES) >= _KEYWORD_LINES_LIMIT:
            _KEYWORD_LINES.clear()
        _KEYWORD_LINES[key] = (_GENERATION[0], Match(match.handler, {}, list(match.keywords), {}, match.filter, match.line))
    return match


def _parse(root: Node, line: str, level: int, device: Any) -> Match:
    toks = tokenize(line)
    result = walk(root, line, level, device, toks)
    if result.error is not None:
        raise result.error
    node = result.node
    if result.filter_at is not None:
        after = [t for t in toks if t.start > result.filter_at]
        if not after:
            raise ParseError(INCOMPLETE, len(line.rstrip()))
        modes = [m for m in FILTER_MODES if m.startswith(after[0].text.lower())]
        if len(modes) != 1:
            raise ParseError(AMBIGUOUS if modes else WRONG, after[0].start)
        if len(after) < 2:
            raise ParseError(INCOMPLETE, len(line.rstrip()))
        regex = line[after[1].start :].rstrip()
        try:
            re.compile(regex)
        except re.error:
            raise ParseError(WRONG, after[1].start) from None
        result.match.filter = (modes[0], regex)
    if node.handler is None or node.handler_level > level:
        raise ParseError(INCOMPLETE, len(line.rstrip()))
    result.match.handler = node.handler
    return result.match


def help_entries(node: Node, level: int, device: Any, filterable: bool, prefix: str | None = None) -> list[tuple[str, str]]:
    """(label, description) rows for ``?``: every candidate, or keywords starting with ``prefix``."""
    cands = visible(node, level)
    if prefix is not None:
        low = prefix.lower()
        return sorted((c.keyword, _help(c)) for c in cands if c.keyword is not None and c.keyword.lower().startswith(low))
    kw_rows = sorted((c.keyword, _help(c)) for c in cands if c.keyword is not None)
    arg_rows: list[tuple[str, str]] = []
    for c in cands:
        if c.arg is not None:
            row = (c.arg.label(device), _help(c))
            same = [i for i, (label, _) in enumerate(arg_rows) if label == row[0]]
            if not same:  # one row per range, e.g. `vlan <vid>` and `vlan <first> to <last>`
                arg_rows.append(row)
            elif row[1] and not arg_rows[same[0]][1]:
                arg_rows[same[0]] = row
            if c.arg.kind == "vlanitem":
                arg_rows.append(("to", "Range of VLAN"))
    rows = arg_rows + kw_rows
    if node.handler is not None and node.handler_level <= level and node.keyword != "":
        if filterable:
            rows.append(("|", "Matching output"))
        rows.append(("<cr>", ""))
    return rows


def _help(node: Node) -> str:
    return node.help  # the tree put the feature's keyword help there when it inserted the node


def completions(node: Node, level: int, prefix: str) -> list[str]:
    low = prefix.lower()
    return sorted(c.keyword for c in visible(node, level) if c.keyword is not None and c.keyword.lower().startswith(low))
