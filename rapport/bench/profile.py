"""`rapport bench profile`: a workspace with N contacts and 5 timeline items each on average,
then the latency of the contact profile page and of `GET /api/v1/contacts/{id}/profile`.

Every contact gets accounts, orders with lines, consent and timeline entries; one in ten has
identities on one or two networks with posts, some an open conversation or a case. Profiles
are opened half at random among all contacts and half among those with identities (the ones
the inbox leads to, with the most to show). The rows are written with bulk inserts (COPY on
PostgreSQL, many-row INSERTs on SQLite) in chunks; building is not timed. The suggestion rules
are computed once before timing, as the per-workspace cache holds them in production.
Figures are measured, never asserted: this is a benchmark, not a test.
"""

import os
import random
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import timedelta
from decimal import Decimal
from typing import Any

from django.core.management.base import CommandParser
from django.db import connection, transaction
from django.test import Client
from django.utils import timezone

from rapport.bench.timing import RequestTimer, in_ms, percentiles, report
from rapport.bench.workspace import (
    building,
    drop_workspace,
    empty_tables,
    fresh_statistics,
    in_rounds,
    throwaway,
)
from rapport.cases.models import Case
from rapport.contacts.models import (
    Account,
    Consent,
    Contact,
    Identity,
    Order,
    OrderLine,
    Product,
)
from rapport.core import actions as core_actions
from rapport.core.bulk import bulk_insert, row_maker
from rapport.core.models import Membership, User, Workspace
from rapport.core.roles import Role
from rapport.inbox.models import Conversation
from rapport.listening.models import Post
from rapport.profile import suggestions
from rapport.profile.models import TimelineEntry

HELP = "Time the contact profile page and /profile API over N contacts (5 timeline items each)."

CHUNK = 10_000  # contacts written per round
TIMELINE_PER_CONTACT = 5
WITH_IDENTITIES = 0.1
SEGMENTS = ["Students", "Young professionals", "Mass market", "Mass affluent", "Retired"]
TIERS = ["standard", "silver", "gold", "platinum"]
SKUS = ["CUR", "SAV", "ISA", "MORT", "CC", "LOAN", "HOME", "TRAV", "CARI", "LIFE"]
KINDS = ["post", "reply", "conversation", "case", "call", "email", "order", "note"]
FIRST = ["Olivia", "Jack", "Amelia", "Harry", "Isla", "Noah", "Priya", "Rhys", "Zara", "Leo"]
LAST = ["Smith", "Jones", "Patel", "Taylor", "Brown", "Evans", "Khan", "Walker", "Wright"]


def add_arguments(parser: CommandParser) -> None:
    parser.add_argument("--contacts", type=int, default=200_000, help="How many contacts (N).")
    parser.add_argument("--requests", type=int, default=200, help="Profiles opened per kind.")
    parser.add_argument("--seed", type=int, default=1, help="The same seed, the same data.")
    parser.add_argument("--keep", action="store_true", help="Keep the benchmark workspace.")


@dataclass
class Built:
    workspace: Workspace
    viewer: Membership
    token: str
    contacts: int
    timeline: int
    rich: list[int]
    bounds: tuple[int, int]
    seconds: float


def build(contacts: int, *, seed: int = 1, progress: Callable[[int], None] | None = None) -> Built:
    """A new workspace bench-profile-<time> with `contacts` contacts and their data."""
    rng = random.Random(seed)  # noqa: S311 - benchmark data
    started = time.perf_counter()
    slug = f"bench-profile-{timezone.now():%Y%m%d%H%M%S}"
    email = f"owner@{slug}.example"
    with transaction.atomic():
        user = User.objects.create_user(email)
        workspace = core_actions.create_workspace(name=f"Benchmark {slug}", slug=slug, owner=user)
        owner = Membership.objects.get(workspace=workspace, user=user)
        viewer = core_actions.add_member(
            owner, email=f"agent@{slug}.example", role=Role.AGENT, password=None
        )
        _, token = core_actions.create_api_token(viewer, name="bench")
        products = {
            sku: Product.objects.create(
                workspace=workspace,
                sku=sku,
                name=f"Product {sku}",
                price=Decimal(rng.randint(0, 600)),
            )
            for sku in SKUS
        }
    now = timezone.now()
    rich: list[int] = []
    low = high = 0
    for start, size in in_rounds(contacts, CHUNK, progress):
        with transaction.atomic():
            ids, with_identities = _chunk(workspace, rng, size, start, now, products, viewer)
        low, high = low or ids[0], ids[-1]
        rich += with_identities[:50]
    fresh_statistics()
    return Built(
        workspace=workspace,
        viewer=viewer,
        token=token,
        contacts=contacts,
        timeline=TimelineEntry.objects.filter(workspace=workspace).count(),
        rich=rich,
        bounds=(low, high),
        seconds=time.perf_counter() - started,
    )


