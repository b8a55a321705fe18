"""Display names of candidates: the one rule every page, export and API field uses to name a person.

A candidate is shown by, in this order:

1. the name on their profile (``Candidate.name``: typed by the candidate, a recruiter or an import's name column);
2. the name read from the first lines of their CV (``Candidate.cv_name``, set by ``name_from_cv`` whenever the CV
   text changes);
3. a readable form of the file name the CV came from (``Candidate.reference`` of a file import, e.g.
   ``jane_doe-cv`` → "Jane Doe"), when it reads like a name rather than a generated id;
4. otherwise a neutral label naming where the record came from and its number ("Data Science candidate 17",
   "Portal candidate 3") — never a generated reference such as ``cv-179b9b5735af`` or ``user-3``.

Blind review (``recruiting.workspace.blind.conceals``) hides every one of these until a candidate is revealed (moved past "applied").  The name
read from a CV is personal data like the profile name: the candidate's data export includes it and erasure clears
it.  Pure functions: strings in, strings out; no database.
"""

from __future__ import annotations

import re

#: How many non-empty lines from the top of a CV are looked at for the name.
NAME_LINES = 6
NAME_MAX_CHARS = 200

_EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
_URL = re.compile(
    r"(?:https?://|www\.)\S+|\b[\w-]+\.(?:com|org|net|io|dev|me|co|uk|de|fr|in)\b", re.IGNORECASE
)
_DIGITS = re.compile(r"\d")
# Words that make a line a heading, a label or a description, never a person's name.
_NOT_NAME_WORDS = {
    "curriculum",
    "vitae",
    "cv",
    "resume",
    "résumé",
    "profile",
    "summary",
    "objective",
    "contact",
    "details",
    "personal",
    "information",
    "skills",
    "experience",
    "education",
    "address",
    "phone",
    "mobile",
    "tel",
    "email",
    "e-mail",
    "linkedin",
    "github",
    "portfolio",
    "street",
    "road",
    "avenue",
    "lane",
    "city",
    "india",
    "engineer",
    "developer",
    "scientist",
    "analyst",
    "manager",
    "consultant",
    "intern",
    "student",
    "data",
    "science",
    "machine",
    "learning",
    "software",
    "senior",
    "junior",
    "lead",
    "company",
    "university",
    "college",
    "school",
    "technologies",
    "languages",
    "programming",
    "python",
    "java",
    "project",
    "projects",
    "work",
    "career",
    "about",
    "me",
    "name",
    "page",
    "of",
    "the",
    "and",
    "for",
    "in",
    "at",
    "with",
    "to",
    "pvt",
    "ltd",
    "limited",
    "inc",
    "llp",
    "floor",
    "nagar",
    "flat",
    "house",
    "apartment",
    "district",
    "state",
    "pin",
    "zip",
    "code",
    "date",
    "birth",
    "nationality",
    "gender",
    "male",
    "female",
    "married",
    "single",
    "description",
    "responsibilities",
    "declaration",
    "hobbies",
    "interests",
    "certification",
    "skill",
    "set",
    "sets",
    "competencies",
    "expertise",
    "proficiency",
    "knowledge",
    "computer",
    "computers",
    "basic",
    "general",
    "technical",
    "database",
    "infrastructure",
    "language",
    "studio",
    "management",
    "generation",
    "chess",
    "worker",
    "key",
    "core",
    "areas",
    "strengths",
    "achievements",
    "training",
    "tools",
    "technology",
    "professional",
    "academic",
    "qualification",
    "qualifications",
    "board",
    "sap",
    "oracle",
    "microsoft",
    "google",
    "cloud",
    "web",
    "designer",
    "tester",
    "center",
    "centre",
    "designs",
    "architecture",
    "ms",
    "office",
    "sql",
    "shell",
    "scripts",
    "windows",
    "domain",
    "linux",
    "administrator",
    "architect",
    "trainer",
    "team",
    "leader",
    "network",
    "security",
}
# Endings of English nouns and adjectives that are rarely the end of a name ("Process Improvements", "Playing").
_NOT_NAME_ENDINGS = (
    "tion",
    "tions",
    "sion",
    "ment",
    "ments",
    "ness",
    "ity",
    "ities",
    "ies",
    "ing",
    "ings",
    "ence",
    "ance",
    "ical",
    "ive",
    "ledge",
    "ship",
    "ware",
    "ology",
    "ics",
)
# A heading line above the name: "Curriculum Vitae", "Resume", "CV", "Personal details".
_HEADING = re.compile(
    r"^\W*(?:curriculum\s+vitae|r[ée]sum[ée]|cv|bio[\s-]?data|personal\s+(?:details|information|"
    r"profile)|contact(?:\s+(?:details|information))?)\W*$",
    re.IGNORECASE,
)
# Field labels before a name: "Name: Jane Doe".
_NAME_LABEL = re.compile(r"^\s*(?:full\s+)?name\s*[:\-–]\s*", re.IGNORECASE)
_NAME_WORD = re.compile(r"^[^\W\d_]+(?:[-'’.][^\W\d_]+)*\.?$")
# Generated references: "cv-179b9b5735af", "user-3", a hash, a number.
_GENERATED = re.compile(
    r"^(?:cv|user|candidate|resume|applicant)[-_ ]?[0-9a-f]*$|^[0-9a-f]{8,}$|^\d+$", re.IGNORECASE
)
_STEM_NOISE = {
    "cv",
    "resume",
    "résumé",
    "curriculum",
    "vitae",
    "final",
    "new",
    "updated",
    "latest",
    "copy",
    "v1",
    "v2",
    "v3",
    "draft",
    "doc",
    "document",
    "en",
    "english",
}


