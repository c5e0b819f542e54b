"""A product team's ideas at Acme Bank, for the browser flows of the Ideas pages: areas, customers
of every tier, ideas in every status with votes spread over the last weeks, comments, a shipped
idea with its announcements (one follower skipped: do not contact), linked work, a merged duplicate.
"""

from dataclasses import dataclass
from datetime import timedelta
from decimal import Decimal

from django.utils import timezone

from rapport.cases import actions as case_actions
from rapport.contacts.models import Contact
from rapport.core.models import Membership
from rapport.engagement.tests.factories import make_post
from rapport.ideas import actions, merge, votes
from rapport.ideas.models import Area, Idea, Status, Vote

CUSTOMERS = [
    # name, tier, lifetime value, segment
    ("Helena Marsh", "platinum", 420_000, "Private banking"),
    ("Omar Haddad", "platinum", 185_000, "Private banking"),
    ("Grace Liu", "gold", 64_000, "Small business"),
    ("Tomasz Nowak", "gold", 38_500, "Small business"),
    ("Aisha Bello", "silver", 12_400, "Retail"),
    ("Carlos Ruiz", "silver", 8_900, "Retail"),
    ("Mei Tanaka", "standard", 2_300, "Students"),
    ("Liam O'Brien", "standard", 640, "Students"),
    ("Sofia Rossi", "standard", 1_150, "Retail"),
    ("Noah Fischer", "", 0, ""),
]

IDEAS = [
    # title, body, area, status, note, voters (indexes into CUSTOMERS), weeks ago of the votes
    (
        "Apple Pay for debit cards",
        "Customers want to pay with their phone at the till. **Most asked** by small businesses.",
        "Cards",
        Status.SHIPPED,
        "Out in app 4.2: add your debit card to Wallet from the card screen.",
        [0, 1, 2, 3, 4, 6],
        [9, 8, 8, 6, 5, 3],
    ),
    (
        "Dark mode in the mobile app",
        "A dark theme for night use; the white screens hurt at night.",
        "Mobile app",
        Status.PLANNED,
        "On the roadmap for the spring release.",
        [2, 4, 5, 6, 7, 8, 9],
        [4, 3, 2, 2, 1, 0, 0],
    ),
    (
        "Round-up savings into a pot",
        "Round each card payment up to the pound and save the change.",
        "Savings",
        Status.IN_PROGRESS,
        "Being built; beta testers wanted.",
        [4, 5, 6, 7, 8],
        [6, 5, 1, 0, 0],
    ),
    (
        "Freeze my card from my watch",
        "",
        "Cards",
        Status.UNDER_REVIEW,
        "",
        [1, 3, 9],
        [2, 1, 0],
    ),
    (
        "Overpay the mortgage from the app",
        "Let me make an overpayment without calling.",
        "Mortgages",
        Status.NEW,
        "",
        [0, 2],
        [1, 0],
    ),
    (
        "Cheque scanning with the camera",
        "",
        "Mobile app",
        Status.DECLINED,
        "Cheques are rare now; we put the work into faster payments instead.",
        [7],
        [10],
    ),
    ("Joint accounts for three people", "", "", Status.NEW, "", [5, 8], [0, 0]),
    ("Spending insights by category", "", "Mobile app", Status.NEW, "", [6], [0]),
]


@dataclass
class ProductIdeas:
    ideas: dict[str, Idea]
    customers: list[Contact]
    duplicate: Idea


def product_ideas(owner: Membership, employee: Membership, manager: Membership) -> ProductIdeas:
    workspace = owner.workspace
    areas = {
        name: Area.objects.create(workspace=workspace, name=name)
        for name in ("Cards", "Mobile app", "Mortgages", "Savings")
    }
    people = [
        Contact.objects.create(
            workspace=workspace,
            name=name,
            tier=tier,
            lifetime_value=Decimal(value),
            segment=segment,
            email=f"{name.split()[0].lower()}@example.com",
            do_not_contact=name == "Noah Fischer",
        )
        for name, tier, value, segment in CUSTOMERS
    ]
    now = timezone.now()
    made: dict[str, Idea] = {}
    for title, body, area, status, note, voters, weeks in IDEAS:
        idea = actions.create_idea(manager, title=title, body=body, area=areas.get(area))
        for who, ago in zip(voters, weeks, strict=True):
            vote = votes.vote_for(employee, idea, people[who])
            Vote.objects.filter(pk=vote.pk).update(created_at=now - timedelta(weeks=ago, hours=who))
        votes.recount(idea)
        if title == "Apple Pay for debit cards":  # follows it, asked not to be contacted
            actions.follow_idea(None, idea, contact=people[9])
        if status != Status.NEW:
            actions.change_status(manager, idea, status, note)
        made[title] = idea

    watch_post = make_post(
        workspace, "Would love to freeze my card from my watch when I lose it", handle="kiri"
    )
    votes.vote_from_post(employee, made["Freeze my card from my watch"], watch_post)
    apple = made["Apple Pay for debit cards"]
    actions.comment(employee, apple, "Three callers asked for this today alone.", public=False)
    actions.comment(manager, apple, "Thank you all: it is out in 4.2!", public=True)
    case = case_actions.create_case(owner, subject="Apple Pay: card tokenisation with the scheme")
    task = case_actions.add_task(owner, case, title="Wallet provisioning tests")
    actions.link(manager, apple, case=case)
    actions.link(manager, apple, task=task)

    duplicate = actions.create_idea(employee, title="Pay with my phone (Apple Pay)")
    votes.vote_for(employee, duplicate, people[9])
    merge.merge_ideas(manager, duplicate, apple)
    for idea in made.values():
        idea.refresh_from_db()
    return ProductIdeas(made, people, duplicate)
