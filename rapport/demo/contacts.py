"""Acme Bank's customers in the demo workspace: a few thousand people with accounts, purchases,
identities on several networks, logged calls and emails, consent, and a timeline.

`load` (run by `rapport demo` before listening, the inbox and cases load) makes the
customers and their business data in bulk. `finish` (run once every domain has loaded) links
the authors of the demo posts to customers of their own, gives the demo cases customers, and
fills those people's timelines, so the profiles reached from the inbox and from cases are the
richest. Some identities are left for identity resolution to find: a handle such as
`j_smyth_85` shown as "Jon Smyth" beside the customer "Jonathan Smith" born in 1985, and a few
customers imported twice from the ERP with a typo in the name.

Purchases follow patterns, so the profile's suggestions have something to say: a mortgage
usually comes with home insurance, a credit card often with travel insurance, a car loan with
car insurance, savings with an ISA; each segment has its own mix. Idempotent: nothing is made
twice (customers are found by their external id in the "demo" source).
"""

import random
import re
import zlib
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.db.models import Count
from django.utils import timezone

from rapport.cases.models import Case
from rapport.contacts.models import (
    Account,
    Consent,
    Contact,
    Identity,
    Interaction,
    LawfulBasis,
    Order,
    OrderLine,
    Organization,
    Product,
)
from rapport.core.bulk import bulk_insert, row_maker
from rapport.core.models import Membership, Workspace
from rapport.profile import suggestions, timeline

SEED = 7_2026
CUSTOMERS = 3000
SOURCE = "demo"

FIRST = str.split(
    "Oliver George Harry Jack Jacob Noah Charlie Thomas Oscar William James Leo Alfie Henry "
    "Joshua Freddie Archie Ethan Isaac Alexander Joseph Edward Samuel Max Daniel Arthur Lucas "
    "Mohammed Logan Theo Olivia Amelia Isla Ava Emily Sophia Grace Mia Poppy Ella Lily Evie "
    "Isabella Sophie Ivy Freya Harper Willow Charlotte Jessica Rosie Daisy Alice Florence "
    "Ruby Phoebe Aisha Priya Anika Zara Fatima Siobhan Niamh Megan Rhys Dylan Gareth Catrin"
)
LAST = str.split(
    "Smith Jones Williams Taylor Brown Davies Evans Wilson Thomas Johnson Roberts Robinson "
    "Thompson Wright Walker White Edwards Hughes Green Hall Lewis Harris Clarke Patel Jackson "
    "Wood Turner Martin Cooper Hill Ward Morris Moore Clark Lee King Baker Harrison Morgan Allen "
    "James Scott Phillips Watson Davis Parker Price Bennett Young Griffiths Mitchell Kelly Cook "
    "Carter Richardson Bailey Collins Bell Shaw Murphy Miller Cox Richards Khan Marshall "
    "Anderson Simpson Ellis Adams Singh Begum Ali Hussain Campbell MacDonald Kaur Nowak"
)
CITIES = [
    ("London", 24), ("Birmingham", 7), ("Manchester", 7), ("Leeds", 5), ("Glasgow", 5),
    ("Liverpool", 4), ("Bristol", 4), ("Sheffield", 3), ("Edinburgh", 4), ("Cardiff", 3),
    ("Leicester", 2), ("Nottingham", 3), ("Newcastle upon Tyne", 3), ("Belfast", 3),
    ("Brighton", 2), ("Southampton", 2), ("Norwich", 1), ("York", 1), ("Aberdeen", 1),
    ("Swansea", 1), ("Plymouth", 1), ("Cambridge", 1), ("Oxford", 1), ("Exeter", 1),
]  # fmt: skip
SEGMENTS = [
    # name, weight, tiers with weights, birth years
    ("Students", 10, {"standard": 95, "silver": 5}, (1999, 2007)),
    ("Young professionals", 22, {"standard": 55, "silver": 35, "gold": 10}, (1988, 2000)),
    ("Mass market", 35, {"standard": 70, "silver": 25, "gold": 5}, (1955, 1998)),
    ("Mass affluent", 18, {"silver": 30, "gold": 55, "platinum": 15}, (1960, 1990)),
    ("Retired", 10, {"standard": 40, "silver": 35, "gold": 20, "platinum": 5}, (1935, 1960)),
    ("Small business", 5, {"silver": 40, "gold": 45, "platinum": 15}, (1960, 1995)),
]
LANGUAGES = [("en", 90), ("cy", 3), ("pl", 3), ("ur", 2), ("pa", 2)]

