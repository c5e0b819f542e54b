"""Cases in the demo workspace: Acme Bank's cross-department work, in every state of the state
machine, with tasks (back office included) and comments, one opened from a real conversation.
The payment dispute is a "Payment dispute" case (custom fields: amount, account number) with a
public status link and public updates, and a duplicate merged into it; the app logout defect has
a child case; a comment mentions a whole team.

Idempotent: a case is found by its subject and left alone when it exists. The approvals on these
cases follow, in `rapport.demo.case_approvals`.
"""

import datetime
from dataclasses import dataclass, field
from typing import Any

from django.utils import timezone

from rapport.cases import actions, merge
from rapport.cases.models import Case, CaseType
from rapport.cases.public import create_public_link
from rapport.core.models import Membership, Team, Workspace
from rapport.core.roles import Role
from rapport.inbox.models import Conversation

# The status each case is walked to, through the allowed transitions.
PATHS = {
    "new": [],
    "open": ["open"],
    "waiting_customer": ["open", "waiting_customer"],
    "waiting_approval": ["open", "waiting_approval"],
    "waiting_third_party": ["open", "waiting_third_party"],
    "resolved": ["open", "resolved"],
    "closed": ["open", "resolved", "closed"],
}


@dataclass(frozen=True)
class DemoCase:
    subject: str
    team: str
    owner: str
    status: str
    priority: str
    description: str
    tags: tuple[str, ...] = ()
    # (title, assignee's email, days until due, done)
    tasks: tuple[tuple[str, str, int, bool], ...] = ()
    # (author's email, body, public)
    comments: tuple[tuple[str, str, bool], ...] = ()
    from_conversation: bool = False
    extra: dict[str, str] = field(default_factory=dict)
    case_type: str = ""
    fields: dict[str, Any] = field(default_factory=dict)


PAYMENT_DISPUTE = "Payment dispute"
PAYMENT_DISPUTE_SCHEMA: dict[str, Any] = {
    "type": "object",
    "properties": {
        "amount": {"type": "number", "title": "Amount to credit (€)", "minimum": 0},
        "account_number": {
            "type": "string",
            "title": "Account number",
            "description": "The customer's 8-digit account number",
            "pattern": "^[0-9]{8}$",
        },
    },
}
DISPUTE = "Mortgage payment taken twice"


CASES = [
    DemoCase(
        "Mortgage payment taken twice",
        "Social Care",
        "sam@acme.example",
        "waiting_approval",
        "high",
        "The customer's May mortgage payment was collected twice; they want the €620 back.",
        ("payment-dispute",),
        (
            ("Confirm the double collection in the ledger", "tom@acme.example", 1, True),
            ("Approve the €620 credit", "ingrid@acme.example", 2, False),
            ("Issue the credit and tell the customer", "sam@acme.example", 3, False),
        ),
        (
            ("tom@acme.example", "Confirmed: two collections on 3 May, ref MX-2291.", False),
            ("sam@acme.example", "@ingrid this is above 500, it needs your approval.", False),
            ("sam@acme.example", "We found the double payment and are refunding it.", True),
        ),
        from_conversation=True,
        case_type=PAYMENT_DISPUTE,
        fields={"amount": 620, "account_number": "40118832"},
    ),
    DemoCase(
        "App logs customers out after the 4.2 update",
        "R&D",
        "ravi@acme.example",
        "open",
        "urgent",
        "Several customers report being logged out every few minutes since app 4.2.",
        ("product-defect", "mobile"),
        (
            ("Reproduce on Android 14", "ravi@acme.example", 1, True),
            ("Find the cause in the session refresh", "ravi@acme.example", 3, False),
        ),
        (("ravi@acme.example", "Reproduced: the refresh token is dropped on resume.", False),),
    ),
    DemoCase(
        "Card blocked abroad",
        "Social Care",
        "priya@acme.example",
        "waiting_customer",
        "normal",
        "Card blocked in Lisbon; we need the customer to confirm the last three transactions.",
        ("cards",),
        (),
        (("priya@acme.example", "Please confirm your last three transactions in the app.", True),),
    ),
    DemoCase(
        "Fee refund for a failed transfer",
        "Credit",
        "ingrid@acme.example",
        "waiting_third_party",
        "normal",
        "The SEPA transfer bounced at the receiving bank; waiting for their trace.",
        ("fees",),
        (("Chase the receiving bank for the trace", "tom@acme.example", 5, False),),
    ),
    DemoCase(
        "Remortgage offer for a loyal customer",
        "Sales",
        "nora@acme.example",
        "new",
        "normal",
        "Asked on social media whether we can beat a competitor's remortgage rate.",
        ("lead",),
    ),
    DemoCase(
        "Wrong name on the statement",
        "Social Care",
        "maya@acme.example",
        "resolved",
        "low",
        "The statement showed the customer's maiden name.",
        (),
        (("Update the name in the core system", "tom@acme.example", 0, True),),
        (("maya@acme.example", "Your statements now show your current name.", True),),
    ),
    DemoCase(
        "Branch closing hours complaint",
        "Marketing",
        "chloe@acme.example",
        "closed",
        "low",
        "A customer complained publicly that the opening hours online were wrong.",
        ("brand",),
        (("Correct the hours on the website", "chloe@acme.example", 0, True),),
        (("chloe@acme.example", "Thanks for telling us; the hours are fixed.", True),),
    ),
]


