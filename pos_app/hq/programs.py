"""Program versions for the console: the list, a draft of the next version, the common settings
as a form that rewrites the TOML, and what a draft changes against the version tills run.

Publishing itself is ``authority.publish_program`` (validated by core's parser, audited, sent
in the feed with its effective date). Nothing here writes.
"""

from __future__ import annotations

import datetime as dt
import difflib
import json
import re
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass
from fractions import Fraction
from typing import Any

from pos_app.core.errors import Conflict, InvalidInput, ProgramError
from pos_app.core.program import EXPIRY_MODES, Program, parse_program
from pos_app.hq import authority, db

MAX_SOURCE = 200_000  # characters of TOML (a program is a few KB)


@dataclass(frozen=True)
class Version:
    program_id: str
    version: int
    digest: str
    published_at: str
    published_by: str | None
    effective_on: str | None
    current: bool  # the version tills run today
    pending: bool  # published ahead of its effective date, not run yet


def list_versions(*, today: dt.date | None = None) -> list[Version]:
    """Every published version, newest first, with the one tills run today marked."""
    current = authority.active_program(today)
    on = (today or authority._local_now().date()).isoformat()
    P = db.Program
    rows = P.select(P.program_id, P.version, P.digest, P.published_at, P.published_by,
                    P.effective_on).order_by(P.version.desc())
    out = []
    for r in rows:
        is_current = current is not None and r.version == current.version and r.program_id == current.program_id
        pending = r.effective_on is not None and r.effective_on > on
        out.append(Version(r.program_id, int(r.version), r.digest, r.published_at, r.published_by, r.effective_on,
                           is_current, pending))
    return out


def version_source(version: int) -> tuple[Version, str]:
    """One published version and its text (``NotFound``-like ``InvalidInput`` when absent)."""
    row = db.Program.get_or_none(db.Program.version == version)
    if row is None:
        raise InvalidInput("version", f"no version {version} has been published")
    for v in list_versions():
        if v.version == version:
            return v, str(row.source)
    raise InvalidInput("version", f"no version {version} has been published")  # pragma: no cover


def latest_source() -> str | None:
    """The text of the highest version published (a pending one included), or None."""
    row = db.Program.select(db.Program.source).order_by(db.Program.version.desc()).first()
    return None if row is None else str(row.source)


def next_draft() -> str:
    """The text to edit a new version from: the highest version published with its number + 1
    (the reference program's shape before the first publish is not assumed: empty then)."""
    source = latest_source()
    if source is None:
        return ""
    program = parse_program(source)
    return set_value(source, "program", None, "version", str(program.version + 1))


def check_source(value: object) -> str:
    """A draft as posted: a browser sends a textarea's lines ending in CRLF; kept otherwise as typed."""
    text = value.replace("\r\n", "\n") if isinstance(value, str) else ""
    if not text.strip():
        raise InvalidInput("source", "this field is required")
    if len(text) > MAX_SOURCE:
        raise InvalidInput("source", f"at most {MAX_SOURCE} characters")
    return text


def check_publish(source: str, effective_on: str | None) -> tuple[Program, str | None]:
    """What ``authority.publish_program`` would refuse, checked before asking for confirmation:
    the text (ProgramError naming the field), the date, a version above every published one."""
    program = parse_program(source)
    effective = authority.check_effective_on(effective_on, today=authority._local_now().date())
    top = db.Program.select(db.Program.version, db.Program.digest).order_by(db.Program.version.desc()).first()
    if top is not None and top.version >= program.version:
        raise Conflict("version", f"version {program.version} is not above the highest published version"
                       f" {top.version}")
    if top is None and effective is not None:
        raise InvalidInput("effective_on", "the first version takes effect at once")
    return program, effective


# -- the common settings as a form ----------------------------------------------------------------

@dataclass(frozen=True)
class Setting:
    """One form field and where it lives in the TOML (``table``, the ``index``-th of an array of
    tables or None, ``key``)."""

    name: str
    table: str
    index: int | None
    key: str
    kind: str  # text | whole | decimal | choice
    label: str = ""