# sku, name, category, price (an order's total), an account kind when it is an account
PRODUCTS = [
    ("CUR", "Current account", "Accounts", "0", "Current account"),
    ("PREM", "Premier account", "Accounts", "216", "Premier current account"),
    ("SAV", "Savings account", "Savings", "0", "Savings account"),
    ("ISA", "Cash ISA", "Savings", "0", "Cash ISA"),
    ("INV", "Investment fund", "Investments", "450", "Investment account"),
    ("MORT", "Mortgage", "Lending", "999", "Mortgage"),
    ("CC", "Credit card", "Lending", "0", "Credit card"),
    ("LOAN", "Personal loan", "Lending", "0", "Personal loan"),
    ("CAR", "Car loan", "Lending", "0", "Car loan"),
    ("BIZ", "Business account", "Accounts", "120", "Business current account"),
    ("HOME", "Home insurance", "Insurance", "312", ""),
    ("TRAV", "Travel insurance", "Insurance", "89", ""),
    ("CARI", "Car insurance", "Insurance", "540", ""),
    ("LIFE", "Life insurance", "Insurance", "276", ""),
    ("PET", "Pet insurance", "Insurance", "198", ""),
]
#: probability of holding each product, per segment (before the patterns below)
BASE = {
    "Students": {"CUR": 0.95, "SAV": 0.25, "CC": 0.15, "TRAV": 0.10, "LOAN": 0.05},
    "Young professionals": {
        "CUR": 0.95, "SAV": 0.45, "CC": 0.55, "MORT": 0.18, "CAR": 0.20, "PREM": 0.10,
        "LOAN": 0.12, "PET": 0.10,
    },
    "Mass market": {
        "CUR": 0.95, "SAV": 0.40, "CC": 0.45, "MORT": 0.35, "LOAN": 0.15, "CAR": 0.15,
        "PET": 0.10, "LIFE": 0.10,
    },
    "Mass affluent": {
        "CUR": 0.70, "PREM": 0.40, "SAV": 0.60, "ISA": 0.35, "INV": 0.35, "CC": 0.65,
        "MORT": 0.50, "LIFE": 0.20, "PET": 0.15,
    },
    "Retired": {"CUR": 0.95, "SAV": 0.70, "ISA": 0.45, "INV": 0.25, "CC": 0.30, "LIFE": 0.05},
    "Small business": {"BIZ": 0.95, "CUR": 0.80, "CC": 0.60, "LOAN": 0.30, "SAV": 0.40},
}  # fmt: skip
#: (needs all of these, adds this, probability): what people who hold some products add
PATTERNS = [
    (("MORT",), "HOME", 0.55),
    (("MORT", "CUR"), "LIFE", 0.30),
    (("MORT", "PREM"), "LIFE", 0.45),
    (("CC",), "TRAV", 0.30),
    (("PREM",), "TRAV", 0.55),
    (("CAR",), "CARI", 0.60),
    (("SAV",), "ISA", 0.25),
    (("ISA", "SAV"), "INV", 0.20),
]
BANDS = {
    "Current account": ["£0-£1k", "£1k-£5k", "£5k-£20k"],
    "Premier current account": ["£5k-£20k", "£20k-£100k"],
    "Savings account": ["£0-£1k", "£1k-£5k", "£5k-£20k", "£20k-£100k"],
    "Cash ISA": ["£1k-£5k", "£5k-£20k"],
    "Investment account": ["£5k-£20k", "£20k-£100k", "£100k+"],
    "Mortgage": ["£50k-£150k owed", "£150k-£300k owed", "£300k+ owed"],
    "Credit card": ["£0 owed", "£0-£1k owed", "£1k-£5k owed"],
    "Personal loan": ["£1k-£5k owed", "£5k-£20k owed"],
    "Car loan": ["£5k-£20k owed"],
    "Business current account": ["£1k-£5k", "£5k-£20k", "£20k-£100k"],
}
NETWORKS = [
    ("mastodon", "https://mastodon.social/@{h}"),
    ("bluesky", "https://bsky.app/profile/{h}.bsky.social"),
    ("x", "https://x.com/{h}"),
    ("reddit", "https://www.reddit.com/user/{h}"),
]
CALLS = [
    ("call", "inbound", "Asked about the overdraft limit", "Explained the limit; sent the form."),
    ("call", "outbound", "Mortgage renewal reminder", "Fixed rate ends soon; advisor booked."),
    ("email", "outbound", "Your new card is on its way", "Replacement card sent to the home."),
    ("email", "inbound", "Statement question", "A payment shown twice: it was a pending item."),
    ("call", "inbound", "Lost card", "Card blocked, a new one ordered; nothing suspicious."),
    ("meeting", "", "Annual review in branch", "Reviewed savings; interested in an ISA."),
    ("email", "outbound", "Payment holiday options", "Sent the options after a missed payment."),
]
NICKNAMES = {
    "Jonathan": "Jon", "Alexander": "Alex", "Samuel": "Sam", "William": "Will",
    "Thomas": "Tom", "Joshua": "Josh", "Daniel": "Dan", "Isabella": "Bella",
    "Charlotte": "Lottie", "Joseph": "Joe", "Edward": "Ed", "Jessica": "Jess",
}  # fmt: skip
TYPOS = {
    "Smith": "Smyth", "Thompson": "Thomson", "Clarke": "Clark", "Phillips": "Philips",
    "Davies": "Davis", "Griffiths": "Griffith", "Richardson": "Richards", "Hughes": "Hughs",
}  # fmt: skip


