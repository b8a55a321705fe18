"""The scoring engine: evidence-weighted skill coverage with credit for related skills, qualification and
experience fit, and TF-IDF cosine similarity over the whole text, combined into a 0–100 match score with
per-skill contributions, a confidence and flags.

Pure code: lists of strings, dicts and sparse matrices in, numbers out; no Django imports (PostHog's
``detectors`` style), so it is tested with small literal inputs and no database.

The score of candidate *c* for vacancy *v* is a weighted sum of components, each in [0, 1)::

    score = 100 * Σ_k  w_k(v) * component_k(c, v)

Every component rises strictly with its evidence and none has a cap past which more evidence stops counting;
each saturates instead (``x / (x + K)``, the form of BM25's term-frequency saturation, Robertson & Zaragoza
2009, "The Probabilistic Relevance Framework: BM25 and Beyond", §3.3).

- ``required``     Σ_s W_req[v, s] · h(e'[c, s]): the vacancy's required skills, each weighted by its IDF over the
                   candidate pool times its mentions in the vacancy (Salton & Buckley 1988) — three times more
                   when the vacancy's title names it — against the candidate's saturated evidence
                   ``h(e) = e / (e + SKILL_SATURATION)``.  ``e`` is the skill's evidence strength in the CV
                   (``matching.evidence``: used in a role > listed > mentioned, repetition adding a log bonus);
                   ``e' = e + RELATED_MAX · r / (r + RELATED_SATURATION)`` adds partial credit from related skills
                   the candidate shows, ``r = Σ_t R[s, t] · e[c, t]`` (see *Related skills*).
- ``desirable``    the same over desirable skills.
- ``qualification`` degree level against the vacancy's minimum, ``q / (q + 0.25)`` of the ratio ``q`` (meeting the
                   minimum gives 0.8, exceeding it more), 70 %, and whether the fields agree, 30 %.
- ``experience``   years of experience against the vacancy's minimum, ``y / (y + 0.25)`` of the ratio.
- ``profile``      cosine similarity of the TF-IDF skill profiles of CV (effective evidence ``e'``) and vacancy,
                   each skill also counting ``BROADER_CREDIT`` towards its broader skills (Keras → Deep learning
                   → Machine learning).
- ``text``         ``c / (c + TEXT_SATURATION)`` of the cosine similarity ``c`` of sublinear word TF-IDF vectors
                   (unigrams and bigrams, English stop words removed, words in fewer than ``TEXT_MIN_DF`` CVs
                   ignored) of the CV and of the vacancy's ``VACANCY_KEY_TERMS`` highest-weighted terms.  Terms are
                   hashed feature ids counted once per document (``matching.terms``); the IDF comes from the
                   candidates' document frequencies kept as counts, so no pass re-reads the texts.
- ``role``         the candidate's job titles against the vacancy's title: the mean, over the skills the vacancy
                   title names (its ``core``), of ``r / (r + ROLE_SATURATION)`` where ``r = Σ_t R°[s, t]`` over the
                   skills the candidate's titles name (``matching.extraction.extract_role_titles``; "Data
                   Scientist" names Data science) and ``R°`` is 1 on the diagonal and the related-skill credit in
                   either direction elsewhere (a data scientist and a machine-learning engineer are neighbouring
                   roles both ways).  Applies when the vacancy's title names a skill.  Job-title similarity is
                   the first criterion of recruiters' searches and of Textkernel's Search & Match.  A title is a
                   claim: its skill counts only when the rest of the CV backs it — the skill shown outside the
                   job titles, or a skill narrower than it (``matching.evidence.corroborated_roles``).  A "Machine
                   Learning Engineer" line above a CV with no machine-learning work earns no role credit, and its
                   machine learning counts as a bare mention.

Related skills
==============
``R[s, t]`` is the credit a vacancy's skill *s* gets from a candidate's skill *t*, learned when the model is fitted:
the vocabulary's broader links (*t* narrower than *s*: ``ANCESTOR_CREDIT``, less per level; *t* and *s* sharing a
broader skill — PyTorch and TensorFlow under Deep learning — ``SIBLING_CREDIT``) and the pool's skill
co-occurrence (cosine of the two skills' presence over the candidates, Salton's cosine measure, times
``COOCCURRENCE_CREDIT`` when at least ``COOCCURRENCE_MIN``).  A skill keeps its ``RELATED_PER_SKILL`` strongest
links.  The explanation names the related skill and the credit ("TensorFlow — through PyTorch, 48 %").

Keyword lists, confidence and language
======================================
A CV flagged as a keyword list (``matching.evidence``) has its skill and text components multiplied by
``KEYWORD_LIST_DISCOUNT``.  A CV in another language than the vacancy is scored on what can be recognised:
its text component does not apply to that vacancy (its weight goes to the others).  Each pair gets a confidence:
low (no recognised skill — scored on text only —, a keyword list, or another language), medium (fewer than
``CONFIDENT_SKILLS`` skills, no skill shown in use, or a short CV), else high.

A component that does not apply to a vacancy (no desirable skills, no minimum qualification, no minimum
experience) gives its weight to the others in proportion, so the weights used always add up to 1; the
weights used are stored with each score.  Everything is vectorised over all pairs of a chunk with sparse
matrices; nothing loops over pairs except building the explanation of the pairs that are stored.
"""

from __future__ import annotations

import hashlib
import io
import json
import math
from collections.abc import Iterable, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import asdict, dataclass, field
from json.encoder import encode_basestring_ascii

import numpy as np
import scipy.sparse as sp

from matching.evidence import KEYWORD_LIST_MESSAGE, transitive
from matching.language import language_note
from matching.terms import DocumentFrequencies, FeatureIndex, TermCounts, counts_matrix, text_terms

ENGINE_VERSION = "2.3.0"  # 2.3: word features are hashed term counts, each text read once (issue 15)

COMPONENTS = ("required", "desirable", "qualification", "experience", "profile", "text", "role")
COMPONENT_LABELS = {
    "required": "Required skills",
    "desirable": "Desirable skills",
    "qualification": "Qualification",
    "experience": "Experience",
    "profile": "Skill profile",
    "text": "Text similarity",
    "role": "Role title",
}

# Saturation constants (x / (x + K)): text similarity is half way at cosine 0.15; a skill used once in a role
# (strength 1) gives 0.74 of its weight, listed once 0.63, mentioned once 0.53.
TEXT_SATURATION = 0.15
SKILL_SATURATION = 0.35
RATIO_SATURATION = 0.25  # qualification and experience ratios: meeting the minimum gives 0.8
# Terms of a vacancy's text kept for the text component (its highest TF-IDF weights).
VACANCY_KEY_TERMS = 100
# Fewer words than this in a CV is too little text to score.
MIN_CV_WORDS = 30
# A word must appear in this many CVs of the pool to count, so a person's unique name cannot weigh.
TEXT_MIN_DF = 2
# Share of a skill's weight that also counts towards each of its broader skills in the skill profile.
BROADER_CREDIT = 0.3
# Related-skill credit (see the module docstring).
ANCESTOR_CREDIT = 0.5  # a narrower skill towards its broader one; × 0.8 per further level
SIBLING_CREDIT = 0.6  # two skills sharing a direct broader skill
COOCCURRENCE_CREDIT = 0.6  # × the cosine of the two skills' presence over the candidate pool
COOCCURRENCE_MIN = 0.3  # cosine below which co-occurrence gives no credit
COOCCURRENCE_MIN_DF = 3  # both skills held by at least this many candidates
RELATED_PER_SKILL = 8
RELATED_MAX = 0.8  # related credit adds at most this much evidence strength (a use in a role is 1)
RELATED_SATURATION = 0.5
# Role titles: a candidate's job title naming the field of the vacancy's title (or a related one) — the field's
# credit r (1 for the same skill, R's credit for a related one) gives r / (r + ROLE_SATURATION).
ROLE_SATURATION = 0.5
# Skills named in the vacancy's title weigh (1 + TITLE_BOOST) times more among its requirements.
TITLE_BOOST = 2.0
# Share of a vacancy's requirement weights spread equally over its skills (the rest by IDF × mentions): a common
# required skill (Linux, SQL) is still a requirement, and meeting it must count for more than the wording of the
# rest of the CV (hard negatives: a CV without its skill sentences never outscores itself).
REQUIREMENT_EQUAL_SHARE = 0.5
# Skill and text components of a CV flagged as a keyword list are multiplied by this.
KEYWORD_LIST_DISCOUNT = 0.3
# Confidence: a CV with fewer recognised skills than this, no skill shown in use, or fewer words than
# CONFIDENT_WORDS is "medium".
CONFIDENT_SKILLS = 5
CONFIDENT_WORDS = 150
# Shares of the qualification component: degree level against the minimum, and agreement of the fields.
LEVEL_WEIGHT, FIELD_WEIGHT = 0.7, 0.3
CONFIDENCE_LEVELS = ("low", "medium", "high")


def saturate(x, k: float):
    """``x / (x + k)`` elementwise (0 at 0, strictly increasing, below 1): BM25-style saturation."""
    return x / (x + k)


@dataclass(frozen=True)
class ComponentWeights:
    """Weights of the score's components.  Defaults are the documented ones (README, "How a score is made").

    Each weight is ≥ 0; they are normalised to add up to 1 over the components that apply to a vacancy.
    """

    required: float = 0.30
    desirable: float = 0.05
    qualification: float = 0.05
    experience: float = 0.05
    profile: float = 0.35
    text: float = 0.10
    role: float = 0.40

    @classmethod
    def from_mapping(cls, values: Mapping[str, float] | None) -> ComponentWeights:
        """Build from a partial mapping (e.g. a vacancy's stored overrides).  Raises ``ValueError`` on an unknown
        component or a negative or non-numeric weight."""
        values = dict(values or {})
        unknown = set(values) - set(COMPONENTS)
        if unknown:
            raise ValueError(f"unknown score components: {', '.join(sorted(unknown))}")
        clean = {}
        for name, value in values.items():
            try:
                number = float(value)
            except (TypeError, ValueError):
                raise ValueError(f"weight of {name!r} is not a number") from None
            if number < 0 or not math.isfinite(number):
                raise ValueError(f"weight of {name!r} must be a finite number ≥ 0")
            clean[name] = number
        weights = cls(**clean)
        if sum(weights.as_array()) <= 0:
            raise ValueError("at least one component weight must be positive")
        return weights

    def as_array(self) -> np.ndarray:
        return np.array([getattr(self, name) for name in COMPONENTS], dtype=float)

    def as_dict(self) -> dict[str, float]:
        return asdict(self)


