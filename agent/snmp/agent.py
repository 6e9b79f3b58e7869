"""The SNMP agent of one emulated device: pysnmp 7 engine (asyncio UDP, v1/v2c/v3 USM) with a
command responder that answers from the device's dynamic OID tree.

pysnmp does message processing and security (community lookup, USM authentication and
privacy, engine discovery, REPORTs, silently dropping what does not decode); this module does
access control and the PDU operations itself, so no pysnmp MIB instrumentation is involved:

* GET / GETNEXT / GETBULK read :class:`agent.snmp.oidtree.OidTree`, built from the live device,
  through :mod:`agent.snmp.readops` -- the same code the v1/v2c fast path (``fastpath``) calls;
* SET checks every varbind first (type, length, value, writability), then applies them all or
  none (RFC 3416 4.2.5) through the CLI (``agent.snmp.cliapply.apply_set``), so
  ``display current-configuration`` shows the change;
* responses are bounded: GETBULK repetitions are capped and trimmed to the message size, an
  oversized GET/GETNEXT answer is ``tooBig``; any unexpected failure is ``genErr``, never a crash.
"""

from __future__ import annotations

import asyncio
import logging
import socket
from collections.abc import Callable, Sequence
from typing import Any

from pysnmp.carrier.asyncio.dgram import udp, udp6
from pysnmp.entity import config, engine
from pysnmp.entity.rfc3413 import cmdrsp, context
from pysnmp.proto import rfc1905
from pysnmp.proto.api import v2c

from agent import usm
from agent.snmp import fastpath, mib_snmp, readops
from agent.snmp.access import Credentials, UsmUser, credentials
from agent.snmp.cliapply import CommitError, apply_set
from agent.snmp.guard import InputGuard, bulk_budget
from agent.snmp.mibs import build_tree
from agent.snmp.oidtree import OidTree, SetError, to_asn1
from agent.snmp.readops import MAX_MESSAGE, MAX_REPETITIONS

log = logging.getLogger(__name__)

SEC_READ = "comm-read"  # securityName of read communities
SEC_WRITE = "comm-write"  # securityName of write communities
MESSAGE_OVERHEAD = 200  # headers, community or USM security parameters, PDU fields

_GET = rfc1905.GetRequestPDU.tagSet
_NEXT = rfc1905.GetNextRequestPDU.tagSet
_BULK = rfc1905.GetBulkRequestPDU.tagSet
_SET = rfc1905.SetRequestPDU.tagSet


def engine_id_for(device: Any) -> bytes:
    """RFC 3411 engine ID, enterprise 43 (3Com), MAC-address format, the bridge MAC (agent.usm)."""
    return usm.engine_id(device.mac(0))


class _RequestError(Exception):
    def __init__(self, status: str, index: int) -> None:
        super().__init__(status)
        self.status = status
        self.index = index  # 1-based; 0 for tooBig


