"""Grow the skill vocabulary from public lists: Stack Overflow tag synonyms, O*NET technology names and ESCO labels.

    python manage.py import_skills --stackoverflow ../shared/data/vocab/stackoverflow_TagSynonyms_2021-08.csv
    python manage.py import_skills --onet ../shared/data/vocab/onet29.2_Technology_Skills.txt [--occupation 15-2051.00]
    python manage.py import_skills --esco ../shared/data/vocab/esco_v1.1.1

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

ESCO v1.1.1 (European Commission; "This service uses the ESCO classification of the European Commission"; the
labels are filtered and attached to our skills, i.e. modified): adds *aliases only*, never skills (13,896 ESCO skills
would flood extraction with generic phrases).  ``DIR/en/skills_en.csv`` is read (``preferredLabel``, ``altLabels``
one per line) and, when present, ``DIR/fr/digitalSkillsCollection_fr.csv`` and
``DIR/fr/transversalSkillsCollection_fr.csv`` (joined on ``conceptUri``; their ``altLabels`` are separated by new
lines or ``|``).  An ESCO skill is attached to an existing skill whose name or alias equals its preferred label
(case-insensitive; a trailing qualifier such as "Python (computer programming)" is dropped for technology skills
only), or, for a transversal ESCO skill ("work in teams"), whose soft skill equals any of its English labels
("team-working" → Teamwork).  Its English alternative labels and its French labels then become aliases, qualifier
dropped, when at least 3 characters, not a stop word or ordinary word, and (English, see ``_esco_alias``) not a
single plain word for a non-technology skill, a product edition ("MySQL Enterprise Edition") or unrelated in
spelling ("Mocha" for JavaScript).  Skills that gain ESCO aliases get ``+esco`` appended to their ``source``.

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
ESCO_SKILLS = Path("en") / "skills_en.csv"
ESCO_COLUMNS = ("conceptUri", "preferredLabel", "altLabels", "reuseLevel")
ESCO_FRENCH = (
    Path("fr") / "digitalSkillsCollection_fr.csv",
    Path("fr") / "transversalSkillsCollection_fr.csv",
)
ESCO_FRENCH_COLUMNS = ("conceptUri", "preferredLabel", "altLabels")
ESCO_TRANSVERSAL = Path("en") / "transversalSkillsCollection_en.csv"
ESCO_SOURCE = "esco"

VENDOR_WORDS = (
    "The MathWorks",
    "Microsoft",
    "Apache",
    "IBM",
    "Oracle",
    "Google",
    "Amazon Web Services",
    "Amazon",
    "Atlassian",
    "StataCorp",
    "Qlik Tech",
    "SAP",
    "Adobe",
    "Hewlett Packard",
    "Red Hat",
    "Salesforce",
    "Informatica",
    "Teradata",
    "ESRI",
    "Splunk",
    "Facebook",
    "OpenAI",
    "Quest",
    "Rogue Wave Software",
    "Actuate",
    "Information Builders",
    "Blackbaud",
    "NortonLifeLock",
    "PTC",
    "Veritas",
    "Citrix",
    "SiSense",
)
GENERIC_TRAILERS = re.compile(r"\s+(?:software|systems?|software\s+suite)$", re.IGNORECASE)
SKIP_NAMES = {
    "facebook",
    "youtube",
    "skype",
    "linkedin",
    "twitter",
    "instagram",
    "eko",
    "mcafee",
    "google docs",
    "google sites",
    "google slides",
    "google ads",
    "tax software",
    "lexisnexis",
}
COMMON_WORDS = {
    "a",
    "an",
    "the",
    "and",
    "or",
    "of",
    "in",
    "on",
    "at",
    "to",
    "for",
    "by",
    "with",
    "from",
    "as",
    "is",
    "are",
    "be",
    "it",
    "its",
    "this",
    "that",
    "these",
    "those",
    "not",
    "no",
    "yes",
    "all",
    "any",
    "some",
    "one",
    "two",
    "three",
    "new",
    "old",
    "big",
    "small",
    "high",
    "low",
    "data",
    "model",
    "models",
    "code",
    "test",
    "tests",
    "file",
    "files",
    "text",
    "web",
    "net",
    "app",
    "apps",
    "api",
    "form",
    "forms",
    "table",
    "tables",
    "chart",
    "charts",
    "graph",
    "graphs",
    "map",
    "maps",
    "image",
    "images",
    "list",
    "lists",
    "tree",
    "trees",
    "key",
    "keys",
    "set",
    "sets",
    "string",
    "strings",
    "number",
    "numbers",
    "date",
    "dates",
    "time",
    "times",
    "value",
    "values",
    "type",
    "types",
    "class",
    "classes",
    "object",
    "objects",
    "function",
    "functions",
    "method",
    "methods",
    "array",
    "arrays",
    "matrix",
    "vector",
    "plot",
    "plots",
    "view",
    "views",
    "page",
    "pages",
    "site",
    "sites",
    "user",
    "users",
    "group",
    "groups",
    "role",
    "roles",
    "task",
    "tasks",
    "job",
    "jobs",
    "work",
    "report",
    "reports",
    "query",
    "queries",
    "search",
    "sort",
    "filter",
    "filters",
    "stream",
    "streams",
    "queue",
    "queues",
    "cache",
    "log",
    "logs",
    "event",
    "events",
    "message",
    "messages",
    "mail",
    "email",
    "server",
    "servers",
    "client",
    "clients",
    "service",
    "services",
    "cloud",
    "cluster",
    "clusters",
    "node",
    "nodes",
    "network",
    "networks",
    "system",
    "systems",
    "process",
    "processes",
    "thread",
    "threads",
    "memory",
    "storage",
    "database",
    "databases",
    "design",
    "build",
    "deploy",
    "run",
    "science",
    "learning",
    "deep",
    "machine",
    "vision",
    "speech",
    "language",
    "languages",
    "word",
    "words",
    "office",
    "access",
    "excel",
    "spark",
    "go",
    "swift",
    "rust",
    "ruby",
    "shell",
    "hive",
    "pig",
    "storm",
    "beam",
    "flask",
    "spring",
    "chef",
    "puppet",
    "dart",
    "julia",
    "java",
    "python",
    "r",
    "c",
    "core",
    "basic",
    "standard",
    "simple",
    "advanced",
    "linear",
    "logistic",
    "regression",
    "classification",
    "clustering",
    "random",
    "forest",
    "statistics",
    "probability",
    "analysis",
    "analytics",
    "visualization",
    "visualisation",
    "mining",
    "engineering",
    "development",
    "developer",
    "programming",
    "scripting",
    "script",
    "scripts",
    "framework",
    "library",
    "libraries",
    "package",
    "packages",
    "module",
    "modules",
    "plugin",
    "plugins",
    "tool",
    "tools",
    "editor",
    "terminal",
    "console",
    "command",
    "commands",
    "option",
    "options",
    "config",
    "configuration",
    "settings",
    "security",
    "performance",
    "testing",
    "debugging",
    "layout",
    "style",
    "styles",
    "theme",
    "themes",
    "font",
    "fonts",
    "color",
    "colors",
    "colour",
    "colours",
    "button",
    "buttons",
    "menu",
    "menus",
    "window",
    "windows",
    "state",
    "status",
    "session",
    "sessions",
    "cookie",
    "cookies",
    "token",
    "tokens",
    "auth",
    "login",
    "logout",
    "admin",
    "root",
    "path",
    "paths",
    "url",
    "urls",
    "link",
    "links",
    "index",
    "indexes",
    "indices",
    "video",
    "audio",
    "sound",
    "music",
    "game",
    "games",
    "mobile",
    "phone",
    "phones",
    "desktop",
    "laptop",
    "tablet",
    "pattern",
    "patterns",
    "elastic",
    "natural",
    "optimize",
    "optimise",
    "optimizing",
    "optimising",
    "optimizer",
    "optimiser",
    "optimizations",
    "optimisations",
    "complexity",
    "projects",
    "project",
    "notes",
    "exchange",
    "outlook",
    "publisher",
    "dynamics",
    "epic",
    "domino",
    "prism",
    "power",
    "reporting",
    "statistical",
    "mathematical",
    "orange",
    "ray",
    "stan",
    "feast",
    "prefect",
    "luigi",
    "shiny",
    "react",
    "angular",
    "bootstrap",
    "assembly",
}
# ESCO labels made only of these (and ``COMMON_WORDS``) are never kept: English and French function words and the
# verbs of ESCO's phrasing ("use of data").
ESCO_STOP_WORDS = {
    "about",
    "after",
    "all",
    "also",
    "among",
    "apply",
    "ask",
    "at",
    "be",
    "because",
    "been",
    "before",
    "being",
    "both",
    "but",
    "can",
    "could",
    "did",
    "do",
    "does",
    "doing",
    "done",
    "during",
    "each",
    "either",
    "else",
    "ever",
    "every",
    "few",
    "for",
    "from",
    "get",
    "give",
    "had",
    "has",
    "have",
    "having",
    "he",
    "her",
    "here",
    "him",
    "his",
    "how",
    "however",
    "i",
    "if",
    "into",
    "it",
    "its",
    "just",
    "like",
    "make",
    "many",
    "may",
    "me",
    "might",
    "more",
    "most",
    "much",
    "must",
    "my",
    "never",
    "no",
    "nor",
    "not",
    "now",
    "of",
    "off",
    "often",
    "on",
    "once",
    "only",
    "other",
    "our",
    "out",
    "over",
    "own",
    "per",
    "perform",
    "same",
    "she",
    "should",
    "show",
    "since",
    "so",
    "such",
    "than",
    "that",
    "their",
    "them",
    "then",
    "there",
    "these",
    "they",
    "this",
    "those",
    "through",
    "thus",
    "to",
    "too",
    "under",
    "until",
    "up",
    "upon",
    "use",
    "used",
    "uses",
    "using",
    "very",
    "via",
    "was",
    "we",
    "were",
    "what",
    "when",
    "where",
    "which",
    "while",
    "who",
    "whom",
    "why",
    "will",
    "with",
    "within",
    "without",
    "would",
    "yes",
    "yet",
    "you",
    "your",
    "au",
    "aux",
    "avec",
    "ce",
    "ces",
    "cette",
    "dans",
    "de",
    "des",
    "du",
    "elle",
    "elles",
    "en",
    "est",
    "et",
    "être",
    "eux",
    "il",
    "ils",
    "je",
    "la",
    "le",
    "les",
    "leur",
    "leurs",
    "lui",
    "ma",
    "mais",
    "même",
    "mes",
    "moi",
    "mon",
    "ne",
    "nos",
    "notre",
    "nous",
    "ou",
    "où",
    "par",
    "pas",
    "pour",
    "qu",
    "que",
    "qui",
    "sa",
    "se",
    "ses",
    "son",
    "sur",
    "ta",
    "te",
    "tes",
    "toi",
    "ton",
    "tu",
    "un",
    "une",
    "vos",
    "votre",
    "vous",
    "ainsi",
    "assurer",
    "avoir",
    "faire",
    "mettre",
    "utiliser",
}
# Ordinary French words never kept as a one-word alias ("données" for data analysis would match any French CV).
FRENCH_ORDINARY_WORDS = {
    "données",
    "donnée",
    "analyse",
    "gestion",
    "travail",
    "travailler",
    "équipe",
    "système",
    "systèmes",
    "logiciel",
    "logiciels",
    "outil",
    "outils",
    "réseau",
    "réseaux",
    "programmation",
    "informatique",
    "méthode",
    "méthodes",
    "technique",
    "techniques",
    "conception",
    "développement",
    "communication",
    "projet",
    "projets",
    "langage",
    "langages",
    "statistique",
    "statistiques",
    "apprentissage",
    "modèle",
    "modèles",
    "recherche",
    "qualité",
    "sécurité",
}
_QUALIFIER = re.compile(r"\s*\([^()]*\)\s*$")
_WORDS = re.compile(r"[\w#+]+")
_ALIAS_EXTRA_OK = {"ms", "office", "server", "database", "db"}  # extra words a product alias may carry
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
    source_changed: bool = False

    def mark_source(self, source: str) -> None:
        """Record that ``source`` contributed aliases: ``project`` → ``project+esco`` (once)."""
        if source not in self.source.split("+"):
            self.source = f"{self.source}+{source}"[:50]
            self.source_changed = True


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
                _SkillState(s.name, s.category, list(s.aliases or []), s.ambiguous, s.source, row=s)
                for s in Skill.objects.select_for_update().order_by("name")
            ]
            index = _Index(skills)
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

    # ------------------------------------------------------------------------------------------------ ESCO
    def _import_esco(self, en_rows, french, transversal, _french_count, index: _Index) -> tuple[int, int]:
        """Aliases from ESCO labels for the skills we already have: ``(unchanged, added)``."""
        unchanged = added = 0
        for row in en_rows:
            uri = row["conceptUri"].strip()
            target = _esco_target(
                row, index, transversal=uri in transversal or row["reuseLevel"] == "transversal"
            )
            if target is None:
                continue
            english = _esco_labels(row)
            english_keys = {normalise(label) for label in english}
            # French files repeat many English labels (product names): those are judged as English
            french_labels = [
                (label, "en" if normalise(label) in english_keys else "fr")
                for fr_row in french.get(uri, ())
                for label in _esco_labels(fr_row)
            ]
            for alias, lang in [(label, "en") for label in english] + french_labels:
                found = index.exact(alias)
                if found is target:
                    unchanged += 1
                    continue
                if found is not None or not _esco_alias(alias, lang, row["preferredLabel"], target):
                    continue
                if index.add_alias(target, alias):
                    target.mark_source(ESCO_SOURCE)
                    added += 1
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
                key = " ".join(words[i : i + size])
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


def _esco_labels(row: dict[str, str]) -> list[str]:
    """Preferred label then alternative labels (one per line, or ``|``-separated in the French files), each without
    a trailing qualifier ("Python (computer programming)" → "Python"), de-duplicated."""
    raw = [row["preferredLabel"], *re.split(r"[\n|]", row["altLabels"] or "")]
    labels = (" ".join(_QUALIFIER.sub("", label).split()) for label in raw)
    return list(dict.fromkeys(label for label in labels if label))


def _esco_target(row: dict[str, str], index: _Index, *, transversal: bool) -> _SkillState | None:
    """The existing skill an ESCO skill names, or ``None``.

    Its preferred label must be one of our names/aliases; without its qualifier only for a technology skill
    ("ML (computer programming)" is a programming language, not machine learning).  A transversal ESCO skill is
    phrased as an action ("work in teams"), so any of its English labels may name one of our soft skills.
    """
    preferred = " ".join(row["preferredLabel"].split())
    target = index.exact(preferred)
    if target is not None:
        return target
    bare = _QUALIFIER.sub("", preferred)
    if bare != preferred:
        target = index.exact(bare)
        if target is not None and target.category in TECH_CATEGORIES:
            return target
    if transversal:
        for label in _esco_labels(row):
            target = index.exact(label)
            if target is not None and target.category == "soft":
                return target
    return None


def _esco_alias(alias: str, lang: str, preferred: str, target: _SkillState) -> bool:
    """Whether an ESCO label is a safe alias of ``target``.

    Every label: at least 3 characters; not made only of stop words and ESCO's function verbs, nor of ordinary
    English words joined by them ("use of data"); not a single ordinary English or French word ("données").
    English labels also: not a single plain word for a method, maths or soft skill ("interaction" for
    Communication); for technology skills not a company name, not the skill plus other words unless those are
    versions, vendors or "language" ("SQL Server 2012", "IBM DB2" yes; "Perl golf", "MySQL Enterprise Edition"
    no), and otherwise related in spelling or its acronym ("Cascading Style Sheets" for CSS; not "Mocha" for
    JavaScript).
    """
    key = normalise(alias)
    words = _WORDS.findall(key)
    if len(key.replace(" ", "")) < 3 or key.isdigit():
        return False
    if all(w in ESCO_STOP_WORDS or w.isdigit() for w in words):
        return False
    # ordinary words joined by function words are a phrase, not a term ("use of data"; "machine learning" is a term)
    if any(w in ESCO_STOP_WORDS for w in words) and all(
        w in ESCO_STOP_WORDS or w in COMMON_WORDS for w in words
    ):
        return False
    if len(words) == 1 and key in COMMON_WORDS:
        return False
    if len(words) == 1 and key in FRENCH_ORDINARY_WORDS:
        return False
    if lang != "en":
        return True
    if len(words) == 1 and target.category not in TECH_CATEGORIES:
        return False
    if target.category not in TECH_CATEGORIES:
        return True
    if key in COMPANY_WORDS:
        return False
    known = [normalise(t) for t in (_QUALIFIER.sub("", preferred), target.name, *target.aliases)]
    for name in known:
        name_words = _WORDS.findall(name)
        if name_words and set(name_words) <= set(words) and len(words) > len(name_words):
            extra = set(words) - set(name_words)
            return all(
                _VERSIONISH.fullmatch(w) or w in _NEUTRAL_EXTRA or w in COMPANY_WORDS or w in _ALIAS_EXTRA_OK
                for w in extra
            )
    initials = "".join(w[0] for w in words)
    content_initials = "".join(w[0] for w in words if w not in ESCO_STOP_WORDS)
    squeezed = {k.replace(" ", "") for k in known}
    return bool({initials, content_initials} & squeezed) or any(_shares_substring(key, k) for k in known)


def _strip_vendor(name: str) -> str:
    short = name
    for vendor in sorted(VENDOR_WORDS, key=len, reverse=True):
        if short.lower().startswith(vendor.lower() + " "):
            short = short[len(vendor) + 1 :].strip()
            break
    stripped = GENERIC_TRAILERS.sub("", short).strip()
    return stripped or short


_VERSIONISH = re.compile(r"v?\d+(?:x|\.\d+)*|x|\d+x")
_NEUTRAL_EXTRA = {
    "lang",
    "language",
    "programming",
    "js",
    "framework",
    "library",
    "sdk",
    "api",
    "core",
    "dotnet",
}
COMPANY_WORDS = {
    "ibm",
    "microsoft",
    "google",
    "amazon",
    "apache",
    "oracle",
    "adobe",
    "facebook",
    "apple",
    "meta",
    "hashicorp",
    "atlassian",
    "nvidia",
    "intel",
    "cloudera",
    "hortonworks",
}


def _is_generic(formal: str) -> bool:
    """True for names such as "Reporting software" or "Mathematical software": no proper noun in them."""
    words = formal.split()
    if len(words) == 1:
        return words[0].lower() in COMMON_WORDS
    return not any(_distinctive(w) for w in words) and all(w.islower() for w in words[1:])


def _distinctive(word: str) -> bool:
    """An acronym (SQL), CamelCase (SharePoint) or versioned (DB2) word: not an ordinary English word."""
    letters = [c for c in word if c.isalpha()]
    return (
        (len(letters) > 1 and word.isupper())
        or any(c.isdigit() for c in word)
        or any(c.isupper() for c in word[1:])
    )


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
    return any(a[i : i + size] in b for i in range(len(a) - size + 1))


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
    if (
        target_words <= words
        and extra
        and not all(_VERSIONISH.fullmatch(w) or w in _NEUTRAL_EXTRA for w in extra)
    ):
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