@dataclass
class CandidateDocument:
    """What the engine knows of one candidate.

    ``skills`` maps canonical skill name → evidence strength (``matching.evidence.skill_strength``: a use in a role
    is 1.0, a list entry 0.6, a passing mention 0.4, with a log bonus for repetition; a plain mention count also
    works); ``evidence_levels`` maps skill → ``used``/``listed``/``mentioned``/``entered`` (for explanations and
    confidence; empty: unknown); ``qualification_level`` is 0 (none) to 4 (doctorate); ``fields`` are the fields of
    study, lower-case; ``years_experience`` in years or ``None``; ``keyword_list`` flags a CV that is mostly repeated
    or bare-listed skills (``keyword_reason`` says why); ``language`` is an ISO 639-1 code or ""; ``role_titles`` are the
    job titles the CV shows the person holding and ``roles`` the canonical skills those titles name that the rest
    of the CV backs (``matching.extraction.extract_role_titles`` and ``role_field_text``,
    ``matching.evidence.corroborated_roles``); ``role_claims`` the skills they name that nothing else backs (shown
    in the explanation, never credited).  ``terms``: the text's stored term counts (``matching.terms``) when the
    caller has them — the engine then never reads ``text``, which may be "" —, else ``None`` and the text is
    counted when the candidate is vectorised.
    """

    text: str
    skills: Mapping[str, float]
    qualification_level: int = 0
    fields: Sequence[str] = ()
    years_experience: float | None = None
    evidence_levels: Mapping[str, str] = field(default_factory=dict)
    keyword_list: bool = False
    keyword_reason: str = ""
    language: str = ""
    roles: Sequence[str] = ()
    role_titles: Sequence[str] = ()
    role_claims: Sequence[str] = ()
    terms: TermCounts | None = None

    @property
    def words(self) -> int:
        """Words of the CV's (neutralised) text."""
        return self.terms.words if self.terms is not None else len(self.text.split())


@dataclass
class VacancyDocument:
    """What the engine knows of one vacancy.

    ``required`` and ``desirable`` map canonical skill name → mentions in the vacancy text (or 1 when a
    recruiter entered it); ``core`` are the skills its title names (weighted ``1 + TITLE_BOOST`` times);
    ``min_qualification_level`` 0–4 (0: none stated); ``min_years_experience`` in years or ``None``; ``weights`` the
    component weights for this vacancy; ``language`` an ISO 639-1 code or ""; ``terms`` the text's stored term
    counts or ``None`` (see ``CandidateDocument``).
    """

    text: str
    required: Mapping[str, int]
    desirable: Mapping[str, int] = field(default_factory=dict)
    min_qualification_level: int = 0
    fields: Sequence[str] = ()
    min_years_experience: float | None = None
    weights: ComponentWeights = field(default_factory=ComponentWeights)
    core: Sequence[str] = ()
    language: str = ""
    terms: TermCounts | None = None


def minimum_qualification_level(stated: int | None, levels: Iterable[int]) -> int:
    """The qualification level (0–4, 0: none) a vacancy asks for: the level a recruiter ``stated``
    (``Vacancy.min_qualification_level``) when there is one, else the lowest of the ``levels`` of the
    qualifications its text names ("a BSc or MSc" asks for a BSc), else 0.  The one statement of the rule: the
    engine's documents and the portal's "does my degree fit" line both read it."""
    return stated or min(levels, default=0)


@dataclass
class PairScore:
    """The score of one (candidate, vacancy) pair with its explanation.

    ``score`` is 0–100, or ``None`` with ``state == "insufficient_data"`` and a ``reason``.  ``components``
    holds, per component, its 0–100 score, its weight and its points (score × weight); points add up to
    ``score``.  ``matched`` and ``missing`` list skills with their weight within their component and the
    points they contribute (``contribution``) or would add (``gain``); a matched skill has its
    ``evidence_level`` (used, listed, mentioned, entered, or related — credited through ``related_to`` at
    ``credit``, 0–1).  The ``role`` component, when it applies, also lists the CV's job ``titles`` (up to 3) and
    the ``vacancy_title_skills`` they were compared with.  ``confidence`` is high/medium/low ("" when insufficient) with ``confidence_reason``;
    ``flags`` are ``{"code", "message"}`` dicts (``keyword_list``, ``language``).
    """

    state: str
    score: float | None
    reason: str
    components: list[dict]
    matched: list[dict]
    missing: list[dict]
    confidence: str = ""
    confidence_reason: str = ""
    flags: list[dict] = field(default_factory=list)


