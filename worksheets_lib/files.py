"""Writing files so that a failure never leaves half a file behind."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

from .errors import OutputError


def write_atomically(out: Path, data: bytes) -> None:
    """Write *data* to *out* through a temporary file in the same folder."""
    if out.is_dir():
        raise OutputError(str(out), "is a folder; give a file name ending in .pdf")
    try:
        out.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=out.parent, prefix=f".{out.name}.", suffix=".tmp")
    except OSError as error:
        raise OutputError(str(out), error.strerror or "cannot create the file") from None
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, out)
    except BaseException as error:
        Path(tmp).unlink(missing_ok=True)
        if isinstance(error, OSError):
            raise OutputError(str(out), error.strerror or "cannot write the file") from None
        raise
