"""Grow the skill vocabulary from public lists: Stack Overflow tag synonyms, O*NET technology names and ESCO labels.

    python manage.py import_skills --stackoverflow ../shared/data/vocab/stackoverflow_TagSynonyms_2021-08.csv
    python manage.py import_skills --onet ../shared/data/vocab/onet29.2_Technology_Skills.txt [--occupation 15-2051.00]
    python manage.py import_skills --esco ../shared/data/vocab/esco_v1.1.1

Stack Overflow (CC BY-SA 4.0): for every ``SourceTagName → TargetTagName`` whose target is a known skill name or
alias (lower-case; hyphens, dots, underscores and spaces are equivalent), the source tag, with hyphens turned to
spaces, becomes an alias of that skill, unless it is too short (under 3 characters without a digit or symbol), a
common English word or company name, a sub-topic or generalisation of the target, or unrelated in spelling
(see ``matching.skill_lists.synonym_alias``).

O*NET 29.2 (CC BY 4.0, "O*NET 29.2 Database, USDOL/ETA"): for the given occupations (default Data Scientists
15-2051.00 and, where present, 15-2051.01) every technology name is mapped onto an existing skill when it *is* a
known name/alias after stripping vendor words ("The MathWorks MATLAB" → MATLAB) or contains one of the
technology aliases ("Structured query language SQL" → SQL); the formal name is then added as an alias.  Otherwise a
new skill (``source="onet"``) is created, named by the stripped name, its category guessed from the Commodity
Title.  Generic names ("Reporting software") and consumer services (Facebook, YouTube …) are skipped.

ESCO v1.1.1 (European Commission; "This service uses the ESCO classification of the European Commission"; the
labels are filtered and attached to our skills, i.e. modified): adds *aliases only*, never skills (13,896 ESCO skills
would flood extraction with generic phrases).  ``DIR/en/skills_en.csv`` is read (``preferredLabel``, ``altLabels``
one per line) and, when present, ``DIR/fr/digitalSkillsCollection_fr.csv`` and
``DIR/fr/transversalSkillsCollection_fr.csv`` (joined on ``conceptUri``; their ``altLabels`` are separated by new
lines or ``|``).  An ESCO skill is attached to an existing skill whose name or alias equals its preferred label
(case-insensitive; a trailing qualifier such as "Python (computer programming)" is dropped for technology skills
only), or, for a transversal ESCO skill ("work in teams"), whose soft skill equals any of its English labels
("team-working" → Teamwork).  Its English alternative labels and its French labels then become aliases, qualifier
dropped, when at least 3 characters, not a stop word or ordinary word, and (English, see ``matching.skill_lists.esco_alias``) not a
single plain word for a non-technology skill, a product edition ("MySQL Enterprise Edition") or unrelated in
spelling ("Mocha" for JavaScript).  Skills that gain ESCO aliases get ``+esco`` appended to their ``source``.

Idempotent (a second run adds nothing) and atomic: a missing file or wrong columns raise ``CommandError`` before
anything is saved.
"""

from __future__ import annotations

import csv
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from matching.models import Skill
from matching.skill_lists import (
    SKIP_NAMES,
    SkillIndex,
    SkillState,
    commodity_category,
    esco_alias,
    esco_labels,
    esco_target,
    is_generic,
    normalise,
    short_name,
    strip_vendor,
    synonym_alias,
)

SO_COLUMNS = ("SourceTagName", "TargetTagName")
ONET_COLUMNS = ("O*NET-SOC Code", "Example", "Commodity Title")
DEFAULT_OCCUPATIONS = ("15-2051.00", "15-2051.01")
ESCO_SKILLS = Path("en") / "skills_en.csv"
ESCO_COLUMNS = ("conceptUri", "preferredLabel", "altLabels", "reuseLevel")
ESCO_FRENCH = (
    Path("fr") / "digitalSkillsCollection_fr.csv",
    Path("fr") / "transversalSkillsCollection_fr.csv",
)
ESCO_FRENCH_COLUMNS = ("conceptUri", "preferredLabel", "altLabels")
ESCO_TRANSVERSAL = Path("en") / "transversalSkillsCollection_en.csv"
ESCO_SOURCE = "esco"


