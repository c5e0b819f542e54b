"""The demo's review queue: the ERP twins are suggested, one is merged, a rerun adds nothing."""

from rapport.contacts import actions
from rapport.contacts.models import Contact, LinkagePolicy, MatchSuggestion, MergeRecord
from rapport.core.roles import Role
from rapport.demo import linkage


def test_the_demo_fills_the_review_queue_and_shows_a_merge(acme, owner, make_member):
    agent = make_member(acme, Role.AGENT)
    for first, nick, last, typo, born in [
        ("Alexander", "Alex", "Parker", "Parker", "1990-05-18"),
        ("Alice", "Alice", "Clarke", "Clark", "1962-08-24"),
        ("Aisha", "Aisha", "Smith", "Smyth", "1999-10-07"),
    ]:
        actions.create_contact(
            agent, first_name=first, last_name=last, birth_date=born, city="Leeds"
        )
        actions.create_contact(
            agent, first_name=nick, last_name=typo, birth_date=born, city="Leeds",
            source="erp", external_id=f"ERP-{last}",
        )  # fmt: skip
    linkage.finish(acme, owner)
    assert LinkagePolicy.objects.get(workspace=acme).auto_merge is False
    assert MatchSuggestion.objects.filter(workspace=acme).count() == 3
    merge = MergeRecord.objects.get()
    assert merge.merged.source == "erp"
    assert Contact.objects.get(pk=merge.merged_id).merged_into_id == merge.survivor_id
    linkage.finish(acme, owner)
    assert MatchSuggestion.objects.filter(workspace=acme).count() == 3
    assert MergeRecord.objects.count() == 1
