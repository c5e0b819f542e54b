"""Every write endpoint, as every role: what succeeds is what the permission table says.

The endpoints are found, not listed: every API operation that writes (POST, PUT, PATCH,
DELETE, from the live OpenAPI schema) and every web page (from the URL resolver). Each needs an
entry below naming its verb from `rapport/core/permissions.py` and a valid request against real
objects; a new endpoint without one fails this test, and so does a web page listed as a read
that accepts a POST. Each request runs in a savepoint rolled back after it, so every role meets
the same workspace. A member of another workspace gets 404 for every object of this one.
"""

import datetime
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver
from django.utils import timezone

from rapport.approvals import actions as approval_actions
from rapport.approvals import delegations
from rapport.approvals.models import Approval
from rapport.cases import actions as case_actions
from rapport.cases import merge as case_merge
from rapport.cases import public
from rapport.cases.models import Case, Task
from rapport.contacts import actions as contact_actions
from rapport.contacts.merge import merge_contacts
from rapport.contacts.models import Contact, ImportJob, MatchSuggestion, Organization
from rapport.contacts.tests.scenarios import _checked
from rapport.core import actions as core
from rapport.core.models import AuditEvent, Membership, TaskRun, Team
from rapport.core.permissions import Verb, can
from rapport.core.roles import Role
from rapport.engagement import actions as engagement_actions
from rapport.engagement.models import Reply
from rapport.engagement.tests.factories import make_post
from rapport.inbox import actions as inbox_actions
from rapport.inbox import rule_actions
from rapport.inbox.models import Conversation, SavedView
from rapport.inbox.tests.factories import arrive, post
from rapport.listening.tests.scenarios import make_query, make_source, make_webhook
from rapport.notifications.models import Notification
from rapport.people import actions as people_actions
from rapport.playbooks.models import PlaybookRun, PlaybookStep
from rapport.playbooks.tests.scenarios import SIMPLE_BPMN, make_playbook
from rapport.sla import actions as sla_actions
from rapport.sla.tests.factories import calendar, policy
from rapport.triage.tests.factories import triaged_post

SORRY = "Sorry Dana, we are on it. I work at Acme Bank."
ROLES = [Role.OWNER, Role.ADMIN, Role.MANAGER, Role.AGENT, Role.EMPLOYEE, Role.VIEWER]


@dataclass
class World:
    """One workspace with one of everything; `colleague` (an agent) owns what is "someone
    else's"; `me` maps each role to a member who has it; `outsider` owns another workspace."""

    owner: Membership
    colleague: Membership
    me: dict[Role, Membership]
    outsider: Membership
    objs: dict[str, Any] = field(default_factory=dict)

    def __getattr__(self, name: str) -> Any:
        try:
            return self.__dict__["objs"][name]
        except KeyError:
            raise AttributeError(name) from None


@dataclass
class Req:
    path: str
    data: Any = None
    json: bool = True  # API bodies are JSON, web forms are form-encoded (or multipart)


#: A request per endpoint: (world, the member acting) -> Req. Built inside the savepoint, so a
#: builder may make what the request acts on.
Builder = Callable[[World, Membership], Req]


@dataclass(frozen=True)
class Write:
    verb: Verb
    build: Builder
    audited: bool = True  # success leaves an audit event (web forms answer 200 on bad input)


def _today() -> str:
    return timezone.localdate().isoformat()


def _case(w: World, subject: str = "Charged twice") -> Case:
    return case_actions.create_case(w.owner, subject=subject, owner=w.colleague)


def _merged_case(w: World) -> Case:
    duplicate = _case(w, "Charged twice (again)")
    case_merge.merge(w.owner, duplicate, into=_case(w))
    return duplicate


def _colleagues_task(w: World) -> Task:
    return case_actions.add_task(w.owner, _case(w), title="Check the ledger", assignee=w.colleague)


