"""``python -m calftimer``: the same entry point as the ``calftimer`` launcher."""

import sys

from calftimer.app import main

sys.exit(main(sys.argv[1:]))
