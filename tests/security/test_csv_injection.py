"""CSV formula injection (issue 16, finding 7): one rule, in ``recruiting.csvsafe``, used by every CSV writer."""

from __future__ import annotations

import csv
import io
import re
from pathlib import Path

import pytest

from recruiting.csvsafe import SafeDictWriter, SafeWriter, csv_cell

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.parametrize(
    "value",
    ['=HYPERLINK("http://evil","x")', "-2+3+cmd|' /C calc'!A0", "+SUM(1)", "@SUM(1)", "\t=1", "\r=1"],
)
def test_formula_cells_get_a_leading_quote(value):
    assert csv_cell(value) == "'" + value
    buffer = io.StringIO()
    SafeWriter(buffer).writerow([value, 1])
    SafeDictWriter(buffer, fieldnames=["a"]).writerow({"a": value})
    rows = list(csv.reader(io.StringIO(buffer.getvalue())))
    assert rows == [["'" + value, "1"], ["'" + value]]


@pytest.mark.parametrize("value", ["Ada Lovelace", "", "a=b", "1-2", -2, -1.5, None])
def test_other_cells_are_unchanged(value):
    assert csv_cell(value) == value


def test_no_module_writes_csv_around_the_rule():
    """Application code builds CSV writers only through ``recruiting.csvsafe``."""
    offenders = []
    for package in ("recruiting", "matching"):
        for path in (ROOT / package).rglob("*.py"):
            if path.name == "csvsafe.py":
                continue
            if re.search(r"csv\.(writer|DictWriter)\(", path.read_text(encoding="utf-8")):
                offenders.append(str(path.relative_to(ROOT)))
    assert offenders == []
