"""template/fields.csv: every published table's columns, in order, with their types, units and descriptions.

It is the one declaration of a published table's shape: the frames' column order (writers.frames), the
CSV and Parquet types (writers.publish), the store's columns (runtime.store), datapackage.json and the
columns every reader takes as text all come from here. A CSV or column it does not know (a file a newer
stage writes) is text.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache, lru_cache

from . import read_rows

ANY = "*"  # a field of every resource (report_id, which the store adds)


@dataclass(frozen=True)
class FieldSpec:
    name: str
    type: str  # a Frictionless type: integer, number, string, boolean
    unit: str = ""
    description: str = ""

    def descriptor(self) -> dict:
        out = {"name": self.name, "type": self.type}
        if self.description:
            out["description"] = self.description
        if self.unit:
            out["unit"] = self.unit
        return out


@lru_cache(maxsize=1)
def _catalogue() -> dict[tuple[str, str], FieldSpec]:
    return {
        (row["resource"], row["field"]): FieldSpec(row["field"], row["type"], row["unit"], row["description"])
        for row in read_rows("fields.csv")
    }


def field_spec(resource: str, column: str) -> FieldSpec:
    catalogue = _catalogue()
    return catalogue.get((resource, column)) or catalogue.get((ANY, column)) or FieldSpec(column, "string")


@cache
def _columns(resource: str) -> tuple[str, ...]:
    return tuple(name for (res, name) in _catalogue() if res == resource)


def columns(resource: str) -> list[str]:
    """The columns of ``resource``'s CSV, in order."""
    return list(_columns(resource))


def text_columns(resource: str) -> list[str]:
    """The columns of ``resource`` that hold text: a reader takes them as written ("0012" stays "0012")."""
    return [name for name in _columns(resource) if field_spec(resource, name).type == "string"]
