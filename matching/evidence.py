"""How strongly a CV shows each skill: evidence levels, saturating strength, and the keyword-list flag.

Pure code (no Django imports): a text and the skill mentions :class:`matching.extraction.SkillExtractor` found in
it go in; per-skill evidence and a CV-level verdict come out.

Evidence levels
===============
Each mention of a skill is read in its sentence (a line is cut at ``. ! ? ;`` and bullets):

* ``used`` — the sentence shows the skill applied: an action verb (built, trained, deployed, analysed …), a
  period (``2019–2021``, ``24 months``, ``3 years``) or a result (``95 %``, ``2x``, ``reduced … by``).  A
  recruiter reads this as experience; so does Textkernel's "skill in context" (experience section vs. skills
  list).
* ``listed`` — an entry of a list: after a label such as ``Skills:`` / ``Tools:``, or a line that is mostly
  skill names and separators.
* ``mentioned`` — any other passing mention ("interested in machine learning").

Strength
========
A skill's strength is ``LEVEL_WEIGHTS[best level] · (1 + REPEAT_BONUS · ln n)`` for its ``n`` mentions: the
best evidence counts, repetition adds a logarithmic bonus only (term frequency saturates as in BM25's
``k1``; Robertson & Zaragoza 2009, "The Probabilistic Relevance Framework: BM25 and Beyond", §3.3).  Twenty
mentions in a list weigh less than one use in a role.

Keyword lists
=============
A CV is flagged ``keyword list: little evidence of use`` when its skills are mostly repetition or a bare list:
no role, no period and no qualification, with most of its words being skill names; or mentions repeated far
beyond what a CV of its length holds.  The engine discounts the skill components of a flagged CV
(``matching.scoring.KEYWORD_LIST_DISCOUNT``).
"""

from __future__ import annotations

import bisect
import math
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

from matching.extraction import mention_counts, role_title_spans

__all__ = [
    "EVIDENCE_LEVELS",
    "KEYWORD_LIST_MESSAGE",
    "LEVEL_WEIGHTS",
    "CvEvidence",
    "SkillEvidence",
    "assess",
    "corroborated_roles",
    "narrower_skills",
    "related_skills",
    "skill_strength",
    "transitive",
]

EVIDENCE_LEVELS = ("used", "listed", "mentioned")
# Weight of one mention at each level (used > listed > mentioned).  A recruiter-entered skill counts as listed.
LEVEL_WEIGHTS = {"used": 1.0, "listed": 0.6, "mentioned": 0.4, "entered": 0.6}
# A listed or mentioned skill with no use of it, or of a related skill, anywhere in the CV (a keyword block
# appended to an unrelated CV) counts this share of its strength.
UNSUPPORTED_FACTOR = 0.5
# A CV with at least this many unsupported skills, making up at least this share of its skills, is a keyword
# block (the most measured in a real CV: 16, all in a skills section).
UNSUPPORTED_BLOCK = 20
UNSUPPORTED_SHARE = 0.6
# Logarithmic bonus per extra mention: n mentions weigh (1 + REPEAT_BONUS · ln n) times one.
REPEAT_BONUS = 0.15
KEYWORD_LIST_MESSAGE = "keyword list: little evidence of use"

