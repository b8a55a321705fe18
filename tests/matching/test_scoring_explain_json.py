"""The stored explanation of a pair is the same text, byte for byte, whether a full rescore writes it for a chunk's
shortlist (``scoring.explain_pairs_json``, assembled from per-vacancy JSON fragments) or the pair is explained on
its own: checked against ``json.dumps`` of the dictionaries the engine built before (engine 2.3.0, kept here as the
reference) on many pairs, awkward ones included.  No database."""

from __future__ import annotations

import json
import random
from dataclasses import asdict

import pytest

from matching import scoring
from matching.evidence import KEYWORD_LIST_MESSAGE
from matching.language import language_note
from matching.scoring import (
    COMPONENT_LABELS,
    COMPONENTS,
    KEYWORD_LIST_DISCOUNT,
    SKILL_SATURATION,
    CandidateDocument,
    ComponentWeights,
    MatchingModel,
    PairScore,
    VacancyDocument,
    saturate,
)
from matching.storage import row_values

FILLER = " ".join(["experience"] * 40)
VOCAB = [
    "Keras",
    "PyTorch",
    "TensorFlow",
    "Deep learning",
    "Machine learning",
    "Data science",
    "Python",
    "SQL",
    "Excel",
    "Ökonometrie",
    "Rédaction",
    "日本語",
    'C "quoted"',
    "Alpha",  # Alpha and Beta: never held by the pool, so equal weights — ties in gain and contribution
    "Beta",
    "Linux",
]
BROADER = {
    "Keras": ["Deep learning"],
    "PyTorch": ["Deep learning"],
    "TensorFlow": ["Deep learning"],
    "Deep learning": ["Machine learning"],
    "Machine learning": ["Data science"],
    "Ökonometrie": ["Data science"],
}
CATEGORIES = {"SQL": "language", "Ökonometrie": "méthode", "日本語": "言語", "Python": "language"}


def reference_explain_pair(model, matrices, i, j, candidate, vacancy, skill_categories=None, evidence=None):
    """``scoring.explain_pair`` as engine 2.3.0 wrote it (dictionaries built per pair): the reference."""
    if matrices.insufficient[i, j]:
        return PairScore("insufficient_data", None, matrices.reason(i, j) or "insufficient data", [], [], [])
    categories = skill_categories or {}
    evidence = evidence or {}
    w = matrices.weights[j]
    components = []
    mismatch = matrices.language_mismatch is not None and bool(matrices.language_mismatch[i, j])
    scale = 1.0
    if mismatch and w[5] < 1.0:
        scale = 1.0 / (1.0 - float(w[5]))
    for k, name in enumerate(COMPONENTS):
        value = float(matrices.components[name][i, j])
        weight = 0.0 if (mismatch and name == "text") else float(w[k]) * scale
        components.append(
            {
                "name": name,
                "label": COMPONENT_LABELS[name],
                "score": round(100 * value, 2),
                "weight": round(weight, 4),
                "points": round(100 * value * weight, 4),
            }
        )
        if name == "role" and weight > 0:
            components[-1]["titles"] = list(candidate.role_titles)[:3]
            components[-1]["vacancy_title_skills"] = list(vacancy.core)
            if candidate.role_claims:
                components[-1]["unbacked_title_skills"] = list(candidate.role_claims)[:3]
    effective, strength, related_to = scoring._candidate_evidence(model, candidate)
    discount = KEYWORD_LIST_DISCOUNT if candidate.keyword_list else 1.0
    full = saturate(1.0, SKILL_SATURATION)
    matched, missing = [], []
    for importance, k, rows in scoring._requirement_rows(model, vacancy):
        for name, weight in rows:
            per_point = 100.0 * float(w[k]) * scale * weight * discount
            entry = {
                "skill": name,
                "category": categories.get(name, ""),
                "importance": importance,
                "weight": round(float(weight), 4),
            }
            value = effective.get(name, 0.0)
            if value > 0:
                item = {**entry, "contribution": round(per_point * saturate(value, SKILL_SATURATION), 4)}
                if strength.get(name, 0.0) > 0:
                    item["evidence_level"] = candidate.evidence_levels.get(name, "") or "mentioned"
                    item["evidence"] = evidence.get(name, "")
                else:
                    source, credit = related_to[name]
                    item.update(
                        evidence_level="related",
                        related_to=source,
                        credit=round(credit, 2),
                        evidence=evidence.get(source, ""),
                    )
                matched.append(item)
            else:
                missing.append({**entry, "contribution": 0.0, "gain": round(per_point * full, 4)})
    matched.sort(key=lambda e: (-e["contribution"], e["skill"]))
    missing.sort(key=lambda e: (e["importance"] != "required", -e["gain"], e["skill"]))
    flags = []
    if candidate.keyword_list:
        flags.append({"code": "keyword_list", "message": KEYWORD_LIST_MESSAGE})
    if mismatch:
        flags.append({"code": "language", "message": language_note(candidate.language, vacancy.language)})
    confidence = matrices.confidence_at(i, j)
    return PairScore(
        "scored",
        round(float(matrices.score[i, j]), 2),
        "",
        components,
        matched,
        missing,
        confidence,
        matrices.confidence_reason(i, j) if confidence != "high" else "",
        flags,
    )


