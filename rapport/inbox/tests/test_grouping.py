"""Grouping: replies join their thread, one author's posts on one topic join for a while."""

from django.db import connection
from django.test.utils import CaptureQueriesContext

from rapport.connectors.base import Author, Batch, NormalisedPost
from rapport.inbox.models import Activity, Conversation, ConversationPost, Status
from rapport.inbox.tests.factories import ago, arrive, conversations, post, query
from rapport.listening.ingest import receive


def test_a_first_post_starts_a_new_conversation_with_its_facts(acme):
    p = post(acme, "Card declined at the till, third time this week", sentiment="negative")
    grouped = arrive(acme, p)
    [conv] = conversations(acme)
    assert grouped.placed[0].created
    assert conv.subject == "Card declined at the till, third time this week"
    assert conv.status == Status.NEW
    assert (conv.network, conv.label, conv.sentiment, conv.intent) == (
        "mastodon",
        "brand",
        "negative",
        "complaint",
    )
    assert conv.first_post == p
    assert conv.identity_id == p.identity_id
    assert conv.post_count == 1


def test_a_reply_joins_the_conversation_of_the_post_it_answers(acme):
    first = post(acme, "Is the app down?", author="jo", external_id="100")
    arrive(acme, first)
    reply = post(acme, "Same here, can't log in", author="sam", reply_to_external_id="100")
    arrive(acme, reply)
    [conv] = conversations(acme)
    assert conv.post_count == 2
    assert set(ConversationPost.objects.values_list("post_id", flat=True)) == {first.pk, reply.pk}


def test_a_reply_in_the_same_batch_and_a_thread_member_join_too(acme):
    root = post(acme, "Mortgage rates going up?", author="a", external_id="r1")
    child = post(acme, "Asked them yesterday", author="b", reply_to_external_id="r1")
    later = post(acme, "Any news?", author="c", external_id="x9", thread_external_id="r1")
    arrive(acme, root, child, later)
    [conv] = conversations(acme)
    assert conv.post_count == 3


def test_one_author_on_one_topic_within_the_window_is_one_conversation(acme):
    arrive(acme, post(acme, "My card is blocked", author="jo", at=ago(hours=3)))
    arrive(acme, post(acme, "Still blocked, nobody answers", author="jo", at=ago(hours=1)))
    [conv] = conversations(acme)
    assert conv.post_count == 2
    assert conv.subject == "My card is blocked"


def test_another_topic_another_author_or_an_old_conversation_start_new_ones(acme):
    product = query(acme, "Acme mortgages", "product")
    arrive(acme, post(acme, "My card is blocked", author="jo", at=ago(hours=60)))
    arrive(acme, post(acme, "Blocked again", author="jo", at=ago(hours=1)))  # window passed
    arrive(acme, post(acme, "Mortgage question", author="jo", queries=[product]))  # new topic
    arrive(acme, post(acme, "My card is blocked too", author="kim"))  # another author
    assert len(conversations(acme)) == 4


def test_a_resolved_conversation_is_not_joined_by_the_author_but_a_reply_reopens_it(acme):
    first = post(acme, "Login fails", author="jo", external_id="200")
    arrive(acme, first)
    conv = conversations(acme)[0]
    Conversation.objects.filter(pk=conv.pk).update(status=Status.RESOLVED)
    arrive(acme, post(acme, "Another thing entirely", author="jo"))
    assert len(conversations(acme)) == 2
    arrive(acme, post(acme, "Nope, still failing", author="jo", reply_to_external_id="200"))
    conv.refresh_from_db()
    assert conv.status == Status.OPEN
    assert conv.post_count == 2
    reopened = Activity.objects.get(conversation=conv, kind="status")
    assert reopened.message.startswith("Reopened by a new post from @jo")


def test_grouping_a_batch_takes_a_fixed_number_of_queries(acme):
    def batch(n: int, tag: str) -> list:
        return [post(acme, f"post {tag}{i}", author=f"{tag}{i}") for i in range(n)]

    small, large = batch(3, "s"), batch(60, "l")
    with CaptureQueriesContext(connection) as few:
        arrive(acme, *small)
    with CaptureQueriesContext(connection) as many:
        arrive(acme, *large)
    # arrive() itself reads each post's matches; the inbox's own work must not grow per post
    assert len(many) - 60 <= len(few) - 3 + 2


def test_posts_received_through_the_pipeline_land_in_conversations(acme):
    query(acme)
    at = ago(minutes=5)
    batch = Batch(
        posts=[
            NormalisedPost(
                network="mastodon",
                external_id="900",
                text="@acmebank my card was declined twice today, what is going on?",
                author=Author(external_id="u1", handle="jo", reach=50),
                created_at=at,
            ),
            NormalisedPost(
                network="mastodon",
                external_id="901",
                text="@jo same problem here with acme",
                author=Author(external_id="u2", handle="kim", reach=5),
                created_at=at,
                reply_to_id="900",
            ),
        ]
    )
    receive(acme, batch)
    [conv] = conversations(acme)
    assert conv.post_count == 2
    assert conv.intent
    assert conv.sentiment
    assert ConversationPost.objects.filter(conversation=conv).count() == 2


def test_a_copy_or_a_deleted_post_never_becomes_a_conversation(acme):
    original = post(acme, "A long complaint about the mortgage team being slow")
    copy = post(acme, "A long complaint about the mortgage team being slow", duplicate_of=original)
    gone = post(acme, "", deleted_at=ago(minutes=1))
    arrive(acme, original, copy, gone)
    assert len(conversations(acme)) == 1


def test_an_edited_post_stays_in_its_conversation_which_follows_its_new_verdict(acme):
    p = post(acme, "is there a mortgage for first buyers?", intent="question", sentiment="neutral")
    arrive(acme, p)
    p.intent, p.sentiment = "lead", "positive"
    p.save()
    grouped = arrive(acme, p)  # triaged again after an edit
    [conv] = conversations(acme)
    assert grouped.placed[0].changed
    assert (conv.intent, conv.sentiment, conv.post_count) == ("lead", "positive", 1)
