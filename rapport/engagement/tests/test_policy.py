"""The policy checker: each finding names the problem and where it is; cards are Luhn-checked."""

import pytest

from rapport.connectors.bluesky.connector import BlueskyConnector
from rapport.core.roles import Role
from rapport.engagement.models import EngagementPolicy, Reply
from rapport.engagement.policy import (
    Draft,
    Severity,
    check,
    iban_valid,
    luhn_valid,
    private_only,
    reply_length,
    reply_limit,
    sends_private,
)
from rapport.engagement.tests.factories import make_post


@pytest.fixture
def policy(acme) -> EngagementPolicy:
    return EngagementPolicy.objects.create(
        workspace=acme,
        forbidden_phrases=["guaranteed returns"],
        sensitive_topics=["fraud", "lawsuit"],
        public_contacts=["help@acme.example", "0800 123 4567"],
        disclosure="I work at Acme Bank.",
        tone_check=False,
    )


@pytest.fixture
def agent(acme, make_member):
    return make_member(acme, Role.AGENT, "sam@acme.example")


def findings(policy, author, text, *, network="mastodon", visibility="public", post=None):
    post = post or make_post(policy.workspace, network=network)
    return check(Draft(text=text, post=post, author=author, visibility=visibility), policy)


def codes(found) -> list[tuple[str, str]]:
    return [(f.severity.value, f.code) for f in found]


def test_a_clean_reply_by_an_agent_has_no_findings(policy, agent):
    assert findings(policy, agent, "Hi @dana, sorry about that: we are looking at it now.") == []


def test_a_card_number_is_blocked_and_named_with_its_place(policy, agent):
    text = "Your card 4111 1111 1111 1111 is blocked now."
    [finding] = findings(policy, agent, text)
    assert (finding.severity, finding.code) == (Severity.BLOCK, "card_number")
    assert "a card number (ending 1111) at characters 11 to 29" in finding.message
    assert text[finding.start : finding.end] == "4111 1111 1111 1111"
    assert "4111 1111" not in finding.message  # the finding never repeats the number


def test_order_numbers_that_fail_luhn_do_not_trip_the_card_check(policy, agent):
    assert luhn_valid("4111111111111111")
    assert not luhn_valid("4111111111111112")
    assert findings(policy, agent, "Your order 4111111111111112 ships today.") == []


def test_ibans_sort_codes_and_account_numbers_are_blocked(policy, agent):
    assert iban_valid("GB82 WEST 1234 5698 7654 32")
    assert not iban_valid("GB82 WEST 1234 5698 7654 33")
    found = findings(
        policy,
        agent,
        "Pay GB82 WEST 1234 5698 7654 32 or sort code 12-34-56 "
        "12345678, or account number 87654321.",
    )
    assert codes(found) == [("block", "account_number")] * 3
    assert findings(policy, agent, "Ref GB82 WEST 1234 5698 7654 33 is wrong") == []


def test_emails_and_phone_numbers_are_blocked_unless_the_company_publishes_them(policy, agent):
    found = findings(policy, agent, "Write to dana.s@gmail.com or call +44 7700 900123.")
    assert codes(found) == [("block", "email"), ("block", "phone_number")]
    assert "(dana.s@gmail.com)" in found[0].message
    assert findings(policy, agent, "Write to help@acme.example or call 0800 123 4567.") == []
    assert findings(policy, agent, "Order 2024-03-05 number 123456789 shipped") == []


def test_personal_data_in_a_private_message_is_a_warning(policy, agent):
    post = make_post(policy.workspace, network="email", source=None)
    policy.record_only = True
    found = findings(policy, agent, "Card 4111 1111 1111 1111", visibility="private", post=post)
    assert codes(found) == [("warning", "card_number")]


def test_forbidden_phrases_block_whatever_the_case_and_spacing(policy, agent):
    [finding] = findings(policy, agent, "Our ISA has GUARANTEED\n returns!")
    assert finding.code == "forbidden_phrase"
    assert "“guaranteed returns” is a forbidden phrase" in finding.message
    assert findings(policy, agent, "Returns are not guaranteed.") == []


def test_non_designated_staff_must_disclose_they_work_here(policy, acme, make_member):
    employee = make_member(acme, Role.EMPLOYEE, "ravi@acme.example")
    found = findings(policy, employee, "The new app update fixes that, Dana!")
    assert ("block", "disclosure_missing") in codes(found)
    assert "add “I work at Acme Bank.”" in found[0].message
    found = findings(policy, employee, "I work at Acme Bank: the new app update fixes that!")
    assert codes(found) == [("needs_approval", "role_needs_approval")]
    assert (
        found[0].message
        == "Replies by an employee wait for a manager's approval before they are posted."
    )


