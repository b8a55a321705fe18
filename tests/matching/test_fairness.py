"""Names, contact details, age, gender, marital status, nationality and address are never features."""

import pytest

from matching import runs, services
from matching.fairness import neutralise, selection_rates
from matching.models import MatchScore
from recruiting.services import candidate_upsert, vacancy_upsert
from tests.matching.test_tasks import DS_CV, SALES_CV, VACANCY

PERSON_A = """Jane Doe
Name: Jane Doe
Email: jane.doe@example.com | Phone: +44 7700 900123 | www.janedoe.dev
Date of birth: 01/02/1990
Gender: Female
Marital status: Married
Nationality: British
Address: 1 High Street, London
She is a data scientist; her work spans NLP. Mrs Doe, aged 34, mother of two.
"""
PERSON_B = """John Smith
Name: John Smith
Email: j.smith@example.org | Phone: (0)20 7946 0958 555 | https://smith.example.org
Date of birth: 12/11/1971
Gender: Male
Marital status: Single
Nationality: Indian
Address: 22 Park Road, Mumbai
He is a data scientist; his work spans NLP. Mr Smith, aged 53, father of two.
"""


def test_neutralise_removes_personal_attributes_and_keeps_the_work():
    a = neutralise(PERSON_A + DS_CV, names=["Jane Doe"])
    b = neutralise(PERSON_B + DS_CV, names=["John Smith"])
    assert a.split() == b.split()
    for word in (
        "Jane",
        "jane.doe",
        "7700",
        "1990",
        "Female",
        "Married",
        "British",
        "High Street",
        "She",
        "Mrs",
        "aged",
        "mother",
    ):
        assert word not in a
    assert "data scientist" in a and "TensorFlow" in a


def test_date_ranges_of_work_are_not_taken_for_phone_numbers():
    assert "2015 - 2018" in neutralise("Data analyst, 2015 - 2018")


