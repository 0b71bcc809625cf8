"""``python -m sgdlab``: the command line."""

import sys

from sgdlab.cli import main

sys.exit(main())
