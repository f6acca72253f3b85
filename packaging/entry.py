"""The frozen application's entry point: one program, two executables.

PyInstaller builds ``pos-app`` (console: the command line) and ``pos-app-gui`` (the cashier
window; windowed on Windows) from this one script; the executable's own name says which.
"""

from __future__ import annotations

import sys
from pathlib import Path


def main() -> int:
    if Path(sys.executable).stem.lower() == "pos-app-gui":
        from pos_app.ui.app import main as gui_main

        return gui_main()
    from pos_app.cli import main as cli_main

    return cli_main()


if __name__ == "__main__":
    sys.exit(main())
