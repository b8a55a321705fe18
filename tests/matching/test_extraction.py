"""Tests for ``matching/extraction.py``: plain functions on literal strings, no database."""

from __future__ import annotations

import time
from datetime import date
from decimal import Decimal

import pytest

from matching.extraction import (
    MAX_UNCUED_REQUIRED,
    SkillEntry,
    SkillExtractor,
    decide_requirements,
    extract_employment_type,
    extract_qualifications,
    extract_remote,
    extract_requirements,
    extract_salaries,
    extract_seniority,
    extract_years_experience,
    repair_text,
    vocabulary_version,
)
from matching.vocabulary import load_project_vocabulary, load_vocabulary


@pytest.fixture(scope="module")
def extractor() -> SkillExtractor:
    return SkillExtractor(load_project_vocabulary())


def skills(extractor: SkillExtractor, text: str) -> list[str]:
    return [m.skill for m in extractor.find(text)]


# --------------------------------------------------------------------------------------------- vocabulary
def test_project_vocabulary_is_a_few_hundred_valid_entries():
    entries = load_project_vocabulary()
    assert 300 <= len(entries) <= 450
    assert {e.category for e in entries} == {
        "language",
        "library",
        "platform",
        "method",
        "mathematics",
        "soft",
    }
    assert len({e.name.lower() for e in entries}) == len(entries)
    names = {e.name for e in entries}
    assert {"R", "Go", "Spark", "Excel", "Java", "C"} <= {e.name for e in entries if e.ambiguous}
    assert "data" not in {n.lower() for n in names} and "model" not in {n.lower() for n in names}


def test_load_vocabulary_reports_the_line_of_a_bad_category(tmp_path):
    path = tmp_path / "skills.csv"
    path.write_text("name,category,aliases,ambiguous\nPython,language,py3,false\nKafka,queue,,false\n")
    with pytest.raises(ValueError, match="line 3.*queue"):
        load_vocabulary(path)


def test_load_vocabulary_rejects_missing_columns(tmp_path):
    path = tmp_path / "skills.csv"
    path.write_text("name,category\nPython,language\n")
    with pytest.raises(ValueError, match="missing column"):
        load_vocabulary(path)


def test_vocabulary_version_is_short_stable_and_order_independent():
    a = SkillEntry("Python", "language", ("py3", "python3"))
    b = SkillEntry("Kafka", "platform")
    version = vocabulary_version([a, b])
    assert len(version) == 12 and int(version, 16) >= 0
    assert vocabulary_version([b, SkillEntry("Python", "language", ("python3", "py3"))]) == version
    assert vocabulary_version([a, SkillEntry("Kafka", "platform", ambiguous=True)]) != version


def test_unknown_category_is_rejected():
    with pytest.raises(ValueError, match="category"):
        SkillExtractor([SkillEntry("Python", "snake")])


# ------------------------------------------------------------------------------------------- skill finding
@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("sklearn and scikit learn and scikit-learn", ["scikit-learn"] * 3),
        ("deployed on k8s", ["Kubernetes"]),
        ("natural language processing", ["NLP"]),
        ("machine-learning and machine  learning and Machine Learning", ["Machine learning"] * 3),
        ("Spark MLlib", ["Spark MLlib"]),
        ("hidden Markov models", ["Hidden Markov models"]),
        ("neural networks, regression models", ["Neural networks", "Regression"]),
        ("Bayes nets and Markov decision processes", ["Bayesian networks", "Markov decision processes"]),
        ("C++, C#, .NET and Node.js", ["C++", "C#", ".NET", "Node.js"]),
        ("CI/CD pipelines", ["CI/CD"]),
        ("JavaScript developer", ["JavaScript"]),
        ("Python-based tooling", ["Python"]),
    ],
)
def test_aliases_phrases_and_symbols(extractor, text, expected):
    assert skills(extractor, text) == expected


