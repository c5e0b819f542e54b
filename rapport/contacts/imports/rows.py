"""One row of an import file made into a clean record, or the reasons it cannot be.

Each `clean_*` returns a `Record` whose `errors` list (column, reason) pairs; a record with
errors is reported (dry run) or skipped ("import the valid rows"), never written.
Numeric dates whose day and month could be swapped are judged by the whole column: when its
unambiguous rows all put the day first (or all the month), the ambiguous ones follow them.
"""

import datetime
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError

from rapport.contacts import normalize
from rapport.contacts.actions import TEXT_LIMITS as CONTACT_TEXT_LIMITS
from rapport.contacts.imports import values
from rapport.contacts.imports.mappings import Mapping, Target
from rapport.contacts.imports.readers import Row
from rapport.contacts.models import Order, Tier
from rapport.core import links, spreadsheet

#: The contact's own limits (as a person typing them meets), and those of the columns only
#: imports read.
TEXT_LIMITS = {
    **CONTACT_TEXT_LIMITS,
    "organization_name": 200,
    "organization_external_id": 200,
    "job_title": 200,
    "subject": 200,
    "product_name": 200,
    "sku": 100,
    "order_id": 200,
    "customer_external_id": 200,
}
DATE_FIELDS = {"birth_date", "close_date", "created_at", "ordered_at"}
ORDER_STATES = {
    "paid": Order.State.PAID,
    "complete": Order.State.PAID,
    "completed": Order.State.PAID,
    "closed": Order.State.PAID,
    "shipped": Order.State.PAID,
    "delivered": Order.State.PAID,
    "invoiced": Order.State.PAID,
    "fulfilled": Order.State.PAID,
    "open": Order.State.OPEN,
    "new": Order.State.OPEN,
    "pending": Order.State.OPEN,
    "processing": Order.State.OPEN,
    "refunded": Order.State.REFUNDED,
    "returned": Order.State.REFUNDED,
    "cancelled": Order.State.CANCELLED,
    "canceled": Order.State.CANCELLED,
    "void": Order.State.CANCELLED,
}


@dataclass
class Record:
    line: int
    key: str = ""
    fields: dict[str, Any] = field(default_factory=dict)
    attributes: dict[str, str] = field(default_factory=dict)
    refs: dict[str, str] = field(default_factory=dict)
    errors: list[tuple[str, str]] = field(default_factory=list)
    skip: str = ""  # a row left out on purpose (an opportunity not won), not an error


@dataclass
class Context:
    """What the rows of one file share: the mapping, the columns it resolved, what was seen."""

    mapping: Mapping
    columns: dict[str, str]
    attribute_columns: dict[str, str]
    source: str
    checking: bool = True
    seen: dict[str, int] = field(default_factory=dict)
    orders: dict[str, tuple[int, tuple[str, ...]]] = field(default_factory=dict)
    day_first: dict[str, bool | None] = field(default_factory=dict)
    date_votes: dict[str, set[bool]] = field(default_factory=dict)
    ambiguous: list[tuple[int, str, str, bool]] = field(default_factory=list)
    region: str = field(default_factory=normalize.default_region)

    def column(self, name: str) -> str:
        return self.columns.get(name, self.mapping.field_label(name))

    def vote(self, name: str, raw: str) -> None:
        hint = normalize.day_first_hint([values.date_part(raw)])
        if hint is not None:
            self.date_votes.setdefault(name, set()).add(hint)

    def settle_dates(self) -> list[tuple[int, str, str]]:
        """After the check: each date column's order, and the rows still ambiguous."""
        unresolved = []
        for name, votes in self.date_votes.items():
            self.day_first[name] = votes.pop() if len(votes) == 1 else None
        for line, name, raw, _with_time in self.ambiguous:
            if self.day_first.get(name) is None:
                unresolved.append(
                    (
                        line,
                        self.column(name),
                        f"{raw!r} is ambiguous: day/month or month/day? Other rows of this"
                        " column do not tell; write it as YYYY-MM-DD.",
                    )
                )
        return unresolved


