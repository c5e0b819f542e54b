"""Ideas in the demo workspace: Acme Bank's idea portal, its product areas, and about forty ideas
customers and colleagues asked for, in every status, with ten weeks of votes.

`load` sets up the portal and the areas. `finish` adds the ideas once the contacts demo has made
the demo posts' authors customers: submitted on the portal, by colleagues for a customer, or
turned from the Mastodon posts of the listening demo (`listening.IDEA_POSTS`; Rosa Pennington's
is left for a colleague to turn into an idea). Votes come from the demo's customers of every
tier: a few ideas are loved by the most valuable customers, others by many standard ones, and
some are rising while others had their votes weeks ago, so trending differs from top.

Each idea's life is replayed in order: the votes up to a status change, the change (through
`change_status`, so it is audited and announced to the voters of that day), the votes after,
then everything is stamped with the day it happened. Votes and follows are written in bulk and
each idea's count and trend recounted; everything else goes through the actions. One voter of
the shipped "Freeze and unfreeze my card" asked not to be contacted before it shipped. Two
obvious duplicates are left for a product manager to merge; another duplicate is merged already.
Loaded once: a workspace with ideas gets no more.
"""

import random
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from decimal import Decimal

from django.db import transaction
from django.test.utils import override_settings
from django.utils import timezone

from rapport.contacts.actions import update_contact
from rapport.contacts.models import Contact
from rapport.core.bulk import bulk_insert, row_maker
from rapport.core.events import as_of
from rapport.core.models import Membership, Workspace
from rapport.demo import listening
from rapport.ideas import actions, votes
from rapport.ideas.merge import merge_ideas
from rapport.ideas.models import (
    VOTABLE,
    Announcement,
    Area,
    Comment,
    Follower,
    Idea,
    Portal,
    Status,
    StatusChange,
    Vote,
)
from rapport.inbox.models import ConversationPost
from rapport.listening.models import Post
from rapport.triage.actions import correct_label

SEED = 14_2026

PORTAL = {
    "title": "Acme Bank ideas",
    "intro": (
        "Tell us what would make banking with Acme better, and vote for the ideas you want "
        "most. Our teams read every idea; when one is planned, shipped or declined, everyone "
        "who voted for it hears from us."
    ),
    "colour": "#0b5394",
    "accent": "#0f2a44",
}
AREAS = [
    "Mobile app",
    "Cards",
    "Savings",
    "Mortgages",
    "Online banking",
    "Branches",
    "Payments",
    "Business banking",
]

#: Who votes for an idea: the tiers of its voters (weights), and whether they are the most
#: valuable customers of their tier (the top third by lifetime value).
FANS: dict[str, tuple[dict[str, int], bool]] = {
    "many": ({"standard": 62, "silver": 26, "gold": 9, "platinum": 3}, False),
    "broad": ({"standard": 42, "silver": 30, "gold": 20, "platinum": 8}, False),
    "affluent": ({"standard": 5, "silver": 20, "gold": 47, "platinum": 28}, True),
    "platinum": ({"gold": 25, "platinum": 75}, True),
    "business": ({"silver": 25, "gold": 45, "platinum": 30}, True),
}
#: Who adds a vote for a customer who asked on the phone, in branch or in a meeting.
VOTE_TAKERS = ["sam", "priya", "nora", "leo", "maya"]
PRODUCT_LEAD = "olivia"  # changes statuses and merges duplicates

DEFAULT_NOTES = {
    Status.UNDER_REVIEW: "Thank you for the votes. Our {area} team is looking at what it takes.",
    Status.PLANNED: "On the plan for this year. We will post here when the work starts.",
    Status.IN_PROGRESS: "Work has started. Everyone who voted will hear from us when it is out.",
    Status.SHIPPED: "Out now. Thank you to everyone who asked for it.",
}


@dataclass(frozen=True)
class Step:
    """A status change, `days` ago, with its public note (a default one when empty)."""

    status: Status
    days: float
    note: str = ""


@dataclass(frozen=True)
class DemoIdea:
    title: str
    area: str
    body: str
    votes: int  # counted votes in the end, its author's included
    age: int  # days since it was submitted
    history: tuple[Step, ...] = ()
    fans: str = "broad"
    momentum: str = "steady"  # steady, rising (most votes lately) or early (most long ago)
    origin: str = "portal"  # portal, employee, post or conversation
    by: str = ""  # the colleague who submitted it (for a customer) or turned the post
    own: bool = False  # the colleague's own idea, not a customer's
    post: int | None = None  # its IDEA_POSTS entry, for a post or conversation
    from_posts: tuple[int, ...] = ()  # IDEA_POSTS whose authors voted with their post
    shares: tuple[str, int] = ("", 0)  # (another idea's title, how many of its voters vote too)
    do_not_contact: bool = False  # one voter asks not to be contacted before it is shipped


