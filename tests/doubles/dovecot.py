"""A throwaway Dovecot (Debian's `dovecot-imapd`): a real IMAP server for the support inbox.

Everything lives in a fresh temporary folder: its own config, a passwd-file of users, a
self-signed certificate, maildirs. It listens on 127.0.0.1 only, plain IMAP and IMAPS on
free ports, and is stopped (with every process it started) at the end of the session.
Tests fill mailboxes through the server itself (stdlib imaplib: APPEND) and read flags
back the same way, so what they see is what a mail client would see.
"""

from __future__ import annotations

import imaplib
import os
import re
import shutil
import signal
import socket
import ssl
import subprocess
import tempfile
import time
import uuid
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

INSTALL_HINT = "apt-get install dovecot-imapd (or sudo ./scripts/system-packages.sh)"
_SBIN = ("/usr/sbin", "/usr/local/sbin")
ACCOUNTS = 200  # mailboxes per server, one per test that asks


def dovecot_binary() -> str | None:
    path = os.pathsep.join([os.environ.get("PATH", ""), *_SBIN])
    return shutil.which("dovecot", path=path)


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@dataclass(frozen=True)
class Account:
    """One mailbox on the server; every test gets its own."""

    server: DovecotServer
    username: str
    password: str

    def client(self) -> imaplib.IMAP4:
        client = imaplib.IMAP4("127.0.0.1", self.server.imap_port)
        client.login(self.username, self.password)
        return client

    def append(self, raw: bytes, folder: str = "INBOX", *, at: datetime | None = None) -> int:
        """Deliver `raw` into `folder` (arrived `at`, default now); its UID."""
        client = self.client()
        arrived = imaplib.Time2Internaldate(at) if at is not None else None
        try:
            status, data = client.append(_quote(folder), None, arrived, raw)
            assert status == "OK", data
            found = re.search(rb"APPENDUID \d+ (\d+)", data[0] or b"")
            assert found, data
            return int(found.group(1))
        finally:
            client.logout()

    def create_folder(self, folder: str) -> None:
        """Made by doveadm, which takes UTF-8 names (IMAP wants modified UTF-7, which is
        what the code under test must get right by itself)."""
        self.server.doveadm("mailbox", "create", "-u", self.username, folder)

    def save(self, raw: bytes, folder: str) -> None:
        """Deliver into any folder, named in UTF-8 (doveadm save)."""
        self.server.doveadm("save", "-u", self.username, "-m", folder, stdin=raw)

    def flags(self, uid: int, folder: str = "INBOX") -> set[str]:
        client = self.client()
        try:
            client.select(_quote(folder), readonly=True)
            status, data = client.uid("FETCH", str(uid), "(FLAGS)")
            assert status == "OK" and data and data[0], data
            found = re.search(rb"FLAGS \(([^)]*)\)", data[0] if isinstance(data[0], bytes) else b"")
            assert found, data
            return set(found.group(1).decode().split())
        finally:
            client.logout()

    def count(self, folder: str = "INBOX") -> int:
        client = self.client()
        try:
            status, data = client.select(_quote(folder), readonly=True)
            assert status == "OK", data
            return int(data[0] or 0)
        finally:
            client.logout()

    def set_uidvalidity(self, value: int, folder: str = "INBOX") -> None:
        """What a restored or rebuilt mailbox does: every UID in the folder now means nothing."""
        self.server.doveadm("mailbox", "update", "-u", self.username, "--uid-validity",
                            str(value), folder)  # fmt: skip


def _quote(folder: str) -> str:
    return '"' + folder.replace("\\", "\\\\").replace('"', '\\"') + '"'