def test_offsets_and_line(extractor):
    text = "Summary\nSkills: Python, SQL\n"
    python = extractor.find(text)[0]
    assert text[python.start : python.end] == "Python"
    assert python.line == "Skills: Python, SQL"
    assert extractor.counts("Python, python and PYTHON; SQL") == {"Python": 3, "SQL": 1}


def test_long_lines_are_cut_to_300_characters(extractor):
    text = "word " * 200 + "Kafka" + " word" * 200
    mention = extractor.find(text)[0]
    assert len(mention.line) <= 300 and "Kafka" in mention.line


@pytest.mark.parametrize(
    "text",
    [
        "Messaging (including, Kafka, RabbitMQ, ZeroMQ)",
        "Distributed systems operating knowledge (such as, Etcd, zookeeper, consul)",
        "Familiarity with infrastructure as code (Terraform, Cloudformation and similar)",
        "Big data tools such as Spark, Hadoop, TensorFlow, Keras",
    ],
)
def test_seed_technologies_are_found(extractor, text):
    found = set(skills(extractor, text))
    expected = {
        "Kafka",
        "RabbitMQ",
        "ZeroMQ",
        "etcd",
        "ZooKeeper",
        "Consul",
        "Terraform",
        "CloudFormation",
        "Spark",
        "Hadoop",
        "TensorFlow",
        "Keras",
    }
    assert found & expected == {w for w in expected if w.lower() in text.lower()}


@pytest.mark.parametrize(
    ("text", "skill"),
    [
        ("Languages: Python, R, SQL", "R"),
        ("Statistical programming in R", "R"),
        ("R programming and R studio", "R"),
        ("Python, Go and Rust", "Go"),
        ("Processed logs using Spark", "Spark"),
        ("Hadoop, Spark, Hive", "Spark"),
        ("MS Excel", "Excel"),
        ("Microsoft Excel", "Excel"),
        ("Tools: Excel, Tableau", "Excel"),
        ("excel- Experience - 6 months", "Excel"),
        ("Experience of a typed language (such as, C++ and Java)", "Java"),
        ("including C, C++, Java, Javascript, Julia, Python, R and Scala.", "Julia"),
        ("Programming Languages: C, Core Java", "C"),
        ("C/C++", "C"),
    ],
)
def test_ambiguous_names_count_in_a_technical_context(extractor, text, skill):
    assert skill in skills(extractor, text)


@pytest.mark.parametrize(
    ("text", "skill"),
    [
        ("Reviewed by R. Smith", "R"),
        ("R&D department", "R"),
        ("Go to the office every Monday", "Go"),
        ("Spark your curiosity", "Spark"),
        ("Jakarta, Java, Indonesia", "Java"),
        ("I grew up on the island of Java", "Java"),
        ("I excel at building relationships", "Excel"),
        ("Strong skills to excel in a fast-paced team", "Excel"),
        ("Reported to C-level executives", "C"),
        ("Passed with Grade C", "C"),
        ("Vitamin C", "C"),
        ("Julia Roberts", "Julia"),
        ("Electrical Engineer - R K ELECTRICAL PVT. LTD", "R"),
    ],
)
def test_ambiguous_names_do_not_count_as_ordinary_words(extractor, text, skill):
    assert skill not in skills(extractor, text)


def test_c_is_not_read_inside_cpp_or_csharp(extractor):
    assert skills(extractor, "C++ and C#") == ["C++", "C#"]


def test_find_is_fast(extractor):
    cv = (
        "Skills: Python (pandas, numpy, scikit-learn), SQL, Java, Spark, Hadoop, Tableau, Excel.\n"
        "Worked on machine learning, regression, clustering and natural language processing for clients.\n"
    ) * 20
    start = time.perf_counter()
    for _ in range(166):
        extractor.find(cv)
    assert time.perf_counter() - start < 2.0


