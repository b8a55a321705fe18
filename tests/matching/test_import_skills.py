"""Tests for the skill vocabulary data migration and the ``import_skills`` command (tiny fixture files)."""

from __future__ import annotations

import importlib
from io import StringIO

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
    path.write_text(SO_HEADER + "".join(f'"{i}","{s}","{t}","2010-01-01","1","0"\n' for i, (s, t) in
                                        enumerate(pairs)), encoding="utf-8")
    return path


def write_onet(tmp_path, rows):
    path = tmp_path / "onet.txt"
    path.write_text(ONET_HEADER + "".join(f"{code}\t{name}\t1\t{title}\tN\tN\n" for code, name, title in rows),
                    encoding="utf-8")
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
    path = write_so(tmp_path, [
        ("scikits-learn", "scikit-learn"),   # new alias of a known skill
        ("k8s", "kubernetes"),               # already known: unchanged
        ("tf-lite", "tensorflow"),           # stored with a space
        ("css-border-radius", "css"),        # a sub-topic, not a synonym
        ("cv", "computer-vision"),           # too short and ordinary
        ("pattern", "design-patterns"),      # ordinary word
        ("react-native", "unknown-target"),  # target not in the vocabulary
    ])
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
    path = write_onet(tmp_path, [
        ("15-2051.00", "The MathWorks MATLAB", "Analytical or scientific software"),
        ("15-2051.00", "Structured query language SQL", "Data base user interface and query software"),
        ("15-2051.00", "IBM DB2", "Data base user interface and query software"),
        ("15-2051.00", "Microsoft Project", "Project management software"),
        ("15-2051.00", "Reporting software", "Data base reporting software"),
        ("15-2051.00", "Wireshark", "Network monitoring software"),
        ("15-2051.00", "Facebook", "Web page creation and editing software"),
        ("15-2051.01", "Nagios", "Network monitoring software"),
        ("11-1011.00", "Blackbaud The Raiser's Edge", "Customer relationship management CRM software"),
    ])
    before = Skill.objects.count()
    output = run("--onet", str(path))
    assert "Structured query language SQL" in Skill.objects.get(name="SQL").aliases
    db2 = Skill.objects.get(name="DB2")
    assert db2.source == "onet" and db2.category == "platform" and db2.aliases == ["IBM DB2"]
    assert Skill.objects.filter(name="Microsoft Project", source="onet").exists()  # not "Project"
    assert not Skill.objects.filter(name__in=["Project", "Reporting", "Facebook"]).exists()
    assert Skill.objects.filter(name__in=["Wireshark", "Nagios"]).count() == 2  # 15-2051.01 included by default
    assert not Skill.objects.filter(name__icontains="Raiser").exists()  # another occupation
    assert Skill.objects.count() == before + 4
    assert output.startswith("added 4 skills,")
    assert run("--onet", str(path)).startswith("added 0 skills, 0 aliases;")


def test_onet_occupation_option(tmp_path):
    path = write_onet(tmp_path, [
        ("15-2051.00", "Wireshark", "Network monitoring software"),
        ("15-1252.00", "Nagios", "Network monitoring software"),
    ])
    run("--onet", str(path), "--occupation", "15-1252.00")
    assert Skill.objects.filter(name="Nagios").exists() and not Skill.objects.filter(name="Wireshark").exists()
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
