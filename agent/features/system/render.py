"""`display version`, `display device [manuinfo]`, `display users`, `display history-command` layouts."""

from __future__ import annotations

from agent.cli.session import CliSession
from agent.device.device import Device
from agent.profiles.model import Profile


def _uptime_parts(seconds: float) -> tuple[int, int, int, int]:
    minutes = int(seconds // 60)
    return minutes // 10080, (minutes // 1440) % 7, (minutes // 60) % 24, minutes % 60


def version(device: Device) -> list[str]:
    lines, uptime_rows, board_rows = _version_layout(device)
    weeks, days, hours, minutes = _uptime_parts(device.uptime_seconds)
    out = list(lines)
    model_uptime = f"{device.profile.identity.model} uptime is {weeks} weeks, {days} days, {hours} hours, {minutes} minutes"
    board_uptime = f"Uptime is {weeks} weeks,{days} days,{hours} hours,{minutes} minutes"
    for row in uptime_rows:
        out[row] = model_uptime
    for row in board_rows:
        out[row] = board_uptime
    return out


_VERSION_LAYOUTS: dict[int, tuple[object, tuple[list[str], list[int], list[int]]]] = {}


def _version_layout(device: Device) -> tuple[list[str], list[int], list[int]]:
    """`display version` without its uptimes, and the rows they go in: built once per profile.

    Everything but the uptimes comes from the device profile, which does not change while the
    device runs, so only the two uptime strings are formatted per command.
    """
    profile = device.profile
    known = _VERSION_LAYOUTS.get(id(profile))
    if known is not None and known[0] is profile:
        return known[1]
    ident = profile.identity
    model = ident.model
    lines = ident.version_text.rstrip("\n").split("\n")
    uptime_rows = [len(lines)]
    lines.append("")
    board_rows: list[int] = []
    release = f"{model}-{ident.release}"
    slots = {s.slot: s for s in profile.chassis}
    first_mpu = min((s.slot for s in profile.chassis if s.kind == "MPU"), default=None)
    for number in range(0, max(slots, default=-1) + 1):
        lines.append("")
        spec = slots.get(number)
        if spec is None:
            lines.append(f"Slot {number} Without Board")
            continue
        if spec.kind == "MPU":
            role = "MPU(M)" if number == first_mpu else "MPU(S)"
            lines.append(f"{role} {number}:")
            board_rows.append(len(lines))
            lines += _board_text(profile, spec.board, f"{model} {role}")
        else:
            lines.append(f"LPU {number}:")
            board_rows.append(len(lines))
            lines += _board_text(profile, spec.board, f"{model} LPU")
        lines += [f"Release Version:    {release}", "Patch Version  :    None"]
    if len(_VERSION_LAYOUTS) >= 64:
        _VERSION_LAYOUTS.clear()
    layout = (lines, uptime_rows, board_rows)
    _VERSION_LAYOUTS[id(profile)] = (profile, layout)
    return layout


def _board_text(profile: Profile, board: str, title: str) -> list[str]:
    """The board's rows of `display version`, from the profile's ``boards`` (labels padded to 20)."""
    spec = profile.boards[board]
    rows = {"BOARD TYPE": board, **spec.hardware}
    return ["", f"{title} with 1 {spec.processor} Processor", *(f"{label + ':':<20}{value}" for label, value in rows.items())]


def device_boards(device: Device) -> list[str]:
    ident = device.profile.identity
    lines = ["Slot No.  Brd Type        Brd Status   Subslot Num    Sft Ver"]
    first_mpu = min((s.slot for s in device.profile.chassis if s.kind == "MPU"), default=None)
    for spec in sorted(device.profile.chassis, key=lambda s: s.slot):
        status = ("Master" if spec.slot == first_mpu else "Slave") if spec.kind == "MPU" else "Normal"
        lines.append(f"{spec.slot:<10}{spec.board:<16}{status:<13}{0:<15}{ident.release}")
    return lines


def manuinfo(device: Device) -> list[str]:
    lines = ["Chassis self:", "", "Only new chassis support this command.",
             "  The operation is not supported on the specified chassis.", ""]
    for spec in sorted(device.profile.chassis, key=lambda s: s.slot):
        serial = spec.board_serial
        mac = device.mac(0).upper() if spec.kind == "MPU" else "NONE"
        lines += [f"Slot {spec.slot}:", f" DEVICE_NAME          : {spec.board}",
                  f" DEVICE_SERIAL_NUMBER : {serial}", f" MAC_ADDRESS          : {mac}",
                  f" MANUFACTURING_DATE   : {device.profile.boards[spec.board].manufactured}", f" VENDOR_NAME          : {device.profile.identity.vendor}", ""]
    return lines[:-1]


def users(device: Device, session: CliSession) -> list[str]:
    lines = ["  UI       Delay     Type  Userlevel"]
    infos = list(enumerate(device.sessions.infos()))
    for _, info in infos:
        idle = "00:00:00"
        mark = "+" if session.vty is not None and info.vty == session.vty else " "
        level = device.user_level(info.username)
        lines.append(f"{mark} {info.vty + 34:<3}VTY {info.vty:<3} {idle}  SSH   {level}")
    if not infos:
        mark = "+"
        lines.append(f"{mark} 34 VTY 0    00:00:00  SSH   {session.level}")
    lines += ["", "Following are more details."]
    for _, info in infos:
        lines += [f"VTY {info.vty}   :", f"        User name: {info.username}",
                  f"        Location: {info.peer.rsplit(':', 1)[0]}"]
    lines += [" +    : Current operation user.", " F    : Current operation user work in async mode."]
    return lines


def history(session: CliSession) -> list[str]:
    return [f"  {line}" for line in session.history]
