"""Pure text extraction for the matching engine: skills, degrees, salaries, working patterns, experience.

No Django imports: plain strings in, small frozen dataclasses out, so it is tested with literal strings and no
database (see ``tests/matching/test_extraction.py``).  ``matching.services`` turns the results into rows.

Skill matching
==============
:class:`SkillExtractor` compiles every name and alias of the vocabulary into ONE regular expression shaped as a
character trie (shared prefixes are factored out), so a scan costs roughly one pass over the text.  Matching is:

* case-insensitive and whole-word: a term may not be glued to a letter, digit, ``_``, ``+`` or ``#`` on either
  side, so ``C`` is never read inside ``C++``/``C#`` and ``Java`` is not read inside ``JavaScript``;
* flexible inside multi-word terms: a space or hyphen in a term matches any run of spaces, tabs, hyphens or
  underscores, or nothing (``machine learning`` = ``machine-learning`` = ``machine  learning`` =
  ``MachineLearning``);
* longest match first (``Spark MLlib`` beats ``Spark``, ``hidden Markov models`` is one mention);
* plural-tolerant for methods, mathematics and soft skills (``neural networks``, ``SVMs``, ``CNNs``).

Ambiguity rule
--------------
An entry flagged ``ambiguous`` (R, C, Go, Spark, Excel, Java, Julia, Hive …) is ambiguous only when the text
uses its bare canonical name; its aliases are qualified forms (``RStudio``, ``golang``, ``MS Excel``,
``Apache Spark``, ``Core Java``) and always count.  A bare ambiguous mention counts when, in this order:

1. *hard vetoes* do not apply: a one-letter name (R, C) must be upper-case, must not touch ``-``, ``'``, ``&``
   or ``.`` plus a letter (``C-level``, ``R&D``, ``R.Smith``), must not be a ``(R)``/``(C)`` mark or an
   enumeration label (``C) …``), and must not follow a grading word (``Grade C``, ``Class C``, ``Vitamin C``);
2. it is *list-adjacent* to a mention that counts: only list punctuation (``, / | ; & ( ) :`` bullets) and at
   most one ``and``/``or``/``&`` separate the two on the same line (``Python, R and SQL``; ``C/C++``); this is
   applied repeatedly, so ``Python, R, Go`` accepts both R and Go;
3. otherwise it is rejected when followed by a word that marks the ordinary-English verb use (``excel at``,
   ``Go to``, ``Spark your``, ``react to`` …), or, for one-letter names, by ``. `` and a capital (an initial);
4. otherwise it counts when a *technical cue* is next to it: a qualifier right before (``MS``, ``Microsoft``,
   ``Apache``, ``Core``, ``using``, ``programming in``, ``experience with`` …), a cue word right after
   (``programming``, ``language``, ``developer``, ``studio``, ``scripts``, a version number, ``- Experience``),
   a cue word among the three words before (``skills``, ``languages``, ``tools``, ``knowledge`` …), a line
   label such as ``Technical skills:`` / ``Languages:``, or the mention standing alone on its line (a list item).
"""

from __future__ import annotations

import bisect
import functools
import hashlib
import json
import re
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

__all__ = [
    "CATEGORIES",
    "EXTRACTION_VERSION",
    "MAX_UNCUED_REQUIRED",
    "MIN_REQUIRED",
    "QualificationMention",
    "RequirementDecision",
    "SalaryMention",
    "SkillEntry",
    "SkillExtractor",
    "SkillMention",
    "decide_requirements",
    "extract_employment_type",
    "extract_qualifications",
    "extract_remote",
    "extract_requirements",
    "extract_role_titles",
    "extract_salaries",
    "extract_seniority",
    "extract_years_experience",
    "repair_needs_ftfy",
    "repair_text",
    "role_field_text",
    "role_skills",
    "vocabulary_version",
]

CATEGORIES = ("language", "library", "platform", "method", "mathematics", "soft")
# Version of the extraction rules (skills with evidence, requirements, experience, language): a stored profile of
# another version is re-extracted by the stale sweep (``matching.staleness.stale_sweep``).
# 7: a street word before a tab cues an address too ("Via\tRoma 12": the cues of 3 wanted a space);
# 6: a headline's own list does not back its job title; 5: a job title's skills need the rest of the CV to back
# them; 4: the skills a vacancy title names are required; 3: street addresses removed.
EXTRACTION_VERSION = "7"
_PLURAL_CATEGORIES = {"method", "mathematics", "soft"}
_MAX_LINE = 300


# --------------------------------------------------------------------------------------------------- data types
@dataclass(frozen=True)
class SkillEntry:
    """One vocabulary entry.

    ``name`` is the canonical name (``"scikit-learn"``); ``category`` one of :data:`CATEGORIES`; ``aliases``
    other spellings matched like the name; ``ambiguous`` marks names that are also ordinary words, counted only
    in a technical context (see the module docstring); ``broader`` names the broader skills this one is a kind
    or a tool of (Keras → Deep learning; Deep learning → Machine learning), used by the scoring engine's
    skill-profile similarity.
    """

    name: str
    category: str
    aliases: tuple[str, ...] = ()
    ambiguous: bool = False
    broader: tuple[str, ...] = ()


@dataclass(frozen=True)
class SkillMention:
    """One counted mention: canonical ``skill`` name, ``start``/``end`` character offsets into the searched text
    (``text[start:end]`` is the surface form) and the stripped ``line`` around it (at most 300 characters)."""

    skill: str
    start: int
    end: int
    line: str


@dataclass(frozen=True)
class QualificationMention:
    """A degree named in a text: ``level`` 1 certificate/diploma/bootcamp, 2 bachelor, 3 master, 4 doctorate;
    ``field`` lower-case subject (``"computer science"``) or ``""``; ``line`` the stripped line (≤ 300 chars)."""

    level: int
    field: str
    line: str


@dataclass(frozen=True)
class SalaryMention:
    """A pay figure or range: ``minimum`` and optional ``maximum`` in ``currency`` units (ISO 4217 code) per
    ``period`` (``"year"``, ``"month"``, ``"day"`` or ``"hour"``).  ``maximum`` is None for a single figure."""

    minimum: Decimal
    maximum: Decimal | None
    currency: str
    period: str


# ------------------------------------------------------------------------------------------------ skill matching
_SEP_CHARS = " \t\u00a0-_\u2010\u2011\u2012\u2013"
_SEP_RE = "[ \\t\\u00a0\\-_\\u2010-\\u2013]*"
_SEP = object()  # trie atom standing for a flexible separator
_KEY_STRIP = re.compile(f"[{re.escape(_SEP_CHARS)}]+")
_LEFT = r"(?<![\w+#])"
_RIGHT = r"(?![\w+#])"


def _key(surface: str) -> str:
    """Normalised lookup key of a term or a matched text: lower-case, separators removed."""
    return _KEY_STRIP.sub("", surface.lower())


# Word forms of one family, for methods, mathematics and soft skills (a term is also matched with one of its words in
# another form): "dimensionality reduction" ↔ "dimension reduction", "data modelling" ↔ "data modeling" / "data
# models", "optimisation" ↔ "optimization".  Each rule maps a word ending to the other endings of its family.
_WORD_FAMILIES = (
    (("ality",), ("", "al")),  # dimensionality → dimension, dimensional
    (("lling",), ("l", "ls", "ling")),  # modelling → model, models, modeling
    (("eling",), ("el", "els", "elling")),  # modeling → model, models, modelling
    (("isation",), ("ization",)),
    (("ization",), ("isation",)),
    (("ise",), ("ize",)),
    (("ize",), ("ise",)),
    (("yse",), ("yze",)),
    (("yze",), ("yse",)),
)


def _morphological_variants(term: str) -> list[str]:
    """Forms of ``term`` with one of its words (of 5 letters or more) in another form of its family
    (``_WORD_FAMILIES``)."""
    words = term.split(" ")
    out = []
    for i, word in enumerate(words):
        lower = word.lower()
        if len(lower) < 5:
            continue
        for endings, others in _WORD_FAMILIES:
            for ending in endings:
                if lower.endswith(ending) and len(lower) - len(ending) >= 3:
                    stem = lower[: len(lower) - len(ending)]
                    out.extend(" ".join([*words[:i], stem + other, *words[i + 1 :]]) for other in others)
    return out


def _atoms(term: str) -> list[object]:
    atoms: list[object] = []
    for ch in term.strip().lower():
        if ch in _SEP_CHARS:
            if atoms and atoms[-1] is not _SEP:
                atoms.append(_SEP)
        else:
            atoms.append(ch)
    while atoms and atoms[-1] is _SEP:
        atoms.pop()
    return atoms


class _Node:
    __slots__ = ("children", "terminal")

    def __init__(self) -> None:
        self.children: dict[object, _Node] = {}
        self.terminal = False


def _emit(node: _Node) -> str:
    """Regex for a trie node: children first (longest match wins), then the end-of-term boundary."""
    alternatives = []
    for atom in sorted(node.children, key=lambda a: "" if a is _SEP else str(a)):
        prefix = _SEP_RE if atom is _SEP else re.escape(str(atom))
        alternatives.append(prefix + _emit(node.children[atom]))
    if node.terminal:
        alternatives.append(_RIGHT)
    if len(alternatives) == 1:
        return alternatives[0]
    return "(?:" + "|".join(alternatives) + ")"


