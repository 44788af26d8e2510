"""Run the command line as ``python -m worksheets_lib``."""

import sys

from .cli import main

sys.exit(main())
