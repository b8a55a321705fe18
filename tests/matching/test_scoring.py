"""The pure scoring engine, on small literal inputs; no database."""

import numpy as np
import pytest

from matching import scoring
from matching.scoring import CandidateDocument, ComponentWeights, MatchingModel, VacancyDocument

VOCAB = ["Python", "SQL", "Kafka", "TensorFlow", "communication"]
FILLER = " ".join(["experience"] * 40)


def cand(text, skills, level=0, fields=(), years=None):
    return CandidateDocument(text=f"{text} {FILLER}", skills=skills, qualification_level=level, fields=fields,
                             years_experience=years)


@pytest.fixture
def pool():
    return [
        cand("python sql tensorflow machine learning", {"Python": 2, "SQL": 1, "TensorFlow": 1}, 3, ["computer science"], 5),
        cand("python developer web", {"Python": 1, "communication": 1}, 2, ["engineering"], 2),
        cand("sales manager communication", {"communication": 3}, 2, ["commerce"], 8),
    ]


@pytest.fixture
def model(pool):
    return MatchingModel.fit([c.text for c in pool], [c.skills for c in pool], VOCAB)


def test_idf_gives_rare_skills_more_weight(model):
    idf = dict(zip(model.skill_names, model.skill_idf))
    # Python is in 2 of 3 CVs, TensorFlow in 1: ln(4/3)+1 < ln(4/2)+1; unseen Kafka gets ln(4/1)+1.
    assert idf["Python"] == pytest.approx(np.log(4 / 3) + 1)
    assert idf["TensorFlow"] == pytest.approx(np.log(4 / 2) + 1)
    assert idf["Kafka"] == pytest.approx(np.log(4) + 1)
    assert idf["TensorFlow"] > idf["Python"]


def test_requirement_weights_are_idf_times_log_mentions_normalised(model):
    w = model.requirement_weights([{"Python": 1, "TensorFlow": 1}]).toarray()[0]
    idf = dict(zip(model.skill_names, model.skill_idf))
    expected_tf = idf["TensorFlow"] / (idf["TensorFlow"] + idf["Python"])
    assert w[model.skill_index["TensorFlow"]] == pytest.approx(expected_tf)
    # Mentions count linearly: named twice, a skill weighs twice as much.
    w2 = model.requirement_weights([{"Python": 2, "TensorFlow": 1}]).toarray()[0]
    assert w2[model.skill_index["Python"]] / w2[model.skill_index["TensorFlow"]] == pytest.approx(
        2 * idf["Python"] / idf["TensorFlow"])
    assert w.sum() == pytest.approx(1.0)



def test_required_coverage_is_the_weighted_share_of_skills_held(model, pool):
    vacancy = VacancyDocument(text="python tensorflow", required={"Python": 1, "TensorFlow": 1},
                              weights=ComponentWeights(required=1, desirable=0, qualification=0, experience=0,
                                                       profile=0, text=0))
    m = scoring.score_chunk(model, pool, [vacancy])
    w = model.requirement_weights([vacancy.required]).toarray()[0]
    assert m.components["required"][0, 0] == pytest.approx(1.0)          # has both
    assert m.components["required"][1, 0] == pytest.approx(w[model.skill_index["Python"]])
    assert m.components["required"][2, 0] == pytest.approx(0.0)
    assert m.score[0, 0] == pytest.approx(100.0)


def test_ranking_puts_the_matching_cv_first(model, pool):
    vacancy = VacancyDocument(text="machine learning engineer python tensorflow sql",
                              required={"Python": 2, "TensorFlow": 1, "SQL": 1}, desirable={"Kafka": 1},
                              min_qualification_level=2, fields=["computer science"], min_years_experience=3)
    m = scoring.score_chunk(model, pool, [vacancy])
    order = list(np.argsort(-m.score[:, 0]))
    assert order == [0, 1, 2]


@pytest.mark.parametrize("weights", [ComponentWeights(), ComponentWeights(0.2, 0.2, 0.2, 0.2, 0.2, 0.2),
                                     ComponentWeights(1, 0, 0, 0, 0, 0)])