# -------------------------------------------------------------------------------------------- qualifications
@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("PhD in Computer Science", [(4, "computer science")]),
        ("Ph.D. (Statistics)", [(4, "statistics")]),
        ("Masters degree or PhD in a relevant field", [(3, ""), (4, "")]),
        ("Undergraduate degree in computer science, engineering or mathematics", [(2, "computer science")]),
        ("MSc Data Science", [(3, "data science")]),
        ("MS in Computer Science", [(3, "computer science")]),
        ("B.E (Mechanical)", [(2, "mechanical engineering")]),
        (
            "January 2019 B.Tech. Electrical and Electronics Engineering Manipal Institute",
            [(2, "electrical and electronics engineering")],
        ),
        ("M.Tech in CSE", [(3, "computer science")]),
        ("MCA from Pune University", [(3, "computer applications")]),
        ("BCA, B.Com, M.Com", [(2, "computer applications"), (2, "commerce"), (3, "commerce")]),
        ("MBA", [(3, "business administration")]),
        ("LLB, LL.M", [(2, "law"), (3, "law")]),
        ("Bootcamp certificate in data science", [(1, "data science")]),
    ],
)
def test_qualifications(text, expected):
    assert [(q.level, q.field) for q in extract_qualifications(text)] == expected


@pytest.mark.parametrize(
    "text",
    [
        "Proficient in MS Excel and MS Office",
        "Latency under 200 ms",
        "Boston, MA",
        "Worked for BA on the booking system",
        "You will BE part of a team",
    ],
)
def test_qualification_false_positives(text):
    assert extract_qualifications(text) == []


def test_qualification_keeps_the_line():
    text = "Education\n  MSc Statistics, University of Leeds  \n"
    [q] = extract_qualifications(text)
    assert q.line == "MSc Statistics, University of Leeds"


# --------------------------------------------------------------------------------------------------- salaries
def salary(text):
    return [(s.minimum, s.maximum, s.currency, s.period) for s in extract_salaries(text)]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "At entry level as a graduate, you can expect a salary of £35,000.",
            [(Decimal(35000), None, "GBP", "year")],
        ),
        (
            "With three to five years experience, this can rise to £50,000 to £80,000.",
            [(Decimal(50000), Decimal(80000), "GBP", "year")],
        ),
        (
            "Contractual working is an option and pays around £450 to £650 per day, for a mid-level engineer",
            [(Decimal(450), Decimal(650), "GBP", "day")],
        ),
        ("you can expect a salary of around €40,000", [(Decimal(40000), None, "EUR", "year")]),
        ("$120k base plus equity", [(Decimal(120000), None, "USD", "year")]),
        ("$60 per hour", [(Decimal(60), None, "USD", "hour")]),
        ("120,000 USD", [(Decimal(120000), None, "USD", "year")]),
        ("£3,000 per month", [(Decimal(3000), None, "GBP", "month")]),
        ("£50-60k", [(Decimal(50000), Decimal(60000), "GBP", "year")]),
        ("India ₹732,099", [(Decimal(732099), None, "INR", "year")]),
        ("Rs. 6 lakhs per annum", [(Decimal(600000), None, "INR", "year")]),
        ("a day rate of £500", [(Decimal(500), None, "GBP", "day")]),
        ("a $5 billion company", []),
    ],
)
def test_salaries(text, expected):
    assert salary(text) == expected


# ------------------------------------------------------------------------------ seniority / contract / remote
def test_seniority_from_title_then_counts():
    assert extract_seniority("Senior Machine Learning Engineer\nWe build models.") == "senior"
    assert extract_seniority("Lead Data Scientist\n...") == "lead"
    assert extract_seniority("Graduate ML Engineer") == "entry"
    assert extract_seniority("ML Engineer\nA junior role for a junior engineer.") == "entry"
    assert extract_seniority("ML Engineer\nWe use Python.") == ""


