"""The bundle's entry point (PyInstaller needs a script): the same ``main`` as the launcher
that pip installs."""

import sys

from calftimer.app import main

sys.exit(main())