_ACTION = re.compile(
    r"\b(?:develop(?:ed|ing|s)?|buil[dt](?:ing|s)?|implement(?:ed|ing|s)?|design(?:ed|ing|s)?|"
    r"creat(?:ed|ing|es?)|train(?:ed|ing)?|deploy(?:ed|ing|s)?|use[ds]?|using|utili[sz](?:ed|ing|es?)|"
    r"appl(?:ied|ying|ies)|work(?:ed|ing)\s+(?:on|with|in)|analy[sz](?:ed|ing|es?)|automat(?:ed|ing|es?)|"
    r"improv(?:ed|ing|es?)|optimi[sz](?:ed|ing|es?)|reduc(?:ed|ing|es?)|increas(?:ed|ing|es?)|"
    r"l(?:ed|ead|eading)|manag(?:ed|ing|es?)|wr(?:ote|itten|iting)|migrat(?:ed|ing|es?)|"
    r"maintain(?:ed|ing|s)?|integrat(?:ed|ing|es?)|architect(?:ed|ing)|engineer(?:ed|ing)|"
    r"model(?:l?ed|l?ing)|predict(?:ed|ing|s)?|forecast(?:ed|ing|s)?|classif(?:ied|ying)|"
    r"process(?:ed|ing)|clean(?:ed|ing)|extract(?:ed|ing)|visuali[sz](?:ed|ing)|scal(?:ed|ing)|"
    r"launch(?:ed|ing)|deliver(?:ed|ing)|ship(?:ped|ping)|tun(?:ed|ing)|fine-?tun(?:ed|ing)|"
    r"benchmark(?:ed|ing)|evaluat(?:ed|ing)|test(?:ed|ing)|research(?:ed|ing)|publish(?:ed|ing)|"
    r"prototyp(?:ed|ing)|coded|programm(?:ed|ing)\s+(?:in|with)|set\s+up|stood\s+up|"
    r"responsible\s+for|involved\s+in|hands-on|project|thesis|internship|development|implementation|"
    r"deployment)\b",
    re.IGNORECASE,
)
_PERIOD = re.compile(
    r"\b(?:(?:19|20)\d{2}\s*(?:-|–|—|to|till|until)\s*(?:(?:19|20)?\d{2}|present|current|now|date)|"
    r"\d+(?:\.\d+)?\s*\+?\s*(?:years?|yrs?|months?))",
    re.IGNORECASE,
)
_RESULT = re.compile(r"\d+(?:\.\d+)?\s*(?:%|percent\b|x\b|×)|\b(?:by|to)\s+\d", re.IGNORECASE)
_LIST_LABEL = re.compile(
    r"^[\s\W]*(?:technical\s+|key\s+|core\s+|it\s+|computer\s+|programming\s+|other\s+)?"
    r"(?:skills?(?:\s+set)?|skill\s+details|tools?(?:\s+(?:and|&)\s+technologies)?|technolog(?:y|ies)|"
    r"languages?|frameworks?|libraries|platforms?|expertise|competenc(?:y|ies)|proficienc(?:y|ies)|"
    r"keywords?|tech(?:nical)?\s+stack|stack|environment|software|areas?\s+of\s+expertise)\b[^:\n]{0,30}[:\-–]",
    re.IGNORECASE,
)
# Labels of a project's or a role's tool list ("Tools & Technologies:", "Environment:", "Tech stack:"): right after
# lines that show work, such a list says what the work was done with.
_PROJECT_LIST_LABEL = re.compile(
    r"^[\s\W]*(?:tools?|technolog(?:y|ies)|environment|tech(?:nical)?\s+stack|stack|software|platforms?|"
    r"frameworks?|libraries)\b",
    re.IGNORECASE,
)
# How many lines above a tool list are looked at for work.
PROJECT_CONTEXT_LINES = 6
_SENTENCE = re.compile(r"(?<=[.!?;])\s+|\s*[•▪●◦➢✓·]\s*|\s+[-–*]\s+(?=[A-Z])")
_WORD = re.compile(r"[^\W\d_][\w+#.'’-]*", re.UNICODE)
_SEPARATOR_WORDS = frozenset({"and", "or", "with", "etc", "of", "in", "the", "a", "an", "&"})
_ROLE = re.compile(
    r"\b(?:engineer|developer|analyst|scientist|consultant|manager|intern|architect|researcher|lead|"
    r"associate|executive|officer|specialist|administrator|programmer|trainee|assistant|director|head|"
    r"company|employer|worked|experience|project)\b",
    re.IGNORECASE,
)
_QUALIFICATION = re.compile(
    r"\b(?:b\.?\s?(?:tech|e|sc|s|a|com)|m\.?\s?(?:tech|sc|s|a|ba|e)|ph\.?\s?d|bachelor|master|doctorate|"
    r"degree|diploma|university|college|graduat\w*)\b",
    re.IGNORECASE,
)


@dataclass(frozen=True)
class SkillEvidence:
    """One skill's evidence in one CV.

    ``level`` is the best level of its mentions (``used`` > ``listed`` > ``mentioned``); ``mentions`` counts them;
    ``strength`` is ``skill_strength(level, mentions)`` (≥ 0.4, unbounded but logarithmic in ``mentions``);
    ``line`` is the text of the best mention's line (evidence shown to a recruiter); ``supported`` is False for a
    listed or mentioned skill with no use of it or of a related skill anywhere in the CV (its strength is then
    multiplied by ``UNSUPPORTED_FACTOR``).
    """

    level: str
    mentions: int
    strength: float
    line: str
    supported: bool = True


