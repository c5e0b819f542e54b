"""`python -m rapport.bench.without_recognition ingest --posts 20000`: `rapport bench …` with the
contribution ledger's listeners taken out (and the events only they journal no longer
journalled), to measure what recognition adds to the spine: run it and `rapport bench …` in
turn and compare. For measuring only; a running Rapport always has them.
"""

import os
import sys


def take_out_recognition() -> list[str]:
    """Removes the recognition app's listeners; returns the events it stopped journalling."""
    from rapport.core import events

    for listeners in events.LISTENERS.values():
        listeners[:] = [
            lst for lst in listeners if not lst.func.__module__.startswith("rapport.recognition")
        ]
    still = {
        name
        for name, listeners in events.LISTENERS.items()
        if any(lst.replayable for lst in listeners)
    }
    dropped = sorted(events.JOURNALLED - still)
    events.JOURNALLED.intersection_update(still)
    return dropped


def main(argv: list[str]) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "rapport.settings")
    import django
    from django.core.management import call_command

    django.setup()
    dropped = take_out_recognition()
    print(f"without recognition's listeners; not journalled: {', '.join(dropped)}", file=sys.stderr)
    call_command("bench", *argv)


if __name__ == "__main__":
    main(sys.argv[1:])
