"""pandera schemas: real checks, collected lazily into rows; bad data never raises."""

import pandas as pd

from schemas import VALIDATION_COLUMNS, validate


def test_reference_validates_clean(reference_run):
    validation = reference_run.frames["validation"]
    assert list(validation.columns) == VALIDATION_COLUMNS
    assert validation.empty, validation.to_string()


def test_bad_indicator_rows_become_validation_rows(reference_run):
    frame = reference_run.frames["indicators"].copy()
    frame.loc[frame.index[0], "value"] = 3913.5  # a count that is not whole
    pct = frame.index[(frame.unit == "%")][0]
    frame.loc[pct, "value"] = 120.0
    frame.loc[frame.index[4], "unit"] = "斤"
    frame.loc[frame.index[6], "indicator"] = "不存在的指标"
    frame = frame[frame.indicator != "家长满意度"]
    rows = validate({"indicators": frame})
    checks = set(rows["check"])
    assert {"percent_in_range", "counts_are_whole", "indicator_in_template"} <= checks
    assert any(c.startswith("isin") for c in checks)  # the unknown unit
    missing = rows[rows["check"] == "expected indicator present"]["value"].tolist()
    assert "附表2 家长满意度 (%)" in missing


def test_broken_frame_is_a_row_not_a_crash():
    rows = validate({"cases": pd.DataFrame({"case_no": ["x"], "title": [None]})})
    assert len(rows) >= 1 and set(rows["schema"]) == {"CaseSchema"}
