"""The `vetreport` command. It only wires stages together; the work is in the stage modules.

Each command imports what it needs when it runs, so that `vetreport --help` starts at once.
"""

from __future__ import annotations

import sys
from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.markup import escape
from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table as RichTable
from typer.core import TyperArgument, TyperCommand, TyperGroup, TyperOption

from .config import OCR_ENGINES, BatchSettings, Limits, OcrSettings, Settings
from .errors import quiet_libraries
from .runtime.batch import discover, run_batch
from .runtime.task import BatchError, BatchEvents, ReportSummary
from .words import LANGS, Words, lang_from_env, normalise, warning_text, words
from .writers.manifest import partial_reasons

# ---------------------------------------------------------------- help in the reader's language
# Every help text below is a key of the word catalogue (pipeline/words/help.csv); Click's own words (Usage:,
# Options, default: …) are looked up there too, under "click." and the English text, as gettext would.
_asked: dict[str, str | None] = {"lang": None}  # the --lang given anywhere on the command line being parsed


def _help_lang() -> str:
    return _asked["lang"] or lang_from_env()


def _said_help(text: str | None) -> str | None:
    """A help text in the reader's language: a catalogue key said, Click's English looked up, else as it is."""
    if not text:
        return text
    t = words(_help_lang())
    return t(text) if t.has(text) else t.get(f"click.{text}", text)


def _lang_asked(args: list[str]) -> str | None:
    for n, arg in enumerate(args):
        if arg == "--lang" and n + 1 < len(args):
            return normalise(args[n + 1])
        if arg.startswith("--lang="):
            return normalise(arg.partition("=")[2])
    return None


typer.core._ = _said_help  # what Typer says as gettext would (Options, Arguments, default: …), said as the help is


class Said:
    """Help said in the reader's language: the command's and each parameter's help are catalogue keys."""

    def parse_args(self, ctx, args: list[str]) -> list[str]:
        if ctx.parent is None:  # the whole command line: vetreport's group, or a command run on its own
            _asked["lang"] = _lang_asked(args)
        return super().parse_args(ctx, args)

    def format_help(self, ctx, formatter) -> None:
        self._say(ctx)
        super().format_help(ctx, formatter)

    def format_usage(self, ctx, formatter) -> None:
        formatter.write_usage(ctx.command_path, " ".join(self.collect_usage_pieces(ctx)), prefix=_said_help("help.usage"))

    def get_short_help_str(self, limit: int = 45) -> str:
        self._say(None)
        return super().get_short_help_str(limit)

    def _say(self, ctx) -> None:
        """Each help text from its key, kept aside, so a second --help in another language finds it."""
        for holder in [self, *(self.get_params(ctx) if ctx is not None else self.params)]:
            key = holder.__dict__.setdefault("_help_key", holder.help)
            holder.help = _said_help(key)


def _plain_flags(params: list) -> list:
    for param in params:
        if isinstance(param, TyperOption) and param.is_flag:
            param.metavar = ""  # a flag takes no value: no "<bool>" beside it in the help
    return params


class Command(Said, TyperCommand):
    """Help that reads as the command is typed: flags without a value type, arguments by their names
    (``A [B]``, ``[PDF|DIR]...``) rather than as ``{first}``."""

    def get_params(self, ctx) -> list:
        return _plain_flags(super().get_params(ctx))

    def collect_usage_pieces(self, ctx) -> list[str]:
        pieces = [self.options_metavar] if self.options_metavar else []
        for param in self.get_params(ctx):
            if isinstance(param, TyperArgument):
                name = param.metavar or param.name.upper()
                pieces.append((name if param.required else f"[{name}]") + ("..." if param.nargs != 1 else ""))
        return pieces


class Group(Said, TyperGroup):
    def get_params(self, ctx) -> list:
        return _plain_flags(super().get_params(ctx))


app = typer.Typer(
    help="help.app",
    cls=Group,
    rich_markup_mode=None,  # plain help: rich's help formatter takes longer to import than the rest of the CLI
    no_args_is_help=True,
    add_completion=False,
)
console = Console(stderr=True, highlight=False, soft_wrap=True)
DEFAULT_INPUT = Path("raw")


def _show_version(asked: bool) -> None:
    if asked:
        from .writers.manifest import package_version

        typer.echo(f"vetreport {package_version()}")
        raise typer.Exit()


