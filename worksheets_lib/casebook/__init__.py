"""The casebook: an embedded, crash-safe SQLite store of client records.

``open_casebook()`` opens it (``create=True`` makes a new one); records go in and out as the same
validated models the worksheets are rendered from. ``bundle`` exports one
client to a portable JSON file and imports it again.
"""

from __future__ import annotations

import importlib

#: Which submodule each public name comes from; imported when first used (PEP 562),
#: so opening a casebook does not load the bundle models, nor a bundle the backup code.
_MODULES: dict[str, tuple[tuple[str, str], ...]] = {
    "backup": (("CheckReport", "CheckReport"), ("RestoreResult", "RestoreResult"),
               ("check_casebook", "check"), ("restore_backup", "restore")),
    "bundle": (("BUNDLE_VERSION", "BUNDLE_VERSION"), ("Bundle", "Bundle"),
               ("ImportResult", "ImportResult"), ("export_client", "export_client"),
               ("import_bundle", "import_bundle"), ("parse_bundle", "parse_bundle"),
               ("read_bundle", "read_bundle"), ("write_bundle", "write_bundle")),
    "location": (("ENV_VAR", "ENV_VAR"), ("default_path", "default_path"),
                 ("resolve_path", "resolve_path")),
    "schema": (("SCHEMA_VERSION", "SCHEMA_VERSION"),),
    "store": (("AuditLine", "AuditLine"), ("Casebook", "Casebook"),
              ("check_client_id", "check_client_id"), ("open_casebook", "open_casebook")),
}
_WHERE = {public: (module, own) for module, pairs in _MODULES.items()
          for public, own in pairs}

__all__ = sorted(_WHERE)


def __getattr__(name: str):
    if name not in _WHERE:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    module, own = _WHERE[name]
    value = getattr(importlib.import_module(f".{module}", __name__), own)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted([*globals(), *_WHERE])