class _Cleaner:
    """Collects a record's values and errors, naming the column of each problem."""

    def __init__(self, ctx: Context, row: Row) -> None:
        self.ctx, self.row = ctx, row
        self.record = Record(line=row.line)
        get = row.values.get
        self.values = {name: get(column, "") for name, column in ctx.columns.items()}
        if ctx.mapping.guarded_cells:
            self.values = {name: spreadsheet.unguard(v) for name, v in self.values.items()}
        if row.problem:
            self.record.errors.append(("(row)", f"Line {row.line} {row.problem}."))

    def raw(self, name: str) -> str | None:
        return self.values.get(name)

    def fail(self, name: str, reason: str) -> None:
        self.record.errors.append((self.ctx.column(name), reason))

    def text(self, name: str) -> str | None:
        value = self.raw(name)
        if value is None:
            return None
        value = " ".join(value.split()) if name != "bio" else value.strip()
        limit = TEXT_LIMITS.get(name, 200)
        if len(value) > limit:
            self.fail(name, f"is {len(value)} characters; at most {limit}.")
            return None
        return value

    def check(self, name: str, func: Any, *args: Any, **kwargs: Any) -> Any:
        raw = self.raw(name)
        if raw is None:
            return None
        try:
            return func(raw, *args, **kwargs)
        except ValidationError as exc:
            self.fail(name, " ".join(exc.messages))
            return None

    def date(self, name: str, *, with_time: bool = False) -> Any:
        raw = (self.raw(name) or "").strip()
        if not raw:
            return None
        ctx = self.ctx
        if ctx.checking:
            ctx.vote(name, raw)
        parse = values.parse_when if with_time else normalize.parse_date
        try:
            return parse(raw, day_first=ctx.day_first.get(name))
        except ValidationError as exc:
            message = " ".join(exc.messages)
            if ctx.checking and "ambiguous" in message:
                ctx.ambiguous.append((self.row.line, name, raw, with_time))
            else:
                self.fail(name, message)
            return None

    def key(self, name: str, value: str, what: str) -> None:
        """Sets the record's key; the same key twice in one file is an error on the later row."""
        record = self.record
        record.key = value
        if not self.ctx.checking or not value:
            return
        first = self.ctx.seen.get(value)
        if first is not None:
            self.fail(name, f"duplicate {what} {value!r} in this file (first on line {first}).")
        else:
            self.ctx.seen[value] = self.row.line

    def external_key(self) -> None:
        """Keys the record by its id in the source system, which each row of the file needs."""
        external_id = self.text("external_id") or ""
        if not external_id:
            self.fail("external_id", "is empty; each row needs its id from the source system.")
        self.key("external_id", external_id, "external id")

    def required(self, *names: str, what: str = "") -> None:
        if not any((self.raw(n) or "").strip() for n in names):
            label = what or " or ".join(self.ctx.mapping.field_label(n).lower() for n in names)
            self.fail(names[0], f"is empty; each row needs a {label}.")


def _attributes(ctx: Context, row: Row) -> dict[str, str]:
    return {
        attr: row.values[col].strip()
        for col, attr in ctx.attribute_columns.items()
        if row.values.get(col, "").strip()
    }


