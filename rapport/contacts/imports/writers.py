"""Writing a chunk of clean records, in bulk, idempotently by (source, external id).

`resolve` looks up what rows point at (the contact of an order, the account of a contact) and
is run while checking too, so a dry run reports a missing customer. `write` runs inside the
chunk's transaction: existing rows are updated (only the fields the file maps), new ones
created, never duplicated. New orders are told to the others (`orders.recorded`); imported cases
are written by the domain that keeps them (`WRITERS`).
"""

from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from decimal import Decimal
from typing import Any

from django.db import connection
from django.db.models import Min, Sum
from django.utils import timezone

from rapport.contacts.events import ORDERS_RECORDED
from rapport.contacts.imports.mappings import CONTACT_IMPORT_FIELDS, Target
from rapport.contacts.imports.rows import Context, Record
from rapport.contacts.models import (
    CONTACT_FIELDS,
    Consent,
    Contact,
    Order,
    OrderLine,
    Organization,
    Product,
)
from rapport.core.events import emit
from rapport.core.models import Workspace

BATCH = 500


def fast_update(model: Any, objs: Sequence[Any], fields: Sequence[str]) -> None:
    """`bulk_update` as one prepared UPDATE run per row (executemany).

    Django's bulk_update builds a CASE WHEN per field over the batch: its Python cost grows
    with rows x fields and made a 100,000-contact re-import take minutes.
    """
    if not objs:
        return
    meta = model._meta
    columns = [meta.get_field(f) for f in fields]
    quote = connection.ops.quote_name
    # names come from the model's own metadata, values are parameters
    sql = (
        f"UPDATE {quote(meta.db_table)} SET "  # noqa: S608
        + ", ".join(f"{quote(f.column)} = %s" for f in columns)
        + f" WHERE {quote(meta.pk.column)} = %s"
    )
    params = [[_prep(f, getattr(o, f.attname)) for f in columns] + [o.pk] for o in objs]
    with connection.cursor() as cursor:
        cursor.executemany(sql, params)


def _prep(field: Any, value: Any) -> Any:
    if value is None or isinstance(value, (str, int)):
        return value
    return field.get_db_prep_save(value, connection)


def fast_insert(model: Any, objs: Sequence[Any]) -> None:
    """`bulk_create` as one prepared INSERT run per row (executemany), without the per-object
    compiler work that made it most of an import's time. Objects get no primary key back."""
    if not objs:
        return
    meta = model._meta
    fields = [f for f in meta.concrete_fields if not f.primary_key]
    quote = connection.ops.quote_name
    sql = (
        f"INSERT INTO {quote(meta.db_table)} ({', '.join(quote(f.column) for f in fields)})"  # noqa: S608
        f" VALUES ({', '.join(['%s'] * len(fields))})"
    )
    params = [[_prep(f, f.pre_save(o, True)) for f in fields] for o in objs]
    with connection.cursor() as cursor:
        cursor.executemany(sql, params)


def _survivors(workspace: Workspace, contacts: dict[str, int]) -> dict[str, int]:
    """Keys -> contact ids, following merges to the contact each became."""
    merged = dict(
        Contact.objects.filter(
            pk__in=set(contacts.values()), merged_into__isnull=False
        ).values_list("pk", "merged_into_id")
    )
    out = {}
    for key, pk in contacts.items():
        for _ in range(10):
            if pk not in merged:
                break
            pk = merged[pk]
            if pk not in merged:
                nxt = Contact.objects.filter(pk=pk).values_list("merged_into_id", flat=True).first()
                if nxt:
                    merged[pk] = nxt
        out[key] = pk
    return out


def contacts_by_external_id(
    workspace: Workspace, ids: Iterable[str], source: str | None
) -> dict[str, int]:
    ids = set(ids)
    if not ids:
        return {}
    qs = Contact.objects.filter(workspace=workspace, external_id__in=ids)
    if source is not None:
        qs = qs.filter(source=source)
    found: dict[str, int] = {}
    for external_id, pk in qs.order_by("merged_into_id", "id").values_list("external_id", "pk"):
        found.setdefault(external_id, pk)
    return _survivors(workspace, found)


