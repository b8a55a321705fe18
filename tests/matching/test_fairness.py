"""Names, contact details, age, gender, marital status, nationality and address are never features."""

import pytest

from matching import services
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
    for word in ("Jane", "jane.doe", "7700", "1990", "Female", "Married", "British", "High Street", "She", "Mrs",
                 "aged", "mother"):
        assert word not in a
    assert "data scientist" in a and "TensorFlow" in a


def test_date_ranges_of_work_are_not_taken_for_phone_numbers():
    assert "2015 - 2018" in neutralise("Data analyst, 2015 - 2018")


@pytest.mark.django_db
def test_changing_personal_attributes_leaves_the_score_unchanged(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        vacancy, _ = vacancy_upsert(source="t", reference="mle", title="MLE", description=VACANCY)
        candidate_upsert(source="t", reference="other", cv_text=SALES_CV)
        a, _ = candidate_upsert(source="t", reference="a", cv_text=PERSON_A + DS_CV, name="Jane Doe",
                                email="jane.doe@example.com")
        b, _ = candidate_upsert(source="t", reference="b", cv_text=PERSON_B + DS_CV, name="John Smith",
                                email="j.smith@example.org")
        services.scoring_run_start(scope="all")
    sa = MatchScore.objects.get(candidate=a, vacancy=vacancy)
    sb = MatchScore.objects.get(candidate=b, vacancy=vacancy)
    assert sa.score == pytest.approx(sb.score, abs=1e-9)
    assert sa.matched_skills == sb.matched_skills
    assert sa.explanation["components"] == sb.explanation["components"]


def test_four_fifths_rule_flags_adverse_impact():
    outcomes = [("A", True)] * 5 + [("A", False)] * 5 + [("B", True)] * 3 + [("B", False)] * 7 + [("", False)] * 2
    rates = {r.group: r for r in selection_rates(outcomes)}
    assert rates["A"].rate == 0.5 and rates["A"].impact_ratio == 1.0 and not rates["A"].adverse
    assert rates["B"].impact_ratio == pytest.approx(0.6) and rates["B"].adverse
    assert rates["not stated"].considered == 2 and rates["not stated"].impact_ratio == 0


def test_small_groups_are_reported_but_not_flagged():
    rates = {r.group: r for r in selection_rates([("A", True), ("B", False)], min_group_size=5)}
    assert rates["B"].impact_ratio == 0 and not rates["B"].adverse


@pytest.mark.parametrize(("text", "names", "expected"), [
    ("He's here; she’ll go. HIS mother's car, mothers' day. he2 he'd2 e.g.he @he +he -he hers'", [],
     "  here; she’ll go.     car, mothers' day. he2  'd2 e.g.he @he +he -he  "),
    ("O'Brien met Jean-Luc and Luc. Seán and Sean. Ada's code; ADA; ada2; Lovelace’s notes",
     ["Ada O'Brien Lovelace", "Jean-Luc"], "  met Jean-Luc and Luc. Seán and Sean.   code;  ; ada2;   notes"),
    ("Married Indian male, aged 29, born in Pune. Mail: a.b+c@mail.example.com or www.example.com/x, +91 98765 43210",
     [], "     ,  ,  . Mail:   or    "),
])
def test_neutralise_word_edges(text, names, expected):
    """Possessives, contractions, words glued to digits or addresses, names with apostrophes: exactly what the
    word-by-word version removed (the one-pass patterns must not change a single character)."""
    assert neutralise(text, names=names) == expected
