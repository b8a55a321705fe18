"""The cheap checks that let extraction skip work (issue 15, ingestion) change no output: each is a claim that a
text it skips cannot match, tested on the texts that would defeat a careless one — Unicode case folds (İ ı ſ K),
full-width and other scripts' digits, no-break and other Unicode spaces.  Plain functions, no database."""

from __future__ import annotations

import random
from datetime import date

import ftfy
import numpy as np
import pytest

from matching import extraction
from matching.extraction import (
    extract_qualifications,
    extract_role_titles,
    extract_years_experience,
    repair_text,
)
from matching.fairness import neutralise
from matching.terms import FrequencyDelta, TermCounts, text_terms

TODAY = date(2026, 11, 29)


# ------------------------------------------------------------------------------------------------ ftfy skipped
def _repaired_always(text: str) -> str:
    """``repair_text`` as it was, ftfy run on every text."""
    fixed = ftfy.fix_text(text, normalization="NFC")
    fixed = fixed.replace("\r\n", "\n").replace("\r", "\n").replace("\x00", "").replace("\u00a0", " ")
    return "\n".join(line.rstrip() for line in fixed.split("\n"))


def test_text_repair_skips_only_text_ftfy_leaves_as_it_is():
    rng = random.Random(15)
    plain = "\t\n" + "".join(chr(c) for c in range(0x20, 0x7F) if chr(c) != "&")
    samples = ["".join(rng.choice(plain) for _ in range(rng.randint(1, 300))) for _ in range(2000)]
    samples += ["Data Scientist <b>Python</b>; 3 years", "a;b#c=d 'quoted' \"double\" ~`^|\\"]
    for text in samples:
        assert extraction._FTFY_UNCHANGED.fullmatch(text)
        assert ftfy.fix_text(text, normalization="NFC") == text
        assert repair_text(text) == _repaired_always(text)


@pytest.mark.parametrize(
    "text, repaired",
    [
        ("Research &amp; development", "Research & development"),  # an HTML entity: "&" is not skipped
        ("NaÃ¯ve Bayes", "Naïve Bayes"),
        ("line one\r\nline two\rthree", "line one\nline two\nthree"),
        ("\x1b[31mPython\x1b[0m", "Python"),  # a terminal escape
        ("Py\x00thon\x7f", "Python"),  # control characters ftfy removes
        ("２０１５ – ２０１８ ＤＡＴＡ", "2015 – 2018 DATA"),  # full-width forms
        ("\ufb01nance", "finance"),  # a ligature
        ("it\u2019s", "it's"),  # a curly quote
    ],
)
def test_texts_that_need_repair_are_still_repaired(text, repaired):
    assert not extraction._FTFY_UNCHANGED.fullmatch(text)
    assert repair_text(text) == repaired == _repaired_always(text)


# -------------------------------------------------------------------------------------------- years of experience
@pytest.mark.parametrize(
    "text, years",
    [
        ("Data Engineer, Acme\n2015 - 2018", 3.0),
        # A year starts with an ASCII "19" or "20" (repair_text turns full-width digits into ASCII), then any two
        # digits: full-width ones too, which the two-digit check must let through.
        ("Data Engineer, Acme\n20１５ - 20１８", 3.0),
        ("Data Engineer, Acme\nJan 2015 - Mar ’１８", 3.2),
        ("Data Engineer, Acme\n２０１５ - ２０１８", None),
        ("Data Engineer, Acme\n٢٠١٥ - ٢٠١٨", None),
        ("Data Engineer, Acme\nJan\u00a02015\u00a0-\u00a0Mar\u00a02018", 3.2),  # no-break spaces
        ("I have 5 YEARS of professional experience", 5.0),
        ("Worked 7\u00a0yrs in industry", 7.0),
        ("Career: 6 Yrſ in industry", 6.0),  # "ſ" is an "s" to a case-insensitive pattern
        ("Experience of 4 YEARſ", 4.0),
        ("Data Scientist", None),
    ],
)
def test_years_of_experience_through_the_prefilters(text, years):
    assert extract_years_experience(text, TODAY) == years


