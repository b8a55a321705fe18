"""Match bands: the one home of the words and colours a score is given ("Strong match" … "Weak match").

A score is a number out of 100, but what counts as a *strong* score depends on how scores spread: the engine's
scores for real CVs against real vacancies sit mostly between 20 and 60, so fixed cut-offs such as 70 / 45 said
"Good match" to most people.  Bands are therefore read from the score distribution, with floors and a
required-skill rule so that a label never claims more than the evidence:

1. **Cut-offs from the distribution.**  With at least ``MIN_SCORES`` stored scores, the cut-offs are percentiles
   of all scored pairs: *strong* from the 90th percentile, *good* from the 75th, *partial* from the 50th; below
   that *weak*.  So "Strong match" means "in the top tenth of all scored candidate–vacancy pairs".
2. **Floors.**  A cut-off is never below its floor (strong ≥ 60, good ≥ 45, partial ≥ 25): in a pool of weak
   matches the top tenth is not "strong".  With fewer scores than ``MIN_SCORES`` the floors are the cut-offs.
3. **Required skills.**  A pair that meets under half of the vacancy's required skills is at most *partial*; under
   a quarter, *weak* — whatever its score.  So 47/100 with 6 of 38 required skills (16 %) is "Weak match".

Pure: numbers in, names out; the database read (one query) is ``recruiting.selectors.match_bands``.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

#: Band names, best first; "none" for a pair without a score.
BANDS = ("strong", "good", "partial", "weak")
LABELS = {
    "strong": "Strong match",
    "good": "Good match",
    "partial": "Partial match",
    "weak": "Weak match",
    "none": "Not scored",
}
PERCENTILES = {"strong": 90, "good": 75, "partial": 50}
FLOORS = {"strong": 60.0, "good": 45.0, "partial": 25.0}
MIN_SCORES = 50
#: Required-skill coverage below which a pair is capped at a band: under 50 % → partial, under 25 % → weak.
COVERAGE_CAPS = ((0.25, "weak"), (0.5, "partial"))


@dataclass(frozen=True)
class Bands:
    """Cut-offs (0–100) of the strong, good and partial bands; ``scores`` is how many scores they were read from
    (0: the floors)."""

    strong: float = FLOORS["strong"]
    good: float = FLOORS["good"]
    partial: float = FLOORS["partial"]
    scores: int = 0

    @property
    def from_distribution(self) -> bool:
        return self.scores >= MIN_SCORES

    def describe(self) -> str:
        """One line for legends: "Strong ≥ 62 · Good ≥ 48 · Partial ≥ 31 (from 830 scores)"."""
        source = f"from {self.scores:,} scores" if self.from_distribution else "fixed floors: few scores yet"
        return (
            f"Strong ≥ {self.strong:.0f} · Good ≥ {self.good:.0f} · Partial ≥ {self.partial:.0f} "
            f"({source}; capped by required skills met)"
        )


DEFAULT_BANDS = Bands()


def percentile_from_counts(counts: dict[int, int], q: float) -> float:
    """The ``q``-th percentile (0–100) of scores given as ``{floor(score): how many}`` (nearest rank, at the
    bucket's lower bound).  Raises ``ValueError`` for an empty distribution or ``q`` outside 0–100."""
    if not 0 <= q <= 100:
        raise ValueError(f"percentile {q} is outside 0–100")
    total = sum(counts.values())
    if total <= 0:
        raise ValueError("no scores")
    rank = max(1, -(-q * total // 100))  # ceil(q/100 × total), at least 1
    seen = 0
    for bucket in sorted(counts):
        seen += counts[bucket]
        if seen >= rank:
            return float(bucket)
    return float(max(counts))


def bands_from_counts(counts: dict[int, int]) -> Bands:
    """Cut-offs from a score distribution ``{floor(score): count}`` (see the module docstring)."""
    total = sum(counts.values())
    if total < MIN_SCORES:
        return Bands(scores=total)
    cut = {name: max(FLOORS[name], percentile_from_counts(counts, q)) for name, q in PERCENTILES.items()}
    # Keep the order strong ≥ good ≥ partial whatever the floors did.
    good = min(cut["good"], cut["strong"])
    return Bands(strong=cut["strong"], good=good, partial=min(cut["partial"], good), scores=total)


def bands_from_scores(scores: Iterable[float | None]) -> Bands:
    """``bands_from_counts`` for a plain list of scores (``None`` ignored)."""
    counts: dict[int, int] = {}
    for s in scores:
        if s is not None:
            bucket = int(min(max(float(s), 0.0), 100.0))
            counts[bucket] = counts.get(bucket, 0) + 1
    return bands_from_counts(counts)


def band(
    score: float | None,
    bands: Bands = DEFAULT_BANDS,
    *,
    required_met: int | None = None,
    required_total: int | None = None,
) -> str:
    """The band of ``score``: "strong", "good", "partial", "weak", or "none" without a score.  With the numbers
    of required skills met and asked for, a low coverage caps the band (``COVERAGE_CAPS``)."""
    if score is None:
        return "none"
    name = (
        "strong"
        if score >= bands.strong
        else "good"
        if score >= bands.good
        else "partial"
        if score >= bands.partial
        else "weak"
    )
    if required_total:
        coverage = (required_met or 0) / required_total
        for limit, cap in COVERAGE_CAPS:
            if coverage < limit and BANDS.index(name) < BANDS.index(cap):
                name = cap
                break
    return name


def required_counts(matched: Sequence[dict] | None, missing: Sequence[dict] | None) -> tuple[int, int]:
    """``(met, total)`` required skills of a stored score's ``matched_skills`` / ``missing_skills``."""
    met = sum(1 for m in matched or [] if isinstance(m, dict) and m.get("importance") == "required")
    gaps = sum(1 for m in missing or [] if isinstance(m, dict) and m.get("importance") == "required")
    return met, met + gaps


def label(name: str) -> str:
    """ "Strong match" … "Weak match" for a band name."""
    return LABELS.get(name, LABELS["none"])
