"""The recognition demo: three months of Ravi answering the leads Social Care hands him, Sam's
care work and refunds that Tom checks and Ingrid approves in time, customers' thanks and kudos,
credited in the ledger on the days they happened, with this morning's lead left for Ravi.

Loaded on the parts it needs (the people, the engagement policy, the routing rules), not the
whole demo: `test_recognition_replay.py` loads that."""

import datetime as dt
from collections import Counter

import pytest
from django.utils import timezone

from rapport.approvals.models import Approval
from rapport.cases.models import Case
from rapport.core.models import Membership, Workspace
from rapport.demo import engagement, inbox
from rapport.demo import recognition as demo
from rapport.demo import workspace as demo_workspace
from rapport.engagement.models import Reply
from rapport.inbox.models import Conversation
from rapport.listening.models import Post
from rapport.recognition import selectors
from rapport.recognition.models import Contribution, Kind, Kudos

pytestmark = pytest.mark.django_db


@pytest.fixture
def acme() -> Workspace:
    workspace, owner = demo_workspace.create_workspace()
    demo_workspace.load(workspace, owner)
    engagement.load(workspace, owner)  # the record-only policy: nothing is really posted
    inbox.load(workspace, owner)  # the routing rules: leads to Sales, complaints to Social Care
    demo.load(workspace, owner)
    return workspace


def member(workspace: Workspace, name: str) -> Membership:
    return Membership.objects.select_related("user").get(
        workspace=workspace, user__email=f"{name}@acme.example"
    )


def kinds(who: Membership) -> Counter[str]:
    return Counter(Contribution.objects.filter(member=who).values_list("kind", flat=True))


def test_each_person_is_credited_for_their_part(acme):
    """One load for every check: the story takes seconds to tell."""
    ravi_answers_the_leads_care_hands_him_and_is_credited_for_help_outside_rnd(acme)
    care_work_refunds_checked_in_credit_and_approved_in_time(acme)


def ravi_answers_the_leads_care_hands_him_and_is_credited_for_help_outside_rnd(acme):
    ravi, sam, priya = (member(acme, n) for n in ("ravi", "sam", "priya"))
    rnd = acme.teams.get(name="R&D")
    expert = Contribution.objects.filter(member=ravi, kind=Kind.EXPERT_ANSWER)
    assert expert.count() == demo.WEEKS
    assert all(c.crossed and c.team == rnd for c in expert)
    assert {c.colleague for c in expert} == {sam, priya}
    got = kinds(ravi)
    assert got[Kind.FIRST_RESPONSE] == got[Kind.PUBLIC_REPLY] == demo.WEEKS
    # customers answered his replies, one named him in full; Sam thanked him
    assert got[Kind.PRAISE] == len(demo.THANKS_TO_RAVI) + len(demo.PRAISE_FOR_RAVI_BY_NAME)
    assert got[Kind.COLLEAGUE_HELP] > 0
    thanks = Kudos.objects.filter(receiver=ravi)
    assert thanks.count() == got[Kind.KUDOS] >= 4
    assert set(thanks.values_list("giver__user__email", flat=True)) == {"sam@acme.example"}
    # He is an employee: Maya approved each answer before it was posted, in time.
    replies = Reply.objects.filter(author=ravi)
    assert {r.status for r in replies} == {Reply.Status.SENT}
    maya = member(acme, "maya")
    assert kinds(maya)[Kind.APPROVAL_IN_TIME] == demo.WEEKS

    period = selectors.period(timezone.localdate() - dt.timedelta(days=95), timezone.localdate())
    view = selectors.team_view(member(acme, "olivia"), period)
    outside = {r.member.user.email: r for r in view.outside_help}
    assert "expert answers" in outside["ravi@acme.example"].score.explained
    assert {"ravi@acme.example", "sam@acme.example"} <= {
        r.member.user.email for r in view.evangelists
    }


