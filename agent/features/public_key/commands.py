"""`public-key local create|destroy rsa` and `public-key peer` (import or typed key code)."""

from __future__ import annotations

from collections.abc import Generator

from agent.cli.context import SYSTEM, Ask, Ctx, View, yes_no
from agent.cli.errors import CommandError
from agent.cli.tree import CommandSet
from agent.device.device import flash_path
from agent.device.model import PeerKey
from agent.keys import pubkeys

COMMANDS = CommandSet()


@COMMANDS.command("system", "public-key local create rsa", level=3)
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


@COMMANDS.command("system", "public-key local destroy rsa", level=3)
def destroy_rsa(ctx: Ctx) -> Generator[Ask, str, None]:
    store = ctx.device.host_keys

    def dialogue() -> Generator[Ask, str, None]:
        if not store.has("rsa"):
            raise CommandError(" Error: The local-key-pair does not exist.")
        if (yield from yes_no("Confirm to destroy these keys? [Y/N]:")):
            store.destroy_rsa()
            ctx.changed("keys")

    return dialogue()


@COMMANDS.command("system", "public-key peer <key:word:1-64> import sshkey <file:word:1-128>", level=3)
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


@COMMANDS.command("system", "public-key peer <key:word:1-64>", level=3)
def peer_view(ctx: Ctx) -> None:
    ctx.session.pkey_name = ctx.args["key"]
    ctx.session.pkey_code = []
    if not ctx.session.loading:
        ctx.print('Public key view: return to System View with "peer-public-key end".')
    ctx.view = View("pkey", ctx.args["key"])


@COMMANDS.command("system", "undo public-key peer <key:word:1-64>", level=3)
def undo_peer(ctx: Ctx) -> None:
    if ctx.device.peer_keys.pop(ctx.args["key"], None) is None:
        raise CommandError(" Error: The peer public key does not exist.")
    ctx.changed("keys")


@COMMANDS.command("pkey", "public-key-code begin", level=3)
def code_begin(ctx: Ctx) -> None:
    ctx.session.pkey_code = []
    if not ctx.session.loading:
        ctx.print('Public key code view: return to last view with "public-key-code end".')
    ctx.view = View("pkeycode", ctx.view.key)


@COMMANDS.command("pkey", "peer-public-key end", level=3)
def peer_end(ctx: Ctx) -> None:
    ctx.view = SYSTEM


@COMMANDS.command("pkeycode", "<code:hex>...", level=3)
def code_line(ctx: Ctx) -> None:
    ctx.session.pkey_code.extend(ctx.args["code"])


@COMMANDS.command("pkeycode", "public-key-code end", level=3)
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