def common_settings(program: Program) -> list[Setting]:
    """The fields of the form: name, earning rate, tier multipliers, redemption value, expiry."""
    fields = [
        Setting("name", "program", None, "name", "text"),
        Setting("fen_per_point", "earning", None, "fen_per_point", "whole"),
        Setting("points_per_unit", "redemption", None, "points_per_unit", "whole"),
        Setting("fen_per_unit", "redemption", None, "fen_per_unit", "whole"),
        Setting("expiry_mode", "expiry", None, "mode", "choice"),
        Setting("expiry_months", "expiry", None, "months", "whole"),
    ]
    for i, tier in enumerate(program.tiers.tiers):
        fields.append(Setting(f"tier_{tier.id}", "tiers.levels", i, "multiplier", "decimal", label=tier.id))
    return fields


def form_values(program: Program) -> dict[str, str]:
    """The form's values as the program has them."""
    multiplier = {f"tier_{t.id}": _decimal_text(t.multiplier) for t in program.tiers.tiers}
    return {
        "name": program.name, "fen_per_point": str(program.earning.fen_per_point),
        "points_per_unit": str(program.redemption.points_per_unit),
        "fen_per_unit": str(program.redemption.fen_per_unit),
        "expiry_mode": program.expiry.mode, "expiry_months": str(program.expiry.months), **multiplier,
    }


def _decimal_text(value: Fraction) -> str:
    """A multiplier as exact decimal text (1.2, 2.0); a fraction without one as n/d."""
    whole, rest = divmod(value.numerator, value.denominator)
    if rest == 0:
        return f"{whole}.0"
    for digits in range(1, 7):
        scaled = value * 10**digits
        if scaled.denominator == 1:
            return f"{whole}.{int(scaled) - whole * 10**digits:0{digits}d}"
    return f"{value.numerator}/{value.denominator}"


_WHOLE = re.compile(r"^[0-9]{1,9}$")
_DECIMAL = re.compile(r"^[0-9]{1,3}(\.[0-9]{1,4})?$")


def apply_form(source: str, form: Mapping[str, Any]) -> str:
    """The draft with the form's settings written into it. Only the fields the user changed are
    written (``was_<name>`` carries each field's value as shown), so edits made in the TOML
    meanwhile are kept. Errors name the form field; the result is parsed again (nothing of a
    bad value reaches a till)."""
    program = parse_program(source)  # ProgramError naming the TOML's field
    for setting in common_settings(program):
        raw = form.get(setting.name)
        was = form.get(f"was_{setting.name}")
        if not isinstance(raw, str) or (isinstance(was, str) and raw.strip() == was.strip()):
            continue
        text = raw.strip()
        source = set_value(source, setting.table, setting.index, setting.key, _literal(setting, text))
    try:
        parse_program(source)
    except ProgramError as exc:
        raise InvalidInput(_form_field(exc.field, program), exc.message) from None
    return source


def _literal(setting: Setting, text: str) -> str:
    if setting.kind == "whole":
        if not _WHOLE.match(text):
            raise InvalidInput(setting.name, "a whole number is required")
        return str(int(text))
    if setting.kind == "decimal":
        if not _DECIMAL.match(text):
            raise InvalidInput(setting.name, "a decimal number such as 1.5 is required")
        return json.dumps(text)
    if setting.kind == "choice":
        if text not in EXPIRY_MODES:
            raise InvalidInput(setting.name, f"must be one of {', '.join(EXPIRY_MODES)}")
        return json.dumps(text)
    if not text or len(text) > 100:
        raise InvalidInput(setting.name, "a text of 1 to 100 characters is required")
    return json.dumps(text, ensure_ascii=False)


def _form_field(path: str, program: Program) -> str:
    """The form field a parser error's TOML path belongs to (the path itself when none)."""
    for setting in common_settings(program):
        where = setting.table if setting.index is None else f"{setting.table}[{setting.index}]"
        if path in (f"{where}.{setting.key}", where):
            return setting.name
    return path


