"""The ledger credits what people did, from the events of the spine, and a replay of the
journal into an empty ledger gives the same ledger."""

import pytest
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from rapport.cases import actions as cases
from rapport.core.events import emit
from rapport.core.roles import Role
from rapport.engagement import actions as engagement
from rapport.engagement import outbox
from rapport.engagement.models import EngagementPolicy, Reply
from rapport.inbox import actions as inbox
from rapport.inbox.tests.factories import conversation, post, team
from rapport.notifications.models import Notification
from rapport.recognition import actions, ledger
from rapport.recognition.models import Contribution, Kind, Kudos
from rapport.recognition.scores import counts_by_member, explain, weights
from rapport.triage.events import POST_TRIAGED


@pytest.fixture(autouse=True)
def record_only(acme) -> EngagementPolicy:
    return EngagementPolicy.objects.create(
        workspace=acme, record_only=True, tone_check=False, disclosure=""
    )


@pytest.fixture
def people(acme, owner, make_member):
    sam = make_member(acme, Role.AGENT, "sam@acme.example")
    ravi = make_member(acme, Role.AGENT, "ravi@acme.example")
    care = team(owner, "Customer care", sam)
    rnd = team(owner, "R&D", ravi)
    return {"sam": sam, "ravi": ravi, "care": care, "rnd": rnd}


def credits(member, kind=None):
    rows = Contribution.objects.filter(member=member)
    if kind:
        rows = rows.filter(kind=kind)
    return list(rows.order_by("event"))


def test_an_expert_answer_after_a_hand_off_is_credited_as_help_outside_the_team(acme, people):
    sam, ravi = people["sam"], people["ravi"]
    conv = conversation(acme, "Does your business account work with Xero?", intent="lead")
    conv.team = people["care"]
    conv.save(update_fields=["team"])
    inbox.hand_off(sam, conv, to=ravi, note="Ravi, can you answer this prospect about Xero?")
    engagement.send_reply(ravi, conv.first_post, text="Yes: the Xero feed is built in.")

    expert = credits(ravi, Kind.EXPERT_ANSWER)
    assert len(expert) == 1
    assert expert[0].crossed is True
    assert expert[0].colleague == sam
    assert expert[0].team == people["rnd"]
    assert expert[0].object_type == "conversation"
    assert expert[0].object_id == conv.pk
    assert {c.kind for c in credits(ravi)} == {
        Kind.EXPERT_ANSWER,
        Kind.FIRST_RESPONSE,
        Kind.PUBLIC_REPLY,
    }
    # A second answer in the same hand-off is not a second expert answer.
    outbox.publish(Reply.objects.get(author=ravi).pk)
    engagement.send_reply(ravi, conv.first_post, text="And here is how to connect it.")
    assert len(credits(ravi, Kind.EXPERT_ANSWER)) == 1
    assert len(credits(ravi, Kind.PUBLIC_REPLY)) == 2


def test_work_inside_ones_own_team_is_not_counted_as_crossing(acme, people):
    sam = people["sam"]
    conv = conversation(acme)
    conv.team = people["care"]
    conv.save(update_fields=["team"])
    engagement.send_reply(sam, conv.first_post, text="Sorry, we are looking at it now.")
    first = credits(sam, Kind.FIRST_RESPONSE)
    assert len(first) == 1
    assert first[0].crossed is False


def test_kudos_are_credited_to_the_thanked_person_who_is_told(acme, people):
    sam, ravi = people["sam"], people["ravi"]
    conv = conversation(acme)
    kudos = actions.give_kudos(sam, ravi, "conversation", conv.pk, "Thanks for the Xero answer!")
    assert Kudos.objects.get() == kudos
    [credit] = credits(ravi, Kind.KUDOS)
    assert credit.colleague == sam
    assert credit.crossed is True
    told = Notification.objects.get(recipient=ravi)
    assert "thanked you" in told.text
    assert "Thanks for the Xero answer!" in told.text


def test_kudos_to_oneself_or_another_workspace_are_refused_and_nothing_is_recorded(
    acme, globex, people, make_member
):
    sam = people["sam"]
    conv = conversation(acme)
    with pytest.raises(ValidationError, match="not for yourself"):
        actions.give_kudos(sam, sam, "conversation", conv.pk, "Me!")
    stranger = make_member(globex, Role.AGENT)
    with pytest.raises(ValidationError, match="colleague in this workspace"):
        actions.give_kudos(sam, stranger, "conversation", conv.pk, "Hi")
    other_conv = conversation(globex)
    with pytest.raises(ValidationError, match="no such conversation"):
        actions.give_kudos(sam, people["ravi"], "conversation", other_conv.pk, "Hi")
    with pytest.raises(ValidationError, match="Say what"):
        actions.give_kudos(sam, people["ravi"], "conversation", conv.pk, "   ")
    assert not Kudos.objects.exists()
    assert not Contribution.objects.exists()


