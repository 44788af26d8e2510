"""Start Voilà for the journal app (``python -m worksheets_lib.journal_voila``), quickly.

jsonschema checks the "iri" format with ``rfc3987_syntax`` when it is
installed, and that module builds its grammar at import: 1.3 s of Voilà's
2 s start on a small computer. Voilà (through jupyter_events) never needs that
check, so this launcher makes the module unimportable (jsonschema then skips
the check, as it does when the module is missing) and runs Voilà as
``python -m voila`` would.
"""

from __future__ import annotations

import sys


def main() -> None:
    sys.modules.setdefault("rfc3987_syntax", None)  # import -> ImportError: check skipped
    from voila.app import main as voila_main

    sys.argv[0] = "voila"
    voila_main()


if __name__ == "__main__":
    main()
