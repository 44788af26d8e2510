"""Where the casebook lives, and creating it privately.

The path is ``--casebook PATH``, else ``$WORKSHEETS_CASEBOOK``, else
``casebook.sqlite3`` in the user's data folder (platformdirs). A new casebook
is a 0600 file in a 0700 folder, created whole: its tables are made in a
temporary file that is then renamed into place, so a crash never leaves a
half-made casebook behind.
"""

from __future__ import annotations

import os
import stat
from pathlib import Path

from ..errors import CasebookError
from ..files import clean_stale_temps, create_private, fsync_folder, temp_name
from . import driver, wal
from .keys import Key, remember
from .schema import migrate

ENV_VAR = "WORKSHEETS_CASEBOOK"
FILE_NAME = "casebook.sqlite3"


def default_path() -> Path:
    """The casebook used when no path is given."""
    from platformdirs import user_data_path

    return user_data_path("worksheets", appauthor=False) / FILE_NAME


def resolve_path(path: str | os.PathLike | None = None) -> Path:
    """The explicit path, else the environment variable, else the default."""
    chosen = path or os.environ.get(ENV_VAR)
    if not chosen:
        return default_path()
    try:
        return Path(chosen).expanduser()
    except RuntimeError:  # "~name/..." for a name that is not a user here
        raise CasebookError(str(chosen), "the ~name at the start of this path is not a user "
                                         "on this computer; give the full path", "missing") \
            from None


def make_private(path: Path) -> list[str]:
    """Make the casebook readable by its owner only; a warning says what was changed.

    A casebook someone else owns cannot be changed by us: the warning then says
    how to fix it.
    """
    try:
        info = path.stat()
    except OSError:
        return []
    mode = stat.S_IMODE(info.st_mode)
    if not mode & 0o077:
        return []
    if info.st_uid == os.geteuid():
        try:
            os.chmod(path, mode & 0o700)
            return [f"the casebook {path} could be read by other users (mode {mode:o}); it is "
                    f"now readable by you only"]
        except OSError:
            pass
    return [f"the casebook {path} can be read by other users (mode {mode:o}); "
            f"to keep it private run: chmod 600 '{path}'"]


def create(path: Path, key: Key | None = None) -> None:
    """Create an empty casebook at *path* (folder 0700, file 0600), all or nothing.

    With *key*, the casebook is encrypted (see :mod:`.keys`).

    Refused when a ``-wal`` or ``-shm`` of an earlier casebook lies beside the
    missing file: SQLite would fold that old journal into the new file. Those
    files may hold entries, so they are never removed here.
    """
    from .diagnosis import explain

    if path.is_symlink():
        raise CasebookError(str(path), "is a symbolic link; give the casebook's real path",
                            "unusable")
    leftovers = [p for p in (wal.wal_path(path), wal.shm_path(path)) if p.exists()]
    if leftovers:
        names = " and ".join(p.name for p in leftovers)
        raise CasebookError(
            str(path), f"not created: {names} from an earlier casebook "
                       f"{'is' if len(leftovers) == 1 else 'are'} beside it and may hold saved "
                       f"entries. Put the casebook file back, or move {names} somewhere safe "
                       f"first", "foreign-wal")
    folder = path.parent
    tmp = temp_name(path, "new")
    try:
        if not folder.exists():
            folder.mkdir(mode=0o700, parents=True)
            os.chmod(folder, 0o700)  # mkdir's mode is masked by the umask
        clean_stale_temps(folder)
        os.close(create_private(tmp))
    except OSError as error:
        raise explain(error, path) from None
    try:
        conn = driver.connect(tmp, key, new=True, isolation_level=None)
        try:
            migrate(conn)
        finally:
            conn.close()
        os.chmod(tmp, 0o600)
        try:
            os.link(tmp, path)  # unlike a rename, never replaces a casebook made meanwhile
        except FileExistsError:
            pass
        else:
            if key is not None:
                remember(path, key)
        fsync_folder(folder)
    except (OSError, driver.Error) as error:
        raise explain(error, path) from None
    finally:
        tmp.unlink(missing_ok=True)
        for sidecar in (wal.wal_path(tmp), wal.shm_path(tmp), tmp.with_name(tmp.name + "-journal")):
            sidecar.unlink(missing_ok=True)
