"""The casebook: an embedded, crash-safe SQLite store of client records.

``open_casebook()`` opens it (``create=True`` makes a new one); records go in and out as the same
validated models the worksheets are rendered from. ``bundle`` exports one
client to a portable JSON file and imports it again.
"""

from .backup import CheckReport, RestoreResult
from .backup import check as check_casebook
from .backup import restore as restore_backup
from .bundle import (
    BUNDLE_VERSION,
    Bundle,
    ImportResult,
    export_client,
    import_bundle,
    parse_bundle,
    read_bundle,
    write_bundle,
)
from .location import ENV_VAR, default_path, resolve_path
from .schema import SCHEMA_VERSION
from .store import AuditLine, Casebook, check_client_id, open_casebook

__all__ = [
    "BUNDLE_VERSION", "ENV_VAR", "SCHEMA_VERSION", "AuditLine", "Bundle", "Casebook",
    "CheckReport", "ImportResult", "RestoreResult", "check_casebook", "check_client_id",
    "default_path", "export_client", "import_bundle", "open_casebook", "parse_bundle",
    "read_bundle", "resolve_path", "restore_backup", "write_bundle",
]
