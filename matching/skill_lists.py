"""Which labels of public skill lists become skills or aliases of the vocabulary: the word lists and rules of
``manage.py import_skills`` (which reads the files and saves the result).  Pure: strings in, decisions out; no
Django.

- Stack Overflow tag synonyms: a source tag becomes an alias of the target skill unless it is too short, a common
  English word or company name, a sub-topic or generalisation of the target, or unrelated in spelling
  (``synonym_alias``).
- O*NET technology names: mapped onto a known skill after stripping vendor words (``strip_vendor``) or by a
  technology alias they contain (``SkillIndex.contained``); otherwise a new skill named ``short_name``, category
  ``commodity_category``, unless generic (``is_generic``) or in ``SKIP_NAMES``.
- ESCO labels: the skill an ESCO skill names (``esco_target``) and which of its labels become aliases
  (``esco_alias``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

TECH_CATEGORIES = {"language", "library", "platform"}
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
class SkillState:
    """A skill being edited: the row (None for a new one) and its aliases."""

    name: str
    category: str
    aliases: list[str]
    ambiguous: bool = False
    source: str = "project"
    row: object | None = None  # the stored Skill row; None for a new skill
    new: bool = False
    added_aliases: list[str] = field(default_factory=list)
    source_changed: bool = False

    def mark_source(self, source: str) -> None:
        """Record that ``source`` contributed aliases: ``project`` → ``project+esco`` (once)."""
        if source not in self.source.split("+"):
            self.source = f"{self.source}+{source}"[:50]
            self.source_changed = True


class SkillIndex:
    """Normalised name/alias → skill state, kept current as aliases and skills are added."""

    def __init__(self, skills: list[SkillState]):
        self._by_key: dict[str, SkillState] = {}
        for state in skills:
            self.register(state)

    def register(self, state: SkillState) -> None:
        for term in (state.name, *state.aliases):
            self._by_key.setdefault(normalise(term), state)

    def exact(self, term: str) -> SkillState | None:
        return self._by_key.get(normalise(term))

    def contained(self, formal: str) -> SkillState | None:
        """The technology skill whose longest name/alias appears as whole words inside ``formal``."""
        words = normalise(formal).split()
        best: tuple[int, SkillState] | None = None
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

    def add_alias(self, state: SkillState, alias: str) -> bool:
        key = normalise(alias)
        if key in self._by_key:
            return False
        state.aliases.append(alias)
        if not state.new:
            state.added_aliases.append(alias)
        self._by_key[key] = state
        return True


def esco_labels(row: dict[str, str]) -> list[str]:
    """Preferred label then alternative labels (one per line, or ``|``-separated in the French files), each without
    a trailing qualifier ("Python (computer programming)" → "Python"), de-duplicated."""
    raw = [row["preferredLabel"], *re.split(r"[\n|]", row["altLabels"] or "")]
    labels = (" ".join(_QUALIFIER.sub("", label).split()) for label in raw)
    return list(dict.fromkeys(label for label in labels if label))


def esco_target(row: dict[str, str], index: SkillIndex, *, transversal: bool) -> SkillState | None:
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
        for label in esco_labels(row):
            target = index.exact(label)
            if target is not None and target.category == "soft":
                return target
    return None


def esco_alias(alias: str, lang: str, preferred: str, target: SkillState) -> bool:
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


def strip_vendor(name: str) -> str:
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


def is_generic(formal: str) -> bool:
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


def short_name(formal: str) -> str:
    """The formal name without its vendor ("IBM DB2" → "DB2") when what is left is distinctive; otherwise the
    formal name ("Microsoft Project" stays whole: "Project" alone is an ordinary word)."""
    short = strip_vendor(formal)
    if normalise(short) == normalise(formal):
        return short
    if any(_distinctive(w) for w in short.split()) and usable_alias(short):
        return short
    return GENERIC_TRAILERS.sub("", formal).strip() or formal


def _shares_substring(a: str, b: str, size: int = 4) -> bool:
    a, b = a.replace(" ", ""), b.replace(" ", "")
    return any(a[i : i + size] in b for i in range(len(a) - size + 1))


def synonym_alias(alias: str, target_tag: str, target: SkillState) -> bool:
    """Whether a Stack Overflow source tag is a safe alias for ``target`` (reached through ``target_tag``).

    Rejected: shorter than 3 characters unless it has a digit or symbol (``cv``, ``az`` are ordinary
    abbreviations); common words and company names; generalisations (``complexity`` for
    ``computational-complexity``); specialisations (``css-border-radius`` for ``css``, versions and words such as
    ``language`` excepted); and tags that share no 4-character piece with the target or the skill's names
    (``moss`` for SharePoint), unless they carry a digit (``k8s``).
    """
    key = normalise(alias)
    if not usable_alias(alias) or key in COMPANY_WORDS or any(w in COMPANY_WORDS for w in key.split()[:1]):
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


def usable_alias(alias: str) -> bool:
    key = normalise(alias)
    if len(key) < 2 or key.isdigit() or key in COMMON_WORDS:
        return False
    return not all(part in COMMON_WORDS or part.isdigit() for part in key.split())


def commodity_category(commodity_title: str) -> str:
    title = commodity_title.lower()
    if "object or component oriented development" in title or "programming" in title:
        return "language"
    if "analytical or scientific" in title or "development environment" in title:
        return "library"
    return "platform"
