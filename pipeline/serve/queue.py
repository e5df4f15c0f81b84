"""One queue over every report's findings (the app's /findings), in the spirit of Datasette's facets.

The findings come from the store's findings table when it has one, else from each report folder's
findings.csv; either way each report's review.csv is laid over them at every request (a review shows
at once), and each row carries what its report is (year, district or school: manifest.json's
``report``). A request picks rows by facets (report, year, district or school, verdict, kind, table,
review status, source, OCR confidence), a search of the sentence and ``hide reviewed``; it sorts by any
shown column and shows one page of PER_PAGE rows. Each facet's counts are of the rows the other
choices pick, so every value stays one click away with what it would give.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlencode

import pandas as pd

from ..writers.review import REVIEW_FILE, read_review
from .data import Output, _plain, read_csv
from .links import finding_links

PER_PAGE = 50
MAX_VALUE = 255  # characters of a filter value or a search
MAX_PAGE = 1_000_000
FACETS = ("report", "year", "place", "verdict", "kind", "table", "review", "source", "confidence")
FACET_COLUMN = {"report": "report_id", "year": "report_year", "place": "place", "verdict": "verdict", "kind": "kind",
                "table": "table", "review": "review", "source": "source", "confidence": "confidence"}
OPTIONAL_FACETS = ("source", "confidence")  # shown only when findings carry the column
SORTABLE = ("report_id", "report_year", "place", "verdict", "kind", "table", "page", "claim_text", "claim_value",
            "table_value", "review", "source", "ocr_confidence")
NUMERIC = ("report_year", "page", "ocr_confidence")
CONFIDENCE_BANDS = ((60.0, "low"), (80.0, "middle"), (float("inf"), "high"))  # below 60, 60 to 80, 80 and above
REVIEWED = ("confirmed", "dismissed")
SHOWN = ("report_id", "finding_id", "claim_id", "verdict", "kind", "claim_text", "claim_value", "page", "table_kind",
         "table_no", "table_id", "indicator", "year", "table_value", "unit", "table_page", "table_x0", "table_top",
         "table_x1", "table_bottom", "other_page", "other_x0", "other_top", "other_x1", "other_bottom", "source",
         "ocr_confidence")


def columns(with_source: bool) -> list[dict]:
    """The queue's columns in order: key, whether it sorts, whether it holds numbers."""
    keys = ["report_id", "report_year", "place", "verdict", "kind", "table", "page", "claim_text", "claim_value",
            "table_value", *(["source"] if with_source else []), "review"]
    return [{"key": k, "sortable": k in SORTABLE, "numeric": k in NUMERIC or k in ("claim_value", "table_value")}
            for k in keys]


def facet_word(t, facet: str, value: str) -> str:
    """A facet value as a person reads it (不一致, 已确认, 低于60 …); '(none)' for the empty value."""
    if value == "":
        return t("desk.facet.none")
    if facet == "verdict":
        return t.verdict(value)
    if facet == "kind":
        return t.kind(value)
    if facet in ("review", "source"):
        return t.get(f"{facet if facet == 'source' else 'review'}.{value}", value)
    if facet == "confidence":
        return t.get(f"desk.confidence.{value}", value)
    return value


class BadQuery(ValueError):
    """A /findings query value that cannot be used (a 400 that says which)."""


@dataclass
class Query:
    picked: dict[str, str] = field(default_factory=dict)  # facet -> value
    search: str = ""
    sort: str = ""
    descending: bool = False
    page: int = 1
    hide_reviewed: bool = False

    def href(self, **changes) -> str:
        """This query's address with ``changes`` (a facet set to None is dropped; page back to 1 unless given)."""
        picked = dict(self.picked)
        for facet in FACETS:
            if facet in changes:
                value = changes.pop(facet)
                if value is None:
                    picked.pop(facet, None)
                else:
                    picked[facet] = value
        state = {"q": self.search, "sort": self.sort, "desc": "1" if self.descending else "",
                 "hide_reviewed": "1" if self.hide_reviewed else "", "page": "", **changes}
        pairs = list(picked.items()) + [(k, str(v)) for k, v in state.items() if v not in ("", None)]
        return "/findings" + (f"?{urlencode(pairs)}" if pairs else "")