@dataclass(frozen=True)
class CvEvidence:
    """Evidence of every skill of a CV and the CV-level verdict.

    ``skills`` maps canonical skill name → :class:`SkillEvidence`; ``keyword_list`` is True when the CV's skills
    are mostly repetition or a bare list (see the module docstring) and ``reason`` then says which; ``claimed``
    are the skills the CV names only inside its own job titles, ``headline`` those it names only on lines that
    hold a job title (see :func:`corroborated_roles`).
    """

    skills: dict[str, SkillEvidence]
    keyword_list: bool
    reason: str
    claimed: frozenset[str] = frozenset()
    headline: frozenset[str] = frozenset()


def skill_strength(level: str, mentions: int) -> float:
    """Strength of a skill shown ``mentions`` times (≥ 1) at best ``level``:
    ``LEVEL_WEIGHTS[level] · (1 + REPEAT_BONUS · ln mentions)``.  Raises ``KeyError`` on an unknown level."""
    return LEVEL_WEIGHTS[level] * (1.0 + REPEAT_BONUS * math.log(max(1, mentions)))


def _sentences(line: str) -> list[tuple[int, int]]:
    """``[(start, end), …]`` of the sentences of a line (cut at ``. ! ? ;``, bullets and dashes before a capital)."""
    bounds, start = [], 0
    for m in _SENTENCE.finditer(line):
        bounds.append((start, m.start()))
        start = m.end()
    bounds.append((start, len(line)))
    return bounds


def _is_list_line(line: str, spans: Sequence[tuple[int, int]]) -> bool:
    """A line of skill names and separators: at most two other words, and at most 30 % of its words."""
    covered = sorted(spans)
    rest, last = [], 0
    for s, e in covered:
        rest.append(line[last:s])
        last = max(last, e)
    rest.append(line[last:])
    other = [w for w in _WORD.findall(" ".join(rest)) if w.lower() not in _SEPARATOR_WORDS]
    total = len(other) + len(covered)
    return bool(covered) and (len(other) <= 2 or len(other) <= 0.3 * total)


