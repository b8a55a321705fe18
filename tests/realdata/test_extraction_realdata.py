"""Extraction on the real data in ../shared (skipped where absent; fails under CI=true).

Years of experience on the 166 unique CVs: a date of birth never becomes work history, and a CV that states
its experience in years ("2 years of experience") is never read as having more than it states.
"""

from __future__ import annotations

import csv
import re
from datetime import date

import pytest

from matching.extraction import (
    _PRESENT_RE,
    _RANGE_RE,
    _lines,
    _parse_date,
    _work_history_lines,
    extract_years_experience,
    repair_text,
)

pytestmark = pytest.mark.realdata

_STATEMENT = re.compile(
    r"(?<![\w.])(?P<n>\d{1,2}(?:\.\d)?)\s*\+?\s*(?:plus\s+)?(?:years?|yrs?)\b", re.IGNORECASE
)
_ABOUT_EXPERIENCE = re.compile(r"\b(?:experience[ds]?|exp|worked|working|career)\b", re.IGNORECASE)
_BIRTH = re.compile(r"date\s+of\s+birth|\bd\.?o\.?b\b", re.IGNORECASE)


@pytest.fixture(scope="module")
def cvs() -> list[str]:
    from tests.conftest import SHARED_DIR

    path = SHARED_DIR / "data" / "resumes" / "UpdatedResumeDataSet.csv"
    if not path.is_file():
        import os

        if os.environ.get("CI") == "true":
            pytest.fail(f"CI=true but {path} is missing")
        pytest.skip(f"{path} is absent (a fresh clone without ../shared)")
    seen: dict[str, None] = {}
    with open(path, encoding="utf-8", newline="") as f:
        for row in csv.DictReader(f):
            seen.setdefault(repair_text(row["Resume"]).strip(), None)
    return list(seen)


def as_of(cvs: list[str]) -> date:
    """The month after the latest closed job period any CV names: when the collection was written.

    These CVs are years old, so "2017 - till date" means until they were written, not until today."""
    latest = 0
    for text in cvs:
        lines = _lines(text)
        for line, is_work in zip(lines, _work_history_lines(lines)):
            for m in _RANGE_RE.finditer(line) if is_work else ():
                start = _parse_date(m.group("start"), date.today(), is_end=False)
                if start is None or re.fullmatch(_PRESENT_RE, m.group("end").strip(), re.IGNORECASE):
                    continue
                end = _parse_date(m.group("end"), date.today(), is_end=True, start_year=start // 12)
                latest = max(latest, end or 0)
    latest += 1
    return date(latest // 12, latest % 12 + 1, 1)


def stated_years(text: str) -> list[float]:
    """Every "N years" a CV states about its experience ("Less than 1 year" states no N years).  A statement
    wrapped over two lines ("for 1⏎year") is read."""
    found = []
    text = re.sub(r"(?<=\d)[ \t]*\n[ \t]*(?=(?:years?|yrs?)\b)", " ", text, flags=re.IGNORECASE)
    for sentence in re.split(r"(?<=[.!?;])\s+|\n", text):
        if not _ABOUT_EXPERIENCE.search(sentence):
            continue
        for m in _STATEMENT.finditer(sentence):
            if not re.search(r"less\s+than\s*$", sentence[: m.start()], re.IGNORECASE):
                found.append(float(m.group("n")))
    return [n for n in found if 0 < n <= 50]


def test_the_unique_cvs_are_read(cvs):
    assert len(cvs) == 166


def test_no_cv_gets_years_from_a_date_of_birth(cvs):
    with_birth = [text for text in cvs if _BIRTH.search(text)]
    assert with_birth
    for text in with_birth:
        birth_lines = [line for line in _lines(text) if _BIRTH.search(line)]
        assert all(extract_years_experience(line, date(2026, 11, 29)) is None for line in birth_lines)
        without = "\n".join(line for line in _lines(text) if not _BIRTH.search(line))
        today = as_of(cvs)
        assert extract_years_experience(text, today) == extract_years_experience(without, today)


def test_no_cv_gets_more_years_than_it_states(cvs):
    today = as_of(cvs)
    over = []
    for text in cvs:
        stated = stated_years(text)
        years = extract_years_experience(text, today)
        if not stated or years is None or years <= max(stated) + 0.5:
            continue
        # A CV stating several roles' lengths ("2 years … 1 year … 4 years") is bounded by their sum.
        if years <= sum(sorted(set(stated))) + 0.5:
            continue
        over.append((years, stated))
    assert over == []