def test_component_points_and_skill_contributions_add_up_to_the_score(model, pool, weights):
    vacancy = VacancyDocument(text="python tensorflow kafka", required={"Python": 1, "TensorFlow": 2},
                              desirable={"Kafka": 1, "SQL": 1}, min_qualification_level=3,
                              fields=["computer science"], min_years_experience=4, weights=weights)
    m = scoring.score_chunk(model, pool, [vacancy])
    for i, c in enumerate(pool):
        pair = scoring.explain_pair(model, m, i, 0, c, vacancy)
        assert sum(comp["points"] for comp in pair.components) == pytest.approx(pair.score, abs=0.01)
        by_name = {comp["name"]: comp for comp in pair.components}
        for importance in ("required", "desirable"):
            skill_points = sum(s["contribution"] for s in pair.matched if s["importance"] == importance)
            assert skill_points == pytest.approx(by_name[importance]["points"], abs=0.01)
        gains = sum(s["gain"] for s in pair.missing)
        skills_max = 100 * (by_name["required"]["weight"] + by_name["desirable"]["weight"])
        assert sum(s["contribution"] for s in pair.matched) + gains == pytest.approx(skills_max, abs=0.01)


def test_components_that_do_not_apply_give_their_weight_to_the_others(model, pool):
    vacancy = VacancyDocument(text="python", required={"Python": 1})  # no desirable, degree or years stated
    m = scoring.score_chunk(model, pool, [vacancy])
    w = dict(zip(scoring.COMPONENTS, m.weights[0]))
    assert w["desirable"] == w["qualification"] == w["experience"] == 0
    d = ComponentWeights()
    applying = d.required + d.profile + d.text
    assert w["required"] == pytest.approx(d.required / applying)
    assert w["profile"] == pytest.approx(d.profile / applying)
    assert w["text"] == pytest.approx(d.text / applying)
    assert sum(w.values()) == pytest.approx(1.0)


def test_insufficient_data_gives_no_number(model, pool):
    short = CandidateDocument(text="python", skills={"Python": 1})
    no_skills = CandidateDocument(text=FILLER, skills={})
    empty_vacancy = VacancyDocument(text="a great place to work", required={})
    good_vacancy = VacancyDocument(text="python", required={"Python": 1})
    m = scoring.score_chunk(model, [short, no_skills, pool[0]], [good_vacancy, empty_vacancy])
    reasons = {}
    for i, c in enumerate([short, no_skills, pool[0]]):
        for j, v in enumerate([good_vacancy, empty_vacancy]):
            pair = scoring.explain_pair(model, m, i, j, c, v)
            reasons[i, j] = (pair.state, pair.score, pair.reason)
    assert reasons[0, 0][:2] == ("insufficient_data", None) and "too little text" in reasons[0, 0][2]
    assert reasons[1, 0][:2] == ("insufficient_data", None) and "no recognised skills" in reasons[1, 0][2]
    assert reasons[2, 1][:2] == ("insufficient_data", None) and "no skill requirements" in reasons[2, 1][2]
    assert reasons[2, 0][0] == "scored" and reasons[2, 0][1] > 0


def test_model_round_trips_through_bytes_and_keeps_its_version(model, pool):
    again = MatchingModel.from_bytes(model.to_bytes())
    assert again.version == model.version
    vacancy = VacancyDocument(text="python tensorflow", required={"Python": 1, "TensorFlow": 1})
    a = scoring.score_chunk(model, pool, [vacancy]).score
    b = scoring.score_chunk(again, pool, [vacancy]).score
    np.testing.assert_allclose(a, b)


def test_damaged_model_bytes_raise_a_clear_error():
    with pytest.raises(ValueError, match="damaged matching model"):
        MatchingModel.from_bytes(b"not an archive")


def test_weights_from_mapping_rejects_bad_values():
    assert ComponentWeights.from_mapping({"text": 0.5}).text == 0.5
    with pytest.raises(ValueError, match="unknown score components: salary"):
        ComponentWeights.from_mapping({"salary": 1})
    with pytest.raises(ValueError, match="≥ 0"):
        ComponentWeights.from_mapping({"text": -1})
    with pytest.raises(ValueError, match="at least one"):
        ComponentWeights.from_mapping({name: 0 for name in scoring.COMPONENTS})


def test_top_k_per_column_matches_a_full_sort():
    rng = np.random.default_rng(7)
    scores = rng.random((200, 4))
    for j, idx in enumerate(scoring.top_k_per_column(scores, 10)):
        assert list(idx) == list(np.argsort(-scores[:, j], kind="stable")[:10])