def clean_contact(ctx: Context, row: Row) -> Record:
    c = _Cleaner(ctx, row)
    r = c.record
    f = r.fields
    for name in ("first_name", "last_name", "name", "city", "language", "segment", "bio"):
        value = c.text(name)
        if value is not None:
            f[name] = value
    if "name" in f and f["name"] and not (f.get("first_name") or f.get("last_name")):
        first, last = normalize.split_name(f["name"])
        f.setdefault("first_name", first)
        f.setdefault("last_name", last)
    elif not f.get("name") and (f.get("first_name") or f.get("last_name")):
        f["name"] = normalize.join_name(f.get("first_name", ""), f.get("last_name", ""))
    if "name" in f:
        f["name"] = f["name"][:200]
    email = c.check("email", normalize.clean_email)
    if email is not None:
        f["email"], f["email_key"] = email, normalize.email_key(email)
    country = c.check("country", normalize.country_code)
    if country is not None:
        f["country"] = country
    for name in ("phone", "mobile"):
        if (c.raw(name) or "").strip() and not f.get("phone"):
            phone = c.check(name, normalize.phone_e164, country or ctx.region)
            if phone:
                f["phone"] = phone
        elif name == "phone" and c.raw(name) is not None:
            f["phone"] = ""
    if ctx.columns.get("birth_date"):
        f["birth_date"] = c.date("birth_date")
    tier = c.raw("tier")
    if tier is not None:
        tier = tier.strip().lower()
        if tier and tier not in Tier.values:
            c.fail("tier", f"{tier!r} is not a tier; use {', '.join(Tier.values)}.")
        else:
            f["tier"] = tier
    website = c.check("website", links.clean_web_url, "website", max_length=TEXT_LIMITS["website"])
    if website is not None:
        f["website"] = website
    tags = c.raw("tags")
    if tags is not None:
        f["tags"] = [t.strip().lower()[:50] for t in tags.replace(";", ",").split(",") if t.strip()]
    for name, channel in (("email_opt_out", "email"), ("do_not_call", "phone")):
        opted_out = c.check(name, values.parse_bool)
        if opted_out:
            r.refs[f"opt_out_{channel}"] = "1"
    for name in ("organization_external_id", "organization_name"):
        value = c.text(name)
        if value:
            r.refs[name] = value
    title = c.text("job_title")
    if title:
        r.attributes["job_title"] = title
    r.attributes.update(_attributes(ctx, row))
    if not (f.get("name") or f.get("email")):
        c.fail(
            "last_name" if "last_name" in ctx.columns else "name",
            "is empty; each contact needs a name or an email.",
        )
    external_id = c.text("external_id") or "" if "external_id" in ctx.columns else ""
    if external_id:
        c.key("external_id", external_id, "external id")
    elif "external_id" in ctx.columns and ctx.mapping.reader != "vcard":
        c.fail("external_id", "is empty; each row needs its id from the source system.")
    elif f.get("email_key"):
        c.key("email", "email:" + f["email_key"], "email")
    elif not r.errors:
        c.fail("email", "is empty; without an id column, rows are matched by email.")
    return r


def _domain(website: str) -> str:
    value = website.lower().split("://", 1)[-1].split("/", 1)[0]
    return value.removeprefix("www.")


def clean_organization(ctx: Context, row: Row) -> Record:
    c = _Cleaner(ctx, row)
    r = c.record
    for name in ("name", "industry", "segment"):
        value = c.text(name)
        if value is not None:
            r.fields[name] = value
    website = c.text("domain")
    if website is not None:
        r.fields["domain"] = _domain(website)
    if not r.fields.get("name"):
        c.fail("name", "is empty; each account needs a name.")
    for name in ("city", "country"):
        value = c.text(name)
        if value:
            r.attributes[name] = value
    r.attributes.update(_attributes(ctx, row))
    c.external_key()
    return r


def _currency(c: _Cleaner) -> str:
    raw = (c.raw("currency") or "").strip().upper()
    if raw and (len(raw) != 3 or not raw.isalpha()):
        c.fail("currency", f"{raw!r} is not a 3-letter currency code (GBP, EUR, USD).")
    return raw or "GBP"


def _contact_refs(c: _Cleaner) -> None:
    for name in ("contact_external_id", "organization_external_id"):
        value = c.text(name)
        if value:
            c.record.refs[name] = value
    if not c.record.refs:
        c.fail(
            "contact_external_id"
            if "contact_external_id" in c.ctx.columns
            else "organization_external_id",
            "is empty; each row needs the contact (ContactId) or the account (AccountId) it"
            " belongs to.",
        )


def clean_opportunity(ctx: Context, row: Row) -> Record:
    c = _Cleaner(ctx, row)
    r = c.record
    c.external_key()
    stage = (c.raw("stage") or "").strip()
    won = c.check("is_won", values.parse_bool) if "is_won" in ctx.columns else None
    if not (won or stage.lower() == "closed won"):
        r.skip = f"not won (stage {stage!r})"
        return r
    amount = c.check("amount", values.parse_decimal)
    r.fields["total"] = amount if amount is not None else Decimal("0")
    r.fields["ordered_at"] = c.date("close_date", with_time=True)
    if not (c.raw("close_date") or "").strip():
        c.fail("close_date", "is empty; a won opportunity needs its close date.")
    r.fields["currency"] = _currency(c)
    r.fields["status"] = Order.State.PAID
    r.attributes["name"] = (c.text("name") or "")[:200]
    _contact_refs(c)
    return r


