"""The one home of the CSV-injection rule: every CSV this service writes goes through these writers.

A spreadsheet treats a cell that starts with ``=``, ``+``, ``-`` or ``@`` (and, in some, a tab or carriage
return) as a formula, so a candidate reference or name such as ``=HYPERLINK(...)`` or
``-2+3+cmd|' /C calc'!A0`` would run when a recruiter opens the file.  Such text cells get a leading ``'``,
which spreadsheets show as text (OWASP's advice).  Numbers are left alone, so ``-1.5`` stays a number.
"""

from __future__ import annotations

import csv
from collections.abc import Iterable, Mapping
from typing import Any

FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


def csv_cell(value: Any) -> Any:
    """``value`` made safe for a spreadsheet: a string starting with a formula character gets a leading ``'``."""
    if isinstance(value, str) and value.startswith(FORMULA_PREFIXES):
        return "'" + value
    return value


class SafeWriter:
    """``csv.writer`` whose rows are passed through :func:`csv_cell`."""

    def __init__(self, f, *args, **kwargs):
        self._writer = csv.writer(f, *args, **kwargs)

    def writerow(self, row: Iterable[Any]):
        return self._writer.writerow([csv_cell(v) for v in row])

    def writerows(self, rows: Iterable[Iterable[Any]]):
        for row in rows:
            self.writerow(row)


class SafeDictWriter(csv.DictWriter):
    """``csv.DictWriter`` whose values are passed through :func:`csv_cell`."""

    def writerow(self, rowdict: Mapping[str, Any]):
        return super().writerow({k: csv_cell(v) for k, v in rowdict.items()})

    def writerows(self, rowdicts: Iterable[Mapping[str, Any]]):
        for rowdict in rowdicts:
            self.writerow(rowdict)
