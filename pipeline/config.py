"""Every tunable knob of the pipeline, one dataclass per stage."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field, fields


@dataclass(frozen=True)
class PageSettings:
    # Lines in the top/bottom margin band that repeat on this share of pages are running headers/footers.
    margin_band: float = 0.11
    repeat_share: float = 0.3
    # A gap between two glyphs wider than this many font sizes becomes a space.
    space_gap: float = 0.6
    # Characters whose boxes overlap this much with a same-text neighbour are fake-bold duplicates.
    dedupe_tolerance: float = 1.0


@dataclass(frozen=True)
class TableSettings:
    # Only pages with at least this many ruling segments, or a table caption, are searched.
    min_rules: int = 2
    # camelot lattice engine: "vector" (PDF strokes, fast), "raster" or "combined" (render + OpenCV).
    camelot_engine: str = "vector"
    # camelot's layout analysis grows faster than linearly with the characters on a page and cannot be
    # interrupted (compiled code): a page with more characters than this is left to pdfplumber's finder.
    camelot_max_chars: int = 6000
    # Pages handed to one camelot call: one open of the file parses its fonts once for all of them;
    # the time budget is checked between calls.
    camelot_pages_per_call: int = 8
    # A page whose rules stand at more distinct rows x columns than this is a dense grid (a glyph chart,
    # a pattern), not a table: the cell finders grow with the square of it, so the page is not searched.
    max_rule_crossings: int = 20000
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
    # Hard wall-clock backstop per report (seconds): its worker is killed and the report recorded as an error
    # (None: no backstop).
    time_limit: float | None = 1800.0
    # Re-run reports whose input sha256 and package version are unchanged.
    force: bool = False
    # Also load the run into OUT/<store_name> (DuckDB); None skips the store.
    store_name: str | None = "vetreport.duckdb"


# The OCR engines (pipeline/pages/ocr/engines.py), the default first: chosen by measurement (benchmarks/ocr.py,
# README "Choosing the engine"): Tesseract meets every target, and a digit it misreads comes with a low confidence.
OCR_ENGINES = ("tesseract", "rapidocr")


@dataclass(frozen=True)
class OcrSettings:
    # "auto": OCR the pages without a usable text layer; "off": never (such pages stay empty, with a warning).
    mode: str = "auto"
    # Which engine reads: one of OCR_ENGINES. ``language``, ``digits_language`` and the page segmentation
    # modes below are Tesseract's; rapidocr reads Chinese and digits with one model.
    engine: str = OCR_ENGINES[0]
    language: str = "chi_sim"
    # Table cells that hold a number are read again with this model, which reads lone digits better
    # ("" = no second reading).
    digits_language: str = "eng"
    dpi: int = 300
    # A text layer is unusable when this share of its characters are (cid:N), private-use or U+FFFD...
    garbled_share: float = 0.3
    # ...or when it has fewer visible characters than this and an image covers the page.
    min_chars: int = 10
    # Tesseract page segmentation modes: automatic layout for the page text; one uniform block for the
    # cells of a ruled table (each cell's ink on a line of its own, see pipeline.ocr), which keeps
    # columns of single digits from being taken for vertical text.
    psm: int = 3
    table_psm: int = 6
    # Rules closer than this (points) are one line when tables are found in the page image.
    snap_tolerance: float = 3.0
    # Ruling lines found in the page image: a line is at least this share of the page width / height.
    min_rule_share: float = 0.025
    # A scanned page is straightened before OCR when it is tilted by up to this many degrees.
    max_skew: float = 5.0
    # OCR words below this confidence (0-100) are dropped as noise. Tesseract gives some right
    # Chinese words a confidence of 0, so the default keeps everything (the confidence is recorded).
    min_confidence: float = 0.0
    # An appendix value read by OCR with a lower confidence (0-100) than this is never a match or a mismatch:
    # its findings are `unreadable`, values to read by eye.
    value_confidence: float = 80.0

    def __post_init__(self) -> None:
        if self.engine not in OCR_ENGINES:
            raise ValueError(f"unknown OCR engine {self.engine!r} (known: {', '.join(OCR_ENGINES)})")


@dataclass(frozen=True)
class Limits:
    """Per-report guards: a report that hits one is an error (or partial results, when earlier stages finished)."""

    # Wall-clock seconds for all stages of one report (0 = no limit).
    seconds: float = 900.0
    # A batch worker still running this long after ``seconds`` is stopped (BatchSettings.time_limit):
    # the backstop for native code the limits cannot interrupt.
    hard_stop_after: float = 60.0
    # Resident memory of the process, checked between pages (0 = no limit).
    memory_mb: int = 4096
    # Pages read; a larger file is an error (0 = no limit).
    max_pages: int = 2000
    # Pixels of one rendered page image (decompression-bomb guard): the render scale is lowered to fit.
    max_render_pixels: int = 40_000_000
    # An embedded image larger than this (decoded pixels) is never rendered: the page is skipped for OCR.
    max_image_pixels: int = 200_000_000
    # At most this many pages of one report are OCRed; the others are left empty with a warning (0 = no limit).
    ocr_max_pages: int = 400
    # Seconds Tesseract may spend on one page before it is stopped.
    ocr_page_seconds: float = 120.0

    def __post_init__(self) -> None:
        negative = [f.name for f in fields(self) if getattr(self, f.name) < 0]
        if negative:
            raise ValueError(f"limits cannot be negative ({', '.join(negative)}); 0 means no limit")

    def hard_stop(self) -> float | None:
        """Seconds after which a batch worker still running a report is stopped; None without a time limit."""
        return self.seconds + self.hard_stop_after if self.seconds > 0 else None


# The limits that can change what a report's files hold even when the report finishes: they are part of
# its output options. The others (time, memory, page count) end a report as an error or with a failed
# stage when they bind, and such a report runs again anyway.
OUTPUT_LIMITS = ("max_render_pixels", "max_image_pixels", "ocr_max_pages", "ocr_page_seconds")


@dataclass(frozen=True)
class Settings:
    pages: PageSettings = field(default_factory=PageSettings)
    tables: TableSettings = field(default_factory=TableSettings)
    password: str | None = None
    ocr: OcrSettings = field(default_factory=OcrSettings)
    limits: Limits = field(default_factory=Limits)
    cores: int = 1  # processes one report may use (its pages, camelot's calls, the audit); never changes its files
    template: str | None = None  # the template the appendix is read against (None: chosen from the report)
    lang: str = "zh"  # the language of audit.html and audit.md (words.LANGS)

    def output_options(self) -> dict:
        """The settings that can change a report's files, as manifest.json records them ("options").

        A report whose manifest holds other options is not skipped as unchanged. The password is left
        out: it opens the file or it does not, and it must not be written down.
        """
        options = {
            "pages": asdict(self.pages),
            "tables": asdict(self.tables),
            "ocr": asdict(self.ocr),
            "limits": {name: getattr(self.limits, name) for name in OUTPUT_LIMITS},
        }
        if self.template:  # named with --template (else chosen from the report, and not an option)
            options["template"] = self.template
        if self.lang != "zh":  # audit.html in another language than the default (zh)
            options["lang"] = self.lang
        return options
