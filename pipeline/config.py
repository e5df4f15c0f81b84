"""Every tunable knob of the pipeline, one dataclass per stage."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class PageSettings:
    # Lines in the top/bottom margin band that repeat on this share of pages are running headers/footers.
    margin_band: float = 0.11
    repeat_share: float = 0.3
    # A gap between two glyphs wider than this many font sizes becomes a space.
    space_gap: float = 0.6
    # Characters whose boxes overlap this much with a same-text neighbour are fake-bold duplicates.
    dedupe_tolerance: float = 1.0
    # Maximum number of pages read (a guard, not a sample): larger files are an error.
    max_pages: int = 2000


@dataclass(frozen=True)
class TableSettings:
    # Only pages with at least this many ruling segments, or a table caption, are searched.
    min_rules: int = 2
    # camelot lattice engine: "vector" (PDF strokes, fast), "raster" or "combined" (render + OpenCV).
    camelot_engine: str = "vector"
    # Cross-check every camelot table with pdfplumber's line-based finder.
    cross_check: bool = True
    # A horizontal-rules-only table (三线表) needs at least this many aligned rules.
    min_open_rules: int = 3
    snap_tolerance: float = 3.0
    # A table on the next page continues this one when it starts within this share of the page top.
    continuation_top_share: float = 0.25
    # Caption lines are looked for this far (points) above or below a table.
    caption_distance: float = 90.0


@dataclass(frozen=True)
class BatchSettings:
    # Reports processed at once: local worker processes, or tasks in flight on a Dask cluster.
    workers: int = 1
    # "processes" (this machine) or "dask" (a Dask distributed cluster).
    executor: str = "processes"
    # Address of an existing Dask scheduler (tcp://host:8786); None starts a LocalCluster.
    scheduler: str | None = None
    # Seconds to wait for that scheduler to answer.
    scheduler_timeout: float = 20.0
    # Hard wall-clock backstop per report (seconds): its worker is killed and the report recorded as an error.
    time_limit: float = 1800.0
    # Re-run reports whose input sha256 and package version are unchanged.
    force: bool = False
    # Also load the run into OUT/<store_name> (DuckDB); None skips the store.
    store_name: str | None = "vetreport.duckdb"


@dataclass(frozen=True)
class Settings:
    pages: PageSettings = field(default_factory=PageSettings)
    tables: TableSettings = field(default_factory=TableSettings)
    password: str | None = None