class _Responder(cmdrsp.CommandResponderBase):
    """One responder for every PDU type, answering from the agent's OID tree."""

    SUPPORTED_PDU_TYPES = (_GET, _NEXT, _BULK, _SET)

    def __init__(self, snmp_engine: Any, snmp_context: Any, agent: SnmpAgent) -> None:
        super().__init__(snmp_engine, snmp_context)
        self.agent = agent
        self._request: tuple[int, str, int] = (1, "read", MAX_MESSAGE)

    def process_pdu(  # noqa: PLR0913 - pysnmp's callback signature
        self,
        snmpEngine: Any,
        messageProcessingModel: int,
        securityModel: int,
        securityName: Any,
        securityLevel: int,
        contextEngineId: Any,
        contextName: Any,
        pduVersion: int,
        PDU: Any,
        maxSizeResponseScopedPDU: int,
        stateReference: Any,
    ) -> None:
        access = self.agent.access_for(messageProcessingModel, bytes(securityName).decode("utf-8", "replace"),
                                       int(securityLevel))
        self.agent.stats["requests"] += 1
        if access is None:
            self.agent.stats["dropped"] += 1
            return  # version not enabled / unknown principal: silence, as an agent does
        limit = readops.size_limit(self.agent.max_message, int(maxSizeResponseScopedPDU or 0), MESSAGE_OVERHEAD)
        self._request = (messageProcessingModel, access, limit)
        super().process_pdu(
            snmpEngine, messageProcessingModel, securityModel, securityName, securityLevel, contextEngineId,
            contextName, pduVersion, PDU, maxSizeResponseScopedPDU, stateReference,
        )

    def handle_management_operation(self, snmpEngine: Any, stateReference: Any, contextName: Any, PDU: Any) -> None:
        mp_model, access, limit = self._request
        var_binds = v2c.apiPDU.get_varbinds(PDU)
        tag = PDU.tagSet
        try:
            if tag == _GET:
                out = self._get(var_binds, mp_model, limit)
            elif tag == _NEXT:
                out = self._next(var_binds, mp_model, limit)
            elif tag == _BULK:
                out = self._bulk(PDU, var_binds, limit)
            elif tag == _SET:
                out = self._set(var_binds, access)
            else:  # pragma: no cover - the dispatcher only routes SUPPORTED_PDU_TYPES
                raise _RequestError("genErr", 0)
        except readops.ReadError as err:
            self.agent.stats["errors"] += 1
            if err.status == "noSuchName":
                # SNMPv1: pysnmp's RFC 2576 proxy turns the first exception value it finds into
                # noSuchName at that index (a v2 noSuchName error-status would become genErr).
                echo = [(n, _MISSING["noSuchObject"] if i == err.index else v) for i, (n, v) in enumerate(var_binds, 1)]
                self.send_varbinds(snmpEngine, stateReference, 0, 0, echo)
            else:
                self.send_varbinds(snmpEngine, stateReference, err.status, err.index, [])
        except _RequestError as err:
            self.agent.stats["errors"] += 1
            echo = [] if err.status == "tooBig" else var_binds
            self.send_varbinds(snmpEngine, stateReference, err.status, err.index, echo)
        except Exception:  # noqa: BLE001 - a bug must cost one genErr answer, not the agent
            log.exception("SNMP request failed")
            self.agent.stats["errors"] += 1
            self.send_varbinds(snmpEngine, stateReference, "genErr", 1 if var_binds else 0, var_binds)
        else:
            self.send_varbinds(snmpEngine, stateReference, 0, 0, out)
        self.release_state_information(stateReference)

    # ------------------------------------------------------------------ operations
    def _get(self, var_binds: list[Any], mp_model: int, limit: int) -> list[Any]:
        return readops.get(self.agent.tree, [tuple(name) for name, _ in var_binds], _varbind, limit, mp_model == 0)

    def _next(self, var_binds: list[Any], mp_model: int, limit: int) -> list[Any]:
        oids = [tuple(name) for name, _ in var_binds]
        return readops.get_next(self.agent.tree, oids, _varbind, limit, mp_model == 0)

    def _bulk(self, pdu: Any, var_binds: list[Any], limit: int) -> list[Any]:
        non_repeaters = int(v2c.apiBulkPDU.get_non_repeaters(pdu))
        repetitions = int(v2c.apiBulkPDU.get_max_repetitions(pdu))
        oids = [tuple(name) for name, _ in var_binds]
        limit = min(limit, bulk_budget(self.agent.guard.request_size))  # no reflection amplifier
        return readops.get_bulk(self.agent.tree, oids, non_repeaters, repetitions, _varbind, limit,
                                self.agent.max_repetitions)

    def _set(self, var_binds: list[Any], access: str) -> list[Any]:
        """RFC 3416 4.2.5: check every varbind, then apply all of them or none."""
        tree = self.agent.tree
        if access != "write":
            raise _RequestError("noAccess", 1)
        with self.agent.device.lock:  # nothing changes between the checks and the commit
            prepared = []
            for index, (name, value) in enumerate(var_binds, 1):
                oid = tuple(name)
                setter = tree.writable(oid)
                if setter is None:
                    raise _RequestError("notWritable", index)
                if value.tagSet != setter.syntax.tagSet:
                    raise _RequestError("wrongType", index)
                try:
                    prepared.append((index, setter, setter.check(oid, value)))
                except SetError as err:
                    raise _RequestError(err.status, index) from None
            try:
                apply_set(self.agent.device, prepared)
            except CommitError as err:
                raise _RequestError(err.status, err.index) from None
            finally:
                tree.invalidate()
        self.agent.stats["sets"] += 1
        return var_binds


