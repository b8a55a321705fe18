"""Grow the skill vocabulary from public lists: Stack Overflow tag synonyms and O*NET technology names.

    python manage.py import_skills --stackoverflow ../shared/data/vocab/stackoverflow_TagSynonyms_2021-08.csv
    python manage.py import_skills --onet ../shared/data/vocab/onet29.2_Technology_Skills.txt [--occupation 15-2051.00]

Stack Overflow (CC BY-SA 4.0): for every ``SourceTagName → TargetTagName`` whose target is a known skill name or
alias (lower-case; hyphens, dots, underscores and spaces are equivalent), the source tag, with hyphens turned to
spaces, becomes an alias of that skill, unless it is too short (under 3 characters without a digit or symbol), a
common English word or company name, a sub-topic or generalisation of the target, or unrelated in spelling
(see ``_synonym_alias``).

O*NET 29.2 (CC BY 4.0, "O*NET 29.2 Database, USDOL/ETA"): for the given occupations (default Data Scientists
15-2051.00 and, where present, 15-2051.01) every technology name is mapped onto an existing skill when it *is* a
known name/alias after stripping vendor words ("The MathWorks MATLAB" → MATLAB) or contains one of the
technology aliases ("Structured query language SQL" → SQL); the formal name is then added as an alias.  Otherwise a
new skill (``source="onet"``) is created, named by the stripped name, its category guessed from the Commodity
Title.  Generic names ("Reporting software") and consumer services (Facebook, YouTube …) are skipped.

Idempotent (a second run adds nothing) and atomic: a missing file or wrong columns raise ``CommandError`` before
anything is saved.
"""

from __future__ import annotations

import csv
import re
from dataclasses import dataclass, field
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from matching.models import Skill

SO_COLUMNS = ("SourceTagName", "TargetTagName")
ONET_COLUMNS = ("O*NET-SOC Code", "Example", "Commodity Title")
DEFAULT_OCCUPATIONS = ("15-2051.00", "15-2051.01")
TECH_CATEGORIES = {"language", "library", "platform"}

VENDOR_WORDS = (
    "The MathWorks", "Microsoft", "Apache", "IBM", "Oracle", "Google", "Amazon Web Services", "Amazon", "Atlassian",
    "StataCorp", "Qlik Tech", "SAP", "Adobe", "Hewlett Packard", "Red Hat", "Salesforce", "Informatica", "Teradata",
    "ESRI", "Splunk", "Facebook", "OpenAI", "Quest", "Rogue Wave Software", "Actuate", "Information Builders",
    "Blackbaud", "NortonLifeLock", "PTC", "Veritas", "Citrix", "SiSense",
)
GENERIC_TRAILERS = re.compile(r"\s+(?:software|systems?|software\s+suite)$", re.I)
SKIP_NAMES = {
    "facebook", "youtube", "skype", "linkedin", "twitter", "instagram", "eko", "mcafee", "google docs",
    "google sites", "google slides", "google ads", "tax software", "lexisnexis",
}
COMMON_WORDS = set(
    """
    a an the and or of in on at to for by with from as is are be it its this that these those not no yes all any
    some one two three new old big small high low data model models code test tests file files text web net app
    apps api form forms table tables chart charts graph graphs map maps image images list lists tree trees key keys
    set sets string strings number numbers date dates time times value values type types class classes object
    objects function functions method methods array arrays matrix vector plot plots view views page pages site
    sites user users group groups role roles task tasks job jobs work report reports query queries search sort
    filter filters stream streams queue queues cache log logs event events message messages mail email server
    servers client clients service services cloud cluster clusters node nodes network networks system systems
    process processes thread threads memory storage database databases design build deploy run science learning
    deep machine vision speech language languages word words office access excel spark go swift rust ruby shell
    hive pig storm beam flask spring chef puppet dart julia java python r c core basic standard simple advanced
    linear logistic regression classification clustering random forest statistics probability analysis analytics
    visualization visualisation mining engineering development developer programming scripting script scripts
    framework library libraries package packages module modules plugin plugins tool tools editor terminal console
    command commands option options config configuration settings security performance testing debugging layout
    style styles theme themes font fonts color colors colour colours button buttons menu menus window windows
    state status session sessions cookie cookies token tokens auth login logout admin root path paths url urls link
    links index indexes indices video audio sound music game games mobile phone phones desktop laptop tablet
    pattern patterns elastic natural optimize optimise optimizing optimising optimizer optimiser optimizations
    optimisations complexity projects project notes exchange outlook publisher dynamics epic domino prism power
    reporting statistical mathematical orange ray stan feast prefect luigi shiny react angular bootstrap assembly
    """.split()
)
_NORMALISE = re.compile(r"[-_.\s]+")


def normalise(term: str) -> str:
    """Comparison key for tags, names and aliases: lower-case, hyphens/dots/underscores/spaces equivalent."""
    return _NORMALISE.sub(" ", term.lower()).strip()


@dataclass
class _SkillState:
    """A skill being edited: the row (None for a new one) and its aliases."""

    name: str
    category: str
    aliases: list[str]
    ambiguous: bool = False
    source: str = "project"
    row: Skill | None = None
    new: bool = False
    added_aliases: list[str] = field(default_factory=list)


