"""Signing in and out, the lockout after repeated failures, and where people land."""

import pytest
from django.test import Client

from conftest import PASSWORD
from rapport.core import actions
from rapport.core.roles import Role


def _sign_in(client: Client, email: str, password: str, **extra):
    return client.post("/login/", {"username": email, "password": password}, **extra)


@pytest.mark.django_db
def test_login_with_email_and_password_lands_in_the_workspace(owner):
    client = Client()
    response = _sign_in(client, "Owner@Acme.example", PASSWORD, follow=True)
    assert response.redirect_chain[-1][0] == "/w/acme/inbox/"
    assert response.status_code == 200
    assert b"Acme Bank" in response.content
    assert b"Your inbox is empty" in response.content


@pytest.mark.django_db
def test_wrong_password_shows_an_error_and_does_not_sign_in(owner):
    client = Client()
    response = _sign_in(client, owner.user.email, "not the password")
    assert response.status_code == 200
    assert b"Please enter a correct" in response.content
    assert client.get("/w/acme/inbox/").status_code == 302


@pytest.mark.django_db
def test_sixth_attempt_after_five_failures_is_locked_out_even_with_the_right_password(owner):
    client = Client()
    for _ in range(5):
        _sign_in(client, owner.user.email, "guess")
    response = _sign_in(client, owner.user.email, PASSWORD)
    assert response.status_code == 429
    assert b"Too many sign-in attempts" in response.content
    assert b"15 minutes" in response.content
    assert client.get("/w/acme/inbox/").status_code == 302


@pytest.mark.django_db
def test_changing_the_emails_letter_case_does_not_buy_more_attempts(owner):
    client = Client()
    email = owner.user.email
    for variant in [email, email.upper(), email.title(), email, email.upper()]:
        _sign_in(client, variant, "guess")
    response = _sign_in(client, email, PASSWORD)
    assert response.status_code == 429


@pytest.mark.django_db
def test_logout_is_a_post_and_signs_out(owner_client):
    assert owner_client.get("/w/acme/inbox/").status_code == 200
    response = owner_client.post("/logout/")
    assert response.status_code == 302
    assert response["Location"] == "/login/"
    assert owner_client.get("/w/acme/inbox/").status_code == 302


@pytest.mark.django_db
def test_login_page_mentions_demo_logins_only_when_the_demo_exists(client, make_workspace):
    assert b"make run" not in client.get("/login/").content
    make_workspace("acme")
    page = client.get("/login/").content
    assert b"make run" in page
    assert b"Sign in" in page


@pytest.mark.django_db
def test_home_sends_strangers_to_login_and_members_to_their_last_workspace(
    client, acme, globex, make_member, signed_in
):
    assert client.get("/")["Location"] == "/login/"
    member = make_member(acme, Role.AGENT, email="pat@example.com")
    globex_owner = globex.memberships.get()
    actions.add_member(globex_owner, email="pat@example.com", role=Role.VIEWER)
    pat = signed_in(member)
    assert pat.get("/")["Location"] == "/w/acme/inbox/"
    pat.get("/w/globex/people/")
    assert pat.get("/")["Location"] == "/w/globex/inbox/"


@pytest.mark.django_db
def test_workspace_switcher_goes_to_the_chosen_workspace_only_for_members(
    acme, globex, signed_in, owner
):
    client = signed_in(owner)
    assert client.get("/switch/?workspace=acme")["Location"] == "/w/acme/"
    assert client.get("/switch/?workspace=globex").status_code == 404


@pytest.mark.django_db
def test_someone_without_a_workspace_is_told_what_to_do(client, django_user_model):
    user = django_user_model.objects.create_user("lonely@example.com", PASSWORD)
    client.force_login(user)
    response = client.get("/")
    assert response.status_code == 200
    assert b"not in a workspace yet" in response.content


def _spray(emails, address: str, **headers):
    client = Client(REMOTE_ADDR=address, **headers)
    return [_sign_in(client, email, "Winter2026!").status_code for email in emails]


@pytest.mark.django_db
def test_one_address_guessing_across_many_emails_is_locked_out(owner, settings):
    """Password spraying: one password tried on many emails from one client address."""
    settings.RAPPORT_LOGIN_ADDRESS_FAILURE_LIMIT = 10
    codes = _spray([f"person{i}@acme.example" for i in range(10)], "203.0.113.7")
    assert codes == [200] * 9 + [429]  # the tenth failure from the address locks it
    response = Client(REMOTE_ADDR="203.0.113.7").post(
        "/login/", {"username": owner.user.email, "password": PASSWORD}
    )
    assert response.status_code == 429
    assert b"Sign-in from your network is paused" in response.content
    assert b"15 minutes" in response.content
    # Another address is unaffected: the owner signs in from there.
    other = Client(REMOTE_ADDR="198.51.100.20")
    assert _sign_in(other, owner.user.email, PASSWORD).status_code == 302


@pytest.mark.django_db
def test_a_sprayer_cannot_clear_the_address_count_by_signing_in_to_their_own_account(
    owner, settings
):
    settings.RAPPORT_LOGIN_ADDRESS_FAILURE_LIMIT = 10
    assert _spray([f"person{i}@acme.example" for i in range(6)], "203.0.113.7") == [200] * 6
    own = Client(REMOTE_ADDR="203.0.113.7")
    assert _sign_in(own, owner.user.email, PASSWORD).status_code == 302
    codes = _spray([f"other{i}@acme.example" for i in range(4)], "203.0.113.7")
    assert codes == [200, 200, 200, 429]  # 6 + 4: the earlier failures still count


@pytest.mark.django_db
def test_a_forged_forwarded_for_header_buys_no_attempts_without_a_proxy(owner, settings):
    settings.RAPPORT_LOGIN_ADDRESS_FAILURE_LIMIT = 10
    codes = [
        _spray([f"person{i}@acme.example"], "203.0.113.7", HTTP_X_FORWARDED_FOR=f"10.0.0.{i}")[0]
        for i in range(11)
    ]
    assert codes[-1] == 429


@pytest.mark.django_db
def test_behind_a_load_balancer_the_client_address_is_the_one_it_saw(owner, settings):
    settings.RAPPORT_LOGIN_ADDRESS_FAILURE_LIMIT = 10
    settings.RAPPORT_PROXY_COUNT = 1
    balancer = "10.0.0.2"
    # The client forges a first hop; the balancer appends the address it really saw.
    sprayer = {"HTTP_X_FORWARDED_FOR": "1.2.3.4, 203.0.113.7"}
    codes = _spray([f"person{i}@acme.example" for i in range(11)], balancer, **sprayer)
    assert codes[-1] == 429
    colleague = Client(REMOTE_ADDR=balancer, HTTP_X_FORWARDED_FOR="198.51.100.20")
    assert _sign_in(colleague, owner.user.email, PASSWORD).status_code == 302