def pick(rng: random.Random, weighted: Any) -> Any:
    items = list(weighted.items()) if isinstance(weighted, dict) else list(weighted)
    return rng.choices([i[0] for i in items], weights=[i[1] for i in items])[0]


@dataclass
class Person:
    first: str
    last: str
    segment: str
    tier: str
    city: str
    born: date
    language: str

    @property
    def name(self) -> str:
        return f"{self.first} {self.last}"


def person(rng: random.Random, first: str = "", last: str = "") -> Person:
    segment, _, tiers, years = rng.choices(SEGMENTS, weights=[s[1] for s in SEGMENTS])[0]
    born = date(rng.randint(*years), rng.randint(1, 12), rng.randint(1, 28))
    return Person(
        first or rng.choice(FIRST),
        last or rng.choice(LAST),
        segment,
        pick(rng, tiers),
        pick(rng, CITIES),
        born,
        pick(rng, LANGUAGES),
    )


def holdings(rng: random.Random, segment: str) -> list[str]:
    held = [sku for sku, p in BASE[segment].items() if rng.random() < p]
    for needs, adds, p in PATTERNS:
        if adds not in held and all(n in held for n in needs) and rng.random() < p:
            held.append(adds)
    return held or ["CUR"]


def slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "", text.lower())


class Builder:
    """Plans the rows of many customers, then inserts each table in bulk (one INSERT per few
    thousand rows on SQLite, COPY on PostgreSQL), in one transaction."""

    def __init__(self, workspace: Workspace, owner: Membership, rng: random.Random) -> None:
        self.ws, self.rng, self.now = workspace, rng, timezone.now()
        self.members = list(
            Membership.objects.filter(workspace=workspace, role__in=["agent", "manager"])
        ) or [owner]
        self.products = self.ensure_products()
        self.kinds = {sku: kind for sku, _, _, _, kind in PRODUCTS}
        self.phones = iter(range(900000, 900999))
        self.new_contact = row_maker(Contact)
        self.new_account = row_maker(Account)
        self.new_order = row_maker(Order)
        self.new_line = row_maker(OrderLine)
        self.new_consent = row_maker(Consent)
        self.new_interaction = row_maker(Interaction)
        self.contacts: list[Contact] = []
        # rows waiting for their contact's id: (contact, row)
        self.accounts: list[tuple[Contact, Account]] = []
        self.orders: list[tuple[Contact, Order, Product]] = []
        self.consents: list[tuple[Contact, Consent]] = []
        self.calls: list[tuple[Contact, Interaction]] = []

    def ensure_products(self) -> dict[str, Product]:
        have = {p.sku: p for p in Product.objects.filter(workspace=self.ws)}
        missing = [
            Product(
                workspace=self.ws, source=SOURCE, external_id=sku, sku=sku, name=name,
                category=category, price=Decimal(price),
            )
            for sku, name, category, price, _ in PRODUCTS
            if sku not in have
        ]  # fmt: skip
        Product.objects.bulk_create(missing)
        return {p.sku: p for p in Product.objects.filter(workspace=self.ws)}

    def plan(
        self, p: Person, external_id: str, held: list[str] | None = None, **extra: Any
    ) -> Contact:
        """A customer and everything they hold, bought, agreed to and said, not yet stored."""
        rng, now = self.rng, self.now
        email = f"{slug(p.first)}.{slug(p.last)}{rng.randint(1, 999)}@example.co.uk"
        number = next(self.phones, None) if rng.random() < 0.5 else None
        c = self.new_contact(
            workspace_id=self.ws.pk, source=SOURCE, external_id=external_id, name=p.name,
            first_name=p.first, last_name=p.last, email=email, email_key=email.lower(),
            phone=f"+447700{number}" if number else "", birth_date=p.born, city=p.city,
            country="GB", language=p.language, segment=p.segment, tier=p.tier,
            owner_id=rng.choice(self.members).pk if p.tier in ("gold", "platinum") else None,
            tags=["vip"] if p.tier == "platinum" else [],
            attributes={"Customer since": str(rng.randint(1985, 2024))},
            lawful_basis=LawfulBasis.CONTRACT,
            preferred_channel=rng.choice(["email", "phone", "app", "sms"]),
            created_at=now, updated_at=now, **extra,
        )  # fmt: skip
        self.contacts.append(c)
        since = now - timedelta(days=rng.randint(60, 3650))
        value = Decimal("0")
        for sku in held if held is not None else holdings(rng, p.segment):
            product, kind = self.products[sku], self.kinds[sku]
            opened = since + timedelta(days=rng.randint(0, 50))
            if kind:
                status, roll = Account.State.ACTIVE, rng.random()
                if sku in ("MORT", "CC", "LOAN", "CAR") and roll < 0.05:
                    status = Account.State.IN_ARREARS
                elif sku in ("SAV", "CUR") and roll < 0.06:
                    status = Account.State.DORMANT
                self.accounts.append((c, self.new_account(
                    workspace_id=self.ws.pk, source=SOURCE, external_id=f"{external_id}-{sku}",
                    product_id=product.pk, kind=kind, status=status,
                    balance_band=rng.choice(BANDS[kind]), opened_at=opened.date(),
                )))  # fmt: skip
            for year in range(1 if kind else rng.randint(1, 3)):  # insurance renews yearly
                when = opened + timedelta(days=365 * year)
                if when > now:
                    break
                state = Order.State.PAID
                if rng.random() < 0.03:
                    state = rng.choice([Order.State.REFUNDED, Order.State.CANCELLED])
                total = product.price or Decimal("0")
                if state == Order.State.PAID:
                    value += total
                self.orders.append((c, self.new_order(
                    workspace_id=self.ws.pk, source=SOURCE,
                    external_id=f"{external_id}-{sku}-{year}", ordered_at=when, status=state,
                    total=total, currency="GBP",
                ), product))  # fmt: skip
        c.lifetime_value = value  # the profile's formula: paid and open orders
        if rng.random() < 0.7:
            for channel in rng.sample(["email", "sms", "phone", "post"], rng.randint(1, 3)):
                when = since + timedelta(days=rng.randint(0, 30))
                self.consent(c, channel, True, when, "account opening")
                later = when + timedelta(days=rng.randint(30, 900))
                if rng.random() < 0.15 and later < now:  # changed their mind later
                    self.consent(c, channel, False, later, "preferences page")
        if rng.random() < 0.25:
            for _ in range(rng.randint(1, 3)):
                kind, direction, subject, body = rng.choice(CALLS)
                self.calls.append((c, self.new_interaction(
                    workspace_id=self.ws.pk, kind=kind, direction=direction, subject=subject,
                    body=body, logged_by_id=rng.choice(self.members).pk,
                    occurred_at=now - timedelta(days=rng.randint(1, 700)),
                )))  # fmt: skip
        return c

    def consent(self, c: Contact, channel: str, granted: bool, when: datetime, source: str) -> None:
        self.consents.append((c, self.new_consent(
            workspace_id=self.ws.pk, channel=channel, granted=granted,
            basis=LawfulBasis.CONSENT, source=source, recorded_at=when,
        )))  # fmt: skip

    def save(self) -> list[Contact]:
        """Inserts the contacts, then their accounts, orders, consents, calls and timeline."""
        with transaction.atomic():
            bulk_insert(self.contacts)
            for group in (self.accounts, self.consents, self.calls):
                for c, row in group:
                    row.contact_id = c.pk
            for c, order, _ in self.orders:
                order.contact_id = c.pk
            bulk_insert([row for _, row in self.accounts])
            bulk_insert([order for _, order, _ in self.orders])
            bulk_insert([
                self.new_line(
                    workspace_id=self.ws.pk, order_id=order.pk, product_id=product.pk,
                    quantity=1, unit_price=product.price or Decimal("0"),
                )
                for _, order, product in self.orders
            ])  # fmt: skip
            bulk_insert([row for _, row in self.consents])
            calls = [row for _, row in self.calls]
            bulk_insert(calls)
            entries = [timeline.interaction_entry(i) for i in calls]
            entries += [timeline.order_entry(o, [p.name]) for _, o, p in self.orders]
            bulk_insert(entries)
        return self.contacts