class Command(BaseCommand):
    help = "Add skills and aliases from O*NET technology names and/or Stack Overflow tag synonyms (idempotent)."

    def add_arguments(self, parser):
        parser.add_argument("--onet", metavar="PATH", help="onet29.2_Technology_Skills.txt (tab-separated)")
        parser.add_argument("--stackoverflow", metavar="PATH", help="stackoverflow_TagSynonyms_2021-08.csv")
        parser.add_argument(
            "--occupation", action="append", metavar="SOC",
            help="O*NET-SOC code to import (repeatable); default 15-2051.00 and 15-2051.01 where present",
        )

    def handle(self, *args, onet=None, stackoverflow=None, occupation=None, **options):
        if not onet and not stackoverflow:
            raise CommandError("give --onet PATH and/or --stackoverflow PATH")
        so_rows = _read_rows(stackoverflow, SO_COLUMNS, delimiter=",") if stackoverflow else []
        onet_rows = _read_rows(onet, ONET_COLUMNS, delimiter="\t") if onet else []

        with transaction.atomic():
            skills = [
                _SkillState(s.name, s.category, list(s.aliases or []), s.ambiguous, s.source, row=s)
                for s in Skill.objects.select_for_update().order_by("name")
            ]
            index = _Index(skills)
            unchanged = 0
            if onet_rows:
                unchanged += self._import_onet(onet_rows, occupation, index, skills)
            if so_rows:
                # repeated until nothing changes: an alias added late can vouch for a tag seen earlier
                first_pass_unchanged, added = self._import_stackoverflow(so_rows, index)
                unchanged += first_pass_unchanged
                while added:
                    _, added = self._import_stackoverflow(so_rows, index)
            added_skills = added_aliases = 0
            for state in skills:
                if state.new:
                    Skill.objects.create(name=state.name, category=state.category, aliases=state.aliases,
                                         ambiguous=state.ambiguous, source=state.source)
                    added_skills += 1
                    added_aliases += len(state.aliases)
                elif state.added_aliases:
                    state.row.aliases = state.aliases
                    state.row.save(update_fields=["aliases"])
                    added_aliases += len(state.added_aliases)
        self.stdout.write(f"added {added_skills} skills, {added_aliases} aliases; {unchanged} unchanged")

    # ---------------------------------------------------------------------------------------------- O*NET
    def _import_onet(self, rows, occupations, index: _Index, skills: list[_SkillState]) -> int:
        present = {row["O*NET-SOC Code"].strip() for row in rows}
        if occupations:
            wanted = set(occupations)
            missing = sorted(wanted - present)
            if missing:
                raise CommandError(f"occupation(s) {', '.join(missing)} not in the O*NET file")
        else:
            wanted = {code for code in DEFAULT_OCCUPATIONS if code in present}
            if DEFAULT_OCCUPATIONS[0] not in present:
                raise CommandError(f"default occupation {DEFAULT_OCCUPATIONS[0]} (Data Scientists) not in the O*NET file")
        unchanged = 0
        seen: set[str] = set()
        for row in rows:
            if row["O*NET-SOC Code"].strip() not in wanted:
                continue
            formal = " ".join(row["Example"].split())
            if not formal or normalise(formal) in seen:
                continue
            seen.add(normalise(formal))
            short = _strip_vendor(formal)
            if normalise(formal) in SKIP_NAMES or normalise(short) in SKIP_NAMES:
                continue
            target = index.exact(formal) or index.exact(short) or index.contained(formal)
            if target is not None:
                if index.exact(formal) is None and index.add_alias(target, formal):
                    continue
                unchanged += 1
                continue
            if _is_generic(formal):
                continue
            short = _short_name(formal)
            if index.exact(short) is not None:
                unchanged += 1
                continue
            state = _SkillState(short[:120], _category(row["Commodity Title"]), [], source="onet", new=True)
            if normalise(formal) != normalise(short):
                state.aliases.append(formal)
            skills.append(state)
            index.register(state)
        return unchanged

    # ---------------------------------------------------------------------------------------- Stack Overflow
    def _import_stackoverflow(self, rows, index: _Index) -> tuple[int, int]:
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
                if index.exact(alias) is not None or not _synonym_alias(alias, row["TargetTagName"], target):
                    continue
                added += index.add_alias(target, alias)
        return unchanged, added


