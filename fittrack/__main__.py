"""`python -m fittrack` is the `fittrack` command, for environments without the script on PATH."""

import sys

from fittrack.cli import main

sys.exit(main())