def assess(
    text: str,
    mentions: Sequence,
    related: Mapping[str, Iterable[str]] | None = None,
    narrower: Mapping[str, Iterable[str]] | None = None,
) -> CvEvidence:
    """Evidence per skill and the keyword-list verdict of a CV ``text`` whose skill ``mentions`` (objects with
    ``skill``, ``start`` and ``end`` offsets into ``text``, as ``SkillExtractor.find`` returns) were found.

    ``related`` maps a skill to the skills that corroborate it (its broader, narrower and sibling skills in the
    vocabulary, see :func:`related_skills`): a listed skill is corroborated when it or one of those is used
    elsewhere in the CV.  A skill named only inside the CV's own job titles (``CvEvidence.claimed``) with no
    skill ``narrower`` than it shown (:func:`narrower_skills`) is a bare claim: ``mentioned`` and unsupported.
    Linear in the text; no skill is lost (every mentioned skill gets at least ``mentioned``)."""
    line_starts = [0] + [m.end() for m in re.finditer("\n", text)]
    by_line: dict[int, list] = {}
    for m in mentions:
        by_line.setdefault(bisect.bisect_right(line_starts, m.start) - 1, []).append(m)
    lines = text.split("\n")
    # Lines that show work (an action, period or result), for the project context of tool lists: read only for
    # the lines above a labelled project list, each once.
    used: dict[int, bool] = {}

    def used_line(k: int) -> bool:
        if k not in used:
            ln = lines[k]
            used[k] = bool(_ACTION.search(ln) or _RESULT.search(ln)) and not _LIST_LABEL.match(ln)
        return used[k]

    best: dict[str, tuple[int, str]] = {}
    counts = mention_counts(mentions)
    rank = {"used": 2, "listed": 1, "mentioned": 0}
    for line_no, found in sorted(by_line.items()):
        begin = line_starts[line_no]
        end = line_starts[line_no + 1] - 1 if line_no + 1 < len(line_starts) else len(text)
        # Skill names are blanked out before looking for actions, periods and results: "data modelling" or
        # "natural language processing" in a list is not an action.
        raw_line = text[begin:end]
        line = list(raw_line)
        for x in found:
            line[x.start - begin : x.end - begin] = " " * (x.end - x.start)
        line = "".join(line)
        label = _LIST_LABEL.match(line)
        in_project = bool(label and _PROJECT_LIST_LABEL.match(line)) and any(
            used_line(k) for k in range(line_no - PROJECT_CONTEXT_LINES, line_no) if 0 <= k < len(lines)
        )
        # Each sentence is classified once, for all the mentions it holds (linear in the line).
        sentences = _sentences(raw_line)
        starts = [b for b, _ in sentences]
        in_sentence: dict[int, list] = {}
        for m in found:
            in_sentence.setdefault(bisect.bisect_right(starts, m.start - begin) - 1, []).append(m)
        for k, members in in_sentence.items():
            s_start, s_end = sentences[k]
            sentence = line[s_start:s_end]
            action = bool(_ACTION.search(sentence))
            period = bool(_PERIOD.search(sentence))
            shown = action or period or bool(_RESULT.search(sentence))
            listed = _is_list_line(
                sentence, [(x.start - begin - s_start, x.end - begin - s_start) for x in members]
            )
            for m in members:
                if label and m.start - begin >= label.end() and not action:
                    level = "used" if in_project or period else "listed"
                elif shown:
                    level = "used"
                elif listed:
                    level = "listed"
                else:
                    level = "mentioned"
                if m.skill not in best or rank[level] > rank[best[m.skill][1]]:
                    best[m.skill] = (m.start, level)
    skills = {}
    for name, (start, level) in best.items():
        line_no = bisect.bisect_right(line_starts, start) - 1
        begin = line_starts[line_no]
        end = line_starts[line_no + 1] - 1 if line_no + 1 < len(line_starts) else len(text)
        skills[name] = SkillEvidence(
            level, counts[name], skill_strength(level, counts[name]), _window(text[begin:end], start - begin)
        )
    related = related or {}
    claimed, headline = _claimed_only(text, mentions)
    for name in claimed:
        if not set((narrower or {}).get(name, ())) & skills.keys():
            e = skills[name]
            strength = skill_strength("mentioned", e.mentions) * UNSUPPORTED_FACTOR
            skills[name] = SkillEvidence("mentioned", e.mentions, strength, e.line, False)
    used = {name for name, e in skills.items() if e.level == "used"}
    for name, e in skills.items():
        if e.level != "used" and not used.intersection(related.get(name, ())):
            skills[name] = SkillEvidence(e.level, e.mentions, e.strength * UNSUPPORTED_FACTOR, e.line, False)
    keyword_list, reason = _keyword_list(text, mentions, skills)
    unsupported = sum(1 for e in skills.values() if not e.supported)
    if (
        not keyword_list
        and unsupported >= UNSUPPORTED_BLOCK
        and unsupported >= UNSUPPORTED_SHARE * len(skills)
    ):
        keyword_list, reason = (
            True,
            f"{unsupported} of its {len(skills)} skills are only listed, never shown in use",
        )
    return CvEvidence(skills, keyword_list, reason, frozenset(claimed), frozenset(headline))


def corroborated_roles(
    roles: Iterable[str], evidence: CvEvidence, narrower: Mapping[str, Iterable[str]] | None = None
) -> tuple[list[str], list[str]]:
    """``(backed, claims)``: the skills of ``roles`` (those a CV's job titles name, ``matching.extraction.role_skills``)
    split by whether the rest of the CV backs them — the skill itself, or a skill ``narrower`` than it
    (:func:`narrower_skills`: Deep learning or PyTorch for Machine learning), shown on a line that holds no job
    title.  A title is a claim: "Machine Learning Engineer" above a CV that shows no machine-learning work is not
    backed, nor is "Data Scientist - Machine Learning, Hadoop" by its own headline's list.  Order kept."""
    narrower = narrower or {}
    shown = evidence.skills.keys() - evidence.headline  # what the lines without a job title show
    backed, claims = [], []
    for name in roles:
        ok = name in shown or set(narrower.get(name, ())) & shown
        (backed if ok else claims).append(name)
    return backed, claims


def _claimed_only(text: str, mentions: Sequence) -> tuple[set[str], set[str]]:
    """``(claimed, headline)``: the skills of ``mentions`` named only inside the CV's own job titles
    (``role_title_spans``: "Machine Learning Engineer, Acme (2019–2023)" claims machine learning), and those named
    only on lines that hold a job title ("Data Scientist - Machine Learning, Hadoop": a headline's list backs
    nothing).  The rest of the CV has to show them."""
    spans = role_title_spans(text)
    if not spans:
        return set(), set()
    starts = [a for a, _ in spans]
    line_starts = [0] + [m.end() for m in re.finditer("\n", text)]

    def line_of(offset: int) -> int:
        return bisect.bisect_right(line_starts, offset) - 1

    title_lines = {line_of(a) for a, _ in spans}

    def in_title(m) -> bool:
        k = bisect.bisect_right(starts, m.start) - 1
        return k >= 0 and m.end <= spans[k][1]

    named = {m.skill for m in mentions}
    claimed = named - {m.skill for m in mentions if not in_title(m)}
    headline = named - {m.skill for m in mentions if line_of(m.start) not in title_lines}
    return claimed, headline


