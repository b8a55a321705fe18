"""Tests for the skill vocabulary data migration and the ``import_skills`` command (tiny fixture files)."""

from __future__ import annotations

import importlib
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from matching.models import Skill
from matching.vocabulary import load_project_vocabulary

pytestmark = pytest.mark.django_db

SO_HEADER = '"Id","SourceTagName","TargetTagName","CreationDate","OwnerUserId","AutoRenameCount"\n'
ONET_HEADER = "O*NET-SOC Code\tExample\tCommodity Code\tCommodity Title\tHot Technology\tIn Demand\n"


def write_so(tmp_path, pairs):
    path = tmp_path / "synonyms.csv"
    path.write_text(
        SO_HEADER + "".join(f'"{i}","{s}","{t}","2010-01-01","1","0"\n' for i, (s, t) in enumerate(pairs)),
        encoding="utf-8",
    )
    return path


def write_onet(tmp_path, rows):
    path = tmp_path / "onet.txt"
    path.write_text(
        ONET_HEADER + "".join(f"{code}\t{name}\t1\t{title}\tN\tN\n" for code, name, title in rows),
        encoding="utf-8",
    )
    return path


def run(*args) -> str:
    out = StringIO()
    call_command("import_skills", *args, stdout=out)
    return out.getvalue()


def test_migration_loaded_the_project_vocabulary():
    entries = load_project_vocabulary()
    assert Skill.objects.filter(source="project").count() == len(entries)
    spark = Skill.objects.get(name="Spark")
    assert spark.ambiguous and spark.category == "platform" and "Apache Spark" in spark.aliases


def test_stackoverflow_synonyms_become_aliases(tmp_path):
    path = write_so(
        tmp_path,
        [
            ("scikits-learn", "scikit-learn"),  # new alias of a known skill
            ("k8s", "kubernetes"),  # already known: unchanged
            ("tf-lite", "tensorflow"),  # stored with a space
            ("css-border-radius", "css"),  # a sub-topic, not a synonym
            ("cv", "computer-vision"),  # too short and ordinary
            ("pattern", "design-patterns"),  # ordinary word
            ("react-native", "unknown-target"),  # target not in the vocabulary
        ],
    )
    output = run("--stackoverflow", str(path))
    sklearn = Skill.objects.get(name="scikit-learn")
    assert "scikits learn" in sklearn.aliases
    assert "tf lite" in Skill.objects.get(name="TensorFlow").aliases
    assert "css-border-radius" not in Skill.objects.get(name="CSS").aliases
    assert "cv" not in Skill.objects.get(name="Computer vision").aliases
    assert "pattern" not in Skill.objects.get(name="Design patterns").aliases
    assert output.startswith("added 0 skills, 2 aliases;")
    assert run("--stackoverflow", str(path)).startswith("added 0 skills, 0 aliases;")


def test_onet_maps_formal_names_and_creates_new_skills(tmp_path):
    path = write_onet(
        tmp_path,
        [
            ("15-2051.00", "The MathWorks MATLAB", "Analytical or scientific software"),
            ("15-2051.00", "Structured query language SQL", "Data base user interface and query software"),
            ("15-2051.00", "IBM DB2", "Data base user interface and query software"),
            ("15-2051.00", "Microsoft Project", "Project management software"),
            ("15-2051.00", "Reporting software", "Data base reporting software"),
            ("15-2051.00", "Wireshark", "Network monitoring software"),
            ("15-2051.00", "Facebook", "Web page creation and editing software"),
            ("15-2051.01", "Nagios", "Network monitoring software"),
            ("11-1011.00", "Blackbaud The Raiser's Edge", "Customer relationship management CRM software"),
        ],
    )
    before = Skill.objects.count()
    output = run("--onet", str(path))
    assert "Structured query language SQL" in Skill.objects.get(name="SQL").aliases
    db2 = Skill.objects.get(name="DB2")
    assert db2.source == "onet" and db2.category == "platform" and db2.aliases == ["IBM DB2"]
    assert Skill.objects.filter(name="Microsoft Project", source="onet").exists()  # not "Project"
    assert not Skill.objects.filter(name__in=["Project", "Reporting", "Facebook"]).exists()
    assert (
        Skill.objects.filter(name__in=["Wireshark", "Nagios"]).count() == 2
    )  # 15-2051.01 included by default
    assert not Skill.objects.filter(name__icontains="Raiser").exists()  # another occupation
    assert Skill.objects.count() == before + 4
    assert output.startswith("added 4 skills,")
    assert run("--onet", str(path)).startswith("added 0 skills, 0 aliases;")


def test_onet_occupation_option(tmp_path):
    path = write_onet(
        tmp_path,
        [
            ("15-2051.00", "Wireshark", "Network monitoring software"),
            ("15-1252.00", "Nagios", "Network monitoring software"),
        ],
    )
    run("--onet", str(path), "--occupation", "15-1252.00")
    assert (
        Skill.objects.filter(name="Nagios").exists() and not Skill.objects.filter(name="Wireshark").exists()
    )
    with pytest.raises(CommandError, match="99-9999.00"):
        run("--onet", str(path), "--occupation", "99-9999.00")


