"""The HR report's two files: a CSV (one row per person, every cell through the spreadsheet
guard) and a PDF drawn by WeasyPrint from an HTML template (a cover, then one page per
person), in chunks printed side by side (`report_pdf`) so the report's progress moves as people
are written.

The template is rendered by Django: every name and message escaped.
"""

import io
import os
from collections import Counter
from collections.abc import Callable, Iterable
from pathlib import Path

from django.template.loader import render_to_string
from django.utils import timezone

from rapport.core import spreadsheet
from rapport.recognition import report_charts, report_pdf
from rapport.recognition.models import Kind
from rapport.recognition.report_data import KINDS, Person, ReportData

#: People per WeasyPrint document: the report's progress moves after each.
CHUNK = 25


def csv_header() -> list[str]:
    return [
        "Person",
        "Email",
        "Team",
        *[Kind(k).label for k in KINDS],
        "Points",
        "Explanation",
        "Crossed team lines",
        "Kudos messages",
    ]


def csv_row(person: Person) -> list[object]:
    return [
        person.name,
        person.member.user.email,
        person.team,
        *[person.counts.get(k, 0) for k in KINDS],
        person.points,
        person.explained,
        person.crossed,
        person.kudos_received,
    ]


def write_csv(data: ReportData, path: Path) -> None:
    buffer = io.StringIO()
    writer = spreadsheet.writer(buffer, lineterminator="\r\n")
    writer.writerow(csv_header())
    for person in data.people:
        writer.writerow(csv_row(person))
    _replace(path, buffer.getvalue().encode("utf-8-sig"))  # the BOM: Excel reads UTF-8


def _replace(path: Path, content: bytes) -> None:
    """Writes the whole file or nothing: a download never meets half a report."""
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_name(f"{path.name}.{os.getpid()}.part")  # two workers never share one
    partial.write_bytes(content)
    partial.replace(path)


def _html(data: ReportData, people: Iterable[Person], cover: bool) -> str:
    pages = [
        {
            "person": p,
            "chart": report_charts.weekly(data.weeks, p.weeks),
        }
        for p in people
    ]
    context = {
        "data": data,
        "cover": cover,
        "pages": pages,
        "groups": report_charts.GROUPS,
        "made_at": timezone.localtime(),
    }
    if cover:
        teams = [{"team": t, "chart": report_charts.by_group(t.counts)} for t in data.teams]
        everyone: Counter[str] = Counter()
        for person in data.people:
            everyone.update(person.counts)
        context["team_rows"] = [teams[i : i + 3] for i in range(0, len(teams), 3)]
        context["kinds_total"] = [
            (
                Kind(k).label,
                data.weights.get(k, 0),
                everyone[k],
                everyone[k] * data.weights.get(k, 0),
            )
            for k in KINDS
        ]
    return render_to_string("recognition/hr_report.html", context)


def write_pdf(data: ReportData, path: Path, progress: Callable[[int], None]) -> None:
    """The cover and every person's page; `progress(n)` after each chunk of n people."""
    chunks = [data.people[i : i + CHUNK] for i in range(0, len(data.people), CHUNK)]
    documents = [_html(data, [], cover=True)] + [_html(data, c, cover=False) for c in chunks]

    def printed(i: int) -> None:
        if i:  # the cover is nobody's page
            progress(len(chunks[i - 1]))

    _replace(path, report_pdf.join(documents, printed))