@pytest.mark.django_db
def test_changing_personal_attributes_leaves_the_score_unchanged(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        vacancy, _ = vacancy_upsert(source="t", reference="mle", title="MLE", description=VACANCY)
        candidate_upsert(source="t", reference="other", cv_text=SALES_CV)
        a, _ = candidate_upsert(
            source="t", reference="a", cv_text=PERSON_A + DS_CV, name="Jane Doe", email="jane.doe@example.com"
        )
        b, _ = candidate_upsert(
            source="t",
            reference="b",
            cv_text=PERSON_B + DS_CV,
            name="John Smith",
            email="j.smith@example.org",
        )
        runs.scoring_run_start(scope="all")
    sa = MatchScore.objects.get(candidate=a, vacancy=vacancy)
    sb = MatchScore.objects.get(candidate=b, vacancy=vacancy)
    assert sa.score == pytest.approx(sb.score, abs=1e-9)
    assert sa.matched_skills == sb.matched_skills
    assert sa.explanation["components"] == sb.explanation["components"]


def test_four_fifths_rule_flags_adverse_impact():
    outcomes = (
        [("A", True)] * 5 + [("A", False)] * 5 + [("B", True)] * 3 + [("B", False)] * 7 + [("", False)] * 2
    )
    rates = {r.group: r for r in selection_rates(outcomes)}
    assert rates["A"].rate == 0.5 and rates["A"].impact_ratio == 1.0 and not rates["A"].adverse
    assert rates["B"].impact_ratio == pytest.approx(0.6) and rates["B"].adverse
    assert rates["not stated"].considered == 2 and rates["not stated"].impact_ratio == 0


def test_small_groups_are_reported_but_not_flagged():
    rates = {r.group: r for r in selection_rates([("A", True), ("B", False)], min_group_size=5)}
    assert rates["B"].impact_ratio == 0 and not rates["B"].adverse


@pytest.mark.parametrize(
    ("text", "names", "expected"),
    [
        (
            "He's here; she’ll go. HIS mother's car, mothers' day. he2 he'd2 e.g.he @he +he -he hers'",
            [],
            "  here; she’ll go.     car, mothers' day. he2  'd2 e.g.he @he +he -he  ",
        ),
        (
            "O'Brien met Jean-Luc and Luc. Seán and Sean. Ada's code; ADA; ada2; Lovelace’s notes",
            ["Ada O'Brien Lovelace", "Jean-Luc"],
            "  met Jean-Luc and Luc. Seán and Sean.   code;  ; ada2;   notes",
        ),
        (
            "Married Indian male, aged 29, born in Pune. Mail: a.b+c@mail.example.com or www.example.com/x, +91 98765 43210",
            [],
            "     ,  ,  . Mail:   or    ",
        ),
    ],
)
def test_neutralise_word_edges(text, names, expected):
    """Possessives, contractions, words glued to digits or addresses, names with apostrophes: exactly what the
    word-by-word version removed (the one-pass patterns must not change a single character)."""
    assert neutralise(text, names=names) == expected


ADDRESS_LINES = [  # (CV line, the address in it) — UK, US and EU shapes (issue 16, finding 10)
    ("Python and SQL projects from 12 Secret Lane, London SW1A 1AA", "12 Secret Lane, London SW1A 1AA"),
    ("Home: 12 Secret Lane", "12 Secret Lane"),
    (
        "Office at 1600 Pennsylvania Avenue NW, Washington, DC 20500 (remote)",
        "1600 Pennsylvania Avenue NW, Washington, DC 20500",
    ),
    ("Lives at 221B Baker Street, London NW1 6XE; Python developer", "221B Baker Street, London NW1 6XE"),
    ("Hauptstraße 5, 10115 Berlin", "Hauptstraße 5, 10115 Berlin"),
    ("Wohnhaft Karl-Marx-Straße 12, 10243 Berlin", "Karl-Marx-Straße 12, 10243 Berlin"),
    ("12 rue de la Paix, 75002 Paris", "12 rue de la Paix, 75002 Paris"),
    ("Kerkstraat 10, 1017 Amsterdam", "Kerkstraat 10, 1017 Amsterdam"),
    ("Via Roma 12, 00184 Roma", "Via Roma 12, 00184 Roma"),
]
CV_LINES_KEPT = [
    "5 years of Python",
    "Led a team of 12 engineers",
    "Built 3 ML pipelines on AWS, London",
    "Python 3.10, Spark 2.4 and Scala 2 on 40 nodes",
    "January 1995 to January 1996 S.S.C. St. Teresa's School",
    "Spring 3.2, JSF 2.0, Rich Faces 4.1",
    "Reduced latency by 35% across 2 regions",
    "MSc Computer Science, 2019",
    "Deployed via Docker 20 services",
    "Engineering 30 7 210",
]


@pytest.mark.parametrize(("line", "address"), ADDRESS_LINES)
def test_street_addresses_are_removed_without_a_label(line, address):
    out = neutralise(line)
    assert address not in out
    for word in address.replace(",", " ").split():
        if any(ch.isdigit() for ch in word) or word in {
            "Secret",
            "Pennsylvania",
            "Baker",
            "Hauptstraße",
            "Paix",
        }:
            assert word not in out.split(), out


@pytest.mark.parametrize(("line", "address"), ADDRESS_LINES)
def test_street_addresses_set_with_tabs_are_removed_as_with_spaces(line, address):
    """A CV exported from a table or a two-column layout separates its words with tabs: "Via\tRoma 12" is the
    same address as "Via Roma 12" (the street word checked before the pattern runs must not need a space)."""
    tabbed = neutralise(line.replace(" ", "\t"))
    assert address.replace(" ", "\t") not in tabbed
    assert tabbed.replace("\t", " ").split() == neutralise(line).split()


@pytest.mark.parametrize("line", CV_LINES_KEPT)
def test_ordinary_cv_lines_are_not_taken_for_addresses(line):
    assert neutralise(line) == line


@pytest.mark.django_db
def test_the_evidence_line_shown_for_a_skill_has_no_street_address(django_capture_on_commit_callbacks):
    """The CV line a recruiter or hiring manager sees as a skill's evidence is the neutralised line."""
    with django_capture_on_commit_callbacks(execute=True):
        vacancy_upsert(source="t", reference="mle", title="MLE", description=VACANCY)
        candidate, _ = candidate_upsert(
            source="t",
            reference="addr",
            cv_text=DS_CV
            + "\nBuilt Python and TensorFlow models at home, 12 Secret Lane, London SW1A 1AA.\n",
        )
    services.score_pairs(candidate_ids=[candidate.pk])
    score = MatchScore.objects.get(candidate=candidate)
    evidence = " ".join(m.get("evidence", "") for m in score.matched_skills)
    assert "Python" in {m["skill"] for m in score.matched_skills} and evidence
    assert "Secret Lane" not in evidence and "SW1A" not in evidence