def reference_texts(pair: PairScore) -> tuple[str, str, str]:
    """The JSON text engine 2.3.0 stored: ``json.dumps`` of matched, missing and the explanation."""
    explanation = {
        "state": pair.state,
        "reason": pair.reason,
        "components": pair.components,
        "engine_version": scoring.ENGINE_VERSION,
        "confidence": pair.confidence,
        "confidence_reason": pair.confidence_reason,
        "flags": pair.flags,
    }
    return json.dumps(pair.matched), json.dumps(pair.missing), json.dumps(explanation)


def stored_texts(model, matrices, pair, i, j) -> tuple[str, str, str]:
    groups = {name: matrices.score * 0 for name in ("skills_score", "qualifications_score", "text_score")}
    row = row_values(1, 2, pair, model, "v", "{}", None, groups, i, j)
    return row[7], row[8], row[9]


def fresh(documents):
    """Copies without the engine's caches, so each path computes its own."""
    return [type(d)(**{f: getattr(d, f) for f in d.__dataclass_fields__}) for d in documents]


def awkward_documents():
    """Candidates and vacancies with every case the explanation treats apart."""
    text = "python sql deep learning models " + FILLER
    cands = [
        CandidateDocument(  # used skills, related credit (TensorFlow and Deep learning through PyTorch)
            text=text,
            skills={"PyTorch": 1.0, "Python": 1.6, "SQL": 0.6, "Ökonometrie": 0.4},
            evidence_levels={"PyTorch": "used", "Python": "used", "SQL": "listed", "Ökonometrie": ""},
        ),
        CandidateDocument(  # keyword list: discounted contributions and gains
            text=text,
            skills={"Python": 1.0, "SQL": 1.0, "Keras": 0.4, "Alpha": 1.0, "Beta": 1.0},
            keyword_list=True,
            keyword_reason="bare list",
        ),
        CandidateDocument(  # another language than the vacancies': text weight 0, the others rescaled
            text=text,
            skills={"Python": 1.0, "Rédaction": 1.0, "日本語": 0.6},
            language="fr",
            evidence_levels={"Python": "used", "Rédaction": "used", "日本語": "mentioned"},
        ),
        CandidateDocument(  # ties: Alpha and Beta held alike
            text=text,
            skills={"Alpha": 1.0, "Beta": 1.0, 'C "quoted"': 0.6, "Linux": 1.0},
            evidence_levels=dict.fromkeys(("Alpha", "Beta", 'C "quoted"', "Linux"), "used"),
        ),
        CandidateDocument(  # role titles, one backed, one not
            text=text,
            skills={"Machine learning": 1.0, "Python": 1.0, "Data science": 0.4},
            roles=("Machine learning",),
            role_titles=("Machine Learning Engineer", "Data Scientist", "Analyst", "Intern"),
            role_claims=("Data science",),
        ),
        CandidateDocument(text=text, skills={}),  # no recognised skill
        CandidateDocument(text="too short", skills={"Python": 1.0}),  # insufficient data
        CandidateDocument(  # keyword list in another language, with a title
            text=text,
            skills={"Excel": 1.0, "SQL": 0.6, "TensorFlow": 1.0},
            keyword_list=True,
            language="de",
            roles=("TensorFlow",),
            role_titles=("TensorFlow-Entwickler",),
        ),
    ]
    vacancies = [
        VacancyDocument(
            text="deep learning",
            required={"TensorFlow": 2, "Deep learning": 1, "Python": 1},
            desirable={"SQL": 1, "Ökonometrie": 1},
            language="en",
        ),
        VacancyDocument(
            text="only desirable", required={}, desirable={"Excel": 1, "Rédaction": 1, "日本語": 1}
        ),
        VacancyDocument(  # ties: Alpha and Beta weigh the same; a skill both required and desirable
            text="ties",
            required={"Alpha": 1, "Beta": 1, "Linux": 1},
            desirable={"Linux": 1, 'C "quoted"': 1},
            language="en",
        ),
        VacancyDocument(
            text="ml engineer",
            required={"Machine learning": 1, "Python": 1, "Data science": 1},
            core=("Machine learning",),
            min_qualification_level=3,
            fields=("computer science",),
            min_years_experience=2,
            language="en",
        ),
        VacancyDocument(  # text alone weighs nothing: a language mismatch rescales nothing
            text="text weight 0",
            required={"SQL": 1, "Excel": 1},
            weights=ComponentWeights(text=0.0),
            language="en",
        ),
        VacancyDocument(  # text is all the weight there is besides skills
            text="text heavy",
            required={"Python": 1},
            weights=ComponentWeights(
                required=0.0,
                desirable=0.0,
                qualification=0.0,
                experience=0.0,
                profile=0.0,
                text=1.0,
                role=0.0,
            ),
            language="en",
        ),
        VacancyDocument(text="no skills", required={}),  # insufficient data
        VacancyDocument(
            text="tensorflow dev",
            required={"TensorFlow": 1, "Keras": 1},
            core=("TensorFlow",),
            weights=ComponentWeights(role=0.7, text=0.3),
        ),
    ]
    return cands, vacancies


