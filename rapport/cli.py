"""The `rapport` command: Django's management entry point with Rapport's settings."""

import os
import sys


def main(argv: list[str] | None = None) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "rapport.settings")
    if os.environ.get("RAPPORT_TEST_CLOCK"):  # a test run with the clock moved: see testclock
        from rapport.core.testclock import BadClock, move_from_environment

        try:
            move_from_environment()
        except BadClock as problem:
            sys.exit(f"rapport: {problem}")
    from django.core.management import execute_from_command_line

    argv = list(sys.argv if argv is None else argv)
    argv[0] = "rapport"
    execute_from_command_line(argv)