_LIST_GAP = re.compile(
    r"^[\s,/|;&+()\[\]{}:*\-–—•·●▪◦➢✓>]*(?:(?:and|or|&|plus|as well as|etc\.?)[\s,/|;&+()\[\]:*\-–—•·]*)?$",
    re.IGNORECASE,
)
_VERB_NEXT = re.compile(
    r"^[ \t]+(?:at|in|to|on|into|your|our|their|my|his|her|its|the|a|an|up|out|ahead|back|beyond|through|"
    r"forward|away|off|over|of|is|was|were|are|will)\b",
    re.IGNORECASE,
)
_STRONG_BEFORE = re.compile(
    r"(?:\b(?:ms|microsoft|apache|using|via|programming\s+(?:in|with)|coded\s+in|code\s+in|"
    r"written\s+in|developed\s+in|development\s+in|scripting\s+in|experience\s+(?:in|with|of|using)|"
    r"knowledge\s+of|proficient\s+(?:in|with|at)|proficiency\s+(?:in|with)|expertise\s+in|skilled\s+in|"
    r"familiar(?:ity)?\s+with|worked\s+(?:in|with|on)|working\s+(?:in|with|on))|\bms-)\s*[:\-]?\s*$",
    re.IGNORECASE,
)
_CUE_AFTER = re.compile(
    r"^(?:\s*[-–]\s*experience\b|[ \t]*\(?v?\d+(?:\.\d+)*\b|[ \t]+(?:programming|programmer|language|languages|"
    r"developer|developers|development|studio|ide|scripts?|scripting|code|coding|sdk|apis?|libraries|library|"
    r"packages?|spreadsheets?|macros?|vba|formulas?|pivot|streaming|jobs?|clusters?|dataframes?|rdds?|"
    r"notebooks?|framework|runtime|server|queries|query|engineer|engineers|skills)\b)",
    re.IGNORECASE,
)
_CUE_WORDS = {
    "skills",
    "skill",
    "languages",
    "language",
    "tools",
    "tool",
    "technologies",
    "technology",
    "software",
    "stack",
    "frameworks",
    "framework",
    "libraries",
    "library",
    "knowledge",
    "experience",
    "proficient",
    "proficiency",
    "familiar",
    "familiarity",
    "expertise",
    "programming",
    "coding",
    "scripting",
    "packages",
    "platforms",
    "environment",
    "environments",
    "technical",
    "tech",
}
_LABEL = re.compile(
    r"^[\s•·●▪◦➢✓*\-–#>]*(?:technical\s+|programming\s+|computer\s+|it\s+|software\s+|key\s+|core\s+)?"
    r"(?:skills?|skill\s+set|skillset|languages?|tools?|technologies|technology|tech\s+stack|stack|software|"
    r"frameworks?|libraries|platforms?|environment|databases?|packages|competencies|proficiency|expertise)"
    r"(?:\s+(?:used|known|&\s*tools|and\s+tools))?\s*[:\-–]",
    re.IGNORECASE,
)
_GRADE_WORDS = {
    "grade",
    "grades",
    "class",
    "category",
    "type",
    "vitamin",
    "section",
    "block",
    "level",
    "plan",
    "part",
    "appendix",
    "annex",
    "group",
    "phase",
    "size",
    "tier",
    "option",
    "schedule",
    "division",
    "zone",
    "sector",
    "row",
    "hall",
    "gate",
    "wing",
    "building",
    "flat",
    "unit",
    "form",
    "paper",
    "series",
    "standard",
    "sem",
}
_WORD_RE = re.compile(r"[A-Za-z][A-Za-z'’]*")
_LONE_LINE = re.compile(r"^[\s•·●▪◦➢✓*\-–>\d.)(]*$")


def mention_counts(mentions: Iterable) -> dict[str, int]:
    """Canonical skill name → how many of ``mentions`` (``SkillExtractor.find``'s, or anything with a ``skill``)
    name it.  The one way mentions are counted: a vacancy's stored ``mentions``, the requirement decision and a
    CV's evidence all count with it."""
    return dict(Counter(m.skill for m in mentions))


class SkillExtractor:
    """Finds vocabulary skills in free text (see the module docstring for the matching and ambiguity rules).

    Build once per vocabulary and reuse: construction compiles one trie-shaped regex over every name and alias
    (a few milliseconds for a few hundred entries); :meth:`find` is then a single regex scan plus a small amount
    of work per candidate mention.  Raises ``ValueError`` on an entry with an unknown category or an empty name.
    """

    def __init__(self, entries: Iterable[SkillEntry]):
        self.entries: tuple[SkillEntry, ...] = tuple(entries)
        self.soft = frozenset(e.name for e in self.entries if e.category == "soft")  # never required
        self._by_key: dict[str, SkillEntry] = {}
        self._bare_ambiguous: set[str] = set()  # keys of bare ambiguous canonical names
        root = _Node()
        plural_keys: list[tuple[str, SkillEntry, list[object]]] = []
        for entry in self.entries:
            if entry.category not in CATEGORIES:
                raise ValueError(f"skill {entry.name!r}: unknown category {entry.category!r}")
            if not entry.name.strip():
                raise ValueError("skill with an empty name")
            if entry.ambiguous:
                self._bare_ambiguous.add(_key(entry.name))
            for term in (entry.name, *entry.aliases):
                atoms = _atoms(term)
                key = _key(term)
                if not atoms or not key:
                    continue
                self._by_key.setdefault(key, entry)
                self._insert(root, atoms)
                if entry.category in _PLURAL_CATEGORIES and len(key) >= 3 and key[-1].isalpha():
                    for suffix in ("s", "es"):
                        plural_keys.append((key + suffix, entry, atoms + list(suffix)))
                    for variant in _morphological_variants(term):
                        plural_keys.append((_key(variant), entry, _atoms(variant)))
        for key, entry, atoms in plural_keys:  # explicit names and aliases take precedence over plurals
            if key not in self._by_key:
                self._by_key[key] = entry
                self._insert(root, atoms)
        self._pattern = re.compile(_LEFT + _emit(root), re.IGNORECASE) if root.children else None
        self._title_skills: dict[str, tuple[str, ...]] = {}  # role_skills' reading of each job title, kept

    @staticmethod
    def _insert(root: _Node, atoms: list[object]) -> None:
        node = root
        for atom in atoms:
            node = node.children.setdefault(atom, _Node())
        node.terminal = True

    # -------------------------------------------------------------------------------------------- public API
    def find(self, text: str) -> list[SkillMention]:
        """All counted skill mentions in ``text``, in text order.

        Offsets are character positions in ``text``; ``line`` is the stripped line holding the mention, cut to a
        300-character window around it when longer.  Ambiguous bare names that fail the context rule are left
        out.  An empty text gives ``[]``.
        """
        if not text or self._pattern is None:
            return []
        line_starts = [0] + [m.end() for m in re.finditer("\n", text)]
        raw: list[
            tuple[int, int, SkillEntry, bool, int]
        ] = []  # start, end, entry, bare-ambiguous, line index
        for match in self._pattern.finditer(text):
            start, end = match.span()
            key = _key(match.group())
            entry = self._by_key.get(key)
            if entry is None:
                continue
            bare = entry.ambiguous and key == _key(entry.name)
            raw.append((start, end, entry, bare, bisect.bisect_right(line_starts, start) - 1))
        if not raw:
            return []

        accepted = [not bare for (_, _, _, bare, _) in raw]
        vetoed = [False] * len(raw)
        for i, (start, end, entry, bare, line_no) in enumerate(raw):
            if bare and self._hard_veto(text, start, end, entry):
                vetoed[i] = True
        # rule 2: list adjacency with an accepted mention, repeated until nothing changes
        changed = True
        while changed:
            changed = False
            for i, (start, end, _, bare, line_no) in enumerate(raw):
                if accepted[i] or vetoed[i]:
                    continue
                for j in (i - 1, i + 1):
                    if 0 <= j < len(raw) and accepted[j] and raw[j][4] == line_no:
                        gap = text[raw[j][1] : start] if j < i else text[end : raw[j][0]]
                        if _LIST_GAP.match(gap):
                            accepted[i] = True
                            changed = True
                            break
        # rules 3 and 4: verb use vetoes, technical cues accept
        for i, (start, end, entry, bare, line_no) in enumerate(raw):
            if accepted[i] or vetoed[i]:
                continue
            line_start = line_starts[line_no]
            line_end = line_starts[line_no + 1] - 1 if line_no + 1 < len(line_starts) else len(text)
            accepted[i] = self._context_accepts(text, start, end, line_start, line_end)

        mentions = []
        for i, (start, end, entry, _, line_no) in enumerate(raw):
            if not accepted[i]:
                continue
            line_start = line_starts[line_no]
            line_end = line_starts[line_no + 1] - 1 if line_no + 1 < len(line_starts) else len(text)
            mentions.append(
                SkillMention(entry.name, start, end, _line_window(text, line_start, line_end, start, end))
            )
        return mentions

    def counts(self, text: str) -> dict[str, int]:
        """Canonical skill name → number of counted mentions in ``text`` (skills not found are absent)."""
        return mention_counts(self.find(text))

    def entry(self, name: str) -> SkillEntry | None:
        """The vocabulary entry whose name or alias is ``name`` (any case/separators), or None."""
        return self._by_key.get(_key(name))

    # -------------------------------------------------------------------------------------------- context rules
    @staticmethod
    def _hard_veto(text: str, start: int, end: int, entry: SkillEntry) -> bool:
        surface = text[start:end]
        before = text[start - 1] if start > 0 else ""
        after = text[end : end + 2]
        if len(surface) == 1:
            if not surface.isupper():
                return True
            if (before and before in "-'’&.") or (
                after[:1] and after[:1] in "-'’&." and after[1:2].isalpha()
            ):
                return True
            if re.match(r"[ \t]+[A-Z](?:[ \t.]|$)", text[end : end + 3]) or re.search(
                r"(?:^|[\s(])[A-Z]\.?[ \t]+$", text[max(0, start - 4) : start]
            ):
                return True  # a run of initials: "R K Electrical", "A R Rahman"
            if before == "(" and after[:1] == ")":
                return True  # (R) (C) marks
            line_start = text.rfind("\n", 0, start) + 1
            if after[:1] and after[:1] in ").:" and not text[line_start:start].strip(" \t•·*-–>"):
                return True  # enumeration label "C) ..." at the start of a line
        previous_words = _WORD_RE.findall(text[max(0, start - 30) : start])
        return bool(previous_words and previous_words[-1].lower() in _GRADE_WORDS)

    @staticmethod
    def _context_accepts(text: str, start: int, end: int, line_start: int, line_end: int) -> bool:
        before = text[line_start:start]
        after = text[end:line_end]
        if _STRONG_BEFORE.search(before[-40:]):
            return True
        if _VERB_NEXT.match(after):
            return False
        if end - start == 1 and re.match(r"^\.[ \t]+[A-Z]", after):
            return False  # an initial: "R. Smith"
        if _CUE_AFTER.match(after):
            return True
        if any(w.lower() in _CUE_WORDS for w in _WORD_RE.findall(before)[-3:]):
            return True
        label = _LABEL.match(text[line_start:line_end])
        if (
            label
            and start - (line_start + label.end()) < 200
            and not re.search(r"[.!?]\s", text[line_start + label.end() : start])
        ):
            return True  # in the list that follows a "Skills:" label, before the sentence ends
        return bool(_LONE_LINE.match(before) and re.match(r"^[\s.,;:)\-–]*$", after))