def test_employment_type():
    assert extract_employment_type("6 month contract, day rate £500") == "contract"
    assert extract_employment_type("Freelance role") == "contract"
    assert extract_employment_type("Permanent, full-time position") == "permanent"
    assert extract_employment_type("We use Python") == ""


def test_remote():
    assert extract_remote("Fully remote, work from home") == "remote"
    assert extract_remote("Hybrid working: two days in the office") == "hybrid"
    assert extract_remote("This role is office-based in Leeds") == "onsite"
    assert extract_remote("Experience of remote sensing data") == ""


# ------------------------------------------------------------------------------------------------ requirements
def test_requirements_from_cue_words(extractor):
    text = "You must have strong Python skills. Experience with Kafka is a plus. Ideally you know Terraform."
    assert extract_requirements(text, extractor) == {
        "Python": "required",
        "Kafka": "desirable",
        "Terraform": "desirable",
    }


def test_requirements_from_headings(extractor):
    text = (
        "Requirements:\n- Python\n- SQL\n\nNice to have\n- Kafka\n- Docker\n\nQualifications\n- Statistics\n"
        "Desirable: Spark, Hadoop\n- Linux\n"
    )
    assert extract_requirements(text, extractor) == {
        "Python": "required",
        "SQL": "required",
        "Kafka": "desirable",
        "Docker": "desirable",
        "Statistics": "required",
        "Spark": "desirable",
        "Hadoop": "desirable",
        "Linux": "required",
    }


def test_required_wins_and_default_is_desirable(extractor):
    text = "Bonus points:\n- Kafka\n\nSkills\n- Kafka is essential\n"
    assert extract_requirements(text, extractor) == {"Kafka": "required"}
    # issue 12 item 7: a skill with no cue and no requirements heading is desirable (it was "required")
    assert extract_requirements("We use Python every day", extractor) == {"Python": "desirable"}


# ------------------------------------------------------------------- requirements a recruiter would write
def test_recruiter_requirements_soft_skills_are_desirable(extractor):
    text = (
        "Requirements\n- Strong communication skills\n- Teamwork\n- You must have Python and SQL and Docker\n"
    )
    importance = extract_requirements(text, extractor)
    assert importance["Communication"] == importance["Teamwork"] == "desirable"
    assert importance["Python"] == importance["SQL"] == importance["Docker"] == "required"


def test_recruiter_requirements_uncued_skills_are_desirable(extractor):
    text = "About the role\nOur team uses Python, Kafka and Terraform to ship data products.\n"
    assert extract_requirements(text, extractor) == {
        "Python": "required",
        "Kafka": "required",
        "Terraform": "required",
    }  # the floor of 3 (see below)
    assert extract_requirements("Our team uses Python and Kafka.", extractor) == {
        "Python": "desirable",
        "Kafka": "desirable",
    }


def test_recruiter_requirements_may_also_need_is_desirable(extractor):
    text = "You must have Python, SQL and Docker. You may also need Kafka, RabbitMQ."
    importance = extract_requirements(text, extractor)
    assert importance["Kafka"] == importance["RabbitMQ"] == "desirable"
    assert importance["Python"] == "required"
    text = (
        "You'll need:\n- Python\n- SQL\n- Docker\nIn some teams you may also need to demonstrate:\n"
        "- strong Kafka skills\n- RabbitMQ\nOther tools: Terraform\n"
    )
    importance = extract_requirements(text, extractor)
    assert importance == {
        "Python": "required",
        "SQL": "required",
        "Docker": "required",
        "Kafka": "desirable",
        "RabbitMQ": "desirable",
        "Terraform": "desirable",
    }


