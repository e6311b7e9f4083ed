"""Development mail: each message written as one `.eml` file under EMAIL_FILE_PATH
(`var/mail/` by default), so any mail program opens it as it would have arrived.

Django's file backend appends every message of a connection to one `.log` file with separator
lines; this keeps its checks on the folder and writes a file per message instead, named by
the time and a counter so they list in the order they were sent.
"""

import itertools
import os
import threading
from datetime import datetime

from django.core.mail.backends.filebased import EmailBackend as FileEmailBackend

_counter = itertools.count(1)
_lock = threading.Lock()


class EmlFileBackend(FileEmailBackend):
    def open(self) -> bool:
        return False  # a file is opened per message

    def close(self) -> None:
        pass

    def _new_path(self) -> str:
        with _lock:
            n = next(_counter)
        stamp = datetime.now().strftime("%Y%m%d-%H%M%S-%f")
        return os.path.join(self.file_path, f"{stamp}-{os.getpid()}-{n:06d}.eml")

    def send_messages(self, email_messages) -> int:
        sent = 0
        for message in email_messages or ():
            try:
                data = message.message().as_bytes()  # as the SMTP backend sends it
                with open(self._new_path(), "xb") as file:
                    file.write(data)
                sent += 1
            except Exception:
                if not self.fail_silently:
                    raise
        return sent