FREEZE = "Freeze and unfreeze my card in the app"
DARK_MODE = "Dark mode in the mobile app"
DARK_THEME = "Dark theme for the app at night"
#: The duplicates left for the "merge duplicates" demo: the second says the first again.
DUPLICATES = (DARK_MODE, DARK_THEME)
WALLETS = "Apple Pay and Google Pay for credit cards"
APPLE_PAY = "Add Apple Pay to Acme credit cards"
#: Merged already: (duplicate, into)
MERGED = (APPLE_PAY, WALLETS)
#: Rosa Pennington's post, left for a colleague to turn into an idea.
LEFT_FOR_A_COLLEAGUE = 5

IDEAS = [
    DemoIdea(
        FREEZE,
        "Cards",
        "When a card goes missing for an hour, cancelling it is too much: a new card takes a "
        "week and every subscription needs the new number.\n\n"
        "**Freeze** it from the app instead:\n\n"
        "- card payments and cash withdrawals stop at once;\n"
        "- direct debits and refunds keep working;\n"
        "- **Unfreeze** when it turns up, no new card needed.",
        votes=31,
        age=68,
        origin="post",
        by="sam",
        post=0,
        from_posts=(1,),
        do_not_contact=True,
        history=(
            Step(
                Status.UNDER_REVIEW,
                60,
                "Thanks, Holly and everyone who voted. The app team is looking at how to let you "
                "freeze a card safely without calling us.",
            ),
            Step(
                Status.PLANNED,
                45,
                "Planned for the spring app release. Freezing will stop card payments and cash "
                "withdrawals at once; direct debits and refunds keep working.",
            ),
            Step(
                Status.IN_PROGRESS,
                30,
                "Being built. Colleagues are trying it on their own cards this month.",
            ),
            Step(
                Status.SHIPPED,
                9,
                "Out now in app version 5.2: open Cards, choose a card and tap Freeze. Tap "
                "Unfreeze when you find it, no new card needed. Thank you for asking for it.",
            ),
        ),
    ),
    DemoIdea(
        DARK_MODE,
        "Mobile app",
        "The app is very bright at night. A **dark mode** that follows the phone's setting "
        "(or a switch in *Settings*) would be easier on the eyes and the battery.",
        votes=64,
        age=63,
        fans="many",
        history=(Step(Status.UNDER_REVIEW, 34),),
    ),
    DemoIdea(
        DARK_THEME,
        "Mobile app",
        "Checking my balance in bed at 11pm is blinding. Please add a dark mode to the app: "
        "dark background, light text.",
        votes=9,
        age=6,
        fans="many",
        momentum="rising",
        shares=(DARK_MODE, 3),
    ),
    DemoIdea(
        "Spending categories and monthly budgets",
        "Mobile app",
        "Sort my payments into categories (groceries, transport, eating out…) and let me set "
        "a monthly budget for each, with a nudge when I am close to it.\n\n"
        "A customer asked for this on the phone; many more have since.",
        votes=71,
        age=70,
        fans="many",
        origin="employee",
        by="priya",
        history=(
            Step(Status.UNDER_REVIEW, 55),
            Step(
                Status.PLANNED,
                21,
                "Planned for the summer: categories first, budgets a few weeks after.",
            ),
        ),
    ),
    DemoIdea(
        "Warn me before a direct debit bounces",
        "Mobile app",
        "A notification the day before a direct debit is due when the balance will not cover "
        "it, so there is still time to move money, instead of a letter a week after it "
        "bounced.",
        votes=23,
        age=20,
        momentum="rising",
        origin="conversation",
        by="ravi",
        post=3,
        history=(Step(Status.UNDER_REVIEW, 6),),
    ),
    DemoIdea(
        "Sign in with a passkey instead of a password",
        "Mobile app",
        "Passwords and one-time codes are a pain. Let me sign in with a **passkey** (Face ID, "
        "fingerprint or the phone's PIN), like many other apps do now.",
        votes=38,
        age=66,
        momentum="early",
        history=(
            Step(Status.UNDER_REVIEW, 58),
            Step(
                Status.IN_PROGRESS,
                26,
                "Being built with our security team; it will come to online banking too.",
            ),
        ),
    ),
    DemoIdea(
        "Home-screen widget with my balance",
        "Mobile app",
        "A small widget on the phone's home screen with the balance of the accounts I choose, "
        "hidden until I unlock the phone.",
        votes=17,
        age=35,
        fans="many",
    ),
    DemoIdea(
        "Choose which notifications the app sends me",
        "Mobile app",
        "I want to hear about every card payment but not about offers. One switch per kind of "
        "notification, please.",
        votes=29,
        age=72,
        momentum="early",
        history=(
            Step(Status.UNDER_REVIEW, 64),
            Step(Status.IN_PROGRESS, 50),
            Step(
                Status.SHIPPED,
                38,
                "Out now: Settings, then Notifications, has a switch for each kind. Offers are "
                "off unless you turn them on.",
            ),
        ),
    ),
    DemoIdea(
        "The app in Welsh",
        "Mobile app",
        "Our branches and letters speak Welsh; the app should too. *Diolch!*",
        votes=12,
        age=50,
        history=(Step(Status.UNDER_REVIEW, 30),),
    ),
    DemoIdea(
        WALLETS,
        "Cards",
        "Debit cards work with Apple Pay and Google Pay, credit cards do not. Please add them, "
        "paying by phone is the only way I pay now.",
        votes=47,
        age=69,
        origin="employee",
        by="leo",
        history=(
            Step(Status.PLANNED, 40),
            Step(
                Status.IN_PROGRESS,
                14,
                "Being tested with Apple and Google; credit cards should reach both wallets "
                "next month.",
            ),
        ),
    ),
    DemoIdea(
        APPLE_PAY,
        "Cards",
        "Please let me add my Acme credit card to Apple Pay.",
        votes=11,
        age=47,
        shares=(WALLETS, 4),
    ),
    DemoIdea(
        "Choose my own PIN in the app",
        "Cards",
        "Let me set a PIN I can remember when a new card arrives, in the app, instead of "
        "waiting for the PIN letter.",
        votes=14,
        age=12,
        fans="many",
        momentum="rising",
    ),
    DemoIdea(
        "Virtual card numbers for shopping online",
        "Cards",
        "A separate card number for each shop (or one that works once), so a leak at one shop "
        "does not mean a new card.",
        votes=26,
        age=30,
        fans="affluent",
        momentum="rising",
        history=(
            Step(Status.UNDER_REVIEW, 22),
            Step(Status.PLANNED, 8, "Planned after card freezing; it builds on the same work."),
        ),
    ),
    DemoIdea(
        "A metal card for Premier customers",
        "Cards",
        "Premier customers pay a monthly fee; a metal card would make it feel premium.",
        votes=19,
        age=64,
        fans="platinum",
        momentum="early",
        history=(
            Step(Status.UNDER_REVIEW, 57),
            Step(
                Status.DECLINED,
                41,
                "Not for now: metal cards cost far more to make, post and recycle, and Premier "
                "customers told us they value the travel insurance and the lounge passes more. "
                "Premier cards are moving to recycled plastic this year instead.",
            ),
        ),
    ),
    DemoIdea(
        "No foreign transaction fees on the debit card",
        "Cards",
        "Every payment abroad costs 2.99%. Several banks charge nothing now; please drop the "
        "fee, at least on the debit card.",
        votes=55,
        age=25,
        fans="many",
        momentum="rising",
        history=(Step(Status.UNDER_REVIEW, 5),),
    ),
    DemoIdea(
        "Round up card payments into savings",
        "Savings",
        "Round every card payment up to the next pound and move the change into a savings "
        "account, with the option to double it.",
        votes=58,
        age=40,
        fans="many",
        momentum="rising",
        origin="post",
        by="priya",
        post=2,
        from_posts=(4,),
        history=(
            Step(Status.UNDER_REVIEW, 31),
            Step(
                Status.PLANNED,
                12,
                "Planned for the autumn, with the option to round up to the next £5 as well.",
            ),
        ),
    ),
    DemoIdea(
        "Savings pots with names and goals",
        "Savings",
        "Split my savings into pots (*Holiday*, *New boiler*, *Rainy day*) with a goal and a "
        "progress bar for each.",
        votes=44,
        age=58,
        history=(
            Step(Status.UNDER_REVIEW, 50),
            Step(Status.PLANNED, 36),
            Step(Status.IN_PROGRESS, 15),
        ),
    ),
    DemoIdea(
        "Show the interest I have earned this tax year",
        "Savings",
        "One line per savings account: interest earned since 6 April. It would make the "
        "personal savings allowance much easier to keep an eye on.",
        votes=21,
        age=70,
        fans="affluent",
        momentum="early",
        origin="employee",
        by="nora",
        history=(
            Step(Status.PLANNED, 56),
            Step(
                Status.SHIPPED,
                33,
                "Out now: each savings account shows the interest earned this tax year, in the "
                "app and online.",
            ),
        ),
    ),
    DemoIdea(
        "A Junior ISA I can manage in my own app",
        "Savings",
        "We opened Junior ISAs for our children in branch; we would like to see them and pay "
        "into them from our own app.",
        votes=13,
        age=28,
        fans="affluent",
    ),
    DemoIdea(
        "A prize draw savings account",
        "Savings",
        "Instead of interest, a monthly prize draw, like Premium Bonds. It would make saving "
        "small amounts more fun.",
        votes=16,
        age=61,
        fans="many",
        momentum="early",
        history=(
            Step(Status.UNDER_REVIEW, 54),
            Step(
                Status.DECLINED,
                44,
                "We looked at it with our savings and legal teams: a prize draw account needs a "
                "gambling licence and a partner we do not have. Round-ups into savings are "
                "planned instead.",
            ),
        ),
    ),
    DemoIdea(
        "Mortgage overpayment calculator in the app",
        "Mortgages",
        "Show how much I can overpay this year without a charge, and how much interest and how "
        "many months an overpayment would save.",
        votes=33,
        age=45,
        fans="affluent",
        history=(Step(Status.UNDER_REVIEW, 24),),
    ),
    DemoIdea(
        "Track my mortgage application online",
        "Mortgages",
        "Buying a home is stressful enough. Show where the application is (valuation, "
        "underwriting, offer) instead of us calling to ask.",
        votes=27,
        age=55,
        origin="employee",
        by="nora",
        history=(Step(Status.UNDER_REVIEW, 47), Step(Status.PLANNED, 28)),
    ),
    DemoIdea(
        "Offset mortgage linked to my savings",
        "Mortgages",
        "Let savings held with Acme reduce the interest on the mortgage instead of earning "
        "taxable interest.",
        votes=11,
        age=18,
        fans="platinum",
        momentum="rising",
    ),
    DemoIdea(
        "Remind me six months before my fixed rate ends",
        "Mortgages",
        "My fixed rate ended and I moved to the standard rate without noticing. A reminder "
        "six months ahead, with the new rates we could switch to, would have saved me money.",
        votes=24,
        age=67,
        momentum="early",
        history=(
            Step(Status.UNDER_REVIEW, 60),
            Step(
                Status.SHIPPED,
                35,
                "Out now: six months before a fixed rate ends you get an email and a message in "
                "the app, with the rates you can switch to.",
            ),
        ),
    ),
    DemoIdea(
        "Download statements as CSV for my accounting software",
        "Online banking",
        "PDF statements have to be typed in again. A CSV (or OFX) download of any date range, "
        "please.",
        votes=31,
        age=60,
        fans="business",
        history=(Step(Status.UNDER_REVIEW, 52), Step(Status.IN_PROGRESS, 24)),
    ),
    DemoIdea(
        "Two people approve large payments from a joint account",
        "Online banking",
        "For payments over an amount we choose, both account holders approve in the app "
        "before the money goes.",
        votes=8,
        age=10,
        fans="platinum",
        momentum="rising",
    ),
    DemoIdea(
        "See pending card payments in online banking",
        "Online banking",
        "Payments show up days later. List pending card payments (with the shop) as soon as "
        "they are authorised.",
        votes=36,
        age=73,
        fans="many",
        momentum="early",
        history=(
            Step(Status.PLANNED, 62),
            Step(
                Status.SHIPPED,
                44,
                "Out now: pending card payments appear as soon as the shop asks for the money, "
                "marked Pending until they are taken.",
            ),
        ),
    ),
    DemoIdea(
        "Stay signed in to online banking for longer",
        "Online banking",
        "Online banking signs me out after five minutes, often in the middle of a transfer.",
        votes=22,
        age=48,
        fans="many",
        history=(
            Step(Status.UNDER_REVIEW, 40),
            Step(
                Status.DECLINED,
                26,
                "We cannot make the timeout longer: banking rules ask us to sign idle sessions "
                "out. A form you are filling in now keeps you signed in while you type.",
            ),
        ),
    ),
    DemoIdea(
        "Search my transactions by amount",
        "Online banking",
        "Searching by shop name works; I often only remember the amount.",
        votes=19,
        age=33,
    ),
    DemoIdea(
        "Book a branch appointment online",
        "Branches",
        "Booking a mortgage or savings appointment means calling the branch. An online "
        "calendar with the free slots, please.",
        votes=25,
        age=52,
        origin="employee",
        by="maya",
        own=True,
        history=(Step(Status.UNDER_REVIEW, 45), Step(Status.PLANNED, 30)),
    ),
    DemoIdea(
        "Saturday opening at city-centre branches",
        "Branches",
        "Working Monday to Friday means I can never get to a branch. Saturday mornings in the "
        "bigger towns would help.",
        votes=34,
        age=46,
        fans="many",
        history=(Step(Status.UNDER_REVIEW, 36),),
    ),
    DemoIdea(
        "Bring back the coin counting machines",
        "Branches",
        "The machines are gone and paying in coins means queueing at the counter.",
        votes=18,
        age=65,
        fans="many",
        momentum="early",
        history=(
            Step(Status.UNDER_REVIEW, 59),
            Step(
                Status.DECLINED,
                48,
                "The machines were too often out of order to keep. Coins can be paid in at any "
                "Post Office counter, and branches count bags of coins by appointment.",
            ),
        ),
    ),
    DemoIdea(
        "A quiet hour in branches",
        "Branches",
        "An hour a week with lights down and no music, for customers who find busy branches "
        "overwhelming.",
        votes=7,
        age=8,
        momentum="rising",
    ),
    DemoIdea(
        "Split a bill and request money from friends",
        "Payments",
        "After dinner out: split the bill in the app and send each friend a request they can "
        "pay with a link, whatever their bank.",
        votes=42,
        age=38,
        fans="many",
        momentum="rising",
        history=(Step(Status.UNDER_REVIEW, 16),),
    ),
    DemoIdea(
        "Schedule international transfers",
        "Payments",
        "I pay my parents abroad every month; a standing order for international transfers "
        "would save me doing it by hand.",
        votes=15,
        age=26,
        fans="affluent",
    ),
    DemoIdea(
        "Pay someone with their phone number",
        "Payments",
        "Sending money to a friend means asking for their sort code and account number. Let me "
        "choose them from my contacts instead.",
        votes=16,
        age=14,
        fans="many",
        momentum="rising",
    ),
    DemoIdea(
        "Xero and QuickBooks bank feeds for business accounts",
        "Business banking",
        "A direct feed of the business account into Xero or QuickBooks, so our accountant stops "
        "asking for statements.",
        votes=14,
        age=57,
        fans="business",
        origin="employee",
        by="leo",
        history=(Step(Status.UNDER_REVIEW, 49), Step(Status.IN_PROGRESS, 20)),
    ),
    DemoIdea(
        "Several people on one business account, each with their own login",
        "Business banking",
        "Our bookkeeper and my business partner both need access; we share one login today. "
        "Each person with their own sign-in and their own limits, please.",
        votes=12,
        age=44,
        fans="business",
        history=(Step(Status.UNDER_REVIEW, 37), Step(Status.PLANNED, 18)),
    ),
    DemoIdea(
        "Pay in business takings at the Post Office",
        "Business banking",
        "Our nearest branch closed. Paying cash takings in at the Post Office with a business "
        "paying-in card would save an hour's drive.",
        votes=9,
        age=22,
        fans="business",
    ),
    DemoIdea(
        "Statements in large print",
        "Online banking",
        "My mother needs her statements in large print; today she has to ask every time.",
        votes=10,
        age=41,
        fans="broad",
        origin="employee",
        by="sam",
    ),
]

