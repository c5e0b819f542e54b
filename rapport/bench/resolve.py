"""`rapport bench linkage --dataset resolve`: how long identity resolution takes against a big
workspace. Builds a throwaway workspace of N contacts (half with an identity on a network) in
the configured database, then times, one call at a time:

- resolving a new incoming identity by deterministic keys (`resolve_identity`), alternately
  an email identity whose address a contact has and a handle already known on the network;
- `find_matches` for a contact (its indexed blocking queries, then scoring the candidates).

Building the workspace is not timed; the workspace is deleted afterwards unless --keep.
"""

import random
import time
from collections.abc import Callable
from datetime import date, timedelta
from typing import Any

from django.db import connection
from django.utils import timezone

from rapport.bench.timing import seconds_in_ms
from rapport.contacts.linkage.resolve import find_matches, resolve_identity
from rapport.contacts.models import Contact, Identity
from rapport.core.models import Workspace

FIRST = str.split(
    "olivia amelia isla ava mia ivy lily isabella rosie sophia grace freya willow emily "
    "oliver george noah arthur leo muna harry oscar archie henry theo jack charlie jacob "
    "thomas james william samuel joseph daniel priya aisha maya sam ingrid tom ravi nora"
)
LAST = str.split(
    "smith jones taylor brown williams wilson johnson davies patel robinson wright thompson "
    "evans walker white roberts green hall wood jackson clarke okafor nair chen sorensen "
    "becker martins reyes hart blake khan singh ali begum kaur murphy kelly walsh byrne"
)
SUFFIXES = ["", "s", "son", "er", "e", "y", "ford", "ley", "ton", "man"]


def _build(workspace: Workspace, n: int, rng: random.Random, log: Callable[[str], Any]) -> None:
    batch: list[Contact] = []
    born = date(1940, 1, 1)
    for i in range(n):
        first = rng.choice(FIRST)
        last = rng.choice(LAST) + rng.choice(SUFFIXES)
        batch.append(
            Contact(
                workspace=workspace,
                name=f"{first.title()} {last.title()}",
                first_name=first.title(),
                last_name=last.title(),
                email=f"{first}.{last}.{i}@example.com",
                email_key=f"{first}.{last}.{i}@example.com",
                phone=f"+4477{i:08d}",
                birth_date=born + timedelta(days=rng.randrange(365 * 65)),
                city=rng.choice(["Leeds", "York", "London", "Bristol", "Glasgow"]),
            )
        )
        if len(batch) == 10_000 or i == n - 1:
            Contact.objects.bulk_create(batch, batch_size=2000)
            batch = []
            log(f"  {i + 1:,} contacts")
    contacts = Contact.objects.filter(workspace=workspace).order_by("pk")
    identities: list[Identity] = []
    for pk in list(contacts.values_list("pk", flat=True)[: n // 2]):
        identities.append(
            Identity(
                workspace=workspace,
                network="mastodon",
                external_id=f"m{pk}",
                handle=f"user{pk}",
                contact_id=pk,
            )
        )
        if len(identities) == 10_000:
            Identity.objects.bulk_create(identities, batch_size=2000)
            identities = []
    Identity.objects.bulk_create(identities, batch_size=2000)


def run(log: Callable[[str], Any], *, contacts: int, calls: int, keep: bool) -> dict[str, Any]:
    rng = random.Random(7)  # noqa: S311 - benchmark data
    stamp = timezone.now().strftime("%Y%m%d%H%M%S")
    workspace = Workspace.objects.create(name="Bench linkage", slug=f"bench-linkage-{stamp}")
    try:
        log(f"building {contacts:,} contacts in {workspace.slug} ({connection.vendor})")
        _build(workspace, contacts, rng, log)
        if connection.vendor == "postgresql":  # as autovacuum would, after a bulk load
            with connection.cursor() as cursor:
                cursor.execute("ANALYZE contacts_contact")
                cursor.execute("ANALYZE contacts_identity")
        ids = list(
            Contact.objects.filter(workspace=workspace).order_by("pk").values_list("pk", flat=True)
        )
        resolve: list[float] = []
        linked = 0
        for n in range(calls):
            target = rng.choice(ids)
            if n % 2:
                handle = Contact.objects.get(pk=target).email_key
                network = "email"
            else:
                handle = f"user{rng.choice(ids[: len(ids) // 2])}"
                network = "mastodon"
            incoming = Identity.objects.create(
                workspace=workspace, network=network, external_id=f"new-{n}", handle=handle
            )
            started = time.perf_counter()
            linked += resolve_identity(incoming) is not None
            resolve.append(time.perf_counter() - started)
        matches: list[float] = []
        found = 0
        for pk in rng.sample(ids, min(calls, len(ids))):
            contact = Contact.objects.get(pk=pk)
            started = time.perf_counter()
            found += len(find_matches(contact))
            matches.append(time.perf_counter() - started)
        return {
            "dataset": "resolve",
            "database": connection.vendor,
            "contacts": contacts,
            "calls": calls,
            "linked": linked,
            "resolve_identity": seconds_in_ms(resolve, ("p50", "p95", "max")),
            "find_matches": seconds_in_ms(matches, ("p50", "p95", "max")),
            "matches_found": found,
        }
    finally:
        if keep:
            log(f"kept {workspace.slug}")
        else:
            started = time.perf_counter()
            Identity.objects.filter(workspace=workspace)._raw_delete(connection.alias)
            Contact.objects.filter(workspace=workspace)._raw_delete(connection.alias)
            workspace.delete()
            log(f"deleted the benchmark workspace in {time.perf_counter() - started:.1f}s")
