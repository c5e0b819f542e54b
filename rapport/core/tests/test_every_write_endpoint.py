"""Every write endpoint, as every role: what succeeds is what the permission table says.

The endpoints are found, not listed: every API operation that writes (POST, PUT, PATCH,
DELETE, from the live OpenAPI schema) and every web page (from the URL resolver). Each needs an
entry below naming its verb from `rapport/core/permissions.py` and a valid request against real
objects; a new endpoint without one fails this test, and so does a web page listed as a read
that accepts a POST. Each request runs in a savepoint rolled back after it, so every role meets
the same workspace. A member of another workspace gets 404 for every object of this one.
"""

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import partial
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils import timezone

from rapport.approvals import actions as approval_actions
from rapport.approvals import delegations
from rapport.approvals.models import Approval
from rapport.cases import actions as case_actions
from rapport.cases import merge as case_merge
from rapport.cases import public
from rapport.cases.models import Case, Task
from rapport.contacts.merge import merge_contacts
from rapport.contacts.models import Contact, ImportJob, MatchSuggestion, Organization
from rapport.contacts.tests.scenarios import _checked
from rapport.core import actions as core
from rapport.core.models import AuditEvent, Membership
from rapport.core.permissions import Verb, can
from rapport.core.roles import Role
from rapport.engagement import actions as engagement_actions
from rapport.engagement.models import EngagementPolicy, Reply
from rapport.engagement.tests.factories import make_post
from rapport.ideas import actions as idea_actions
from rapport.ideas import votes as idea_votes
from rapport.ideas.models import Idea
from rapport.inbox import actions as inbox_actions
from rapport.inbox import rule_actions
from rapport.inbox.models import Conversation
from rapport.inbox.tests.factories import arrive, post
from rapport.listening.tests.scenarios import make_query, make_source, make_webhook
from rapport.notifications.models import Notification
from rapport.people import actions as people_actions
from rapport.playbooks.models import PlaybookRun, PlaybookStep
from rapport.playbooks.tests.scenarios import SIMPLE_BPMN, make_playbook
from rapport.recognition import actions as recognition_actions
from rapport.recognition.models import Contribution, Kind, Report
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


