"""A job title is a claim (issue 12, adversarial): the vacancy's own title pasted above a CV that shows none of
that work must not lift the CV into the shortlist.  Real data in ../shared (skipped where absent, fails under
``CI=true``).

The probe needs no labels: for each seed vacancy, the ten real CVs (of at least 150 words) that score lowest for
it get the vacancy's title as a headline, and again as a dated role at the end ("<title>, Example Ltd (2019 -
2023)").  Every such CV whose title skills the rest of it does not back (``role_claims``, no ``roles``) must rank
below 20th among the 166 real CVs plus itself.  With engine 2.1.0 a bare "Machine Learning Engineer" headline
lifted an HR CV from 35th-150th to 5th-6th on every seed; engine 2.2.0 keeps every such CV at 22nd or lower.
"""

from __future__ import annotations

import numpy as np
import pytest

from matching import model_store, scoring, selectors
from recruiting.models import Candidate, Vacancy

pytestmark = [pytest.mark.realdata, pytest.mark.django_db]

TOP = 20
WEAK = 10
MIN_WORDS = 150


def test_a_pasted_vacancy_title_the_cv_does_not_back_stays_out_of_the_shortlist(imported):
    rows = selectors.candidate_documents(list(Candidate.objects.order_by("pk").values_list("pk", flat=True)))
    pool = [doc for _, doc, _ in rows]
    texts = [Candidate.objects.get(pk=c.pk).cv_text for c, _, _ in rows]  # documents drop the raw text
    model = model_store.model_load_or_fit()
    seeds = list(Vacancy.objects.filter(source="import").order_by("pk"))
    assert len(seeds) == 5 and len(pool) == 166
    vdocs = [doc for _, doc in selectors.vacancy_documents([v.pk for v in seeds])]
    scores = scoring.score_chunk(model, pool, vdocs)
    column = np.where(scores.insufficient, -np.inf, scores.score)
    claimed, worst = 0, []
    for j, vacancy in enumerate(seeds):
        col = column[:, j]
        weak = sorted(
            (i for i in range(len(pool)) if len(texts[i].split()) >= MIN_WORDS and np.isfinite(col[i])),
            key=lambda i: (col[i], i),
        )[:WEAK]
        fakes = [f"{vacancy.title}\n{texts[i]}" for i in weak] + [
            f"{texts[i]}\nExperience\n{vacancy.title}, Example Ltd (2019 - 2023)" for i in weak
        ]
        _, docs = selectors.documents_from_text(vacancy_text=vacancy.description, cv_texts=fakes)
        fake_scores = scoring.score_chunk(model, docs, [vdocs[j]]).score[:, 0]
        for doc, score in zip(docs, fake_scores, strict=True):
            if doc.role_claims and not doc.roles:
                claimed += 1
                worst.append(int((col > score).sum()) + 1)
    print(f"claimed titles: {claimed} faked CVs, best rank {min(worst)}, median {int(np.median(worst))}")
    assert claimed >= 20  # the probe is not vacuous: most weak CVs show nothing that backs the title
    assert min(worst) > TOP