class MatchingModel:
    """The fitted part of the engine: the skill IDF and the word IDF, both from the candidate pool, so that one
    candidate or one vacancy can be scored later without refitting.

    ``word_terms`` are the hashed feature ids (``matching.terms``, ascending) of the words held by at least
    ``TEXT_MIN_DF`` candidates, ``word_idf`` their smoothed IDF ``ln((1 + n) / (1 + df)) + 1`` over the ``n``
    candidates with text; ``frequencies_digest`` names the document-frequency snapshot they were taken from
    (``DocumentFrequencies.digest``).  ``version`` is a hash of the fitted content; every score stores it.
    """

    def __init__(
        self,
        skill_names: Sequence[str],
        skill_idf: np.ndarray,
        word_terms: np.ndarray,
        word_idf: np.ndarray,
        n_documents: int,
        broader_pairs: Sequence[tuple[str, str]] = (),
        cooccurrence: Sequence[tuple[str, str, float]] = (),
        frequencies_digest: str = "",
    ) -> None:
        self.skill_names = list(skill_names)
        self.skill_index = {name: i for i, name in enumerate(self.skill_names)}
        self.skill_idf = np.asarray(skill_idf, dtype=float)
        self.word_terms = np.asarray(word_terms, dtype=np.int64)
        self.word_idf = np.asarray(word_idf, dtype=float)
        self.frequencies_digest = frequencies_digest
        self.n_documents = n_documents
        self.broader_pairs = sorted(
            {(a, b) for a, b in broader_pairs if a in self.skill_index and b in self.skill_index and a != b}
        )
        self.broader_matrix = _closure(self.broader_pairs, self.skill_index)
        self.cooccurrence = sorted(
            (a, b, round(float(c), 6))
            for a, b, c in cooccurrence
            if a in self.skill_index and b in self.skill_index and a != b
        )
        self.related = _related_matrix(self.broader_pairs, self.cooccurrence, self.skill_index)
        self.engine_version = ENGINE_VERSION
        self.version = self._hash()

    # -- fitting --------------------------------------------------------------------------------------
    @classmethod
    def fit(
        cls,
        candidate_texts: Sequence[str],
        candidate_skills: Sequence[Mapping[str, float]],
        vocabulary: Sequence[str],
        broader: Mapping[str, Sequence[str]] | None = None,
    ) -> MatchingModel:
        """Fit on the candidate pool's (neutralised) texts: their term counts give the document frequencies, then
        ``fit_frequencies``.  Equal to fitting on the frequencies kept from the same texts."""
        frequencies = DocumentFrequencies.from_terms(text_terms(list(candidate_texts)))
        return cls.fit_frequencies(frequencies, candidate_skills, vocabulary, broader)

    @classmethod
    def fit_frequencies(
        cls,
        frequencies: DocumentFrequencies,
        candidate_skills: Sequence[Mapping[str, float]],
        vocabulary: Sequence[str],
        broader: Mapping[str, Sequence[str]] | None = None,
    ) -> MatchingModel:
        """Fit on the candidate pool: the words' document ``frequencies`` (``matching.terms``; no text is read)
        and each candidate's skills.  ``vocabulary`` is every canonical skill name (columns of the skill matrix);
        ``broader`` maps a skill to its broader skills.

        Word and skill IDF are the smoothed IDF of scikit-learn, ``ln((1 + n) / (1 + df)) + 1``, words over the
        candidates with text (only words in ``TEXT_MIN_DF`` CVs or more), skills over every candidate; skill
        co-occurrence is the cosine of two skills' presence over the candidates (kept at ``COOCCURRENCE_MIN`` and
        above, both held by ``COOCCURRENCE_MIN_DF`` candidates or more).
        """
        names = sorted(set(vocabulary))
        index = {name: i for i, name in enumerate(names)}
        rows, cols = [], []
        for r, skills in enumerate(candidate_skills):
            for name, value in skills.items():
                if name in index and value > 0:
                    rows.append(r)
                    cols.append(index[name])
        return cls.fit_presence(
            frequencies, skill_presence(rows, cols, len(candidate_skills), len(names)), names, broader
        )

    @classmethod
    def fit_presence(
        cls,
        frequencies: DocumentFrequencies,
        presence: sp.csr_matrix,
        vocabulary: Sequence[str],
        broader: Mapping[str, Sequence[str]] | None = None,
    ) -> MatchingModel:
        """``fit_frequencies`` from the candidates' skill ``presence`` instead of their skill maps: shape
        ``(n_candidates, len(vocabulary))``, 1.0 where a candidate holds a skill with a strength above 0
        (``skill_presence``), columns in the order of ``vocabulary``, which is sorted and unique.  Lets a caller
        stream the skills of a large pool instead of holding every candidate's map (the same model, the same
        ``version``)."""
        names = list(vocabulary)
        if names != sorted(set(names)):
            raise ValueError("vocabulary must be sorted and unique")
        n = presence.shape[0]
        df = np.asarray(presence.sum(axis=0)).ravel()
        idf = np.log((1.0 + n) / (1.0 + df)) + 1.0
        cooccurrence = _cooccurrence(presence, df, names)
        kept = frequencies.df >= TEXT_MIN_DF
        word_idf = np.log((1.0 + frequencies.n_documents) / (1.0 + frequencies.df[kept])) + 1.0
        pairs = [(narrow, wide) for narrow, wides in (broader or {}).items() for wide in wides]
        return cls(
            names,
            idf,
            frequencies.features[kept],
            word_idf,
            n,
            pairs,
            cooccurrence,
            frequencies_digest=frequencies.digest(),
        )

    # -- persistence (arrays and JSON only: no pickle) --------------------------------------------------
    def to_bytes(self) -> bytes:
        """Serialise to an ``.npz`` archive."""
        buffer = io.BytesIO()
        np.savez_compressed(
            buffer,
            skill_names=np.array(json.dumps(self.skill_names)),
            skill_idf=self.skill_idf,
            word_terms=self.word_terms.astype("<u4"),
            word_idf=self.word_idf,
            frequencies_digest=np.array(self.frequencies_digest),
            n_documents=np.array(self.n_documents),
            broader_pairs=np.array(json.dumps(self.broader_pairs)),
            cooccurrence=np.array(json.dumps(self.cooccurrence)),
            engine_version=np.array(ENGINE_VERSION),
        )
        return buffer.getvalue()

    @classmethod
    def from_bytes(cls, data: bytes) -> MatchingModel:
        """Load what ``to_bytes`` wrote.  Raises ``ValueError`` on a damaged archive; an archive of an engine
        before 2.2 (word terms as strings) loads with no word terms and its ``engine_version``, so a caller
        that checks the version refits."""
        try:
            arrays = np.load(io.BytesIO(bytes(data)), allow_pickle=False)
            cooccurrence = json.loads(str(arrays["cooccurrence"])) if "cooccurrence" in arrays.files else []
            hashed = "word_terms" in arrays.files
            model = cls(
                json.loads(str(arrays["skill_names"])),
                arrays["skill_idf"],
                arrays["word_terms"].astype(np.int64) if hashed else np.zeros(0, dtype=np.int64),
                arrays["word_idf"] if hashed else np.zeros(0),
                int(arrays["n_documents"]),
                [tuple(p) for p in json.loads(str(arrays["broader_pairs"]))],
                [tuple(c) for c in cooccurrence],
                frequencies_digest=str(arrays["frequencies_digest"]) if hashed else "",
            )
            model.engine_version = (
                str(arrays["engine_version"]) if "engine_version" in arrays.files else "1.0.0"
            )
            return model
        except (KeyError, OSError, ValueError) as exc:
            raise ValueError(f"damaged matching model: {exc}") from exc

    def _hash(self) -> str:
        digest = hashlib.sha256()
        digest.update(json.dumps(self.skill_names).encode())
        digest.update(np.round(self.skill_idf, 9).tobytes())
        digest.update(json.dumps(self.broader_pairs).encode())
        digest.update(json.dumps(self.cooccurrence).encode())
        digest.update(ENGINE_VERSION.encode())
        digest.update(self.word_terms.astype("<i8").tobytes())
        digest.update(np.round(self.word_idf, 9).tobytes())
        digest.update(self.frequencies_digest.encode())
        return digest.hexdigest()[:12]

    # -- matrices ---------------------------------------------------------------------------------------
    def skill_matrix(self, skill_maps: Sequence[Mapping[str, float]]) -> sp.csr_matrix:
        """Rows of values per skill (evidence strength, or mentions), shape ``(len(skill_maps), n_skills)``;
        unknown skills are ignored."""
        rows, cols, vals = [], [], []
        for r, skills in enumerate(skill_maps):
            for name, count in skills.items():
                c = self.skill_index.get(name)
                if c is not None and count > 0:
                    rows.append(r)
                    cols.append(c)
                    vals.append(float(count))
        return sp.csr_matrix((vals, (rows, cols)), shape=(len(skill_maps), len(self.skill_names)))

    def requirement_weights(
        self, skill_maps: Sequence[Mapping[str, float]], core: Sequence[Sequence[str]] | None = None
    ) -> sp.csr_matrix:
        """Per vacancy, each skill's weight, rows adding up to 1: ``1 − REQUIREMENT_EQUAL_SHARE`` of the row by
        ``idf · mentions`` (a skill the vacancy names again and again, or few candidates have, weighs more) and
        ``REQUIREMENT_EQUAL_SHARE`` shared equally (every requirement counts, however common); the skills of
        ``core[i]``, the vacancy's title, count ``1 + TITLE_BOOST`` times in both parts."""
        m = self.skill_matrix(skill_maps)
        boost = self.skill_matrix(
            [
                {name: 1.0 + TITLE_BOOST if name in set(c) else 1.0 for name in s}
                for s, c in zip(skill_maps, core or [()] * len(skill_maps), strict=True)
            ]
        )
        weighted = _normalise_rows_l1(m.multiply(self.skill_idf[np.newaxis, :]).multiply(boost).tocsr())
        equal = _normalise_rows_l1(boost)
        return ((1.0 - REQUIREMENT_EQUAL_SHARE) * weighted + REQUIREMENT_EQUAL_SHARE * equal).tocsr()

    def role_matrix(self, roles: Sequence[Sequence[str]]) -> sp.csr_matrix:
        """Per candidate, each skill's role credit ``r / (r + ROLE_SATURATION)`` with ``r = Σ_t R°[s, t]`` over the
        skills ``t`` its job titles name that the rest of the CV backs (module docstring, ``role``); shape
        ``(len(roles), n_skills)``."""
        if "_role_related" not in self.__dict__:
            n = len(self.skill_names)
            self.__dict__["_role_related"] = (
                sp.identity(n, format="csr") + self.related.maximum(self.related.T)
            ).tocsr()
        held = self.skill_matrix([dict.fromkeys(r, 1.0) for r in roles])
        credit = (held @ self.__dict__["_role_related"].T).tocsr()
        credit.data = saturate(credit.data, ROLE_SATURATION)
        return credit

    def effective_evidence(self, strengths: sp.csr_matrix) -> tuple[sp.csr_matrix, sp.csr_matrix]:
        """``(e', related part)`` for rows of evidence strengths ``e`` (n × n_skills): ``e' = e + RELATED_MAX ·
        r / (r + RELATED_SATURATION)`` with ``r = e · Rᵀ`` (credit from related skills the candidate shows)."""
        related = (strengths @ self.related.T).tocsr()
        related.data = RELATED_MAX * saturate(related.data, RELATED_SATURATION)
        return (strengths + related).tocsr(), related

    def profile_matrix(
        self, skill_maps: Sequence[Mapping[str, float]] | sp.csr_matrix, *, sublinear: str
    ) -> sp.csr_matrix:
        """L2-normalised TF-IDF skill profiles, each skill also adding ``BROADER_CREDIT`` of its weight to every
        broader skill (transitively).  ``sublinear`` is ``"log"`` (``1 + ln tf``, vacancy mentions) or ``"none"``
        (values used as they are: a candidate's effective evidence); a matrix may be given instead of maps."""
        m = skill_maps.copy().tocsr() if sp.issparse(skill_maps) else self.skill_matrix(skill_maps)
        if sublinear == "log":
            m.data = 1.0 + np.log(m.data)
        if self.broader_pairs:
            m = (m + BROADER_CREDIT * (m @ self.broader_matrix)).tocsr()
        m = m.multiply(self.skill_idf[np.newaxis, :]).tocsr()
        norms = np.sqrt(np.asarray(m.multiply(m).sum(axis=1)).ravel())
        norms[norms == 0] = 1.0
        return (sp.diags(1.0 / norms) @ m).tocsr()

    def text_matrix(self, texts: Sequence[str], *, key_terms: int | None = None) -> sp.csr_matrix:
        """L2-normalised word TF-IDF rows of (neutralised) texts, shape ``(len(texts), n_terms)``: the texts' term
        counts (``matching.terms.text_terms``), then ``terms_matrix``."""
        return self.terms_matrix(text_terms(list(texts)), key_terms=key_terms)

    def terms_matrix(self, rows: Sequence[TermCounts], *, key_terms: int | None = None) -> sp.csr_matrix:
        """L2-normalised word TF-IDF rows from stored term counts, shape ``(len(rows), n_terms)``: sublinear term
        frequency ``1 + ln(count)`` times the word IDF, over the model's terms; with ``key_terms``, each row keeps
        only its that-many highest weights (ties at the cut kept) and is renormalised."""
        if "_word_index" not in self.__dict__:  # built once per fitted model (4 MiB): see FeatureIndex
            self.__dict__["_word_index"] = FeatureIndex(self.word_terms)
        m = counts_matrix(rows, self.__dict__["_word_index"])
        m.data = (1.0 + np.log(m.data)) * self.word_idf[m.indices]
        m = _normalise_rows_l2(m)
        if key_terms is None:
            return m
        for i in range(m.shape[0]):
            start, end = m.indptr[i], m.indptr[i + 1]
            if end - start > key_terms:
                row = m.data[start:end]
                cut = np.partition(row, -key_terms)[-key_terms]
                row[row < cut] = 0.0
        m.eliminate_zeros()
        return _normalise_rows_l2(m)


def skill_presence(rows: Sequence[int] | np.ndarray, cols: Sequence[int] | np.ndarray, n: int, n_skills: int):
    """The 0/1 presence matrix ``MatchingModel.fit_presence`` takes, shape ``(n, n_skills)``: 1.0 at each
    ``(rows[i], cols[i])`` (candidate row, skill column), duplicates counted once."""
    presence = sp.csr_matrix((np.ones(len(rows)), (rows, cols)), shape=(n, n_skills))
    presence.sum_duplicates()
    presence.data[:] = 1.0
    return presence


def _normalise_rows_l2(m: sp.csr_matrix) -> sp.csr_matrix:
    norms = np.sqrt(np.asarray(m.multiply(m).sum(axis=1)).ravel())
    norms[norms == 0] = 1.0
    return (sp.diags(1.0 / norms) @ m).tocsr()