def first_contacts_of_accounts(
    workspace: Workspace, ids: Iterable[str], source: str
) -> dict[str, int]:
    ids = set(ids)
    if not ids:
        return {}
    rows = (
        Contact.objects.filter(
            workspace=workspace,
            merged_into__isnull=True,
            organization__source=source,
            organization__external_id__in=ids,
        )
        .values("organization__external_id")
        .annotate(first=Min("id"))
    )
    return {r["organization__external_id"]: r["first"] for r in rows}


def resolve(ctx: Context, workspace: Workspace, records: Sequence[Record]) -> None:
    """Finds the contacts rows point at; a missing one is the row's error."""
    target = ctx.mapping.target
    if target not in (Target.OPPORTUNITIES, Target.CASES, Target.ORDERS):
        return
    live = [r for r in records if not r.skip and r.refs]
    contact_ids = {r.refs["contact_external_id"] for r in live if "contact_external_id" in r.refs}
    account_ids = {
        r.refs["organization_external_id"]
        for r in live
        if "organization_external_id" in r.refs and "contact_external_id" not in r.refs
    }
    emails = {r.refs["contact_email_key"] for r in live if "contact_email_key" in r.refs}
    # an orders file names customers by the id they came with, from whichever system
    by_id = contacts_by_external_id(
        workspace, contact_ids, None if target == Target.ORDERS else ctx.source
    )
    by_account = first_contacts_of_accounts(workspace, account_ids, ctx.source)
    by_email: dict[str, int] = {}
    if emails:
        for key, found in (
            Contact.objects.filter(workspace=workspace, email_key__in=emails)
            .order_by("merged_into_id", "id")
            .values_list("email_key", "pk")
        ):
            by_email.setdefault(key, found)
        by_email = _survivors(workspace, by_email)
    for r in live:
        pk: int | None
        if "contact_external_id" in r.refs:
            pk = by_id.get(r.refs["contact_external_id"])
            column = "customer_external_id" if target == Target.ORDERS else "contact_external_id"
            missing = f"no contact has the id {r.refs['contact_external_id']!r}"
        elif "organization_external_id" in r.refs:
            pk = by_account.get(r.refs["organization_external_id"])
            column = "organization_external_id"
            missing = f"no contact belongs to the account {r.refs['organization_external_id']!r}"
        else:
            pk = by_email.get(r.refs.get("contact_email_key", ""))
            column = "customer_email"
            missing = f"no contact has the email {r.refs.get('contact_email_key')!r}"
        if pk is None:
            r.errors.append((ctx.column(column), f"{missing} (import the contacts first)."))
        else:
            r.fields["contact_id"] = pk


# ---- contacts ----

#: The contact's own fields an import row sets as they are: those it imports (its external id is
#: the row's key, set apart), and the email's matching key.
CONTACT_MODEL_FIELDS = {
    *(CONTACT_IMPORT_FIELDS.keys() & set(CONTACT_FIELDS) - {"external_id"}),
    "email_key",
}


def _organizations(ctx: Context, workspace: Workspace, records: Sequence[Record]) -> dict[str, Any]:
    """The organization of each record: by external id, or by name (created when new)."""
    by_id: dict[str, int] = {}
    ids = {
        r.refs["organization_external_id"] for r in records if "organization_external_id" in r.refs
    }
    if ids:
        by_id = dict(
            Organization.objects.filter(
                workspace=workspace, source=ctx.source, external_id__in=ids
            ).values_list("external_id", "pk")
        )
    names = {r.refs["organization_name"] for r in records if "organization_name" in r.refs}
    by_name: dict[str, int] = {}
    if names:
        for name, pk in (
            Organization.objects.filter(workspace=workspace, name__in=names)
            .order_by("id")
            .values_list("name", "pk")
        ):
            by_name.setdefault(name, pk)
        fresh = [
            Organization(workspace=workspace, name=n, source=ctx.source)
            for n in sorted(names - set(by_name))
        ]
        for org in Organization.objects.bulk_create(fresh, batch_size=BATCH):
            by_name[org.name] = org.pk
    return {"id": by_id, "name": by_name}


