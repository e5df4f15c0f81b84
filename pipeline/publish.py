"""Typed copies of a report folder's CSVs: Parquet files beside them and a Frictionless datapackage.json.

Field types, units and descriptions come from ``template/fields.csv``; a CSV
or column the catalogue does not know (a file a newer stage writes) is
published as text, so nothing a report folder holds is left out.
"""

from __future__ import annotations

import csv
import json
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import pyarrow as pa
import pyarrow.csv as pa_csv
import pyarrow.parquet as pq

from . import template
from .output import REVIEW_FILE, atomic_target, write_json

DATAPACKAGE = "datapackage.json"
ARROW_TYPES = {"integer": pa.int64(), "number": pa.float64(), "string": pa.string(), "boolean": pa.bool_()}
SQL_TYPES = {"integer": "BIGINT", "number": "DOUBLE", "string": "VARCHAR", "boolean": "BOOLEAN"}


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
        for row in template.read_rows("fields.csv")
    }


def field_spec(resource: str, column: str) -> FieldSpec:
    catalogue = _catalogue()
    return catalogue.get((resource, column)) or catalogue.get(("*", column)) or FieldSpec(column, "string")


def csv_header(path: Path) -> list[str]:
    with path.open(encoding="utf-8", newline="") as fh:
        return next(csv.reader(fh), [])


def report_csvs(out_dir: Path) -> list[Path]:
    """The CSV files vetreport wrote in a report folder, in name order (not the auditor's review.csv)."""
    return sorted(p for p in out_dir.glob("*.csv") if p.is_file() and p.name != REVIEW_FILE)


def csv_fields(path: Path) -> list[FieldSpec]:
    return [field_spec(path.stem, column) for column in csv_header(path)]


def read_typed_csv(path: Path) -> pa.Table:
    """A CSV as an Arrow table with the catalogue's types; empty cells are nulls."""
    fields = csv_fields(path)
    return pa_csv.read_csv(
        path,
        parse_options=pa_csv.ParseOptions(newlines_in_values=True),
        convert_options=pa_csv.ConvertOptions(
            column_types={f.name: ARROW_TYPES[f.type] for f in fields},
            null_values=[""],
            strings_can_be_null=True,
            quoted_strings_can_be_null=False,
        ),
    )


def write_parquet(csv_path: Path) -> Path:
    """``name.parquet`` beside ``name.csv``, written to a temporary file and renamed."""
    target = csv_path.with_suffix(".parquet")
    table = read_typed_csv(csv_path)
    with atomic_target(target) as tmp:
        pq.write_table(table, tmp)
    return target


def datapackage(out_dir: Path) -> dict:
    """A Frictionless data package describing the folder's CSVs with their field types."""
    manifest = _read_manifest(out_dir)
    resources = []
    for path in report_csvs(out_dir):
        resources.append({
            "name": path.stem,
            "path": path.name,
            "profile": "tabular-data-resource",
            "format": "csv",
            "mediatype": "text/csv",
            "encoding": "utf-8",
            "schema": {"fields": [f.descriptor() for f in csv_fields(path)], "missingValues": [""]},
        })
    package = {
        "profile": "tabular-data-package",
        "title": out_dir.name,
        "description": f"vetreport output for {manifest.get('input') or out_dir.name}",
        "version": str(manifest.get("package_version") or ""),
        "resources": resources,
    }
    if manifest.get("sha256"):
        package["sources"] = [{"title": Path(str(manifest.get("input"))).name, "sha256": manifest["sha256"]}]
    return package


def _read_manifest(out_dir: Path) -> dict:
    path = out_dir / "manifest.json"
    return json.loads(path.read_text(encoding="utf-8")) if path.is_file() else {}


def publish_report(out_dir: Path) -> list[Path]:
    """Parquet for every CSV of the folder, then datapackage.json; returns the files written."""
    written = [write_parquet(path) for path in report_csvs(out_dir)]
    write_json(out_dir / DATAPACKAGE, datapackage(out_dir))
    return [*written, out_dir / DATAPACKAGE]