def _cooccurrence(
    presence: sp.csr_matrix, df: np.ndarray, names: Sequence[str]
) -> list[tuple[str, str, float]]:
    """``[(a, b, cosine), …]`` for skills held together by the pool: cosine of the two presence columns, at least
    ``COOCCURRENCE_MIN``, both skills held by ``COOCCURRENCE_MIN_DF`` candidates or more; each pair once (a < b)."""
    keep = np.flatnonzero(df >= COOCCURRENCE_MIN_DF)
    if len(keep) < 2:
        return []
    sub = presence[:, keep].tocsc()
    co = (sub.T @ sub).tocoo()
    norm = np.sqrt(df[keep])
    cos = co.data / (norm[co.row] * norm[co.col])
    mask = (co.row < co.col) & (cos >= COOCCURRENCE_MIN)
    return [
        (names[keep[a]], names[keep[b]], float(c))
        for a, b, c in zip(co.row[mask], co.col[mask], cos[mask], strict=True)
    ]


def _related_matrix(
    broader_pairs: Sequence[tuple[str, str]],
    cooccurrence: Sequence[tuple[str, str, float]],
    index: Mapping[str, int],
) -> sp.csr_matrix:
    """``(n_skills, n_skills)``: entry ``[s, t]`` is the credit (0–1) a vacancy's skill *s* gets from a candidate's
    skill *t* — the largest of the ancestor, sibling and co-occurrence credits (module docstring); each row keeps
    its ``RELATED_PER_SKILL`` largest entries; the diagonal is 0."""
    credit: dict[tuple[int, int], float] = {}

    def offer(s: int, t: int, value: float) -> None:
        if s != t and value > credit.get((s, t), 0.0):
            credit[s, t] = value

    parents: dict[str, set[str]] = {}
    for narrow, wide in broader_pairs:
        parents.setdefault(narrow, set()).add(wide)
    children: dict[str, set[str]] = {}
    for narrow, wides in parents.items():
        for wide in wides:
            children.setdefault(wide, set()).add(narrow)
        depth, frontier, seen = 0, set(wides), set()
        while frontier:
            depth += 1
            for wide in frontier:
                offer(index[wide], index[narrow], ANCESTOR_CREDIT * 0.8 ** (depth - 1))
            seen |= frontier
            frontier = {p for w in frontier for p in parents.get(w, ())} - seen - {narrow}
    for siblings in children.values():
        for a in siblings:
            for b in siblings:
                offer(index[a], index[b], SIBLING_CREDIT)
    for a, b, cos in cooccurrence:
        offer(index[a], index[b], COOCCURRENCE_CREDIT * cos)
        offer(index[b], index[a], COOCCURRENCE_CREDIT * cos)
    by_row: dict[int, list[tuple[float, int]]] = {}
    for (s, t), value in credit.items():
        by_row.setdefault(s, []).append((value, t))
    rows, cols, vals = [], [], []
    for s, entries in by_row.items():
        for value, t in sorted(entries, key=lambda e: (-e[0], e[1]))[:RELATED_PER_SKILL]:
            rows.append(s)
            cols.append(t)
            vals.append(value)
    n = len(index)
    return sp.csr_matrix((vals, (rows, cols)), shape=(n, n))


def _closure(pairs: Sequence[tuple[str, str]], index: Mapping[str, int]) -> sp.csr_matrix:
    """``(n_skills, n_skills)`` 0/1 matrix: entry ``[a, b]`` is 1 when ``b`` is broader than ``a``, directly or
    through a chain (cycles are harmless: a skill is never its own broader skill)."""
    parents: dict[str, set[str]] = {}
    for narrow, wide in pairs:
        parents.setdefault(narrow, set()).add(wide)
    rows, cols = [], []
    for start, wides in transitive(parents).items():
        rows.extend([index[start]] * len(wides))
        cols.extend(index[w] for w in wides)
    n = len(index)
    return sp.csr_matrix((np.ones(len(rows)), (rows, cols)), shape=(n, n))


def _normalise_rows_l1(m: sp.csr_matrix) -> sp.csr_matrix:
    sums = np.asarray(m.sum(axis=1)).ravel()
    sums[sums == 0] = 1.0
    return sp.diags(1.0 / sums) @ m


@dataclass
class ScoreMatrices:
    """Dense ``(n_candidates, n_vacancies)`` results for one chunk: the final 0–100 ``score``, each component in
    [0, 1) (when kept), the weights used ``(n_vacancies, n_components)``, a boolean ``insufficient`` mask, the
    ``confidence`` of each pair (``"high"``/``"medium"``/``"low"``, ``""`` when insufficient) and a boolean
    ``language_mismatch`` mask; ``reason(i, j)`` says why a pair has insufficient data and
    ``confidence_reason(i, j)`` why its confidence is what it is."""

    components: dict[str, np.ndarray]
    weights: np.ndarray
    score: np.ndarray
    insufficient: np.ndarray
    candidate_reasons: list[str]
    vacancy_reasons: list[str]
    confidence_level: np.ndarray | None = None  # int8: 0 low, 1 medium, 2 high, -1 insufficient
    language_mismatch: np.ndarray | None = None
    candidate_confidence_reasons: list[str] = field(default_factory=list)

    def confidence_at(self, i: int, j: int) -> str:
        """The confidence of pair ``(i, j)``: ``"high"``/``"medium"``/``"low"``, or ``""`` when insufficient."""
        level = int(self.confidence_level[i, j])
        return CONFIDENCE_LEVELS[level] if level >= 0 else ""

    @property
    def confidence(self) -> np.ndarray:
        """``(n_candidates, n_vacancies)`` of ``"high"``/``"medium"``/``"low"``, ``""`` where data is insufficient."""
        if "_confidence" not in self.__dict__:
            names = np.array((*CONFIDENCE_LEVELS, ""), dtype="<U6")
            self.__dict__["_confidence"] = names[self.confidence_level]
        return self.__dict__["_confidence"]

    def reason(self, i: int, j: int) -> str:
        return self.candidate_reasons[i] or self.vacancy_reasons[j]

    def confidence_reason(self, i: int, j: int) -> str:
        if self.language_mismatch is not None and self.language_mismatch[i, j]:
            return "the CV is not in the vacancy's language: scored on recognised skills and qualifications"
        return self.candidate_confidence_reasons[i] if self.candidate_confidence_reasons else ""


@dataclass
class CandidateMatrices:
    """The candidate side of a product, built once per chunk (rows are candidates).

    ``skill`` holds ``h(e')`` (saturated effective evidence, keyword-list discount applied) for the required and
    desirable components; ``strength`` the raw evidence ``e`` and ``related`` the related-skill part of ``e'``
    (for explanations); ``discount`` is 1 or ``KEYWORD_LIST_DISCOUNT`` per candidate; ``language`` ISO codes;
    ``confidence`` 0 (low), 1 (medium) or 2 (high) before language is considered, with ``confidence_reasons``.
    """

    skill: sp.csr_matrix  # h(e'), discounted
    profile: sp.csr_matrix  # L2-normalised skill profiles of e', discounted
    text: sp.csr_matrix  # L2-normalised word TF-IDF
    level: np.ndarray  # degree level 0–4
    years: np.ndarray  # years of experience (0 when unknown)
    fields: list[tuple[str, ...]]
    reasons: list[str]  # "" or why the CV cannot be scored
    discount: np.ndarray = None  # type: ignore[assignment]
    language: np.ndarray = None  # type: ignore[assignment]
    confidence: np.ndarray = None  # type: ignore[assignment]
    confidence_reasons: list[str] = field(default_factory=list)
    strength: sp.csr_matrix | None = None
    related: sp.csr_matrix | None = None
    skill_side: sp.csr_matrix | None = None  # [skill | profile] in float32, for the one-product scan
    role: sp.csr_matrix | None = None  # role-title credit per skill (MatchingModel.role_matrix), discounted

    def __post_init__(self) -> None:
        n = self.skill.shape[0]
        if self.role is None:
            self.role = sp.csr_matrix(self.skill.shape)
        if self.discount is None:
            self.discount = np.ones(n)
        if self.language is None:
            self.language = np.array([""] * n, dtype="<U8")
        if self.confidence is None:
            self.confidence = np.full(n, 2, dtype=np.int8)
            self.confidence_reasons = [""] * n
        if self.skill_side is None:
            self.skill_side = sp.hstack([self.skill, self.profile], format="csr", dtype=np.float32)
            self.text32 = self.text.astype(np.float32)

    def __len__(self) -> int:
        return self.skill.shape[0]

    def rows(self, index) -> CandidateMatrices:
        """The candidates at ``index`` (a slice or an array of row numbers)."""
        idx = index if isinstance(index, slice) else np.asarray(index)
        listed = range(len(self))[index] if isinstance(index, slice) else idx
        out = CandidateMatrices(
            self.skill[idx],
            self.profile[idx],
            self.text[idx],
            self.level[idx],
            self.years[idx],
            [self.fields[i] for i in listed],
            [self.reasons[i] for i in listed],
            discount=self.discount[idx],
            language=self.language[idx],
            confidence=self.confidence[idx],
            confidence_reasons=[self.confidence_reasons[i] for i in listed],
            strength=None if self.strength is None else self.strength[idx],
            related=None if self.related is None else self.related[idx],
            skill_side=self.skill_side[idx],
            role=self.role[idx],
        )
        out.text32 = self.text32[idx]
        return out


