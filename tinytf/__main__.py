"""``python -m tinytf``: the ``tinytf`` command (see :mod:`tinytf.cli`)."""
import sys

from .cli import main

sys.exit(main())