def test_skill_profile_credits_broader_skills_shown_through_narrower_ones(pool):
    vocab = ["Keras", "Deep learning", "Machine learning", "Excel"]
    docs = [{"Keras": 1}, {"Excel": 1}]
    model = MatchingModel.fit(["a " * 40, "b " * 40], docs, vocab,
                              broader={"Keras": ["Deep learning"], "Deep learning": ["Machine learning"]})
    assert model.broader_matrix[model.skill_index["Keras"], model.skill_index["Machine learning"]] == 1  # transitive
    vacancy = VacancyDocument(text="deep learning", required={"Deep learning": 3, "Machine learning": 1})
    cands = [CandidateDocument(text="keras " + FILLER, skills={"Keras": 2}),
             CandidateDocument(text="excel " + FILLER, skills={"Excel": 2})]
    m = scoring.score_chunk(model, cands, [vacancy])
    assert m.components["required"][0, 0] == 0  # coverage counts only skills named in the CV
    assert m.components["profile"][0, 0] > 0.3
    assert m.components["profile"][1, 0] == 0


def test_broader_cycles_do_not_make_a_skill_its_own_parent():
    model = MatchingModel.fit(["x " * 40], [{"A": 1}], ["A", "B"], broader={"A": ["B"], "B": ["A"]})
    assert model.broader_matrix[model.skill_index["A"], model.skill_index["A"]] == 0
    assert model.broader_matrix[model.skill_index["A"], model.skill_index["B"]] == 1


def test_the_fast_scan_gives_the_same_scores_as_the_explained_path(model, pool):
    vacancies = [VacancyDocument(text="python tensorflow sql machine learning", required={"Python": 2, "SQL": 1},
                                 desirable={"Kafka": 1}, min_qualification_level=2, fields=["computer science"],
                                 min_years_experience=3),
                 VacancyDocument(text="sales", required={"communication": 1})]
    cm = scoring.candidate_matrices(model, pool)
    vm = scoring.vacancy_matrices(model, vacancies)
    full = scoring.score_matrices(cm, vm)
    fast = scoring.score_matrices(cm, vm, keep_components=False)
    assert fast.score.dtype == np.float32
    np.testing.assert_allclose(fast.score, full.score, atol=1e-3)
    np.testing.assert_array_equal(fast.insufficient, full.insufficient)


@pytest.mark.parametrize("chunk, threads", [(7, 1), (13, 2), (1000, 1)])
def test_chunked_top_k_equals_a_dense_reference(chunk, threads):
    rng = np.random.default_rng(3)
    vocab = [f"skill{i}" for i in range(40)]
    words = [f"word{i}" for i in range(300)]

    def text():
        return " ".join(rng.choice(words, 80))

    cands = [CandidateDocument(text=text(), skills={s: int(rng.integers(1, 3)) for s in rng.choice(vocab, 6)},
                               qualification_level=int(rng.integers(0, 5)), fields=["computer science"],
                               years_experience=float(rng.integers(0, 10))) for _ in range(120)]
    cands[5] = CandidateDocument(text="too short", skills={"skill1": 1})  # insufficient: ranks last
    vacs = [VacancyDocument(text=text(), required={s: 1 for s in rng.choice(vocab, 8)},
                            desirable={s: 1 for s in rng.choice(vocab, 3)}, min_qualification_level=2,
                            fields=["computer science"], min_years_experience=2) for _ in range(9)]
    model = MatchingModel.fit([c.text for c in cands], [c.skills for c in cands], vocab)
    cm, vm = scoring.candidate_matrices(model, cands), scoring.vacancy_matrices(model, vacs)
    dense = scoring.score_matrices(cm, vm)
    reference = np.where(dense.insufficient, -1.0, dense.score)
    rows, values = scoring.top_k_scan(cm, vm, k=25, chunk=chunk, threads=threads)
    assert rows.shape == (25, 9)
    for j in range(9):
        expected = np.sort(reference[:, j])[::-1][:25]
        np.testing.assert_allclose(values[:, j], expected, atol=1e-3)
        np.testing.assert_allclose(reference[rows[:, j], j], values[:, j], atol=1e-3)
        assert 5 not in rows[:10, j]