@dataclass
class VacancyMatrices:
    """The vacancy side of a product (rows are vacancies)."""

    required: sp.csr_matrix  # requirement weights, rows add up to 1
    desirable: sp.csr_matrix
    profile: sp.csr_matrix
    text: sp.csr_matrix
    min_level: np.ndarray
    min_years: np.ndarray
    fields: list[tuple[str, ...]]
    weights: np.ndarray  # (n_vacancies, n_components), normalised over the components that apply
    reasons: list[str]
    language: np.ndarray = None  # type: ignore[assignment]
    core: sp.csr_matrix | None = None  # the skills the title names, rows adding up to 1 (or empty)

    def __post_init__(self) -> None:
        if self.language is None:
            self.language = np.array([""] * self.required.shape[0], dtype="<U8")
        if self.core is None:
            self.core = sp.csr_matrix(self.required.shape)
        self.core_t = self.core.T.tocsr()
        # The weighted skill side of the one-product scan: w_req·W_req + w_des·W_des next to w_profile·P.
        w = self.weights
        self.skill_side_t = sp.hstack(
            [
                sp.diags(w[:, 0]) @ self.required + sp.diags(w[:, 1]) @ self.desirable,
                sp.diags(w[:, 4]) @ self.profile,
            ],
            format="csr",
            dtype=np.float32,
        ).T.toarray()  # small: (2 · n_skills, n_vacancies)
        # Terms × vacancies: rows of terms no vacancy keeps are empty, so the product skips them for free.
        self.text32_t = self.text.astype(np.float32).T.tocsr()

    def __len__(self) -> int:
        return self.required.shape[0]


def candidate_insufficiency(doc: CandidateDocument) -> str:
    """Why a CV cannot be scored (too little readable text), or ``""`` when it can.  A readable CV with no
    recognised skill is scored on its text, with low confidence (``candidate_confidence``)."""
    words = doc.words
    if words < MIN_CV_WORDS:
        return f"the CV has too little text ({words} words; at least {MIN_CV_WORDS} are needed)"
    return ""


def candidate_confidence(doc: CandidateDocument) -> tuple[int, str]:
    """``(level, reason)`` of a CV before the vacancy is considered: 0 low, 1 medium, 2 high (module docstring)."""
    skills = [name for name, value in doc.skills.items() if value > 0]
    if not skills:
        return 0, "no skill from the vocabulary recognised: scored on text similarity only"
    if doc.keyword_list:
        return 0, "keyword list: little evidence of use" + (
            f" ({doc.keyword_reason})" if doc.keyword_reason else ""
        )
    if len(skills) < CONFIDENT_SKILLS:
        return 1, f"only {len(skills)} recognised skill{'s' if len(skills) != 1 else ''}"
    if doc.evidence_levels and not any(doc.evidence_levels.get(s) == "used" for s in skills):
        return 1, "no skill shown in use in a role or project"
    words = doc.words
    if words < CONFIDENT_WORDS:
        return 1, f"a short CV ({words} words)"
    return 2, ""


def vacancy_insufficiency(doc: VacancyDocument) -> str:
    """Why a vacancy cannot be scored against, or ``""`` when it can."""
    if not doc.required and not doc.desirable:
        return "the vacancy has no skill requirements"
    return ""


def candidate_matrices(
    model: MatchingModel, candidates: Sequence[CandidateDocument], text: sp.csr_matrix | None = None
) -> CandidateMatrices:
    """Vectorise candidates with the fitted model (no refit): word TF-IDF from each document's stored ``terms``,
    the text of those without counted now (``_document_terms``).  ``text``: their word TF-IDF rows when already
    computed, shape ``(len(candidates), n_terms)``."""
    strength = model.skill_matrix([c.skills for c in candidates])
    effective, related = model.effective_evidence(strength)
    discount = np.array([KEYWORD_LIST_DISCOUNT if c.keyword_list else 1.0 for c in candidates])
    skill = effective.copy()
    skill.data = saturate(skill.data, SKILL_SATURATION)
    confidence = [candidate_confidence(c) for c in candidates]
    return CandidateMatrices(
        skill=(sp.diags(discount) @ skill).tocsr(),
        profile=(sp.diags(discount) @ model.profile_matrix(effective, sublinear="none")).tocsr(),
        text=text if text is not None else model.terms_matrix(_document_terms(candidates)),
        level=np.array([c.qualification_level for c in candidates], dtype=float),
        years=np.array([c.years_experience or 0.0 for c in candidates], dtype=float),
        fields=[tuple(f.lower() for f in c.fields if f) for c in candidates],
        reasons=[candidate_insufficiency(c) for c in candidates],
        discount=discount,
        language=np.array([c.language or "" for c in candidates], dtype="<U8"),
        confidence=np.array([level for level, _ in confidence], dtype=np.int8),
        confidence_reasons=[reason for _, reason in confidence],
        strength=strength,
        related=related,
        role=(sp.diags(discount) @ model.role_matrix([c.roles for c in candidates])).tocsr(),
    )


def vacancy_matrices(model: MatchingModel, vacancies: Sequence[VacancyDocument]) -> VacancyMatrices:
    """Vectorise vacancies with the fitted model, and the weights each uses."""
    n_v = len(vacancies)
    applies = np.ones((n_v, len(COMPONENTS)), dtype=bool)
    for j, v in enumerate(vacancies):
        applies[j, 0] = bool(v.required)
        applies[j, 1] = bool(v.desirable)
        applies[j, 2] = v.min_qualification_level > 0
        applies[j, 3] = v.min_years_experience is not None and v.min_years_experience > 0
        applies[j, 4] = bool(v.required or v.desirable)
        applies[j, 6] = bool(v.core)
    raw = np.stack([v.weights.as_array() for v in vacancies]) if n_v else np.zeros((0, len(COMPONENTS)))
    weights = np.where(applies, raw, 0.0)
    totals = weights.sum(axis=1, keepdims=True)
    totals[totals == 0] = 1.0
    core = [tuple(v.core) for v in vacancies]
    return VacancyMatrices(
        required=model.requirement_weights([v.required for v in vacancies], core),
        desirable=model.requirement_weights([v.desirable for v in vacancies], core),
        profile=model.profile_matrix([_all_skills(v) for v in vacancies], sublinear="log"),
        text=model.terms_matrix(_document_terms(vacancies), key_terms=VACANCY_KEY_TERMS),
        min_level=np.array([v.min_qualification_level for v in vacancies], dtype=float),
        min_years=np.array([v.min_years_experience or 0.0 for v in vacancies], dtype=float),
        fields=[tuple(f.lower() for f in v.fields if f) for v in vacancies],
        weights=weights / totals,
        reasons=[vacancy_insufficiency(v) for v in vacancies],
        language=np.array([v.language or "" for v in vacancies], dtype="<U8"),
        core=_normalise_rows_l1(model.skill_matrix([dict.fromkeys(v.core, 1.0) for v in vacancies])),
    )


def _document_terms(documents: Sequence[CandidateDocument | VacancyDocument]) -> list[TermCounts]:
    """Each document's term counts: the stored ones, else its text counted now (one batch for all of those)."""
    missing = [i for i, d in enumerate(documents) if d.terms is None]
    counted = dict(zip(missing, text_terms([documents[i].text for i in missing]), strict=True))
    return [d.terms if d.terms is not None else counted[i] for i, d in enumerate(documents)]


def _dense(m) -> np.ndarray:
    return m.toarray() if sp.issparse(m) else np.asarray(m)


def _language_mismatch(cm: CandidateMatrices, vm: VacancyMatrices) -> np.ndarray | None:
    """``(n_candidates, n_vacancies)`` True where both languages are known and differ; None when none does."""
    c_lang, v_lang = cm.language, vm.language
    if not (c_lang != "").any() or not (v_lang != "").any():
        return None
    mismatch = (c_lang[:, None] != v_lang[None, :]) & (c_lang != "")[:, None] & (v_lang != "")[None, :]
    return mismatch if mismatch.any() else None


def _experience(cm: CandidateMatrices, vm: VacancyMatrices) -> np.ndarray:
    ratio = cm.years[:, None] / np.where(vm.min_years > 0, vm.min_years, 1.0)[None, :]
    return saturate(ratio, RATIO_SATURATION)


def _text(cm: CandidateMatrices, vm: VacancyMatrices, *, fast: bool) -> np.ndarray:
    """The text component, ``c / (c + TEXT_SATURATION)`` of the cosine, keyword-list discount applied."""
    text = _dense(cm.text32 @ vm.text32_t) if fast else _dense(cm.text @ vm.text.T)
    text = saturate(text, np.float32(TEXT_SATURATION) if fast else TEXT_SATURATION)
    if (cm.discount != 1.0).any():
        text *= cm.discount[:, np.newaxis].astype(text.dtype)
    return text


def _finish(
    cm: CandidateMatrices,
    vm: VacancyMatrices,
    score: np.ndarray,
    text_points: np.ndarray,
    components: dict[str, np.ndarray],
) -> ScoreMatrices:
    """Add the text points (dropped, and the rest rescaled, where the languages differ), clip, and attach the
    insufficiency mask and the confidence of each pair."""
    mismatch = _language_mismatch(cm, vm)
    if mismatch is not None:
        rest = 1.0 - vm.weights[:, 5]
        rescale = np.where(rest > 0, 1.0 / np.where(rest > 0, rest, 1.0), 1.0).astype(score.dtype)
        score = np.where(mismatch, score * rescale[np.newaxis, :], score + text_points)
    else:
        score += text_points
    score *= score.dtype.type(100.0)
    np.clip(score, 0.0, 100.0, out=score)
    cand_bad = np.array([bool(r) for r in cm.reasons], dtype=bool)
    vac_bad = np.array([bool(r) for r in vm.reasons], dtype=bool)
    insufficient = cand_bad[:, None] | vac_bad[None, :]
    level = np.repeat(cm.confidence[:, None], score.shape[1], axis=1)
    if mismatch is not None:
        level[mismatch] = 0
    level[insufficient] = -1
    return ScoreMatrices(
        components,
        vm.weights,
        score,
        insufficient,
        list(cm.reasons),
        list(vm.reasons),
        confidence_level=level,
        language_mismatch=mismatch,
        candidate_confidence_reasons=list(cm.confidence_reasons),
    )


