"""Where a till keeps its files: the one module that decides every path.

- ``$POS_APP_HOME`` set: everything under it (``pos.db``, ``logs/``, ``backups/``, ``cache/``);
  for a portable install, a second till on one PC, tests.
- otherwise the operating system's per-user places (platformdirs): the database and the
  backups in the user data directory (``~/.local/share/pos-app`` on Linux,
  ``%LOCALAPPDATA%\\pos-app`` on Windows), the logs in the user log directory
  (``~/.local/state/pos-app/log``, ``%LOCALAPPDATA%\\pos-app\\Logs``), what can be rebuilt
  (python-escpos's printer capabilities) in the user cache directory (``~/.cache/pos-app``,
  ``%LOCALAPPDATA%\\pos-app\\Cache``).
- ``$POS_APP_DB`` overrides the database file only (``--db`` on the command line overrides both).

The terminal's settings (printer, scanner, headquarters, language) and the print queue are
rows inside the database, so a backup of the database holds them too (not the sync secret:
``services.backup`` keeps it out of backups). Files are made 0600 and folders 0700. Beside the database:
``<db>.lock`` (the cashier window's instance lock), ``<db>.v<N>-<time>.bak`` (taken before a
migration) and ``<db>.before-restore-<time>`` (the database a restore replaced).
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

APP_NAME = "pos-app"
DB_NAME = "pos.db"


@dataclass(frozen=True)
class AppPaths:
    data_dir: Path
    database: Path
    log_dir: Path
    backup_dir: Path  # `pos-app backup` without --to; automatic backups in its auto/ folder

    @property
    def auto_backup_dir(self) -> Path:
        return self.backup_dir / "auto"


def app_paths() -> AppPaths:
    """The paths for this process's environment (read each call: tests change it)."""
    home = os.environ.get("POS_APP_HOME")
    if home:
        root = Path(home).expanduser()
        data_dir, log_dir = root, root / "logs"
    else:
        from platformdirs import user_data_dir, user_log_dir

        data_dir = Path(user_data_dir(APP_NAME, appauthor=False))
        log_dir = Path(user_log_dir(APP_NAME, appauthor=False))
    db_env = os.environ.get("POS_APP_DB")
    database = Path(db_env).expanduser() if db_env else data_dir / DB_NAME
    return AppPaths(data_dir=data_dir, database=database, log_dir=log_dir, backup_dir=data_dir / "backups")


def cache_dir() -> Path:
    """Files the till can rebuild (python-escpos's printer capabilities): ``$POS_APP_HOME/cache``,
    else the user cache directory. Read each call, like :func:`app_paths`."""
    home = os.environ.get("POS_APP_HOME")
    if home:
        return Path(home).expanduser() / "cache"
    from platformdirs import user_cache_dir

    return Path(user_cache_dir(APP_NAME, appauthor=False))