# (idea, who: a member's email name or "customer:N" for the idea's Nth voter, days ago, text,
# public)
COMMENTS = [
    (FREEZE, "customer:2", 58, "Yes please, my card is always in the wrong coat.", True),
    (FREEZE, "ravi", 28, "We are testing it now; freezing takes effect in under a second.", True),
    (
        FREEZE,
        "customer:5",
        7,
        "Used it yesterday at the gym, found the card in my bag. Brilliant!",
        True,
    ),
    (FREEZE, "maya", 8, "Social Care: fewer lost-card calls already this week.", False),
    (DARK_MODE, "customer:1", 50, "Please follow the phone's setting, not another switch.", True),
    (DARK_MODE, "ravi", 30, "Thanks! Checking the colours for contrast before we commit.", True),
    (DARK_THEME, "customer:0", 4, "Yes please <3 the white screen at night is painful.", True),
    (
        "Spending categories and monthly budgets",
        "customer:3",
        40,
        "Would love a monthly summary email too.",
        True,
    ),
    (
        "Spending categories and monthly budgets",
        "ravi",
        20,
        "Categories come first; tell us which ones you would need.",
        True,
    ),
    (
        "No foreign transaction fees on the debit card",
        "customer:0",
        3,
        "Just back from Spain, paid £23 in fees. Please!",
        True,
    ),
    (
        "No foreign transaction fees on the debit card",
        "leo",
        4,
        "Customers leaving for Globex mention this a lot.",
        False,
    ),
    (
        "Round up card payments into savings",
        "customer:4",
        10,
        "Could it round up to £5 as well?",
        True,
    ),
    (
        "Round up card payments into savings",
        "priya",
        9,
        "Good news: the plan has £5 round-ups too.",
        True,
    ),
    (
        "A metal card for Premier customers",
        "customer:1",
        40,
        "Disappointed, but the recycled card is a nice touch.",
        True,
    ),
    (
        "Offset mortgage linked to my savings",
        "nora",
        6,
        "Several of my clients ask for this every month.",
        False,
    ),
    (
        "Offset mortgage linked to my savings",
        "customer:0",
        5,
        "We would move our savings from Globex for this.",
        True,
    ),
    (
        "Two people approve large payments from a joint account",
        "customer:1",
        4,
        "My parents would feel much safer with this.",
        True,
    ),
    (
        "Stay signed in to online banking for longer",
        "customer:2",
        25,
        "Fair enough, thanks for explaining.",
        True,
    ),
    (
        "Split a bill and request money from friends",
        "customer:6",
        2,
        "Every group trip ends with a spreadsheet. Need this!",
        True,
    ),
    (
        "Xero and QuickBooks bank feeds for business accounts",
        "ingrid",
        18,
        "Credit would like the feed too, for limit reviews.",
        False,
    ),
]


