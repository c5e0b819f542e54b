"""`rapport bench soak`'s parts that decide its figures: the same chunk is the same posts (a
retried ingest task stores nothing new), and the counts see a lost or doubled post."""

from rapport.bench import soak
from rapport.inbox.models import ConversationPost, RuleApplication
from rapport.listening.ingest import receive


def ids(batch):
    return [(p.network, p.external_id) for p in batch.posts]


def test_a_chunk_is_the_same_posts_every_time_and_no_other_chunks():
    first = ids(soak.chunk_batch(1, 0, 200))
    assert ids(soak.chunk_batch(1, 0, 200)) == first
    assert len(set(first)) == 200
    assert not set(first) & set(ids(soak.chunk_batch(1, 1, 200)))


def test_the_counts_see_every_post_once_then_a_lost_and_a_doubled_one(db):
    workspace, _ = soak._setup("soak-test", queries=10, seed=1)
    batch = soak.chunk_batch(1, 0, 300)
    receive(workspace, batch)  # heard inline here: placed and routed at once
    receive(workspace, batch)  # a retried chunk

    figures = soak.count(workspace, expected=300)
    assert (figures["stored"], figures["stored_lost"], figures["stored_duplicated"]) == (300, 0, 0)
    assert figures["triaged"] == 300
    assert figures["routed"] == figures["routable"] > 250  # reposts are placed with their original
    assert (figures["routed_lost"], figures["routed_duplicated"]) == (0, 0)
    assert figures["customer_posts"] > 0
    assert figures["timeline_entries"] == figures["customer_posts"]
    assert (figures["timeline_lost"], figures["timeline_duplicated"]) == (0, 0)

    placement = ConversationPost.objects.filter(post__workspace=workspace).order_by("pk")[0]
    placement.delete()
    RuleApplication.objects.filter(pk=RuleApplication.objects.order_by("pk")[0].pk).delete()
    figures = soak.count(workspace, expected=301)
    assert figures["stored_lost"] == 1
    assert figures["routed_lost"] == 2  # a post in no conversation, a conversation not routed
