"""Fairness: what the engine must never see, and selection rates by group.

``neutralise`` removes from a text, before any skill extraction or TF-IDF vectorisation, what must never be a
feature of a match score: names, e-mail addresses, phone numbers, web addresses, ages and dates of birth,
gendered words (pronouns, honorifics, family roles), marital status, nationality and addresses (labelled, or
street addresses anywhere: ``remove_addresses``).  The same
function is applied to CVs and vacancies, so both sides are tokenised alike.

Limits (documented, tested): a name is removed when it is the candidate's stored name or follows a label such
as "Name:"; an unlabelled name elsewhere is not recognised here, but the word TF-IDF model ignores words found
in fewer than two CVs of the pool (``matching.scoring``), so a person's unique name cannot carry weight.

``selection_rates`` implements the four-fifths rule of the US Uniform Guidelines on Employee Selection
Procedures (29 CFR § 1607.4(D)): a group whose selection rate is below 80 % of the highest group's rate
shows adverse impact.  Pure code; no Django imports.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

_LABELS = (
    r"(?:full\s+)?name|candidate\s+name|date\s+of\s+birth|d\.?\s?o\.?\s?b\.?|birth\s*date|born|age|gender|sex|"
    r"marital\s+status|civil\s+status|nationality|citizenship|religion|caste|ethnicity|race|"
    r"(?:permanent\s+|current\s+|postal\s+|home\s+|residential\s+)?address|father'?s\s+name|mother'?s\s+name|"
    r"husband'?s\s+name|wife'?s\s+name|spouse(?:'?s\s+name)?|passport(?:\s+no\.?|\s+number)?|"
    r"e-?mail(?:\s+id)?|phone|mobile|contact(?:\s+no\.?)?|photo"
)
# "Label: value" up to the end of the line (the value is what must go).
_LABELLED = re.compile(rf"(?im)^[\s\-•*➢✓]*(?:{_LABELS})\s*[:\-–]\s*[^\n]*$")
# Starts only where a run of address characters starts (same matches, no retry from inside every word).
_EMAIL = re.compile(r"(?<![\w.+-])[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
_URL = re.compile(r"(?i)\b(?:https?://|www\.)\S+")
_PHONE = re.compile(r"(?<!\w)\+?\d[\d\s().-]{7,}\d(?!\w)")  # kept only with ≥ 9 digits: not "2015 - 2018"
# A phone number that is removed holds nine digits with only _PHONE's other characters between them (a character
# of ``[\s().+-]`` is never ``isdigit``): a text without such a run is not searched for phone numbers.
_NINE_DIGITS = re.compile(r"\d(?:[\s().-]*\d){8}")
_AGE = re.compile(
    r"(?i)\b(?:aged?\s*[:\-]?\s*\d{1,2}(?:\s*(?:years?|yrs?))?|\d{1,2}\s*(?:years?|yrs?)\s+old)\b"
)
_DATE_OF_BIRTH = re.compile(r"(?i)\bborn\s+(?:on|in)\s+[^\n.,;]*")

# Street addresses without a label (issue 16, finding 10).  No offline address detector on PyPI fits: pyap2
# (US/CA/UK, regex-based) finds only complete addresses with a postcode — not "12 Secret Lane" alone, nor
# "Hauptstraße 5" — and took 15 s on a 200,000-character CV; libpostal-based parsers need model files.  So:
# a house number then a street name ending in a street word (UK/US/IE/AU "12 Secret Lane", "1600 Pennsylvania
# Avenue NW"); a French street word between the number and the name ("12 rue de la Paix"); a street name with a
# German, Dutch or Nordic street suffix, or after an Italian, Spanish or Portuguese street word, then the number
# ("Hauptstraße 5", "Via Roma 12"); each with the town, postcode or state and ZIP that follow it.  UK postcodes
# ("SW1A 1AA") go anywhere.  Capitalised street names only, so "Led a team of 12 engineers" stays.
_STREET_WORDS = (
    r"Street|Road|Lane|Avenue|Boulevard|Drive|Close|Court|Crescent|Place|Way|Terrace|Square|Gardens|"
    r"Grove|Mews|Row|Parkway|Highway|Circle|Alley|Broadway|Wharf|Quay|Embankment"
)
# Abbreviations only where no capitalised word follows: "St. Teresa's Convent" is a saint, not a street.
_STREET_ABBREVIATIONS = r"St|Rd|Ln|Ave|Av|Blvd|Dr|Ct|Cres|Pl|Tce|Sq|Pkwy|Hwy|Cir"
_NAME_WORD = r"[A-Z][A-Za-z'’.-]*"
_UK_POSTCODE = r"(?:[A-Z]{1,2}\d[A-Z\d]?|GIR)[ \t]\d[A-Z]{2}(?!\w)"
_TOWN_WORD = r"[A-ZÀ-Ý][A-Za-zÀ-ÿ'’.-]*(?!\w)"
_TOWN_AND_CODE = (
    rf"(?:,[ \t]*(?:\d{{4,5}}[ \t]+)?{_TOWN_WORD}(?:[ \t]{_TOWN_WORD}){{0,2}})?"  # town, EU postcode first
    rf"(?:,?[ \t]*(?:[A-Z]{{2}}[ \t]\d{{5}}(?:-\d{{4}})?(?!\w)|{_UK_POSTCODE}))?"  # state and ZIP, UK postcode
)
_STREET_SUFFIX = (
    r"(?i:straße|strasse|str\.|weg|gasse|platz|allee|damm|ufer|chaussee|straat|laan|gracht|plein|kade|"
    r"vej|gatan|gade|veien|vägen|katu)"
)
_STREET_BEFORE = r"(?:Via|Viale|Piazza|Corso|Calle|Carrer|Avenida|Plaza|Paseo|Rua|Praça)"
# Each entry: the street words one of which the lower-cased text must hold (or None); a pattern every match of the
# address pattern holds a match of (a part of it with the same flags: a text without one is not searched by the whole
# pattern, which is slower to fail), or None; and the address pattern.
# Each pattern starts with a character class (no look-behind first), so the regex engine skips ahead to the
# candidates; the look-behind that keeps "v2.12 Road…" or "A1-SW1A 1AA" out comes right after it.
_ADDRESS_PATTERNS = (
    # the house number first: "12 Secret Lane", "1600 Pennsylvania Avenue NW", "12 rue de la Paix"
    (
        None,
        None,
        re.compile(
            r"\d(?<![\w.,/-]\d)\d{0,4}[A-Za-z]?(?:[-–]\d{1,5})?,?[ \t]{1,2}(?:"
            rf"(?:{_NAME_WORD}[ \t]){{1,3}}(?:(?:{_STREET_WORDS})(?![\w'’])|(?:{_STREET_ABBREVIATIONS})\.?"
            r"(?![\w'’])(?!\.?[ \t]+[A-Z][a-z]))\.?(?:[ \t](?:N|S|E|W|NE|NW|SE|SW)(?!\w))?"
            r"|(?i:rue|avenue|boulevard|bd|place|chemin|allée|allee|impasse|quai|route|cours)[ \t]"
            r"(?:(?:de|du|des|la|le|les)[ \t]|[dl]['’])*[A-ZÀ-Ý][\w'’-]*(?:[ \t][A-ZÀ-Ý][\w'’-]*){0,3}"
            rf"){_TOWN_AND_CODE}"
        ),
    ),
    # a street suffix, then the number: "Hauptstraße 5", "Karl-Marx-Straße 12", "Kerkstraat 10"
    (
        (
            "straße",
            "strasse",
            "str.",
            "weg ",
            "gasse",
            "platz",
            "allee",
            "damm",
            "ufer",
            "chaussee",
            "straat",
            "laan",
            "gracht",
            "plein",
            "kade",
            "vej ",
            "gatan",
            "gade",
            "veien",
            "vägen",
            "katu",
        ),
        None,  # (a pattern of the suffixes alone, case-insensitive, is slower than the address pattern)
        re.compile(
            rf"[A-ZÄÖÜ](?<![\w-][A-ZÄÖÜ])[A-Za-zÄÖÜäöüß-]{{0,40}}?{_STREET_SUFFIX}"
            rf"[ \t]\d{{1,4}}[a-z]?(?!\w){_TOWN_AND_CODE}"
        ),
    ),
    # a street word, the name, then the number: "Via Roma 12", "Calle Mayor 3"
    (
        (
            "via ",
            "viale ",
            "piazza ",
            "corso ",
            "calle ",
            "carrer ",
            "avenida ",
            "plaza ",
            "paseo ",
            "rua ",
            "praça ",
        ),
        re.compile(rf"{_STREET_BEFORE}[ \t](?:{_NAME_WORD}[ \t]){{1,3}}\d"),
        re.compile(
            rf"(?<!\w){_STREET_BEFORE}[ \t]"
            rf"(?:{_NAME_WORD}[ \t]){{1,3}}\d{{1,4}}[a-z]?(?!\w){_TOWN_AND_CODE}"
        ),
    ),
    # a UK postcode alone
    (None, None, re.compile(r"[A-Z](?<![\w-][A-Z])(?:[A-Z]?\d[A-Z\d]?|IR)[ \t]\d[A-Z]{2}(?!\w)")),
)


def remove_addresses(text: str, replacement: str = " ") -> str:
    """``text`` with street addresses (and UK postcodes) replaced by ``replacement``; see ``_ADDRESS_PATTERNS`` for
    the shapes recognised (UK, US, Irish, French, German, Dutch, Nordic, Italian, Spanish, Portuguese).  A
    pattern whose street words the text does not hold at all is not run (a CV in English has no "straße"); a tab
    stands for a space in that check, as in the patterns ("Via\tRoma 12", from a CV laid out in columns)."""
    lower = text.lower()
    if "\t" in lower:
        lower = lower.replace("\t", " ")
    for cues, needs, pattern in _ADDRESS_PATTERNS:
        if cues is not None and not any(cue in lower for cue in cues):
            continue
        if needs is None or needs.search(text):
            text = pattern.sub(replacement, text)
    return text


GENDERED_WORDS = frozenset(
    [
        "he",
        "she",
        "him",
        "her",
        "his",
        "hers",
        "himself",
        "herself",
        "mr",
        "mrs",
        "ms",
        "miss",
        "mx",
        "sir",
        "madam",
        "madame",
        "mister",
        "male",
        "female",
        "males",
        "females",
        "man",
        "woman",
        "men",
        "women",
        "boy",
        "girl",
        "boys",
        "girls",
        "gentleman",
        "gentlemen",
        "lady",
        "ladies",
        "husband",
        "wife",
        "husbands",
        "wives",
        "father",
        "mother",
        "son",
        "daughter",
        "sons",
        "daughters",
        "brother",
        "sister",
        "brothers",
        "sisters",
        "mom",
        "mum",
        "dad",
        "maternity",
        "paternity",
    ]
)
MARITAL_WORDS = frozenset(
    [
        "married",
        "unmarried",
        "single",
        "divorced",
        "widowed",
        "widow",
        "widower",
        "engaged",
        "spouse",
        "fiance",
        "fiancee",
    ]
)
NATIONALITY_WORDS = frozenset(
    [
        "afghan",
        "albanian",
        "algerian",
        "american",
        "argentine",
        "argentinian",
        "australian",
        "austrian",
        "bangladeshi",
        "belgian",
        "brazilian",
        "british",
        "bulgarian",
        "canadian",
        "chilean",
        "chinese",
        "colombian",
        "croatian",
        "czech",
        "danish",
        "dutch",
        "egyptian",
        "emirati",
        "english",
        "estonian",
        "ethiopian",
        "filipino",
        "finnish",
        "french",
        "german",
        "ghanaian",
        "greek",
        "hungarian",
        "icelandic",
        "indian",
        "indonesian",
        "iranian",
        "iraqi",
        "irish",
        "israeli",
        "italian",
        "jamaican",
        "japanese",
        "jordanian",
        "kenyan",
        "korean",
        "kuwaiti",
        "latvian",
        "lebanese",
        "lithuanian",
        "malaysian",
        "maltese",
        "mexican",
        "moroccan",
        "nepali",
        "nepalese",
        "nigerian",
        "norwegian",
        "pakistani",
        "palestinian",
        "peruvian",
        "polish",
        "portuguese",
        "qatari",
        "romanian",
        "russian",
        "saudi",
        "scottish",
        "serbian",
        "singaporean",
        "slovak",
        "slovenian",
        "somali",
        "spanish",
        "sri",
        "lankan",
        "sudanese",
        "swedish",
        "swiss",
        "syrian",
        "taiwanese",
        "thai",
        "tunisian",
        "turkish",
        "ugandan",
        "ukrainian",
        "uruguayan",
        "venezuelan",
        "vietnamese",
        "welsh",
        "yemeni",
        "zambian",
        "zimbabwean",
    ]
)
_PROTECTED = GENDERED_WORDS | MARITAL_WORDS | NATIONALITY_WORDS


def _caseless(word: str) -> str:
    # ASCII letters either case, exactly as a token of ``[A-Za-z][A-Za-z'’]*`` lower-cased would match.
    return "".join(
        f"[{ch.lower()}{ch.upper()}]" if ch.isascii() and ch.isalpha() else re.escape(ch) for ch in word
    )


@functools.lru_cache(maxsize=4096)
def _cached_pattern(words: tuple[str, ...]) -> re.Pattern:
    body = "|".join(_caseless(w) for w in words)
    # The word must be the whole token the word-by-word tokeniser ``[A-Za-z][A-Za-z'’]*`` would take: it ends
    # before no word character or "@", and no longer run of letters and apostrophes could end there instead.
    return re.compile(rf"(?<![\w@.+-])(?:{body})(?:['’][sS])?['’]*(?![\w@])(?!['’]+[A-Za-z'’]*(?![\w@]))")


def _words_pattern(words: Iterable[str]) -> re.Pattern | None:
    """One pattern for whole words (a word: ASCII letters and apostrophes, not touching a word character, "@",
    or — before it — ".", "+", "-"), each also with a possessive "'s" and trailing apostrophes.  One pass of
    the regex engine instead of a Python call per word of the text."""
    words = tuple(sorted({w for w in words if w}, key=lambda w: (-len(w), w)))
    return _cached_pattern(words) if words else None


_RUN = re.compile(r"[a-z][a-z'’]*")


def _normalised(token: str) -> str:
    word = token.rstrip("'’")
    return word[:-2] if word.endswith(("'s", "’s")) else word


def _present(text_lower: str, words: frozenset[str]) -> set[str]:
    """Which of ``words`` may occur as a word of the text (a superset of what ``_words_pattern`` will match): every
    run of letters and apostrophes, and each of its prefixes ending at an apostrophe, normalised like a word."""
    runs = set(_RUN.findall(text_lower))
    found = runs & words
    for run in runs:
        if "'" in run or "’" in run:
            found.update(
                w
                for w in [_normalised(run)] + [_normalised(run[:k]) for k, ch in enumerate(run) if ch in "'’"]
                if w in words
            )
    return found


def neutralise(text: str, *, names: Iterable[str] = ()) -> str:
    """``text`` without personal attributes that must never be features (see the module docstring).

    ``names`` are the person's names (each word of each is removed, case-insensitively).  Line structure is
    kept, so evidence lines for skills still read naturally.
    """
    lower = text.lower()
    out = _LABELLED.sub(" ", text)
    if "@" in out:
        out = _EMAIL.sub(" ", out)
    if "www." in lower or "http" in lower:
        out = _URL.sub(" ", out)
    if "born" in lower:
        out = _DATE_OF_BIRTH.sub(" ", out)
    if "age" in lower or "year" in lower or "yr" in lower:
        out = _AGE.sub(" ", out)
    if _NINE_DIGITS.search(out):
        out = _PHONE.sub(lambda m: " " if sum(ch.isdigit() for ch in m.group(0)) >= 9 else m.group(0), out)
    out = remove_addresses(out)
    # A word of a name is letters and apostrophes (a hyphenated part never stands alone as a word in the text).
    name_words = frozenset(
        w.lower()
        for n in names
        for w in re.findall(r"[A-Za-z][A-Za-z'’-]+", n or "")
        if len(w) > 1 and "-" not in w
    )
    # Only the protected words and name words the text holds go into the pattern: a short alternation, one pass.
    pattern = _words_pattern(_present(out.lower(), _PROTECTED | name_words))
    return pattern.sub(" ", out) if pattern else out


@dataclass(frozen=True)
class GroupRate:
    """Selection rate of one self-reported group: ``selected`` of ``considered``; ``impact_ratio`` is the rate
    divided by the highest group's rate (``None`` when no group was selected); ``adverse`` when it is < 0.8."""

    group: str
    considered: int
    selected: int
    rate: float
    impact_ratio: float | None
    adverse: bool


FOUR_FIFTHS = 0.8


def selection_rates(outcomes: Sequence[tuple[str, bool]], *, min_group_size: int = 1) -> list[GroupRate]:
    """Per group, the share selected, from ``(group, selected)`` pairs; empty groups ("") are "not stated".

    Groups smaller than ``min_group_size`` are reported but never flagged.  Sorted by group name.
    """
    counts: dict[str, list[int]] = {}
    for group, selected in outcomes:
        c = counts.setdefault(group or "not stated", [0, 0])
        c[0] += 1
        c[1] += int(bool(selected))
    rates: Mapping[str, float] = {g: s / n for g, (n, s) in counts.items() if n}
    best = max(rates.values(), default=0.0)
    out = []
    for group in sorted(counts):
        n, s = counts[group]
        ratio = rates[group] / best if best else None
        out.append(
            GroupRate(
                group,
                n,
                s,
                rates[group],
                ratio,
                bool(ratio is not None and ratio < FOUR_FIFTHS and n >= min_group_size),
            )
        )
    return out
