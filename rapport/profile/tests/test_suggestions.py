"""Next-best-action: cross-sell rules from what similar customers hold, and risk signals."""

from datetime import timedelta

import pytest
from django.utils import timezone

from rapport.contacts.models import Account
from rapport.core import schedule
from rapport.profile import risk, suggestions
from rapport.profile.tasks import refresh_suggestion_rules
from rapport.profile.tests import factories as f


@pytest.fixture
def bank(acme):
    names = ["Mortgage", "Current account", "Home insurance", "Credit card", "Savings"]
    return {n: f.product(acme, n) for n in names}


def customers(acme, bank, n, holds, segment="Mass affluent", start=0):
    made = []
    for i in range(n):
        c = f.contact(acme, f"Customer {start + i}", segment=segment)
        f.order(c, *(bank[h] for h in holds))
        made.append(c)
    return made


def test_a_customer_like_many_others_is_offered_what_they_added_with_a_sentence(acme, bank):
    # 60 hold a mortgage and a current account; 21 of them (35%) also added home insurance
    customers(acme, bank, 21, ["Mortgage", "Current account", "Home insurance"])
    customers(acme, bank, 39, ["Mortgage", "Current account"], start=100)
    # 40 others hold only savings: home insurance is rare among them (lift > 1)
    customers(acme, bank, 40, ["Savings"], start=200)
    me = f.contact(acme, "Jonathan Smith", segment="Mass affluent")
    f.order(me, bank["Mortgage"])
    f.account(me, "Current account", product=bank["Current account"])

    found = suggestions.suggestions_for(me)
    assert found, "a suggestion was expected"
    best = found[0]
    assert best.product == "Home insurance"
    assert set(best.because) == {"Mortgage", "Current account"}
    assert best.sentence == (
        "Customers in the Mass affluent segment who hold a Mortgage and a Current account "
        "often add Home insurance (34% of 61 similar customers)."  # 61: with Jonathan
    )
    assert all(s.product not in ("Mortgage", "Current account") for s in found)


def test_rules_are_cached_per_workspace_until_refreshed(acme, bank, django_assert_num_queries):
    customers(acme, bank, 30, ["Mortgage", "Home insurance"])
    suggestions.rules_for(acme.pk)
    with django_assert_num_queries(0):
        suggestions.rules_for(acme.pk)
    suggestions.forget_rules(acme.pk)
    with django_assert_num_queries(4):  # lines, accounts, contacts' groups, product names
        suggestions.rules_for(acme.pk)


def test_no_suggestion_from_too_few_similar_customers(acme, bank):
    customers(acme, bank, 5, ["Mortgage", "Home insurance"])
    me = f.contact(acme, "Jonathan Smith")
    f.order(me, bank["Mortgage"])
    assert suggestions.suggestions_for(me) == []


def test_cancelled_orders_and_closed_accounts_are_not_held(acme, bank):
    me = f.contact(acme)
    f.order(me, bank["Mortgage"], status="cancelled")
    f.account(me, "Savings", status=Account.State.CLOSED, product=bank["Savings"])
    f.order(me, bank["Credit card"], status="open")
    assert suggestions.holdings([me.pk], acme.pk) == {me.pk: {bank["Credit card"].pk}}


def test_risk_signals_complaints_falling_sentiment_and_arrears(acme):
    now = timezone.now()
    me = f.contact(acme)
    arrears = f.account(me, "Mortgage", status=Account.State.IN_ARREARS)
    sentiments: list[tuple[object, str, float | None]] = [
        (now - timedelta(days=5), "negative", -0.8),
        (now - timedelta(days=10), "", -0.6),
    ]
    sentiments += [(now - timedelta(days=60 + i), "positive", None) for i in range(4)]
    risks = risk.risk_signals(
        complaints=2, cases_opened=1, sentiments=sentiments, accounts=[arrears], now=now
    )
    assert [r.code for r in risks] == ["complaints", "sentiment", "arrears"]
    assert risks[0].sentence == "2 complaints and 1 case opened in the last 90 days."
    assert risks[0].severity == "high"
    assert risks[1].sentence.startswith("Sentiment is falling: -0.7 in the last 30 days")
    assert risks[2].sentence == "In arrears on: Mortgage."


def test_steady_sentiment_and_a_quiet_customer_raise_no_risk(acme):
    now = timezone.now()
    sentiments = [(now - timedelta(days=d), "positive", 0.5) for d in (3, 40, 80)]
    assert (
        risk.risk_signals(complaints=0, cases_opened=0, sentiments=sentiments, accounts=[], now=now)
        == []
    )


def test_the_scheduled_task_refreshes_every_selling_workspace(
    acme, globex, bank, django_assert_num_queries
):
    assert "profile.suggestion_rules" in {p.name for p in schedule.registered()}
    customers(acme, bank, 30, ["Mortgage", "Home insurance"])
    assert refresh_suggestion_rules.call() == 1  # globex sells nothing
    with django_assert_num_queries(0):
        suggestions.rules_for(acme.pk)