_MISSING = {m.name: v for m, v in ((readops.NO_SUCH_OBJECT, rfc1905.noSuchObject),
                                    (readops.NO_SUCH_INSTANCE, rfc1905.noSuchInstance),
                                    (readops.END_OF_MIB_VIEW, rfc1905.endOfMibView))}


def _key(text: str | None, localized: bool) -> bytes | str | None:
    """A `cipher` key is the localized key in hex; otherwise the pass phrase as typed."""
    if text is None or not localized:
        return text
    return bytes.fromhex(text)


def _varbind(oid: tuple[int, ...], value: Any) -> tuple[tuple[Any, Any], int]:
    """readops' encoder for pysnmp: a (name, value) pair of pyasn1 objects and its BER size, the
    fast path's exact figure, so both paths fit the same rows into the same byte budgets."""
    asn1 = _MISSING[value.name] if value.__class__ is readops.Missing else to_asn1(value)
    return (v2c.ObjectIdentifier(oid), asn1), fastpath.varbind_length(oid, value)


class SnmpAgent:
    """SNMP agent for ``device`` on UDP ``host:port`` (port 0: any free port; see :attr:`port`)."""

    def __init__(
        self,
        device: Any,
        host: str = "127.0.0.1",
        port: int = 1161,
        *,
        strict_versions: bool = False,
        max_repetitions: int = MAX_REPETITIONS,
        communities: Sequence[str] = (),
    ) -> None:
        self.device = device
        self.host = host
        self.port = port
        self.strict_versions = strict_versions
        self.max_repetitions = max_repetitions
        # Read communities asked for explicitly (`--snmp-community`): a Comware 5 switch has none
        # until one is configured, so the agent adds only these, as `snmp-agent community read`.
        self.communities = tuple(communities)
        self.tree: OidTree = build_tree(device)
        self.guard = InputGuard()
        self.tree.add(mib_snmp.section(self.snmp_counters))
        self.max_message = MAX_MESSAGE
        self.stats = {"requests": 0, "fast": 0, "dropped": 0, "errors": 0, "sets": 0}
        self.engine: Any = None
        self._transport: Any = None
        self._responder: _Responder | None = None
        self._unsubscribe: Callable[[], None] | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._creds = Credentials((), (), frozenset())
        self._community_index: dict[tuple[str, str], str] = {}
        self._users: dict[str, UsmUser] = {}
        self._communities: dict[str, str] = {}
        self._next_index = 0

    # ------------------------------------------------------------------ lifecycle
    async def start(self) -> None:
        loop = asyncio.get_running_loop()
        self._loop = loop
        family = socket.AF_INET6 if ":" in self.host else socket.AF_INET
        sock = socket.socket(family, socket.SOCK_DGRAM)
        try:
            sock.bind((self.host, self.port))
            sock.setblocking(False)
        except OSError:
            sock.close()
            raise
        self.port = sock.getsockname()[1]
        if self.communities:
            with self.device.lock:
                for name in self.communities:
                    self.device.snmp.communities.setdefault(name, "read")
        self.engine = engine.SnmpEngine(snmpEngineID=v2c.OctetString(engine_id_for(self.device)))
        module = udp6 if family == socket.AF_INET6 else udp
        transport = fastpath.make_transport(module.UdpTransport)(loop=loop)
        transport.fast_handler = lambda data: fastpath.handle(self, data)
        transport.guard = self.guard
        transport.open_server_mode(sock=sock)
        await transport._lport  # the datagram endpoint exists once this resolves
        self._transport = transport
        config.add_transport(self.engine, module.DOMAIN_NAME, transport)
        self._sync_credentials()
        self._responder = _Responder(self.engine, context.SnmpContext(self.engine), self)
        self._unsubscribe = self.device.subscribe(self._on_device_change)
        log.info("SNMP agent for %s on udp %s:%d", self.device.sysname, self.host, self.port)

    def stop(self) -> None:
        self.tree.detach()  # type: ignore[attr-defined]
        if self._unsubscribe is not None:
            self._unsubscribe()
            self._unsubscribe = None
        if self.engine is not None:
            if self._responder is not None:
                self._responder.close(self.engine)
                self._responder = None
            dispatcher = self.engine.transport_dispatcher
            if dispatcher is not None:
                dispatcher.close_dispatcher()
            self.engine = None
        self._transport = None

    def snmp_counters(self) -> dict[str, int]:
        """The snmp group's counters: ours (framing, fast path) plus pysnmp's (its decoder, communities)."""
        counts = dict(self.guard.counts)
        counts["bad_community"] = 0
        if self.engine is not None:
            builder = self.engine.get_mib_builder()
            for key, name in (("parse_errors", "snmpInASNParseErrs"), ("bad_community", "snmpInBadCommunityNames")):
                try:
                    (symbol,) = builder.import_symbols("__SNMPv2-MIB", name)
                    counts[key] += int(symbol.syntax)
                except Exception:  # noqa: BLE001 - a pysnmp without the symbol: ours alone
                    pass
        return counts

    # ------------------------------------------------------------------ device changes
    def _on_device_change(self, device: Any, topic: str) -> None:
        self.tree.invalidate()
        if topic in ("snmp", "config", "reboot") and self._loop is not None:
            try:
                running = asyncio.get_running_loop()
            except RuntimeError:
                running = None
            if running is self._loop:
                self._sync_credentials()
            else:
                self._loop.call_soon_threadsafe(self._sync_credentials)

    def _sync_credentials(self) -> None:
        """Bring pysnmp's community and USM tables in line with ``device.snmp``."""
        if self.engine is None:
            return
        creds = credentials(self.device, strict_versions=self.strict_versions)
        if creds == self._creds:
            return
        wanted = set(creds.communities)
        for key in list(self._community_index):
            if key not in wanted:
                config.delete_v1_system(self.engine, self._community_index.pop(key))
        for name, access in creds.communities:
            if (name, access) not in self._community_index:
                self._next_index += 1
                index = f"c{self._next_index}"
                sec_name = SEC_WRITE if access == "write" else SEC_READ
                config.add_v1_system(self.engine, index, name, securityName=sec_name)
                self._community_index[(name, access)] = index
        new_users = {u.name: u for u in creds.users}
        for name, user in list(self._users.items()):
            if new_users.get(name) != user:
                config.delete_v3_user(self.engine, name)
                del self._users[name]
        for name, user in new_users.items():
            if name in self._users:
                continue
            try:
                key_type = config.USM_KEY_TYPE_LOCALIZED if user.localized else config.USM_KEY_TYPE_PASSPHRASE
                config.add_v3_user(
                    self.engine,
                    name,
                    usm.AUTH_PROTOCOLS[user.auth] if user.auth else config.USM_AUTH_NONE,
                    _key(user.auth_key, user.localized),
                    usm.PRIV_PROTOCOLS[user.priv] if user.priv else config.USM_PRIV_NONE,
                    _key(user.priv_key, user.localized),
                    authKeyType=key_type,
                    privKeyType=key_type,
                )
            except Exception:  # noqa: BLE001 - e.g. a key pysnmp refuses; skip the user, keep serving
                log.exception("SNMP: cannot add USM user %s", name)
                continue
            self._users[name] = user
        self._communities = dict(creds.communities)
        self._creds = creds

    # ------------------------------------------------------------------ access control
    def community_access(self, community: str, version: int) -> str | None:
        """"read" / "write" for a v1 (0) / v2c (1) community that is configured and enabled, else None."""
        if ("v1" if version == 0 else "v2c") not in self._creds.versions:
            return None
        return self._communities.get(community)

    def access_for(self, mp_model: int, security_name: str, security_level: int) -> str | None:
        """"read" / "write" for an authenticated request, or None to drop it."""
        versions = self._creds.versions
        if mp_model in (0, 1):
            if ("v1" if mp_model == 0 else "v2c") not in versions:
                return None
            if security_name == SEC_WRITE:
                return "write"
            return "read" if security_name == SEC_READ else None
        if mp_model == 3 and "v3" in versions:
            user = self._users.get(security_name)
            if user is None or security_level < user.level:
                return None
            return "read"  # Comware's default group has a read view only
        return None
