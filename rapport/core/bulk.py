"""Writing many rows fast: plain rows built without `Model.__init__` and inserted without the
ORM building SQL value by value. Ingesting posts, grouping them into conversations and the
benchmarks' set-up are mostly inserts, and the ORM's own bulk_create spent most of their time
preparing values.
"""

from collections.abc import Callable, Sequence
from typing import Any, TypeVar

from django.db import connections, models, router, transaction
from django.db.models import Model
from django.db.models.base import ModelState
from django.utils import timezone

M = TypeVar("M", bound=Model)

#: Rows per INSERT statement on SQLite (at most 30,000 values in one statement).
INSERT_BATCH = 500


def row_maker(model: type[M]) -> Callable[..., M]:
    """A maker of new `model` instances from keyword values, without Model.__init__.

    Building instances was a tenth of receiving a batch. The instance is the one `model(**v)`
    builds, with each default taken once per maker (so once per batch: a time default is the
    batch's time, as bulk_insert's auto-now fields), except mutable ones, made per row.
    Only concrete fields' attnames may be given; no signals are sent (nothing listens to
    these models' init).
    """
    fixed: dict[str, Any] = {}
    per_row: list[tuple[str, Any]] = []
    for f in model._meta.concrete_fields:
        value = f.get_default()
        if isinstance(value, dict | list | set):
            per_row.append((f.attname, f))
        else:
            fixed[f.attname] = value
    new = model.__new__

    def make(**values: Any) -> M:
        obj = new(model)
        attributes = obj.__dict__
        attributes.update(fixed)
        for attname, f in per_row:
            if attname not in values:
                attributes[attname] = f.get_default()
        attributes.update(values)
        attributes["_state"] = ModelState()
        return obj

    return make


#: Django's own fields whose database value is the Python value itself, for these exact types
#: (get_db_prep_save would only check and return it; a subclass, an enum member, goes through it).
_AS_IS: tuple[tuple[type[models.Field], frozenset[type]], ...] = (
    (models.BooleanField, frozenset({bool})),
    (models.CharField, frozenset({str})),
    (models.TextField, frozenset({str})),
    (models.IntegerField, frozenset({int})),
    (models.FloatField, frozenset({float, int})),
    (models.ForeignKey, frozenset({int})),
)


def _as_is(f: models.Field) -> frozenset[type]:
    if not type(f).__module__.startswith("django.db.models."):
        return frozenset()  # a field of our own may transform its value (encryption)
    for kind, types in _AS_IS:
        if isinstance(f, kind):
            return types
    return frozenset()