def _failed_reply(w: World, author: Membership | None = None) -> Reply:
    """A failed reply of `author`'s (the colleague's; a viewer's cannot exist: theirs too)."""
    author = author if author is not None and can(author, Verb.REPLY) else w.colleague
    reply = engagement_actions.send_reply(author, make_post(w.owner.workspace), text=SORRY)
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
    return MatchSuggestion.objects.create(
        workspace=w.owner.workspace, contact=a, other=b, score=0.8
    )


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
        lambda w, me: Req(f"/api/v1/cases/{_case(w).pk}/playbook", {"playbook_id": w.playbook.pk}),
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
        lambda w, me: Req(f"/api/v1/conversations/{w.replyable_conv.pk}/replies", {"text": SORRY}),
    ),
    "POST /api/v1/dedupe-runs": Write(Verb.DEDUPE, lambda w, me: Req("/api/v1/dedupe-runs", {})),
    "PATCH /api/v1/engagement-policy": Write(
        Verb.ENGAGEMENT_POLICY,
        lambda w, me: Req("/api/v1/engagement-policy", {"disclosure": "Sent by Acme staff"}),
    ),
    "POST /api/v1/idea-areas": Write(
        Verb.IDEA_PORTAL, lambda w, me: Req("/api/v1/idea-areas", {"name": "Cards"})
    ),
    "POST /api/v1/ideas": Write(
        Verb.SUBMIT_IDEAS, lambda w, me: Req("/api/v1/ideas", {"title": "Apple Pay in the app"})
    ),
    "PATCH /api/v1/ideas/{idea_id}": Write(
        Verb.MANAGE_IDEAS,
        lambda w, me: Req(
            f"/api/v1/ideas/{_idea(w).pk}", {"status": "planned", "status_note": "Coming in Q3"}
        ),
    ),
    "POST /api/v1/ideas/{idea_id}/merge": Write(
        Verb.MANAGE_IDEAS,
        lambda w, me: Req(
            f"/api/v1/ideas/{_idea(w).pk}/merge", {"into_id": _idea(w, "Apple Pay, please").pk}
        ),
    ),
    "POST /api/v1/ideas/{idea_id}/votes": Write(
        Verb.VOTE_FOR_CUSTOMERS,
        lambda w, me: Req(f"/api/v1/ideas/{_idea(w).pk}/votes", {"contact_id": w.contact.pk}),
    ),
    "DELETE /api/v1/ideas/{idea_id}/votes/{vote_id}": Write(
        Verb.REMOVE_VOTES, lambda w, me: Req(_idea_vote_path(w))
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
    # Recognition
    "POST /api/v1/kudos": Write(
        Verb.GIVE_KUDOS,
        lambda w, me: Req(
            "/api/v1/kudos",
            {
                "receiver_id": w.colleague.pk,
                "about": "case",
                "object_id": w.case.pk,
                "message": "Thank you!",
            },
        ),
    ),
    "POST /api/v1/reports/recognition": Write(
        Verb.SEE_TEAM_RECOGNITION,
        lambda w, me: Req(
            "/api/v1/reports/recognition",
            {"since": _today(), "until": _today(), "team_id": _recorded_today(w).team_id},
        ),
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

#: The same endpoints again, with the input that makes them need another verb.
API_VARIANTS: dict[str, Write] = {
    "PATCH /api/v1/cases/{case_id} (resolve)": Write(
        Verb.RESOLVE_CASES,
        lambda w, me: Req(f"/api/v1/cases/{w.case.pk}", {"status": "resolved"}),
    ),
    "PATCH /api/v1/cases/{case_id} (reopen a closed case)": Write(
        Verb.REOPEN_CLOSED,
        lambda w, me: Req(f"/api/v1/cases/{_closed_case(w).pk}", {"status": "open"}),
    ),
    "POST /api/v1/cases/{case_id}/comments (public)": Write(
        Verb.PUBLIC_UPDATES,
        lambda w, me: Req(
            f"/api/v1/cases/{w.case.pk}/comments", {"body": "We are on it", "public": True}
        ),
    ),
    "PATCH /api/v1/tasks/{run_id} (your own)": Write(
        Verb.WORK_OWN_TASKS,
        lambda w, me: Req(f"/api/v1/tasks/{_my_task(w, me).pk}", {"status": "done"}),
    ),
    "POST /api/v1/ideas (turn a post into one)": Write(
        Verb.SUBMIT_IDEAS,
        lambda w, me: Req("/api/v1/ideas", {"post_id": make_post(w.owner.workspace).pk}),
    ),
    "POST /api/v1/ideas/{idea_id}/votes (a post's author)": Write(
        Verb.VOTE_FOR_CUSTOMERS,
        lambda w, me: Req(
            f"/api/v1/ideas/{_idea(w).pk}/votes",
            {"post_id": make_post(w.owner.workspace, handle="fox").pk},
        ),
    ),
    "POST /api/v1/replies/{reply_id}/retry (your own)": Write(
        Verb.REPLY,
        lambda w, me: Req(f"/api/v1/replies/{_failed_reply(w, me).pk}/retry"),
    ),
}


def _recorded_today(w: World) -> Contribution:
    """A contribution today, so the HR report has something to count (the ledger hears events
    after a commit, which these savepoints never reach)."""
    return Contribution.objects.create(
        workspace=w.owner.workspace,
        member=w.colleague,
        kind=Kind.CASE_NOTE,
        at=timezone.now(),
        event=10**12,
        object_type="case",
        object_id=w.case.pk,
        team=w.team,
    )


def _report_form(w: World) -> dict[str, str]:
    _recorded_today(w)
    return {"quarter": "custom", "since": _today(), "until": _today(), "team": str(w.team.pk)}


def _idea(w: World, title: str = "Apple Pay in the app") -> Idea:
    return idea_actions.create_idea(w.owner, title=title)


def _idea_vote_path(w: World) -> str:
    vote = idea_votes.vote_for(w.owner, _idea(w), w.contact)
    return f"/api/v1/ideas/{vote.idea_id}/votes/{vote.pk}"


def _idea_vote_page(w: World) -> Req:
    vote = idea_votes.vote_for(w.owner, _idea(w), w.contact)
    return Req(u("idea_vote_remove", idea_id=vote.idea_id, vote_id=vote.pk), {}, json=False)


def _closed_case(w: World) -> Case:
    case = _case(w, "Closed too soon")
    case_actions.transition(w.owner, case, to="resolved")
    return case_actions.transition(w.owner, case, to="closed")


#: Writes that no member makes: a network calls them, signed with the source's secret.
API_PUBLIC = {"POST /api/v1/webhooks/{source_id}"}


def api_writes() -> set[str]:
    """Every writing operation of the live API schema, as "METHOD /path"."""
    resolver = get_resolver()
    schema_view = resolver.resolve("/api/v1/openapi.json").func
    assert isinstance(schema_view, partial)
    api = schema_view.keywords["api"]
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
                b"".join(response)[:300].decode(errors="replace"),
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
    for key, write in sorted((API | API_VARIANTS).items()):
        for role, member in world.me.items():
            outcome = attempt(
                partial(write.build, world, member),
                partial(_call, clients[role], key.split(" (")[0]),
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

        outcome = attempt(partial(write.build, world, world.owner), partial(_call, client, key))
        if outcome.status != 404 or outcome.audited:
            wrong.append(f"{key} from another workspace: {outcome.status} {outcome.body!r}")
    assert not wrong, "\n".join(wrong)


# The web pages --------------------------------------------------------------------------------

WEEK = {f"day_{d}": "09:00-17:00" for d in range(5)} | {"day_5": "", "day_6": ""}


def u(name: str, **ids: Any) -> str:
    return reverse(f"web:{name}", kwargs={"slug": "acme", **ids})


def web(
    verb: Verb,
    name: str,
    data: Callable[[World, Membership], Any] | None = None,
    audited: bool = True,
    **ids: Callable[[World, Membership], int],
) -> Write:
    """A web form posted to the page `name`, its ids made from the world."""

    def build(w: World, me: Membership) -> Req:
        path = u(name, **{key: make(w, me) for key, make in ids.items()})
        return Req(path, data(w, me) if data else {}, json=False)

    return Write(verb, build, audited)


WEB: dict[str, Write] = {
    "inbox_bulk": web(
        Verb.BULK_CONVERSATIONS,
        "inbox_bulk",
        lambda w, me: {"ids": [w.conv.pk], "status": "closed"},
    ),
    "inbox_view_save": web(
        Verb.SAVE_VIEWS, "inbox_view_save", lambda w, me: {"name": "Urgent", "status": "open"}
    ),
    "inbox_view_delete": web(
        Verb.SAVE_VIEWS,
        "inbox_view_delete",
        view_id=lambda w, me: (
            inbox_actions.save_view(me, name="Mine", filters={"status": "open"}).pk
        ),
    ),
    "inbox_capture": web(
        Verb.CAPTURE_POSTS,
        "inbox_capture",
        lambda w, me: {"url": "https://forum.example/t/9", "text": "App down?", "author": "lu"},
    ),
    "inbox_rules": web(
        Verb.MANAGE_ROUTING_RULES,
        "inbox_rules",
        lambda w, me: {
            "name": "VIPs",
            "match": "all",
            "conditions": "[]",
            "actions": '[{"type": "add_tag", "tag": "vip"}]',
        },
    ),
    "inbox_rule_toggle": web(
        Verb.MANAGE_ROUTING_RULES, "inbox_rule_toggle", rule_id=lambda w, me: w.rule.pk
    ),
    "inbox_rule_delete": web(
        Verb.MANAGE_ROUTING_RULES, "inbox_rule_delete", rule_id=lambda w, me: w.rule.pk
    ),
    "conversation_assign": web(
        Verb.WORK_CONVERSATIONS,
        "conversation_assign",
        lambda w, me: {"assignee": str(w.colleague.pk)},
        conversation_id=lambda w, me: w.conv.pk,
    ),
    "conversation_status": web(
        Verb.WORK_CONVERSATIONS,
        "conversation_status",
        lambda w, me: {"status": "resolved"},
        conversation_id=lambda w, me: w.conv.pk,
    ),
    "conversation_priority": web(
        Verb.WORK_CONVERSATIONS,
        "conversation_priority",
        lambda w, me: {"priority": "urgent"},
        conversation_id=lambda w, me: w.conv.pk,
    ),
    "conversation_tags": web(
        Verb.WORK_CONVERSATIONS,
        "conversation_tags",
        lambda w, me: {"tag": "vip"},
        conversation_id=lambda w, me: w.conv.pk,
    ),
    "conversation_note": web(
        Verb.ADD_NOTES,
        "conversation_note",
        lambda w, me: {"body": "Known issue"},
        conversation_id=lambda w, me: w.conv.pk,
    ),
    "conversation_handoff": web(
        Verb.HAND_OFF,
        "conversation_handoff",
        lambda w, me: {"to": str(w.colleague.pk), "note": "Yours: a card question"},
        conversation_id=lambda w, me: w.conv.pk,
    ),
    "conversation_merge": web(
        Verb.WORK_CONVERSATIONS,
        "conversation_merge",
        lambda w, me: {"into": str(w.other_conv.pk)},
        conversation_id=lambda w, me: w.conv.pk,
    ),
    "conversation_split": web(
        Verb.WORK_CONVERSATIONS,
        "conversation_split",
        conversation_id=lambda w, me: w.conv.pk,
        post_id=lambda w, me: w.second_post.pk,
    ),
    "conversation_presence": web(
        Verb.SAVE_VIEWS,
        "conversation_presence",
        lambda w, me: {"typing": "1"},
        audited=False,
        conversation_id=lambda w, me: w.conv.pk,
    ),
    "reply_composer": web(
        Verb.REPLY,
        "reply_composer",
        lambda w, me: {"text": SORRY, "visibility": "public"},
        post_id=lambda w, me: w.post.pk,
    ),
    "reply_check": web(
        Verb.REPLY,
        "reply_check",
        lambda w, me: {"text": SORRY},
        audited=False,
        post_id=lambda w, me: w.post.pk,
    ),
    "reply_withdraw": web(
        Verb.REPLY, "reply_withdraw", reply_id=lambda w, me: _waiting_reply(w, me).pk
    ),
    "approval_timers": web(
        Verb.APPROVAL_TIMERS,
        "approval_timers",
        lambda w, me: {"remind_after_hours": "8", "escalate_after_hours": "24"},
    ),
    "approval_withdraw": web(
        Verb.OTHERS_APPROVALS,
        "approval_withdraw",
        approval_id=lambda w, me: _approval(w, by=w.colleague).pk,
    ),
    "my_work_task_done": web(
        Verb.WORK_OWN_TASKS, "my_work_task_done", task_id=lambda w, me: _my_task(w, me).pk
    ),
    "my_work_decide": web(
        Verb.DECIDE_APPROVALS,
        "my_work_decide",
        lambda w, me: {"decision": "approve"},
        approval_id=lambda w, me: _approval(w, by=w.colleague).pk,
    ),
    "my_work_delegate": web(
        Verb.DELEGATE,
        "my_work_delegate",
        lambda w, me: {"delegate": str(w.colleague.pk), "starts_on": _today(), "ends_on": _today()},
    ),
    "my_work_delegation_end": web(
        Verb.OTHERS_APPROVALS,
        "my_work_delegation_end",
        delegation_id=lambda w, me: _delegation(w).pk,
    ),
    "case_approval_request": web(
        Verb.ASK_APPROVAL,
        "case_approval_request",
        lambda w, me: {"approver": "role:manager", "reason": "Refund 40 EUR"},
        case_id=lambda w, me: w.case.pk,
    ),
    "approval_decide": web(
        Verb.DECIDE_APPROVALS,
        "approval_decide",
        lambda w, me: {"decision": "approve"},
        approval_id=lambda w, me: _approval(w, by=w.colleague).pk,
    ),
    "listening_query_create": web(
        Verb.MANAGE_QUERIES,
        "listening_query_create",
        lambda w, me: {"name": "Rivals", "label": "competitor", "query": "globex"},
    ),
    "listening_triage_correct": web(
        Verb.CORRECT_TRIAGE,
        "listening_triage_correct",
        lambda w, me: {"field": "sentiment", "value": "negative"},
        post_id=lambda w, me: w.triaged.pk,
    ),
    "case_create": web(
        Verb.OPEN_CASES,
        "case_create",
        lambda w, me: {"subject": "Card declined", "priority": "high"},
    ),
    "case_transition": web(
        Verb.MOVE_CASES,
        "case_transition",
        lambda w, me: {"to": "waiting_customer"},
        case_id=lambda w, me: w.case.pk,
    ),
    "case_task_add": web(
        Verb.ADD_TASKS,
        "case_task_add",
        lambda w, me: {"title": "Call the branch"},
        case_id=lambda w, me: w.case.pk,
    ),
    "case_comment": web(
        Verb.COMMENT,
        "case_comment",
        lambda w, me: {"body": "Looking into it"},
        case_id=lambda w, me: w.case.pk,
    ),
    "case_parent": web(
        Verb.CHANGE_CASES,
        "case_parent",
        lambda w, me: {"parent": str(w.other_case.pk)},
        case_id=lambda w, me: w.case.pk,
    ),
    "case_merge": web(
        Verb.MERGE_CASES,
        "case_merge",
        lambda w, me: {"into": str(w.case.pk)},
        case_id=lambda w, me: w.other_case.pk,
    ),
    "case_unmerge": web(
        Verb.UNMERGE_CASES, "case_unmerge", case_id=lambda w, me: _merged_case(w).pk
    ),
    "case_fields": web(
        Verb.CHANGE_CASES,
        "case_fields",
        lambda w, me: {"cf_amount": "80"},
        case_id=lambda w, me: _typed_case(w).pk,
    ),
    "case_playbook_start": web(
        Verb.RUN_PLAYBOOKS,
        "case_playbook_start",
        lambda w, me: {"playbook": str(w.playbook.pk)},
        case_id=lambda w, me: _case(w).pk,
    ),
    "case_playbook_cancel": web(
        Verb.RUN_PLAYBOOKS, "case_playbook_cancel", case_id=lambda w, me: _running(w).pk
    ),
    "case_playbook_retry": web(
        Verb.RUN_PLAYBOOKS, "case_playbook_retry", case_id=lambda w, me: _failed_run(w).pk
    ),
    "case_playbook_step": web(
        Verb.CHANGE_TASKS,
        "case_playbook_step",
        lambda w, me: {"outcome": "Called back"},
        step_id=lambda w, me: _playbook_step(w, w.colleague).pk,
    ),
    "case_public_link": web(Verb.SHARE_STATUS, "case_public_link", case_id=lambda w, me: w.case.pk),
    "case_public_link_revoke": web(
        Verb.SHARE_STATUS,
        "case_public_link_revoke",
        link_id=lambda w, me: public.create_public_link(w.owner, _case(w)).pk,
    ),
    "case_task_status": web(
        Verb.CHANGE_TASKS,
        "case_task_status",
        lambda w, me: {"status": "done"},
        task_id=lambda w, me: _colleagues_task(w).pk,
    ),
    "case_from_conversation": web(
        Verb.OPEN_CASES, "case_from_conversation", conversation_id=lambda w, me: w.conv.pk
    ),
    "contacts_import": web(
        Verb.IMPORT_CONTACTS,
        "contacts_import",
        lambda w, me: {
            "file": SimpleUploadedFile(
                "people.csv", b"email,name\nm@example.com,Maya\n", "text/csv"
            ),
            "mapping": "custom",
        },
    ),
    "contacts_import_columns": web(
        Verb.IMPORT_CONTACTS,
        "contacts_import_columns",
        lambda w, me: {"col-email": "email", "col-first_name": "first name"},
        job_id=lambda w, me: _columns_later(w).pk,
    ),
    "contacts_import_confirm": web(
        Verb.IMPORT_CONTACTS,
        "contacts_import_confirm",
        lambda w, me: {"valid_rows_only": "1"},
        job_id=lambda w, me: _checked(w.owner).pk,
    ),
    "contact_log": web(
        Verb.LOG_INTERACTIONS,
        "contact_log",
        lambda w, me: {"kind": "call", "direction": "inbound", "subject": "Asked about fees"},
        contact_id=lambda w, me: w.contact.pk,
    ),
    "contact_merge_accept": web(
        Verb.MERGE_CONTACTS, "contact_merge_accept", suggestion_id=lambda w, me: _suggestion(w).pk
    ),
    "contact_merge_reject": web(
        Verb.MERGE_CONTACTS, "contact_merge_reject", suggestion_id=lambda w, me: _suggestion(w).pk
    ),
    "contact_unmerge": web(
        Verb.UNMERGE_ANY, "contact_unmerge", merge_id=lambda w, me: _contact_merge(w).pk
    ),
    "contact_dedupe": web(Verb.DEDUPE, "contact_dedupe"),
    "people_skill_create": web(
        Verb.ADD_SKILLS, "people_skill_create", lambda w, me: {"name": "pensions"}
    ),
    "people_skill_delete": web(
        Verb.MANAGE_SKILLS, "people_skill_delete", skill_id=lambda w, me: w.skill.pk
    ),
    "people_member_skill_set": web(
        Verb.OTHERS_SKILLS,
        "people_member_skill_set",
        lambda w, me: {"name": "mortgages", "level": "2"},
        member_id=lambda w, me: w.colleague.pk,
    ),
    "people_member_skill_remove": web(
        Verb.OTHERS_SKILLS,
        "people_member_skill_remove",
        member_id=lambda w, me: w.colleague.pk,
        skill_id=lambda w, me: _colleague_skill(w).pk,
    ),
    "notifications_read": web(
        Verb.READ_NOTIFICATIONS, "notifications_read", lambda w, me: {"all": "1"}, audited=False
    ),
    "notification_open": web(
        Verb.READ_NOTIFICATIONS,
        "notification_open",
        audited=False,
        notification_id=lambda w, me: _notification(w, me).pk,
    ),
    "settings_workspace": web(
        Verb.RENAME_WORKSPACE, "settings_workspace", lambda w, me: {"name": "Acme Bank plc"}
    ),
    "settings_members": web(
        Verb.MEMBERS,
        "settings_members",
        lambda w, me: {"email": "new@acme.example", "role": "agent", "password": ""},
    ),
    "settings_member_role": web(
        Verb.MEMBERS,
        "settings_member_role",
        lambda w, me: {"role": "manager"},
        member_id=lambda w, me: w.colleague.pk,
    ),
    "settings_member_remove": web(
        Verb.MEMBERS, "settings_member_remove", member_id=lambda w, me: w.colleague.pk
    ),
    "settings_teams": web(Verb.TEAMS, "settings_teams", lambda w, me: {"name": "R&D"}),
    "settings_team": web(
        Verb.TEAMS,
        "settings_team",
        lambda w, me: {"name": "Customer Care", "description": ""},
        team_id=lambda w, me: w.team.pk,
    ),
    "settings_team_delete": web(
        Verb.TEAMS, "settings_team_delete", team_id=lambda w, me: w.team.pk
    ),
    "settings_team_add_member": web(
        Verb.TEAM_MEMBERSHIP,
        "settings_team_add_member",
        lambda w, me: {"member": str(w.owner.pk)},
        team_id=lambda w, me: w.team.pk,
    ),
    "settings_team_remove_member": web(
        Verb.TEAM_MEMBERSHIP,
        "settings_team_remove_member",
        team_id=lambda w, me: w.team.pk,
        member_id=lambda w, me: w.colleague.pk,
    ),
    "settings_tokens": web(Verb.OWN_TOKENS, "settings_tokens", lambda w, me: {"name": "Export"}),
    "settings_notifications": web(
        Verb.NOTIFICATION_SETTINGS,
        "settings_notifications",
        lambda w, me: {"mention-in_app": "on"},
        audited=False,
    ),
    # The page lists (and revokes) your own tokens only.
    "settings_token_revoke": web(
        Verb.OWN_TOKENS,
        "settings_token_revoke",
        token_id=lambda w, me: core.create_api_token(me, name="old script")[0].pk,
    ),
    "settings_case_types": web(
        Verb.CASE_TYPES, "settings_case_types", lambda w, me: {"name": "Complaint", "schema": "{}"}
    ),
    "settings_case_type": web(
        Verb.CASE_TYPES,
        "settings_case_type",
        lambda w, me: {"name": "Payment dispute", "schema": "{}"},
        type_id=lambda w, me: w.case_type.pk,
    ),
    "settings_tasks": web(Verb.BACKGROUND_TASKS, "settings_tasks"),
    "settings_engagement": web(
        Verb.ENGAGEMENT_POLICY,
        "settings_engagement",
        lambda w, me: {
            "forbidden_phrases": "",
            "sensitive_topics": "",
            "public_contacts": "",
            "disclosure": "I work at {workspace}.",
            "designated_role": "agent",
            "approver_role": "manager",
            "approval_roles": ["employee"],
            "approval_hours": "24",
        },
    ),
    "settings_canned": web(
        Verb.MANAGE_CANNED, "settings_canned", lambda w, me: {"name": "Sorry", "text": "Sorry!"}
    ),
    "settings_canned_edit": web(
        Verb.MANAGE_CANNED,
        "settings_canned_edit",
        lambda w, me: {"name": "Thanks a lot", "text": "Thank you!"},
        canned_id=lambda w, me: w.canned.pk,
    ),
    "settings_canned_delete": web(
        Verb.MANAGE_CANNED, "settings_canned_delete", canned_id=lambda w, me: w.canned.pk
    ),
    "settings_outbox_retry": web(
        Verb.RETRY_OTHERS_REPLIES,
        "settings_outbox_retry",
        reply_id=lambda w, me: _failed_reply(w).pk,
    ),
    "settings_sla_calendar_new": web(
        Verb.SLA,
        "settings_sla_calendar_new",
        lambda w, me: {"name": "Night shift", "time_zone": "UTC", **WEEK, "holidays": ""},
    ),
    "settings_sla_calendar": web(
        Verb.SLA,
        "settings_sla_calendar",
        lambda w, me: {"name": "Head office", "time_zone": "UTC", **WEEK, "holidays": ""},
        calendar_id=lambda w, me: w.calendar.pk,
    ),
    "settings_sla_policy_new": web(Verb.SLA, "settings_sla_policy_new", lambda w, me: _sla_form(w)),
    "settings_sla_policy": web(
        Verb.SLA,
        "settings_sla_policy",
        lambda w, me: _sla_form(w, "Standard"),
        policy_id=lambda w, me: w.sla_policy.pk,
    ),
    "settings_sla_rule_add": web(
        Verb.SLA,
        "settings_sla_rule_add",
        lambda w, me: {"when": "breach", "metric": "", "do": "raise_priority"},
        policy_id=lambda w, me: w.sla_policy.pk,
    ),
    "settings_sla_rule_delete": web(
        Verb.SLA, "settings_sla_rule_delete", rule_id=lambda w, me: w.sla_rule.pk
    ),
    "settings_sla_start": web(Verb.SLA, "settings_sla_start"),
    "settings_playbooks_upload": web(
        Verb.PLAYBOOKS,
        "settings_playbooks_upload",
        lambda w, me: {
            "case_type": str(w.case_type.pk),
            "bpmn": SimpleUploadedFile("call.bpmn", SIMPLE_BPMN.encode(), "text/xml"),
        },
    ),
    "settings_playbook_deactivate": web(
        Verb.PLAYBOOKS, "settings_playbook_deactivate", playbook_id=lambda w, me: w.playbook.pk
    ),
    # Ideas
    "idea_create": web(Verb.SUBMIT_IDEAS, "idea_create", lambda w, me: {"title": "Dark mode"}),
    "idea_from_post": web(
        Verb.SUBMIT_IDEAS,
        "idea_from_post",
        lambda w, me: {"title": "Apple Pay"},
        post_id=lambda w, me: make_post(w.owner.workspace, "Add Apple Pay", handle="ap").pk,
    ),
    "idea_from_conversation": web(
        Verb.SUBMIT_IDEAS,
        "idea_from_conversation",
        lambda w, me: {"title": "Savings pots"},
        conversation_id=lambda w, me: _two_posts(w)[0].pk,
    ),
    "idea_edit": web(
        Verb.MANAGE_IDEAS,
        "idea_edit",
        lambda w, me: {"title": "Night theme", "body": "At night"},
        idea_id=lambda w, me: _idea(w).pk,
    ),
    "idea_status": web(
        Verb.MANAGE_IDEAS,
        "idea_status",
        lambda w, me: {"status": "planned", "note": "Next quarter"},
        idea_id=lambda w, me: _idea(w).pk,
    ),
    "idea_comment": web(
        Verb.COMMENT_IDEAS,
        "idea_comment",
        lambda w, me: {"body": "Three callers asked", "visibility": "internal"},
        idea_id=lambda w, me: _idea(w).pk,
    ),
    "idea_link": web(
        Verb.MANAGE_IDEAS,
        "idea_link",
        lambda w, me: {"kind": "case", "number": str(w.case.pk)},
        idea_id=lambda w, me: _idea(w).pk,
    ),
    "idea_merge": web(
        Verb.MANAGE_IDEAS,
        "idea_merge",
        lambda w, me: {"into": str(_idea(w, "Dark mode").pk)},
        idea_id=lambda w, me: _idea(w, "Night theme").pk,
    ),
    "idea_vote_add": web(
        Verb.VOTE_FOR_CUSTOMERS,
        "idea_vote_add",
        lambda w, me: {"contact": str(w.contact.pk)},
        idea_id=lambda w, me: _idea(w).pk,
    ),
    "idea_vote_from_post": web(
        Verb.VOTE_FOR_CUSTOMERS,
        "idea_vote_from_post",
        lambda w, me: {"post": str(w.post.pk)},
        idea_id=lambda w, me: _idea(w).pk,
    ),
    "idea_vote_remove": Write(Verb.REMOVE_VOTES, lambda w, me: _idea_vote_page(w)),
    "kudos_give": Write(
        Verb.GIVE_KUDOS,
        lambda w, me: Req(
            u("kudos_give", about="conversation", object_id=w.conv.pk),
            {"receiver": w.colleague.pk, "message": "Thanks for the answer"},
            json=False,
        ),
    ),
    "recognition_skill_confirm": web(
        Verb.OWN_SKILLS,
        "recognition_skill_confirm",
        lambda w, me: {"name": "mortgages"},
        member_id=lambda w, me: _suggested(w, me).pk,
    ),
    "recognition_skill_dismiss": web(
        Verb.OWN_SKILLS,
        "recognition_skill_dismiss",
        lambda w, me: {"name": "mortgages"},
        member_id=lambda w, me: _suggested(w, me).pk,
    ),
    "settings_recognition_weights": web(
        Verb.RECOGNITION_SETTINGS,
        "settings_recognition_weights",
        lambda w, me: {f"weight_{kind}": "2" for kind in Kind.values},
    ),
    "settings_recognition_leaderboards": web(
        Verb.RECOGNITION_SETTINGS,
        "settings_recognition_leaderboards",
        lambda w, me: {"leaderboards": "off"},
    ),
    "settings_recognition_exclude": web(
        Verb.RECOGNITION_SETTINGS,
        "settings_recognition_exclude",
        lambda w, me: {"member": w.colleague.pk, "reason": "asked"},
    ),
    "settings_recognition_include": web(
        Verb.RECOGNITION_SETTINGS,
        "settings_recognition_include",
        member_id=lambda w, me: (
            recognition_actions.exclude(w.owner, w.colleague, "asked").member_id
        ),
    ),
    # Recognition
    "recognition_reports": web(
        Verb.SEE_TEAM_RECOGNITION, "recognition_reports", lambda w, me: _report_form(w)
    ),
}

#: The same pages again, with the input that makes them need another verb.
WEB_VARIANTS: dict[str, Write] = {
    "people_member_skill_set (your own)": web(
        Verb.OWN_SKILLS,
        "people_member_skill_set",
        lambda w, me: {"name": "mortgages", "level": "2"},
        member_id=lambda w, me: me.pk,
    ),
    "conversation_status (handed to you)": web(
        Verb.WORK_OWN_CONVERSATIONS,
        "conversation_status",
        lambda w, me: {"status": "resolved"},
        conversation_id=lambda w, me: _handed_to(w, me).pk,
    ),
    "settings_member_role (make an owner)": web(
        Verb.OWNERS,
        "settings_member_role",
        lambda w, me: {"role": "owner"},
        member_id=lambda w, me: w.colleague.pk,
    ),
    "case_transition (resolve)": web(
        Verb.RESOLVE_CASES,
        "case_transition",
        lambda w, me: {"to": "resolved"},
        case_id=lambda w, me: w.case.pk,
    ),
    "case_comment (public)": web(
        Verb.PUBLIC_UPDATES,
        "case_comment",
        lambda w, me: {"body": "We are on it", "public": "on"},
        case_id=lambda w, me: w.case.pk,
    ),
}


def _handed_to(w: World, me: Membership) -> Conversation:
    """A conversation assigned to `me` (a viewer cannot be: to the colleague then)."""
    conv = _two_posts(w)[0]
    who = me if can(me, Verb.WORK_OWN_CONVERSATIONS) else w.colleague
    return inbox_actions.assign(w.owner, conv, assignee=who)


#: Pages anyone may post to without being a member: signing in and out, switching workspace.
WEB_PUBLIC = {"login", "logout", "switch"}
#: The public idea portal: no member acts there (customers sign in by an emailed link), so no
#: role's verb applies; `web/tests/test_portal.py` checks its writes and their limits.
WEB_PUBLIC |= {
    "portal",
    "portal_theme",
    "portal_idea",
    "portal_vote",
    "portal_unvote",
    "portal_follow",
    "portal_comment",
    "portal_submit",
    "portal_similar",
    "portal_sign_in",
    "portal_sign_in_sent",
    "portal_sign_in_link",
    "portal_sign_out",
}

#: Pages that only show things: a POST to them changes nothing.
WEB_READS = {
    "ideas",
    "ideas_board",
    "ideas_analytics",
    "idea",
    "activity",
    "approval_attachment",
    "approvals",
    "case",
    "cases",
    "contact",
    "contact_merge_suggestions",
    "contact_timeline",
    "contacts",
    "contacts_export",
    "contacts_import_errors",
    "contacts_import_job",
    "conversation",
    "home",
    "inbox",
    "listening",
    "listening_sources",
    "my_work",
    "notifications",
    "notifications_bell",
    "people",
    "people_member",
    "recognition",
    "recognition_mine",
    "recognition_reports",
    "recognition_person",
    "recognition_export",
    "recognition_report_csv",
    "recognition_report_pdf",
    "settings_recognition",
    "settings",
    "settings_audit",
    "settings_outbox",
    "settings_playbooks",
    "settings_sla",
    "settings_task_run",
    "status_page",
    "workspace",
}


def _waiting_reply(w: World, me: Membership) -> Reply:
    """A reply of `me`'s own that waits for approval (a viewer's cannot exist: one of the
    colleague's stands in)."""
    author = me if can(me, Verb.REPLY) else w.colleague
    EngagementPolicy.objects.update_or_create(
        workspace=w.owner.workspace, defaults={"sensitive_topics": ["lawsuit"]}
    )
    return engagement_actions.send_reply(
        author,
        make_post(w.owner.workspace, handle="sue"),
        text="About the lawsuit: call us. " + SORRY,
    )


def _typed_case(w: World) -> Case:
    kind = case_actions.create_case_type(
        w.owner,
        name="Refund",
        schema={"type": "object", "properties": {"amount": {"type": "integer"}}},
    )
    return case_actions.create_case(w.owner, subject="Refund me", case_type=kind)


def _columns_later(w: World) -> ImportJob:
    from rapport.contacts.tests.scenarios import _upload

    return _upload(w.owner, columns_later=True)


def _suggested(w: World, me: Membership) -> Membership:
    """`me`, credited with answers on two conversations tagged with the skill "mortgages" (so
    it is suggested to them)."""
    for n, conv in enumerate((w.conv, w.other_conv)):
        inbox_actions.tag(w.owner, conv, tags=["mortgages"])
        Contribution.objects.create(
            workspace=w.owner.workspace,
            member=me,
            kind=Kind.FIRST_RESPONSE,
            at=timezone.now(),
            event=900_000 + n,
            object_type="conversation",
            object_id=conv.pk,
        )
    return me


def _colleague_skill(w: World) -> Any:
    people_actions.set_member_skill(w.owner, w.colleague, skill=w.skill, level=2)
    return w.skill


def _notification(w: World, me: Membership) -> Notification:
    return Notification.objects.create(
        workspace=w.owner.workspace,
        recipient=me,
        kind="mention",
        text="You were mentioned",
        url="/",
    )


def _sla_form(w: World, name: str = "Premium") -> dict[str, str]:
    return {
        "name": name,
        "case_type": "",
        "priority": "" if name == "Standard" else "1",
        "calendar": str(w.calendar.pk),
        "first_response_minutes": "60",
        "next_response_minutes": "",
        "resolution_minutes": "480",
        "warn_percent": "80",
        "active": "on",
    }


def web_routes() -> dict[str, str]:
    """Every named web page: name -> its route."""

    def walk(patterns: list[Any], prefix: str = "") -> Any:
        for p in patterns:
            if isinstance(p, URLResolver):
                yield from walk(p.url_patterns, prefix + str(p.pattern))
            elif isinstance(p, URLPattern) and p.name:
                yield prefix + str(p.pattern), p

    return {
        p.name: route
        for route, p in walk(get_resolver().url_patterns)
        if not route.startswith("api/") and p.name
    }


#: Ids a read-only page is shown for, to check it refuses a POST.
def _read_ids(w: World) -> dict[str, Any]:
    return {
        "conversation_id": w.conv.pk,
        "case_id": w.case.pk,
        "contact_id": w.contact.pk,
        "member_id": w.colleague.pk,
        "job_id": _checked(w.owner).pk,
        "run_id": core.start_worker_check(w.owner).pk,
        "calendar_id": w.calendar.pk,
        "policy_id": w.sla_policy.pk,
        "approval_id": _approval(w, by=w.colleague).pk,
        "attachment_id": 1,
        "notification_id": 1,
        "idea_id": _idea(w).pk,
        "report_id": Report.objects.create(
            workspace=w.owner.workspace, since=timezone.localdate(), until=timezone.localdate()
        ).pk,
        "token": "x" * 30,
    }


def _post(client: Client, req: Req, *, slug: str = "acme") -> Any:
    return client.post(req.path.replace("/w/acme/", f"/w/{slug}/", 1), req.data)


def test_every_web_page_is_a_write_with_a_verb_or_a_read():
    names = set(web_routes())
    unknown = names - set(WEB) - WEB_PUBLIC - WEB_READS
    gone = (set(WEB) | WEB_PUBLIC | WEB_READS) - names
    assert not unknown, f"say whether these pages write (WEB, with a verb) or read: {unknown}"
    assert not gone, f"these entries name web pages that no longer exist: {gone}"


@pytest.mark.django_db
def test_a_post_to_a_page_that_reads_changes_nothing(world):
    """A page listed as a read that records something when posted to is a write without a
    verb."""
    client = Client()
    client.force_login(world.owner.user)
    ids = _read_ids(world)
    writing = []
    for name in sorted(WEB_READS):
        route = web_routes()[name]
        kwargs = {k: ids[k] for k in re.findall(r"<(?:\w+:)?(\w+)>", route) if k != "slug"}
        if "<slug:slug>" in route:
            kwargs["slug"] = "acme"
        path = reverse(f"web:{name}", kwargs=kwargs)
        outcome = attempt(partial(Req, path, {}), partial(_post, client))
        if outcome.audited or outcome.status >= 500:
            writing.append(f"{name} ({route}) answered a POST with {outcome.status}")
    assert not writing, "give these pages an entry in WEB (a verb and a request):\n" + "\n".join(
        writing
    )


@pytest.mark.django_db
def test_every_web_write_succeeds_exactly_for_the_roles_the_table_allows(world):
    clients = {}
    for role, member in world.me.items():
        clients[role] = Client()
        clients[role].force_login(member.user)
    wrong = []
    for name, write in sorted((WEB | WEB_VARIANTS).items()):
        for role, member in world.me.items():
            outcome = attempt(partial(write.build, world, member), partial(_post, clients[role]))
            problem = judge(name, role, write.verb, outcome, audited=write.audited)
            if problem:
                wrong.append(problem)
    assert not wrong, "\n".join(wrong)


@pytest.mark.django_db
def test_no_web_write_reaches_another_workspaces_objects(world):
    client = Client()
    client.force_login(world.outsider.user)
    wrong = []
    for name, write in sorted(WEB.items()):
        if "_id>" not in web_routes()[name]:
            continue
        outcome = attempt(
            partial(write.build, world, world.owner), partial(_post, client, slug="globex")
        )
        if outcome.status != 404 or outcome.audited:
            wrong.append(f"{name} from another workspace: {outcome.status} {outcome.body!r}")
    assert not wrong, "\n".join(wrong)