def test_a_customers_thanks_to_a_reply_is_praise_for_its_author(acme, people):
    sam = people["sam"]
    conv = conversation(acme)
    reply = engagement.send_reply(sam, conv.first_post, text="Refunded, sorry about that.")
    outbox.publish(reply.pk)
    # Recorded only: give it the id its network would have answered with.
    Reply.objects.filter(pk=reply.pk).update(network_id="109348")
    reply.refresh_from_db()
    thanks = post(
        acme,
        "Wow, that was quick, thank you!",
        sentiment="positive",
        intent="praise",
        reply_to_external_id=reply.network_id,
    )
    named = post(
        acme, "Ravi Patel from Acme sorted my business account, brilliant", sentiment="positive"
    )
    people["ravi"].user.first_name, people["ravi"].user.last_name = "Ravi", "Patel"
    people["ravi"].user.save()
    with transaction.atomic():
        emit(POST_TRIAGED, acme.pk, ids=[thanks.pk, named.pk])
    assert [c.object_id for c in credits(sam, Kind.PRAISE)] == [thanks.pk]
    assert [c.object_id for c in credits(people["ravi"], Kind.PRAISE)] == [named.pk]


def test_an_approval_decided_in_time_credits_the_approver_helping_the_asker(
    acme, owner, people, make_member
):
    from rapport.approvals import actions as approvals

    ingrid = make_member(acme, Role.MANAGER, "ingrid@acme.example")
    team(owner, "Back office", ingrid)
    case = cases.create_case(people["sam"], subject="Refund a double charge")
    approval = approvals.request_approval(
        people["sam"], case, summary="Refund 40 EUR", approver=ingrid
    )
    approvals.decide(ingrid, approval, decision="approve")
    [credit] = credits(ingrid, Kind.APPROVAL_IN_TIME)
    assert credit.colleague == people["sam"]
    assert credit.crossed is True


def test_replaying_the_journal_into_an_empty_ledger_gives_the_same_ledger(acme, owner, people):
    sam, ravi = people["sam"], people["ravi"]
    conv = conversation(acme)
    conv.team = people["care"]
    conv.save(update_fields=["team"])
    inbox.add_note(sam, conv, body=f"@{ravi.user.email} do we support Xero?")
    inbox.add_note(ravi, conv, body="Yes, since March.")
    inbox.hand_off(sam, conv, to=ravi, note="Please answer them")
    engagement.send_reply(ravi, conv.first_post, text="Yes, we do.")
    case = cases.create_case(sam, subject="Xero feed broken", team=people["care"])
    cases.add_comment(ravi, case, body="The feed token expired; renewing it.")
    cases.add_comment(ravi, case, body="Renewed.")
    cases.transition(sam, case, to="resolved")
    actions.give_kudos(sam, ravi, "case", case.pk, "Thank you!")
    before = ledger.as_rows(acme)
    kinds = {row[1] for row in before}
    assert {
        Kind.COLLEAGUE_HELP,
        Kind.EXPERT_ANSWER,
        Kind.CASE_NOTE,
        Kind.CASE_RESOLVED,
        Kind.KUDOS,
    } <= kinds
    assert ledger.rebuild(acme) == len(before)
    assert ledger.as_rows(acme) == before


def test_scores_are_explained_with_the_workspaces_weights(acme, owner, people):
    sam = people["sam"]
    for text in ("one", "two"):
        conv = conversation(acme, f"Help {text}", author=text)
        engagement.send_reply(sam, conv.first_post, text="On it.")
    now = timezone.now()
    counts = counts_by_member(
        acme.pk, now.replace(year=now.year - 1), now.replace(year=now.year + 1)
    )
    assert counts[sam.pk] == {Kind.FIRST_RESPONSE: 2, Kind.PUBLIC_REPLY: 2}
    assert explain(counts[sam.pk], weights(acme.pk)) == "2 first responses and 2 public replies"


def test_a_weight_table_with_a_negative_or_missing_weight_is_refused(acme, owner):
    table = dict.fromkeys(Kind.values, 1)
    with pytest.raises(ValidationError, match="cannot be negative"):
        actions.set_weights(owner, {**table, Kind.KUDOS: -1})
    partial = dict(table)
    del partial[Kind.PRAISE]
    with pytest.raises(ValidationError, match="Praised by a customer"):
        actions.set_weights(owner, partial)
    assert weights(acme.pk)[Kind.KUDOS] == 2  # nothing written
    actions.set_weights(owner, {**table, Kind.KUDOS: 7})
    assert weights(acme.pk)[Kind.KUDOS] == 7