def score_matrices(
    cm: CandidateMatrices, vm: VacancyMatrices, *, keep_components: bool = True
) -> ScoreMatrices:
    """Score every candidate of ``cm`` against every vacancy of ``vm``: one sparse product per component,
    accumulated into one dense ``(n_candidates, n_vacancies)`` array.

    Memory is a few ``n_candidates × n_vacancies`` float arrays (fewer with ``keep_components=False``); bound it
    with the chunk size.  Nothing loops over pairs.
    """
    if not keep_components:
        return _scan(cm, vm)
    n_c, n_v = len(cm), len(vm)
    w = vm.weights
    components: dict[str, np.ndarray] = {}
    score = np.zeros((n_c, n_v))

    def add(name: str, values: np.ndarray) -> None:
        k = COMPONENTS.index(name)
        np.add(score, values * w[:, k][np.newaxis, :], out=score)
        components[name] = values

    add("required", _dense(cm.skill @ vm.required.T))
    add("desirable", _dense(cm.skill @ vm.desirable.T))
    add("qualification", _qualification(cm, vm))
    add("experience", _experience(cm, vm))
    add("profile", np.clip(_dense(cm.profile @ vm.profile.T), 0.0, 1.0))
    add("role", _dense(cm.role @ vm.core_t))
    text = _text(cm, vm, fast=False)
    components["text"] = text
    return _finish(cm, vm, score, text * w[:, 5][np.newaxis, :], components)


def _scan(cm: CandidateMatrices, vm: VacancyMatrices) -> ScoreMatrices:
    """The same score as ``score_matrices`` in float32 with the fewest products: one for the three skill
    components together (they are linear in the same vectors), one for the text, and the two small components
    only where some vacancy uses them.  For ranking and top-K selection."""
    w = vm.weights.astype(np.float32)
    score = np.asarray(cm.skill_side @ vm.skill_side_t, dtype=np.float32)
    if w[:, 2].any():
        score += _qualification(cm, vm).astype(np.float32) * w[:, 2][np.newaxis, :]
    if w[:, 3].any():
        score += _experience(cm, vm).astype(np.float32) * w[:, 3][np.newaxis, :]
    if w[:, 6].any() and cm.role.nnz:
        score += _dense(cm.role @ vm.core_t).astype(np.float32) * w[:, 6][np.newaxis, :]
    text = _text(cm, vm, fast=True)
    text *= w[:, 5][np.newaxis, :]
    return _finish(cm, vm, score, text, {})


def score_chunk(
    model: MatchingModel, candidates: Sequence[CandidateDocument], vacancies: Sequence[VacancyDocument]
) -> ScoreMatrices:
    """Score every candidate of a chunk against every vacancy, vectorised (see ``score_matrices``)."""
    return score_matrices(candidate_matrices(model, candidates), vacancy_matrices(model, vacancies))


def _all_skills(vacancy: VacancyDocument) -> dict[str, int]:
    return {**vacancy.desirable, **vacancy.required}


def _qualification(cm: CandidateMatrices, vm: VacancyMatrices) -> np.ndarray:
    """Level against the minimum (``LEVEL_WEIGHT``) and agreement of the fields (``FIELD_WEIGHT``): fields agree
    when one names the other ("computer science" and "computer science and engineering").  Vectorised through
    the small set of distinct (degree level, fields) of the candidates: each is decided once against every
    vacancy (``match = (C_f · R · V_fᵀ) > 0``), then rows are gathered."""
    keys = list(zip(cm.level.tolist(), cm.fields, strict=True))
    distinct = sorted(set(keys))
    row_of = {key: i for i, key in enumerate(distinct)}
    d_level = np.array([lv for lv, _ in distinct], dtype=float)
    d_fields = [fs for _, fs in distinct]
    level = saturate(
        d_level[:, None] / np.where(vm.min_level > 0, vm.min_level, 1.0)[None, :], RATIO_SATURATION
    )
    names = sorted({f for fs in d_fields for f in fs} | {f for fs in vm.fields for f in fs})
    if names:
        index = {f: i for i, f in enumerate(names)}
        c_f = _incidence(d_fields, index)
        v_f = _incidence(vm.fields, index)
        rel = sp.csr_matrix(np.array([[1.0 if (a in b or b in a) else 0.0 for b in names] for a in names]))
        agree = _dense(c_f @ rel @ v_f.T) > 0
    else:
        agree = np.zeros((len(distinct), len(vm)), dtype=bool)
    no_fields = np.array([not fs for fs in vm.fields], dtype=bool)
    field_match = np.where(no_fields[None, :], (d_level > 0)[:, None], agree)
    table = LEVEL_WEIGHT * level + FIELD_WEIGHT * field_match
    return table[np.array([row_of[key] for key in keys], dtype=np.intp)] if keys else table[:0]


def _incidence(rows: Sequence[tuple[str, ...]], index: Mapping[str, int]) -> sp.csr_matrix:
    r, c = [], []
    for i, fs in enumerate(rows):
        for f in set(fs):
            r.append(i)
            c.append(index[f])
    return sp.csr_matrix((np.ones(len(r)), (r, c)), shape=(len(rows), len(index)))


def explain_pair(
    model: MatchingModel,
    matrices: ScoreMatrices,
    i: int,
    j: int,
    candidate: CandidateDocument,
    vacancy: VacancyDocument,
    skill_categories: Mapping[str, str] | None = None,
    evidence: Mapping[str, str] | None = None,
) -> PairScore:
    """The explained score of pair ``(i, j)`` of a chunk scored by ``score_chunk``.

    Per-skill contributions: a skill *s* of the required component adds ``100 · w_required · W_req[v, s] · d ·
    h(e'[s])`` points (``d`` the keyword-list discount); the contributions of all skills add up to the component's
    points.  A skill the CV does not name but credits through a related one is matched with ``evidence_level``
    ``"related"``, the related skill (``related_to``) and its credit; a missing skill's ``gain`` is what one use in
    a role would add.  Matched skills come by contribution, largest first; missing ones required first, then by
    gain, largest first; ties by skill name.

    The values of the stored JSON text (``explain_pairs_json``, the one statement of the explanation), read back.
    """
    (text,) = explain_pairs_json(
        model, matrices, [(i, j)], {i: candidate}, {j: vacancy}, skill_categories, {i: evidence}
    )
    return text.pair_score()


def explain_pairs(
    model: MatchingModel,
    matrices: ScoreMatrices,
    pairs: Sequence[tuple[int, int]],
    candidates: Sequence[CandidateDocument],
    vacancies: Sequence[VacancyDocument],
    skill_categories: Mapping[str, str] | None = None,
    evidence: Sequence[Mapping[str, str]] | None = None,
) -> list[PairScore]:
    """``explain_pair`` of each pair ``(i, j)`` of a chunk scored by ``score_chunk``, in the order given; equal,
    pair by pair, to ``explain_pair`` alone (``explain_pairs_json``, read back)."""
    return [
        text.pair_score()
        for text in explain_pairs_json(
            model, matrices, pairs, candidates, vacancies, skill_categories, evidence
        )
    ]


@dataclass
class PairExplanation:
    """The explanation of one pair as stored: ``PairScore``'s fields, its lists as JSON text — ``components``,
    ``matched``, ``missing`` and ``flags`` are byte for byte ``json.dumps`` (default separators, ASCII) of
    ``PairScore``'s lists."""

    state: str
    score: float | None
    reason: str
    components: str
    matched: str
    missing: str
    confidence: str = ""
    confidence_reason: str = ""
    flags: str = "[]"

    def pair_score(self) -> PairScore:
        """The same explanation with its lists as Python values (``json.loads``)."""
        return PairScore(
            self.state,
            self.score,
            self.reason,
            json.loads(self.components),
            json.loads(self.matched),
            json.loads(self.missing),
            self.confidence,
            self.confidence_reason,
            json.loads(self.flags),
        )

    @classmethod
    def of(cls, pair: PairScore) -> PairExplanation:
        """``pair`` with its lists as JSON text (``json.dumps``)."""
        return cls(
            pair.state,
            pair.score,
            pair.reason,
            json.dumps(pair.components),
            json.dumps(pair.matched),
            json.dumps(pair.missing),
            pair.confidence,
            pair.confidence_reason,
            json.dumps(pair.flags),
        )


def explain_pairs_json(
    model: MatchingModel,
    matrices: ScoreMatrices,
    pairs: Sequence[tuple[int, int]],
    candidates: Sequence[CandidateDocument] | Mapping[int, CandidateDocument],
    vacancies: Sequence[VacancyDocument] | Mapping[int, VacancyDocument],
    skill_categories: Mapping[str, str] | None = None,
    evidence: Sequence[Mapping[str, str] | None] | Mapping[int, Mapping[str, str] | None] | None = None,
) -> list[PairExplanation]:
    """The explanation (``explain_pair``) of each pair ``(i, j)`` of a chunk scored by ``score_chunk``, in the order
    given, as the JSON text that is stored.  ``candidates``, ``evidence`` (each candidate's evidence lines by skill,
    or ``None``) and ``vacancies`` are indexed by ``i`` and ``j``.

    A full rescore explains ~2,300 shortlist pairs of ~500 candidates and ~1,000 vacancies per chunk, so what pairs
    share is done once: a candidate's effective evidence and which related skill credits each skill it does not
    name, for all the pairs' candidates at once (one sparse product); a vacancy's requirement entries as JSON
    fragments, and its missing-skill order, once per vacancy document, model, ``skill_categories`` mapping (read
    once per mapping object: pass a new one when it changes), vacancy weights, keyword-list discount and language
    mismatch (``_VacancyExplainer``).  A pair then filters its vacancy's sorted entries by the skills the candidate
    has and orders the few it matched.
    """
    if not pairs:
        return []
    categories = _EMPTY if skill_categories is None else skill_categories
    rows = sorted({i for i, _ in pairs})
    pending = [i for i in rows if model.version not in candidates[i].__dict__.get("_evidence", {})]
    if pending:
        strength = model.skill_matrix([candidates[i].skills for i in pending])
        effective, _ = model.effective_evidence(strength)
        for r, i in enumerate(pending):
            _evidence_cache(model, candidates[i], _csr_row(strength, r), _csr_row(effective, r))
    rows_i = np.array([i for i, _ in pairs], dtype=np.intp)
    cols_j = np.array([j for _, j in pairs], dtype=np.intp)
    insufficient = matrices.insufficient[rows_i, cols_j].tolist()
    values = list(
        zip(*(matrices.components[name][rows_i, cols_j].tolist() for name in COMPONENTS), strict=True)
    )
    scores = matrices.score[rows_i, cols_j].tolist()
    levels = matrices.confidence_level[rows_i, cols_j].tolist()
    mismatches = (
        matrices.language_mismatch[rows_i, cols_j].tolist()
        if matrices.language_mismatch is not None
        else [False] * len(pairs)
    )
    weight_rows = matrices.weights.tolist()
    explainers: dict[int, _VacancyExplainer] = {}
    variants: dict[tuple[int, float, bool], _Variant] = {}
    parts: dict[int, _CandidateParts] = {}
    out = []
    for p, (i, j) in enumerate(pairs):
        if insufficient[p]:
            reason = matrices.reason(i, j) or "insufficient data"
            out.append(PairExplanation("insufficient_data", None, reason, "[]", "[]", "[]"))
            continue
        own = parts.get(i)
        if own is None:
            own = parts[i] = _CandidateParts(model, candidates[i], None if evidence is None else evidence[i])
        mismatch = bool(mismatches[p])
        variant = variants.get((j, own.discount, mismatch))
        if variant is None:
            explainer = explainers.get(j)
            if explainer is None:
                explainer = explainers[j] = _VacancyExplainer.of(model, vacancies[j], categories)
            variant = variants[j, own.discount, mismatch] = explainer.variant(
                tuple(weight_rows[j]), own.discount, mismatch
            )
        matched, missing = variant.skills_json(own)
        level = levels[p]
        confidence = CONFIDENCE_LEVELS[level] if level >= 0 else ""
        out.append(
            PairExplanation(
                "scored",
                round(scores[p], 2),
                "",
                variant.components_json(values[p], own),
                matched,
                missing,
                confidence,
                matrices.confidence_reason(i, j) if confidence != "high" else "",
                own.flags_json(mismatch, vacancies[j].language),
            )
        )
    return out


