"""Synthetic CVs and vacancies for benchmarks, built from the skill vocabulary.  Pure; no Django imports.

The texts are not meant to read well; they are meant to load the engine like real ones: ~550-word CVs whose
skills follow a given frequency shape (by default measured on real CVs by ``generate_benchmark_data
--shape-from``), wrapped in filler words drawn from a Zipf distribution over a large pseudo-word lexicon, so
the word TF-IDF has millions of uni- and bigram features, as real CV collections do.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np

_SYLLABLES = [
    "ka",
    "ro",
    "mi",
    "tan",
    "vel",
    "so",
    "dri",
    "pen",
    "lu",
    "gor",
    "ix",
    "ba",
    "ne",
    "shi",
    "tor",
    "qua",
    "fe",
    "lin",
    "dax",
    "u",
    "ore",
    "zen",
    "mak",
    "pi",
    "sul",
    "ter",
    "vo",
    "ham",
    "ce",
    "rud",
]
_DEGREES = [
    "BSc in computer science",
    "MSc in statistics",
    "PhD in physics",
    "Bachelor of Engineering",
    "Master of Science in data science",
    "BA in economics",
    "MBA",
    "Diploma in accounting",
]
_TITLES = [
    "Machine learning engineer",
    "Data scientist",
    "Senior ML engineer",
    "Applied scientist",
    "ML platform engineer",
    "Data engineer",
]


def pseudo_lexicon(size: int, seed: int = 0) -> list[str]:
    """``size`` distinct pronounceable pseudo-words (3–4 syllables), deterministic for a seed."""
    rng = np.random.default_rng(seed)
    words: dict[str, None] = {}
    while len(words) < size:
        n = int(rng.integers(2, 5))
        words["".join(_SYLLABLES[i] for i in rng.integers(0, len(_SYLLABLES), n))] = None
    return list(words)


@dataclass
class SyntheticCorpus:
    """Generator of CV and vacancy texts.

    ``skills`` are canonical names; ``skill_probability`` the chance that a CV names each (the frequency shape);
    ``lexicon_size`` filler words, sampled with Zipf exponent ``zipf``.
    """

    skills: Sequence[str]
    skill_probability: Sequence[float]
    lexicon_size: int = 60_000
    zipf: float = 1.07
    seed: int = 0

    def __post_init__(self) -> None:
        self.rng = np.random.default_rng(self.seed)
        self.lexicon = pseudo_lexicon(self.lexicon_size, self.seed)
        ranks = np.arange(1, self.lexicon_size + 1, dtype=float)
        weights = ranks**-self.zipf
        self.word_cdf = np.cumsum(weights / weights.sum())
        p = np.asarray(self.skill_probability, dtype=float)
        self.skill_p = np.clip(p, 1e-6, 1.0)
        self.skills = list(self.skills)

    def _filler(self, n: int) -> str:
        picks = np.searchsorted(self.word_cdf, self.rng.random(n) * self.word_cdf[-1]).tolist()
        lexicon, last = self.lexicon, self.lexicon_size - 1
        return " ".join([lexicon[min(i, last)] for i in picks])

    def cv(self, words: int = 550) -> str:
        """One CV text of about ``words`` words."""
        has = self.rng.random(len(self.skills)) < self.skill_p
        names = [self.skills[i] for i in np.flatnonzero(has)]
        self.rng.shuffle(names)
        start = int(self.rng.integers(1995, 2022))
        end = min(2025, start + int(self.rng.integers(1, 12)))
        parts = [
            f"Skills: {', '.join(names[:12])}." if names else "Skills: teamwork.",
            f"Education: {self.rng.choice(_DEGREES)}.",
            f"Experience: {self.rng.choice(_TITLES)}, {start} - {end}.",
        ]
        for i in range(12, len(names), 3):
            parts.append(f"Worked with {', '.join(names[i : i + 3])} on {self._filler(6)}.")
        used = sum(len(p.split()) for p in parts)
        if used < words:
            filler = self._filler(words - used).split(" ")
            cuts = np.cumsum(self.rng.integers(8, 20, size=len(filler) // 8 + 1))
            start = 0
            for cut in cuts:
                if start >= len(filler):
                    break
                parts.append(" ".join(filler[start:cut]).capitalize() + ".")
                start = int(cut)
        return "\n".join(parts)

    def vacancy(self, words: int = 300) -> tuple[str, str]:
        """One vacancy ``(title, text)``: required and desirable skills in their usual wording."""
        order = np.argsort(-(self.skill_p * self.rng.random(len(self.skills))))
        required = [self.skills[i] for i in order[: int(self.rng.integers(8, 16))]]
        desirable = [self.skills[i] for i in order[16 : 16 + int(self.rng.integers(2, 6))]]
        title = str(self.rng.choice(_TITLES))
        parts = [
            title,
            "Requirements",
            *[f"- You must have experience with {s}." for s in required],
            f"- At least {int(self.rng.integers(1, 6))} years of experience.",
            f"- A {self.rng.choice(_DEGREES)} or similar.",
            "Nice to have",
            *[f"- {s} is a plus." for s in desirable],
            "About the role",
        ]
        used = sum(len(p.split()) for p in parts)
        while used < words:
            chunk = self._filler(int(self.rng.integers(8, 20)))
            parts.append(chunk.capitalize() + ".")
            used += len(chunk.split())
        return title, "\n".join(parts)


def skill_shape(
    skill_counts: Sequence[Mapping[str, int]], skills: Sequence[str], *, floor: float = 0.002
) -> list[float]:
    """The share of documents naming each skill (at least ``floor``), from extracted skill counts."""
    n = max(1, len(skill_counts))
    df = {s: 0 for s in skills}
    for counts in skill_counts:
        for s in counts:
            if s in df:
                df[s] += 1
    return [max(floor, df[s] / n) for s in skills]
