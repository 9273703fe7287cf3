"""Evidence files on disk (一案一档): `var/evidence/<measure key>/<sha256><ext>`.

The stored name is the content's SHA-256 and the extension its content proved, never a name a
user typed; the original name lives in the store's evidence record. Each file is written to a
temporary file in the same folder, fsynced and renamed into place, so a crash (even SIGKILL)
leaves either the whole file or none, and a record is marked stored only after its file is there.
"""

from __future__ import annotations

import hashlib
import os
import re
import tempfile

KEY = re.compile(r"^[0-9A-Za-z_-]{1,40}$")


class EvidenceDir:
    def __init__(self, root: str) -> None:
        self.root = root

    def save(self, measure_key: str, data: bytes, ext: str) -> tuple[str, str]:
        """Write `data` for the measure; (path relative to the root, sha256 hex). Idempotent."""
        if not KEY.match(measure_key) or not re.match(r"^\.[a-z0-9]{1,5}$", ext):
            raise ValueError(f"bad evidence path part: {measure_key!r} {ext!r}")
        digest = hashlib.sha256(data).hexdigest()
        rel = f"{measure_key}/{digest}{ext}"
        path = os.path.join(self.root, rel)
        if os.path.exists(path):
            return rel, digest
        folder = os.path.dirname(path)
        os.makedirs(folder, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=folder, prefix=".part-")
        try:
            with os.fdopen(fd, "wb") as f:
                f.write(data)
                f.flush()
                os.fsync(f.fileno())
            os.replace(tmp, path)
        except BaseException:
            if os.path.exists(tmp):
                os.unlink(tmp)
            raise
        return rel, digest

    def read(self, rel: str) -> bytes:
        path = os.path.realpath(os.path.join(self.root, rel))
        if not path.startswith(os.path.realpath(self.root) + os.sep):
            raise ValueError(f"evidence path outside the archive: {rel!r}")
        with open(path, "rb") as f:
            return f.read()

    def remove_partial(self) -> int:
        """Temporary files a killed writer left behind; how many were removed."""
        n = 0
        for folder, _dirs, files in os.walk(self.root):
            for name in files:
                if name.startswith(".part-"):
                    os.unlink(os.path.join(folder, name))
                    n += 1
        return n