@dataclass
class Pools:
    """The demo's customers by tier, each tier's most valuable third apart."""

    rng: random.Random
    by_tier: dict[str, list[tuple[int, str, Decimal]]] = field(default_factory=dict)
    valuable: dict[str, list[tuple[int, str, Decimal]]] = field(default_factory=dict)
    business: dict[str, list[tuple[int, str, Decimal]]] = field(default_factory=dict)

    @classmethod
    def of(cls, workspace: Workspace, rng: random.Random) -> "Pools":
        pools = cls(rng)
        rows = (
            Contact.objects.filter(
                workspace=workspace,
                source="demo",
                external_id__startswith="C",
                merged_into__isnull=True,
                do_not_contact=False,
            )
            .exclude(tier="")
            .order_by("pk")
            .values_list("pk", "tier", "lifetime_value", "segment")
        )
        for pk, tier, value, segment in rows:
            row = (pk, tier, value)
            pools.by_tier.setdefault(tier, []).append(row)
            if segment == "Small business":
                pools.business.setdefault(tier, []).append(row)
        for tier, members in pools.by_tier.items():
            ranked = sorted(members, key=lambda r: (-r[2], r[0]))
            pools.valuable[tier] = ranked[: max(10, len(ranked) // 3)]
        return pools

    def voters(self, fans: str, count: int, taken: set[int]) -> list[tuple[int, str, Decimal]]:
        """`count` customers who have not voted for the idea yet, of the tiers `fans` says."""
        weights, valuable = FANS[fans]
        source = (
            self.business if fans == "business" else self.valuable if valuable else self.by_tier
        )
        tiers = [t for t in weights if source.get(t)]
        picked: list[tuple[int, str, Decimal]] = []
        for _ in range(count * 20):
            if len(picked) == count:
                break
            tier = self.rng.choices(tiers, weights=[weights[t] for t in tiers])[0]
            row = self.rng.choice(source[tier])
            if row[0] not in taken:
                taken.add(row[0])
                picked.append(row)
        return picked


def _times(
    rng: random.Random, count: int, start: datetime, end: datetime, momentum: str
) -> list[datetime]:
    """`count` moments between `start` and `end`: evenly, mostly lately, or mostly early."""
    span = (end - start).total_seconds()
    moments = []
    for _ in range(count):
        r = rng.random()
        share = 1 - r**2.5 if momentum == "rising" else r**2.5 if momentum == "early" else r
        moments.append(start + timedelta(seconds=max(60.0, span * share - 60)))
    return sorted(moments)


class Loader:
    def __init__(self, workspace: Workspace, owner: Membership) -> None:
        self.ws, self.owner, self.now = workspace, owner, timezone.now()
        self.rng = random.Random(SEED)  # noqa: S311 - demo data
        self.members = {
            m.user.email.split("@")[0]: m
            for m in Membership.objects.filter(workspace=workspace).select_related(
                "user", "workspace"
            )
        }
        self.areas = {a.name: a for a in Area.objects.filter(workspace=workspace)}
        self.pools = Pools.of(workspace, self.rng)
        self.posts = self._idea_posts()
        self.ideas: dict[str, Idea] = {}
        self.voters: dict[str, list[int]] = {}  # each idea's voters' contacts, in voting order
        self.new_vote = row_maker(Vote)
        self.new_follower = row_maker(Follower)

    def member(self, name: str) -> Membership:
        return self.members.get(name, self.owner)

    def ago(self, days: float) -> datetime:
        return self.now - timedelta(days=days)

    def _idea_posts(self) -> dict[int, Post]:
        """The listening demo's idea posts, labelled ideas (by a colleague where the model
        read them otherwise)."""
        ids = {listening.idea_post_id(i): i for i in range(len(listening.IDEA_POSTS))}
        found = {
            ids[p.external_id]: p
            for p in Post.objects.filter(
                workspace=self.ws, network="mastodon", external_id__in=list(ids)
            )
        }
        for post in found.values():
            if post.intent != "idea":
                correct_label(self.member("ravi"), post, field="intent", value="idea")
                post.refresh_from_db()
        return found

    # ---- one idea's life ---------------------------------------------------------------

    def create(self, spec: DemoIdea, born: datetime) -> Idea:
        area = self.areas.get(spec.area)
        post = self.posts.get(spec.post) if spec.post is not None else None
        by = self.member(spec.by) if spec.by else self.owner
        idea: Idea
        if post is not None:
            link = ConversationPost.objects.filter(post=post).select_related("conversation").first()
            if spec.origin == "conversation" and link is not None:
                idea = actions.promote_conversation(
                    by, link.conversation, title=spec.title, body=spec.body, area=area
                )
            else:
                idea = actions.promote_post(by, post, title=spec.title, body=spec.body, area=area)
        else:
            author = None
            if not spec.own:
                [(pk, _, _)] = self.pools.voters(spec.fans, 1, set())
                author = Contact.objects.get(pk=pk)
            if spec.origin == "employee":
                idea = actions.create_idea(
                    by, title=spec.title, body=spec.body, area=area, for_contact=author
                )
            else:
                assert author is not None
                idea = actions.submit_on_portal(author, title=spec.title, body=spec.body, area=area)
        Idea.objects.filter(pk=idea.pk).update(created_at=born)
        Vote.objects.filter(idea=idea).update(created_at=born)
        return idea

    def plan_votes(self, spec: DemoIdea, idea: Idea, born: datetime, end: datetime) -> list[Vote]:
        """The idea's other votes, not stored yet, in time order."""
        taken = set(Vote.objects.filter(idea=idea).values_list("contact_id", flat=True))
        taken |= {
            p.identity.contact_id
            for i in spec.from_posts
            if (p := self.posts.get(i)) is not None and p.identity and p.identity.contact_id
        }
        rows: list[tuple[int, str, Decimal]] = []
        other, shared = spec.shares
        if other:
            by_pk = {row[0]: row for tier in self.pools.by_tier.values() for row in tier}
            for pk in self.voters.get(other, [])[:shared]:
                if pk in by_pk and pk not in taken:
                    taken.add(pk)
                    rows.append(by_pk[pk])
        wanted = spec.votes - Vote.objects.filter(idea=idea).count() - len(spec.from_posts)
        rows += self.pools.voters(spec.fans, max(0, wanted - len(rows)), taken)
        moments = _times(self.rng, len(rows), born, end, spec.momentum)
        planned = []
        for (pk, tier, value), at in zip(rows, moments, strict=True):
            by = None
            source = Vote.Source.PORTAL
            if self.rng.random() < 0.3:
                source = Vote.Source.EMPLOYEE
                by = self.member(self.rng.choice(VOTE_TAKERS)).pk
            planned.append(
                self.new_vote(
                    workspace_id=self.ws.pk,
                    idea_id=idea.pk,
                    contact_id=pk,
                    source=source,
                    by_id=by,
                    tier=tier,
                    value=value,
                    counted=True,
                    created_at=at,
                )
            )
        return planned

    def store(self, idea: Idea, planned: list[Vote], before: datetime | None) -> list[Vote]:
        """Stores the planned votes cast before `before` (all when None) with their follows;
        returns the rest."""
        now = [v for v in planned if before is None or v.created_at < before]
        if now:
            with transaction.atomic():
                bulk_insert(now)
                bulk_insert(
                    [
                        self.new_follower(
                            workspace_id=self.ws.pk, idea_id=idea.pk, contact_id=v.contact_id
                        )
                        for v in now
                    ]
                )
            self.voters.setdefault(idea.title, []).extend(v.contact_id for v in now)
        return planned[len(now) :]

    def change(self, idea: Idea, step: Step, at: datetime) -> None:
        note = step.note or DEFAULT_NOTES[step.status].format(area=idea.area or "product")
        with as_of(at):  # the change is journalled then (the ledger's idea shipped)
            actions.change_status(self.member(PRODUCT_LEAD), idea, step.status, note)
        change = StatusChange.objects.filter(idea=idea).latest("id")
        StatusChange.objects.filter(pk=change.pk).update(at=at)
        Idea.objects.filter(pk=idea.pk).update(status_changed_at=at)
        Announcement.objects.filter(change=change).update(created_at=at)

    def vote_with_post(self, idea: Idea, i: int) -> None:
        post = self.posts.get(i)
        if post is None or idea.status not in VOTABLE:
            return
        try:
            vote = votes.vote_from_post(self.member("sam"), idea, post)
        except votes.AlreadyVoted:
            return
        Vote.objects.filter(pk=vote.pk).update(created_at=max(post.posted_at, idea.created_at))
        self.voters.setdefault(idea.title, []).append(vote.contact_id)

    def live(self, spec: DemoIdea) -> Idea:
        """Creates the idea and replays its votes, post votes and status changes in order."""
        post = self.posts.get(spec.post) if spec.post is not None else None
        born = post.posted_at + timedelta(hours=2) if post is not None else self.ago(spec.age)
        with as_of(born):  # journalled then (the ledger's idea promoted)
            idea = self.create(spec, born)
        idea.created_at = born
        self.voters[spec.title] = list(
            Vote.objects.filter(idea=idea).values_list("contact_id", flat=True)
        )
        closed = spec.history and spec.history[-1].status in (Status.SHIPPED, Status.DECLINED)
        end = self.ago(spec.history[-1].days) if closed else self.now
        planned = self.plan_votes(spec, idea, born, end)
        events: list[tuple[datetime, int, Step | int]] = [
            (self.ago(step.days), 1, step) for step in spec.history
        ]
        for i in spec.from_posts:
            if (p := self.posts.get(i)) is not None:
                events.append((max(p.posted_at, born), 0, i))
        for at, _, what in sorted(events, key=lambda e: (e[0], e[1])):
            planned = self.store(idea, planned, at)
            if isinstance(what, Step):
                if what.status == Status.SHIPPED and spec.do_not_contact:
                    self.ask_not_to_be_contacted(idea)
                self.change(idea, what, at)
                idea.refresh_from_db()
            else:
                self.vote_with_post(idea, what)
        self.store(idea, planned, None)
        votes.recount(idea)
        return idea

    def ask_not_to_be_contacted(self, idea: Idea) -> None:
        """One voter of the idea asked not to be contacted: the announcement skips them."""
        vote = (
            Vote.objects.filter(idea=idea, source=Vote.Source.PORTAL, counted=True)
            .order_by("created_at", "id")
            .select_related("contact")
            .first()
        )
        if vote is not None:
            update_contact(self.member("maya"), vote.contact, do_not_contact=True)

    # ---- the rest ----------------------------------------------------------------------

    def comments(self) -> None:
        for title, who, days, text, public in COMMENTS:
            idea = self.ideas.get(title)
            if idea is None:
                continue
            if who.startswith("customer:"):
                voters = self.voters.get(title, [])
                n = int(who.split(":")[1])
                if not voters:
                    continue
                contact = Contact.objects.get(pk=voters[n % len(voters)])
                note = actions.comment(None, idea, text, contact=contact)
            else:
                note = actions.comment(self.member(who), idea, text, public=public)
            at = max(self.ago(days), idea.created_at + timedelta(hours=1))
            Comment.objects.filter(pk=note.pk).update(created_at=at)

    def load(self) -> None:
        for spec in sorted(IDEAS, key=lambda s: -s.age):
            self.ideas[spec.title] = self.live(spec)
        duplicate, into = MERGED
        if duplicate in self.ideas and into in self.ideas:
            merge_ideas(self.member(PRODUCT_LEAD), self.ideas[duplicate], self.ideas[into])
        self.comments()


def load(workspace: Workspace, owner: Membership) -> None:
    """The idea portal, with Acme's name and colours, and its product areas."""
    Portal.objects.get_or_create(workspace=workspace, defaults=PORTAL)
    have = set(Area.objects.filter(workspace=workspace).values_list("name", flat=True))
    for name in AREAS:
        if name not in have:
            actions.create_area(owner, name=name)


def finish(workspace: Workspace, owner: Membership) -> None:
    """The ideas, their votes, status history and comments (once).

    The demo's customers are made up: the emails announcing their ideas' news are kept in
    memory (Django's locmem backend), not printed to the console of `make run` (some 400 of
    them) nor sent; the announcements themselves are recorded as sent, as in a real workspace.
    """
    if Idea.objects.filter(workspace=workspace).exists():
        return
    with override_settings(EMAIL_BACKEND="django.core.mail.backends.locmem.EmailBackend"):
        Loader(workspace, owner).load()