def test_a_designated_team_speaks_without_disclosure(policy, acme, owner, make_member):
    from rapport.core import actions as core

    employee = make_member(acme, Role.EMPLOYEE, "ravi@acme.example")
    team = core.create_team(owner, name="Social Care")
    core.add_team_member(owner, team, employee)
    policy.designated_teams.add(team)
    assert "disclosure_missing" not in [f.code for f in findings(policy, employee, "Fixed now!")]


def test_sensitive_topics_need_an_approval(policy, agent):
    [finding] = findings(policy, agent, "We take fraud seriously, Dana.")
    assert (finding.severity, finding.code) == (Severity.NEEDS_APPROVAL, "sensitive_topic")
    assert "Mentions “fraud”, a topic marked sensitive (at characters 9 to 13)" in finding.message


@pytest.mark.parametrize(
    ("network", "limit"), [("x", 280), ("bluesky", 300), ("mastodon", 500), ("reddit", 10_000)]
)
def test_length_limits_per_network(policy, agent, network, limit):
    assert reply_limit(network) == limit
    post = make_post(policy.workspace, network=network, source=None)
    policy.record_only = True
    found = findings(policy, agent, "a" * (limit + 12), post=post)
    assert codes(found) == [("block", "too_long")]
    assert found[0].message.endswith(f"allows {limit}. Cut 12.")
    assert findings(policy, agent, "a" * limit, post=post) == []
    assert reply_limit("email") is None


def test_x_counts_a_link_as_23_characters(policy, agent):
    post = make_post(policy.workspace, network="x", source=None)
    policy.record_only = True
    text = "a" * 250 + " https://acme.example/" + "x" * 100
    assert findings(policy, agent, text, post=post) == []


def test_a_mention_of_someone_not_in_the_conversation_is_a_warning(policy, agent):
    found = findings(policy, agent, "@dana thanks! cc @acmebank @stranger")
    assert codes(found) == [("warning", "unknown_mention")]
    assert found[0].message.startswith("@stranger is not in this conversation")


def test_networks_rapport_cannot_post_to_are_named(policy, agent):
    post = make_post(policy.workspace, network="hackernews", source=None)
    [finding] = findings(policy, agent, "Thanks!", post=post)
    assert finding.code == "cannot_publish"
    assert "cannot publish replies on Hacker News" in finding.message
    no_source = make_post(policy.workspace, source=None)
    assert codes(findings(policy, agent, "Thanks!", post=no_source)) == [("block", "no_account")]


def test_a_private_message_where_the_network_has_none_is_refused(policy, agent):
    found = findings(policy, agent, "Thanks!", visibility=Reply.Visibility.PRIVATE)
    assert codes(found) == [("block", "no_private")]


def test_an_email_is_answered_in_private_only(policy, agent):
    post = make_post(policy.workspace, network="email", source=None)
    policy.record_only = True
    assert (sends_private("email"), private_only("email")) == (True, True)
    [finding] = findings(policy, agent, "Thanks!", post=post)
    assert (finding.severity, finding.code) == (Severity.BLOCK, "private_only")
    assert finding.message == "A Email reply goes to its author only: send it as a private message."
    assert findings(policy, agent, "Thanks!", post=post, visibility=Reply.Visibility.PRIVATE) == []


def test_a_network_without_a_connector_has_no_limits_and_takes_no_reply(policy, agent):
    post = make_post(policy.workspace, network="myspace", source=None)
    assert (reply_limit("myspace"), reply_length("https://x.example", "myspace")) == (None, 17)
    found = findings(policy, agent, "a" * 50_000, post=post)
    assert codes(found) == [("block", "cannot_publish")]
    assert "cannot publish replies on Myspace" in found[0].message
    private = findings(policy, agent, "Hi", post=post, visibility=Reply.Visibility.PRIVATE)
    assert codes(private) == [("block", "cannot_publish"), ("block", "no_private")]


def test_the_limits_are_the_ones_the_connector_declares(policy, agent, monkeypatch):
    monkeypatch.setattr(BlueskyConnector, "max_reply_length", 40)
    monkeypatch.setattr(BlueskyConnector, "link_length", 10)
    post = make_post(policy.workspace, network="bluesky", source=None)
    policy.record_only = True
    text = "See https://acme.example/status/" + "x" * 60  # 4 + 10 characters as Bluesky counts
    assert (reply_limit("bluesky"), reply_length(text, "bluesky")) == (40, 14)
    assert findings(policy, agent, text, post=post) == []
    assert findings(policy, agent, "a" * 41, post=post)[0].message.endswith("allows 40. Cut 1.")


def test_a_negative_tone_is_a_warning(policy, agent):
    policy.tone_check = True
    found = findings(
        policy, agent, "This is terrible, awful and your complaint is stupid. Hate it."
    )
    assert ("warning", "negative_tone") in codes(found)
    assert findings(policy, agent, "Thank you so much, glad we could help!") == []
