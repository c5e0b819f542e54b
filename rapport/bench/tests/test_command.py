"""The `rapport bench` command: every benchmark is a subcommand of the same shape, and the last
line printed is the figures as JSON. What the benchmarks measure is not asserted here."""

import io
import json

import pytest
from django.core.management import call_command

from rapport.bench.management.commands.bench import BENCHMARKS, Command

NAMES = [
    "ingest",
    "match",
    "inbox",
    "cases",
    "sla",
    "linkage",
    "profile",
    "import",
    "playbooks",
    "api",
    "load",
    "soak",
    "ideas",
    "recognition",
]


def parser():
    return Command().create_parser("rapport", "bench")


def test_every_benchmark_is_a_subcommand_in_the_usual_order():
    assert list(BENCHMARKS) == NAMES
    assert "{" + ",".join(NAMES) + "}" in parser().format_usage()


@pytest.mark.parametrize("name", NAMES)
def test_a_benchmark_describes_itself_and_parses_its_defaults(name, capsys):
    benchmark = BENCHMARKS[name]
    assert benchmark.HELP
    assert benchmark.__doc__
    assert callable(benchmark.run)
    options = vars(parser().parse_args([name]))
    assert options["what"] == name
    with pytest.raises(SystemExit) as exited:
        parser().parse_args([name, "--help"])
    assert exited.value.code == 0
    assert f"usage: rapport bench {name}" in capsys.readouterr().out


def test_the_last_line_printed_is_the_figures_as_json():
    out, err = io.StringIO(), io.StringIO()
    call_command("bench", "match", "--posts", "50", "--queries", "20", stdout=out, stderr=err)
    figures = json.loads(out.getvalue().strip().splitlines()[-1])
    assert figures["posts"] == 50
    assert figures["queries"] == 20
    assert "of 50 posts matched at least one query" in err.getvalue()
