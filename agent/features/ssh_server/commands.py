"""SSH server settings (read live by the SSH cores) and `ssh user` entries."""

from __future__ import annotations

from agent.cli.context import Ctx
from agent.cli.errors import CommandError
from agent.cli.tree import CommandSet
from agent.device.model import SshUser

COMMANDS = CommandSet()

_SSH = {"ssh": "Specify SSH (secure shell) configuration information"}
COMMANDS.describe(
    server="Specify the server attribute",
    enable="Enable function",
    compatible_ssh1x="Specify the compatibility with SSH1.x",
    authentication_timeout="Specify the authentication timeout",
    authentication_retries="Specify the authentication retry times",
    rekey_interval="Specify the interval for updating the RSA server key",
    authentication_type="Specify the authentication type",
    any="Either publickey or password authentication",
    password_publickey="Both publickey and password authentication",
    publickey="Publickey authentication",
    assign="Assign a public key",
    stelnet="Secure Telnet service",
    sftp="Secure FTP service",
    scp="Secure copy service",
    public_key="Specify public key configuration information",
    local="Local key pair",
    create="Create a local key pair",
    destroy="Destroy the local key pair",
    rsa="RSA key pair",
    peer="Specify a peer public key",
    import_="Import a public key",
    sshkey="Public key in SSH format",
    public_key_code="Public key code",
    begin="Begin to input the public key code",
    end="End",
    peer_public_key="Peer public key view",
)
COMMANDS.describe(**{"import": "Import a public key", "<file>": "File name", "<key>": "Public key name", "<code>": "Public key code"})


@COMMANDS.command("system", ["ssh server enable", "undo ssh server enable"], level=3, help=_SSH)
def ssh_server_enable(ctx: Ctx) -> None:
    ctx.device.ssh.enabled = not ctx.undo
    if not ctx.session.loading:
        ctx.print("Info: Disable SSH server." if ctx.undo else "Info: Enable SSH server.")
    ctx.changed("ssh")


@COMMANDS.command("system", ["ssh server compatible-ssh1x enable", "undo ssh server compatible-ssh1x enable",
                    "undo ssh server compatible-ssh1x"], level=3, help=_SSH)
def compatible(ctx: Ctx) -> None:
    ctx.device.ssh.compatible_ssh1x = not ctx.undo
    ctx.changed("ssh")


@COMMANDS.command("system", ["ssh server authentication-timeout <seconds:int:1-120>",
                    "undo ssh server authentication-timeout"], level=3, help={**_SSH, "<seconds>": "Timeout in seconds"})
def auth_timeout(ctx: Ctx) -> None:
    ctx.device.ssh.authentication_timeout = 60 if ctx.undo else ctx.args["seconds"]
    ctx.changed("ssh")


@COMMANDS.command("system", ["ssh server authentication-retries <times:int:1-5>", "undo ssh server authentication-retries"],
         level=3, help={**_SSH, "<times>": "Retry times"})
def auth_retries(ctx: Ctx) -> None:
    ctx.device.ssh.authentication_retries = 3 if ctx.undo else ctx.args["times"]
    ctx.changed("ssh")


@COMMANDS.command("system", ["ssh server rekey-interval <hours:int:1-24>", "undo ssh server rekey-interval"],
         level=3, help={**_SSH, "<hours>": "Interval in hours"})
def rekey(ctx: Ctx) -> None:
    ctx.device.ssh.rekey_interval_hours = 0 if ctx.undo else ctx.args["hours"]
    ctx.changed("ssh")


_AUTH = "authentication-type {password|any|password-publickey|publickey} [assign publickey <key:word:1-64>]"


@COMMANDS.command("system", [f"ssh user <name:word:1-80> service-type {{all|scp|sftp|stelnet}} {_AUTH}",
                    f"ssh user <name:word:1-80> {_AUTH}",
                    "ssh user <name:word:1-80> service-type {all|scp|sftp|stelnet}",
                    "ssh user <name:word:1-80> assign publickey <key:word:1-64>"], level=3,
         help={**_SSH, "<name>": "SSH user name"})
def ssh_user(ctx: Ctx) -> None:
    name = ctx.args["name"]
    user = ctx.device.ssh_users.get(name) or SshUser(name)
    words = ctx.match.keywords
    if "service-type" in words:
        user.service_type = words[words.index("service-type") + 1]
    if "authentication-type" in words:
        user.authentication_type = words[words.index("authentication-type") + 1]
    if "key" in ctx.args:
        user.publickey = ctx.args["key"]
    ctx.device.ssh_users[name] = user
    ctx.changed("ssh")


@COMMANDS.command("system", "undo ssh user <name:word:1-80>", level=3, help=_SSH)
def undo_ssh_user(ctx: Ctx) -> None:
    if ctx.device.ssh_users.pop(ctx.args["name"], None) is None:
        raise CommandError(" Error: The SSH user does not exist.")
    ctx.changed("ssh")


