"""Limits on the size of a member file's table, checked while the file is read.

A 5 KB workbook can declare a value in cell XFD1048576, and a reader that fills the grid up to
that cell builds 17 billion empty cells. The readers keep only non-empty values and reject a
table past these limits with a message that names the place, the limit and the fix.
"""

from __future__ import annotations

from dataclasses import dataclass

# Converting and validating a member file takes about 1.5 ms and 45 KB per row on 2 CPUs
# (`vic-semantic validate` of a CSV of 20,000 rows: 29 s, 1.1 GB peak), so 20,000 rows stay
# well within the API's 120 s validation limit and a few GB with two validations at once.
# 256 columns are those of the old .xls format. Both are settings of the service
# (VIC_MAX_CATALOGUE_ROWS, VIC_MAX_CATALOGUE_COLUMNS).
DEFAULT_MAX_ROWS = 20_000
DEFAULT_MAX_COLUMNS = 256


@dataclass(frozen=True)
class ReadLimits:
    """The largest table a reader accepts: data rows below the header, and columns."""

    max_rows: int = DEFAULT_MAX_ROWS
    max_columns: int = DEFAULT_MAX_COLUMNS


DEFAULT_LIMITS = ReadLimits()
