"""Acme Bank's skills and who carries them, so "ask an expert" and routing by skill have people.

Idempotent: skills and holdings that exist are left as they are.
"""

from rapport.core.models import Membership, Workspace
from rapport.people import actions
from rapport.people.models import Level, MemberSkill, Skill

SKILLS = {
    "cards": "Card declines, freezes, lost and stolen cards, chargebacks.",
    "mortgages": "Rates, applications, payment holidays and disputes.",
    "mobile app": "The Acme Bank app on iOS and Android: login, payments, notifications.",
    "R&D: savings products": "How the savings accounts work and what is coming next.",
    "payments": "Transfers, direct debits, standing orders, fees.",
    "credit decisions": "Refunds, goodwill credits and payment plans that need an officer.",
    "fees and refunds": "Which fees apply and when a refund is due.",
    "campaigns": "What marketing is running, its offers and its terms.",
    "recognition": "Kudos, rewards and recognising collaboration.",
    "accounting": "Statements, interest calculations, reconciliations.",
}

E, P, L = Level.EXPERT, Level.PRACTISED, Level.LEARNING

# Email name (before @acme.example) -> the skills they carry, with levels.
HOLDINGS: dict[str, list[tuple[str, Level]]] = {
    "maya": [("cards", E), ("mortgages", P), ("fees and refunds", E)],
    "sam": [("cards", E), ("payments", P), ("mobile app", L)],
    "priya": [("cards", P), ("mortgages", E), ("fees and refunds", P)],
    "leo": [("mortgages", P), ("campaigns", P)],
    "nora": [("mortgages", E), ("R&D: savings products", P)],
    "ravi": [("mobile app", E), ("R&D: savings products", E), ("payments", P)],
    "ingrid": [("credit decisions", E), ("mortgages", E)],
    "tom": [("accounting", E), ("fees and refunds", P), ("credit decisions", L)],
    "chloe": [("campaigns", E)],
    "hana": [("recognition", E)],
    "adam": [("mobile app", P)],
}


def load(workspace: Workspace, owner: Membership) -> None:
    skills = {s.name: s for s in Skill.objects.filter(workspace=workspace)}
    for name, description in SKILLS.items():
        if name not in skills:
            skills[name] = actions.create_skill(owner, name=name, description=description)
    members = {
        m.user.email.split("@")[0]: m
        for m in Membership.objects.filter(workspace=workspace).select_related("user")
    }
    held = set(
        MemberSkill.objects.filter(member__workspace=workspace).values_list(
            "member_id", "skill__name"
        )
    )
    for person, holdings in HOLDINGS.items():
        member = members.get(person)
        if member is None:
            continue
        for name, level in holdings:
            if (member.pk, name) not in held:
                actions.set_member_skill(owner, member, skill=skills[name], level=level)