def write_contacts(
    ctx: Context, workspace: Workspace, records: Sequence[Record]
) -> tuple[int, int]:
    # rows without an external id (a vCard without UID, a custom file) are matched by email
    emails = [r.key.removeprefix("email:") for r in records if r.key.startswith("email:")]
    ids = [r.key for r in records if not r.key.startswith("email:")]
    existing: dict[str, Contact] = {}
    if emails:
        for contact in Contact.objects.filter(workspace=workspace, email_key__in=emails).order_by(
            "merged_into_id", "id"
        ):
            existing.setdefault("email:" + contact.email_key, contact)
    if ids:
        existing.update(
            (c.external_id, c)
            for c in Contact.objects.filter(
                workspace=workspace, source=ctx.source, external_id__in=ids
            )
        )
    orgs = _organizations(ctx, workspace, records)
    now = timezone.now()
    mapped = {f for r in records for f in r.fields} & CONTACT_MODEL_FIELDS
    has_org = bool({"organization_external_id", "organization_name"} & set(ctx.columns))
    new: list[Contact] = []
    changed: list[Contact] = []
    unchanged = 0
    update_fields = sorted(mapped | {"attributes", "name"})
    if has_org:
        update_fields.append("organization_id")
    for r in records:
        org_id = None
        account = r.refs.get("organization_external_id")
        if account:
            org_id = orgs["id"].get(account)
            if org_id is None:  # linked when the accounts are imported
                r.attributes["account_external_id"] = account
        elif r.refs.get("organization_name"):
            org_id = orgs["name"].get(r.refs["organization_name"])
        found = existing.get(r.key)
        if found is None:
            contact = Contact(
                workspace=workspace,
                source=ctx.source,
                external_id="" if r.key.startswith("email:") else r.key,
                **{k: v for k, v in r.fields.items() if k in CONTACT_MODEL_FIELDS},
                attributes=r.attributes,
                organization_id=org_id,
            )
            contact.name = contact.name or contact.email
            new.append(contact)
            continue
        contact = found
        before = [getattr(contact, f) for f in update_fields]
        for name in mapped:
            if name in r.fields:
                setattr(contact, name, r.fields[name])
        contact.name = contact.name or contact.email
        if r.attributes:
            contact.attributes = {**(contact.attributes or {}), **r.attributes}
        if has_org and org_id is not None:
            contact.organization_id = org_id
        if [getattr(contact, f) for f in update_fields] != before:
            contact.updated_at = now
            changed.append(contact)
        else:
            unchanged += 1
    fast_insert(Contact, new)
    fast_update(Contact, changed, [*update_fields, "updated_at"])
    if any(r.refs.get("opt_out_email") or r.refs.get("opt_out_phone") for r in records):
        _opt_outs(ctx, workspace, records, _with_new(ctx, workspace, existing, new))
    return len(new), len(changed) + unchanged


def _with_new(
    ctx: Context, workspace: Workspace, existing: dict[str, Contact], new: Sequence[Contact]
) -> dict[str, Contact]:
    """`existing` and the contacts just inserted (read back for their ids), by record key."""
    by_key = dict(existing)
    ids = [c.external_id for c in new if c.external_id]
    emails = [c.email_key for c in new if not c.external_id]
    if ids:
        by_key.update(
            (c.external_id, c)
            for c in Contact.objects.filter(
                workspace=workspace, source=ctx.source, external_id__in=ids
            ).only("id", "external_id")
        )
    if emails:
        for c in Contact.objects.filter(
            workspace=workspace, email_key__in=emails, external_id=""
        ).only("id", "email_key"):
            by_key.setdefault("email:" + c.email_key, c)
    return by_key


def _opt_outs(
    ctx: Context, workspace: Workspace, records: Sequence[Record], contacts: dict[str, Contact]
) -> None:
    """An opt-out in the file is appended as a "no" on its channel, once."""
    wanted = [
        (contacts[r.key], channel)
        for r in records
        for channel in ("email", "phone")
        if r.refs.get(f"opt_out_{channel}") and r.key in contacts
    ]
    if not wanted:
        return
    latest: dict[tuple[int, str], bool] = {}
    for contact_id, channel, granted in (
        Consent.objects.filter(contact_id__in={c.pk for c, _ in wanted})
        .order_by("recorded_at", "id")
        .values_list("contact_id", "channel", "granted")
    ):
        latest[(contact_id, channel)] = granted
    now = timezone.now()
    Consent.objects.bulk_create(
        [
            Consent(
                workspace=workspace,
                contact=contact,
                channel=channel,
                granted=False,
                source=f"{ctx.source} import",
                recorded_at=now,
            )
            for contact, channel in wanted
            if latest.get((contact.pk, channel)) is not False
        ],
        batch_size=BATCH,
    )