@app.callback()
def _commands(
    version: Annotated[bool, typer.Option("--version", is_eager=True, callback=_show_version,
                                          help="help.version")] = False,
) -> None:
    """Each command's --help explains its inputs and outputs."""
    quiet_libraries()


class Lang(StrEnum):
    zh = "zh"
    en = "en"


LangOption = Annotated[Lang | None, typer.Option(
    "--lang", show_default=False, help="help.lang")]


def _words(lang: Lang | None) -> Words:
    """The command's words: --lang, else the locale's language as gettext reads it (zh for C, POSIX and others)."""
    return words(lang.value if lang is not None else lang_from_env())


def _error(t: Words, text: str) -> None:
    console.print(f"[red]{t('cli.error')}[/red] {text}")


assert set(LANGS) == {lang.value for lang in Lang}


class Executor(StrEnum):
    processes = "processes"
    dask = "dask"


OcrEngine = StrEnum("OcrEngine", {name: name for name in OCR_ENGINES})
DEFAULT_OCR_ENGINE = OcrEngine(OCR_ENGINES[0])


DEFAULT_BATCH = BatchSettings()


@app.command(cls=Command, help="help.run")
def run(
    inputs: Annotated[
        list[Path] | None,
        typer.Argument(metavar="PDF|DIR", show_default=False, help="help.run.inputs"),
    ] = None,
    out: Annotated[Path, typer.Option("--out", "-o", help="help.run.out")] = Path("output"),
    password: Annotated[str | None, typer.Option(help="help.run.password")] = None,
    workers: Annotated[int, typer.Option(
        "--workers", "-j", min=1, help="help.run.workers")] = DEFAULT_BATCH.workers,
    executor: Annotated[Executor, typer.Option(
        help="help.run.executor")] = Executor.processes,
    scheduler: Annotated[str | None, typer.Option(
        help="help.run.scheduler")] = None,
    time_limit: Annotated[float, typer.Option(
        min=0, help="help.run.time_limit")] = Limits.seconds,
    memory_limit: Annotated[int, typer.Option(
        "--memory-limit", min=0, help="help.run.memory_limit")] = Limits.memory_mb,
    max_pages: Annotated[int, typer.Option(
        "--max-pages", min=0, help="help.run.max_pages")] = Limits.max_pages,
    ocr: Annotated[bool, typer.Option(
        "--ocr/--no-ocr", help="help.run.ocr")] = True,
    ocr_engine: Annotated[OcrEngine, typer.Option(
        "--ocr-engine", help="help.run.ocr_engine")] = DEFAULT_OCR_ENGINE,
    ocr_max_pages: Annotated[int, typer.Option(
        "--ocr-max-pages", min=0, help="help.run.ocr_max_pages")] = Limits.ocr_max_pages,
    force: Annotated[bool, typer.Option(
        "--force", help="help.run.force")] = False,
    store: Annotated[bool, typer.Option(help="help.run.store")] = True,
    template_id: Annotated[str | None, typer.Option(
        "--template", help="help.run.template_id")] = None,
    lang: LangOption = None,
) -> None:
    t = _words(lang)
    if not inputs:
        if not DEFAULT_INPUT.is_dir():
            _error(t, t("cli.no_input", folder=DEFAULT_INPUT, cwd=escape(str(Path.cwd()))))
            raise typer.Exit(2)
        inputs = [DEFAULT_INPUT]
    items, problems = discover(inputs)
    for problem in problems:
        _error(t, escape(problem))
    if not items:
        raise typer.Exit(2)
    if template_id is not None:
        from . import template

        if template_id not in template.template_ids():
            _error(t, t("cli.unknown_template", template=escape(repr(template_id)),
                        known=escape(", ".join(template.template_ids()))))
            raise typer.Exit(2)
    limits = Limits(seconds=time_limit, memory_mb=memory_limit, max_pages=max_pages, ocr_max_pages=ocr_max_pages)
    settings = Settings(password=password, limits=limits, ocr=OcrSettings(mode="auto" if ocr else "off", engine=ocr_engine.value),
                        template=template_id, lang=t.lang)
    batch = BatchSettings(
        workers=workers, executor="dask" if scheduler else executor.value, scheduler=scheduler,
        time_limit=limits.hard_stop(), force=force, store_name=DEFAULT_BATCH.store_name if store else None,
    )
    try:
        with BatchDisplay(len(items), t) as display:
            summaries = run_batch(items, out, settings, batch, display)
    except BatchError as exc:
        _error(t, escape(str(exc)))
        raise typer.Exit(2) from None
    except KeyboardInterrupt:
        console.print(t("cli.interrupted_run"))
        raise typer.Exit(130) from None
    _print_summary(t, summaries)
    failed = [s for s in summaries if s.status == "error"]
    for s in failed:
        where = t("cli.failed.page", page=s.error["page"]) if s.error and s.error.get("page") else ""
        error = s.error or {"stage": "?", "message": "no error.json"}
        _error(t, t("cli.failed", report=escape(s.report_id), stage=error["stage"], where=where,
                    message=escape(warning_text(error, t))))
    store_ok = _load_store(t, out, batch, summaries)
    _print_next(t, out, summaries)
    if failed or problems or not store_ok:
        raise typer.Exit(1)