def test_missing_file_and_wrong_columns_save_nothing(tmp_path):
    good = write_so(tmp_path, [("scikits-learn", "scikit-learn")])
    with pytest.raises(CommandError, match="not found"):
        run("--stackoverflow", str(good), "--onet", str(tmp_path / "missing.txt"))
    bad = tmp_path / "bad.txt"
    bad.write_text("a\tb\n1\t2\n")
    with pytest.raises(CommandError, match="missing column"):
        run("--stackoverflow", str(good), "--onet", str(bad))
    assert "scikits learn" not in Skill.objects.get(name="scikit-learn").aliases
    with pytest.raises(CommandError, match="--onet"):
        run()


def test_migration_functions_are_reversible_and_keep_existing_rows():
    from django.apps import apps

    migration = importlib.import_module("matching.migrations.0002_load_skill_vocabulary")
    Skill.objects.filter(name="Python").update(category="library")  # an edit made after the migration ran
    migration.unload_vocabulary(apps, None)
    assert not Skill.objects.filter(source="project").exists()
    Skill.objects.create(name="Python", category="library", source="manual")
    migration.load_vocabulary(apps, None)
    assert Skill.objects.filter(source="project").count() == len(load_project_vocabulary()) - 1
    assert Skill.objects.get(name="Python").source == "manual"


ESCO_FIXTURE = Path(__file__).resolve().parent.parent / "fixtures" / "esco"


def test_esco_adds_english_and_french_aliases_to_existing_skills_only():
    skills_before = Skill.objects.count()
    output = run("--esco", str(ESCO_FIXTURE))
    assert Skill.objects.count() == skills_before  # "herd goats" is not ours: no skill is created
    assert not Skill.objects.filter(name__icontains="goat").exists()

    python = Skill.objects.get(name="Python")  # "Python (computer programming)": qualifier dropped
    assert "CPython" in python.aliases and python.source == "project+esco"
    assert not {"Python prog", "Python golfing", "Pyston"} & set(
        python.aliases
    )  # editions, unrelated spellings

    ml = Skill.objects.get(name="Machine learning")
    assert {"statistical machine learning", "apprentissage automatique", "apprentissage statistique"} <= set(
        ml.aliases
    )
    assert "Standard ML" not in ml.aliases  # "ML (computer programming)" is a language, not machine learning
    assert "de" not in ml.aliases

    teamwork = Skill.objects.get(
        name="Teamwork"
    )  # transversal "work in teams", reached through "team-working"
    assert {
        "work in teams",
        "collaborate with colleagues",
        "travailler en équipe",
        "coopérer avec ses collègues",
    } <= set(teamwork.aliases)
    assert not {"cooperation", "les"} & set(teamwork.aliases)  # one plain word; a French stop word

    sql = Skill.objects.get(name="SQL")
    assert not {"SEQUEL", "Python3", "use of", "SQ", "SQL Server 2012 Express Edition"} & set(sql.aliases)
    assert sql.source == "project"  # nothing added, so not marked
    assert "esco: 8 aliases (4 French labels read)" in output  # 1 Python, 3 machine learning, 4 teamwork


def test_esco_import_is_idempotent():
    run("--esco", str(ESCO_FIXTURE))
    aliases = dict(Skill.objects.values_list("name", "aliases"))
    sources = dict(Skill.objects.values_list("name", "source"))
    assert "added 0 skills, 0 aliases" in run("--esco", str(ESCO_FIXTURE))
    assert dict(Skill.objects.values_list("name", "aliases")) == aliases
    assert dict(Skill.objects.values_list("name", "source")) == sources


def test_esco_without_french_files_adds_english_aliases(tmp_path):
    (tmp_path / "en").mkdir()
    (tmp_path / "en" / "skills_en.csv").write_bytes((ESCO_FIXTURE / "en" / "skills_en.csv").read_bytes())
    run("--esco", str(tmp_path))
    aliases = Skill.objects.get(name="Machine learning").aliases
    assert "statistical machine learning" in aliases and "apprentissage automatique" not in aliases


def test_esco_missing_folder_or_columns_save_nothing(tmp_path):
    with pytest.raises(CommandError, match="ESCO folder not found"):
        run("--esco", str(tmp_path / "missing"))
    (tmp_path / "en").mkdir()
    (tmp_path / "en" / "skills_en.csv").write_text(
        "conceptUri,preferredLabel\nx,machine learning\n", encoding="utf-8"
    )
    good = write_so(tmp_path, [("scikits-learn", "scikit-learn")])
    with pytest.raises(CommandError, match="missing column"):
        run("--stackoverflow", str(good), "--esco", str(tmp_path))
    assert "scikits learn" not in Skill.objects.get(name="scikit-learn").aliases


def test_a_french_cv_line_finds_the_french_esco_alias():
    from matching import vocabulary_store

    run("--esco", str(ESCO_FIXTURE))
    extractor, _ = vocabulary_store.skill_extractor()
    found = extractor.counts("Compétences: apprentissage automatique, Python")
    assert {"Machine learning", "Python"} <= set(found)
