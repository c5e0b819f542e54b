"""Receiving batches: stored once, edits and deletions applied, bad items quarantined."""

from datetime import UTC, datetime, timedelta
from types import SimpleNamespace

import pytest

from rapport.connectors.base import Author, Batch, NormalisedPost, Reject
from rapport.contacts.models import Identity
from rapport.listening.ingest import receive
from rapport.listening.models import ListeningQuery, Post, QuarantinedPayload

T0 = datetime(2026, 11, 20, 9, 30, tzinfo=UTC)


def post(external_id: str, text: str, **kwargs) -> NormalisedPost:
    author = kwargs.pop("author", Author(external_id="109", handle="dana", reach=5400))
    return NormalisedPost(
        network=kwargs.pop("network", "mastodon"),
        external_id=external_id,
        text=text,
        author=author,
        created_at=kwargs.pop("created_at", T0),
        raw={"id": external_id},
        **kwargs,
    )


@pytest.fixture
def queries(acme):
    ListeningQuery.objects.create(workspace=acme, name="Brand", query='"acme bank" OR @acmebank')
    ListeningQuery.objects.create(
        workspace=acme, name="Rivals", query="globex", label=ListeningQuery.Label.COMPETITOR
    )


def test_a_batch_received_twice_is_stored_once(acme, queries):
    batch = Batch(posts=[post("1", "Acme Bank froze my card again"), post("2", "globex is fine")])
    first = receive(acme, batch, triage="inline")
    second = receive(acme, batch, triage="inline")
    assert len(first.created) == 2
    assert second.created == []
    assert second.duplicates == 2
    assert Post.objects.filter(workspace=acme).count() == 2


def test_inline_triage_matches_classifies_scores_and_links_the_author(acme, queries):
    receive(
        acme,
        Batch(posts=[post("1", "@AcmeBank still charged twice, no refund. Unacceptable!")]),
        triage="inline",
    )
    stored = Post.objects.get(external_id="1")
    assert [q.name for q in stored.queries.all()] == ["Brand"]
    assert stored.sentiment == "negative"
    assert stored.intent == "complaint"
    assert stored.priority >= 50
    assert stored.triaged_at is not None
    assert stored.identity == Identity.objects.get(network="mastodon", external_id="109")
    assert stored.identity.contact is None


def test_edits_replace_the_text_and_deletions_remove_it(acme):
    receive(acme, Batch(posts=[post("1", "first version")]), triage="none")
    edited = post("1", "second version", edited_at=T0 + timedelta(minutes=5))
    assert receive(acme, Batch(posts=[edited]), triage="none").updated == 1
    assert Post.objects.get(external_id="1").text == "second version"
    gone = post("1", "", deleted=True)
    assert receive(acme, Batch(posts=[gone]), triage="none").deleted == 1
    stored = Post.objects.get(external_id="1")
    assert stored.text == ""
    assert stored.deleted_at is not None


def test_bad_items_are_quarantined_and_the_rest_is_stored(acme):
    batch = Batch(
        posts=[post("1", "fine post"), post("2", "   "), post("3", "x", network="myspace")],
        rejects=[Reject("not JSON: line 1", b"{oops")],
    )
    result = receive(acme, batch, triage="none")
    assert len(result.created) == 1
    assert result.quarantined == 3
    reasons = set(QuarantinedPayload.objects.values_list("reason", flat=True))
    assert reasons == {"the post has no text", "unknown network 'myspace'", "not JSON: line 1"}
    assert bytes(QuarantinedPayload.objects.get(reason__startswith="not JSON").raw) == b"{oops"


def test_a_crash_mid_batch_stores_nothing_and_the_retry_stores_all(acme, monkeypatch):
    from rapport.triage import pipeline

    batch = Batch(posts=[post(str(i), f"post number {i}") for i in range(5)])

    def crash(*args, **kwargs):
        raise RuntimeError("worker killed")

    monkeypatch.setattr(pipeline, "process", crash)
    with pytest.raises(RuntimeError):
        receive(acme, batch, triage="inline")
    assert Post.objects.count() == 0
    monkeypatch.undo()
    assert len(receive(acme, batch, triage="inline").created) == 5