def care_work_refunds_checked_in_credit_and_approved_in_time(acme):
    sam, tom, ingrid = (member(acme, n) for n in ("sam", "tom", "ingrid"))
    care = acme.teams.get(name="Social Care")
    got = kinds(sam)
    weeks = demo.WEEKS
    # a complaint and a refund answered each week, and the refund's case resolved
    assert got[Kind.FIRST_RESPONSE] >= 2 * weeks
    assert got[Kind.CASE_RESOLVED] == got[Kind.TASK_DONE] == weeks
    assert got[Kind.PUBLIC_REPLY] >= 3 * weeks  # the conversations' and the cases' updates
    assert got[Kind.PRAISE] == len(demo.PRAISE_FOR_SAM)
    assert Contribution.objects.filter(member=sam, kind=Kind.KUDOS, colleague__user__email=(
        "maya@acme.example"
    )).exists()  # fmt: skip
    assert not Contribution.objects.filter(member=sam, kind=Kind.CASE_RESOLVED, crossed=True)

    approved = Contribution.objects.filter(member=ingrid, kind=Kind.APPROVAL_IN_TIME)
    assert approved.count() == weeks
    assert all(c.crossed and c.colleague == sam for c in approved)
    for approval in Approval.objects.filter(approver=ingrid):
        assert approval.state == Approval.State.APPROVED
        assert approval.decided_at is not None
        taken = approval.decided_at - approval.created_at
        assert dt.timedelta(minutes=30) < taken < dt.timedelta(hours=1)

    tom_got = kinds(tom)
    assert tom_got[Kind.TASK_DONE] == tom_got[Kind.CASE_NOTE] == weeks
    assert tom_got[Kind.CAPTURED] == len(demo.CAPTURED)
    assert tom_got[Kind.COLLEAGUE_HELP] > 0
    assert Contribution.objects.filter(member=tom, crossed=True, object_team=care).exists()

    refunds = Case.objects.filter(workspace=acme, subject__startswith="Refund: ")
    assert refunds.count() == weeks
    assert all(c.status == "resolved" and c.customer is not None for c in refunds)


def test_the_history_is_dated_and_this_mornings_lead_waits_for_ravi(acme):
    history_is_spread_over_three_months_and_dated_where_the_pages_show_it(acme)
    this_mornings_lead_waits_for_ravi_and_loading_again_adds_nothing(acme)


def history_is_spread_over_three_months_and_dated_where_the_pages_show_it(acme):
    now = timezone.now()
    ledger = Contribution.objects.filter(workspace=acme)
    assert ledger.count() > 250
    oldest = ledger.order_by("at").first()
    assert oldest is not None
    assert now - dt.timedelta(weeks=demo.WEEKS, days=1) < oldest.at < now - dt.timedelta(weeks=12)
    assert not ledger.filter(at__gt=now).exists()
    weeks = {(now - at).days // 7 for at in ledger.values_list("at", flat=True)}
    assert set(range(demo.WEEKS)) <= weeks
    # Each object carries the time it happened, as its contributions do.
    for credit in ledger.filter(kind=Kind.CASE_RESOLVED):
        case = Case.objects.get(pk=credit.object_id)
        assert case.resolved_at is not None
        assert abs(case.resolved_at - credit.at) < dt.timedelta(minutes=1)
        assert case.created_at < case.resolved_at
    for kudos in Kudos.objects.filter(workspace=acme):
        credit = ledger.get(kind=Kind.KUDOS, object_id=kudos.pk)
        assert abs(kudos.created_at - credit.at) < dt.timedelta(minutes=1)
    story = Conversation.objects.filter(workspace=acme)
    assert not story.filter(created_at__gt=now - dt.timedelta(hours=2)).exists()
    for conv in story.filter(first_response_at__isnull=False):
        answered = conv.first_response_at
        assert answered is not None
        assert conv.created_at <= answered < now - dt.timedelta(days=2)


def this_mornings_lead_waits_for_ravi_and_loading_again_adds_nothing(acme):
    ravi = member(acme, "ravi")
    post = Post.objects.get(workspace=acme, text=demo.OPEN_LEAD)
    conv = post.conversation_link.conversation
    assert conv.assignee == ravi
    assert conv.status == "open"
    assert not Reply.objects.filter(post=post).exists()
    assert conv.notes.get().body == demo.OPEN_LEAD_NOTE
    assert post.identity is not None
    assert post.identity.contact is not None
    assert post.identity.contact.name == "Iris Calloway"

    counts = (Contribution.objects.count(), Post.objects.count(), Kudos.objects.count())
    demo.load(acme, member(acme, "olivia"))
    assert counts == (Contribution.objects.count(), Post.objects.count(), Kudos.objects.count())