def link_waiting_contacts(ctx: Context, workspace: Workspace) -> int:
    """Contacts imported before their account: linked now that the accounts are here."""
    waiting = list(
        Contact.objects.filter(
            workspace=workspace,
            organization__isnull=True,
            attributes__has_key="account_external_id",
        ).only("id", "attributes")
    )
    if not waiting:
        return 0
    orgs = dict(
        Organization.objects.filter(
            workspace=workspace,
            source=ctx.source,
            external_id__in={c.attributes["account_external_id"] for c in waiting},
        ).values_list("external_id", "pk")
    )
    linked = []
    for contact in waiting:
        org_id = orgs.get(contact.attributes["account_external_id"])
        if org_id is not None:
            contact.organization_id = org_id
            contact.attributes.pop("account_external_id", None)
            linked.append(contact)
    Contact.objects.bulk_update(linked, ["organization", "attributes"], batch_size=BATCH)
    return len(linked)


# ---- organizations ----


def write_organizations(
    ctx: Context, workspace: Workspace, records: Sequence[Record]
) -> tuple[int, int]:
    existing = {
        o.external_id: o
        for o in Organization.objects.filter(
            workspace=workspace, source=ctx.source, external_id__in=[r.key for r in records]
        )
    }
    new, changed = [], []
    now = timezone.now()
    for r in records:
        org = existing.get(r.key)
        if org is None:
            new.append(
                Organization(
                    workspace=workspace,
                    source=ctx.source,
                    external_id=r.key,
                    attributes=r.attributes,
                    **r.fields,
                )
            )
            continue
        for name, value in r.fields.items():
            setattr(org, name, value)
        org.attributes = {**(org.attributes or {}), **r.attributes}
        org.updated_at = now
        changed.append(org)
    Organization.objects.bulk_create(new, batch_size=BATCH)
    if changed:
        fields = sorted({f for r in records for f in r.fields} | {"attributes", "updated_at"})
        Organization.objects.bulk_update(changed, fields, batch_size=BATCH)
    return len(new), len(changed)


# ---- orders ----


def _refresh_value(contact_ids: set[int]) -> None:
    """Lifetime value = the sum of order totals that are neither cancelled nor refunded."""
    if not contact_ids:
        return
    totals = dict(
        Order.objects.filter(contact_id__in=contact_ids)
        .exclude(status__in=[Order.State.CANCELLED, Order.State.REFUNDED])
        .values("contact_id")
        .annotate(total=Sum("total"))
        .values_list("contact_id", "total")
    )
    contacts = list(Contact.objects.filter(pk__in=contact_ids).only("id", "lifetime_value"))
    for contact in contacts:
        contact.lifetime_value = totals.get(contact.pk) or Decimal("0")
    Contact.objects.bulk_update(contacts, ["lifetime_value"], batch_size=BATCH)


def _recorded(workspace: Workspace, orders: Sequence[Order]) -> None:
    if orders:
        emit(ORDERS_RECORDED, workspace.pk, ids=[o.pk for o in orders])


def write_opportunities(
    ctx: Context, workspace: Workspace, records: Sequence[Record]
) -> tuple[int, int]:
    records = [r for r in records if not r.skip]
    existing = {
        o.external_id: o
        for o in Order.objects.filter(
            workspace=workspace, source=ctx.source, external_id__in=[r.key for r in records]
        )
    }
    new, changed = [], []
    touched: set[int] = set()
    for r in records:
        order = existing.get(r.key)
        if order is None:
            order = Order(workspace=workspace, source=ctx.source, external_id=r.key)
            new.append(order)
        else:
            touched.add(order.contact_id)
            changed.append(order)
        for name in ("contact_id", "total", "ordered_at", "currency", "status"):
            setattr(order, name, r.fields[name])
        touched.add(order.contact_id)
    Order.objects.bulk_create(new, batch_size=BATCH)
    Order.objects.bulk_update(
        changed, ["contact", "total", "ordered_at", "currency", "status"], batch_size=BATCH
    )
    _refresh_value(touched)
    _recorded(workspace, new)
    return len(new), len(changed)