@app.command(cls=Command, help="help.audit")
def audit(
    report: Annotated[str, typer.Argument(
        metavar="REPORT", show_default=False,
        help="help.report")],
    out: Annotated[Path, typer.Option("--out", "-o", help="help.out")] = Path("output"),
    pdf: Annotated[Path | None, typer.Option(
        "--pdf", show_default=False, help="help.audit.pdf")] = None,
    password: Annotated[str | None, typer.Option(help="help.audit.password")] = None,
    lang: LangOption = None,
) -> None:
    from .runtime.folders import FolderError, find_report

    t = _words(lang)
    try:
        folder = find_report(report, out, needs=("manifest.json", "findings.csv"))
        stale = folder.stale("findings.csv")
        if stale:
            raise FolderError(stale)
        source = _audit_source(t, folder.manifest, pdf, folder.path)
    except FolderError as exc:
        _error(t, escape(str(exc)))
        raise typer.Exit(2) from None
    _rewrite_audit(t, folder.path, source, password)


def _audit_source(t: Words, manifest: dict, pdf: Path | None, report_dir: Path) -> Path:
    """The report's PDF: ``--pdf`` (which must be the same file, by sha256), else the manifest's input."""
    from .files import file_sha256
    from .runtime.folders import FolderError
    from .writers.audit import SourceMissing, source_pdf

    if pdf is None:
        try:
            return source_pdf(report_dir)
        except SourceMissing as exc:
            raise FolderError(t("cli.audit.moved", reason=exc)) from None
    if not pdf.is_file():
        raise FolderError(t("cli.audit.no_file", pdf=pdf))
    if manifest.get("sha256") and file_sha256(pdf) != manifest["sha256"]:
        raise FolderError(t("cli.audit.other_pdf", pdf=pdf))
    return pdf


def _rewrite_audit(t: Words, report_dir: Path, pdf: Path, password: str | None) -> None:
    from .writers.audit import redraw_audit
    from .writers.review import carry_review

    reviewed = carry_review(report_dir)
    result = redraw_audit(report_dir, pdf, password, t.lang)
    for issue in reviewed.issues + result.issues:
        console.print(f"{t('cli.warning')} {escape(warning_text(issue, t))}")
    console.print(t("cli.wrote_audit", html=result.html_path, md=result.md_path, images=result.images))


class BatchDisplay(BatchEvents):
    """An overall bar plus one line per running report showing its stage; plain lines when not a terminal."""

    def __init__(self, total: int, t: Words | None = None):
        self.t = t or words()
        self.total = total
        self.done = 0
        self.bar = Progress(
            TextColumn("{task.description}"), BarColumn(), TextColumn("{task.fields[count]}"), TimeElapsedColumn(),
            console=console, transient=True, disable=not console.is_terminal,
        )
        self.overall = self.bar.add_task(self.t("cli.reports"), total=total, count=f"0/{total}")
        self.rows: dict[str, int] = {}

    def __enter__(self):
        self.bar.start()
        return self

    def __exit__(self, *exc) -> None:
        self.bar.stop()

    def stage(self, report_id: str, stage: str) -> None:
        label = f"  {escape(report_id)}: {self.t.get(f'stage.{stage}', stage)}"
        if report_id in self.rows:
            self.bar.update(self.rows[report_id], description=label)
        else:
            self.rows[report_id] = self.bar.add_task(label, total=None, count="")

    def finished(self, summary: ReportSummary) -> None:
        row = self.rows.pop(summary.report_id, None)
        if row is not None:
            self.bar.remove_task(row)
        self.done += 1
        self.bar.update(self.overall, advance=1, count=f"{self.done}/{self.total}")
        if not console.is_terminal:
            console.print(f"[{self.done}/{self.total}] {escape(summary.report_id)}: {_status(self.t, summary)}")


