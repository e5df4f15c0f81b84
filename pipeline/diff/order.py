"""What `vetreport diff` and the app's compare page warn about before comparing A and B: one report twice (the
same folder, or the same input sha256), and A later than B (A should be the earlier report)."""

from __future__ import annotations

import csv
from pathlib import Path

from ..words import DEFAULT, words
from ..writers.manifest import read as read_manifest


def order_warnings(a_dir: Path, b_dir: Path, lang: str = DEFAULT) -> list[str]:
    """The warnings about comparing report folder ``a_dir`` (A) with ``b_dir`` (B), as a person reads them (in
    ``lang``)."""
    t = words(lang)
    a_name, b_name = Path(a_dir).resolve().name, Path(b_dir).resolve().name
    warnings = []
    if same_report(a_dir, b_dir):
        warnings.append(t("diff.warning.same", a=a_name, b=b_name))
    years_a, years_b = report_years(a_dir), report_years(b_dir)
    if years_a and years_b and years_a[-1] > years_b[-1]:
        warnings.append(t("diff.warning.order", a=a_name, year_a=years_a[-1], b=b_name, year_b=years_b[-1]))
    return warnings


def same_report(a_dir: Path, b_dir: Path) -> bool:
    """One folder, or two folders of one input file (the same sha256)."""
    if Path(a_dir).resolve() == Path(b_dir).resolve():
        return True
    sha_a, sha_b = ((read_manifest(Path(d)) or {}).get("sha256") for d in (a_dir, b_dir))
    return bool(sha_a) and sha_a == sha_b


def report_years(folder: Path) -> list[int]:
    """The year columns of the folder's indicators.csv."""
    with (Path(folder) / "indicators.csv").open(encoding="utf-8-sig", newline="") as fh:
        return sorted({int(row["year"]) for row in csv.DictReader(fh) if (row.get("year") or "").isdigit()})
