"""The demo workspace, Acme Bank: its teams and people. The other modules of `rapport.demo` add
each domain's demo data, in the order of `rapport.demo.loaders`, after this one.
"""

from dataclasses import dataclass

from rapport.core import actions
from rapport.core.models import DEMO_WORKSPACE_SLUG, Membership, Team, User, Workspace
from rapport.core.roles import Role

DEMO_PASSWORD = "acme-demo-2026"

TEAMS = {
    "Social Care": "Answers customers on every network, first line for complaints.",
    "Sales": "Turns people asking for a product into customers.",
    "R&D": "Builds the products; takes ideas and expert questions.",
    "Credit": "Credit officers: approve credits, refunds and payment plans.",
    "Senior credit officers": "Approve credits, refunds and write-offs above the agents' limit.",
    "Marketing": "Brand, campaigns and the listening queries behind them.",
    "HR": "Recognises the people whose collaboration makes it work.",
}


@dataclass(frozen=True)
class DemoPerson:
    full_name: str
    email: str
    role: Role
    title: str
    teams: tuple[str, ...] = ()


PEOPLE = [
    DemoPerson("Olivia Hart", "olivia@acme.example", Role.OWNER, "Head of Customer Experience"),
    DemoPerson("Adam Reyes", "adam@acme.example", Role.ADMIN, "CRM administrator"),
    DemoPerson(
        "Maya Chen", "maya@acme.example", Role.MANAGER, "Social Care lead", ("Social Care",)
    ),
    DemoPerson("Sam Okafor", "sam@acme.example", Role.AGENT, "Social Care agent", ("Social Care",)),
    DemoPerson(
        "Priya Nair", "priya@acme.example", Role.AGENT, "Social Care agent", ("Social Care",)
    ),
    DemoPerson("Leo Martins", "leo@acme.example", Role.MANAGER, "Sales lead", ("Sales",)),
    DemoPerson("Nora Blake", "nora@acme.example", Role.AGENT, "Mortgage advisor", ("Sales",)),
    DemoPerson("Ravi Patel", "ravi@acme.example", Role.EMPLOYEE, "Mobile app engineer", ("R&D",)),
    DemoPerson(
        "Ingrid Sorensen",
        "ingrid@acme.example",
        Role.MANAGER,
        "Senior credit officer",
        ("Credit", "Senior credit officers"),
    ),
    DemoPerson("Tom Becker", "tom@acme.example", Role.EMPLOYEE, "Accountant", ("Credit",)),
    DemoPerson("Chloe Dubois", "chloe@acme.example", Role.MANAGER, "Brand manager", ("Marketing",)),
    DemoPerson("Hana Kim", "hana@acme.example", Role.EMPLOYEE, "HR partner", ("HR",)),
    DemoPerson("Victor Lang", "victor@acme.example", Role.VIEWER, "Internal auditor"),
]


def _user(person: DemoPerson) -> User:
    user = User.objects.filter(email=person.email).first()
    if user is None:
        user = User.objects.create_user(person.email, DEMO_PASSWORD, full_name=person.full_name)
    return user


def create_workspace() -> tuple[Workspace, Membership]:
    """Acme Bank and its owner, created once; later calls return what is there."""
    owner_user = _user(PEOPLE[0])
    workspace = Workspace.objects.filter(slug=DEMO_WORKSPACE_SLUG).first()
    if workspace is None:
        workspace = actions.create_workspace(
            name="Acme Bank",
            slug=DEMO_WORKSPACE_SLUG,
            owner=owner_user,
            owner_title=PEOPLE[0].title,
        )
    owner = Membership.objects.get(workspace=workspace, user=owner_user)
    return workspace, owner


def load(workspace: Workspace, owner: Membership) -> None:
    teams = {}
    for name, description in TEAMS.items():
        team = Team.objects.filter(workspace=workspace, name=name).first()
        teams[name] = team or actions.create_team(owner, name=name, description=description)
    for person in PEOPLE:
        user = _user(person)
        member = Membership.objects.filter(workspace=workspace, user=user).first()
        if member is None:
            member = actions.add_member(
                owner, email=person.email, role=person.role, title=person.title
            )
        for team_name in person.teams:
            if not teams[team_name].members.filter(pk=member.pk).exists():
                actions.add_team_member(owner, teams[team_name], member)
