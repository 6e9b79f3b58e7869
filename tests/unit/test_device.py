"""Device model: construction, authentication, keys, save/load, reboot, listeners."""

from __future__ import annotations

import base64
import time

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ed25519, rsa

from agent.passwords import hash_password, verify_password
from agent.profiles.model import LabUser
from agent.sessions import SessionInfo
from tests.helpers import PROFILE, Term, make_device


def test_first_start_from_profile(tmp_path):
    dev = make_device(tmp_path, users=[])
    assert dev.sysname == "SW7906E"
    assert "GigabitEthernet2/0/1" in dev.ports and "Ten-GigabitEthernet4/0/8" in dev.ports
    assert len(dev.ports) == 48 + 48 + 8
    assert list(dev.vlans) == [1]
    assert dev.ssh.enabled and dev.ssh.compatible_ssh1x
    assert dev.ssh_protocol_version() == "1.99"
    assert dev.snmp.communities == {}  # no community until one is configured, as on the switch
    assert not (tmp_path / "keys").exists(), "host keys are created lazily"


def test_ssh_protocol_version_rules(tmp_path):
    dev = make_device(tmp_path, users=[])
    dev.ssh.compatible_ssh1x = False
    assert dev.ssh_protocol_version() == "2.0"
    ssh1 = PROFILE.model_copy(update={"ssh": PROFILE.ssh.model_copy(update={"ssh1_only": True})})
    assert make_device(tmp_path / "x", ssh1, users=[]).ssh_protocol_version() == "1.5"


def test_authenticate_password(tmp_path):
    dev = make_device(tmp_path, users=[LabUser(name="ops", password="ops-pass", level=1)])
    assert dev.authenticate_password("admin", b"admin-secret") == 3
    assert dev.authenticate_password("ops", b"ops-pass") == 1
    assert dev.authenticate_password("admin", b"wrong") is None
    assert dev.authenticate_password("nobody", b"admin-secret") is None
    assert "admin-secret" not in dev.render_configuration()
    term = Term(dev)
    term.run("system-view", "local-user admin", "state block")
    assert dev.authenticate_password("admin", b"admin-secret") is None


def test_password_hash_cost_and_constant_work():
    stored = hash_password("x" * 12)
    assert stored.startswith("$h$") and verify_password(stored, b"x" * 12)
    start = time.perf_counter()
    for _ in range(50):
        verify_password(None, b"abc")
    per_check = (time.perf_counter() - start) / 50
    assert per_check < 0.002


def test_user_added_in_cli_logs_in_at_once(tmp_path):
    dev = make_device(tmp_path, users=[])
    term = Term(dev)
    out = term.run("system-view", "local-user bob", "password simple bob-pass-1", "service-type ssh",
                   "authorization-attribute level 2")
    assert "New local user added." in out[1]
    assert dev.authenticate_password("bob", b"bob-pass-1") == 2
    assert dev.user_level("bob") == 2
    assert "bob-pass-1" not in term.line("display current-configuration")


def test_peer_keys_import_and_assign(tmp_path):
    dev = make_device(tmp_path, users=[])
    key = ed25519.Ed25519PrivateKey.generate().public_key()
    line = key.public_bytes(serialization.Encoding.OpenSSH, serialization.PublicFormat.OpenSSH).decode()
    (tmp_path / "flash").mkdir()
    (tmp_path / "flash" / "bob.pub").write_text(line + " bob@host\n")
    rsa_key = rsa.generate_private_key(public_exponent=65537, key_size=1024).public_key()
    numbers = rsa_key.public_numbers()
    (tmp_path / "flash" / "id1.pub").write_text(f"1024 {numbers.e} {numbers.n} old@host\n")
    term = Term(dev)
    out = term.run("system-view", "public-key peer bobkey import sshkey bob.pub",
                   "public-key peer alice import sshkey flash:/id1.pub",
                   "ssh user bob service-type stelnet authentication-type publickey assign publickey bobkey")
    assert all("Error" not in o for o in out)
    blob = base64.b64decode(line.split()[1])
    assert dev.authorized_keys("bob") == [blob]
    assert dev.rsa1_keys("alice") == [(numbers.e, numbers.n)]  # key named like the user
    assert dev.authorized_keys("carol") == []
    dev.save()
    again = make_device(tmp_path, users=[])
    assert again.authorized_keys("bob") == [blob]
    assert again.rsa1_keys("alice") == [(numbers.e, numbers.n)]
    assert again.render_configuration() == dev.render_configuration()
    assert "Error" in term.line("public-key peer x import sshkey missing.pub")