def _my_task(w: World, me: Membership) -> Task:
    return case_actions.add_task(w.owner, _case(w), title="Sign the letter", assignee=me)


def _approval(w: World, *, by: Membership, of: str = Role.EMPLOYEE) -> Approval:
    return approval_actions.request_approval(
        by, _case(w), summary="Refund the double charge", approver_role=of
    )


def _delegation(w: World) -> Any:
    return delegations.delegate(w.colleague, to=w.owner, starts_on=_today(), ends_on=_today())


def _failed_reply(w: World) -> Reply:
    reply = engagement_actions.send_reply(
        w.colleague, make_post(w.owner.workspace), text="Thanks Dana, we are on it. Sam"
    )
    Reply.objects.filter(pk=reply.pk).update(status=Reply.Status.FAILED, last_error="503")
    return reply


def _two_posts(w: World) -> tuple[Conversation, Any]:
    n = Conversation.objects.count()
    first = post(w.owner.workspace, "Login fails", author=f"jo{n}", external_id=f"s{n}")
    second = post(
        w.owner.workspace, "Still failing", author=f"kim{n}", reply_to_external_id=f"s{n}"
    )
    arrive(w.owner.workspace, first, second)
    return Conversation.objects.get(first_post=first), second


def _suggestion(w: World) -> MatchSuggestion:
    a = Contact.objects.create(workspace=w.owner.workspace, name="Maya Chen", email="m@example.com")
    b = Contact.objects.create(workspace=w.owner.workspace, name="Maya Chen", phone="+441632960961")
    return MatchSuggestion.objects.create(workspace=w.owner.workspace, contact=a, other=b, score=0.8)


def _contact_merge(w: World) -> Any:
    a = Contact.objects.create(workspace=w.owner.workspace, name="Ann Lee", email="ann@example.com")
    b = Contact.objects.create(workspace=w.owner.workspace, name="Ann Lee", phone="+441632960962")
    return merge_contacts(w.colleague, a, b)


def _playbook_step(w: World, assignee: Membership) -> PlaybookStep:
    case = case_actions.create_case(
        w.owner, subject="Please call me", case_type=w.playbook.case_type, owner=assignee
    )
    return PlaybookStep.objects.get(run__case=case)


def _running(w: World) -> Case:
    return case_actions.create_case(
        w.owner, subject="Call me back", case_type=w.playbook.case_type, owner=w.colleague
    )


def _failed_run(w: World) -> Case:
    case = _running(w)
    PlaybookRun.objects.filter(case=case).update(status="failed", error="Nobody holds Credit.")
    return case


def build_world(acme: Any, globex: Any) -> World:
    owner = Membership.objects.get(workspace=acme, role=Role.OWNER)
    me = {Role.OWNER: owner}
    for role in ROLES[1:]:
        me[role] = core.add_member(owner, email=f"{role}@acme.example", role=role, password="x")
    colleague = core.add_member(owner, email="colleague@acme.example", role=Role.AGENT)
    outsider = Membership.objects.get(workspace=globex, role=Role.OWNER)
    w = World(owner=owner, colleague=colleague, me=me, outsider=outsider)
    team = core.create_team(owner, name="Social Care")
    core.add_team_member(owner, team, colleague)
    conv, second = _two_posts(w)
    w.objs.update(
        team=team,
        skill=people_actions.create_skill(owner, name="mortgages"),
        case_type=case_actions.create_case_type(owner, name="Dispute"),
        case=_case(w),
        other_case=_case(w, "Charged twice, by phone"),
        conv=conv,
        second_post=second,
        other_conv=_two_posts(w)[0],
        post=make_post(acme),
        triaged=triaged_post(acme),
        replyable_conv=arrive(acme, make_post(acme, handle="fox")).placed[0].conversation,
        contact=Contact.objects.create(workspace=acme, name="Dana Scully", email="d@example.com"),
        other_contact=Contact.objects.create(workspace=acme, name="Dana Scully", phone="+4416329"),
        organization=Organization.objects.create(workspace=acme, name="Initech"),
        source=make_source(owner),
        webhook=make_webhook(owner),
        query=make_query(owner),
        canned=engagement_actions.create_canned(owner, name="Thanks", text="Thank you!"),
        rule=rule_actions.create_rule(
            owner,
            name="Leads to sales",
            conditions=[{"field": "intent", "operator": "is", "value": "lead"}],
            actions=[{"type": "add_tag", "tag": "lead"}],
        ),
        playbook=make_playbook(owner),
        calendar=calendar(owner, name="Head office"),
        sla_policy=policy(owner),
        token=core.create_api_token(colleague, name="colleague's script")[0],
    )
    w.objs["sla_rule"] = sla_actions.add_rule(
        owner, w.sla_policy, when="breach", do="raise_priority"
    )
    return w


