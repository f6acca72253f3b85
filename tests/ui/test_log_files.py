"""The window's log folder and file are private (issue 12 item 19): the log names members and staff."""

from __future__ import annotations

import logging
import stat
from pathlib import Path

from pos_app.ui.app import setup_logging


def test_the_log_folder_and_file_are_private(tmp_path: Path) -> None:
    handlers = list(logging.getLogger().handlers)
    try:
        setup_logging(tmp_path / "logs")
        logging.getLogger("pos_app.test").info("a line")
    finally:
        for h in logging.getLogger().handlers:
            if h not in handlers:
                logging.getLogger().removeHandler(h)
                h.close()
    assert stat.S_IMODE((tmp_path / "logs").stat().st_mode) == 0o700
    log = tmp_path / "logs" / "pos-app.log"
    assert stat.S_IMODE(log.stat().st_mode) == 0o600 and "a line" in log.read_text(encoding="utf-8")
