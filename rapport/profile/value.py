"""What a customer is worth to the business, and how their accounts stand.

Lifetime value = the sum of the totals of the contact's orders whose status is paid or open, per
currency; refunded and cancelled orders count for nothing. It is read from the orders each time
(a contact has few), so it is always current.
"""

from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Count, Q, Sum

from rapport.contacts.models import Account, Contact, Order

#: Orders whose products the customer holds, and whose totals count towards lifetime value.
HOLDING_ORDERS = (Order.State.PAID, Order.State.OPEN)


@dataclass
class Value:
    lifetime: list[tuple[str, Decimal]]  # (currency, total), largest first
    orders: int
    accounts_open: int
    accounts_in_arrears: int
    status: str  # "in arrears", "active", "dormant", "closed", "no accounts"


def lifetime_value(contact: Contact) -> list[tuple[str, Decimal]]:
    """Per currency: the sum of totals of paid and open orders (refunded, cancelled excluded)."""
    rows = (
        Order.objects.filter(contact_id=contact.pk, status__in=HOLDING_ORDERS)
        .order_by()
        .values("currency")
        .annotate(total=Sum("total"))
    )
    values = [(r["currency"], r["total"] or Decimal("0")) for r in rows]
    return sorted(values, key=lambda v: -v[1])


def account_status(accounts: list[Account]) -> str:
    states = {a.status for a in accounts}
    for state in (Account.State.IN_ARREARS, Account.State.ACTIVE, Account.State.DORMANT):
        if state in states:
            return Account.State(state).label.lower()
    return "closed" if accounts else "no accounts"


def value_of(contact: Contact, accounts: list[Account]) -> Value:
    """The profile's value section: one pass over the contact's orders gives the lifetime value
    and the count, per currency; `accounts` are the contact's, already read."""
    totals = (
        Order.objects.filter(contact_id=contact.pk)
        .order_by()
        .values("currency")
        .annotate(total=Sum("total", filter=Q(status__in=HOLDING_ORDERS)), n=Count("id"))
    )
    return Value(
        lifetime=sorted(
            ((r["currency"], r["total"]) for r in totals if r["total"] is not None),
            key=lambda v: -v[1],
        ),
        orders=sum(r["n"] for r in totals),
        accounts_open=sum(1 for a in accounts if a.status != Account.State.CLOSED),
        accounts_in_arrears=sum(1 for a in accounts if a.status == Account.State.IN_ARREARS),
        status=account_status(accounts),
    )
