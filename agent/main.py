"""The ``switch-agent`` command line: ``serve`` one device, run a ``lab``, drive a ``fleet``."""

from __future__ import annotations

import argparse
import asyncio
import sys
from pathlib import Path

from agent import native
from agent.args import PASSWORD_ENV, parse_listen, parse_user, parse_users_file
from agent.commandline import subcommand
from agent.errors import ConfigError
from agent.logs import setup_logging


def cmd_serve(args: argparse.Namespace) -> int:
    from agent.family import load_device
    from agent.profiles import load_profile
    from agent.server.listener import DeviceServer, freeze_startup_heap, install_stop_signals, run_event_loop

    profile = load_profile(args.profile)
    host, port = args.listen
    users = [*args.user, *(user for group in args.users_file for user in group)]
    device = load_device(profile, Path(args.state), users)
    device.host_keys.load_all()  # generated on first start, reused after; never during a login
    server = DeviceServer(device, host, port)

    async def run() -> None:
        stop = asyncio.Event()
        install_stop_signals(stop)
        try:
            await server.start()
        except OSError as exc:
            raise ConfigError(f"cannot listen on {host}:{port}: {exc.strerror or exc}") from None
        freeze_startup_heap()
        snmp = None
        if args.snmp or device.snmp.enabled:
            from agent.snmp.agent import SnmpAgent

            snmp_host, snmp_port = args.snmp or (host, 1161)
            snmp = SnmpAgent(device, snmp_host, snmp_port, communities=args.snmp_community)
            try:
                await snmp.start()
            except OSError as exc:
                await server.stop()
                raise ConfigError(f"cannot listen for SNMP on {snmp_host}:{snmp_port}: {exc.strerror or exc}") from None
        users = ", ".join(sorted(device.local_users)) or "none"
        print(
            f"{profile.identity.model} '{device.sysname}' listening on {host}:{server.port} "
            f"(SSH-{device.ssh_protocol_version()}-{profile.identity.ssh_software_version}); users: {users}",
            flush=True,
        )
        print(f"  log in with: ssh -p {server.port} USER@{host}", flush=True)
        print(f"  SSH-2 modules: {native.mode} ({native.reason})", flush=True)
        if snmp is not None:
            print(f"  SNMP agent on udp {snmp.host}:{snmp.port}", flush=True)
        await stop.wait()
        if snmp is not None:
            snmp.stop()
        await server.stop()
        print(f"'{device.sysname}' stopped", flush=True)

    run_event_loop(run())
    return 0


SERVE_EXAMPLES = [
    "switch-agent serve --profile device_profiles/3com-s7906e.yaml --listen 127.0.0.1:2222 --state lab/sw1 "
    "--user admin:3 --snmp 127.0.0.1:1161 --snmp-community public   # password from $SWITCH_AGENT_PASSWORD",
]


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="switch-agent", description=__doc__)
    parser.add_argument("-v", "--verbose", action="store_true", help="debug logging")
    sub = parser.add_subparsers(dest="command", required=True)

    serve = subcommand(
        sub, "serve", "run one emulated switch", SERVE_EXAMPLES,
        description="Run one emulated switch: SSH (and SNMP with --snmp) on 127.0.0.1 until Ctrl+C/SIGTERM. "
        "Host keys and the saved configuration live in the --state folder; --user accounts are added "
        "on the first start only (later starts use the saved configuration).",
    )
    serve.add_argument("--profile", required=True, help="device profile YAML (device_profiles/...)")
    serve.add_argument("--listen", type=parse_listen, default="127.0.0.1:2222", help="HOST:PORT for SSH")
    serve.add_argument("--state", required=True, help="state folder: host keys, flash (saved configuration)")
    serve.add_argument("--user", type=parse_user, action="append", default=[], metavar="NAME[:LEVEL]",
                       help=f"user added on first start, password from ${PASSWORD_ENV} (never on the command line)")
    serve.add_argument("--users-file", type=parse_users_file, action="append", default=[], metavar="FILE",
                       help="users added on first start: NAME:PASSWORD[:LEVEL] lines")
    serve.add_argument("--snmp", type=lambda v: parse_listen(v), default=None, help="HOST:PORT for the SNMP agent")
    serve.add_argument("--snmp-community", action="append", default=[], metavar="NAME",
                       help="add a read-only community (none exists unless configured, as on the switch)")
    serve.set_defaults(func=cmd_serve)

    from agent.fleet.cli import add_fleet_parser, add_worker_parser
    from agent.lab.cli import add_lab_parser

    add_lab_parser(sub)
    add_fleet_parser(sub)
    add_worker_parser(sub)
    _verbose_everywhere(parser)
    return parser


def _verbose_everywhere(parser: argparse.ArgumentParser) -> None:
    """``-v`` before or after any subcommand (``switch-agent fleet run ... -v``), as users type it.

    Each subcommand gets its own ``-v`` whose default is SUPPRESS, so a ``-v`` given earlier on
    the line is not reset by a subparser that did not see one.
    """
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for child in dict.fromkeys(action.choices.values()):
                if not any("-v" in a.option_strings for a in child._actions):
                    child.add_argument("-v", "--verbose", action="store_true", default=argparse.SUPPRESS,
                                       help="debug logging")
                _verbose_everywhere(child)


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    setup_logging(args.verbose)
    try:
        return int(args.func(args) or 0)
    except ConfigError as exc:
        print(f"switch-agent: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130


if __name__ == "__main__":
    raise SystemExit(main())