class _Index:
    """Normalised name/alias → skill state, kept current as aliases and skills are added."""

    def __init__(self, skills: list[_SkillState]):
        self._by_key: dict[str, _SkillState] = {}
        for state in skills:
            self.register(state)

    def register(self, state: _SkillState) -> None:
        for term in (state.name, *state.aliases):
            self._by_key.setdefault(normalise(term), state)

    def exact(self, term: str) -> _SkillState | None:
        return self._by_key.get(normalise(term))

    def contained(self, formal: str) -> _SkillState | None:
        """The technology skill whose longest name/alias appears as whole words inside ``formal``."""
        words = normalise(formal).split()
        best: tuple[int, _SkillState] | None = None
        for size in range(len(words), 0, -1):
            for i in range(len(words) - size + 1):
                key = " ".join(words[i:i + size])
                state = self._by_key.get(key)
                if state is None or state.category not in TECH_CATEGORIES:
                    continue
                if len(key) < 2 or (state.ambiguous and key == normalise(state.name) and len(words) > 1):
                    continue  # "Go" inside a longer formal name is no evidence
                if best is None or len(key) > best[0]:
                    best = (len(key), state)
            if best is not None:
                return best[1]
        return None

    def add_alias(self, state: _SkillState, alias: str) -> bool:
        key = normalise(alias)
        if key in self._by_key:
            return False
        state.aliases.append(alias)
        if not state.new:
            state.added_aliases.append(alias)
        self._by_key[key] = state
        return True


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


def _strip_vendor(name: str) -> str:
    short = name
    for vendor in sorted(VENDOR_WORDS, key=len, reverse=True):
        if short.lower().startswith(vendor.lower() + " "):
            short = short[len(vendor) + 1:].strip()
            break
    stripped = GENERIC_TRAILERS.sub("", short).strip()
    return stripped or short


_VERSIONISH = re.compile(r"v?\d+(?:x|\.\d+)*|x|\d+x")
_NEUTRAL_EXTRA = {"lang", "language", "programming", "js", "framework", "library", "sdk", "api", "core", "dotnet"}
COMPANY_WORDS = {"ibm", "microsoft", "google", "amazon", "apache", "oracle", "adobe", "facebook", "apple", "meta",
                 "hashicorp", "atlassian", "nvidia", "intel", "cloudera", "hortonworks"}


def _is_generic(formal: str) -> bool:
    """True for names such as "Reporting software" or "Mathematical software": no proper noun in them."""
    words = formal.split()
    if len(words) == 1:
        return words[0].lower() in COMMON_WORDS
    return not any(_distinctive(w) for w in words) and all(w.islower() for w in words[1:])


def _distinctive(word: str) -> bool:
    """An acronym (SQL), CamelCase (SharePoint) or versioned (DB2) word: not an ordinary English word."""
    letters = [c for c in word if c.isalpha()]
    return (len(letters) > 1 and word.isupper()) or any(c.isdigit() for c in word) or any(
        c.isupper() for c in word[1:])


def _short_name(formal: str) -> str:
    """The formal name without its vendor ("IBM DB2" → "DB2") when what is left is distinctive; otherwise the
    formal name ("Microsoft Project" stays whole: "Project" alone is an ordinary word)."""
    short = _strip_vendor(formal)
    if normalise(short) == normalise(formal):
        return short
    if any(_distinctive(w) for w in short.split()) and _usable_alias(short):
        return short
    return GENERIC_TRAILERS.sub("", formal).strip() or formal


def _shares_substring(a: str, b: str, size: int = 4) -> bool:
    a, b = a.replace(" ", ""), b.replace(" ", "")
    return any(a[i:i + size] in b for i in range(len(a) - size + 1))


def _synonym_alias(alias: str, target_tag: str, target: _SkillState) -> bool:
    """Whether a Stack Overflow source tag is a safe alias for ``target`` (reached through ``target_tag``).

    Rejected: shorter than 3 characters unless it has a digit or symbol (``cv``, ``az`` are ordinary
    abbreviations); common words and company names; generalisations (``complexity`` for
    ``computational-complexity``); specialisations (``css-border-radius`` for ``css``, versions and words such as
    ``language`` excepted); and tags that share no 4-character piece with the target or the skill's names
    (``moss`` for SharePoint), unless they carry a digit (``k8s``).
    """
    key = normalise(alias)
    if not _usable_alias(alias) or key in COMPANY_WORDS or any(w in COMPANY_WORDS for w in key.split()[:1]):
        return False
    has_mark = any(c.isdigit() or c in "#+" for c in alias)
    if len(key.replace(" ", "")) < 3 and not has_mark:
        return False
    words, target_words = set(key.split()), set(normalise(target_tag).split())
    if words < target_words:
        return False
    extra = words - target_words
    if target_words <= words and extra and not all(_VERSIONISH.fullmatch(w) or w in _NEUTRAL_EXTRA for w in extra):
        return False
    if has_mark and len(key) >= 3:
        return True
    if " " not in key and target.category not in TECH_CATEGORIES:
        return False  # single plain words for methods/maths/soft skills are usually ordinary English
    known = [normalise(t) for t in (target_tag, target.name, *target.aliases)]
    return any(_shares_substring(key, k) for k in known)


def _usable_alias(alias: str) -> bool:
    key = normalise(alias)
    if len(key) < 2 or key.isdigit() or key in COMMON_WORDS:
        return False
    return not all(part in COMMON_WORDS or part.isdigit() for part in key.split())


def _category(commodity_title: str) -> str:
    title = commodity_title.lower()
    if "object or component oriented development" in title or "programming" in title:
        return "language"
    if "analytical or scientific" in title or "development environment" in title:
        return "library"
    return "platform"