class Command(BaseCommand):
    help = (
        "Add skills and aliases from O*NET technology names and/or Stack Overflow tag synonyms, and aliases in "
        "English and French from ESCO (idempotent)."
    )

    def add_arguments(self, parser):
        parser.add_argument("--onet", metavar="PATH", help="onet29.2_Technology_Skills.txt (tab-separated)")
        parser.add_argument("--stackoverflow", metavar="PATH", help="stackoverflow_TagSynonyms_2021-08.csv")
        parser.add_argument(
            "--occupation",
            action="append",
            metavar="SOC",
            help="O*NET-SOC code to import (repeatable); default 15-2051.00 and 15-2051.01 where present",
        )
        parser.add_argument(
            "--esco",
            metavar="DIR",
            help="ESCO v1.1.1 folder with en/skills_en.csv (and optionally fr/…_fr.csv): aliases for existing skills",
        )

    def handle(self, *args, onet=None, stackoverflow=None, occupation=None, esco=None, **options):
        if not onet and not stackoverflow and not esco:
            raise CommandError("give --onet PATH, --stackoverflow PATH and/or --esco DIR")
        so_rows = _read_rows(stackoverflow, SO_COLUMNS, delimiter=",") if stackoverflow else []
        onet_rows = _read_rows(onet, ONET_COLUMNS, delimiter="\t") if onet else []
        esco_data = _read_esco(esco) if esco else None

        with transaction.atomic():
            skills = [
                SkillState(s.name, s.category, list(s.aliases or []), s.ambiguous, s.source, row=s)
                for s in Skill.objects.select_for_update().order_by("name")
            ]
            index = SkillIndex(skills)
            unchanged = 0
            if onet_rows:
                unchanged += self._import_onet(onet_rows, occupation, index, skills)
            # Stack Overflow and ESCO passes repeated until nothing changes: an alias added late (by either) can
            # vouch for a tag or label seen earlier ("Php 6.0" from ESCO makes "Php6" a version of a known name)
            esco_added, first_pass = 0, True
            while True:
                added = 0
                if so_rows:
                    so_unchanged, so_added = self._import_stackoverflow(so_rows, index)
                    added += so_added
                    unchanged += so_unchanged if first_pass else 0
                if esco_data is not None:
                    esco_unchanged, esco_pass_added = self._import_esco(*esco_data, index)
                    added += esco_pass_added
                    esco_added += esco_pass_added
                    unchanged += esco_unchanged if first_pass else 0
                first_pass = False
                if not added:
                    break
            added_skills = added_aliases = 0
            for state in skills:
                if state.new:
                    Skill.objects.create(
                        name=state.name,
                        category=state.category,
                        aliases=state.aliases,
                        ambiguous=state.ambiguous,
                        source=state.source,
                    )
                    added_skills += 1
                    added_aliases += len(state.aliases)
                elif state.added_aliases:
                    state.row.aliases = state.aliases
                    state.row.source = state.source
                    state.row.save(
                        update_fields=["aliases", "source"] if state.source_changed else ["aliases"]
                    )
                    added_aliases += len(state.added_aliases)
        self.stdout.write(f"added {added_skills} skills, {added_aliases} aliases; {unchanged} unchanged")
        if esco_data is not None:
            self.stdout.write(f"esco: {esco_added} aliases ({esco_data[3]} French labels read)")

    # ---------------------------------------------------------------------------------------------- O*NET
    def _import_onet(self, rows, occupations, index: SkillIndex, skills: list[SkillState]) -> int:
        present = {row["O*NET-SOC Code"].strip() for row in rows}
        if occupations:
            wanted = set(occupations)
            missing = sorted(wanted - present)
            if missing:
                raise CommandError(f"occupation(s) {', '.join(missing)} not in the O*NET file")
        else:
            wanted = {code for code in DEFAULT_OCCUPATIONS if code in present}
            if DEFAULT_OCCUPATIONS[0] not in present:
                raise CommandError(
                    f"default occupation {DEFAULT_OCCUPATIONS[0]} (Data Scientists) not in the O*NET file"
                )
        unchanged = 0
        seen: set[str] = set()
        for row in rows:
            if row["O*NET-SOC Code"].strip() not in wanted:
                continue
            formal = " ".join(row["Example"].split())
            if not formal or normalise(formal) in seen:
                continue
            seen.add(normalise(formal))
            short = strip_vendor(formal)
            if normalise(formal) in SKIP_NAMES or normalise(short) in SKIP_NAMES:
                continue
            target = index.exact(formal) or index.exact(short) or index.contained(formal)
            if target is not None:
                if index.exact(formal) is None and index.add_alias(target, formal):
                    continue
                unchanged += 1
                continue
            if is_generic(formal):
                continue
            short = short_name(formal)
            if index.exact(short) is not None:
                unchanged += 1
                continue
            state = SkillState(
                short[:120], commodity_category(row["Commodity Title"]), [], source="onet", new=True
            )
            if normalise(formal) != normalise(short):
                state.aliases.append(formal)
            skills.append(state)
            index.register(state)
        return unchanged

    # ---------------------------------------------------------------------------------------- Stack Overflow
    def _import_stackoverflow(self, rows, index: SkillIndex) -> tuple[int, int]:
        """One pass over the synonyms: ``(unchanged, added)`` alias counts."""
        unchanged = added = 0
        for row in rows:
            target = index.exact(row["TargetTagName"])
            if target is None:
                continue
            # hyphens become spaces: the extractor treats spaces and hyphens alike, so one spelling is enough
            source = row["SourceTagName"].strip()
            for alias in (source.replace("-", " "),):
                if index.exact(alias) is target:
                    unchanged += 1
                    continue
                if index.exact(alias) is not None or not synonym_alias(alias, row["TargetTagName"], target):
                    continue
                added += index.add_alias(target, alias)
        return unchanged, added

    # ------------------------------------------------------------------------------------------------ ESCO
    def _import_esco(self, en_rows, french, transversal, _french_count, index: SkillIndex) -> tuple[int, int]:
        """Aliases from ESCO labels for the skills we already have: ``(unchanged, added)``."""
        unchanged = added = 0
        for row in en_rows:
            uri = row["conceptUri"].strip()
            target = esco_target(
                row, index, transversal=uri in transversal or row["reuseLevel"] == "transversal"
            )
            if target is None:
                continue
            english = esco_labels(row)
            english_keys = {normalise(label) for label in english}
            # French files repeat many English labels (product names): those are judged as English
            french_labels = [
                (label, "en" if normalise(label) in english_keys else "fr")
                for fr_row in french.get(uri, ())
                for label in esco_labels(fr_row)
            ]
            for alias, lang in [(label, "en") for label in english] + french_labels:
                found = index.exact(alias)
                if found is target:
                    unchanged += 1
                    continue
                if found is not None or not esco_alias(alias, lang, row["preferredLabel"], target):
                    continue
                if index.add_alias(target, alias):
                    target.mark_source(ESCO_SOURCE)
                    added += 1
        return unchanged, added