def _chunk(
    workspace: Workspace,
    rng: random.Random,
    size: int,
    offset: int,
    now: Any,
    products: dict[str, Product],
    viewer: Membership,
) -> tuple[list[int], list[int]]:
    ws = workspace.pk
    new_contact, new_entry = row_maker(Contact), row_maker(TimelineEntry)
    new_account, new_order, new_line = row_maker(Account), row_maker(Order), row_maker(OrderLine)
    new_consent, new_identity, new_post = row_maker(Consent), row_maker(Identity), row_maker(Post)
    people = []
    for i in range(offset, offset + size):
        first, last = rng.choice(FIRST), rng.choice(LAST)
        people.append(
            new_contact(
                workspace_id=ws, name=f"{first} {last}", first_name=first, last_name=last,
                email=f"c{i}@example.co.uk", email_key=f"c{i}@example.co.uk",
                segment=rng.choice(SEGMENTS), tier=rng.choice(TIERS), city="Leeds",
                country="GB", language="en", tags=[], attributes={"Customer since": "2015"},
                created_at=now, updated_at=now,
            )
        )  # fmt: skip
    bulk_insert(people)
    entries, accounts, orders, consents, identities = [], [], [], [], []
    for c in people:
        for _ in range(rng.randint(0, 2 * TIMELINE_PER_CONTACT)):
            kind = rng.choice(KINDS)
            entries.append(
                new_entry(
                    workspace_id=ws, contact_id=c.pk, kind=kind,
                    occurred_at=now - timedelta(minutes=rng.randint(1, 2 * 365 * 1440)),
                    title=f"{kind.capitalize()} about the mortgage", summary="Asked about rates.",
                    sentiment=rng.choice(["", "negative", "neutral", "positive"]),
                    ref=f"bench.{kind}:{rng.randint(1, 10**9)}",
                )
            )  # fmt: skip
        held = rng.sample(SKUS, rng.randint(1, 4))
        for sku in held[:2]:
            accounts.append(
                new_account(
                    workspace_id=ws, contact_id=c.pk, product_id=products[sku].pk,
                    kind=f"Product {sku}", balance_band="£1k-£5k",
                    status=rng.choice(["active"] * 9 + ["in_arrears"]),
                )
            )  # fmt: skip
        for sku in held[2:]:
            orders.append(
                (new_order(
                    workspace_id=ws, contact_id=c.pk, total=products[sku].price,
                    ordered_at=now - timedelta(days=rng.randint(1, 900)), status="paid",
                    currency="GBP",
                ), products[sku])
            )  # fmt: skip
        if rng.random() < 0.5:
            consents.append(
                new_consent(
                    workspace_id=ws, contact_id=c.pk, channel="email", granted=True,
                    basis="consent", source="app", recorded_at=now - timedelta(days=200),
                )
            )  # fmt: skip
        if rng.random() < WITH_IDENTITIES:
            for network in rng.sample(["x", "mastodon", "bluesky"], rng.randint(1, 2)):
                identities.append(
                    new_identity(
                        workspace_id=ws, network=network, external_id=f"b{c.pk}-{network}",
                        handle=f"user{c.pk}", display_name=c.name, reach=100, contact_id=c.pk,
                        profile_url=f"https://{network}.example/user{c.pk}",
                        first_seen_at=now, last_seen_at=now,
                    )
                )  # fmt: skip
    for rows in (entries, accounts, consents, identities):
        bulk_insert(rows)
    bulk_insert([o for o, _ in orders])
    bulk_insert(
        [
            new_line(
                workspace_id=ws, order_id=o.pk, product_id=p.pk, quantity=1,
                unit_price=p.price or 0,
            )
            for o, p in orders
        ]
    )  # fmt: skip
    posts, convs, cases = [], [], []
    for identity in identities:
        for k in range(3):
            posts.append(
                new_post(
                    workspace_id=ws, network=identity.network,
                    external_id=f"{identity.external_id}-{k}", identity_id=identity.pk,
                    author_external_id=identity.external_id, author_handle=identity.handle,
                    text="My card was declined again, third time this week @acmebank",
                    posted_at=now - timedelta(days=rng.randint(1, 300)), language="en",
                    sentiment=rng.choice(["negative", "neutral", "positive"]),
                    sentiment_score=rng.uniform(-1, 1), intent="complaint", received_at=now,
                    triaged_at=now, metrics={},
                )
            )  # fmt: skip
        if rng.random() < 0.3:
            convs.append(
                row_maker(Conversation)(
                    workspace_id=ws, subject="Card declined", status="open",
                    identity_id=identity.pk, network=identity.network, post_count=3,
                    last_activity_at=now, created_at=now,
                )
            )  # fmt: skip
        if rng.random() < 0.3:
            cases.append(
                row_maker(Case)(
                    workspace_id=ws, subject="Card declined abroad", status="open",
                    customer_id=identity.contact_id, owner_id=viewer.pk,
                    custom_fields={}, tags=[], created_at=now, updated_at=now,
                )
            )  # fmt: skip
    bulk_insert(posts)
    bulk_insert(convs)
    bulk_insert(cases)
    return [c.pk for c in people], sorted({i.contact_id for i in identities if i.contact_id})


