"""`rapport bench <what>`: how fast Rapport is at its heaviest jobs. Benchmarks, not tests."""

import json
from types import ModuleType
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from rapport.bench import (
    api,
    cases,
    contacts_import,
    ideas,
    inbox,
    ingest,
    linkage,
    load,
    match,
    playbooks,
    profile,
    recognition,
    sla,
    soak,
)

#: The benchmarks: name -> module with `HELP`, a docstring (the description),
#: `add_arguments(parser)` and `run(log, **options) -> dict` (the figures; printed as the last
#: line, JSON).
BENCHMARKS: dict[str, ModuleType] = {
    "ingest": ingest,
    "match": match,
    "inbox": inbox,
    "cases": cases,
    "sla": sla,
    "linkage": linkage,
    "profile": profile,
    "import": contacts_import,
    "playbooks": playbooks,
    "api": api,
    "load": load,
    "soak": soak,
    "ideas": ideas,
    "recognition": recognition,
}


class Command(BaseCommand):
    help = (
        "Run one benchmark on generated data (the FEBRL files for `bench linkage`) and print its "
        "figures; the last line printed is JSON. `rapport bench <what> --help` says what it "
        "measures."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(
            dest="what", required=True, metavar="{" + ",".join(BENCHMARKS) + "}"
        )
        for name, benchmark in BENCHMARKS.items():
            benchmark.add_arguments(
                sub.add_parser(name, help=benchmark.HELP, description=benchmark.__doc__)
            )

    def handle(self, *args: Any, **options: Any) -> None:
        figures = BENCHMARKS[options["what"]].run(self.stderr.write, **options)
        self.stdout.write(json.dumps(figures))
