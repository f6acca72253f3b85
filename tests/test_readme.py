"""The README's commands run as written: every shell block with ``pos-app`` or ``pos-hq``
commands runs in bash (``set -e``), in order, in a fresh folder beside the repository's ``db/``
and ``docs/`` (the README's commands are run from the repository's root), with the programs
of this checkout. Only the lines that need headquarters serving on the network are left out.
(``make run`` and ``make test`` are what CI runs itself; ``make package`` is tests/packaging.)"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
#: lines of the README that need a running headquarters at its example address (the TLS files
#: are the operator's); the sync tests run these steps against a real pos-hq instead
NEEDS_A_SERVER = ("pos-hq --db hq.db serve ", "pos-app --db store.db enroll ", "pos-app --db store.db sync")


def command_blocks() -> list[str]:
    blocks = re.findall(r"^```sh\n(.*?)^```", (ROOT / "README.md").read_text(encoding="utf-8"), re.M | re.S)
    return [b for b in blocks if re.search(r"^(\S+=\$\()?pos-(app|hq) ", b, re.M)]


def test_every_readme_command_runs_as_written(tmp_path: Path) -> None:
    blocks = command_blocks()
    assert len(blocks) >= 2  # the headless CLI and headquarters
    lines = [line for block in blocks for line in block.splitlines()]
    skipped = [line for line in lines if line.startswith(NEEDS_A_SERVER)]
    assert len(skipped) == len(NEEDS_A_SERVER), skipped  # nothing else is left out
    script = "\n".join(line for line in lines if line not in skipped)
    work = tmp_path / "checkout"
    work.mkdir()
    for name in ("db", "docs"):
        (work / name).symlink_to(ROOT / name)
    env = {k: v for k, v in os.environ.items() if k not in ("POS_APP_DB", "DISPLAY", "WAYLAND_DISPLAY")}
    env.update(PATH=f"{Path(sys.executable).parent}{os.pathsep}{env.get('PATH', '')}", PYTHONPATH=str(ROOT),
               POS_APP_HOME=str(tmp_path / "home"), QT_QPA_PLATFORM="offscreen")
    done = subprocess.run(["bash", "-e", "-u", "-o", "pipefail", "-x", "-c", script], cwd=work, env=env,
                          stdin=subprocess.DEVNULL, capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, f"a README command failed:\n{done.stderr[-4000:]}\n{done.stdout[-2000:]}"
    ran = [line for line in done.stderr.splitlines() if line.startswith("+ ")]
    assert len(ran) >= len([line for line in script.splitlines() if line and not line.startswith("#")])
    assert (work / "store.db").is_file() and (work / "hq.db").is_file() and (work / "receipt.bin").stat().st_size
