"""The whole demo's journal replayed into an empty ledger gives the same ledger, row for row:
every contribution of the demo is derived from its events, none written by hand."""

import datetime as dt

import pytest
from django.core.management import call_command

from rapport.core.models import JournalEntry, Workspace
from rapport.recognition import ledger, tally
from rapport.recognition.models import Contribution, Kind

pytestmark = pytest.mark.django_db


def test_replaying_the_demos_events_gives_the_same_ledger():
    call_command("demo", "--quiet-logins")  # the whole demo: the slow part, loaded once
    acme = Workspace.objects.get(slug="acme")
    before = ledger.as_rows(acme)

    # A ledger worth comparing: hundreds of rows of most kinds, help across teams among them.
    assert len(before) >= 300
    kinds = {row[1] for row in before}
    assert kinds == set(Kind.values), f"no {set(Kind.values) - kinds}"
    crossed = [row for row in before if row[8]]
    assert len(crossed) >= 50
    assert {row[1] for row in crossed} >= {Kind.EXPERT_ANSWER, Kind.APPROVAL_IN_TIME, Kind.KUDOS}
    # dated over the three months the demo tells, as the journal dated its events
    days = {row[3].date() for row in before if isinstance(row[3], dt.datetime)}
    assert len(days) >= 50
    assert JournalEntry.objects.filter(workspace=acme).count() >= len({row[0] for row in before})
    assert tally.differences(acme.pk) == 0  # the tallies count what the ledger holds

    Contribution.objects.filter(workspace=acme).delete()
    assert ledger.as_rows(acme) == []
    assert ledger.rebuild(acme) == len(before)
    assert ledger.as_rows(acme) == before
    assert tally.differences(acme.pk) == 0