# The API --------------------------------------------------------------------------------------

API: dict[str, Write] = {
    "POST /api/v1/approval-delegations": Write(
        Verb.DELEGATE,
        lambda w, me: Req(
            "/api/v1/approval-delegations",
            {"delegate_id": w.colleague.pk, "starts_on": _today(), "ends_on": _today()},
        ),
    ),
    "POST /api/v1/approval-delegations/{delegation_id}/end": Write(
        Verb.OTHERS_APPROVALS,
        lambda w, me: Req(f"/api/v1/approval-delegations/{_delegation(w).pk}/end"),
    ),
    "POST /api/v1/approvals/{approval_id}/attachments": Write(
        Verb.OTHERS_APPROVALS,
        lambda w, me: Req(
            f"/api/v1/approvals/{_approval(w, by=w.colleague).pk}/attachments",
            {"files": [SimpleUploadedFile("note.txt", b"Budget line 12", "text/plain")]},
            json=False,
        ),
    ),
    "POST /api/v1/approvals/{approval_id}/decision": Write(
        Verb.DECIDE_APPROVALS,
        lambda w, me: Req(
            f"/api/v1/approvals/{_approval(w, by=w.colleague).pk}/decision",
            {"decision": "approve"},
        ),
    ),
    "POST /api/v1/canned-responses": Write(
        Verb.MANAGE_CANNED,
        lambda w, me: Req("/api/v1/canned-responses", {"name": "Sorry", "text": "We are sorry."}),
    ),
    "DELETE /api/v1/canned-responses/{canned_id}": Write(
        Verb.MANAGE_CANNED, lambda w, me: Req(f"/api/v1/canned-responses/{w.canned.pk}")
    ),
    "PATCH /api/v1/canned-responses/{canned_id}": Write(
        Verb.MANAGE_CANNED,
        lambda w, me: Req(f"/api/v1/canned-responses/{w.canned.pk}", {"name": "Thanks a lot"}),
    ),
    "POST /api/v1/captures": Write(
        Verb.CAPTURE_POSTS,
        lambda w, me: Req(
            "/api/v1/captures",
            {"url": "https://forum.example/t/9", "text": "Is the app down?", "author": "lu"},
        ),
    ),
    "POST /api/v1/case-types": Write(
        Verb.CASE_TYPES, lambda w, me: Req("/api/v1/case-types", {"name": "Complaint"})
    ),
    "PATCH /api/v1/case-types/{type_id}": Write(
        Verb.CASE_TYPES,
        lambda w, me: Req(f"/api/v1/case-types/{w.case_type.pk}", {"name": "Payment dispute"}),
    ),
    "POST /api/v1/case-types/{type_id}/playbook": Write(
        Verb.PLAYBOOKS,
        lambda w, me: Req(
            f"/api/v1/case-types/{w.case_type.pk}/playbook",
            {"bpmn": SimpleUploadedFile("call.bpmn", SIMPLE_BPMN.encode(), "text/xml")},
            json=False,
        ),
    ),
    "POST /api/v1/cases": Write(
        Verb.OPEN_CASES, lambda w, me: Req("/api/v1/cases", {"subject": "Card declined"})
    ),
    "PATCH /api/v1/cases/{case_id}": Write(
        Verb.CHANGE_CASES,
        lambda w, me: Req(f"/api/v1/cases/{w.case.pk}", {"priority": "high", "owner_id": me.pk}),
    ),
    "POST /api/v1/cases/{case_id}/approvals": Write(
        Verb.ASK_APPROVAL,
        lambda w, me: Req(
            f"/api/v1/cases/{w.case.pk}/approvals",
            {"summary": "Refund 40 EUR", "approver_role": "manager"},
        ),
    ),
    "POST /api/v1/cases/{case_id}/comments": Write(
        Verb.COMMENT,
        lambda w, me: Req(f"/api/v1/cases/{w.case.pk}/comments", {"body": "Looking into it"}),
    ),
    "POST /api/v1/cases/{case_id}/merge": Write(
        Verb.MERGE_CASES,
        lambda w, me: Req(f"/api/v1/cases/{w.other_case.pk}/merge", {"into": w.case.pk}),
    ),
    "POST /api/v1/cases/{case_id}/playbook": Write(
        Verb.RUN_PLAYBOOKS,
        lambda w, me: Req(
            f"/api/v1/cases/{_case(w).pk}/playbook", {"playbook_id": w.playbook.pk}
        ),
    ),
    "DELETE /api/v1/cases/{case_id}/public-link": Write(
        Verb.SHARE_STATUS,
        lambda w, me: Req(
            f"/api/v1/cases/{public.create_public_link(w.owner, _case(w)).case_id}/public-link"
        ),
    ),
    "POST /api/v1/cases/{case_id}/public-link": Write(
        Verb.SHARE_STATUS, lambda w, me: Req(f"/api/v1/cases/{w.case.pk}/public-link")
    ),
    "POST /api/v1/cases/{case_id}/tasks": Write(
        Verb.ADD_TASKS,
        lambda w, me: Req(f"/api/v1/cases/{w.case.pk}/tasks", {"title": "Call the branch"}),
    ),
    "POST /api/v1/cases/{case_id}/unmerge": Write(
        Verb.UNMERGE_CASES, lambda w, me: Req(f"/api/v1/cases/{_merged_case(w).pk}/unmerge")
    ),
    "POST /api/v1/contacts": Write(
        Verb.ADD_CONTACTS, lambda w, me: Req("/api/v1/contacts", {"name": "Fox Mulder"})
    ),
    "DELETE /api/v1/contacts/{contact_id}": Write(
        Verb.DELETE_CONTACTS, lambda w, me: Req(f"/api/v1/contacts/{w.contact.pk}")
    ),
    "PATCH /api/v1/contacts/{contact_id}": Write(
        Verb.CHANGE_CONTACTS,
        lambda w, me: Req(
            f"/api/v1/contacts/{w.contact.pk}",
            {"email": "dana@fbi.example", "do_not_contact": True},
        ),
    ),
    "POST /api/v1/contacts/{contact_id}/merge": Write(
        Verb.MERGE_CONTACTS,
        lambda w, me: Req(
            f"/api/v1/contacts/{w.contact.pk}/merge", {"other_id": w.other_contact.pk}
        ),
    ),
    "POST /api/v1/contacts/{contact_id}/unmerge": Write(
        Verb.UNMERGE_ANY,
        lambda w, me: Req(f"/api/v1/contacts/{_contact_merge(w).merged_id}/unmerge"),
    ),
    "PATCH /api/v1/conversations/{conversation_id}": Write(
        Verb.WORK_CONVERSATIONS,
        lambda w, me: Req(
            f"/api/v1/conversations/{w.conv.pk}", {"priority": "urgent", "tags": ["vip"]}
        ),
    ),
    "POST /api/v1/conversations/{conversation_id}/notes": Write(
        Verb.ADD_NOTES,
        lambda w, me: Req(f"/api/v1/conversations/{w.conv.pk}/notes", {"body": "Known issue"}),
    ),
    "POST /api/v1/conversations/{conversation_id}/replies": Write(
        Verb.REPLY,
        lambda w, me: Req(
            f"/api/v1/conversations/{w.replyable_conv.pk}/replies", {"text": SORRY}
        ),
    ),
    "POST /api/v1/dedupe-runs": Write(Verb.DEDUPE, lambda w, me: Req("/api/v1/dedupe-runs", {})),
    "PATCH /api/v1/engagement-policy": Write(
        Verb.ENGAGEMENT_POLICY,
        lambda w, me: Req("/api/v1/engagement-policy", {"disclosure": "Sent by Acme staff"}),
    ),
    "POST /api/v1/imports": Write(
        Verb.IMPORT_CONTACTS,
        lambda w, me: Req(
            "/api/v1/imports",
            {
                "file": SimpleUploadedFile(
                    "people.csv", b"email,name\nmaya@example.com,Maya Chen\n", "text/csv"
                ),
                "mapping": "custom",
                "columns": '{"email": "email", "name": "name"}',
            },
            json=False,
        ),
    ),
    "POST /api/v1/imports/{job_id}/confirm": Write(
        Verb.IMPORT_CONTACTS,
        lambda w, me: Req(
            f"/api/v1/imports/{_checked(w.owner).pk}/confirm", {"valid_rows_only": True}
        ),
    ),
    "POST /api/v1/merge-suggestions/{suggestion_id}/accept": Write(
        Verb.MERGE_CONTACTS,
        lambda w, me: Req(f"/api/v1/merge-suggestions/{_suggestion(w).pk}/accept", {}),
    ),
    "POST /api/v1/merge-suggestions/{suggestion_id}/reject": Write(
        Verb.MERGE_CONTACTS,
        lambda w, me: Req(f"/api/v1/merge-suggestions/{_suggestion(w).pk}/reject"),
    ),
    "POST /api/v1/notifications/read": Write(
        Verb.READ_NOTIFICATIONS,
        lambda w, me: Req("/api/v1/notifications/read", {"all": True}),
        audited=False,
    ),
    "POST /api/v1/posts": Write(
        Verb.ADD_POSTS,
        lambda w, me: Req(
            "/api/v1/posts",
            {
                "posts": [
                    {
                        "network": "mastodon",
                        "external_id": "pushed-1",
                        "text": "The app logs me out",
                        "author": {"id": "42", "handle": "dana", "name": "Dana", "reach": 310},
                        "url": "https://mastodon.example/@dana/pushed-1",
                        "created_at": "2024-03-05T10:12:44Z",
                    }
                ]
            },
        ),
        audited=False,
    ),
    "POST /api/v1/posts/{post_id}/replies": Write(
        Verb.REPLY,
        lambda w, me: Req(f"/api/v1/posts/{w.post.pk}/replies", {"text": SORRY}),
    ),
    "POST /api/v1/posts/{post_id}/replies/check": Write(
        Verb.REPLY,
        lambda w, me: Req(f"/api/v1/posts/{w.post.pk}/replies/check", {"text": "Sorry."}),
        audited=False,
    ),
    "POST /api/v1/posts/{post_id}/triage-correction": Write(
        Verb.CORRECT_TRIAGE,
        lambda w, me: Req(
            f"/api/v1/posts/{w.triaged.pk}/triage-correction",
            {"field": "sentiment", "value": "negative"},
        ),
    ),
    "POST /api/v1/queries": Write(
        Verb.MANAGE_QUERIES,
        lambda w, me: Req("/api/v1/queries", {"name": "Rivals", "query": "globex"}),
    ),
    "DELETE /api/v1/queries/{query_id}": Write(
        Verb.MANAGE_QUERIES, lambda w, me: Req(f"/api/v1/queries/{w.query.pk}")
    ),
    "PATCH /api/v1/queries/{query_id}": Write(
        Verb.MANAGE_QUERIES,
        lambda w, me: Req(f"/api/v1/queries/{w.query.pk}", {"query": "acme"}),
    ),
    "POST /api/v1/replies/{reply_id}/retry": Write(
        Verb.RETRY_OTHERS_REPLIES,
        lambda w, me: Req(f"/api/v1/replies/{_failed_reply(w).pk}/retry"),
    ),
    "POST /api/v1/routing-rules": Write(
        Verb.MANAGE_ROUTING_RULES,
        lambda w, me: Req(
            "/api/v1/routing-rules",
            {"name": "VIPs", "actions": [{"type": "add_tag", "tag": "vip"}]},
        ),
    ),
    "POST /api/v1/routing-rules/dry-run": Write(
        Verb.SEE_ROUTING_RULES,
        lambda w, me: Req(
            "/api/v1/routing-rules/dry-run", {"actions": [{"type": "add_tag", "tag": "vip"}]}
        ),
        audited=False,
    ),
    "DELETE /api/v1/routing-rules/{rule_id}": Write(
        Verb.MANAGE_ROUTING_RULES, lambda w, me: Req(f"/api/v1/routing-rules/{w.rule.pk}")
    ),
    "PATCH /api/v1/routing-rules/{rule_id}": Write(
        Verb.MANAGE_ROUTING_RULES,
        lambda w, me: Req(f"/api/v1/routing-rules/{w.rule.pk}", {"enabled": False}),
    ),
    "POST /api/v1/sources": Write(
        Verb.MANAGE_SOURCES,
        lambda w, me: Req(
            "/api/v1/sources",
            {
                "name": "Status blog",
                "connector": "rss",
                "config": {"feeds": ["https://status.acme.example/feed.xml"]},
            },
        ),
    ),
    "DELETE /api/v1/sources/{source_id}": Write(
        Verb.DELETE_SOURCES, lambda w, me: Req(f"/api/v1/sources/{w.source.pk}")
    ),
    "PATCH /api/v1/sources/{source_id}": Write(
        Verb.MANAGE_SOURCES,
        lambda w, me: Req(f"/api/v1/sources/{w.source.pk}", {"name": "Acme news"}),
    ),
    "POST /api/v1/sources/{source_id}/pause": Write(
        Verb.PAUSE_SOURCES, lambda w, me: Req(f"/api/v1/sources/{w.source.pk}/pause")
    ),
    "POST /api/v1/sources/{source_id}/resume": Write(
        Verb.PAUSE_SOURCES, lambda w, me: Req(f"/api/v1/sources/{w.source.pk}/resume")
    ),
    "POST /api/v1/sources/{source_id}/rotate-secret": Write(
        Verb.SOURCE_CREDENTIALS,
        lambda w, me: Req(f"/api/v1/sources/{w.webhook.pk}/rotate-secret"),
    ),
    "POST /api/v1/tasks/worker-check": Write(
        Verb.BACKGROUND_TASKS, lambda w, me: Req("/api/v1/tasks/worker-check")
    ),
    "PATCH /api/v1/tasks/{run_id}": Write(
        Verb.CHANGE_TASKS,
        lambda w, me: Req(f"/api/v1/tasks/{_colleagues_task(w).pk}", {"status": "done"}),
    ),
    "POST /api/v1/teams": Write(Verb.TEAMS, lambda w, me: Req("/api/v1/teams", {"name": "R&D"})),
    "DELETE /api/v1/teams/{team_id}": Write(
        Verb.TEAMS, lambda w, me: Req(f"/api/v1/teams/{w.team.pk}")
    ),
    "PATCH /api/v1/teams/{team_id}": Write(
        Verb.TEAMS,
        lambda w, me: Req(f"/api/v1/teams/{w.team.pk}", {"name": "Customer Care"}),
    ),
}