def test_save_is_atomic_and_reload(tmp_path):
    dev = make_device(tmp_path, users=[])
    term = Term(dev)
    term.run("system-view", "sysname LAB-1", "vlan 30", "description servers", "quit",
             "interface GigabitEthernet3/0/5", "port link-type hybrid", "port hybrid vlan 30 tagged",
             "port hybrid pvid vlan 30", "return", "save force")
    path = tmp_path / "flash" / "3comoscfg.cfg"
    assert path.is_file()
    assert [p.name for p in path.parent.iterdir()] == ["3comoscfg.cfg"]
    again = make_device(tmp_path, users=[])
    assert again.sysname == "LAB-1"
    assert again.vlans[30].description == "servers"
    port = again.ports["GigabitEthernet3/0/5"]
    assert port.link_type == "hybrid" and port.pvid == 30
    assert again.render_configuration() == dev.render_configuration()
    assert again.config_errors == []


class _Handle:
    def __init__(self, vty: int) -> None:
        self.vty = vty
        self.reasons: list[str] = []

    def info(self) -> SessionInfo:
        return SessionInfo(self.vty, "2.0", "aes128-ctr", "Established", 0, "Stelnet", "admin", "10.0.0.9:5000")

    def terminate(self, reason: str) -> None:
        self.reasons.append(reason)


def test_reboot_drops_sessions_and_reloads_saved(tmp_path):
    dev = make_device(tmp_path, users=[])
    handle = _Handle(0)
    dev.sessions.attach(handle)
    seen: list[str] = []
    dev.subscribe(lambda _d, topic: seen.append(topic))
    term = Term(dev)
    term.run("system-view", "vlan 99", "return")
    term.line("save force")
    term.run("system-view", "vlan 100", "return")
    out = term.line("reboot")
    assert "save current configuration? [Y/N]:" in out
    out = term.line("n")
    assert "Continue? [Y/N]:" in out
    term.line("y")
    assert handle.reasons == ["reboot"]
    assert term.session.closed
    assert 99 in dev.vlans and 100 not in dev.vlans
    assert "vlans" in seen and "reboot" in seen


def test_listener_errors_do_not_break_cli(tmp_path):
    dev = make_device(tmp_path, users=[])
    dev.subscribe(lambda _d, _t: 1 / 0)
    term = Term(dev)
    out = term.run("system-view", "ssh server authentication-retries 5")
    assert out[-1].endswith("[SW7906E]")
    assert dev.ssh.authentication_retries == 5


def test_many_devices_are_cheap(tmp_path):
    start = time.perf_counter()
    for i in range(50):
        make_device(tmp_path / str(i), users=[])
    assert (time.perf_counter() - start) / 50 < 0.05


def test_verified_password_cache_never_accepts_a_wrong_or_changed_password() -> None:
    from agent.passwords import VerifiedPasswords, hash_password

    cache = VerifiedPasswords()
    stored = hash_password("first-Secret")
    assert cache.verify(stored, b"first-Secret")
    assert cache.verify(stored, b"first-Secret")  # from the cache
    assert not cache.verify(stored, b"first-secret")
    changed = hash_password("first-Secret")  # same text, new salt: a new entry must verify again
    assert cache.verify(changed, b"first-Secret")
    assert not cache.verify(None, b"first-Secret")