class DovecotServer:
    def __init__(self, binary: str, root: Path) -> None:
        self.binary = binary
        self.root = root
        self.imap_port = _free_port()
        self.imaps_port = _free_port()
        self.cafile = root / "cert.pem"
        self.config = root / "dovecot.conf"
        self._passwd = root / "passwd"
        self._unused: list[Account] = []

    def start(self) -> None:
        self._certificate()
        self._accounts()
        (self.root / "mail").mkdir()
        (self.root / "run").mkdir()
        (self.root / "state").mkdir()
        self.config.write_text(self._config())
        # The master daemonises and keeps the descriptors it was given: no pipes here,
        # or waiting for their end would wait for the server's. Errors go to the log.
        with (self.root / "start.log").open("w") as out:
            started = subprocess.run(
                [self.binary, "-c", str(self.config)], stdout=out, stderr=out, check=False
            )
        if started.returncode:
            raise RuntimeError(f"Dovecot did not start: {(self.root / 'start.log').read_text()}")
        self._wait_until_listening()

    def stop(self) -> None:
        pid_file = self.root / "run" / "master.pid"
        if pid_file.exists():
            pid = int(pid_file.read_text().strip())
            os.kill(pid, signal.SIGTERM)  # the master stops its children with it
            deadline = time.monotonic() + 10
            while _alive(pid) and time.monotonic() < deadline:
                time.sleep(0.05)

    def account(self) -> Account:
        """The next unused mailbox (written before the start: Dovecot rereads a changed
        passwd-file only now and then, so a user added later may not log in at once)."""
        assert self._unused, f"more than {ACCOUNTS} accounts: raise ACCOUNTS"
        return self._unused.pop(0)

    def _accounts(self) -> None:
        self._unused = [
            Account(self, f"shop-{uuid.uuid4().hex[:10]}@example.com", uuid.uuid4().hex)
            for _ in range(ACCOUNTS)
        ]
        self._passwd.write_text(
            "".join(
                f"{user.username}:{{PLAIN}}{user.password}::::::nodelay\n" for user in self._unused
            )
        )

    def ssl_context(self) -> ssl.SSLContext:
        """A client context that trusts this server's self-signed certificate."""
        return ssl.create_default_context(cafile=str(self.cafile))

    def doveadm(self, *args: str, stdin: bytes | None = None) -> str:
        doveadm = shutil.which(
            "doveadm", path=os.pathsep.join([os.environ.get("PATH", ""), *_SBIN])
        )
        assert doveadm, "doveadm comes with dovecot-core"
        done = subprocess.run(
            [doveadm, "-c", str(self.config), *args], input=stdin, check=True, capture_output=True
        )
        return done.stdout.decode()

    def log(self) -> str:
        path = self.root / "dovecot.log"
        return path.read_text(errors="replace") if path.exists() else ""

    def _certificate(self) -> None:
        subprocess.run(
            ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2",
             "-keyout", str(self.root / "key.pem"), "-out", str(self.cafile),
             "-subj", "/CN=localhost", "-addext", "subjectAltName=DNS:localhost,IP:127.0.0.1"],
            check=True, capture_output=True,
        )  # fmt: skip

    def _config(self) -> str:
        root = self.root
        # Mail is owned by the user running the tests; as root (CI) by `nobody`, as
        # Dovecot refuses mail access for uid 0.
        if os.getuid() == 0:
            shutil.chown(root / "mail", "nobody", "nogroup")
            owner = "uid=nobody gid=nogroup"
            users = ""
        else:
            me = _username()
            owner = f"uid={os.getuid()} gid={os.getgid()}"
            users = f"default_login_user = {me}\ndefault_internal_user = {me}\n"
        return f"""\
base_dir = {root}/run
state_dir = {root}/state
log_path = {root}/dovecot.log
instance_name = copilot-test-{root.name}
protocols = imap
listen = 127.0.0.1
{users}ssl = yes
ssl_cert = <{root}/cert.pem
ssl_key = <{root}/key.pem
disable_plaintext_auth = no
auth_mechanisms = plain login
auth_failure_delay = 0
first_valid_uid = 1
passdb {{
  driver = passwd-file
  args = scheme=PLAIN username_format=%u {root}/passwd
}}
userdb {{
  driver = static
  args = {owner} home={root}/mail/%u
}}
mail_location = maildir:~/Maildir
service imap-login {{
  chroot =
  inet_listener imap {{
    address = 127.0.0.1
    port = {self.imap_port}
  }}
  inet_listener imaps {{
    address = 127.0.0.1
    port = {self.imaps_port}
    ssl = yes
  }}
}}
# No growing pause after failed logins from 127.0.0.1 (tests log in wrongly on purpose).
service anvil {{
  chroot =
  unix_listener anvil-auth-penalty {{
    mode = 0
  }}
}}
"""

    def _wait_until_listening(self) -> None:
        deadline = time.monotonic() + 15
        while time.monotonic() < deadline:
            try:
                with socket.create_connection(("127.0.0.1", self.imap_port), timeout=1):
                    return
            except OSError:
                time.sleep(0.05)
        raise RuntimeError(f"Dovecot did not start listening:\n{self.log()}")


def _alive(pid: int) -> bool:
    """Running, and not a zombie: where nothing reaps the daemonised master (a container
    whose first process is not an init), it stays a zombie after it exits."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except FileNotFoundError:
        return False
    return stat.rsplit(")", 1)[1].split()[0] != "Z"


def _username() -> str:
    import pwd

    return pwd.getpwuid(os.getuid()).pw_name


def start_dovecot() -> DovecotServer:
    """A running server in a fresh folder. A short path: Dovecot's sockets live under it."""
    binary = dovecot_binary()
    assert binary is not None, INSTALL_HINT
    root = Path(tempfile.mkdtemp(prefix="dovecot-"))
    # The login and mail processes run as other users; nothing secret lives here.
    os.chmod(root, 0o755)  # noqa: S103
    server = DovecotServer(binary, root)
    try:
        server.start()
    except BaseException:
        server.stop()
        shutil.rmtree(root, ignore_errors=True)
        raise
    return server