def load(workspace: Workspace, owner: Membership) -> None:
    members = {
        m.user.email: m
        for m in Membership.objects.filter(workspace=workspace).select_related("user")
    }
    teams = {t.name: t for t in Team.objects.filter(workspace=workspace)}
    existing = set(Case.objects.filter(workspace=workspace).values_list("subject", flat=True))
    today = timezone.localdate()
    types = {PAYMENT_DISPUTE: _payment_dispute_type(owner)}
    for spec in CASES:
        if spec.subject in existing:
            continue
        owner_member = members.get(spec.owner, owner)
        fields: dict[str, Any] = {
            "description": spec.description,
            "priority": spec.priority,
            "team": teams.get(spec.team),
            # A new case is one nobody has picked up yet.
            "owner": None if spec.status == "new" else owner_member,
            "tags": list(spec.tags),
        }
        if spec.case_type:
            fields["case_type"] = types[spec.case_type]
            fields["custom_fields"] = dict(spec.fields)
        conv = None
        if spec.from_conversation:
            conv = (
                Conversation.objects.filter(
                    workspace=workspace, intent="complaint", merged_into__isnull=True
                )
                .order_by("-last_activity_at")
                .first()
            )
        if conv is not None:
            case = actions.open_case_from_conversation(
                owner_member, conv, subject=spec.subject, **fields
            )
        else:
            case = actions.create_case(owner_member, subject=spec.subject, **fields)
        tasks = []
        for title, email, days, done in spec.tasks:
            tasks.append(
                (
                    actions.add_task(
                        owner_member,
                        case,
                        title=title,
                        assignee=members.get(email),
                        due_date=today + datetime.timedelta(days=days),
                        checklist=["Check the details", "Note what was done"],
                    ),
                    done,
                )
            )
        for email, body, public in spec.comments:
            author = members.get(email, owner)
            if public and not author.has_role(Role.AGENT):
                author = owner_member
            actions.add_comment(author, case, body=body, public=public)
        for task, done in tasks:
            if done or spec.status in ("resolved", "closed"):
                actions.update_task(task.assignee or owner, task, status="done")
        mover = owner_member if owner_member.has_role(Role.AGENT) else owner
        for to in PATHS[spec.status]:
            if case.status != to:
                actions.transition(mover, case, to=to)
    _structure_and_collaboration(workspace, owner, members)


def _payment_dispute_type(owner: Membership) -> CaseType:
    """The type with its schema; playbooks' demo finds it by name and attaches its playbook."""
    found = CaseType.objects.filter(workspace=owner.workspace, name__iexact=PAYMENT_DISPUTE).first()
    if found is None:
        return actions.create_case_type(owner, name=PAYMENT_DISPUTE, schema=PAYMENT_DISPUTE_SCHEMA)
    if "account_number" not in found.schema.get("properties", {}):
        props = {**PAYMENT_DISPUTE_SCHEMA["properties"], **found.schema.get("properties", {})}
        schema = {**PAYMENT_DISPUTE_SCHEMA, **found.schema, "properties": props}
        actions.update_case_type(owner, found, schema=schema)
    return found


def _structure_and_collaboration(
    workspace: Workspace, owner: Membership, members: dict[str, Membership]
) -> None:
    """A child case, a merged duplicate, a public link with updates and a team mention."""
    cases = {c.subject: c for c in Case.objects.filter(workspace=workspace)}
    sam, priya = members.get("sam@acme.example", owner), members.get("priya@acme.example", owner)
    ravi, ingrid = (
        members.get("ravi@acme.example", owner),
        members.get("ingrid@acme.example", owner),
    )
    teams = {t.name: t for t in Team.objects.filter(workspace=workspace)}
    defect = cases.get("App logs customers out after the 4.2 update")
    child = "Ship app 4.2.1 with the session refresh fix"
    if defect is not None and child not in cases:
        actions.create_case(
            ravi,
            subject=child,
            description="The release that fixes the logouts; the parent case tracks the reports.",
            team=teams.get("R&D"),
            owner=ravi,
            priority="high",
            parent=defect,
        )
    dispute = cases.get(DISPUTE)
    if dispute is None:
        return
    duplicate = "Charged twice for my mortgage in May"
    if duplicate not in cases:
        copy = actions.create_case(
            priya,
            subject=duplicate,
            description="The same customer wrote again by email about the double collection.",
            team=teams.get("Social Care"),
            owner=priya,
        )
        actions.add_comment(priya, copy, body=f"Same customer and payment as #{dispute.pk}.")
        merge.merge(priya, copy, into=dispute)
    create_public_link(sam, dispute)
    update = "A senior credit officer is reviewing the €620 refund; we will update you here."
    if not dispute.comments.filter(body=update).exists():
        actions.add_comment(sam, dispute, body=update, public=True)
    fee = cases.get("Fee refund for a failed transfer")
    note = "@social-care the customer may call about this; the bank's trace is due on Friday."
    if fee is not None and "Social Care" in teams and not fee.comments.filter(body=note).exists():
        actions.add_comment(ingrid, fee, body=note)