#: Writes that no member makes: a network calls them, signed with the source's secret.
API_PUBLIC = {"POST /api/v1/webhooks/{source_id}"}


def api_writes() -> set[str]:
    """Every writing operation of the live API schema, as "METHOD /path"."""
    resolver = get_resolver()
    api = resolver.resolve("/api/v1/openapi.json").func.keywords["api"]
    schema = api.get_openapi_schema()
    return {
        f"{method.upper()} {path}"
        for path, operations in schema["paths"].items()
        for method in operations
        if method in ("post", "put", "patch", "delete")
    }


# The runner -------------------------------------------------------------------------------------


class _Undo(Exception):
    pass


@dataclass
class Outcome:
    status: int
    audited: bool
    body: str


def attempt(build: Callable[[], Req], send: Callable[[Req], Any]) -> Outcome:
    """Builds the request and sends it in a savepoint that is rolled back: every attempt meets
    the same workspace."""
    outcome: Outcome | None = None
    try:
        with transaction.atomic():
            req = build()
            before = AuditEvent.objects.count()
            response = send(req)
            outcome = Outcome(
                response.status_code,
                AuditEvent.objects.count() > before,
                response.content[:300].decode(errors="replace"),
            )
            raise _Undo
    except _Undo:
        pass
    assert outcome is not None
    return outcome


