"""``bootstrap_demo`` picks the real data folder's vocabularies, ESCO included when it is there."""

from recruiting.management.commands.bootstrap_demo import _shared_data


def _shared(tmp_path, *, esco: bool):
    vocab = tmp_path / "data" / "vocab"
    vocab.mkdir(parents=True)
    (vocab / "onet29.2_Technology_Skills.txt").write_text("x")
    (vocab / "stackoverflow_TagSynonyms_2021-08.csv").write_text("x")
    (tmp_path / "data" / "resumes").mkdir()
    (tmp_path / "data" / "resumes" / "UpdatedResumeDataSet.csv").write_text("x")
    (tmp_path / "seeds").mkdir()
    (tmp_path / "seeds" / "mle.txt").write_text("x")
    if esco:
        (vocab / "esco_v1.1.1" / "en").mkdir(parents=True)
        (vocab / "esco_v1.1.1" / "en" / "skills_en.csv").write_text("x")
    return tmp_path


def test_esco_is_imported_when_the_folder_exists(tmp_path):
    data = _shared_data(_shared(tmp_path, esco=True))
    assert data.esco == tmp_path / "data" / "vocab" / "esco_v1.1.1"


def test_esco_is_optional(tmp_path):
    data = _shared_data(_shared(tmp_path, esco=False))
    assert data is not None and data.esco is None