def make_identities(workspace: Workspace, rng: random.Random, contacts: list[Contact]) -> None:
    """Identities on one to three networks for about a third of the customers."""
    rows, taken = (
        [],
        set(Identity.objects.filter(workspace=workspace).values_list("handle", flat=True)),
    )
    for c in contacts:
        if rng.random() > 0.33:
            continue
        base = f"{slug(c.first_name)}{slug(c.last_name)[:8]}{rng.randint(1, 99)}"
        while base in taken:  # two people of one name never share a handle
            base = f"{slug(c.first_name)}{slug(c.last_name)[:8]}{rng.randint(100, 9999)}"
        taken.add(base)
        for network, url in rng.sample(NETWORKS, rng.randint(1, 3)):
            rows.append(
                Identity(
                    workspace=workspace, network=network, external_id=f"demo-c{c.pk}-{network}",
                    handle=base, display_name=c.name, profile_url=url.format(h=base),
                    reach=int(rng.lognormvariate(4.5, 1.3)), contact=c,
                )
            )  # fmt: skip
    Identity.objects.bulk_create(rows, batch_size=2000, ignore_conflicts=True)


def hidden_identities(workspace: Workspace, rng: random.Random, contacts: list[Contact]) -> None:
    """Identities no deterministic key links, for identity resolution: a nickname, a typo and
    the birth year in the handle ("j_smyth_85" shown as "Jon Smyth" for Jonathan Smith, born
    1985); and a few customers imported a second time from the ERP, misspelt."""
    rows, twins = [], []
    chosen = [c for c in contacts if c.first_name in NICKNAMES or c.last_name in TYPOS][:60]
    for i, c in enumerate(chosen):
        first = NICKNAMES.get(c.first_name, c.first_name)
        last = TYPOS.get(c.last_name, c.last_name)
        year = f"_{c.birth_date.year % 100:02d}" if c.birth_date else ""
        handle = f"{first[0].lower()}_{slug(last)}{year}"
        network, url = NETWORKS[i % len(NETWORKS)]
        rows.append(
            Identity(
                workspace=workspace, network=network, external_id=f"demo-hidden-{c.pk}",
                handle=handle, display_name=f"{first} {last}", profile_url=url.format(h=handle),
                reach=int(rng.lognormvariate(4, 1)),
            )
        )  # fmt: skip
        if i % 3 == 0:
            twins.append(
                Contact(
                    workspace=workspace, source="erp", external_id=f"ERP-{c.pk}",
                    name=f"{first} {last}", first_name=first, last_name=last,
                    birth_date=c.birth_date, city=c.city, country="GB", segment=c.segment,
                    tier=c.tier,
                )
            )  # fmt: skip
    Identity.objects.bulk_create(rows, batch_size=2000, ignore_conflicts=True)
    Contact.objects.bulk_create(twins, batch_size=2000, ignore_conflicts=True)