def _status(t: Words, summary: ReportSummary) -> str:
    status = t.get(f"status.{summary.status}", summary.status)
    return t("cli.unchanged", status=status) if summary.unchanged else status


def _count(value) -> str:
    return "-" if value is None else str(value)


def _print_summary(t: Words, summaries: list[ReportSummary]) -> None:
    table = RichTable(title="vetreport run")
    for col in ("report", "pages", "indicators", "claims", "mismatches", "status", "seconds"):
        table.add_column(t(f"cli.col.{col}"), justify="left" if col in ("report", "status") else "right")
    for s in summaries:
        table.add_row(
            escape(s.report_id), _count(s.pages), _count(s.indicators), _count(s.claims), _count(s.mismatches),
            _status(t, s), "-" if s.seconds is None else f"{s.seconds:.1f}",
        )
    statuses = [s.status for s in summaries]
    unchanged = sum(s.unchanged for s in summaries)
    table.caption = t("cli.list").join(t("cli.count", n=statuses.count(k), status=t(f"status.{k}"))
                                       for k in ("ok", "partial", "error") if k in statuses) + (
        t("cli.caption.unchanged", n=unchanged) if unchanged else "")
    out = Console(highlight=False)
    if not out.is_terminal:
        out = Console(highlight=False, width=160)
    out.print(table)
    for s in summaries:
        if s.status == "partial":
            out.print(_partial_text(t, s))


PARTIAL_SHOWN = 3  # reasons a partial report lists in the summary (manifest.json holds them all)


def _partial_text(t: Words, summary: ReportSummary) -> str:
    """Why a report's results are partial: its first reasons, and how many more manifest.json holds."""
    reasons = partial_reasons(summary.partial, t) if summary.partial else summary.reasons
    shown = "; ".join(escape(r) for r in reasons[:PARTIAL_SHOWN]) or t("cli.partial.see")
    more = len(reasons) - PARTIAL_SHOWN
    return t("cli.partial", report=escape(summary.report_id), reasons=shown) + (t("cli.partial.more", n=more) if more > 0 else "")


def _print_next(t: Words, out: Path, summaries: list[ReportSummary]) -> None:
    """Where to look next: the audit report (one report's, or where each report's is), and the app."""
    done = [s for s in summaries if s.status != "error"]
    if not done:
        return
    audit = out / (done[0].report_id if len(done) == 1 else "<report_id>") / "audit.html"
    console.print(t("cli.next", audit=escape(str(audit)), out=escape(str(out))))


def _load_store(t: Words, out: Path, batch: BatchSettings, summaries: list[ReportSummary]) -> bool:
    if not batch.store_name:
        return True
    import duckdb

    from .runtime.store import StoreBusy, load_reports

    db_path = out / batch.store_name
    try:
        loaded = load_reports(db_path, [out / s.report_id for s in summaries],
                              waiting=lambda said: console.print(f"{t('cli.store')} {escape(t.said(said))}"))
    except (duckdb.Error, StoreBusy, OSError) as exc:
        hint = t("cli.store.busy") if isinstance(exc, StoreBusy) else t("cli.store.damaged")
        _error(t, t("cli.store.failed", store=escape(str(db_path)),
                    reason=escape(str(exc).splitlines()[0] if str(exc) else type(exc).__name__), hint=hint))
        return False
    console.print(t("cli.store.loaded", store=db_path, loaded=len(loaded), unchanged=len(summaries) - len(loaded)))
    return True


@app.command(cls=Command, help="help.diff")
def diff(
    first: Annotated[str, typer.Argument(
        metavar="A", help="help.first", show_default=False)],
    second: Annotated[str | None, typer.Argument(
        metavar="B", help="help.diff.second", show_default=False)] = None,
    out: Annotated[Path, typer.Option("--out", "-o", help="help.out")] = Path("output"),
    to: Annotated[Path | None, typer.Option(
        help="help.diff.to", show_default=False)] = None,
    lang: LangOption = None,
) -> None:
    from .runtime.folders import FolderError, find_report

    t = _words(lang)
    try:
        folders = [find_report(ref, out, needs=("indicators.csv",)) for ref in (first, second) if ref is not None]
        for folder in folders:
            stale = folder.stale("indicators.csv")
            if stale:
                raise FolderError(stale)
    except FolderError as exc:
        _error(t, escape(str(exc)))
        raise typer.Exit(2) from None
    if len(folders) == 2:
        from .diff.order import order_warnings

        for warning in order_warnings(folders[0].path, folders[1].path, t.lang):
            console.print(f"{t('cli.warning')} {escape(warning)}")
    for folder in folders:
        if folder.manifest is None:
            console.print(f"{t('cli.warning')} {t('cli.no_manifest', folder=escape(str(folder.path)))}")
    _write_diff(t, [f.path for f in folders], out, to)