_HEADER = re.compile(r"^\s*(\[\[?)\s*([A-Za-z0-9_.\-]+)\s*\]\]?\s*(#.*)?$")
_VALUE = re.compile(r'"(?:[^"\\\n]|\\.)*"|\'[^\'\n]*\'|[^\s#]+')


def set_value(source: str, table: str, index: int | None, key: str, literal: str) -> str:
    """``source`` with ``key`` of a table (or of the ``index``-th table of an array) set to a
    TOML ``literal``, the rest of the text (comments, order, layout) as it was. A key the table
    lacks is added after its last line; a table written in another way (inline, dotted keys)
    is an error naming the setting."""
    lines = source.split("\n")
    start = end = None
    seen = -1
    for n, line in enumerate(lines):
        header = _HEADER.match(line)
        if header is None:
            continue
        if start is not None:
            end = n
            break
        array = header.group(1) == "[["
        if header.group(2) == table and array == (index is not None):
            seen += 1
            if index is None or seen == index:
                start = n
    path = f"{table}.{key}" if index is None else f"{table}[{index}].{key}"
    if start is None:
        raise InvalidInput(path, "is not a table of its own in this TOML; edit it in the text")
    end = len(lines) if end is None else end
    pattern = re.compile(rf"^(\s*{re.escape(key)}\s*=\s*)(.*)$")
    for n in range(start + 1, end):
        found = pattern.match(lines[n])
        if found is None:
            continue
        value = _VALUE.match(found.group(2))
        if value is None:
            raise InvalidInput(path, "cannot be rewritten here; edit it in the text")
        rest = found.group(2)[value.end():]
        comment = rest.lstrip()
        if comment.startswith("#"):  # the comment stays in its column where it can
            rest = " " * max(1, value.end() + len(rest) - len(comment) - len(literal)) + comment
        lines[n] = found.group(1) + literal + rest
        break
    else:
        last = end - 1
        while last > start and not lines[last].strip():
            last -= 1
        lines.insert(last + 1, f"{key} = {literal}")
    result = "\n".join(lines)
    try:
        tomllib.loads(result)
    except tomllib.TOMLDecodeError:
        raise InvalidInput(path, "cannot be rewritten here; edit it in the text") from None
    return result


# -- what a draft changes ---------------------------------------------------------------------------

@dataclass(frozen=True)
class Change:
    field: str  # the setting's path, arrays of tables by their items' id (tiers.levels[gold].multiplier)
    old: str | None  # None: not in the old version
    new: str | None  # None: removed


@dataclass(frozen=True)
class Diff:
    old_version: int | None
    new_version: int
    unified: list[str]  # the lines of a unified diff of the two texts
    changes: list[Change]


def diff(old_source: str | None, new_source: str) -> Diff:
    """A draft against a published text: the unified diff and the settings changed, by field."""
    new = parse_program(new_source)
    old = parse_program(old_source) if old_source else None
    old_name = f"version {old.version}" if old else "(none)"
    unified = list(difflib.unified_diff((old_source or "").splitlines(), new_source.splitlines(),
                                        fromfile=old_name, tofile=f"version {new.version}", lineterm=""))
    before = _flatten(tomllib.loads(old_source)) if old_source else {}
    after = _flatten(tomllib.loads(new_source))
    changes = [Change(k, before.get(k), after.get(k)) for k in sorted(before.keys() | after.keys())
               if before.get(k) != after.get(k)]
    return Diff(old.version if old else None, new.version, unified, changes)


def _flatten(data: Any, prefix: str = "") -> dict[str, str]:
    """Every scalar setting by its path; the tables of an array named by their ``id`` or ``code``."""
    out: dict[str, str] = {}
    if isinstance(data, dict):
        for key, value in data.items():
            out.update(_flatten(value, f"{prefix}.{key}" if prefix else str(key)))
    elif isinstance(data, list) and data and all(isinstance(x, dict) for x in data):
        for i, item in enumerate(data):
            name = item.get("id", item.get("code", i))
            out.update(_flatten(item, f"{prefix}[{name}]"))
    else:
        out[prefix] = json.dumps(data, ensure_ascii=False, default=str)
    return out
