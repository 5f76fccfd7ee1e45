"""``python -m skhp`` runs the ``skhp`` command line."""

import sys

from .cli import main

sys.exit(main())