def measure(
    built: Built, *, requests: int = 200, seed: int = 2
) -> Iterator[tuple[str, dict[str, float]]]:
    """(name, percentiles in ms) for the profile page, the /profile API and the timeline API."""
    timed = RequestTimer()
    page_client = Client()
    page_client.force_login(built.viewer.user)
    api_client = Client(headers={"Authorization": f"Bearer {built.token}"})
    rng = random.Random(seed)  # noqa: S311 - which contacts to open
    low, high = built.bounds
    ids = [
        rng.choice(built.rich) if i % 2 and built.rich else rng.randint(low, high)
        for i in range(requests)
    ]
    suggestions.rules_for(built.workspace.pk, refresh=True)  # the cache, warm as in production

    slug = built.workspace.slug
    for name, client, url in (
        ("profile page", page_client, f"/w/{slug}/contacts/{{}}/"),
        ("profile api", api_client, "/api/v1/contacts/{}/profile"),
        ("timeline api", api_client, "/api/v1/contacts/{}/timeline"),
    ):
        timed(client, url.format(ids[0]))  # warm
        timed.cpu.clear()
        yield name, percentiles([timed(client, url.format(pk)) for pk in ids])
        # the web process's own CPU time per request: what the load of a shared machine
        # (other processes, the database server) does not add to
        yield f"{name} (cpu)", percentiles(timed.cpu)


def delete(workspace: Workspace) -> None:
    """Removes the benchmark workspace, table by table (the ORM would load millions of rows)."""
    tables = [
        "contacts_timelineentry", "contacts_orderline", "contacts_order", "contacts_account",
        "contacts_consent", "inbox_conversation", "cases_case", "listening_post",
        "contacts_identity", "contacts_contact", "contacts_product",
    ]  # fmt: skip
    empty_tables(workspace, tables)
    drop_workspace(workspace)


def run(
    say: Callable[[str], Any], *, contacts: int, requests: int, seed: int, keep: bool, **_: Any
) -> dict[str, Any]:
    """Builds, measures, prints each figure with `say`, cleans up; returns the JSON figures."""
    if contacts < 1:
        raise ValueError("--contacts must be at least 1")
    if requests < 1:
        raise ValueError("--requests must be at least 1")
    with building(contacts, "contact") as bar:
        built = build(contacts, seed=seed, progress=bar.update)
    say(
        f"built {built.contacts:,} contacts and {built.timeline:,} timeline entries in "
        f"{built.seconds:.0f}s ({connection.vendor})"
    )
    with throwaway(built.workspace, delete, keep=keep):
        figures = report(say, measure(built, requests=requests, seed=seed + 1), width=20)
    return {
        "contacts": built.contacts,
        "timeline_entries": built.timeline,
        "requests": requests,
        **in_ms("page", figures["profile page"]),
        **in_ms("api", figures["profile api"]),
        **in_ms("timeline", figures["timeline api"], ("p95",)),
        **in_ms("page_cpu", figures["profile page (cpu)"], ("p95",)),
        **in_ms("api_cpu", figures["profile api (cpu)"], ("p95",)),
        "load_average": round(os.getloadavg()[0], 1),
        "database": connection.vendor,
    }
