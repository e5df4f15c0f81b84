"""Parquet beside each CSV with the catalogue's types, and a valid Frictionless datapackage.json."""

import json

import pandas as pd
import pyarrow.parquet as pq
import pytest
from conftest import BATCH_COPIES

from pipeline import template
from pipeline.template.fields import field_spec
from pipeline.writers.frames import PUBLISHED
from schemas.validate import MODELS, VALIDATION_COLUMNS

PANDERA_TO_FRICTIONLESS = {
    "int64": "integer", "float64": "number", "str": "string", "string[pyarrow]": "string", "object": "string", "bool": "boolean",
    "Int64": "integer"}


def test_catalogue_describes_every_published_column():
    published = {**{name: table.columns for name, table in PUBLISHED.items()}, "validation": VALIDATION_COLUMNS}
    for resource, columns in published.items():
        assert columns, f"{resource} has no columns in template/fields.csv"
        for column in columns:
            spec = field_spec(resource, column)
            assert spec.description, f"{resource}.{column} has no description in template/fields.csv"


def test_each_csv_has_the_columns_of_the_catalogue_in_its_order(reference_run):
    """fields.csv is the one declaration of a published table's columns: adding a row there adds the column."""
    for name in [*PUBLISHED, "validation"]:
        header = (reference_run.out_dir / f"{name}.csv").read_text(encoding="utf-8").split("\n", 1)[0].split(",")
        assert header == [r["field"] for r in template.read_rows("fields.csv") if r["resource"] == name], name
    assert header == ["schema", "column", "check", "row", "value"]  # validation.csv, read off the file
    indicators = (reference_run.out_dir / "indicators.csv").read_text(encoding="utf-8").split("\n", 1)[0]
    assert indicators.startswith("report_id,table_kind,table_no,table_title,page,row_seq,serial,indicator,")


def test_catalogue_types_agree_with_the_pandera_models():
    for resource, model in MODELS.items():
        for name, column in model.to_schema().columns.items():
            assert field_spec(resource, name).type == PANDERA_TO_FRICTIONLESS[str(column.dtype)], f"{resource}.{name}"


def test_catalogue_rows_are_unique():
    keys = [(r["resource"], r["field"]) for r in template.read_rows("fields.csv")]
    assert len(keys) == len(set(keys))


def test_parquet_has_the_csv_rows_with_types(batch_run):
    folder = batch_run.out / BATCH_COPIES[0]
    table = pq.read_table(folder / "indicators.parquet")
    types = {f.name: str(f.type) for f in table.schema}
    assert (types["year"], types["value"], types["table_no"], types["indicator"]) == ("int64", "double", "int64", "string")
    frame = table.to_pandas()
    assert len(frame) == len(pd.read_csv(folder / "indicators.csv"))
    row = frame[(frame.indicator == "月收入") & (frame.year == 2024)].iloc[0]
    assert (row.value_raw, row.value, row.page) == ("4174.00", 4174.0, 49)
    cases = pq.read_table(folder / "cases.parquet").to_pandas()
    assert len(cases) == 13 and cases.text.str.contains("\n").any()  # multi-line text survives


def test_datapackage_is_valid_and_typed(batch_run):
    frictionless = pytest.importorskip("frictionless")
    folder = batch_run.out / BATCH_COPIES[0]
    package = json.loads((folder / "datapackage.json").read_text(encoding="utf-8"))
    names = {r["name"] for r in package["resources"]}
    assert names == {"pages", "sections", "toc", "tables", "table_cells", "indicators", "cases", "claims", "findings", "validation"}
    fields = {f["name"]: f for r in package["resources"] if r["name"] == "indicators" for f in r["schema"]["fields"]}
    assert fields["year"]["type"] == "integer" and fields["value"]["type"] == "number"
    assert fields["survey_count"]["unit"] == "人次" and fields["value"]["description"]
    report = frictionless.validate(str(folder / "datapackage.json"))
    assert report.valid, report.flatten(["rowNumber", "fieldName", "type", "note"])[:10]
    rows = frictionless.Package(str(folder / "datapackage.json")).get_resource("indicators").read_rows()
    assert (rows[0]["indicator"], rows[0]["year"], float(rows[0]["value"])) == ("毕业生人数", 2023, 3913.0)


def test_a_column_added_to_fields_csv_is_published_with_its_type(reference, monkeypatch):
    """Adding a record's attribute to a published table is one row of template/fields.csv: the frame (and so
    the CSV, Parquet and the store) gets the column, typed as the row says."""
    from pipeline.claims import extract_claims
    from pipeline.template import fields
    from pipeline.writers.frames import claims_frame

    claims = extract_claims(reference.doc, reference.sections, reference.tables, reference.cases)
    catalogue = {**fields._catalogue(), ("claims", "decimals"): fields.FieldSpec("decimals", "integer", "", "decimals printed")}
    monkeypatch.setattr(fields, "_catalogue", lambda: catalogue)
    monkeypatch.setattr(fields, "_columns", lambda resource: tuple(n for (r, n) in catalogue if r == resource))
    frame = claims_frame(claims, {})
    assert list(frame.columns[-1:]) == ["decimals"] and str(frame["decimals"].dtype) == "Int64"
    printed = frame.set_index("value_raw")["decimals"]
    assert printed["12001人"].min() == 0 and printed["96.71%"].min() == 2  # 在校生数12001人; 校均满意度为96.71%