def random_documents(seed: int, n_candidates: int, n_vacancies: int):
    rng = random.Random(seed)
    text = "python sql deep learning models " + FILLER
    cands = []
    for _ in range(n_candidates):
        held = rng.sample(VOCAB, rng.randint(0, 7))
        skills = {s: rng.choice([0.4, 0.6, 1.0, 1.0, 1.3862943611198906]) for s in held}
        roles = tuple(rng.sample(held, min(len(held), rng.randint(0, 1))))
        cands.append(
            CandidateDocument(
                text=text if rng.random() > 0.05 else "short",
                skills=skills,
                evidence_levels={s: rng.choice(["used", "listed", "mentioned", "", "entered"]) for s in held},
                keyword_list=rng.random() < 0.2,
                language=rng.choice(["", "en", "en", "en", "fr"]),
                roles=roles,
                role_titles=tuple(f"{r} Engineer" for r in roles),
                role_claims=tuple(rng.sample(VOCAB, rng.randint(0, 1)) if rng.random() < 0.2 else ()),
            )
        )
    vacancies = []
    for _ in range(n_vacancies):
        required = {s: rng.randint(1, 3) for s in rng.sample(VOCAB, rng.randint(0, 6))}
        desirable = {s: 1 for s in rng.sample(VOCAB, rng.randint(0, 3))}
        weights = {name: rng.choice([0.0, 0.05, 0.1, 0.3, 0.4]) for name in COMPONENTS}
        weights["profile"] = 0.35
        vacancies.append(
            VacancyDocument(
                text="vacancy",
                required=required,
                desirable=desirable,
                core=tuple(rng.sample(list(required), min(len(required), rng.randint(0, 1)))),
                min_qualification_level=rng.choice([0, 0, 2, 3]),
                min_years_experience=rng.choice([None, 0, 3]),
                weights=ComponentWeights.from_mapping(weights),
                language=rng.choice(["", "en", "en", "fr"]),
            )
        )
    return cands, vacancies


