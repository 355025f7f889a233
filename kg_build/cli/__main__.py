"""`python -m kg_build.cli`: the same as the `ctoc-kg` console script."""

import sys

from kg_build.cli.app import main

sys.exit(main())
