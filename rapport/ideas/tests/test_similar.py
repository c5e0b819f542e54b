"""Similar ideas: a post or a new idea in other words finds the idea it asks for; merged ideas and
other workspaces' ideas are never offered."""

from rapport.bench import ideas_quality
from rapport.core.models import Membership
from rapport.core.roles import Role
from rapport.ideas import actions, merge
from rapport.ideas.similar import similar_ideas


def test_posts_in_other_words_find_the_idea_they_ask_for_among_the_first_five():
    """On the held-out split of the duplicate pairs (never used to choose the weights)."""
    figures = ideas_quality.evaluate("test")
    assert figures["posts"] == 70
    assert figures["recall_at_5"] >= 0.95
    assert figures["recall_at_1"] >= 0.8
    assert figures["no_idea_added_anyway"] <= 0.1  # the routing threshold rarely adds a stray


def test_a_night_theme_finds_dark_mode_and_not_what_is_merged_or_elsewhere(owner, acme, globex):
    dark = actions.create_idea(owner, title="Dark mode in the app", body="A dark theme at night.")
    duplicate = actions.create_idea(owner, title="Dark theme please", body="Black background.")
    actions.create_idea(owner, title="Apple Pay support", body="Pay with my phone.")
    theirs = Membership.objects.get(workspace=globex, role=Role.OWNER)
    actions.create_idea(theirs, title="Night theme for the app", body="A dark mode.")
    merge.merge_ideas(owner, duplicate, dark)

    found = similar_ideas(acme.pk, "Could the app get a night theme? The white hurts my eyes")
    assert [idea for idea, _ in found][:1] == [dark]
    assert all(idea.workspace_id == acme.pk and idea.merged_into_id is None for idea, _ in found)
    assert all(0 < score <= 1 for _, score in found)
    assert similar_ideas(acme.pk, "   ") == []
    assert [i for i, _ in similar_ideas(acme.pk, "dark mode", exclude=dark.pk)] != [dark]