def transitive(graph: Mapping[str, Iterable[str]]) -> dict[str, set[str]]:
    """Node → every node reachable from it through ``graph`` in one or more steps, itself excluded (cycles are
    harmless).  The one walk over the vocabulary's broader links: narrower skills, corroborating skills and the
    scoring model's broader closure (``matching.scoring``) all use it."""
    out: dict[str, set[str]] = {}
    for start, direct in graph.items():
        seen: set[str] = set()
        stack = list(direct)
        while stack:
            node = stack.pop()
            if node in seen or node == start:
                continue
            seen.add(node)
            stack.extend(graph.get(node, ()))
        out[start] = seen
    return out


def _children(broader: Mapping[str, Iterable[str]]) -> dict[str, set[str]]:
    children: dict[str, set[str]] = {}
    for name, wides in broader.items():
        for wide in wides:
            if wide != name:
                children.setdefault(wide, set()).add(name)
    return children


def narrower_skills(broader: Mapping[str, Iterable[str]]) -> dict[str, frozenset[str]]:
    """Skill → every skill narrower than it in the vocabulary's broader links, transitively (Deep learning and
    PyTorch under Machine learning): what shows a field's work, where a sibling (Data analysis beside Machine
    learning) does not."""
    return {top: frozenset(below) for top, below in transitive(_children(broader)).items()}


def related_skills(broader: Mapping[str, Iterable[str]]) -> dict[str, frozenset[str]]:
    """Skill → the skills that corroborate it, from the vocabulary's broader links: its broader skills
    (transitively), its narrower skills and its siblings (skills sharing a direct broader skill)."""
    out: dict[str, set[str]] = {}
    for name, wides in transitive(broader).items():
        for wide in wides:
            out.setdefault(name, set()).add(wide)
            out.setdefault(wide, set()).add(name)
    for siblings in _children(broader).values():
        for name in siblings:
            out.setdefault(name, set()).update(siblings - {name})
    return {name: frozenset(values) for name, values in out.items()}


def _window(line: str, offset: int, width: int = 300) -> str:
    line = (
        line.strip()
        if len(line) <= width
        else line[max(0, offset - width // 2) : offset + width // 2].strip()
    )
    return line[:500]


# Fewer distinct skills than this is a keyword list only when skill names are most of its words.
MIN_LIST_SKILLS = 3
# Share of a CV's words that are skill names above which it is a keyword list whatever else it holds (the most
# skill-dense real CVs measured stay under 0.3).
MOSTLY_SKILLS_SHARE = 0.5
# Above this share, a CV with no role, period or qualification, or one naming each skill this many times on
# average, is a keyword list.
BARE_LIST_SHARE = 0.35
REPETITION_RATIO = 3.0


def _keyword_list(text: str, mentions: Sequence, skills: dict[str, SkillEvidence]) -> tuple[bool, str]:
    if not skills:
        return False, ""
    words = max(1, len(_WORD.findall(text)))
    share = sum(len(_WORD.findall(text[m.start : m.end])) or 1 for m in mentions) / words
    repetition = len(mentions) / len(skills)
    if share >= MOSTLY_SKILLS_SHARE:
        return True, f"{round(100 * share)} % of its words are skill names"
    context = bool(_ROLE.search(text) or _PERIOD.search(text) or _QUALIFICATION.search(text))
    if not context and all(e.level == "listed" for e in skills.values()):
        return True, f"a list of {len(skills)} skill{'s' if len(skills) != 1 else ''} and nothing else"
    if len(skills) < MIN_LIST_SKILLS:
        return False, ""
    if share >= BARE_LIST_SHARE and (not context or repetition >= REPETITION_RATIO):
        why = (
            f"{len(skills)} skills named {len(mentions)} times"
            if context
            else f"a list of {len(skills)} skills with no role, period or qualification"
        )
        return True, why
    return False, ""