def load(workspace: Workspace, owner: Membership) -> None:
    """The customers and their business data (skipped when the demo already has them)."""
    if Contact.objects.filter(workspace=workspace, source=SOURCE, external_id="C00001").exists():
        return
    rng = random.Random(SEED)  # noqa: S311 - demo data
    orgs = [
        Organization(
            workspace=workspace, source=SOURCE, external_id=f"ORG{i}", name=name,
            domain=f"{slug(name)}.co.uk", industry=industry, segment="Small business",
            tier="gold",
        )
        for i, (name, industry) in enumerate(
            [("Harbour Lane Bakery", "Food"), ("Northgate Joinery", "Construction"),
             ("Bright Sparks Electrical", "Trades"), ("Kaur & Co Accountants", "Services"),
             ("Tyne Cycle Works", "Retail")]
        )
    ]  # fmt: skip
    Organization.objects.bulk_create(orgs, ignore_conflicts=True)
    orgs = list(Organization.objects.filter(workspace=workspace, source=SOURCE))
    builder = Builder(workspace, owner, rng)
    for n in range(1, CUSTOMERS + 1):
        p = person(rng)
        org = rng.choice(orgs) if p.segment == "Small business" else None
        builder.plan(p, f"C{n:05d}", organization_id=org.pk if org else None)
    # the customer of the docs and the issue: Jonathan Smith, born 1985, with a mortgage
    jon = Person("Jonathan", "Smith", "Mass affluent", "gold", "Leeds", date(1985, 6, 14), "en")
    builder.plan(jon, "C-JSMITH", held=["CUR", "MORT", "CC", "SAV"])
    contacts = builder.save()
    make_identities(workspace, rng, contacts)
    hidden_identities(workspace, rng, contacts)