@pytest.mark.parametrize(
    "documents",
    [awkward_documents(), random_documents(15, 60, 20), random_documents(16, 40, 30)],
    ids=["awkward", "random-15", "random-16"],
)
def test_stored_explanations_are_the_text_the_reference_stored_byte_for_byte(documents):
    cands, vacancies = documents
    pool = awkward_documents()[0]
    model = MatchingModel.fit(
        [c.text for c in pool] * 3, [c.skills for c in pool] * 3, VOCAB, broader=BROADER
    )
    m = scoring.score_chunk(model, cands, vacancies)
    pairs = [(i, j) for i in range(len(cands)) for j in range(len(vacancies))]
    random.Random(0).shuffle(pairs)
    evidence = [
        {name: f'« {name} » at work, "quoted" — line {i}' for name in c.skills} for i, c in enumerate(cands)
    ]
    chunk_cands, chunk_vacs = fresh(cands), fresh(vacancies)
    texts = scoring.explain_pairs_json(model, m, pairs, chunk_cands, chunk_vacs, CATEGORIES, evidence)
    together = scoring.explain_pairs(model, m, pairs, chunk_cands, chunk_vacs, CATEGORIES, evidence)
    seen = {"insufficient": 0, "related": 0, "discount": 0, "mismatch": 0, "role": 0, "tie": 0}
    for (i, j), text, pair in zip(pairs, texts, together, strict=True):
        reference = reference_explain_pair(
            model, m, i, j, fresh([cands[i]])[0], fresh([vacancies[j]])[0], CATEGORIES, evidence[i]
        )
        alone = scoring.explain_pair(
            model, m, i, j, fresh([cands[i]])[0], fresh([vacancies[j]])[0], CATEGORIES, evidence[i]
        )
        expected = reference_texts(reference)
        assert stored_texts(model, m, text, i, j) == expected, (i, j)
        assert stored_texts(model, m, alone, i, j) == expected, (i, j)
        assert json.dumps(asdict(pair)) == json.dumps(asdict(alone)) == json.dumps(asdict(reference))
        assert (text.state, text.score, text.confidence) == (
            reference.state,
            reference.score,
            reference.confidence,
        )
        seen["insufficient"] += reference.state == "insufficient_data"
        seen["related"] += any(e.get("evidence_level") == "related" for e in reference.matched)
        seen["discount"] += cands[i].keyword_list and reference.state == "scored"
        seen["mismatch"] += any(f["code"] == "language" for f in reference.flags)
        seen["role"] += any("titles" in c for c in reference.components)
        contributions = [e["contribution"] for e in reference.matched]
        gains = [e["gain"] for e in reference.missing]
        seen["tie"] += len(set(contributions)) < len(contributions) or len(set(gains)) < len(gains)
    assert all(seen.values()), seen


def test_the_explanation_of_a_language_mismatch_with_no_text_weight_rescales_nothing():
    cands, vacancies = awkward_documents()
    pool = cands
    model = MatchingModel.fit([c.text for c in pool], [c.skills for c in pool], VOCAB, broader=BROADER)
    m = scoring.score_chunk(model, [cands[2]], [vacancies[4]])
    pair = scoring.explain_pair(model, m, 0, 0, cands[2], vacancies[4])
    weights = {c["name"]: c["weight"] for c in pair.components}
    assert weights["text"] == 0.0
    assert sum(weights.values()) == pytest.approx(1.0, abs=1e-3)
    assert [f["code"] for f in pair.flags] == ["language"]


def test_a_component_that_is_not_a_finite_number_is_written_as_json_writes_it():
    """Never seen (components are in [0, 1)), but the text must still be json.dumps's: NaN, not nan."""
    cands, vacancies = awkward_documents()
    model = MatchingModel.fit([c.text for c in cands], [c.skills for c in cands], VOCAB, broader=BROADER)
    m = scoring.score_chunk(model, cands[:1], vacancies[:1])
    m.components["text"][0, 0] = float("nan")
    (text,) = scoring.explain_pairs_json(model, m, [(0, 0)], fresh(cands[:1]), fresh(vacancies[:1]))
    reference = reference_explain_pair(model, m, 0, 0, fresh(cands[:1])[0], fresh(vacancies[:1])[0])
    assert stored_texts(model, m, text, 0, 0) == reference_texts(reference)
    assert "NaN" in text.components