def _line_window(text: str, line_start: int, line_end: int, start: int, end: int) -> str:
    line = text[line_start:line_end]
    if len(line.strip()) <= _MAX_LINE:
        return line.strip()
    middle = (start + end) // 2 - line_start
    lo = max(0, min(middle - _MAX_LINE // 2, len(line) - _MAX_LINE))
    return line[lo : lo + _MAX_LINE].strip()


def _lines(text: str) -> list[str]:
    return text.splitlines()


def _short(line: str) -> str:
    line = line.strip()
    return line if len(line) <= _MAX_LINE else line[:_MAX_LINE].rstrip()


# ------------------------------------------------------------------------------------------------ qualifications
_DEGREE_PATTERNS: list[tuple[int, re.Pattern[str], str]] = [
    (
        4,
        re.compile(
            r"(?<![\w.])(?:ph\.?\s?d\.?|d\.?\s?phil\.?)(?![\w])|\bdoctorates?\b|\bdoctoral\b|"
            r"\bdoctor\s+of\s+philosophy\b",
            re.IGNORECASE,
        ),
        "",
    ),
    (
        3,
        re.compile(
            r"\bmaster(?:'|’)?s?\b(?:\s+(?:degree|of|in|programme|program))?|\bpost[\s-]?graduate\s+degree\b|"
            r"\bpostgraduate\b|\bgraduate\s+degree\b|\badvanced\s+degree\b",
            re.IGNORECASE,
        ),
        "",
    ),
    (3, re.compile(r"(?<![\w.])(?:M\.?Sc\.?|MSc|M\.S\.|M\.A\.|MRes|M\.?Phil\.?)(?![\w])"), ""),
    (3, re.compile(r"(?<![\w.])(?:M\.Eng\.?|MEng|M\.?Tech\.?|M\.E\.|M\.E(?=\s))(?![\w])"), "engineering"),
    (3, re.compile(r"(?<![\w.])LL\.?M\.?(?![\w])"), "law"),
    (3, re.compile(r"(?<![\w.])MBA(?![\w])|(?<![\w.])PGDM(?![\w])"), "business administration"),
    (3, re.compile(r"(?<![\w.])MCA(?![\w])"), "computer applications"),
    (3, re.compile(r"(?<![\w.])M\.?\s?Com\.?(?![\w])"), "commerce"),
    (
        3,
        re.compile(
            r"(?<![\w.])(?:MS|MA)(?=\s*(?:in\b|degree\b|\(|,\s*[A-Z]|-\s*[A-Z]|\s+(?:Computer|Data|"
            r"Statistics|Mathematics|Math|Physics|Electrical|Mechanical|Engineering|Economics|Information|"
            r"Analytics|Business|Finance|Applied|Operations)\b))"
        ),
        "",
    ),
    (
        2,
        re.compile(
            r"\bbachelor(?:'|’)?s?\b(?:\s+(?:degree|of|in))?|\bundergraduate\b(?:\s+degree)?|"
            r"\bdegree\s+in\b",
            re.IGNORECASE,
        ),
        "",
    ),
    (2, re.compile(r"(?<![\w.])(?:B\.?Sc\.?|BSc|B\.S\.|B\.A\.|B\.?Stat\.?|BBM)(?![\w])"), ""),
    (2, re.compile(r"(?<![\w.])(?:B\.Eng\.?|BEng|B\.?Tech\.?|B\.E\.?)(?![\w])"), "engineering"),
    (2, re.compile(r"(?<![\w.])B\.?Pharm\.?(?![\w])"), "pharmacy"),
    (2, re.compile(r"(?<![\w.])(?:BCA)(?![\w])"), "computer applications"),
    (2, re.compile(r"(?<![\w.])(?:B\.?\s?Com\.?)(?![\w])"), "commerce"),
    (2, re.compile(r"(?<![\w.])(?:BBA|B\.B\.A\.?)(?![\w])"), "business administration"),
    (2, re.compile(r"(?<![\w.])(?:LLB|LL\.B\.?)(?![\w])"), "law"),
    (
        2,
        re.compile(
            r"(?<![\w.])(?:BS|BA|BE)(?=\s*(?:in\b|degree\b|\(|,\s*[A-Z]|-\s*[A-Z]|\s+(?:Computer|Data|"
            r"Statistics|Mathematics|Math|Physics|Electrical|Electronics|Mechanical|Civil|Engineering|"
            r"Economics|Information|Chemical|Business|Finance|Applied|Hons|English|History)\b))"
        ),
        "",
    ),
    (
        1,
        re.compile(
            r"\bcertificates?\b|\bcertifications?\b|\bcertified\b|\bdiplomas?\b|\bboot\s?camps?\b|"
            r"\bnano\s?degrees?\b",
            re.IGNORECASE,
        ),
        "",
    ),
]
# For each of _DEGREE_PATTERNS, text that every match of it contains (lower-case for a case-insensitive pattern, as
# written otherwise): a line holding none of them is not searched with that pattern (most lines hold none; the
# lookbehind each pattern starts with makes the regex engine try every position of every line).
_DEGREE_KEYS: list[tuple[str, ...]] = [
    ("ph", "doctor"),
    ("master", "graduate", "advanced"),
    ("Sc", "M.S.", "M.A.", "MRes", "Phil"),
    ("Eng", "Tech", "M.E"),
    ("LL",),
    ("MBA", "PGDM"),
    ("MCA",),
    ("Com",),
    ("MS", "MA"),
    ("bachelor", "undergraduate", "degree"),
    ("Sc", "B.S.", "B.A.", "Stat", "BBM"),
    ("Eng", "Tech", "B.E"),
    ("Pharm",),
    ("BCA",),
    ("Com",),
    ("BBA", "B.B.A"),
    ("LL",),
    ("BS", "BA", "BE"),
    ("certif", "diploma", "boot", "nano"),
]
# The only characters beyond ASCII that a case-insensitive pattern matches as an ASCII letter (İ ı ſ K): a line
# holding one is searched with every case-insensitive pattern, its lower-case form not being a safe filter.
_FOLDS_TO_ASCII = ("\u0130", "\u0131", "\u017f", "\u212a")


_DEGREE_FILTER = [
    (entry, keys, bool(entry[1].flags & re.IGNORECASE))
    for entry, keys in zip(_DEGREE_PATTERNS, _DEGREE_KEYS, strict=True)
]
# Whether a line holds any key at all: one literal alternation each (no flags: a match is a substring, exactly
# ``any(k in …)``), searched by the regex engine instead of a Python step per key.
_KEYS_ANY_CASE = re.compile(
    "|".join(sorted({re.escape(k) for _, keys, ignore in _DEGREE_FILTER if ignore for k in keys}))
)
_KEYS_AS_WRITTEN = re.compile(
    "|".join(sorted({re.escape(k) for _, keys, ignore in _DEGREE_FILTER if not ignore for k in keys}))
)


def _degree_patterns(line: str) -> list[tuple[int, re.Pattern[str], str]]:
    """The entries of ``_DEGREE_PATTERNS`` that may match somewhere in ``line`` (``_DEGREE_KEYS``), in order."""
    lower = line.lower()
    folds = not line.isascii() and any(ch in line for ch in _FOLDS_TO_ASCII)
    if not folds and not _KEYS_ANY_CASE.search(lower) and not _KEYS_AS_WRITTEN.search(line):
        return []
    return [
        entry
        for entry, keys, ignore in _DEGREE_FILTER
        if (folds or any(k in lower for k in keys) if ignore else any(k in line for k in keys))
    ]


_FIELDS = sorted(
    [
        "computer science",
        "computer engineering",
        "computer applications",
        "information technology",
        "information systems",
        "software engineering",
        "data science",
        "data analytics",
        "business analytics",
        "artificial intelligence",
        "machine learning",
        "electrical engineering",
        "electronics engineering",
        "electrical and electronics engineering",
        "electronics and communication engineering",
        "electronics and communication",
        "electronics and telecommunication",
        "electronics",
        "telecommunication",
        "instrumentation",
        "mechanical engineering",
        "civil engineering",
        "chemical engineering",
        "aerospace engineering",
        "biomedical engineering",
        "industrial engineering",
        "production engineering",
        "engineering",
        "applied mathematics",
        "mathematics",
        "maths",
        "math",
        "statistics",
        "applied statistics",
        "physics",
        "physical science",
        "physical sciences",
        "chemistry",
        "biology",
        "biotechnology",
        "bioinformatics",
        "neuroscience",
        "economics",
        "econometrics",
        "finance",
        "accounting",
        "accountancy",
        "commerce",
        "business administration",
        "business",
        "management",
        "marketing",
        "human resources",
        "human resource management",
        "law",
        "operations research",
        "computational science",
        "cognitive science",
        "linguistics",
        "psychology",
        "pharmacy",
        "architecture",
        "arts",
        "science",
        "sciences",
        "education",
    ],
    key=len,
    reverse=True,
)
_FIELD_SYNONYMS = {
    "maths": "mathematics",
    "math": "mathematics",
    "cse": "computer science",
    "cs": "computer science",
    "mechanical": "mechanical engineering",
    "civil": "civil engineering",
    "electrical": "electrical engineering",
    "ece": "electronics and communication engineering",
    "eee": "electrical and electronics engineering",
    "it": "information technology",
}
_FIELD_RE = re.compile(
    r"\b(?:" + "|".join(re.escape(f) for f in _FIELDS).replace(r"\ ", r"\s+") + r")\b"
    r"|(?<![\w.])(?:CSE|CS|ECE|EEE|IT)(?![\w.])|\((?:mechanical|civil|electrical|maths?)\)",
    re.IGNORECASE,
)


def _longest_field(line: str, start: int, end: int) -> str:
    """The longest known subject in ``line[start:end]``, lower-case and canonical, or ``""``."""
    best = ""
    for m in _FIELD_RE.finditer(line, start, end):
        raw = m.group().strip("()")
        if raw.lower() in {"cse", "cs", "ece", "eee", "it"} and not raw.isupper():
            continue  # "it" as a word, "cs" in lower case: not a subject
        field = _FIELD_SYNONYMS.get(re.sub(r"\s+", " ", raw.lower()), re.sub(r"\s+", " ", raw.lower()))
        if len(field) > len(best):
            best = field
    return best


_NOT_DEGREE_AFTER = re.compile(
    r"^\s*(?:excel|office|word|access|powerpoint|sql|project|visio|outlook|dynamics|"
    r"teams|azure|windows|paint)\b",
    re.IGNORECASE,
)


def extract_qualifications(text: str) -> list[QualificationMention]:
    """Degrees named in ``text``, in text order, one per (level, field, line).

    Levels: 4 PhD/Ph.D./DPhil/doctorate; 3 master's/MSc/M.S./MEng/M.Tech/M.E./MBA/MCA/M.Com/"graduate degree"
    (US usage: a postgraduate degree); 2 bachelor's/BSc/B.S./BEng/B.E/B.Tech/BCA/B.Com/BBA/LLB/undergraduate
    degree/"degree in …"; 1 certificate/certification/diploma/bootcamp.  Bare ``MS``/``MA``/``BS``/``BA``/``BE``
    count only before ``in``/``degree``/``(``/a subject, so ``MS Excel`` or ``200 ms`` are not degrees.  The field
    is the known subject nearest after the degree word on the same line (else anywhere on the line; else the
    degree's implied field such as commerce for B.Com), lower-cased, or ``""``.
    """
    found: list[QualificationMention] = []
    seen: set[tuple[int, str, str]] = set()
    for raw_line in _lines(text):
        if not raw_line.strip():
            continue
        patterns = _degree_patterns(raw_line)
        if not patterns:
            continue
        hits: list[tuple[int, int, int, str]] = []  # start, end, level, implied field
        taken: list[tuple[int, int]] = []
        for level, pattern, implied in patterns:
            for m in pattern.finditer(raw_line):
                if any(m.start() < e and s < m.end() for s, e in taken):
                    continue
                if _NOT_DEGREE_AFTER.match(raw_line[m.end() :]) and m.group().strip(". ").upper() in {
                    "MS",
                    "M.S",
                }:
                    continue
                if (
                    level == 3
                    and m.group().lower().startswith("master")
                    and re.match(
                        r"^\s*(?:card|data|plan|list|file|class|key|node|branch|thesis\s+supervisor)\b",
                        raw_line[m.end() :],
                        re.IGNORECASE,
                    )
                ):
                    continue
                taken.append(m.span())
                hits.append((m.start(), m.end(), level, implied))
        hits.sort()
        line = _short(raw_line)
        for index, (start, end, level, implied) in enumerate(hits):
            next_start = hits[index + 1][0] if index + 1 < len(hits) else len(raw_line)
            field = (
                _longest_field(raw_line, end, next_start)
                or _longest_field(raw_line, end, len(raw_line))
                or _longest_field(raw_line, 0, len(raw_line))
                or implied
            )
            key = (level, field, line)
            if key not in seen:
                seen.add(key)
                found.append(QualificationMention(level, field, line))
    return found


# --------------------------------------------------------------------------------------------------- salaries
_CURRENCY_PREFIX = r"(?P<cur>US\$|USD\s?|GBP\s?|EUR\s?|INR\s?|CNY\s?|Rs\.?\s?|£|€|\$|₹)"
_NUMBER = r"\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?"
_MULT = r"(?:[kK](?![a-zA-Z])|\s?(?:lakhs?|lacs?|LPA)\b)?"
_SALARY_RE = re.compile(
    _CURRENCY_PREFIX + r"\s?(?P<a>" + _NUMBER + r")(?P<ma>" + _MULT + r")"
    r"(?:\s*(?:-|–|—|to|and)\s*(?:US\$|USD|GBP|EUR|INR|Rs\.?|£|€|\$|₹)?\s?(?P<b>"
    + _NUMBER
    + r")(?P<mb>"
    + _MULT
    + r"))?"
    r"|(?<![\w.,])(?P<a2>" + _NUMBER + r")(?P<ma2>" + _MULT + r")"
    r"(?:\s*(?:-|–|—|to)\s*(?P<b2>" + _NUMBER + r")(?P<mb2>" + _MULT + r"))?"
    r"\s?(?P<cur2>USD|GBP|EUR|INR|CNY|dollars|pounds|euros|rupees|lakhs?|lacs?|LPA)\b",
)
_CURRENCY_CODES = {
    "£": "GBP",
    "gbp": "GBP",
    "pounds": "GBP",
    "€": "EUR",
    "eur": "EUR",
    "euros": "EUR",
    "$": "USD",
    "us$": "USD",
    "usd": "USD",
    "dollars": "USD",
    "₹": "INR",
    "inr": "INR",
    "rs": "INR",
    "rs.": "INR",
    "rupees": "INR",
    "lakh": "INR",
    "lakhs": "INR",
    "lac": "INR",
    "lacs": "INR",
    "lpa": "INR",
    "cny": "CNY",
}
_PERIOD_AFTER = [
    ("hour", re.compile(r"^\s*(?:per|an|a|/)\s*(?:hour|hr)\b|^\s*hourly\b|^\s*p/?h\b", re.IGNORECASE)),
    ("day", re.compile(r"^\s*(?:per|a|/)\s*day\b|^\s*daily\b|^\s*per\s+diem\b|^\s*p/?d\b", re.IGNORECASE)),
    ("month", re.compile(r"^\s*(?:per|a|/)\s*(?:month|mo)\b|^\s*monthly\b|^\s*pcm\b", re.IGNORECASE)),
    (
        "year",
        re.compile(r"^\s*(?:per|a|/)\s*(?:year|annum|yr)\b|^\s*p\.?a\.?\b|^\s*annually\b", re.IGNORECASE),
    ),
]
_PERIOD_BEFORE = [
    ("hour", re.compile(r"\bhourly\s+(?:rate|pay|wage)\b[^.£€$₹]*$", re.IGNORECASE)),
    ("day", re.compile(r"\b(?:day|daily)\s+rates?\b[^.£€$₹]*$", re.IGNORECASE)),
    ("month", re.compile(r"\bmonthly\s+(?:salary|pay|stipend)\b[^.£€$₹]*$", re.IGNORECASE)),
]
_NOT_SALARY_AFTER = re.compile(
    r"^\s*(?:m\b|mn\b|bn\b|million|billion|trillion|per\s+cent|percent|%)", re.IGNORECASE
)


def _amount(number: str, mult: str) -> Decimal:
    value = Decimal(number.replace(",", ""))
    mult = mult.strip().lower()
    if mult == "k":
        value *= 1000
    elif mult in {"lakh", "lakhs", "lac", "lacs", "lpa"}:
        value *= 100000
    return value.normalize() if value == value.to_integral() else value


def _integral(value: Decimal) -> Decimal:
    return value.quantize(Decimal(1)) if value == value.to_integral() else value


def extract_salaries(text: str) -> list[SalaryMention]:
    """Pay figures and ranges in ``text``, in text order.

    Recognises a currency sign or code before the amount (``£35,000``, ``€40,000``, ``$120k``, ``US$90,000``,
    ``Rs. 6,00,000`` → INR, ``₹732,099``), a code or word after it (``120,000 USD``, ``540,000 CNY``,
    ``6 lakhs``/``12 LPA`` → INR ×100,000) and ranges (``£50,000 to £80,000``, ``$120k-$150k``, ``£50-60k``).
    The period is read from the words after the figure (``per day``/``a day``/``daily`` → day, ``per hour``/``an
    hour`` → hour, ``per month`` → month) or a ``day rate``/``hourly rate`` before it; default ``"year"``.
    Amounts followed by million/billion/% are ignored.  Amounts are Decimals in currency units.
    """
    found: list[SalaryMention] = []
    for m in _SALARY_RE.finditer(text):
        after = text[m.end() : m.end() + 40]
        if _NOT_SALARY_AFTER.match(after):
            continue
        if m.group("a") is not None:
            currency = _CURRENCY_CODES.get(m.group("cur").strip().lower(), m.group("cur").strip().upper())
            a, ma, b, mb = m.group("a"), m.group("ma"), m.group("b"), m.group("mb")
        else:
            currency = _CURRENCY_CODES.get(m.group("cur2").lower(), m.group("cur2").upper())
            a, ma, b, mb = m.group("a2"), m.group("ma2"), m.group("b2"), m.group("mb2")
            if m.group("cur2").lower() in {"lakh", "lakhs", "lac", "lacs", "lpa"}:
                ma = ma or m.group("cur2")
                mb = mb or m.group("cur2") if b else mb
        minimum = _amount(a, ma or "")
        maximum = _amount(b, mb or "") if b else None
        if maximum is not None and not (ma or "").strip() and (mb or "").strip() and minimum * 100 <= maximum:
            minimum = _amount(a, mb)  # "£50-60k": the multiplier applies to both ends
        if maximum is not None and maximum < minimum:
            maximum = None
        if minimum <= 0:
            continue
        period = "year"
        for name, pattern in _PERIOD_AFTER:
            if pattern.match(after):
                period = name
                break
        else:
            before = text[max(0, m.start() - 60) : m.start()]
            for name, pattern in _PERIOD_BEFORE:
                if pattern.search(before):
                    period = name
                    break
        found.append(
            SalaryMention(
                _integral(minimum), _integral(maximum) if maximum is not None else None, currency, period
            )
        )
    return found


# ------------------------------------------------------------------------------------------------ role titles
# A job title names its field through the person's noun: a "Data Scientist" works in data science, a "Hadoop
# Developer" in Hadoop development.  Each noun maps to its field's word, so the skill vocabulary reads the title.
_ROLE_NOUN_FIELDS = (
    (re.compile(r"\bscientists?\b", re.IGNORECASE), "science"),
    (re.compile(r"\bstatisticians?\b", re.IGNORECASE), "statistics"),
    (re.compile(r"\bmathematicians?\b", re.IGNORECASE), "mathematics"),
    (re.compile(r"\beconomists?\b", re.IGNORECASE), "economics"),
    (re.compile(r"\banalysts?\b", re.IGNORECASE), "analysis"),
    (re.compile(r"\bengineers?\b", re.IGNORECASE), "engineering"),
    (re.compile(r"\bdevelopers?\b", re.IGNORECASE), "development"),
    (re.compile(r"\bprogrammers?\b", re.IGNORECASE), "programming"),
    (re.compile(r"\barchitects?\b", re.IGNORECASE), "architecture"),
    (re.compile(r"\bresearchers?\b", re.IGNORECASE), "research"),
    (re.compile(r"\badministrators?\b", re.IGNORECASE), "administration"),
)
_ROLE_NOUN = re.compile(
    r"\b(?:scientist|engineer|developer|analyst|statistician|mathematician|economist|programmer|architect|"
    r"researcher|administrator|consultant|specialist|manager|director|officer|associate|"
    r"assistant|intern|internship|trainee|apprentice)\b",
    re.IGNORECASE,
)
# A line about a role one wants, not one held ("Aspiring Data Scientist", "Objective: a role as …").
_ROLE_WISH = re.compile(
    r"\b(?:aspir\w*|seek\w*|looking|objective|goal|career|want\w*|wish\w*|would\s+like|hop(?:e|ing)|"
    r"interested|passionate|enthusiast\w*|become|becoming|dream|future|opportunit\w*|apply\w*|applied\s+for)\b",
    re.IGNORECASE,
)
_ROLE_SPLIT = re.compile(r"\n|(?<=[.;!?])\s+|\s+[|•·●▪–—-]\s+|\t|,|\(|\)")
# _ROLE_SPLIT written to start with a character class, so that the regex engine skips in C to the characters a cut
# can start with instead of trying each alternative (one a look-behind) at every position: the same matches — the
# first character consumed, then each alternative in the same order ("\n"; white space after . ; ! ? and the white
# space that follows; white space, a bullet or dash, white space; tab; comma; brackets).  1.4–1.7× faster on CVs.
_ROLE_CUT = re.compile(
    r"[\s,()](?:(?<=\n)|(?<=[.;!?]\s)\s*|(?<=\s)\s*[|•·●▪–—-]\s+|(?<=\t)|(?<=,)|(?<=\()|(?<=\)))"
)
ROLE_TITLE_MAX_WORDS = 8
ROLE_TITLES_MAX = 12


def role_field_text(title: str) -> str:
    """``title`` with each person noun replaced by its field's word ("Senior Data Scientist" → "Senior Data
    science", "Hadoop Developer" → "Hadoop development"), for the skill vocabulary to read a job title."""
    for pattern, field_word in _ROLE_NOUN_FIELDS:
        title = pattern.sub(field_word, title)
    return title


def role_title_spans(text: str) -> list[tuple[int, int]]:
    """``[(start, end), …]``: where in ``text`` the job titles of :func:`extract_role_titles` stand (every such
    segment, repeats included), as offsets into ``text``."""
    return list(_role_title_spans(text or ""))


@functools.lru_cache(maxsize=4)  # a CV's spans are read by its evidence and by its role titles: cut once
def _role_title_spans(text: str) -> tuple[tuple[int, int], ...]:
    spans: list[tuple[int, int]] = []
    start = 0
    for cut in [*_ROLE_CUT.finditer(text), None]:
        end = cut.start() if cut else len(text)
        raw = text[start:end]
        segment = raw.strip(" \t\r:,.;*#>")
        words = segment.split()
        if (
            words
            and len(words) <= ROLE_TITLE_MAX_WORDS
            and _ROLE_NOUN.search(segment)
            and not _ROLE_WISH.search(segment)
        ):
            offset = start + raw.index(segment)
            spans.append((offset, offset + len(segment)))
        if cut:
            start = cut.end()
    return tuple(spans)


def extract_role_titles(text: str) -> list[str]:
    """The job titles a CV ``text`` shows the person holding: short segments (a line or a part of one cut at
    sentence ends, bullets, spaced dashes, commas and brackets — "Data Scientist, Acme, London (2019–2021)"; at
    most ``ROLE_TITLE_MAX_WORDS`` words) naming a role noun in the singular (scientist, engineer, developer,
    analyst, consultant, intern …; "worked with data scientists" names colleagues, not a title), without wish
    words (aspiring, seeking, objective, career …: a role wanted is not a role held).  In text order, without
    repeats (case-insensitive), at most ``ROLE_TITLES_MAX``."""
    out: list[str] = []
    seen: set[str] = set()
    for start, end in role_title_spans(text):
        words = text[start:end].split()
        key = " ".join(words).lower()
        if key not in seen:
            seen.add(key)
            out.append(" ".join(words))
            if len(out) >= ROLE_TITLES_MAX:
                break
    return out


def role_skills(titles: Iterable[str], extractor: SkillExtractor) -> list[str]:
    """The canonical skills job ``titles`` name, read through :func:`role_field_text` ("Data Scientist" → Data
    science); soft skills excepted.  Unique, in order of first appearance."""
    out: dict[str, None] = {}
    for title in titles:
        out.update(dict.fromkeys(_title_skills(title, extractor)))
    return list(out)


_TITLE_SKILLS_MAX = 20_000  # job titles whose skills an extractor keeps (titles repeat across CVs)


def _title_skills(title: str, extractor: SkillExtractor) -> tuple[str, ...]:
    """The non-soft skills ``extractor`` finds in ``role_field_text(title)``, in order: read once per title and
    extractor (pure: the same title always reads the same)."""
    cache = extractor._title_skills
    found = cache.get(title)
    if found is None:
        if len(cache) >= _TITLE_SKILLS_MAX:
            cache.clear()
        soft = extractor.soft
        found = tuple(m.skill for m in extractor.find(role_field_text(title)) if m.skill not in soft)
        cache[title] = found
    return found


# ------------------------------------------------------------------------------------- seniority / contract / remote
_TITLE_LEAD = re.compile(
    r"\b(?:principal|head\s+of|staff\s+(?:engineer|scientist|data|machine|ml)|"
    r"(?:team|tech|technical)\s+lead|lead\s+(?:engineer|scientist|developer|data|machine|ml|ai|"
    r"role|position)|director)\b",
    re.IGNORECASE,
)
_TITLE_SENIOR = re.compile(r"\b(?:senior|sr\.?|experienced)\b", re.IGNORECASE)
_TITLE_ENTRY = re.compile(
    r"\b(?:junior|jr\.?|graduate|entry[\s-]level|intern|internship|trainee|apprentice|"
    r"new\s+grad)\b",
    re.IGNORECASE,
)
_TITLE_MID = re.compile(r"\b(?:mid[\s-]?level|intermediate|mid[\s-]senior)\b", re.IGNORECASE)


def extract_seniority(text: str) -> str:
    """Seniority of a vacancy: ``"lead"``, ``"senior"``, ``"mid"``, ``"entry"`` or ``""`` (not stated).

    The first non-empty line (the title) decides when it names a level (lead > senior > mid > entry);
    otherwise the level named most often in the whole text wins, and a tie gives ``""``.
    """
    lines = [ln for ln in _lines(text) if ln.strip()]
    if not lines:
        return ""
    title = lines[0]
    for level, pattern in (
        ("lead", _TITLE_LEAD),
        ("senior", _TITLE_SENIOR),
        ("mid", _TITLE_MID),
        ("entry", _TITLE_ENTRY),
    ):
        if pattern.search(title):
            return level
    counts = {
        level: len(pattern.findall(text))
        for level, pattern in (
            ("lead", _TITLE_LEAD),
            ("senior", _TITLE_SENIOR),
            ("mid", _TITLE_MID),
            ("entry", _TITLE_ENTRY),
        )
    }
    best = max(counts.values())
    winners = [level for level, n in counts.items() if n == best]
    return winners[0] if best and len(winners) == 1 else ""


_CONTRACT = re.compile(
    r"\b(?:contract|contractor|contracts|freelance|freelancer|day\s+rate|daily\s+rate|"
    r"fixed[\s-]term|interim|(?:inside|outside)\s+ir35)\b",
    re.IGNORECASE,
)
_PERMANENT = re.compile(r"\b(?:permanent|full[\s-]time|perm)\b", re.IGNORECASE)


def extract_employment_type(text: str) -> str:
    """``"contract"`` (contract, contractor, freelance, day rate, fixed-term, IR35), ``"permanent"`` (permanent,
    full-time) or ``""``.  When both are named, the one named more often wins; a tie goes to the first named."""
    contract = list(_CONTRACT.finditer(text))
    permanent = list(_PERMANENT.finditer(text))
    if not contract and not permanent:
        return ""
    if len(contract) != len(permanent):
        return "contract" if len(contract) > len(permanent) else "permanent"
    return "contract" if contract[0].start() < permanent[0].start() else "permanent"


_REMOTE = re.compile(
    r"\b(?:fully\s+)?remote(?:ly)?\b(?!\s+(?:sensing|control|monitoring|server|servers|access|"
    r"desktop|location|sites?))|\bwork(?:ing)?\s+from\s+home\b|\bwfh\b|\bhome[\s-]based\b|"
    r"\btelecommut\w*",
    re.IGNORECASE,
)
_HYBRID = re.compile(
    r"\bhybrid\s+(?:working|work|role|model|position|pattern|basis|arrangement)\b|"
    r"\bhybrid\b(?=\s*[(:,.;\-–]|\s*$)|\bflexible\s+working\b",
    re.IGNORECASE | re.MULTILINE,
)
_ONSITE = re.compile(
    r"\bon[\s-]?site\b|\boffice[\s-]based\b|\bin[\s-]office\b|\bbased\s+in\s+(?:the|our)\s+office\b",
    re.IGNORECASE,
)


def extract_remote(text: str) -> str:
    """Working pattern: ``"hybrid"`` (hybrid working, or both remote and on-site wording), ``"remote"`` (remote,
    work from home, WFH), ``"onsite"`` (on-site, office-based) or ``""``.  "Remote sensing/control" is ignored."""
    hybrid = bool(_HYBRID.search(text))
    remote = bool(_REMOTE.search(text))
    onsite = bool(_ONSITE.search(text))
    if hybrid or (remote and onsite):
        return "hybrid"
    if remote:
        return "remote"
    if onsite:
        return "onsite"
    return ""


# ------------------------------------------------------------------------------------------------- requirements
MAX_UNCUED_REQUIRED = 10  # a text naming more required skills than this keeps only its 10 most named
MIN_REQUIRED = 3  # a text naming at least this many technical skills gets at least this many required

_APOS = "['’]"
_REQUIRED_CUE = re.compile(
    rf"\b(?:must(?:\s+have)?|essential|required|requires?|mandatory|you\s+will\s+need|you{_APOS}ll\s+need|"
    rf"proficien(?:t|cy)|strong|solid|expert(?:ise)?|minimum|demonstrable|proven|in-depth|"
    rf"deep\s+(?:understanding|knowledge)|should\s+have|at\s+least)\b|"
    rf"(?<![\w.])\d{{1,2}}\s*\+\s*(?:years?|yrs?)\b",
    re.IGNORECASE,
)
_DESIRABLE_CUE = re.compile(
    r"\b(?:desirable|desired|nice[\s-]to[\s-]have|(?:a|an?\s+added|big|huge|definite|strong)\s+plus|plus\s+points?|"
    r"bonus|preferred|preferably|preference|familiarity|familiar\s+with|ideally|ideal|advantageous|"
    r"an\s+advantage|advantage|good\s+to\s+have|exposure\s+to|would\s+be\s+(?:great|nice|good|helpful|useful)|"
    r"beneficial|optional|not\s+required|helpful|a\s+bonus|may(?:\s+also)?|could|might|other\s+tools|"
    r"also\s+useful)\b",
    re.IGNORECASE,
)
# Cues that still make a list item required under a "you may also need:" introduction.
_HARD_REQUIRED_CUE = re.compile(r"\b(?:must|essential|required|mandatory)\b", re.IGNORECASE)
_REQUIREMENT_HEADING = re.compile(
    rf"\b(?:requirements?|required|essential|must[\s-]haves?|qualifications?|"
    rf"about\s+you|who\s+you\s+are|what\s+you(?:{_APOS}ll|\s+will)\s+(?:need|bring)|what\s+you\s+need|"
    rf"what\s+we(?:{_APOS}re|\s+are)\s+looking\s+for|you\s+have|you\s+will\s+have|you\s+should\s+have)\b",
    re.IGNORECASE,
)
_HEADING_WORDS = re.compile(
    rf"\b(?:requirements?|required|essential|skills?|qualifications?|experience|responsibilities|about\s+you|"
    rf"who\s+you\s+are|what\s+you(?:{_APOS}ll|\s+will)\s+(?:need|bring)|"
    rf"what\s+we(?:{_APOS}re|\s+are)\s+looking\s+for|"
    r"must[\s-]haves?|you\s+have|you\s+will\s+have|desirable|nice[\s-]to[\s-]haves?|bonus(?:\s+points)?|"
    r"preferred|pluses|good\s+to\s+have|ideally|benefits|salary|about\s+(?:us|the\s+role)|the\s+role|duties|"
    r"typical\s+\w+|what\s+\w+\s+\w+|education|introduction|overview|employers|prospects|hours)\b",
    re.IGNORECASE,
)
_SENTENCE_SPLIT = re.compile(r"(?<=[.!?;])\s+")
_BULLET = "-•·●▪◦➢✓"


def _heading_kind(label: str) -> str:
    """``"desirable"``, ``"required"`` or ``"neutral"`` for a heading or label text."""
    if _DESIRABLE_CUE.search(label) or re.search(r"\bpluses\b|\bbonus\b", label, re.IGNORECASE):
        return "desirable"
    if _REQUIREMENT_HEADING.search(label):
        return "required"
    return "neutral"


def _heading(line: str) -> tuple[str | None, str]:
    """``(kind, rest)`` for a heading or label line: kind ``"desirable"``, ``"required"`` (a requirements
    heading: Requirements, Essential, Must have, Qualifications, What you'll need …) or ``"neutral"``
    (Responsibilities, Skills, Salary …), or None when the line is not a heading; ``rest`` is the content after
    a ``Label:`` prefix (``""`` for a pure heading)."""
    stripped = line.strip()
    if not stripped or stripped[0] in _BULLET or (stripped[0] == "*" and not stripped.startswith("**")):
        return None, ""
    text = stripped.lstrip("#").strip().strip("*").strip()
    label, rest = text, ""
    if ":" in text:
        label, rest = text.split(":", 1)
        label = label.strip().strip("*").strip()
        rest = rest.strip()
        if len(label.split()) > 7:
            return None, ""
    elif stripped.startswith("#"):
        pass
    elif len(text) > 60 or len(text.split()) > 8 or text[-1:] in ".!?," or not _HEADING_WORDS.search(text):
        return None, ""
    return _heading_kind(label), rest


def _cues(sentence: str) -> list[tuple[int, int, int, str]]:
    """Every cue word of a sentence as ``(start, end, rank, kind)``; a required cue inside a desirable one ("a
    strong plus", "not required") is dropped."""
    desirable = [(m.start(), m.end(), 1, "desirable") for m in _DESIRABLE_CUE.finditer(sentence)]
    required = [
        (m.start(), m.end(), 0, "required")
        for m in _REQUIRED_CUE.finditer(sentence)
        if not any(s < m.end() and m.start() < e for s, e, _, _ in desirable)
    ]
    return required + desirable


def _nearest_cue(cues: list[tuple[int, int, int, str]], start: int, end: int) -> str | None:
    best: tuple[int, int, str] | None = None
    for c_start, c_end, rank, kind in cues:
        if c_start < end and start < c_end:
            continue
        distance = start - c_end if c_end <= start else c_start - end
        candidate = (distance, rank, kind)
        if best is None or candidate < best:
            best = candidate
    return best[2] if best else None


@dataclass(frozen=True)
class RequirementDecision:
    """What a vacancy text requires: ``importance`` maps each skill found to ``"required"`` or
    ``"desirable"``; ``capped`` is True when more than :data:`MAX_UNCUED_REQUIRED` skills would have been
    required and only the most named were kept (a recruiter should confirm or edit them); ``counts`` maps each of
    those skills to its mentions in the text, a skill only the title names counting as one."""

    importance: dict[str, str]
    capped: bool
    counts: dict[str, int] = field(default_factory=dict)


def _mention_importance(text: str, mentions: list[SkillMention]) -> list[str]:
    """``"required"``, ``"desirable"`` (a cue or a heading says so) or ``"uncued"`` for each mention."""
    line_starts = [0] + [m.end() for m in re.finditer("\n", text)]
    lines = text.split("\n")
    section = "neutral"
    section_by_line: list[str] = []
    label_by_line: list[str | None] = []
    intro_by_line: list[str | None] = []  # a list introduced by "You'll need:" / "You may also need:"
    intro: str | None = None
    for line in lines:
        kind, rest = _heading(line)
        stripped = line.strip()
        if kind is not None and not rest:
            section, intro = kind, None
        elif kind is None and stripped and stripped[0] not in _BULLET + "*":
            intro = None
            if stripped.endswith(":"):
                cues = _cues(stripped)
                if cues:
                    intro = "desirable" if any(c[3] == "desirable" for c in cues) else "required"
        label_by_line.append(kind if kind != "neutral" else None)
        section_by_line.append(section)
        intro_by_line.append(intro)
    sentences_of: dict[int, list[tuple[int, int, list]]] = {}

    def sentences(line_no: int) -> list[tuple[int, int, list]]:
        if line_no not in sentences_of:
            line, spans, position = lines[line_no], [], 0
            for sentence in _SENTENCE_SPLIT.split(line):
                begin = line.find(sentence, position)
                position = begin + len(sentence)
                spans.append((begin, position, _cues(sentence)))
            sentences_of[line_no] = spans
        return sentences_of[line_no]

    out = []
    for mention in mentions:
        line_no = bisect.bisect_right(line_starts, mention.start) - 1
        offset = mention.start - line_starts[line_no]
        importance = sentence = None
        spans = sentences(line_no)
        k = bisect.bisect_right([s[0] for s in spans], offset) - 1
        if k >= 0 and spans[k][0] <= offset < spans[k][1]:
            begin, end, cues = spans[k]
            sentence = lines[line_no][begin:end]
            importance = _nearest_cue(cues, offset - begin, offset - begin + (mention.end - mention.start))
        intro = intro_by_line[line_no]
        if intro == "desirable" and not (sentence and _HARD_REQUIRED_CUE.search(sentence)):
            importance = "desirable"
        if importance is None:
            importance = intro or label_by_line[line_no] or section_by_line[line_no]
        out.append("uncued" if importance == "neutral" else importance)
    return out


def decide_requirements(text: str, extractor: SkillExtractor, *, title: str = "") -> RequirementDecision:
    """Which skills a vacancy ``text`` requires, as a recruiter would read it: the one place this is decided.

    The skills the vacancy's ``title`` names ("Data Science ML Engineer" → Data science, Machine learning) are the
    role itself: they are required even where the description never repeats them (a posting's body is often the
    employer's generic boilerplate), soft skills excepted, and no cap removes them.

    Per mention, the cue word nearest to it in its sentence decides (required: must, required, essential,
    mandatory, "N+ years", you'll need, proficient, strong, solid, expert …; desirable: desirable, nice to
    have, a plus, bonus, preferred, familiarity, ideally, may, could, might, other tools …); with no cue, a
    list introduced by a cued line ("You'll need:", "You may also need:") decides — a "may" introduction even
    over "strong" in the item, only must/required/essential/mandatory beating it — then a ``Label: …`` prefix,
    then the latest heading above (Requirements, Essential, Must have, What you'll need, Qualifications, About
    you … make lines required; Desirable, Nice to have, Bonus make them desirable; Responsibilities, Skills,
    Salary … say nothing).  A skill is required when any mention is; a skill with no cue and no heading is
    desirable.  Then, in this order:

    * soft skills (category ``"soft"``: communication, teamwork …) are desirable, never required;
    * when more than :data:`MAX_UNCUED_REQUIRED` skills are required (a career article naming many skills),
      the 10 most mentioned stay required (ties: the earliest first mention) and ``capped`` is set;
    * when fewer than :data:`MIN_REQUIRED` are required but the text names at least that many non-soft skills,
      the most mentioned skills with no cue at all are promoted (a skill the text calls desirable stays so).
    """
    mentions = extractor.find(text)
    soft = extractor.soft
    named = role_skills([title], extractor) if title else []
    if not mentions:
        return RequirementDecision(dict.fromkeys(named, "required"), False, dict.fromkeys(named, 1))
    counts = mention_counts(mentions)
    first: dict[str, int] = {}
    state: dict[str, str] = {}
    rank = {"required": 2, "desirable": 1, "uncued": 0}
    for mention, importance in zip(mentions, _mention_importance(text, mentions)):
        first.setdefault(mention.skill, mention.start)
        if rank[importance] >= rank[state.get(mention.skill, "uncued")]:
            state[mention.skill] = importance

    def strongest(names: Iterable[str]) -> list[str]:
        return sorted(names, key=lambda name: (-counts[name], first[name]))

    required = [name for name, kind in state.items() if kind == "required" and name not in soft]
    capped = len(required) > MAX_UNCUED_REQUIRED
    if capped:
        required = strongest(required)[:MAX_UNCUED_REQUIRED]
    technical = [name for name in state if name not in soft]
    if len(required) < MIN_REQUIRED <= len(technical):
        uncued = strongest(name for name in technical if state[name] == "uncued")
        required += uncued[: MIN_REQUIRED - len(required)]
    chosen = set(required) | set(named)
    importance = {name: "required" if name in chosen else "desirable" for name in state}
    importance.update(dict.fromkeys(named, "required"))
    return RequirementDecision(importance, capped, {name: counts.get(name, 1) for name in importance})


def extract_requirements(text: str, extractor: SkillExtractor) -> dict[str, str]:
    """Skill → ``"required"`` or ``"desirable"`` for every skill ``extractor`` finds in a vacancy ``text``, as
    :func:`decide_requirements` decides (use that when you also need to know whether the list was capped)."""
    return decide_requirements(text, extractor).importance


# ------------------------------------------------------------------------------------------- years of experience
_MONTHS = {
    "jan": 1,
    "feb": 2,
    "mar": 3,
    "apr": 4,
    "may": 5,
    "jun": 6,
    "jul": 7,
    "aug": 8,
    "sep": 9,
    "oct": 10,
    "nov": 11,
    "dec": 12,
}
_MONTH_RE = (
    r"(?:jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?|sep(?:t(?:ember)?)?|"
    r"oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)\.?"
)
_DATE_RE = rf"(?:{_MONTH_RE}[\s,'’-]*(?:(?:19|20)\d{{2}}|[’']\d{{2}})|\d{{1,2}}[/.-](?:19|20)\d{{2}}|(?:19|20)\d{{2}})"
_PRESENT_RE = r"(?:present|current(?:ly)?|now|today|till\s+(?:date|now)|to\s+date|ongoing|date)"
_RANGE_RE = re.compile(
    rf"(?<![\w/.-])(?P<start>{_DATE_RE})\s*(?:-|–|—|~|to|till|until|through|thru)\s*"
    rf"(?P<end>{_PRESENT_RE}|{_DATE_RE}|\d{{2}})(?![\w/])(?![-.]\d)",
    re.IGNORECASE,
)
_NUMBER_WORDS = {
    "one": 1,
    "two": 2,
    "three": 3,
    "four": 4,
    "five": 5,
    "six": 6,
    "seven": 7,
    "eight": 8,
    "nine": 9,
    "ten": 10,
    "eleven": 11,
    "twelve": 12,
    "thirteen": 13,
    "fourteen": 14,
    "fifteen": 15,
    "twenty": 20,
}
_NUM_RE = r"\d{1,2}(?:\.\d)?|" + "|".join(_NUMBER_WORDS)
_YEARS_RE = re.compile(
    rf"(?<![\w.])(?:(?P<low>{_NUM_RE})\s*(?:-|–|to)\s*)?(?P<n>{_NUM_RE})\s*\+?\s*(?:plus\s+)?(?:years?|yrs?)\b",
    re.IGNORECASE,
)
_AGE_BEFORE = re.compile(r"\b(?:age[ds]?|aged)\s*[:\-–]?\s*$", re.IGNORECASE)
_AGE_AFTER = re.compile(r"^\s*(?:old\b|of\s+age\b)", re.IGNORECASE)
_EXPERIENCE_WORDS = re.compile(
    r"\b(?:experience[ds]?|exp\b|worked|working|career|industry|professional)", re.IGNORECASE
)
_EDUCATION_LINE = re.compile(
    r"\b(?:university|college|school|institute|academy|education|graduated|degree|"
    r"hsc|ssc|cbse|board)\b",
    re.IGNORECASE,
)
# Dates that are never work history: birth, age, graduation, a company's founding.
_NOT_WORK_DATE = re.compile(
    r"\b(?:date\s+of\s+birth|d\.?o\.?b\.?|birth\s*(?:date|day)|born|age[ds]?|aged|years?\s+old|passed\s+out|"
    r"pass(?:ing)?\s+year|year\s+of\s+(?:passing|graduation)|class\s+of|batch\s+of|graduat\w*|"
    r"founded|established|estd\.?|incorporated|in\s+business\s+since)\b",
    re.IGNORECASE,
)
# A job-title word or an employer word: a date range on (or beside) such a line is a job's period.
_ROLE_CONTEXT = re.compile(
    r"\b(?:engineers?|developers?|analysts?|scientists?|interns?|internship|trainee|managers?|consultants?|"
    r"lead|associates?|executives?|officers?|administrators?|architects?|designation|"
    r"work(?:ed|ing)\s+(?:at|as|for|with)|employed|employer|company|organi[sz]ation)\b",
    re.IGNORECASE,
)
_HEADING_LINE = re.compile(r"^[\s#*•▪➢\-–_=|]*(?P<label>[A-Za-z][A-Za-z &/()-]{1,48}?)[\s*:\-–_=|]*$")
_EXPERIENCE_HEADING = re.compile(
    r"^(?:(?:work|professional|employment|career|relevant|industry|industrial|total|job|it)\s+)*"
    r"(?:experience|employment(?:\s+history)?|work\s+history|career\s+history|employment\s+record|"
    r"company\s+details|employment\s+details|experience\s+details|work\s+details|"
    r"organi[sz]ational\s+experience)"
    r"(?:\s+(?:summary|details|history))?$",
    re.IGNORECASE,
)
_OTHER_HEADING = re.compile(
    r"^(?:(?:educational|academic|technical|key|core|personal|professional|it|computer|soft|other|major|"
    r"academic\s+and\s+professional)\s+)*"
    r"(?:education(?:al)?(?:\s+(?:details|qualifications?|background))?|academics?|qualifications?|"
    r"academic\s+(?:details|profile|qualifications?|record)|skills?(?:\s+(?:details|set|summary))?|skillset|"
    r"projects?(?:\s+(?:details|undertaken|handled|profile))?|certifications?|certificates|achievements?|"
    r"awards?|personal\s+(?:details|information|profile|data)|hobbies|interests|languages(?:\s+known)?|"
    r"declaration|summary|profile(?:\s+summary)?|objective|career\s+objective|trainings?|strengths?|"
    r"extra[\s-]curricular\s+activities|activities|publications|references|courses|competencies|expertise|"
    r"areas?\s+of\s+expertise)$",
    re.IGNORECASE,
)
_GLUED_HEADING = re.compile(
    r"(?<=[a-z0-9])(?P<label>Company\s+Details|Education\s+Details|Skill\s+Details|"
    r"Project\s+Details)\s*$"
)


def _parse_date(value: str, today: date, is_end: bool, start_year: int | None = None) -> int | None:
    """Month index (year*12 + month-1) of a date string, or None when it is not a plausible date."""
    value = value.strip().lower()
    if re.fullmatch(_PRESENT_RE, value, re.IGNORECASE):
        return today.year * 12 + today.month - 1
    month = 1
    match = re.match(r"([a-z]+)", value)
    if match:
        month = _MONTHS.get(match.group(1)[:3], 1)
    numbers = re.findall(r"\d+", value)
    if not numbers:
        return None
    year_text = numbers[-1]
    if len(numbers) == 2 and not match:
        month = int(numbers[0])
        if not 1 <= month <= 12:
            return None
    if len(year_text) == 2:
        if start_year is None:
            return None
        year = start_year // 100 * 100 + int(year_text)
        if year < start_year:
            year += 100
    else:
        year = int(year_text)
    if not 1950 <= year <= today.year + 1:
        return None
    return year * 12 + month - 1


def _section_heading(line: str) -> str | None:
    """``"experience"``, ``"education"`` or ``"other"`` when ``line`` is a CV section heading, else None."""
    # Never a heading: tested before the regex, which most (long) lines would fail anyway.
    if len(line.strip()) > 60:
        return None
    match = _HEADING_LINE.match(line)
    if not match:
        return None
    label = re.sub(r"\s+", " ", match.group("label").strip(" -–&/"))
    if _EXPERIENCE_HEADING.match(label):
        return "experience"
    if _OTHER_HEADING.match(label):
        return (
            "education"
            if re.match(
                r"(?:educational|academic)?\s*(?:education|academic|qualification)", label, re.IGNORECASE
            )
            else "other"
        )
    return None


def _work_history_lines(lines: list[str], wanted: Iterable[int] | None = None) -> list[bool]:
    """For each line (or only those of ``wanted``, the others False), whether a date range on it reads as a job's
    period: the line is inside an experience section (``Experience``, ``Work Experience``, ``Employment History``,
    ``Company Details`` … until the next heading), or, outside an education section, a job-title or employer word
    is on it or on the nearest non-empty line above or below."""
    sections: list[str | None] = []
    section: str | None = None
    for line in lines:
        kind = _section_heading(line)
        if kind is not None:
            section = kind
        sections.append(section)
        # _GLUED_HEADING is case-sensitive and each of its matches ends in "Details": other lines are not searched.
        glued = _GLUED_HEADING.search(line) if "Details" in line else None
        if glued:  # "…Less than 1 year monthsCompany Details": the heading starts the next line's section
            section = _section_heading(glued.group("label")) or section
    role: dict[int, bool] = {}  # line → a job-title or employer word on it (searched once)

    def has_role(i: int) -> bool:
        if i not in role:
            role[i] = bool(_ROLE_CONTEXT.search(lines[i]))
        return role[i]

    def nearest(i: int, step: int) -> int | None:
        i += step
        while 0 <= i < len(lines):
            if lines[i].strip():
                return i
            i += step
        return None

    work = [False] * len(lines)
    for i in range(len(lines)) if wanted is None else wanted:
        if not lines[i].strip() or sections[i] == "education":
            continue
        if sections[i] == "experience":
            work[i] = True
            continue
        work[i] = any(j is not None and has_role(j) for j in (nearest(i, -1), i, nearest(i, 1)))
    return work


# Every match of _RANGE_RE holds two digits in a row (its start date: a year, or an apostrophe and two digits), and
# every match of _YEARS_RE the letters "year" or "yr" in any case (neither pattern's letters have a non-ASCII case
# fold, ``_FOLDS_TO_ASCII``; ``\d`` is the same class of Unicode digits in both patterns): a line or a sentence
# without them is not searched.
_TWO_DIGITS = re.compile(r"\d\d")
_YEAR_WORD = re.compile(r"year|yr", re.IGNORECASE)


def extract_years_experience(text: str, today: date) -> float | None:
    """Total years of work experience in a CV, as a float rounded to 1 decimal, or None when nothing is found.

    Two readings, the larger wins:

    (a) date ranges from the work history (``Jan 2015 - Mar 2018``, ``2015-2018``, ``2019 to present``,
        ``06/2017 – current``, ``Mar 2019 - Till date``), overlapping ranges merged, year-only dates read as
        January (so ``2015-2018`` is 3.0 years), open ends read as ``today``.  A range counts only inside an
        experience section (``Experience``, ``Employment History``, ``Company Details`` … until the next
        heading) or beside a role (a job-title or employer word on its line or the nearest line above or
        below), never in an education section nor on a line about education, a birth date, an age, a
        graduation or a company's founding; an ISO date (``1993-12-20``) is not a range, and a single date
        never counts;
    (b) statements such as ``5 years``/``7+ years of experience`` in a sentence about experience or work (the
        lower end of a range such as ``3-5 years``); ages (``32 years old``, ``Age: 32 years``) are not
        experience.

    Values over 50 years are ignored.
    """
    intervals: list[tuple[int, int]] = []
    lines = _lines(text)
    ranged = {}  # line → its date ranges; the work history is read only when some line has one
    for i, line in enumerate(lines):
        if _TWO_DIGITS.search(line):
            found = list(_RANGE_RE.finditer(line))
            if found:
                ranged[i] = found
    work = _work_history_lines(lines, ranged) if ranged else []
    for i, found in ranged.items():
        line = lines[i]
        if not work[i] or _NOT_WORK_DATE.search(line) or _EDUCATION_LINE.search(line):
            continue
        if extract_qualifications(line):
            continue
        for m in found:
            start = _parse_date(m.group("start"), today, is_end=False)
            if start is None:
                continue
            end = _parse_date(m.group("end"), today, is_end=True, start_year=start // 12)
            if end is None or end < start or end - start > 50 * 12:
                continue
            intervals.append((start, end))
    from_ranges = None
    if intervals:
        intervals.sort()
        total = 0
        cur_start, cur_end = intervals[0]
        for start, end in intervals[1:]:
            if start <= cur_end:
                cur_end = max(cur_end, end)
            else:
                total += cur_end - cur_start
                cur_start, cur_end = start, end
        total += cur_end - cur_start
        from_ranges = total / 12
    from_statements = None
    sentences = re.split(r"(?<=[.!?;])\s+|\n", text) if _YEAR_WORD.search(text) else []
    for sentence in sentences:
        if not _YEAR_WORD.search(sentence) or not _EXPERIENCE_WORDS.search(sentence):
            continue
        for m in _YEARS_RE.finditer(sentence):
            if _AGE_BEFORE.search(sentence[: m.start()]) or _AGE_AFTER.match(sentence[m.end() :]):
                continue
            raw = (m.group("low") or m.group("n")).lower()
            value = float(_NUMBER_WORDS.get(raw, 0) or raw)
            if 0 < value <= 50 and (from_statements is None or value > from_statements):
                from_statements = value
    candidates = [v for v in (from_ranges, from_statements) if v is not None]
    if not candidates:
        return None
    return round(max(candidates), 1)


# ------------------------------------------------------------------------------------------------------ misc
_MIN_YEARS_RE = re.compile(
    rf"(?:\b(?:at\s+least|a\s+minimum\s+of|minimum(?:\s+of)?|min\.?|more\s+than|over)\s+(?P<a>{_NUM_RE})\s*\+?\s*"
    rf"(?:years?|yrs?)\b)"
    rf"|(?:(?<![\w.])(?P<b>{_NUM_RE})\s*(?:\+|\s+or\s+more|\s+plus)\s*(?:years?|yrs?)\b)",
    re.IGNORECASE,
)


def extract_min_years_required(text: str) -> float | None:
    """The minimum years of experience a vacancy asks for, or ``None`` when it states none.

    Only explicit minimums count — "at least 3 years", "a minimum of five years", "5+ years of experience",
    "3 or more years" — in a sentence that speaks of experience; a range in a salary sentence ("with three to
    five years experience, this can rise to £50,000") is not a requirement.  The smallest minimum stated wins.
    """
    found: list[float] = []
    for sentence in re.split(r"(?<=[.!?;])\s+|\n", text):
        if not _EXPERIENCE_WORDS.search(sentence):
            continue
        for m in _MIN_YEARS_RE.finditer(sentence):
            raw = (m.group("a") or m.group("b")).lower()
            value = float(_NUMBER_WORDS.get(raw, 0) or raw)
            if 0 < value <= 30:
                found.append(value)
    return min(found) if found else None


# Text ``ftfy.fix_text`` returns unchanged (ftfy 6.3, pinned; ``tests/matching/test_extraction.py`` checks): tab, line
# feed and printable ASCII but "&".  Each of its steps with its default configuration leaves such text alone: HTML
# entities need "&"; the encoding fix returns ASCII text as it is (``possible_encoding(text, "ascii")``); C1
# controls, ligatures, full-width forms, curly quotes, surrogates and the line separators U+2028/U+2029/U+0085 are
# not ASCII; CR (line breaks) and ESC (terminal escapes) and the other control characters it removes (U+00–U+08,
# U+0B, U+0E–U+1F, U+7F) are excluded; NFC leaves ASCII as it is.
_FTFY_UNCHANGED = re.compile(r"[\t\n\x20-\x25\x27-\x7e]*")


def repair_needs_ftfy(text: str) -> bool:
    """Whether ``repair_text`` runs ftfy on ``text``: False for text ftfy returns unchanged (tab, line feed and
    printable ASCII but "&"), which is repaired in microseconds."""
    return not _FTFY_UNCHANGED.fullmatch(text)


def repair_text(text: str) -> str:
    """Repair mojibake with ``ftfy.fix_text`` (e.g. ``NaÃ¯ve`` → ``Naïve``, ``â€¢`` → ``•``), then normalise:
    CRLF/CR → LF, NULs removed, no-break spaces → spaces, trailing whitespace cut from each line.  Line
    structure is kept (one output line per input line).  Text ftfy would return unchanged (plain ASCII without
    "&" or control characters) is not given to it: ftfy costs about a millisecond per CV."""
    if not text:
        return ""
    if not repair_needs_ftfy(text):
        fixed = text
    else:
        import ftfy  # imported lazily: only callers that repair text need it

        fixed = ftfy.fix_text(text, normalization="NFC")
    fixed = fixed.replace("\r\n", "\n").replace("\r", "\n").replace("\x00", "").replace("\u00a0", " ")
    return "\n".join(line.rstrip() for line in fixed.split("\n"))


def vocabulary_version(entries: Iterable[SkillEntry]) -> str:
    """A short stable hash (12 hex characters of SHA-256) of a vocabulary: the same entries in any order, with
    aliases in any order, give the same version; any change to a name, alias, category, flag or broader skill
    changes it."""
    canonical = sorted(
        (e.name, e.category, sorted(e.aliases), bool(e.ambiguous), sorted(e.broader)) for e in entries
    )
    payload = json.dumps(canonical, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(payload.encode("utf-8")).hexdigest()[:12]
