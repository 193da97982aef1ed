"""``python -m tinytf.tools.explain OUT_DIR [topic ...]``."""
from . import main

raise SystemExit(main())
