"""SSH server settings, SSH users, the local host key and peer public keys."""

from __future__ import annotations

from collections.abc import Generator

from agent.cli.commands.dialogs import yes_no
from agent.cli.context import SYSTEM, Ask, Ctx, View
from agent.cli.errors import CommandError
from agent.cli.tree import command, describe
from agent.device.device import flash_path
from agent.device.model import PeerKey, SshUser
from agent.keys import pubkeys

_SSH = {"ssh": "Specify SSH (secure shell) configuration information"}
describe(
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
describe(**{"import": "Import a public key", "<file>": "File name", "<key>": "Public key name", "<code>": "Public key code"})


@command("system", ["ssh server enable", "undo ssh server enable"], level=3, help=_SSH)
def ssh_server_enable(ctx: Ctx) -> None:
    ctx.device.ssh.enabled = not ctx.undo
    if not ctx.session.loading:
        ctx.print("Info: Disable SSH server." if ctx.undo else "Info: Enable SSH server.")
    ctx.changed("ssh")


@command("system", ["ssh server compatible-ssh1x enable", "undo ssh server compatible-ssh1x enable",
                    "undo ssh server compatible-ssh1x"], level=3, help=_SSH)
def compatible(ctx: Ctx) -> None:
    ctx.device.ssh.compatible_ssh1x = not ctx.undo
    ctx.changed("ssh")


@command("system", ["ssh server authentication-timeout <seconds:int:1-120>",
                    "undo ssh server authentication-timeout"], level=3, help={**_SSH, "<seconds>": "Timeout in seconds"})
def auth_timeout(ctx: Ctx) -> None:
    ctx.device.ssh.authentication_timeout = 60 if ctx.undo else ctx.args["seconds"]
    ctx.changed("ssh")


@command("system", ["ssh server authentication-retries <times:int:1-5>", "undo ssh server authentication-retries"],
         level=3, help={**_SSH, "<times>": "Retry times"})
def auth_retries(ctx: Ctx) -> None:
    ctx.device.ssh.authentication_retries = 3 if ctx.undo else ctx.args["times"]
    ctx.changed("ssh")


@command("system", ["ssh server rekey-interval <hours:int:1-24>", "undo ssh server rekey-interval"],
         level=3, help={**_SSH, "<hours>": "Interval in hours"})
def rekey(ctx: Ctx) -> None:
    ctx.device.ssh.rekey_interval_hours = 0 if ctx.undo else ctx.args["hours"]
    ctx.changed("ssh")


_AUTH = "authentication-type {password|any|password-publickey|publickey} [assign publickey <key:word:1-64>]"


@command("system", [f"ssh user <name:word:1-80> service-type {{all|scp|sftp|stelnet}} {_AUTH}",
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


@command("system", "undo ssh user <name:word:1-80>", level=3, help=_SSH)
def undo_ssh_user(ctx: Ctx) -> None:
    if ctx.device.ssh_users.pop(ctx.args["name"], None) is None:
        raise CommandError(" Error: The SSH user does not exist.")
    ctx.changed("ssh")


@command("system", "public-key local create rsa", level=3)
def create_rsa(ctx: Ctx) -> Generator[Ask, str, None]:
    store = ctx.device.host_keys

    def dialogue() -> Generator[Ask, str, None]:
        if store.has("rsa"):
            ctx.print("The local-key-pair already exists.")
            if not (yield from yes_no("Confirm to replace them? [Y/N]:")):
                return
        ctx.print("The range of public key size is (512 ~ 2048).", "NOTES: If the key modulus is greater than 512,",
                  "It will take a few minutes.", "Press CTRL+C to abort.")
        answer = (yield Ask("Input the bits of the modulus[default = 1024]:")).strip()
        while not (answer == "" or (answer.isdigit() and 512 <= int(answer) <= 2048)):
            answer = (yield Ask("Input the bits of the modulus[default = 1024]:")).strip()
        bits = int(answer or 1024)
        ctx.print("Generating Keys...")
        store.regenerate_rsa(max(bits, 1024))  # current crypto libraries refuse RSA keys under 1024 bits
        ctx.print("++++++++", "++++++++++++++")
        ctx.changed("keys")

    return dialogue()


@command("system", "public-key local destroy rsa", level=3)
def destroy_rsa(ctx: Ctx) -> Generator[Ask, str, None]:
    store = ctx.device.host_keys

    def dialogue() -> Generator[Ask, str, None]:
        if not store.has("rsa"):
            raise CommandError(" Error: The local-key-pair does not exist.")
        if (yield from yes_no("Confirm to destroy these keys? [Y/N]:")):
            store.destroy_rsa()
            ctx.changed("keys")

    return dialogue()


@command("system", "public-key peer <key:word:1-64> import sshkey <file:word:1-128>", level=3)
def import_key(ctx: Ctx) -> None:
    try:
        path = flash_path(ctx.device.state_dir, ctx.args["file"])
        text = path.read_text(encoding="ascii", errors="replace")
    except (OSError, ValueError):
        raise CommandError(" Error: The file does not exist.") from None
    try:
        key = pubkeys.parse_key_file(text)
    except pubkeys.KeyFormatError:
        raise CommandError(" Error: The format of the public key file is invalid.") from None
    ctx.device.peer_keys[ctx.args["key"]] = PeerKey(ctx.args["key"], key)
    ctx.changed("keys")


@command("system", "public-key peer <key:word:1-64>", level=3)
def peer_view(ctx: Ctx) -> None:
    ctx.session.pkey_name = ctx.args["key"]
    ctx.session.pkey_code = []
    if not ctx.session.loading:
        ctx.print('Public key view: return to System View with "peer-public-key end".')
    ctx.view = View("pkey", ctx.args["key"])


@command("system", "undo public-key peer <key:word:1-64>", level=3)
def undo_peer(ctx: Ctx) -> None:
    if ctx.device.peer_keys.pop(ctx.args["key"], None) is None:
        raise CommandError(" Error: The peer public key does not exist.")
    ctx.changed("keys")


@command("pkey", "public-key-code begin", level=3)
def code_begin(ctx: Ctx) -> None:
    ctx.session.pkey_code = []
    if not ctx.session.loading:
        ctx.print('Public key code view: return to last view with "public-key-code end".')
    ctx.view = View("pkeycode", ctx.view.key)


@command("pkey", "peer-public-key end", level=3)
def peer_end(ctx: Ctx) -> None:
    ctx.view = SYSTEM


@command("pkeycode", "<code:hex>...", level=3)
def code_line(ctx: Ctx) -> None:
    ctx.session.pkey_code.extend(ctx.args["code"])


@command("pkeycode", "public-key-code end", level=3)
def code_end(ctx: Ctx) -> None:
    name = ctx.view.key
    ctx.view = View("pkey", name)
    code = "".join(ctx.session.pkey_code)
    ctx.session.pkey_code = []
    if not code:
        return
    try:
        key = pubkeys.from_code(code)
    except pubkeys.KeyFormatError:
        raise CommandError(" Error: The public key code is invalid.") from None
    ctx.device.peer_keys[name] = PeerKey(name, key)
    ctx.changed("keys")