def _read_rows(path: str, columns: tuple[str, ...], *, delimiter: str) -> list[dict[str, str]]:
    file = Path(path)
    if not file.is_file():
        raise CommandError(f"file not found: {path}")
    try:
        with file.open(encoding="utf-8", newline="") as handle:
            reader = csv.DictReader(handle, delimiter=delimiter)
            header = reader.fieldnames or []
            missing = [c for c in columns if c not in header]
            if missing:
                raise CommandError(
                    f"{file.name}: missing column(s) {', '.join(missing)}; found {', '.join(header) or 'no header'}"
                )
            return [{c: (row.get(c) or "") for c in columns} for row in reader]
    except UnicodeDecodeError as exc:
        raise CommandError(f"{file.name}: not UTF-8 text ({exc})") from exc


def _read_esco(folder: str) -> tuple[list[dict[str, str]], dict[str, list[dict[str, str]]], set[str], int]:
    """``(English rows, French rows by conceptUri, transversal conceptUris, French row count)`` of an ESCO folder.

    ``en/skills_en.csv`` is required; the French collections and ``en/transversalSkillsCollection_en.csv`` are
    read when present.
    """
    root = Path(folder)
    if not root.is_dir():
        raise CommandError(f"ESCO folder not found: {folder}")
    en_rows = _read_rows(str(root / ESCO_SKILLS), ESCO_COLUMNS, delimiter=",")
    french: dict[str, list[dict[str, str]]] = {}
    count = 0
    for name in ESCO_FRENCH:
        if (root / name).is_file():
            for row in _read_rows(str(root / name), ESCO_FRENCH_COLUMNS, delimiter=","):
                french.setdefault(row["conceptUri"].strip(), []).append(row)
                count += 1
    transversal: set[str] = set()
    if (root / ESCO_TRANSVERSAL).is_file():
        transversal = {
            r["conceptUri"].strip()
            for r in _read_rows(str(root / ESCO_TRANSVERSAL), ("conceptUri",), delimiter=",")
        }
    return en_rows, french, transversal, count