def bulk_insert(objs: Sequence[Model], *, ignore_conflicts: bool = False) -> None:
    """`bulk_create` for plain rows, without the ORM building SQL value by value.

    Receiving is mostly inserting, and building the statement was two thirds of it. Rows get
    their primary keys, as with `bulk_create`, unless conflicts are ignored (no id comes back
    for a row that was not inserted). Auto-now fields get one time for the whole call.
    """
    if not objs:
        return
    model = type(objs[0])
    meta = model._meta
    connection = connections[router.db_for_write(model)]
    fields = [f for f in meta.concrete_fields if f is not meta.pk]
    now = timezone.now()
    # (attname, field, the batch's time for auto-now fields, whether None needs no conversion,
    #  the value types stored as they are)
    specs = []
    for f in fields:
        timed = getattr(f, "auto_now", False) or getattr(f, "auto_now_add", False)
        plain = not isinstance(f, models.JSONField)  # None is JSON null there, not NULL
        at = f.get_db_prep_save(now, connection) if timed else None
        specs.append((f.attname, f, at, plain, _as_is(f)))
    for obj in objs:
        for attname, _, at, _, _ in specs:
            if at is not None:
                setattr(obj, attname, now)
    quote = connection.ops.quote_name
    table, columns = quote(meta.db_table), ", ".join(quote(str(f.column)) for f in fields)
    row = "(" + ", ".join(["%s"] * len(fields)) + ")"
    suffix = (
        " ON CONFLICT DO NOTHING"
        if ignore_conflicts
        else f" RETURNING {quote(str(meta.pk.column))}"
    )
    copy = connection.vendor == "postgresql"
    batch_size = 5_000 if copy else max(1, min(INSERT_BATCH, 30_000 // len(fields)))
    # With conflicts ignored on PostgreSQL, rows are copied into a temporary table of the same
    # columns (no constraints) and inserted from there, ON CONFLICT DO NOTHING: a many-row
    # INSERT's placeholders cost more than the rows.
    staging = quote(f"staging_{meta.db_table}")
    # The last value prepared per column, and what it became: the same object comes again
    # (one triage time for the batch), and preparing a time is the slow part of a row.
    last_in: list[object] = [object()] * len(specs)
    last_out: list[Any] = [None] * len(specs)
    # In a transaction of its own if need be: the staging table lives until its commit.
    with transaction.atomic(using=connection.alias), connection.cursor() as cursor:
        for start in range(0, len(objs), batch_size):
            chunk = objs[start : start + batch_size]
            rows = []
            for obj in chunk:
                attributes = obj.__dict__
                row_values: list[Any] = []
                append = row_values.append
                for i, (attname, f, at, plain, as_is) in enumerate(specs):
                    value = attributes[attname]
                    if at is not None:
                        append(at)
                    elif value is None and plain:
                        append(None)
                    elif type(value) in as_is:
                        append(value)
                    elif value is last_in[i]:  # the batch's triage time, a shared default
                        append(last_out[i])
                    elif float in as_is and isinstance(value, float):  # numpy's, from a model
                        append(float(value))
                    else:
                        last_in[i] = value
                        last_out[i] = prepared = f.get_db_prep_save(value, connection)
                        append(prepared)
                rows.append(row_values)
            if copy and ignore_conflicts:
                cursor.execute(
                    f"CREATE TEMPORARY TABLE IF NOT EXISTS {staging} ON COMMIT DROP AS "  # noqa: S608
                    f"SELECT {columns} FROM {table} WITH NO DATA"
                )
                with cursor.cursor.copy(f"COPY {staging} ({columns}) FROM STDIN") as stream:
                    for row_values in rows:
                        stream.write_row(row_values)
                cursor.execute(
                    f"INSERT INTO {table} ({columns}) SELECT {columns} FROM {staging} "  # noqa: S608
                    "ON CONFLICT DO NOTHING"
                )
                cursor.execute(f"TRUNCATE {staging}")
                continue
            if copy:
                # psycopg parses a many-row INSERT's placeholders in Python; COPY streams the
                # rows instead, with ids drawn from the table's sequence first.
                pk = quote(str(meta.pk.column))
                cursor.execute(
                    "SELECT nextval(pg_get_serial_sequence(%s, %s)) FROM generate_series(1, %s)",
                    [meta.db_table, meta.pk.column, len(chunk)],
                )
                ids = [pk_value for (pk_value,) in cursor.fetchall()]
                with cursor.cursor.copy(f"COPY {table} ({pk}, {columns}) FROM STDIN") as stream:
                    for pk_value, row_values in zip(ids, rows, strict=True):
                        stream.write_row([pk_value, *row_values])
            else:
                # Table and column names come from the model; every value is a parameter.
                values = ", ".join([row] * len(chunk))
                sql = f"INSERT INTO {table} ({columns}) VALUES {values}{suffix}"  # noqa: S608
                cursor.execute(sql, [v for row_values in rows for v in row_values])
                if ignore_conflicts:
                    continue
                ids = [pk_value for (pk_value,) in cursor.fetchall()]
            for obj, pk_value in zip(chunk, ids, strict=True):
                obj.pk = pk_value
                obj._state.adding = False
                obj._state.db = connection.alias