# ---- after every domain has loaded: the people the demo posts and cases are about ----


OUTLET_REACH = 50_000  # news outlets and influencers with this many followers are not customers


def finish(workspace: Workspace, owner: Membership) -> None:
    """Links the demo posts' authors to customers, gives demo cases a customer, fills their
    timelines, and forgets the cached suggestion rules."""
    rng = random.Random(SEED + 1)  # noqa: S311 - demo data
    authors: list[Identity] = list(
        Identity.objects.filter(workspace=workspace, contact__isnull=True, reach__lt=OUTLET_REACH)
        .exclude(display_name="")
        .exclude(display_name__contains="<")
        .annotate(posts_count=Count("posts"))
        .filter(posts_count__gt=0)
        .order_by("display_name", "network")
    )
    by_name: dict[str, list[Identity]] = {}
    for identity in authors:
        by_name.setdefault(identity.display_name, []).append(identity)
    builder = Builder(workspace, owner, rng)
    planned: dict[str, Contact] = {}
    existing = {
        c.external_id: c
        for c in Contact.objects.filter(workspace=workspace, source=SOURCE, external_id__in=[
            f"A-{slug(n)}" for n in by_name
        ])
    }  # fmt: skip
    for name in by_name:
        key = f"A-{slug(name)}"
        if key in existing:
            continue
        first, _, last = name.partition(" ")
        planned[name] = builder.plan(person(rng, first, last or "Customer"), key)
    made = {c.external_id: c for c in builder.save()} if planned else {}
    contacts = {**existing, **made}
    case_authors = set(
        Case.objects.filter(workspace=workspace, conversation__isnull=False).values_list(
            "conversation__identity_id", flat=True
        )
    )
    linked, touched = [], set()
    for name, identities in sorted(by_name.items()):
        contact = contacts.get(f"A-{slug(name)}")
        if contact is None:
            continue
        # one author in eight stays unlinked, found only by identity resolution's matching;
        # never the author of a case's conversation: that customer's profile is the demo's
        if zlib.crc32(name.encode()) % 8 == 7 and not any(x.pk in case_authors for x in identities):
            continue
        for identity in identities:
            identity.contact = contact
            linked.append(identity)
        touched.add(contact.pk)
    Identity.objects.bulk_update(linked, ["contact"], batch_size=1000)
    touched |= give_cases_customers(workspace, contacts)
    for contact in Contact.objects.filter(pk__in=touched):
        timeline.backfill(contact)
    suggestions.forget_rules(workspace.pk)


def give_cases_customers(workspace: Workspace, contacts: dict[str, Contact]) -> set[int]:
    """A demo case opened from a conversation belongs to its author; the others to customers
    chosen by the case's subject, so each demo case's page shows a customer panel. (Cases has
    no action that sets a customer on an existing case; the demo writes it directly.)"""
    pool = sorted(
        (c for key, c in contacts.items() if key.startswith("A-")), key=lambda c: c.pk
    ) or list(Contact.objects.filter(workspace=workspace, source=SOURCE).order_by("pk")[:50])
    touched = set()
    for case in Case.objects.filter(workspace=workspace, customer__isnull=True).select_related(
        "conversation__identity"
    ):
        identity = case.conversation.identity if case.conversation else None
        customer_id = identity.contact_id if identity is not None else None
        if customer_id is None and pool:
            customer_id = pool[sum(map(ord, case.subject)) % len(pool)].pk
        if customer_id is not None:
            Case.objects.filter(pk=case.pk).update(customer_id=customer_id)
            touched.add(customer_id)
    return touched