def _as_name(line: str) -> str:
    """``line`` as a person's name ("Jane van der Berg"), or "" when it does not read like one."""
    line = _NAME_LABEL.sub("", line.strip())
    line = re.sub(r"\s+", " ", line.strip(" \t|•·*-–—,;:"))
    if not line or len(line) > 60 or _EMAIL.search(line) or _URL.search(line) or _DIGITS.search(line):
        return ""
    words = line.split(" ")
    if not 2 <= len(words) <= 5:
        return ""
    if any(not _NAME_WORD.match(w) for w in words):
        return ""
    lowered = [w.lower().strip(".") for w in words]
    if any(w in _NOT_NAME_WORDS or (len(w) > 4 and w.endswith(_NOT_NAME_ENDINGS)) for w in lowered):
        return ""
    # One letter is an initial ("J. Doe"), never a bare letter ("R Studio"); a sentence ends with a full stop.
    if any(len(w) == 1 for w in words) or (words[-1].endswith(".") and len(words[-1]) > 2):
        return ""
    # Particles ("van", "de", "al") may be lower case; the other words start with a capital letter.
    capitals = [w for w in words if w[0].isupper()]
    if len(capitals) < 2 or any(not w[0].isupper() and len(w) > 3 for w in words):
        return ""
    if line.isupper():
        line = re.sub(r"[^\W\d_]+", lambda m: m.group(0).capitalize(), line)  # O'NEILL → O'Neill
    return line[:NAME_MAX_CHARS]


def name_from_cv(text: str) -> str:
    """The candidate's name read from the top of a CV, or "" when none reads like a name.

    Only where a name is written on a CV is looked at, within the first ``NAME_LINES`` non-empty lines: the
    first line that is not a heading ("Curriculum Vitae", "Resume"), contact details or an address (a line with
    an e-mail or web address or a digit) — or a part of it between ``|``, ``•`` or wide gaps — and a line
    labelled "Name:".  A candidate line must be two to five
    name-like words (letters, hyphens, apostrophes; an all-capitals name is title-cased) with no e-mail address,
    web address, digit (phones, addresses, dates) or heading/label/job word ("Contact details", "Data Scientist",
    "Skill Set").  A CV that starts with its skills or a summary gives "" rather than a guess.
    """
    lines = [raw.strip() for raw in (text or "").splitlines() if raw.strip()][:NAME_LINES]
    candidates: list[str] = []
    top = True  # no line so far but headings, contact details and addresses
    for line in lines:
        if _NAME_LABEL.match(line):
            candidates.append(line)
        elif top:
            candidates.extend(re.split(r"\s[|•·]\s|\t|\s{3,}", line))
            top = bool(
                _HEADING.match(line) or _EMAIL.search(line) or _URL.search(line) or _DIGITS.search(line)
            )
    for part in candidates:
        name = _as_name(part)
        if name:
            return name
    return ""


def name_from_reference(reference: str) -> str:
    """A readable name from a file name stem (``jane_doe-cv`` → "Jane Doe"), or "" for a generated reference
    (``cv-179b9b5735af``, ``user-3``, a hash or a number) or a stem that does not read like a name."""
    stem = (reference or "").strip()
    if not stem or _GENERATED.match(stem):
        return ""
    words = [w for w in re.split(r"[\s_.\-]+", stem) if w and w.lower() not in _STEM_NOISE]
    words = [w for w in words if not _DIGITS.search(w)]
    if not words:
        return ""
    return _as_name(" ".join(w if w[:1].isupper() else w.capitalize() for w in words))


def display_name(
    *,
    name: str = "",
    cv_name: str = "",
    reference: str = "",
    source: str = "",
    source_label: str = "",
    pk: int | None = None,
) -> str:
    """The name a candidate is shown by (see the module docstring for the order).  Never empty, never a
    generated reference: the last resort is "<source label or source> candidate <pk>"."""
    for value in (name, cv_name, name_from_reference(reference)):
        if value and value.strip():
            return value.strip()[:NAME_MAX_CHARS]
    origin = (source_label or "").strip() or {"portal": "Portal", "api": "API", "import": "Imported"}.get(
        source, (source or "").strip().capitalize() or "Unnamed"
    )
    return f"{origin} candidate {pk}" if pk is not None else f"{origin} candidate"


def candidate_display_name(candidate) -> str:
    """``display_name`` of a ``recruiting.models.Candidate`` (reads only its name, cv_name, reference, source,
    source_label and pk; never its CV text)."""
    return display_name(
        name=candidate.name,
        cv_name=getattr(candidate, "cv_name", ""),
        reference=candidate.reference,
        source=candidate.source,
        source_label=candidate.source_label,
        pk=candidate.pk,
    )