@pytest.mark.parametrize(
    "sentence",
    [
        "You must know {}.",
        "{} is required.",
        "{} is essential.",
        "Mandatory: {}.",
        "3+ years of {}.",
        "You will need {}.",
        "You'll need {}.",
        "You’ll need {}.",
        "Proficient in {}.",
        "Proficiency in {}.",
        "Strong {} skills.",
        "Solid {} knowledge.",
        "Expert {} user.",
    ],
)
def test_recruiter_requirements_cues_make_a_skill_required(extractor, sentence):
    assert extract_requirements(sentence.format("Kafka"), extractor) == {"Kafka": "required"}


def test_recruiter_requirements_a_strong_plus_is_desirable(extractor):
    assert extract_requirements("Kafka would be a strong plus.", extractor) == {"Kafka": "desirable"}


def test_recruiter_requirements_headings(extractor):
    text = "Responsibilities\n- build pipelines in Python\n\nWhat you'll need\n- SQL\n- Docker\n- Kafka\n"
    assert extract_requirements(text, extractor) == {
        "Python": "desirable",
        "SQL": "required",
        "Docker": "required",
        "Kafka": "required",
    }
    # "Skills" or "Responsibilities" alone is not a requirements heading (the floor of 3 needs 3 skills)
    assert extract_requirements("Skills\n- Python\n- Kafka\n", extractor) == {
        "Python": "desirable",
        "Kafka": "desirable",
    }


NAMED = [
    "Python",
    "SQL",
    "Docker",
    "Kafka",
    "Terraform",
    "Linux",
    "Git",
    "AWS",
    "Spark",
    "Hadoop",
    "Scala",
    "Java",
]


def test_recruiter_requirements_many_uncued_skills_are_capped_to_the_most_named(extractor):
    # 12 skills under a Requirements heading, none with a cue; SQL and Java are named twice.
    text = "Requirements\n" + "".join(f"- {name}\n" for name in NAMED) + "\nAbout us\nWe love SQL and Java."
    decision = decide_requirements(text, extractor)
    assert decision.capped
    required = [name for name, kind in decision.importance.items() if kind == "required"]
    assert len(required) == MAX_UNCUED_REQUIRED
    # the two named twice first, then the earliest first mentions
    assert set(required) == {
        "SQL",
        "Java",
        "Python",
        "Docker",
        "Kafka",
        "Terraform",
        "Linux",
        "Git",
        "AWS",
        "Spark",
    }
    assert decision.importance["Hadoop"] == decision.importance["Scala"] == "desirable"


def test_recruiter_requirements_not_capped_at_ten(extractor):
    text = "Requirements\n" + "".join(f"- {name}\n" for name in NAMED[:MAX_UNCUED_REQUIRED])
    decision = decide_requirements(text, extractor)
    assert not decision.capped and set(decision.importance.values()) == {"required"}


def test_recruiter_requirements_floor_of_three(extractor):
    text = "You must have Python. We also use Kafka, Kafka streams, Docker and Terraform, and value teamwork."
    decision = decide_requirements(text, extractor)
    assert decision.importance == {
        "Python": "required",
        "Kafka": "required",
        "Docker": "required",
        "Terraform": "desirable",
        "Teamwork": "desirable",
    }
    assert not decision.capped
    # a skill the text calls desirable is never promoted
    text = "You must have Python. Kafka is a plus. Ideally Terraform."
    assert decide_requirements(text, extractor).importance == {
        "Python": "required",
        "Kafka": "desirable",
        "Terraform": "desirable",
    }


# ---------------------------------------------------------------------------------------- years of experience
TODAY = date(2024, 6, 1)


@pytest.mark.parametrize(
    ("text", "years"),
    [
        ("Data Analyst, Jan 2015 - Mar 2018\nData Scientist, Jun 2017 - Dec 2019", 4.9),
        ("Analyst 2015-2018", 3.0),
        ("Engineer, 2019 to present", 5.4),
        ("Developer 06/2017 – current", 7.0),
        ("Data Scientist Mar 2019 - Till date", 5.2),
        ("I have 7+ years of experience in analytics.", 7.0),
        ("Engineer 2020 - 2022. Over 6 years of professional experience.", 6.0),
        ("May 2013 to May 2017 B.E UIT-RGPV", None),
        ("No dates here", None),
    ],
)
def test_years_of_experience(text, years):
    assert extract_years_experience(text, TODAY) == years