def parse_query(params) -> Query:
    """The query of a /findings request; BadQuery for a value that cannot be one."""
    for name, value in params.multi_items():
        if len(value) > MAX_VALUE:
            raise BadQuery(f"{name} is longer than {MAX_VALUE} characters")
    picked = {f: params[f] for f in FACETS if params.get(f, "") != ""}
    sort = params.get("sort", "")
    if sort and sort not in SORTABLE:
        raise BadQuery(f"sort must be one of {', '.join(SORTABLE)}")
    page_text = params.get("page", "") or "1"
    if not (page_text.isascii() and page_text.isdigit()) or not 1 <= int(page_text) <= MAX_PAGE:
        raise BadQuery(f"page must be a number from 1 to {MAX_PAGE}")
    return Query(picked, params.get("q", "").strip(), sort, params.get("desc", "") == "1", int(page_text),
                 params.get("hide_reviewed", "") == "1")


@dataclass
class Selection:
    rows: list[dict]
    total: int  # rows the filters pick (hide reviewed included)
    in_filter: int  # rows the filters pick before hide reviewed
    reviewed: int  # of those, confirmed or dismissed
    pages: int
    facets: dict[str, list[tuple[str, int]]]  # facet -> [(value, count)], most first
    source: str  # "store" or "csv": where the findings were read


