"""The CSV guard: no cell runs as a formula in a spreadsheet; numbers and phones stay as typed."""

import csv
import io

import pytest

from rapport.core import spreadsheet


@pytest.mark.parametrize(
    "cell",
    ['=HYPERLINK("http://evil.example","x")', "+cmd|' /C calc'!A0", "-2+3+cmd|' /C calc'!A0",
     "@SUM(A1:A2)", "\t=1+1", "\r=1+1", "=1+1", "- a bullet", "'=quoted already"],
)  # fmt: skip
def test_a_cell_a_spreadsheet_would_run_is_shown_as_text(cell):
    assert spreadsheet.guard(cell) == "'" + cell
    assert spreadsheet.unguard(spreadsheet.guard(cell)) == cell


@pytest.mark.parametrize(
    "cell", ["-12.50", "+441632960961", "+44 20 7946 0958", "+1 (555) 010-0199", "Maya Chen",
             "maya@example.com", "2024-03-14", "", "1,234.50", "a=b"],
)  # fmt: skip
def test_numbers_phones_and_plain_text_stay_as_they_are(cell):
    assert spreadsheet.guard(cell) == cell
    assert spreadsheet.unguard(cell) == cell


def test_the_writer_guards_every_cell_of_every_row():
    out = io.StringIO()
    spreadsheet.writer(out).writerows([["=a", 1, None, "-5"], ["@b", "+c", "ok", "\tx"]])
    rows = list(csv.reader(io.StringIO(out.getvalue())))
    assert rows == [["'=a", "1", "", "-5"], ["'@b", "'+c", "ok", "'\tx"]]