_EMPTY: Mapping[str, str] = {}


def json_string(value) -> str:
    """``json.dumps(value)``, byte for byte: for a string, json's own C encoder (what ``json.dumps`` calls) without the
    call's overhead, which explanations pay for each of ~10,000 strings per chunk."""
    return encode_basestring_ascii(value) if type(value) is str else json.dumps(value)


def _json_float(value: float) -> str:
    """``json.dumps(value)`` of a float: ``float.__repr__``, or json's words for the non-finite values."""
    return float.__repr__(value) if math.isfinite(value) else json.dumps(float(value))


class _CandidateParts:
    """What the explanations of one candidate's pairs share within one ``explain_pairs_json`` call: its evidence
    (``_candidate_evidence``), keyword-list discount, the JSON text of its job titles (role component), of its
    flags per vacancy language, and of the end of each matched entry (the evidence line, or the related skill)."""

    def __init__(self, model: MatchingModel, candidate: CandidateDocument, lines: Mapping[str, str] | None):
        self.candidate = candidate
        self.effective, self.strength, self.related_to = _candidate_evidence(model, candidate)
        self.lines = lines or _EMPTY
        self.discount = KEYWORD_LIST_DISCOUNT if candidate.keyword_list else 1.0
        self.titles = f', "titles": {json.dumps(list(candidate.role_titles)[:3])}'
        self.unbacked = (
            f', "unbacked_title_skills": {json.dumps(list(candidate.role_claims)[:3])}'
            if candidate.role_claims
            else ""
        )
        self.tails: dict[str, str] = {}
        self.flags: dict[tuple[bool, str], str] = {}

    def tail(self, name: str) -> str:
        """The end of ``name``'s matched entry after its contribution: its evidence level and line, or the related
        skill that credits it, its credit and that skill's line."""
        text = self.tails.get(name)
        if text is None:
            if self.strength.get(name, 0.0) > 0:
                level = self.candidate.evidence_levels.get(name, "") or "mentioned"
                text = f', "evidence_level": {json_string(level)}, "evidence": {json_string(self.lines.get(name, ""))}}}'
            else:
                source, credit = self.related_to[name]
                text = (
                    f', "evidence_level": "related", "related_to": {json_string(source)}, '
                    f'"credit": {_json_float(round(credit, 2))}, "evidence": {json_string(self.lines.get(source, ""))}}}'
                )
            self.tails[name] = text
        return text

    def flags_json(self, mismatch: bool, vacancy_language: str) -> str:
        """The JSON text of the pair's flags: a keyword list, a CV in another language than the vacancy's."""
        key = (mismatch, vacancy_language if mismatch else "")
        text = self.flags.get(key)
        if text is None:
            flags = []
            if self.candidate.keyword_list:
                flags.append({"code": "keyword_list", "message": KEYWORD_LIST_MESSAGE})
            if mismatch:
                note = language_note(self.candidate.language, vacancy_language)
                flags.append({"code": "language", "message": note})
            text = self.flags[key] = json.dumps(flags)
        return text


class _VacancyExplainer:
    """What the explanations of a vacancy's pairs share, whatever the candidate: its requirement entries in order
    (``_requirement_rows``: required, then desirable, each by skill column) with the JSON text of each entry up to
    its contribution, and one ``_Variant`` per (weights, discount, language mismatch).  Kept on the vacancy document
    for one model and one categories mapping."""

    def __init__(self, model: MatchingModel, vacancy: VacancyDocument, categories: Mapping[str, str]):
        self.core = list(vacancy.core)
        self.entries: list[tuple[str, int, str, float]] = [
            (importance, k, name, weight)
            for importance, k, rows in _requirement_rows(model, vacancy)
            for name, weight in rows
        ]
        self.names = [name for _, _, name, _ in self.entries]
        self.index: dict[str, list[int]] = {}  # a skill both required and desirable has two entries
        for e, name in enumerate(self.names):
            self.index.setdefault(name, []).append(e)
        self.bodies = [
            f'{{"skill": {json.dumps(name)}, '
            f'"category": {json.dumps(categories.get(name, ""))}, "importance": {json.dumps(importance)}, '
            f'"weight": {_json_float(round(float(weight), 4))}'
            for importance, _, name, weight in self.entries
        ]
        self.heads = [body + ', "contribution": ' for body in self.bodies]
        self.variants: dict[tuple, _Variant] = {}

    @classmethod
    def of(
        cls, model: MatchingModel, vacancy: VacancyDocument, categories: Mapping[str, str]
    ) -> _VacancyExplainer:
        cached = vacancy.__dict__.get("_explainer")
        if cached is None or cached[0] != model.version or cached[1] is not categories:
            cached = (model.version, categories, cls(model, vacancy, categories))
            vacancy.__dict__["_explainer"] = cached
        return cached[2]

    def variant(self, weights: tuple[float, ...], discount: float, mismatch: bool) -> _Variant:
        key = (weights, discount, mismatch)
        found = self.variants.get(key)
        if found is None:
            if len(self.variants) >= 8:
                self.variants.clear()
            found = self.variants[key] = _Variant(self, weights, discount, mismatch)
        return found


class _Variant:
    """A vacancy's explanation parts for given component ``weights`` (the vacancy's row of the weights used), a
    keyword-list ``discount`` and whether the languages differ: the weight of each component shown (a language
    mismatch drops the text's weight and rescales the others), the components' JSON text with room for their
    numbers, the points per unit of each requirement entry, and the missing entries' JSON text sorted as
    ``explain_pair`` lists them (required first, then by gain, largest first, then by skill)."""

    def __init__(self, explainer: _VacancyExplainer, weights, discount: float, mismatch: bool):
        self.explainer = explainer
        w = weights
        scale = 1.0
        if mismatch and w[5] < 1.0:
            scale = 1.0 / (1.0 - float(w[5]))
        self.weights = [
            0.0 if (mismatch and name == "text") else float(w[k]) * scale for k, name in enumerate(COMPONENTS)
        ]
        self.role = (
            f', "vacancy_title_skills": {json.dumps(explainer.core)}' if self.weights[_ROLE] > 0 else None
        )
        pieces = []
        for k, name in enumerate(COMPONENTS):
            head = f'{{"name": {json.dumps(name)}, "label": {json.dumps(COMPONENT_LABELS[name])}, "score": '
            mid = f', "weight": {_json_float(round(self.weights[k], 4))}, "points": '
            pieces.append((head.replace("%", "%%"), mid.replace("%", "%%"), "%s" if k == _ROLE else ""))
        # the components' JSON text with room for 14 numbers (score and points of each component) and the role's
        # titles: numbers as repr() (json's text of a finite float), or, not finite, as json's words (%s)
        self.template, self.template_words = (
            "[" + ", ".join(f"{head}{spec}{mid}{spec}{role}}}" for head, mid, role in pieces) + "]"
            for spec in ("%r", "%s")
        )
        self.per_point = [
            100.0 * float(w[k]) * scale * weight * discount for _, k, _, weight in explainer.entries
        ]
        full = saturate(1.0, SKILL_SATURATION)
        gains = [round(per_point * full, 4) for per_point in self.per_point]
        order = sorted(
            range(len(explainer.entries)),
            key=lambda e: (explainer.entries[e][0] != "required", -gains[e], explainer.names[e]),
        )
        self.position = [0] * len(order)  # entry → its place among the missing
        for place, e in enumerate(order):
            self.position[e] = place
        self.missing = [
            f'{explainer.bodies[e]}, "contribution": 0.0, "gain": {_json_float(gains[e])}}}' for e in order
        ]
        self.missing_all = "[" + ", ".join(self.missing) + "]"

    def components_json(self, values: Sequence[float], own: _CandidateParts) -> str:
        """``json.dumps`` of the pair's components, from its component ``values`` (0–1, in ``COMPONENTS`` order)."""
        numbers = []
        for value, weight in zip(values, self.weights, strict=True):
            numbers.append(round(100 * value, 2))
            numbers.append(round(100 * value * weight, 4))
        role = "" if self.role is None else own.titles + self.role + own.unbacked
        if math.isfinite(sum(numbers)):
            return self.template % (*numbers, role)
        return self.template_words % (*map(_json_float, numbers), role)

    def skills_json(self, own: _CandidateParts) -> tuple[str, str]:
        """``json.dumps`` of the pair's matched and missing skills: the entries whose skill the candidate has (with
        effective evidence), by contribution, largest first, then by skill, then in entry order; the others in their
        pre-sorted order."""
        explainer, effective = self.explainer, own.effective
        got = []
        for name in explainer.index.keys() & effective.keys():
            value = effective[name]
            if value > 0:
                h = saturate(value, SKILL_SATURATION)
                for e in explainer.index[name]:
                    got.append((-round(self.per_point[e] * h, 4), name, e))
        if not got:
            return "[]", self.missing_all
        got.sort()
        heads, position = explainer.heads, self.position
        tails = own.tails
        matched = [
            heads[e] + _json_float(-negative) + (tails.get(name) or own.tail(name))
            for negative, name, e in got
        ]
        missing = self.missing.copy()
        for place in sorted((position[e] for _, _, e in got), reverse=True):
            del missing[place]
        return "[" + ", ".join(matched) + "]", "[" + ", ".join(missing) + "]"