def _write_diff(t: Words, folders: list[Path], out: Path, to: Path | None) -> None:
    from .diff import write_diff

    to = to or out / "diffs" / "--".join(f.resolve().name for f in folders)
    a_dir, b_dir = (folders[0], folders[1]) if len(folders) == 2 else (None, folders[0])
    written = write_diff(a_dir, b_dir, to, t.lang)
    for path in written.values():
        console.print(t("cli.wrote", path=escape(str(path))))
    if "diff.csv" in written:
        import csv
        from collections import Counter

        with written["diff.csv"].open(encoding="utf-8", newline="") as fh:
            kinds = Counter(row["kind"] for row in csv.DictReader(fh))
        console.print(t("cli.list").join(t("cli.count", n=kinds[k], status=t(f"diff.kind.{k}"))
                                         for k in ("restated", "changed", "added", "removed")))


export_app = typer.Typer(
    cls=Group, no_args_is_help=True, add_completion=False,
    help="help.export")
app.add_typer(export_app, name="export")
SheetLang = Annotated[Lang | None, typer.Option("--lang", help="help.export.lang", show_default=False)]


def _found(t: Words, refs: list[str], out: Path, needs: tuple[str, ...]) -> list:
    """The report folders ``refs`` name, each holding its last run's ``needs``; exit 2 with why when one does not."""
    from .runtime.folders import FolderError, find_report

    try:
        folders = [find_report(ref, out, needs=needs) for ref in refs]
        for folder in folders:
            for name in needs:
                if stale := folder.stale(name):
                    raise FolderError(stale)
    except FolderError as exc:
        _error(t, escape(str(exc)))
        raise typer.Exit(2) from None
    return folders


def _built(t: Words, path: Path, build):
    """What ``build()`` makes from the report files; a file that cannot be read (damaged, or not what `vetreport
    run` writes) is an error naming it, exit code 1, nothing written to ``path``."""
    try:
        return build()
    except Exception as exc:  # pandas, csv and the files' own errors: said, not a traceback
        _error(t, t("cli.export.unreadable", path=escape(str(path)),
                    error=f"{type(exc).__name__}: {escape(str(exc).strip()[:300])}"))
        raise typer.Exit(1) from None


def _written(t: Words, path: Path, build) -> None:
    """The workbook of the sheets ``build()`` makes, written to ``path``."""
    from .writers.workbook import write_workbook

    sheets = _built(t, path, build)
    write_workbook(path, sheets)
    console.print(t("cli.export.wrote", path=escape(str(path)), n=len(sheets)))


@export_app.command("report", cls=Command, help="help.export_report")
def export_report(
    report: Annotated[str, typer.Argument(
        metavar="REPORT", show_default=False,
        help="help.report")],
    out: Annotated[Path, typer.Option("--out", "-o", help="help.out")] = Path("output"),
    to: Annotated[Path | None, typer.Option(help="help.export_report.to",
                                            show_default=False)] = None,
    lang: SheetLang = None,
) -> None:
    from .writers.sheets import report_sheets

    t = _words(lang)
    folder = _found(t, [report], out, ("manifest.json", "indicators.csv", "findings.csv"))[0]
    _written(t, to or out / "exports" / f"{folder.name}.xlsx", lambda: report_sheets(folder.path, t.lang))


