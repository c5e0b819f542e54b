"""Small factories for the profile's tests: a customer with products, orders and accounts."""

from datetime import datetime, timedelta
from decimal import Decimal
from itertools import count

from django.utils import timezone

from rapport.contacts.models import Account, Contact, Identity, Order, OrderLine, Product
from rapport.core.models import Workspace
from rapport.listening.models import Post

_ids = count(1)


def contact(workspace: Workspace, name: str = "Jonathan Smith", **fields: object) -> Contact:
    first, _, last = name.partition(" ")
    return Contact.objects.create(
        workspace=workspace, name=name, first_name=first, last_name=last, **fields
    )


def product(workspace: Workspace, name: str, price: str = "10.00") -> Product:
    found, _ = Product.objects.get_or_create(
        workspace=workspace,
        sku=name.lower().replace(" ", "-"),
        defaults={"name": name, "price": Decimal(price)},
    )
    return found


def order(
    who: Contact,
    *products: Product,
    total: str = "100.00",
    status: str = Order.State.PAID,
    at: datetime | None = None,
    currency: str = "GBP",
) -> Order:
    made = Order.objects.create(
        workspace_id=who.workspace_id,
        contact=who,
        ordered_at=at or timezone.now() - timedelta(days=next(_ids) % 300 + 1),
        status=status,
        total=Decimal(total),
        currency=currency,
    )
    OrderLine.objects.bulk_create(
        OrderLine(workspace_id=who.workspace_id, order=made, product=p, unit_price=p.price or 0)
        for p in products
    )
    return made


def account(
    who: Contact, kind: str, status: str = Account.State.ACTIVE, product: Product | None = None
) -> Account:
    return Account.objects.create(
        workspace_id=who.workspace_id,
        contact=who,
        kind=kind,
        status=status,
        product=product,
        balance_band="£1k-£5k",
    )


def identity(
    who: Contact | None,
    workspace: Workspace,
    handle: str,
    network: str = "mastodon",
    profile_url: str = "",
) -> Identity:
    return Identity.objects.create(
        workspace=workspace,
        network=network,
        external_id=f"ext-{handle}-{next(_ids)}",
        handle=handle,
        display_name=handle.title(),
        profile_url=profile_url,
        contact=who,
    )


def link(post: Post, who: Contact) -> None:
    """Says the post's author is `who` (their identity linked to the contact)."""
    Identity.objects.filter(posts=post).update(contact=who)
