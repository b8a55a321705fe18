"""The project's own skill vocabulary: ``matching/data/skills.csv`` read into :class:`SkillEntry` objects.

The CSV has the columns ``name,category,aliases,ambiguous`` and optionally ``broader``; aliases and broader
skills are separated by ``|``; ``ambiguous`` is ``true``/``false`` (also ``yes``/``no``, ``1``/``0`` or empty);
every broader skill must itself be an entry.  Pure: no Django imports, so the data migration
and the tests can both use it.
"""

from __future__ import annotations

import csv
from pathlib import Path

from matching.extraction import CATEGORIES, SkillEntry

VOCABULARY_PATH = Path(__file__).resolve().parent / "data" / "skills.csv"
COLUMNS = ("name", "category", "aliases", "ambiguous")
_TRUE = {"true", "yes", "y", "1"}
_FALSE = {"false", "no", "n", "0", ""}


def load_vocabulary(path: Path | str) -> list[SkillEntry]:
    """Read a vocabulary CSV into entries, in file order.

    Raises ``ValueError`` naming the file and line number on a missing column, an empty name, an unknown
    category, an unreadable ``ambiguous`` flag, a name given twice (case-insensitive) or a broader skill that is
    not an entry.
    """
    path = Path(path)
    entries: list[SkillEntry] = []
    seen: dict[str, int] = {}
    with path.open(encoding="utf-8", newline="") as handle:
        reader = csv.DictReader(handle)
        missing = [c for c in COLUMNS if c not in (reader.fieldnames or [])]
        if missing:
            raise ValueError(f"{path.name}: line 1: missing column(s) {', '.join(missing)}")
        for row in reader:
            line = reader.line_num
            name = (row["name"] or "").strip()
            category = (row["category"] or "").strip().lower()
            flag = (row["ambiguous"] or "").strip().lower()
            if not name:
                raise ValueError(f"{path.name}: line {line}: empty name")
            if category not in CATEGORIES:
                raise ValueError(
                    f"{path.name}: line {line}: unknown category {category!r} for {name!r} "
                    f"(expected one of {', '.join(CATEGORIES)})"
                )
            if flag not in _TRUE | _FALSE:
                raise ValueError(f"{path.name}: line {line}: ambiguous must be true or false, not {flag!r}")
            if name.lower() in seen:
                raise ValueError(
                    f"{path.name}: line {line}: {name!r} already defined on line {seen[name.lower()]}"
                )
            seen[name.lower()] = line
            aliases = tuple(dict.fromkeys(a.strip() for a in (row["aliases"] or "").split("|") if a.strip()))
            broader = tuple(
                dict.fromkeys(b.strip() for b in (row.get("broader") or "").split("|") if b.strip())
            )
            entries.append(
                SkillEntry(
                    name=name, category=category, aliases=aliases, ambiguous=flag in _TRUE, broader=broader
                )
            )
    names = {e.name for e in entries}
    for entry in entries:
        unknown = [b for b in entry.broader if b not in names]
        if unknown:
            raise ValueError(f"{path.name}: {entry.name!r} has unknown broader skill(s) {', '.join(unknown)}")
    return entries


def load_project_vocabulary() -> list[SkillEntry]:
    """The project vocabulary shipped in ``matching/data/skills.csv`` (see :func:`load_vocabulary`)."""
    return load_vocabulary(VOCABULARY_PATH)