@export_app.command("indicators", cls=Command, help="help.export_indicators")
def export_indicators(
    reports: Annotated[list[str] | None, typer.Argument(
        metavar="REPORT", show_default=False,
        help="help.export_indicators.reports")] = None,
    out: Annotated[Path, typer.Option("--out", "-o", help="help.out")] = Path("output"),
    to: Annotated[Path | None, typer.Option(
        help="help.export_indicators.to",
        show_default=False)] = None,
    lang: SheetLang = None,
) -> None:
    from .writers.sheets import folders_indicators, wide_csv, wide_indicators, wide_sheets

    t = _words(lang)
    refs = reports or _batch_folders(out)
    if not refs:
        _error(t, t("cli.export.no_reports", out=escape(str(out))))
        raise typer.Exit(2)
    folders = _found(t, [str(r) for r in refs], out, ("indicators.csv",))
    path = to or out / "exports" / "indicators.xlsx"
    if path.suffix.lower() != ".csv":
        _written(t, path, lambda: wide_sheets(wide_indicators(folders_indicators(f.path for f in folders)), t.lang))
        return
    from .files import atomic_write_bytes

    wide = _built(t, path, lambda: wide_indicators(folders_indicators(f.path for f in folders)))
    atomic_write_bytes(path, wide_csv(wide))
    console.print(t("cli.export.wrote_csv", path=escape(str(path)), indicators=len(wide), reports=len(folders)))


def _batch_folders(out: Path) -> list[Path]:
    """The report folders in ``out`` whose last run did not fail (they hold their indicators.csv)."""
    from .writers.manifest import read as read_manifest

    if not out.is_dir():
        return []
    return [folder for folder in sorted(out.iterdir()) if (folder / "indicators.csv").is_file()
            and (read_manifest(folder) or {}).get("status") != "error"]


@export_app.command("diff", cls=Command, help="help.export_diff")
def export_diff(
    first: Annotated[str, typer.Argument(
        metavar="A", help="help.first", show_default=False)],
    second: Annotated[str, typer.Argument(
        metavar="B", help="help.export_diff.second", show_default=False)],
    out: Annotated[Path, typer.Option("--out", "-o", help="help.out")] = Path("output"),
    to: Annotated[Path | None, typer.Option(help="help.export_diff.to",
                                            show_default=False)] = None,
    lang: SheetLang = None,
) -> None:
    from .diff import diff_reports, load_indicators
    from .diff.order import order_warnings
    from .writers.sheets import diff_sheets

    t = _words(lang)
    folders = _found(t, [first, second], out, ("indicators.csv",))
    for warning in order_warnings(folders[0].path, folders[1].path, t.lang):
        console.print(f"{t('cli.warning')} {escape(warning)}")
    path = to or out / "exports" / f"{folders[0].name}--{folders[1].name}.xlsx"

    def sheets() -> list:
        a, b = (load_indicators(f.path) for f in folders)
        return diff_sheets(diff_reports(a, b), a.report_id, b.report_id, t.lang)

    _written(t, path, sheets)


@app.command(cls=Command, help="help.serve")
def serve(
    out: Annotated[Path, typer.Option(
        "--out", "-o", help="help.serve.out")] = Path("output"),
    host: Annotated[str, typer.Option(
        help="help.serve.host")] = "127.0.0.1",
    port: Annotated[int, typer.Option(min=1, max=65535, help="help.serve.port")] = 8765,
    token: Annotated[str | None, typer.Option(
        help="help.serve.token", show_default=False)] = None,
    lang: LangOption = None,
) -> None:
    from .serve.app import PortBusy
    from .serve.app import serve as run_server

    t = _words(lang)
    if not out.is_dir():
        _error(t, t("cli.serve.no_folder", out=escape(str(out))))
        raise typer.Exit(2)
    try:
        run_server(out, host, port, token, lambda text: console.print(escape(text)), load_store=store_loader(out),
                   lang=t.lang)
    except PortBusy:
        _error(t, t("cli.serve.port_busy", port=port, host=escape(host), other=port + 1 if port < 65535 else 8765))
        raise typer.Exit(2) from None


STORE_WAIT_IN_APP = 10.0  # seconds a review in the app waits for a run that is loading the store


def store_loader(out: Path):
    """What the app calls after a review: the report folder loaded into the store (a copy renamed in, waiting
    for a run at most STORE_WAIT_IN_APP seconds; the lock is let go when the request ends)."""
    def load(folder: Path) -> None:
        from .runtime.store import load_reports

        load_reports(out / DEFAULT_BATCH.store_name, [folder], wait=STORE_WAIT_IN_APP)

    return load


def main() -> None:
    try:
        app()
    except KeyboardInterrupt:
        console.print(words(lang_from_env())("cli.interrupted"))
        sys.exit(130)


if __name__ == "__main__":
    main()
