"""Hand-written SQL, read back into model instances as the ORM itself would.

The rater's hot path (the vote and its next clip) spent most of its CPU in the ORM building
statements: about eight times the statement's own cost on the benchmark machine. Those few
statements are written out here, while values go in and come out through the fields' own
conversions, so PostgreSQL and SQLite read alike and an instance is what a queryset would
give. Inserts use RETURNING, which SQLite has from 3.35 (Python 3.11 on Debian 12 links 3.40).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from django.db import connection
from django.db.models import Field, Model


def quoted(name: str) -> str:
    return connection.ops.quote_name(name)


def table(model: type[Model]) -> str:
    return quoted(model._meta.db_table)


def column(model: type[Model], name: str) -> str:
    return quoted(model._meta.get_field(name).column)


def param(model: type[Model], name: str, value) -> object:
    """value as the database takes it for the field (a UUID as hex on SQLite, a datetime
    as text there)."""
    return model._meta.get_field(name).get_db_prep_value(value, connection, prepared=False)


def for_update(*aliases: str) -> str:
    """' FOR UPDATE OF …' where the database locks rows; nothing where it does not (SQLite
    locks the whole database for a write)."""
    if not connection.features.has_select_for_update:
        return ""
    if connection.features.has_select_for_update_of and aliases:
        return " FOR UPDATE OF " + ", ".join(aliases)
    return " FOR UPDATE"


class Columns:
    """A model's concrete columns under a table alias: the text for a SELECT list, and the
    instance a slice of a result row makes."""

    def __init__(self, model: type[Model], alias: str, names: Iterable[str] | None = None):
        wanted = None if names is None else set(names)
        self.model = model
        self.alias = alias
        self.fields: list[Field] = [
            f for f in model._meta.concrete_fields if wanted is None or f.name in wanted
        ]
        self.attnames = [f.attname for f in self.fields]
        self._converters: dict[str, list[list]] = {}

    def __len__(self) -> int:
        return len(self.fields)

    def sql(self) -> str:
        return ", ".join(f"{self.alias}.{quoted(f.column)}" for f in self.fields)

    def _converting(self) -> list[list]:
        vendor = connection.vendor
        if vendor not in self._converters:
            found = []
            for field in self.fields:
                col = field.get_col(self.alias)
                found.append(
                    [(c, col) for c in connection.ops.get_db_converters(col)]
                    + [(c, col) for c in col.get_db_converters(connection)]
                )
            self._converters[vendor] = found
        return self._converters[vendor]

    def read(self, values: Sequence) -> Model:
        converted = []
        for value, converters in zip(values, self._converting(), strict=True):
            for converter, col in converters:
                value = converter(value, col, connection)
            converted.append(value)
        return self.model.from_db(connection.alias, self.attnames, converted)


def reading(row: Sequence, *parts: Columns) -> list[Model]:
    """The instances a result row holds, part after part, in the order of the SELECT list."""
    found, start = [], 0
    for part in parts:
        found.append(part.read(row[start : start + len(part)]))
        start += len(part)
    return found


def insert(instance: Model) -> Model:
    """The instance's row in one INSERT … RETURNING its id; the instance comes back saved."""
    insert_many([instance])
    return instance


def insert_many(instances: Sequence[Model]) -> None:
    """Rows of one model in one INSERT … RETURNING their ids (PostgreSQL; SQLite from 3.35),
    each instance's id set in order; none, no statement."""
    if not instances:
        return
    meta = instances[0]._meta
    fields = [f for f in meta.concrete_fields if not f.primary_key]
    row = "(" + ", ".join(["%s"] * len(fields)) + ")"
    values = [
        f.get_db_prep_save(f.pre_save(instance, True), connection)
        for instance in instances
        for f in fields
    ]
    names = ", ".join(quoted(f.column) for f in fields)
    sql = (
        f"INSERT INTO {table(type(instances[0]))} ({names})"
        f" VALUES {', '.join([row] * len(instances))} RETURNING {quoted(meta.pk.column)}"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, values)
        ids = [found[0] for found in cursor.fetchall()]
    # One statement takes its ids from the sequence row after row, so in ascending order.
    for instance, pk in zip(instances, sorted(ids), strict=True):
        instance.pk = pk
        instance._state.adding = False
        instance._state.db = connection.alias