def judge(where: str, role: str, verb: Verb, outcome: Outcome, *, audited: bool) -> str:
    """'' when the outcome is what the table says, else what went wrong."""
    allowed = can(role, verb)
    succeeded = outcome.status < 400 and (outcome.audited or not audited)
    if allowed and succeeded:
        return ""
    # 404: the member may not even see the thing (an approval asked of someone else)
    if not allowed and outcome.status in (403, 404) and not outcome.audited:
        return ""
    said = "may" if allowed else "may not"
    return f"{where} as {role} ({said} {verb.doing}): {outcome.status} {outcome.body!r}"


@pytest.fixture
def world(acme, globex) -> World:
    return build_world(acme, globex)


def _api_client(member: Membership) -> Client:
    _, raw = core.create_api_token(member, name="role test")
    return Client(headers={"Authorization": f"Bearer {raw}"})


def _call(client: Client, key: str, req: Req) -> Any:
    method = key.split(" ", 1)[0].lower()
    if not req.json:
        return client.post(req.path, req.data or {})
    return getattr(client, method)(req.path, req.data, content_type="application/json")


def test_every_api_write_has_a_verb():
    missing = api_writes() - set(API) - API_PUBLIC
    gone = (set(API) | API_PUBLIC) - api_writes()
    assert not missing, f"give these API writes an entry (a verb and a request): {missing}"
    assert not gone, f"these entries name API writes that no longer exist: {gone}"


@pytest.mark.django_db
def test_every_api_write_succeeds_exactly_for_the_roles_the_table_allows(world):
    clients = {role: _api_client(member) for role, member in world.me.items()}
    wrong = []
    for key, write in sorted(API.items()):
        for role, member in world.me.items():

            outcome = attempt(
                lambda write=write, member=member: write.build(world, member),  # type: ignore[misc]
                lambda req, key=key, client=clients[role]: _call(client, key, req),  # type: ignore[misc]
            )
            problem = judge(key, role, write.verb, outcome, audited=write.audited)
            if problem:
                wrong.append(problem)
    assert not wrong, "\n".join(wrong)


@pytest.mark.django_db
def test_no_api_write_reaches_another_workspaces_objects(world):
    client = _api_client(world.outsider)
    wrong = []
    for key, write in sorted(API.items()):
        if "{" not in key:
            continue

        outcome = attempt(
            lambda write=write: write.build(world, world.owner),  # type: ignore[misc]
            lambda req, key=key: _call(client, key, req),  # type: ignore[misc]
        )
        if outcome.status != 404 or outcome.audited:
            wrong.append(f"{key} from another workspace: {outcome.status} {outcome.body!r}")
    assert not wrong, "\n".join(wrong)