class Queue:
    """Every report's findings, read once per version of the store (or of the findings.csv files)."""

    def __init__(self, output: Output):
        self.output = output
        self._lock = threading.Lock()
        self._frame: tuple[tuple, pd.DataFrame, str] | None = None
        self._reviews: dict[Path, tuple[tuple | None, dict]] = {}
        self._files: dict[tuple[Path, str], tuple[tuple | None, object]] = {}

    # ------------------------------------------------------------ reading

    def findings(self) -> tuple[pd.DataFrame, str]:
        """Every finding with its report's year and place and its review now; where they were read from."""
        frame, source = self._read()
        frame = frame.copy()
        if frame.empty:
            frame["review"], frame["review_note"] = pd.Series(dtype=object), pd.Series(dtype=object)
            return frame, source
        reviews = pd.DataFrame([(report_id, finding_id, status or "open", note)
                                for report_id in frame["report_id"].unique()
                                for finding_id, (status, note) in self._review(report_id).items()],
                               columns=["report_id", "finding_id", "review", "review_note"], dtype=object)
        frame = frame.astype({"report_id": object, "finding_id": object}).merge(
            reviews, how="left", on=["report_id", "finding_id"], validate="many_to_one")
        frame["review"] = frame["review"].fillna("open")
        frame["review_note"] = frame["review_note"].fillna("")
        return frame, source

    def _read(self) -> tuple[pd.DataFrame, str]:
        try:
            stat = os.stat(self.output.store)
            key = ("store", stat.st_ino, stat.st_size, stat.st_mtime_ns)
        except OSError:
            key = ("csv", *self._folder_stamps())
        with self._lock:
            if self._frame is not None and self._frame[0] == key:
                return self._frame[1], self._frame[2]
        frame, source = (self._from_store() if key[0] == "store" else None), "store"
        if frame is None:
            frame, source = self._from_csvs(), "csv"
            key = ("csv", *self._folder_stamps()) if key[0] == "csv" else key
        frame = self._with_reports(frame)
        with self._lock:
            self._frame = (key, frame, source)
        return frame, source

    def _from_store(self) -> pd.DataFrame | None:
        """The store's findings of the reports that did not fail; None when the store has no findings table (a
        damaged store: StoreUnavailable, said at once)."""
        columns = self.output.columns("findings")
        if not columns:
            return None
        wanted = ", ".join(f'f."{c}"' for c in SHOWN if c in columns)
        return self.output.query(f"""SELECT {wanted} FROM findings f JOIN reports r USING (report_id)
                                      WHERE r.status <> 'error' ORDER BY report_id, finding_id""")

    def _from_csvs(self) -> pd.DataFrame:
        frames = []
        for folder in self._folders():
            findings = read_csv(folder / "findings.csv")
            if findings.empty or "finding_id" not in findings:
                continue
            findings = findings[[c for c in SHOWN if c in findings and c != "report_id"]].copy()
            findings.insert(0, "report_id", folder.name)
            frames.append(findings)
        return pd.concat(frames, ignore_index=True) if frames else pd.DataFrame(columns=["report_id", "finding_id"])

    def _folders(self) -> list[Path]:
        try:
            names = sorted(entry.name for entry in os.scandir(self.output.root) if entry.is_dir())
        except OSError:
            return []
        return [f for f in (self.output.report_dir(n) for n in names) if f is not None]

    def _folder_stamps(self) -> tuple:
        return tuple((f.name, _stamp(f / "findings.csv")) for f in self._folders())

    def _with_reports(self, frame: pd.DataFrame) -> pd.DataFrame:
        """Each finding with its report's year and district or school, its table's label, its confidence band."""
        frame = frame.copy()
        about = {r: self.output.about(self.output.report_dir(str(r))) for r in frame["report_id"].unique()}
        frame["report_year"] = [about[r]["year"] for r in frame["report_id"]]
        frame["place"] = [about[r]["name"] or "" for r in frame["report_id"]]
        frame["table"] = _table_labels(frame)
        if "source" in frame:
            frame["source"] = frame["source"].fillna("").astype(str)
        if "ocr_confidence" in frame:
            frame["confidence"] = [_band(v) for v in frame["ocr_confidence"]]
        for facet, column in FACET_COLUMN.items():  # the text each facet compares and counts, made once
            if column in frame and facet != "review":
                frame[_facet_key(facet)] = _text(frame[column])
        return frame

    def _review(self, report_id: str) -> dict:
        folder = self.output.report_dir(str(report_id))
        if folder is None:
            return {}
        return self._by_stamp(folder, REVIEW_FILE, lambda path: read_review(path)[0])

    def _by_stamp(self, folder: Path, name: str, reader: Callable[[Path], object]):
        """``reader(folder/name)``, read again only when the file changes."""
        stamp = _stamp(folder / name)
        with self._lock:
            known = self._files.get((folder, name))
        if known is not None and known[0] == stamp:
            return known[1]
        value = reader(folder / name)
        with self._lock:
            self._files[(folder, name)] = (stamp, value)
        return value

    # ------------------------------------------------------------ choosing

    def chosen(self, query: Query) -> pd.DataFrame:
        """Every finding the query picks, sorted, on no page: what an export of the queue holds (review_status and
        review_note as findings.csv names them)."""
        frame, _ = self.findings()
        self._facets(frame, query)
        keep = _searched(frame, query.search)
        for facet, value in query.picked.items():
            keep &= _keys(frame, facet) == value
        chosen = frame[keep] if len(frame) else frame
        if query.hide_reviewed and len(chosen):
            chosen = chosen[~chosen["review"].isin(REVIEWED)]
        chosen = _sorted(chosen, query.sort, query.descending)
        chosen = chosen.drop(columns=[c for c in chosen if c.startswith("_facet_") or c == "review_status"])
        return chosen.rename(columns={"review": "review_status"}).replace({"review_status": {"open": ""}})

    def _facets(self, frame: pd.DataFrame, query: Query) -> list[str]:
        facets = [f for f in FACETS if f not in OPTIONAL_FACETS or FACET_COLUMN[f] in frame]
        for facet in query.picked:
            if facet not in facets:
                raise BadQuery(f"the findings have no {facet} column to filter by")
        return facets

    def select(self, query: Query) -> Selection:
        frame, source = self.findings()
        facets = self._facets(frame, query)
        masks = {f: _keys(frame, f) == v for f, v in query.picked.items()}
        searched = _searched(frame, query.search)
        everything = searched.copy()
        for mask in masks.values():
            everything &= mask
        counts = {}
        for facet in facets:
            others = searched.copy()
            for other, mask in masks.items():
                if other != facet:
                    others &= mask
            counts[facet] = _counts(_keys(frame, facet)[others])
        in_filter = frame[everything] if len(frame) else frame
        reviewed = int(in_filter["review"].isin(REVIEWED).sum()) if len(in_filter) else 0
        shown = in_filter[~in_filter["review"].isin(REVIEWED)] if query.hide_reviewed and len(in_filter) else in_filter
        shown = _sorted(shown, query.sort, query.descending)
        pages = max(1, -(-len(shown) // PER_PAGE))
        page = shown.iloc[(query.page - 1) * PER_PAGE: query.page * PER_PAGE]
        return Selection(self._rows(page), len(shown), len(in_filter), reviewed, pages, counts, source)

    def _rows(self, page: pd.DataFrame) -> list[dict]:
        rows = []
        for row in page.to_dict("records"):
            row = {k: _plain(v) for k, v in row.items() if not k.startswith("_facet_")}
            folder = self.output.report_dir(str(row["report_id"]))
            claims = self._by_stamp(folder, "claims.csv", lambda path: self.output.claims_by_id(path.parent)) if folder else {}
            printed = self._by_stamp(folder, "pages.csv", lambda path: self.output.printed_pages(path.parent)) if folder else {}
            row["links"] = finding_links(str(row["report_id"]), row, claims.get(row.get("claim_id") or ""), printed)
            rows.append(row)
        return rows


def _stamp(path: Path) -> tuple | None:
    try:
        stat = os.stat(path)
    except OSError:
        return None
    return (stat.st_ino, stat.st_size, stat.st_mtime_ns)


def _table_labels(frame: pd.DataFrame) -> pd.Series:
    """附表3 for an appendix table the report numbers, else its kind, else the body table (图表5); '' for none."""
    labels = pd.Series("", index=frame.index, dtype=object)
    for column in ("table_id", "table_kind"):  # the later one wins
        if column in frame:
            text = frame[column].fillna("").astype(str)
            labels = labels.where(text.eq(""), text)
    if "table_no" in frame:
        numbers = pd.to_numeric(frame["table_no"], errors="coerce")
        labels = labels.where(numbers.isna(), "附表" + numbers.fillna(0).astype(int).astype(str))
    return labels


def _band(value) -> str:
    value = _plain(value)
    if value is None:
        return ""
    return next(band for limit, band in CONFIDENCE_BANDS if float(value) < limit)


def _text(series: pd.Series) -> pd.Series:
    """A column as the text its facet values are (2024, not 2024.0; '' for none)."""
    return series.map(lambda v: "" if _plain(v) is None else str(_plain(v)))


def _facet_key(facet: str) -> str:
    return f"_facet_{facet}"


def _keys(frame: pd.DataFrame, facet: str) -> pd.Series:
    """The facet's value of each row, as text."""
    return frame["review"] if facet == "review" else frame[_facet_key(facet)]


def _searched(frame: pd.DataFrame, search: str) -> pd.Series:
    """Rows whose sentence holds every word of ``search`` (case-insensitive)."""
    mask = pd.Series(True, index=frame.index)
    if not search or not len(frame):
        return mask
    sentences = frame["claim_text"].fillna("").astype(str).str.lower() if "claim_text" in frame else pd.Series("", index=frame.index)
    for word in search.lower().split():
        mask &= sentences.str.contains(word, regex=False)
    return mask


def _counts(values: pd.Series) -> list[tuple[str, int]]:
    counted = values.value_counts()
    return sorted(((str(v), int(n)) for v, n in counted.items()), key=lambda vn: (-vn[1], vn[0]))


def _sorted(frame: pd.DataFrame, column: str, descending: bool) -> pd.DataFrame:
    """Sorted by ``column`` (numbers as numbers, empty last), then by report and finding; as read without one."""
    if not column or column not in frame or frame.empty:
        return frame
    key = pd.to_numeric(frame[column], errors="coerce") if column in NUMERIC else frame[column].fillna("").astype(str)
    ordered = frame.assign(_key=key, _empty=key.isna() if column in NUMERIC else key.eq(""))
    ordered = ordered.sort_values(["_empty", "_key", "report_id", "finding_id"],
                                  ascending=[True, not descending, True, True], kind="stable", na_position="last")
    return ordered.drop(columns=["_key", "_empty"])
