"""Every third-party module the product imports is declared in pyproject.toml, in the extra of
the program that imports it (headquarters' code in ``hq``, the till's in ``till``, what both
share in the base dependencies), and every declared package is imported by the product."""

from __future__ import annotations

import ast
import re
import sys
import tomllib
from importlib.metadata import packages_distributions
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
#: declared, never imported by name: used through another library (why, for each)
USED_INDIRECTLY = {
    "psycopg2-binary": "peewee's PostgreSQL driver (pos-hq --db postgresql://...)",
    "python-multipart": "Starlette's form parser: the console's posted forms (request.form())",
}


def canonical(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def declared() -> dict[str, set[str]]:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    groups = {"base": project["dependencies"], **project["optional-dependencies"]}
    return {group: {canonical(re.split(r"[\s\[<>=!~;]", req, maxsplit=1)[0]) for req in reqs
                    if not req.startswith("pos-app")} for group, reqs in groups.items()}


def imported_modules(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names.add(node.module.split(".")[0])
    return {n for n in names if n not in sys.stdlib_module_names and n != "pos_app"}


def program_of(path: Path) -> str:
    part = path.relative_to(ROOT / "pos_app").parts[0]
    if part == "hq":
        return "hq"
    if part in ("core", "storage", "sync"):  # shared by both programs
        return "base"
    return "till"


def test_what_the_product_imports_is_declared_in_its_programs_extra() -> None:
    groups = declared()
    dists = {module: {canonical(d) for d in names} for module, names in packages_distributions().items()}
    missing = []
    used: set[str] = set()
    for path in sorted((ROOT / "pos_app").rglob("*.py")):
        program = program_of(path)
        allowed = groups["base"] | (groups[program] if program != "base" else set())
        for module in sorted(imported_modules(path)):
            provided_by = dists.get(module, {canonical(module)})
            used |= provided_by
            if not provided_by & allowed:
                missing.append(f"{path.relative_to(ROOT)} imports {module} ({'/'.join(sorted(provided_by))}),"
                               f" not declared for {program}")
    assert not missing, "\n".join(missing)
    product = groups["base"] | groups["till"] | groups["hq"]
    unused = sorted(product - used - set(USED_INDIRECTLY))
    assert not unused, f"declared but never imported: {unused}"


def pins() -> dict[str, str]:
    lines = (ROOT / "packaging" / "constraints.txt").read_text(encoding="utf-8").splitlines()
    return {canonical(name): version for name, _, version in
            (line.partition("==") for line in lines if line.strip() and not line.startswith("#"))}


def till_build_closure() -> set[str]:
    """pos-app[till] and PyInstaller with everything they require, as installed here."""
    from importlib.metadata import PackageNotFoundError, distribution

    from packaging.requirements import Requirement

    seen: set[str] = set()
    todo = [(req, "") for req in declared()["base"] | declared()["till"] | {"pyinstaller"}]
    while todo:
        name, extra = todo.pop()
        key = f"{name}[{extra}]"
        if key in seen:
            continue
        seen.add(key)
        try:
            dist = distribution(name)
        except PackageNotFoundError:
            continue
        for spec in dist.requires or []:
            req = Requirement(spec)
            if req.marker is None or req.marker.evaluate({"extra": extra}):
                todo += [(canonical(req.name), e) for e in req.extras or [""]]
    return {key.split("[")[0] for key in seen}


def test_the_frozen_build_is_pinned_by_the_constraints_file() -> None:
    """A new PySide6 release once broke the window: the build takes no version it was not tried with."""
    pinned = pins()
    unpinned = sorted(till_build_closure() - set(pinned))
    assert not unpinned, f"packaging/constraints.txt pins none of {unpinned}"
    assert "-c packaging/constraints.txt" in (ROOT / "Makefile").read_text(encoding="utf-8").replace(
        "$(CONSTRAINTS)", "packaging/constraints.txt")
