"""The pure scoring engine, on small literal inputs; no database."""

import itertools

import numpy as np
import pytest

from matching import scoring
from matching.scoring import CandidateDocument, ComponentWeights, MatchingModel, VacancyDocument

VOCAB = ["Python", "SQL", "Kafka", "TensorFlow", "communication"]
FILLER = " ".join(["experience"] * 40)


def cand(text, skills, level=0, fields=(), years=None):
    return CandidateDocument(
        text=f"{text} {FILLER}",
        skills=skills,
        qualification_level=level,
        fields=fields,
        years_experience=years,
    )


@pytest.fixture
def pool():
    return [
        cand(
            "python sql tensorflow machine learning",
            {"Python": 2, "SQL": 1, "TensorFlow": 1},
            3,
            ["computer science"],
            5,
        ),
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


def test_requirement_weights_are_half_equal_half_idf_times_mentions(model):
    idf = dict(zip(model.skill_names, model.skill_idf))
    half = scoring.REQUIREMENT_EQUAL_SHARE
    w = model.requirement_weights([{"Python": 1, "TensorFlow": 1}]).toarray()[0]
    expected_tf = (1 - half) * idf["TensorFlow"] / (idf["TensorFlow"] + idf["Python"]) + half / 2
    assert w[model.skill_index["TensorFlow"]] == pytest.approx(expected_tf)
    # Mentions count linearly in the IDF part: named twice, a skill weighs twice as much there.
    w2 = model.requirement_weights([{"Python": 2, "TensorFlow": 1}]).toarray()[0]
    idf_part = 2 * idf["Python"] / (2 * idf["Python"] + idf["TensorFlow"])
    assert w2[model.skill_index["Python"]] == pytest.approx((1 - half) * idf_part + half / 2)
    assert w.sum() == pytest.approx(1.0) and w2.sum() == pytest.approx(1.0)
    # A skill the title names counts 1 + TITLE_BOOST times in both parts.
    w3 = model.requirement_weights([{"Python": 1, "TensorFlow": 1}], [("TensorFlow",)]).toarray()[0]
    assert w3[model.skill_index["TensorFlow"]] > w[model.skill_index["TensorFlow"]]


def test_required_coverage_is_the_weighted_saturated_evidence_of_skills_held(model, pool):
    vacancy = VacancyDocument(
        text="python tensorflow",
        required={"Python": 1, "TensorFlow": 1},
        weights=ComponentWeights(required=1, desirable=0, qualification=0, experience=0, profile=0, text=0),
    )
    m = scoring.score_chunk(model, pool, [vacancy])
    w = model.requirement_weights([vacancy.required]).toarray()[0]
    h = lambda e: e / (e + scoring.SKILL_SATURATION)
    # Python shown with strength 2, TensorFlow 1: each counts by its saturated evidence, weighted.
    expected = w[model.skill_index["Python"]] * h(2) + w[model.skill_index["TensorFlow"]] * h(1)
    assert m.components["required"][0, 0] == pytest.approx(expected)
    assert m.components["required"][1, 0] == pytest.approx(w[model.skill_index["Python"]] * h(1))
    assert m.components["required"][2, 0] == pytest.approx(0.0)
    assert m.score[0, 0] == pytest.approx(100 * expected)


def test_every_component_rises_strictly_with_evidence_and_never_caps(model):
    vacancy = VacancyDocument(
        text="python tensorflow sql machine learning",
        required={"Python": 1, "TensorFlow": 1},
        min_qualification_level=2,
        min_years_experience=3,
    )
    # More evidence of a skill, a higher degree, more years, more matching text: each strictly higher, far past
    # the point where the old engine capped (cosine 0.3, years at the minimum, degree at the minimum).
    docs = [
        cand("python tensorflow " * k, {"Python": e, "TensorFlow": e}, level, (), years)
        for k, e, level, years in [(1, 0.4, 1, 1), (2, 1.0, 2, 3), (4, 3.0, 3, 6), (8, 20.0, 4, 30)]
    ]
    m = scoring.score_chunk(model, docs, [vacancy])
    for name in ("required", "profile", "qualification", "experience", "text"):
        values = m.components[name][:, 0]
        if name == "profile":  # a cosine: the same skill mix scores the same, whatever the strength
            continue
        assert all(a < b for a, b in itertools.pairwise(values)), name
        assert values[-1] < 1.0, name
    assert all(a < b for a, b in zip(m.score[:, 0], m.score[1:, 0], strict=False))


def test_repetition_saturates_so_twenty_mentions_weigh_little_more_than_a_few(model):
    vacancy = VacancyDocument(
        text="python",
        required={"Python": 1},
        weights=ComponentWeights(required=1, desirable=0, qualification=0, experience=0, profile=0, text=0),
    )
    from matching.evidence import skill_strength

    docs = [cand("x", {"Python": skill_strength("listed", n)}) for n in (1, 3, 20)]
    docs.append(cand("x", {"Python": skill_strength("used", 1)}))
    r = scoring.score_chunk(model, docs, [vacancy]).components["required"][:, 0]
    assert r[0] < r[1] < r[2]
    assert r[2] < r[3]  # twenty mentions in a list weigh less than one use in a role


def test_ranking_puts_the_matching_cv_first(model, pool):
    vacancy = VacancyDocument(
        text="machine learning engineer python tensorflow sql",
        required={"Python": 2, "TensorFlow": 1, "SQL": 1},
        desirable={"Kafka": 1},
        min_qualification_level=2,
        fields=["computer science"],
        min_years_experience=3,
    )
    m = scoring.score_chunk(model, pool, [vacancy])
    order = list(np.argsort(-m.score[:, 0]))
    assert order == [0, 1, 2]


@pytest.mark.parametrize(
    "weights",
    [ComponentWeights(), ComponentWeights(0.2, 0.2, 0.2, 0.2, 0.2, 0.2), ComponentWeights(1, 0, 0, 0, 0, 0)],
)
def test_component_points_and_skill_contributions_add_up_to_the_score(model, pool, weights):
    vacancy = VacancyDocument(
        text="python tensorflow kafka",
        required={"Python": 1, "TensorFlow": 2},
        desirable={"Kafka": 1, "SQL": 1},
        min_qualification_level=3,
        fields=["computer science"],
        min_years_experience=4,
        weights=weights,
    )
    m = scoring.score_chunk(model, pool, [vacancy])
    for i, c in enumerate(pool):
        pair = scoring.explain_pair(model, m, i, 0, c, vacancy)
        assert sum(comp["points"] for comp in pair.components) == pytest.approx(pair.score, abs=0.01)
        by_name = {comp["name"]: comp for comp in pair.components}
        for importance in ("required", "desirable"):
            skill_points = sum(s["contribution"] for s in pair.matched if s["importance"] == importance)
            assert skill_points == pytest.approx(by_name[importance]["points"], abs=0.01)
        for s in pair.missing:
            # The gain is what the required or desirable component would add if the CV showed the skill in use.
            skills = {**c.skills, s["skill"]: 1.0}
            again = scoring.score_chunk(
                model,
                [
                    CandidateDocument(
                        text=c.text,
                        skills=skills,
                        qualification_level=c.qualification_level,
                        fields=c.fields,
                        years_experience=c.years_experience,
                    )
                ],
                [vacancy],
            )
            after = {
                comp["name"]: comp for comp in scoring.explain_pair(model, again, 0, 0, c, vacancy).components
            }
            delta = after[s["importance"]]["points"] - by_name[s["importance"]]["points"]
            assert s["gain"] == pytest.approx(delta, abs=0.01)


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


def test_insufficient_data_only_for_too_little_text_and_low_confidence_without_skills(model, pool):
    short = CandidateDocument(text="python", skills={"Python": 1})
    no_skills = CandidateDocument(text="python sql " + FILLER, skills={})
    empty_vacancy = VacancyDocument(text="a great place to work", required={})
    good_vacancy = VacancyDocument(text="python sql", required={"Python": 1})
    m = scoring.score_chunk(model, [short, no_skills, pool[0]], [good_vacancy, empty_vacancy])
    reasons = {}
    for i, c in enumerate([short, no_skills, pool[0]]):
        for j, v in enumerate([good_vacancy, empty_vacancy]):
            pair = scoring.explain_pair(model, m, i, j, c, v)
            reasons[i, j] = (pair.state, pair.score, pair.reason, pair.confidence, pair.confidence_reason)
    assert reasons[0, 0][:2] == ("insufficient_data", None) and "too little text" in reasons[0, 0][2]
    assert reasons[0, 0][3] == "" and m.confidence[0, 0] == ""
    # A readable CV with no recognised skill gets a text-based number, with low confidence and the reason.
    state, score, _, confidence, why = reasons[1, 0]
    assert state == "scored" and score > 0 and confidence == "low" and "text similarity only" in why
    assert reasons[2, 1][:2] == ("insufficient_data", None) and "no skill requirements" in reasons[2, 1][2]
    assert reasons[2, 0][0] == "scored" and reasons[2, 0][1] > 0


def test_confidence_levels_follow_the_evidence(model):
    vacancy = VacancyDocument(text="python sql", required={"Python": 1})
    many = {s: 1.0 for s in VOCAB}
    long_text = "python sql " + " ".join(["experience"] * 200)
    docs = [
        CandidateDocument(text=long_text, skills=many, evidence_levels={s: "used" for s in many}),
        CandidateDocument(text=long_text, skills={"Python": 1.0}, evidence_levels={"Python": "used"}),
        CandidateDocument(text=long_text, skills=many, evidence_levels={s: "listed" for s in many}),
        CandidateDocument(text=long_text, skills=many, keyword_list=True),
    ]
    m = scoring.score_chunk(model, docs, [vacancy])
    assert list(m.confidence[:, 0]) == ["high", "medium", "medium", "low"]
    assert "only 1 recognised skill" in m.confidence_reason(1, 0)
    assert "no skill shown in use" in m.confidence_reason(2, 0)


def test_a_keyword_list_is_discounted_and_flagged(model):
    vacancy = VacancyDocument(text="python sql tensorflow", required={"Python": 1, "TensorFlow": 1})
    honest = CandidateDocument(
        text="python sql tensorflow " + FILLER, skills={"Python": 1.0, "TensorFlow": 1.0}
    )
    listed = CandidateDocument(
        text=honest.text,
        skills=honest.skills,
        keyword_list=True,
        keyword_reason="90 % of its words are skill names",
    )
    m = scoring.score_chunk(model, [honest, listed], [vacancy])
    for name in ("required", "profile", "text"):
        assert m.components[name][1, 0] == pytest.approx(
            scoring.KEYWORD_LIST_DISCOUNT * m.components[name][0, 0]
        )
    pair = scoring.explain_pair(model, m, 1, 0, listed, vacancy)
    assert {"code": "keyword_list", "message": "keyword list: little evidence of use"} in pair.flags
    assert pair.confidence == "low" and "keyword list" in pair.confidence_reason


def test_a_cv_in_another_language_is_scored_without_text_similarity_and_says_so(model):
    vacancy = VacancyDocument(text="python sql tensorflow", required={"Python": 1}, language="en")
    text = "python sql tensorflow " + FILLER
    same = CandidateDocument(text=text, skills={"Python": 1.0}, language="en")
    other = CandidateDocument(text=text, skills={"Python": 1.0}, language="de")
    m = scoring.score_chunk(model, [same, other], [vacancy])
    assert m.confidence[1, 0] == "low" and m.confidence[0, 0] != "low" or m.confidence[1, 0] == "low"
    pair = scoring.explain_pair(model, m, 1, 0, other, vacancy)
    by_name = {c["name"]: c for c in pair.components}
    assert by_name["text"]["weight"] == 0 and by_name["text"]["points"] == 0
    assert sum(c["points"] for c in pair.components) == pytest.approx(pair.score, abs=0.01)
    assert any(f["code"] == "language" and "German" in f["message"] for f in pair.flags)
    # The fast scan agrees with the explained path on the rescaled score.
    fast = scoring.score_matrices(
        scoring.candidate_matrices(model, [same, other]),
        scoring.vacancy_matrices(model, [vacancy]),
        keep_components=False,
    )
    np.testing.assert_allclose(fast.score, m.score, atol=1e-3)


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


def test_related_skills_get_partial_credit_named_in_the_explanation(pool):
    vocab = ["Keras", "PyTorch", "TensorFlow", "Deep learning", "Machine learning", "Excel"]
    broader = {
        "Keras": ["Deep learning"],
        "PyTorch": ["Deep learning"],
        "TensorFlow": ["Deep learning"],
        "Deep learning": ["Machine learning"],
    }
    model = MatchingModel.fit(["a " * 40, "b " * 40], [{"Keras": 1}, {"Excel": 1}], vocab, broader=broader)
    assert (
        model.broader_matrix[model.skill_index["Keras"], model.skill_index["Machine learning"]] == 1
    )  # transitive
    vacancy = VacancyDocument(text="deep learning tensorflow", required={"TensorFlow": 2, "Deep learning": 1})
    cands = [
        CandidateDocument(
            text="tensorflow " + FILLER, skills={"TensorFlow": 1.0}, evidence_levels={"TensorFlow": "used"}
        ),
        CandidateDocument(
            text="pytorch " + FILLER, skills={"PyTorch": 1.0}, evidence_levels={"PyTorch": "used"}
        ),
        CandidateDocument(text="excel " + FILLER, skills={"Excel": 1.0}),
    ]
    m = scoring.score_chunk(model, cands, [vacancy])
    required = m.components["required"][:, 0]
    assert required[0] > required[1] > required[2] == 0  # the skill itself > a sibling > nothing related
    assert m.components["profile"][1, 0] > 0.3
    pair = scoring.explain_pair(model, m, 1, 0, cands[1], vacancy)
    tf = next(s for s in pair.matched if s["skill"] == "TensorFlow")
    assert tf["evidence_level"] == "related" and tf["related_to"] == "PyTorch"
    assert tf["credit"] == pytest.approx(scoring.SIBLING_CREDIT)
    dl = next(s for s in pair.matched if s["skill"] == "Deep learning")  # PyTorch is a kind of deep learning
    assert dl["related_to"] == "PyTorch" and dl["credit"] == pytest.approx(scoring.ANCESTOR_CREDIT)


def test_skills_held_together_by_the_pool_are_related():
    vocab = ["Pandas", "NumPy", "Excel", "Word"]
    docs = [{"Pandas": 1, "NumPy": 1}] * 4 + [{"Excel": 1}] * 3 + [{"Word": 1, "Excel": 1}]
    model = MatchingModel.fit(["a " * 40] * 8, docs, vocab)
    related = model.related.toarray()
    assert related[model.skill_index["Pandas"], model.skill_index["NumPy"]] == pytest.approx(
        scoring.COOCCURRENCE_CREDIT * 1.0
    )
    assert related[model.skill_index["Pandas"], model.skill_index["Excel"]] == 0
    again = MatchingModel.from_bytes(model.to_bytes())
    assert again.version == model.version and (again.related != model.related).nnz == 0


def test_broader_cycles_do_not_make_a_skill_its_own_parent():
    model = MatchingModel.fit(["x " * 40], [{"A": 1}], ["A", "B"], broader={"A": ["B"], "B": ["A"]})
    assert model.broader_matrix[model.skill_index["A"], model.skill_index["A"]] == 0
    assert model.broader_matrix[model.skill_index["A"], model.skill_index["B"]] == 1


def test_the_fast_scan_gives_the_same_scores_as_the_explained_path(model, pool):
    vacancies = [
        VacancyDocument(
            text="python tensorflow sql machine learning",
            required={"Python": 2, "SQL": 1},
            desirable={"Kafka": 1},
            min_qualification_level=2,
            fields=["computer science"],
            min_years_experience=3,
        ),
        VacancyDocument(text="sales", required={"communication": 1}),
    ]
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

    cands = [
        CandidateDocument(
            text=text(),
            skills={s: int(rng.integers(1, 3)) for s in rng.choice(vocab, 6)},
            qualification_level=int(rng.integers(0, 5)),
            fields=["computer science"],
            years_experience=float(rng.integers(0, 10)),
        )
        for _ in range(120)
    ]
    cands[5] = CandidateDocument(text="too short", skills={"skill1": 1})  # insufficient: ranks last
    vacs = [
        VacancyDocument(
            text=text(),
            required={s: 1 for s in rng.choice(vocab, 8)},
            desirable={s: 1 for s in rng.choice(vocab, 3)},
            min_qualification_level=2,
            fields=["computer science"],
            min_years_experience=2,
        )
        for _ in range(9)
    ]
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


def test_the_same_evidence_scores_alike_on_a_short_and_a_long_vacancy():
    """Comparable across vacancies: a CV that shows every required skill in use meets a vacancy asking for three
    skills as fully as one asking for ten, and asking for less is no advantage in itself (the old engine's
    requirement floods made short vacancies every candidate's best match)."""
    vocab = [f"skill{i}" for i in range(12)]
    pool_texts = [" ".join(vocab[i : i + 4]) + " " + FILLER for i in range(8)]
    model = MatchingModel.fit(pool_texts, [{s: 1 for s in vocab[i : i + 4]} for i in range(8)], vocab)
    short = VacancyDocument(text=" ".join(vocab[:3]), required={s: 1 for s in vocab[:3]})
    long = VacancyDocument(text=" ".join(vocab[:10]), required={s: 1 for s in vocab[:10]})
    cv = CandidateDocument(
        text=" ".join(vocab[:10]) + " " + FILLER,
        skills={s: 1.0 for s in vocab[:10]},
        evidence_levels={s: "used" for s in vocab[:10]},
    )
    m = scoring.score_chunk(model, [cv], [short, long])
    assert abs(m.components["required"][0, 0] - m.components["required"][0, 1]) < 0.05
    assert m.score[0, 0] <= m.score[0, 1]


def test_a_chunk_explained_at_once_equals_each_pair_explained_alone():
    """``explain_pairs`` (what a full rescore stores) computes the candidates' evidence for the whole chunk at once;
    every explanation is byte for byte the one ``explain_pair`` gives each pair on its own, and each skill credited
    through a related one names the related skill t with the largest R[s, t] · e[t] (ties: the larger name)."""
    import copy
    import json
    from dataclasses import asdict

    vocab = ["Keras", "PyTorch", "TensorFlow", "Deep learning", "Machine learning", "Excel", "SQL", "Python"]
    broader = {
        "Keras": ["Deep learning"],
        "PyTorch": ["Deep learning"],
        "TensorFlow": ["Deep learning"],
        "Deep learning": ["Machine learning"],
    }
    skill_maps = [
        {"PyTorch": 1.0, "Python": 0.6},
        {"Keras": 0.4, "PyTorch": 0.4, "SQL": 1.0},  # a tie between two siblings of TensorFlow
        {"Excel": 1.0},
        {"TensorFlow": 2.0, "Machine learning": 0.6, "Python": 1.0},
        {"Keras": 1.0, "Excel": 0.6},
    ]
    model = MatchingModel.fit(["a " * 40] * 5, skill_maps, vocab, broader=broader)
    cands = [
        CandidateDocument(
            text=f"cv {i} " + FILLER,
            skills=s,
            evidence_levels=dict.fromkeys(s, "used"),
            keyword_list=i == 4,
        )
        for i, s in enumerate(skill_maps)
    ] + [CandidateDocument(text="too short", skills={"Python": 1.0})]  # insufficient data
    vacancies = [
        VacancyDocument(text="dl", required={"TensorFlow": 2, "Deep learning": 1}, desirable={"SQL": 1}),
        VacancyDocument(text="ml", required={"Machine learning": 1, "Python": 1}, core=("Python",)),
        VacancyDocument(text="xl", required={"Excel": 1, "Keras": 1}),
    ]
    m = scoring.score_chunk(model, cands, vacancies)
    pairs = [(i, j) for i in range(len(cands)) for j in range(len(vacancies))][::-1]
    evidence = [{name: f"line of {name}" for name in c.skills} for c in cands]
    together = scoring.explain_pairs(
        model, m, pairs, copy.deepcopy(cands), vacancies, {"SQL": "language"}, evidence
    )
    alone = [
        scoring.explain_pair(
            model,
            m,
            i,
            j,
            copy.deepcopy(cands[i]),
            copy.deepcopy(vacancies[j]),
            {"SQL": "language"},
            evidence[i],
        )
        for i, j in pairs
    ]
    assert [json.dumps(asdict(p)) for p in together] == [json.dumps(asdict(p)) for p in alone]
    related = model.related.toarray()
    credited = 0
    for (i, _), pair in zip(pairs, together, strict=True):
        for item in pair.matched:
            if item.get("evidence_level") != "related":
                continue
            s = model.skill_index[item["skill"]]
            own = skill_maps[i] if i < len(skill_maps) else {}
            best = max((related[s, model.skill_index[t]] * e, t) for t, e in own.items())
            assert (item["related_to"], item["credit"]) == (
                best[1],
                round(related[s, model.skill_index[best[1]]], 2),
            )
            credited += 1
    assert credited >= 3