_ROLE = COMPONENTS.index("role")


def _csr_row(m: sp.csr_matrix, r: int) -> tuple[np.ndarray, np.ndarray]:
    """``(column indices, values)`` of row ``r`` of a CSR matrix, in stored order (as ``getrow`` returns them)."""
    start, end = m.indptr[r], m.indptr[r + 1]
    return m.indices[start:end], m.data[start:end]


def _candidate_evidence(
    model: MatchingModel, candidate: CandidateDocument
) -> tuple[dict[str, float], dict[str, float], dict[str, tuple[str, float]]]:
    """``(effective evidence e', own evidence e, {skill: (related skill, credit)})`` of one candidate by skill
    name, computed once per candidate document and model (explanations of many pairs share it; ``explain_pairs``
    computes it for a whole chunk at once)."""
    cache = candidate.__dict__.get("_evidence", {})
    if model.version not in cache:
        strength = model.skill_matrix([candidate.skills])
        effective, _ = model.effective_evidence(strength)
        _evidence_cache(model, candidate, _csr_row(strength, 0), _csr_row(effective, 0))
    return candidate.__dict__["_evidence"][model.version]


def _evidence_cache(model: MatchingModel, candidate: CandidateDocument, own_row, effective_row) -> None:
    """Store on ``candidate`` (for ``model``) its evidence by skill name from its rows of ``e`` and ``e'``
    (``(indices, values)`` each): for each skill credited only through related skills, the related skill ``t``
    with the largest ``R[s, t] · e[t]`` (ties: the larger name, then the larger credit) and its credit ``R[s, t]``."""
    names = model.skill_names
    own = {names[c]: float(v) for c, v in zip(*own_row, strict=True)}
    eff = {names[c]: float(v) for c, v in zip(*effective_row, strict=True)}
    related_rows = _related_rows(model)
    related_to = {}
    for name in eff:
        if name in own:
            continue
        sources, credits = related_rows[model.skill_index[name]]
        best = max(
            ((v * own.get(t, 0.0), t, v) for t, v in zip(sources, credits, strict=True)),
            default=(0.0, "", 0.0),
        )
        related_to[name] = (best[1], best[2])
    candidate.__dict__["_evidence"] = {model.version: (eff, own, related_to)}


def _related_rows(model: MatchingModel) -> list[tuple[tuple[str, ...], np.ndarray]]:
    """Per skill index ``s``, the skills ``t`` of ``R``'s row ``s`` by name and their credits ``R[s, t]`` (numpy
    float64, in ``R``'s stored order), built once per model: explanations look rows up by skill thousands of
    times per chunk, and a sparse ``getrow`` costs ~100 µs each."""
    rows = model.__dict__.get("_related_rows")
    if rows is None:
        r, names = model.related, model.skill_names
        rows = [
            (tuple(names[t] for t in r.indices[a:b]), r.data[a:b])
            for a, b in zip(r.indptr[:-1].tolist(), r.indptr[1:].tolist(), strict=True)
        ]
        model.__dict__["_related_rows"] = rows
    return rows


def _requirement_rows(model: MatchingModel, vacancy: VacancyDocument) -> list[tuple[str, int, list]]:
    """``[(importance, component index, [(skill, weight), …]), …]`` of a vacancy, computed once per vacancy
    document and model (explanations of many pairs share it)."""
    cache = vacancy.__dict__.setdefault("_requirement_rows", {})
    if model.version not in cache:
        out = []
        for importance, skills, k in (("required", vacancy.required, 0), ("desirable", vacancy.desirable, 1)):
            if skills:
                row = model.requirement_weights([skills], [tuple(vacancy.core)]).getrow(0)
                out.append(
                    (
                        importance,
                        k,
                        [
                            (model.skill_names[c], float(v))
                            for c, v in zip(row.indices, row.data, strict=True)
                        ],
                    )
                )
        cache.clear()
        cache[model.version] = out
    return cache[model.version]


def _top_k_merge(best_idx, best_val, scores_t, offset, k):
    """Merge a chunk's scores, transposed to ``(n_vacancies, chunk)``, into the running top-K per vacancy (rows of
    ``best_*``, shape ``(n_vacancies, ≤ k)``).  Once K are held, only the vacancies where some score beats the
    current K-th best are touched, and only as many of the chunk's best as the most entrants any of them has:
    ``np.argpartition`` along contiguous rows, no loop over vacancies."""
    n = scores_t.shape[1]
    if best_idx.shape[1] >= k:
        above = scores_t > best_val.min(axis=1)[:, np.newaxis]
        counts = above.sum(axis=1)
        touched = np.flatnonzero(counts)
        if not len(touched):
            return best_idx, best_val
        sub = scores_t[touched]
        m = int(counts[touched].max())
        part = (
            np.argpartition(-sub, m - 1, axis=1)[:, :m] if m < n else np.broadcast_to(np.arange(n), sub.shape)
        )
        idx = np.concatenate([best_idx[touched], part + offset], axis=1)
        val = np.concatenate([best_val[touched], np.take_along_axis(sub, part, axis=1)], axis=1)
        keep = np.argpartition(-val, k - 1, axis=1)[:, :k]
        best_idx[touched] = np.take_along_axis(idx, keep, axis=1)
        best_val[touched] = np.take_along_axis(val, keep, axis=1)
        return best_idx, best_val
    if n > k:
        part = np.argpartition(-scores_t, k - 1, axis=1)[:, :k]
        vals = np.take_along_axis(scores_t, part, axis=1)
    else:
        part = np.broadcast_to(np.arange(n), scores_t.shape)
        vals = scores_t
    idx = np.concatenate([best_idx, part + offset], axis=1)
    val = np.concatenate([best_val, vals], axis=1)
    if idx.shape[1] > k:
        keep = np.argpartition(-val, k - 1, axis=1)[:, :k]
        idx = np.take_along_axis(idx, keep, axis=1)
        val = np.take_along_axis(val, keep, axis=1)
    return idx, val


def top_k_scan(
    cm: CandidateMatrices, vm: VacancyMatrices, *, k: int, chunk: int = 2000, threads: int = 1
) -> tuple[np.ndarray, np.ndarray]:
    """The ``k`` best candidates of every vacancy: rows of ``cm`` scored in chunks of ``chunk`` with a running
    top-K per vacancy, so no ``n_candidates × n_vacancies`` matrix is ever built and memory stays bounded by the
    chunk size.  ``threads`` threads each take every ``threads``-th chunk with a top-K of their own (numpy and
    scipy release the GIL in their kernels), merged at the end.

    Returns ``(rows, scores)``, each ``(min(k, n_candidates), n_vacancies)``, best first per column; candidates
    with insufficient data score -1 (they rank last).
    """
    n, n_v = len(cm), len(vm)
    starts = list(range(0, n, chunk))

    def part(first: int):
        best_idx = np.zeros((n_v, 0), dtype=np.int64)
        best_val = np.zeros((n_v, 0), dtype=np.float32)
        for start in starts[first::threads]:
            sub = cm.rows(slice(start, start + chunk))
            m = score_matrices(sub, vm, keep_components=False)
            scores_t = np.ascontiguousarray(np.where(m.insufficient, np.float32(-1.0), m.score).T)
            best_idx, best_val = _top_k_merge(best_idx, best_val, scores_t, start, k)
        return best_idx, best_val

    threads = max(1, min(threads, len(starts)))
    if threads == 1:
        best_idx, best_val = part(0)
    else:
        with ThreadPoolExecutor(max_workers=threads) as pool:
            results = list(pool.map(part, range(threads)))
        best_idx = np.concatenate([r[0] for r in results], axis=1)
        best_val = np.concatenate([r[1] for r in results], axis=1)
        if best_idx.shape[1] > k:
            keep = np.argpartition(-best_val, k - 1, axis=1)[:, :k]
            best_idx = np.take_along_axis(best_idx, keep, axis=1)
            best_val = np.take_along_axis(best_val, keep, axis=1)
    order = np.argsort(-best_val, axis=1, kind="stable")
    best_idx = np.take_along_axis(best_idx, order, axis=1)
    best_val = np.take_along_axis(best_val, order, axis=1)
    return best_idx.T.copy(), best_val.T.astype(float)


def top_k_per_column(scores: np.ndarray, k: int) -> list[np.ndarray]:
    """Row indices of the ``k`` largest values of each column, best first (``np.argpartition``; O(n) per column)."""
    n = scores.shape[0]
    if n == 0:
        return [np.zeros(0, dtype=int) for _ in range(scores.shape[1])]
    k = min(k, n)
    part = np.argpartition(-scores, k - 1, axis=0)[:k, :]
    out = []
    for j in range(scores.shape[1]):
        idx = part[:, j]
        out.append(idx[np.argsort(-scores[idx, j], kind="stable")])
    return out
