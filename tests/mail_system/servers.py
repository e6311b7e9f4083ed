"""The test mail system started by tests/mail_system/start.sh (Postfix on 127.0.0.1:2525,
Dovecot's IMAP on 127.0.0.1:1143), as the tests use it: whether it is up, its mailboxes emptied,
messages read over IMAP as a mail client reads them, Postfix stopped and started, and addresses
it refuses for a while with a 4xx."""

import os
import smtplib
import socket
import subprocess
import time
from pathlib import Path

from imap_tools import MailBoxUnencrypted

DIR = Path(os.environ.get("MAIL_SYSTEM_DIR", "/tmp/lga-mail-system"))  # noqa: S108 (as start.sh)
START = Path(__file__).with_name("start.sh")
HOST = "127.0.0.1"
SMTP_PORT = int(os.environ.get("MAIL_SYSTEM_SMTP_PORT", "2525"))
IMAP_PORT = int(os.environ.get("MAIL_SYSTEM_IMAP_PORT", "1143"))
PASSWORD = os.environ.get("MAIL_SYSTEM_PASSWORD", "mail-system-test")
SERVICE = "peer-scheduling@lga.test"
PROGRAMME = "programme@lga.test"
PEERS = [f"peer{n}@peers.test" for n in range(1, 6)]
BOOKER = "booker@council.test"
EVERYONE = [SERVICE, PROGRAMME, *PEERS, BOOKER]
PROCESSED, SET_ASIDE = "Processed", "Set aside"


def listening(port: int) -> bool:
    try:
        with socket.create_connection((HOST, port), timeout=1):
            return True
    except OSError:
        return False


def problem() -> str | None:
    """Why the mail system cannot be used, or None."""
    for name, port in (("SMTP", SMTP_PORT), ("IMAP", IMAP_PORT)):
        if not listening(port):
            return (
                f"the test mail system's {name} is not listening on {HOST}:{port} "
                f"(start it with {START.relative_to(START.parents[2])})"
            )
    return None


def mailbox(user: str) -> MailBoxUnencrypted:
    return MailBoxUnencrypted(HOST, IMAP_PORT, timeout=10).login(
        user, PASSWORD, initial_folder=None
    )


def empty_all() -> None:
    """Every test starts with every mailbox empty (all folders)."""
    for user in EVERYONE:
        with mailbox(user) as box:
            for folder in box.folder.list():
                box.folder.set(folder.name)
                uids = box.uids("ALL")
                if uids:
                    box.delete(uids)


def messages(user: str, folder: str = "INBOX") -> list:
    with mailbox(user) as box:
        if not box.folder.exists(folder):
            return []
        box.folder.set(folder)
        return list(box.fetch(mark_seen=False))


def wait_for(user: str, count: int = 1, folder: str = "INBOX") -> list:
    """The messages in a mailbox once Postfix has delivered `count` of them (delivery takes a
    moment after the SMTP server has taken a message)."""
    found = []
    for _ in range(150):
        found = messages(user, folder)
        if len(found) >= count:
            return found
        time.sleep(0.1)
    raise AssertionError(f"{user}/{folder}: {len(found)} message(s) arrived, expected {count}")


def send(raw: bytes, *, sender: str, to: str) -> None:
    """Submit a message to Postfix as a mail client does."""
    with smtplib.SMTP(HOST, SMTP_PORT, timeout=10) as smtp:
        smtp.sendmail(sender, [to], raw)


def postfix(action: str) -> None:
    """Stop or start Postfix alone (Dovecot stays up)."""
    subprocess.run(
        ["script", "-qec", f"postfix -c {DIR / 'postfix'} {action}", "/dev/null"],
        check=True,
        capture_output=True,
    )
    want = action != "stop"
    for _ in range(100):
        if listening(SMTP_PORT) == want:
            return
        time.sleep(0.1)
    raise AssertionError(f"Postfix did not {action}")


def refuse(addresses: dict[str, str]) -> None:
    """Answer RCPT TO for these addresses with the given reply (e.g. a 4xx), or with nothing
    ({}): Postfix's access table, reloaded, then checked from a client's side."""
    (DIR / "postfix" / "refuse").write_text(
        "".join(f"{address} {reply}\n" for address, reply in addresses.items())
    )
    subprocess.run(
        ["script", "-qec", f"postfix -c {DIR / 'postfix'} reload", "/dev/null"],
        check=True,
        capture_output=True,
    )
    probe = next(iter(addresses), PEERS[0])
    for _ in range(100):
        with smtplib.SMTP(HOST, SMTP_PORT, timeout=10) as smtp:
            smtp.ehlo()
            smtp.mail(SERVICE)
            code, _ = smtp.rcpt(probe)
            smtp.rset()
        if (code >= 400) == bool(addresses):
            return
        time.sleep(0.1)
    raise AssertionError("Postfix did not take the new access table")