def test_copies_link_to_the_original(acme):
    text = "Acme Bank is giving away free money, click the link to claim now"
    receive(acme, Batch(posts=[post("1", text)]), triage="inline")
    receive(
        acme, Batch(posts=[post("2", "RT @dana: " + text + " https://t.co/x")]), triage="inline"
    )
    original, copy = Post.objects.get(external_id="1"), Post.objects.get(external_id="2")
    assert copy.duplicate_of == original
    assert original.duplicate_of is None
    assert copy.sentiment == ""  # not classified again


def test_an_edit_is_triaged_again_and_its_matches_follow_the_new_text(acme, queries):
    receive(acme, Batch(posts=[post("1", "Acme Bank froze my card")]), triage="inline")
    assert [q.name for q in Post.objects.get(external_id="1").queries.all()] == ["Brand"]
    edited = post("1", "actually it was globex, sorry", edited_at=T0 + timedelta(minutes=5))
    result = receive(acme, Batch(posts=[edited]), triage="inline")
    assert result.updated == 1
    stored = Post.objects.get(external_id="1")
    assert [q.name for q in stored.queries.all()] == ["Rivals"]
    assert stored.text == "actually it was globex, sorry"


def test_copies_within_one_batch_are_stored_linked_to_their_original(acme, queries):
    text = "Acme Bank is giving away free money, click the link to claim now"
    batch = Batch(
        posts=[
            post("1", text),
            post("2", f"RT @dana: {text} #free", author=Author(external_id="7", handle="sam")),
            post("3", text, repost_of_id="1", author=Author(external_id="8", handle="kim")),
        ]
    )
    assert len(receive(acme, batch, triage="inline").created) == 3
    original = Post.objects.get(external_id="1")
    assert set(original.copies.values_list("external_id", flat=True)) == {"2", "3"}
    assert original.sentiment != ""
    assert Post.objects.get(external_id="3").sentiment == ""  # not classified again
    assert list(original.queries.values_list("name", flat=True)) == ["Brand"]


def test_queued_triage_is_one_task_per_batch_after_commit(
    acme, queries, monkeypatch, django_capture_on_commit_callbacks
):
    from rapport.triage import tasks

    enqueued = []
    task = tasks.triage_posts
    monkeypatch.setattr(
        tasks, "triage_posts", SimpleNamespace(enqueue=lambda *a: enqueued.append(a))
    )
    batch = Batch(posts=[post(str(i), f"acme bank post {i}") for i in range(30)])
    with django_capture_on_commit_callbacks(execute=True):
        result = receive(acme, batch)
        assert enqueued == []  # nothing before the commit
    assert enqueued == [(acme.pk, result.created)]
    assert Post.objects.filter(triaged_at__isnull=True).count() == 30
    task.call(*enqueued[0])
    assert Post.objects.filter(triaged_at__isnull=True).count() == 0
    assert Post.objects.filter(matches__isnull=False).distinct().count() == 30


def test_a_deleted_post_stays_deleted_when_the_batch_comes_again(acme):
    receive(acme, Batch(posts=[post("1", "first version")]), triage="inline")
    gone = Batch(posts=[post("1", "", deleted=True)])
    assert receive(acme, gone, triage="inline").deleted == 1
    again = receive(acme, gone, triage="inline")
    assert (again.deleted, again.duplicates) == (0, 1)
    assert Post.objects.get(external_id="1").text == ""


def test_inserted_rows_get_their_ids_and_the_receive_time(acme):
    from rapport.core.bulk import bulk_insert

    rows = [
        Post(workspace=acme, network="x", external_id=str(i), text="t", posted_at=T0, raw=None)
        for i in range(3)
    ]
    bulk_insert(rows)
    assert [p.pk for p in rows] == list(
        Post.objects.filter(workspace=acme).order_by("pk").values_list("pk", flat=True)
    )
    stored = Post.objects.get(pk=rows[0].pk)
    assert stored.received_at == rows[0].received_at
    assert stored.raw is None