def clean_case(ctx: Context, row: Row) -> Record:
    c = _Cleaner(ctx, row)
    r = c.record
    c.external_key()
    for name in ("number", "subject", "status", "priority", "origin"):
        r.fields[name] = c.text(name) or ""
    r.fields["description"] = (c.raw("description") or "").strip()
    r.fields["created_at"] = c.date("created_at", with_time=True)
    if not (c.raw("created_at") or "").strip():
        c.fail("created_at", "is empty; each case needs the date it was opened.")
    _contact_refs(c)
    return r


def clean_order_line(ctx: Context, row: Row) -> Record:
    c = _Cleaner(ctx, row)
    r = c.record
    order_id = c.text("order_id") or ""
    sku = c.text("sku") or ""
    if not order_id:
        c.fail("order_id", "is empty; each row needs its order id.")
    if not sku:
        c.fail("sku", "is empty; each row needs a product SKU.")
    r.fields["sku"] = sku
    r.fields["product_name"] = c.text("product_name") or sku
    r.fields["quantity"] = c.check("quantity", values.parse_quantity)
    r.fields["unit_price"] = c.check("unit_price", values.parse_decimal)
    r.fields["ordered_at"] = c.date("ordered_at", with_time=True)
    if not (c.raw("ordered_at") or "").strip():
        c.fail("ordered_at", "is empty; each order needs its date.")
    r.fields["currency"] = _currency(c)
    status = (c.raw("status") or "").strip().lower()
    if status and status not in ORDER_STATES:
        c.fail(
            "status",
            f"{status!r} is not an order status this importer knows"
            f" ({', '.join(sorted(ORDER_STATES))}).",
        )
    r.fields["status"] = ORDER_STATES.get(status, Order.State.PAID)
    customer_id = c.text("customer_external_id") or ""
    email = c.check("customer_email", normalize.clean_email) or ""
    if customer_id:
        r.refs["contact_external_id"] = customer_id
    elif email:
        r.refs["contact_email_key"] = normalize.email_key(email)
    else:
        c.fail(
            "customer_external_id" if "customer_external_id" in ctx.columns else "customer_email",
            "is empty; each row needs the customer's id or email.",
        )
    r.key = order_id
    if ctx.checking and order_id:
        c.key("sku", f"{order_id} / {sku}", "product line")
        r.key = order_id
        shared = (
            customer_id or email.lower(),
            (c.raw("ordered_at") or "").strip(),
            r.fields["currency"],
        )
        first = ctx.orders.get(order_id)
        if first is None:
            ctx.orders[order_id] = (row.line, shared)
        elif first[1] != shared:
            c.fail(
                "order_id",
                f"order {order_id!r} has another customer, date or currency on line {first[0]}.",
            )
    return r


CLEANERS = {
    Target.CONTACTS: clean_contact,
    Target.ORGANIZATIONS: clean_organization,
    Target.OPPORTUNITIES: clean_opportunity,
    Target.CASES: clean_case,
    Target.ORDERS: clean_order_line,
}


def clean(ctx: Context, row: Row) -> Record:
    return CLEANERS[ctx.mapping.target](ctx, row)


def settle(ctx: Context, records: list[Record]) -> None:
    """Fills in the dates that were ambiguous while checking, now that the column's order is
    known (the rows where it is not are errors and never written)."""
    pending: dict[int, list[tuple[str, str, bool]]] = {}
    for line, name, raw, with_time in ctx.ambiguous:
        pending.setdefault(line, []).append((name, raw, with_time))
    if not pending:
        return
    for r in records:
        for name, raw, with_time in pending.get(r.line, ()):
            parse = values.parse_when if with_time else normalize.parse_date
            r.fields[name] = parse(raw, day_first=ctx.day_first.get(name))


def when(value: Any) -> datetime.datetime | None:
    return value if isinstance(value, datetime.datetime) else None
