"""Typed copies of a report folder's CSVs: Parquet files beside them and a Frictionless datapackage.json.

Field types, units and descriptions come from ``template/fields.csv``; a CSV
or column the catalogue does not know (a file a newer stage writes) is
published as text, so nothing a report folder holds is left out.
"""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pyarrow as pa
import pyarrow.csv as pa_csv
import pyarrow.parquet as pq

from ..files import REVIEW_FILE, atomic_target, write_json
from ..template.fields import FieldSpec, field_spec
from ..words import Words, words
from .manifest import read as read_manifest

DATAPACKAGE = "datapackage.json"
ARROW_TYPES = {"integer": pa.int64(), "number": pa.float64(), "string": pa.string(), "boolean": pa.bool_()}
SQL_TYPES = {"integer": "BIGINT", "number": "DOUBLE", "string": "VARCHAR", "boolean": "BOOLEAN"}


def csv_header(path: Path) -> list[str]:
    with path.open(encoding="utf-8", newline="") as fh:
        return next(csv.reader(fh), [])


def report_csvs(out_dir: Path) -> list[Path]:
    """The CSV files vetreport wrote in a report folder, in name order (not the auditor's review.csv)."""
    return sorted(p for p in out_dir.glob("*.csv") if p.is_file() and p.name != REVIEW_FILE)


def csv_fields(path: Path) -> list[FieldSpec]:
    return [field_spec(path.stem, column) for column in csv_header(path)]


def read_typed_csv(path: Path) -> pa.Table:
    """A CSV file as an Arrow table with the catalogue's types; empty cells are nulls."""
    return _typed(path, csv_fields(path))


def _typed(source, fields: list[FieldSpec]) -> pa.Table:
    return pa_csv.read_csv(
        source,
        parse_options=pa_csv.ParseOptions(newlines_in_values=True),
        convert_options=pa_csv.ConvertOptions(
            column_types={f.name: ARROW_TYPES[f.type] for f in fields},
            null_values=[""],
            strings_can_be_null=True,
            quoted_strings_can_be_null=False,
        ),
    )


def write_parquet(target: Path, table: pa.Table) -> Path:
    """``target`` written to a temporary file and renamed."""
    with atomic_target(target) as tmp:
        pq.write_table(table, tmp)
    return target


def _titled(descriptor: dict, title: str | None) -> dict:
    """``descriptor`` with its title after its name (Frictionless: a human-readable title), when it has one."""
    if not title:
        return descriptor
    name, *rest = descriptor.items()
    return dict([name, ("title", title), *rest])


def field_title(t: Words, resource: str, column: str) -> str | None:
    """A column's title in words: the catalogue's field.<resource>.<column>, else field.<column>; None if neither."""
    for key in (f"field.{resource}.{column}", f"field.{column}"):
        if t.has(key):
            return t(key)
    return None


def datapackage(out_dir: Path, fields: dict[str, list[FieldSpec]], manifest: dict) -> dict:
    """A Frictionless data package describing the folder's CSVs (their fields by name) with their field types and
    Chinese titles (the word catalogue's resource.* and field.*; the names stay: an interface for other tools)."""
    t = words("zh")
    resources = []
    for name in sorted(fields, key=lambda name: f"{name}.csv"):
        resources.append({
            "name": name,
            **({"title": t(f"resource.{name}")} if t.has(f"resource.{name}") else {}),
            "path": f"{name}.csv",
            "profile": "tabular-data-resource",
            "format": "csv",
            "mediatype": "text/csv",
            "encoding": "utf-8",
            "schema": {"fields": [_titled(f.descriptor(), field_title(t, name, f.name)) for f in fields[name]],
                       "missingValues": [""]},
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


def publish_report(out_dir: Path, texts: dict[str, str] | None = None, manifest: dict | None = None) -> list[Path]:
    """Parquet for every CSV of the folder, then datapackage.json; returns the files written.

    ``texts``: each CSV's text by its name, as the run just wrote it, and ``manifest`` the run's (a run
    publishes what it holds in memory); without them the folder's files are read (a CSV written since by
    another command)."""
    if texts is None:
        texts = {path.stem: path.read_text(encoding="utf-8") for path in report_csvs(out_dir)}
    if manifest is None:
        manifest = read_manifest(out_dir) or {}
    fields: dict[str, list[FieldSpec]] = {}
    written = []
    for name, text in texts.items():
        fields[name] = [field_spec(name, column) for column in next(csv.reader(io.StringIO(text)), [])]
        table = _typed(io.BytesIO(text.encode("utf-8")), fields[name])
        written.append(write_parquet(out_dir / f"{name}.parquet", table))
    write_json(out_dir / DATAPACKAGE, datapackage(out_dir, fields, manifest))
    return [*written, out_dir / DATAPACKAGE]