# -------------------------------------------------------------------------------------------------- repair
def test_repair_text_fixes_mojibake_and_keeps_lines():
    broken = "Na\u00c3\u00afve Bayes\r\n\u00e2\u20ac\u00a2 Python\x00\rSQL  "
    assert repair_text(broken) == "Naïve Bayes\n• Python\nSQL"
    assert repair_text("") == ""


# ------------------------------------------------------------- years of experience: from work history only
LATE_2026 = date(2026, 11, 29)


@pytest.mark.parametrize(
    "text",
    [
        "Date of Birth(Gender):1993-12-20(YYYY-MM-DD) (F)",
        "Date of Birth: 20/12/1993",
        "DOB: 21-03-1986",
        "D.O.B. - 12 March 1990",
        "Born in 1991",
        "Birth date 1993-12-20",
    ],
)
def test_work_history_ignores_dates_of_birth(text):
    assert extract_years_experience(text, LATE_2026) is None


@pytest.mark.parametrize(
    "text",
    [
        "Age: 32",
        "Age: 32 years",
        "I am 32 years old and looking for work experience",
        "Aged 40 years, with professional interests in data",
    ],
)
def test_work_history_ignores_ages(text):
    assert extract_years_experience(text, LATE_2026) is None


@pytest.mark.parametrize(
    "text",
    ["B.Tech 2014", "Passed out in 2016", "Class of 2015", "Graduated 2012 - 2016", "Year of passing: 2013"],
)
def test_work_history_ignores_graduation_years(text):
    assert extract_years_experience(text, LATE_2026) is None


@pytest.mark.parametrize(
    "text",
    [
        "Worked at Acme Ltd, a company founded in 1990",
        "Acme Ltd (established 1985), engineering company",
        "Employer: a family company, in business since 1990",
    ],
)
def test_work_history_ignores_company_founding_years(text):
    assert extract_years_experience(text, LATE_2026) is None


def test_work_history_counts_a_range_beside_a_role():
    assert extract_years_experience("Software Engineer\nJan 2015 - Jan 2018", LATE_2026) == 3.0
    assert extract_years_experience("Acme Ltd, 2016 - 2019\nRole: Data Analyst", LATE_2026) == 3.0
    assert extract_years_experience("Worked as a tutor 2010-2012", LATE_2026) == 2.0


def test_work_history_counts_a_range_in_an_experience_section():
    text = "Work Experience\nAcme Ltd\nMar 2016 - Mar 2019\n\nEducation\nB.Sc Physics, Leeds University\n"
    assert extract_years_experience(text, LATE_2026) == 3.0
    text = "Company Details\nAcme Ltd\n2016 to 2020\nSkills\nPython\n"
    assert extract_years_experience(text, LATE_2026) == 4.0


def test_work_history_ignores_a_range_in_an_education_section():
    text = "Education\nSt Mary's, Leeds\n2010 - 2014\nExperience\nAcme Ltd\n2015 - 2016\n"
    assert extract_years_experience(text, LATE_2026) == 1.0
    assert extract_years_experience("Education Details\nSt Mary's\n2010 - 2014", LATE_2026) is None


def test_work_history_ignores_a_bare_year_range_without_a_role():
    assert extract_years_experience("Hobbies: chess\n2010 - 2014\nTravel", LATE_2026) is None
    assert extract_years_experience("Projects\nChess engine (2015 - 2019)", LATE_2026) is None


def test_work_history_keeps_statements_of_experience():
    text = "Date of Birth: 1993-12-20\nI have 5 years of experience in analytics."
    assert extract_years_experience(text, LATE_2026) == 5.0
