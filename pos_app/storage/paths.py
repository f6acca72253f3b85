"""Where the shipped data files (migrations, reference program) live, frozen or not."""

from __future__ import annotations

import sys
from pathlib import Path


def data_root() -> Path:
    frozen = getattr(sys, "_MEIPASS", None)
    if frozen:
        return Path(frozen)
    return Path(__file__).resolve().parents[2]


def migrations_dir() -> Path:
    return data_root() / "db" / "migrations"


def reference_program_path() -> Path:
    return data_root() / "db" / "reference-program.toml"