def test_work_history_of_chosen_lines_is_that_of_all_lines():
    lines = [
        "Profile",
        "Analyst at Acme 2014 - 2016",
        "",
        "Education",
        "BSc 2010 - 2013",
        "Work Experience",
        "Acme 2016 - 2019",
        "Skills",
        "Python 2019 - 2020",
        "Lead engineer",
        "2020 - 2021",
    ]
    every = extraction._work_history_lines(lines)
    for wanted in ([1], [4, 6], [8, 10], range(len(lines))):
        chosen = extraction._work_history_lines(lines, wanted)
        assert [chosen[i] for i in wanted] == [every[i] for i in wanted]


# --------------------------------------------------------------------------------------------------- qualifications
@pytest.mark.parametrize(
    "line, level",
    [
        ("Certıfıed Scrum Master", 1),  # dotless ı: a case-insensitive "certified"
        ("MASTER OF SCİENCE in Physics", 3),  # İ
        ("PhD in Statistics", 4),
        ("Bachelor\u00a0of Technology", 2),
        ("Microsoft Excel, MS Word", None),
    ],
)
def test_degree_keys_keep_case_folds_and_spaces(line, level):
    found = extract_qualifications(line)
    assert (found[0].level if found else None) == level


# ----------------------------------------------------------------------------------------------------- role titles
def test_the_fast_role_cuts_are_the_cuts():
    rng = random.Random(15)
    alphabet = [
        "a",
        "b",
        " ",
        ".",
        ";",
        "!",
        "?",
        "\n",
        "\t",
        ",",
        "(",
        ")",
        "|",
        "•",
        "-",
        "–",
        "\u00a0",
        "\u2003",
    ]
    alphabet += ["\r", "\x0b", "\u2028", "\u0085", ":"]
    samples = ["".join(rng.choice(alphabet) for _ in range(rng.randint(0, 40))) for _ in range(5000)]
    samples += [
        "end. \n\u00a0Data Scientist",
        "x \n - y",
        "a.\n\nb",
        "a;\t\tb",
        "Engineer (2019)\u2028Analyst",
    ]
    for text in samples:
        old = [m.span() for m in extraction._ROLE_SPLIT.finditer(text)]
        assert [m.span() for m in extraction._ROLE_CUT.finditer(text)] == old, repr(text)


def test_role_titles_across_unicode_spaces_and_bullets():
    text = "Summary.\u00a0Data Scientist, Acme\u2003•\u2003ML ENGİNEER\nAspiring data analyst"
    assert extract_role_titles(text) == ["Data Scientist", "ML ENGİNEER"]


# -------------------------------------------------------------------------------------------------------- neutralise
@pytest.mark.parametrize(
    "phone",
    [
        "+44 20 7946 0958",
        "+44\u00a020\u00a07946\u00a00958",  # no-break spaces are white space to the phone rule
        "０２０ ７９４６ ０９５８",  # full-width digits
        "(020) 7946-0958",
    ],
)
def test_phone_numbers_in_any_digits_are_removed(phone):
    assert "7946" not in neutralise(f"Call {phone} today") and "７９４６" not in neutralise(
        f"Call {phone} today"
    )


def test_eight_digits_are_not_a_phone_number():
    assert "2015 - 2018" in neutralise("Analyst 2015 - 2018")


def test_a_street_word_before_the_name_is_removed():
    assert "Roma" not in neutralise("Studio: Via Roma 12, Milano")
    assert "Roma" not in neutralise("Studio: Piazza Roma Nord 3")


# ------------------------------------------------------------------------------------------------------- term counts
def test_a_new_document_changes_frequencies_as_replacing_an_empty_one():
    empty = TermCounts(np.zeros(0, dtype="<u4"), np.zeros(0, dtype="<u2"), 0)
    for counts in text_terms(["python python sql", "", "data science and machine learning data"]):
        new, general = FrequencyDelta.between(None, counts), FrequencyDelta.between(empty, counts)
        assert np.array_equal(new.features, general.features)
        assert np.array_equal(new.deltas, general.deltas)
        assert new.documents == general.documents
        assert new.features.dtype == general.features.dtype == np.int64
