"""``python -m pos_app.hq``: the same as the ``pos-hq`` command."""

import sys

from pos_app.hq.cli import main

sys.exit(main())