def write_order_lines(
    ctx: Context, workspace: Workspace, records: Sequence[Record], started: set[str]
) -> tuple[int, int]:
    """Rows are order lines; an order's lines are replaced the first time this job meets it."""
    skus = {r.fields.get("sku") or "" for r in records}
    products = dict(
        Product.objects.filter(workspace=workspace, sku__in=skus).values_list("sku", "pk")
    )
    fresh: dict[str, Product] = {}
    for r in records:
        sku = r.fields["sku"]
        if sku not in products and sku not in fresh:
            fresh[sku] = Product(
                workspace=workspace,
                sku=sku,
                name=r.fields["product_name"][:200],
                price=r.fields["unit_price"],
                source=ctx.source,
            )
    for product in Product.objects.bulk_create(list(fresh.values()), batch_size=BATCH):
        products[product.sku] = product.pk
    by_order: dict[str, list[Record]] = defaultdict(list)
    for r in records:
        by_order[r.key].append(r)
    existing = {
        o.external_id: o
        for o in Order.objects.filter(
            workspace=workspace, source=ctx.source, external_id__in=list(by_order)
        )
    }
    new, changed = [], []
    for order_id, lines in by_order.items():
        first = lines[0].fields
        order = existing.get(order_id)
        if order is None:
            order = Order(workspace=workspace, source=ctx.source, external_id=order_id, total=0)
            new.append(order)
        elif order_id not in started:
            changed.append(order)
        for name in ("contact_id", "ordered_at", "currency", "status"):
            setattr(order, name, first[name])
    Order.objects.bulk_create(new, batch_size=BATCH)
    Order.objects.bulk_update(
        [existing[k] for k in by_order if k in existing],
        ["contact", "ordered_at", "currency", "status"],
        batch_size=BATCH,
    )
    orders = {o.external_id: o for o in [*new, *existing.values()]}
    replace = [orders[k].pk for k in by_order if k in existing and k not in started]
    OrderLine.objects.filter(order_id__in=replace).delete()
    started.update(by_order)
    OrderLine.objects.bulk_create(
        [
            OrderLine(
                workspace=workspace,
                order=orders[r.key],
                product_id=products[r.fields["sku"]],
                quantity=r.fields["quantity"],
                unit_price=r.fields["unit_price"],
            )
            for r in records
        ],
        batch_size=BATCH,
    )
    touched = [orders[k] for k in by_order]
    totals: dict[int, Decimal] = defaultdict(Decimal)
    for line in OrderLine.objects.filter(order__in=touched).values_list(
        "order_id", "quantity", "unit_price"
    ):
        totals[line[0]] += line[1] * line[2]
    for order in touched:
        order.total = totals.get(order.pk, Decimal("0"))
    Order.objects.bulk_update(touched, ["total"], batch_size=BATCH)
    _refresh_value({o.contact_id for o in touched})
    _recorded(workspace, new)
    return len(new), len(changed)


# ---- targets another domain keeps ----

Writer = Callable[[Context, Workspace, Sequence[Record]], tuple[int, int]]

#: Writers of the targets whose rows live in a domain above contacts, registered by that domain
#: from its wiring.py: a Salesforce Case becomes an entry of the profile's timeline.
WRITERS: dict[str, Writer] = {}


def writer_for(target: str) -> Writer:
    try:
        return WRITERS[target]
    except KeyError:
        raise LookupError(f"No app writes imported {target}; is it installed?") from None


def write(
    ctx: Context, workspace: Workspace, records: Sequence[Record], state: dict[str, Any]
) -> tuple[int, int]:
    target = ctx.mapping.target
    if target == Target.CONTACTS:
        return write_contacts(ctx, workspace, records)
    if target == Target.ORGANIZATIONS:
        return write_organizations(ctx, workspace, records)
    if target == Target.OPPORTUNITIES:
        return write_opportunities(ctx, workspace, records)
    if target == Target.CASES:
        return writer_for(target)(ctx, workspace, records)
    return write_order_lines(ctx, workspace, records, state.setdefault("orders", set()))
