"""The Listening list's triage badges: the model's confidence, one-click correction in place,
who may correct, and another workspace's post is a 404."""

import pytest

from rapport.core.roles import Role
from rapport.listening.models import Post
from rapport.triage.models import TriageCorrection
from rapport.triage.tests.factories import triaged_post

pytestmark = pytest.mark.django_db


@pytest.fixture
def post(acme):
    return triaged_post(acme, "Thank you Acme, the new app is brilliant and so fast!")


def test_badges_show_labels_with_the_models_confidence_and_a_menu(owner_client, post):
    html = owner_client.get("/w/acme/listening/").content.decode()
    assert f'id="triage-{post.pk}"' in html
    assert '<details class="triage-badge" data-triage-field="sentiment">' in html
    assert '<details class="triage-badge" data-triage-field="intent">' in html
    assert "The model is" in html
    assert '<span class="confidence">' in html
    assert f'action="/w/acme/listening/posts/{post.pk}/triage/"' in html
    assert 'name="value" value="negative"' in html


def test_one_click_correction_swaps_the_badges_and_sticks(signed_in, acme, make_member, post):
    agent = signed_in(make_member(acme, Role.EMPLOYEE))
    response = agent.post(
        f"/w/acme/listening/posts/{post.pk}/triage/",
        {"field": "sentiment", "value": "negative"},
        headers={"HX-Request": "true"},
    )
    assert response.status_code == 200
    fragment = response.content.decode()
    assert fragment.lstrip().startswith(f'<span class="triage" id="triage-{post.pk}">')
    assert "badge sentiment-negative corrected" in fragment
    assert "the model said Positive" in fragment
    assert "autofocus" in fragment  # the keyboard stays on the badge just corrected
    post.refresh_from_db()
    assert post.sentiment == "negative"
    page = agent.get("/w/acme/listening/?sentiment=negative").content.decode()
    assert f'id="post-{post.pk}"' in page
    assert "badge sentiment-negative corrected" in page


def test_without_htmx_the_correction_redirects_back_to_the_post(owner_client, post):
    response = owner_client.post(
        f"/w/acme/listening/posts/{post.pk}/triage/", {"field": "intent", "value": "lead"}
    )
    assert response.status_code == 302
    assert response["Location"] == f"/w/acme/listening/#post-{post.pk}"
    assert TriageCorrection.objects.get(post=post).new_value == "lead"


def test_an_unknown_label_is_named_in_place(owner_client, post):
    response = owner_client.post(
        f"/w/acme/listening/posts/{post.pk}/triage/",
        {"field": "sentiment", "value": "furious"},
        headers={"HX-Request": "true"},
    )
    assert response.status_code == 200  # htmx swaps only 2xx: the message shows in place
    assert 'role="alert"' in response.content.decode()
    assert "Unknown sentiment label &#x27;furious&#x27;" in response.content.decode()
    assert not TriageCorrection.objects.exists()


def test_viewers_see_badges_without_a_menu_and_cannot_correct(signed_in, acme, make_member, post):
    viewer = signed_in(make_member(acme, Role.VIEWER))
    html = viewer.get("/w/acme/listening/").content.decode()
    assert 'class="triage-badge"' not in html
    assert "badge sentiment-positive" in html
    response = viewer.post(
        f"/w/acme/listening/posts/{post.pk}/triage/", {"field": "sentiment", "value": "negative"}
    )
    assert response.status_code == 403
    assert Post.objects.get(pk=post.pk).sentiment == "positive"


def test_another_workspaces_post_is_404(signed_in, globex, make_member, post):
    stranger = signed_in(make_member(globex, Role.OWNER))
    for slug in ("globex", "acme"):
        response = stranger.post(
            f"/w/{slug}/listening/posts/{post.pk}/triage/",
            {"field": "sentiment", "value": "negative"},
        )
        assert response.status_code == 404
    assert Post.objects.get(pk=post.pk).sentiment == "positive"
    assert not TriageCorrection.objects.exists()
