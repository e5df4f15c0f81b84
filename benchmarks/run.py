"""Speed and memory of vetreport, measured in one run against baselines measured in the same run.

    python benchmarks/run.py [--pdf raw/pudong-zhongzhi-2024.pdf] [--repeat 5] [--copies 8] [--write-readme]

Whole processes, the way a user meets them (each a fresh interpreter, timed
from start to exit, rounds interleaved so that the machine's load falls on
all of them alike): `vetreport run ONE.pdf` with the cores this machine has
and on one core, against pdfplumber's plain text extraction of the same PDF;
`vetreport --help`, `vetreport diff --help` and `vetreport diff A B` against
`python -c "import pdfplumber"`. Then, in one interpreter each (imports
excluded), the pipeline's stages against pdfplumber's text and camelot
lattice, and batch throughput with 1 and 2 worker processes on --copies
copies. Targets (issues 1 and 13): `vetreport run` <= 1.5x pdfplumber's text
as whole processes (aim: 1.0x with parallel pages on two cores), `--help`
and `diff` <= 2x importing pdfplumber, the pipeline faster than camelot
lattice, 2 workers >= 1.8x the throughput of 1. Prints the figures and
ratios; --write-readme puts them into README.md between the benchmark
markers. Nothing here asserts: the numbers are for people to read.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
REFERENCE = ROOT / "raw" / "pudong-zhongzhi-2024.pdf"
README = ROOT / "README.md"
MARK_START, MARK_END = "<!-- benchmark:start -->", "<!-- benchmark:end -->"
PLAIN_TEXT = ("import sys, pdfplumber\n"
              "with pdfplumber.open(sys.argv[1]) as pdf:\n"
              "    print(sum(len(page.extract_text() or '') for page in pdf.pages))\n")


# ---------------------------------------------------------------- whole processes


def vetreport_command() -> list[str]:
    script = Path(sys.executable).with_name("vetreport")  # the console script a user runs
    return [str(script)] if script.is_file() else [sys.executable, "-m", "pipeline.cli"]


def whole_process_commands(pdf: Path, work: Path) -> dict[str, list[str]]:
    vetreport = vetreport_command()
    one_core = ["taskset", "-c", "0"] if shutil.which("taskset") and hasattr(os, "sched_getaffinity") else None
    commands = {
        "import-pdfplumber": [sys.executable, "-c", "import pdfplumber"],
        "pdfplumber-text": [sys.executable, "-c", PLAIN_TEXT, str(pdf)],
        "vetreport-run": [*vetreport, "run", str(pdf), "--out", str(work / "run"), "--force"],
        "vetreport-help": [*vetreport, "--help"],
        "vetreport-diff-help": [*vetreport, "diff", "--help"],
        "vetreport-diff": [*vetreport, "diff", "a", "b", "--out", str(work / "pair"), "--to", str(work / "diff")],
    }
    if one_core:
        commands["vetreport-run-1-core"] = [*one_core, *vetreport, "run", str(pdf), "--out", str(work / "run1"), "--force"]
    return commands


def timed(command: list[str]) -> dict:
    """Wall seconds from start to exit, CPU seconds of the process and its children, their peak RSS."""
    start = time.perf_counter()
    proc = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, cwd=ROOT,
                            env={**os.environ, "COLUMNS": "120"})
    _, status, usage = os.wait4(proc.pid, 0)
    seconds = time.perf_counter() - start
    stderr = proc.stderr.read().decode("utf-8", "replace")
    proc.stderr.close()
    code = os.waitstatus_to_exitcode(status)
    if code not in (0, 1):
        raise SystemExit(f"{' '.join(command)} ended with {code}: {stderr[-2000:]}")
    return {"seconds": seconds, "cpu_seconds": usage.ru_utime + usage.ru_stime, "peak_rss_mb": usage.ru_maxrss / 1024}


def prepare_diff_pair(pdf: Path, work: Path) -> None:
    """Two report folders for `vetreport diff a b`: the report, and a copy of it a year later."""
    import csv

    subprocess.run([*vetreport_command(), "run", str(pdf), "--out", str(work / "first"), "--no-store"],
                   check=True, capture_output=True, cwd=ROOT)
    with (work / "first" / pdf.stem / "indicators.csv").open(encoding="utf-8", newline="") as fh:
        rows = list(csv.DictReader(fh))
    for name, shift in (("a", 0), ("b", 1)):
        target = work / "pair" / name
        target.mkdir(parents=True)
        with (target / "indicators.csv").open("w", encoding="utf-8", newline="") as fh:
            writer = csv.DictWriter(fh, fieldnames=list(rows[0]))
            writer.writeheader()
            writer.writerows({**row, "year": str(int(row["year"]) + shift)} for row in rows)


def whole_processes(pdf: Path, repeat: int) -> dict:
    with tempfile.TemporaryDirectory(prefix="vetreport-bench-") as tmp:
        work = Path(tmp)
        prepare_diff_pair(pdf, work)
        commands = whole_process_commands(pdf, work)
        for command in commands.values():  # one untimed round: files in the page cache, output folders made
            timed(command)
        runs: dict[str, list[dict]] = {name: [] for name in commands}
        for _ in range(repeat):
            for name, command in commands.items():
                runs[name].append(timed(command))
    return {name: _median(results) for name, results in runs.items()}


def _median(results: list[dict]) -> dict:
    middle = sorted(results, key=lambda r: r["seconds"])[len(results) // 2]
    return {**middle, "runs": [round(r["seconds"], 2) for r in results],
            "median_seconds": statistics.median(r["seconds"] for r in results)}


# ---------------------------------------------------------------- in one interpreter (imports excluded)


def measure_pdfplumber_text(pdf: Path) -> dict:
    import pdfplumber

    start = time.perf_counter()
    with pdfplumber.open(pdf) as doc:
        chars = sum(len(page.extract_text() or "") for page in doc.pages)
    return {"seconds": time.perf_counter() - start, "chars": chars}


def measure_camelot_lattice(pdf: Path) -> dict:
    import logging
    import warnings

    import camelot

    logging.getLogger("camelot").setLevel(logging.ERROR)
    start = time.perf_counter()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        tables = camelot.read_pdf(str(pdf), pages="all", flavor="lattice")
    return {"seconds": time.perf_counter() - start, "tables": len(tables)}


def measure_pipeline(pdf: Path) -> dict:
    import pipeline.runtime.preload  # noqa: F401  (stage modules imported before the clock starts)
    from pipeline.config import Settings
    from pipeline.runtime.task import BatchItem, report_task

    with tempfile.TemporaryDirectory() as out:
        start = time.perf_counter()
        summary = report_task(BatchItem(pdf, pdf.stem), Path(out), Settings())
        seconds = time.perf_counter() - start
        manifest = json.loads((Path(out) / pdf.stem / "manifest.json").read_text(encoding="utf-8"))
    stages = {s["name"]: s["seconds"] for s in manifest["stages"]}
    stages["publish"] = round(seconds - sum(stages.values()), 3)  # Parquet, datapackage.json, summary
    return {"seconds": seconds, "status": summary.status, "indicators": summary.indicators, "stages": stages}


MEASURES = {"pdfplumber-text": measure_pdfplumber_text, "camelot-lattice": measure_camelot_lattice, "pipeline": measure_pipeline}


def measure_in_child(name: str, pdf: Path) -> dict:
    """Runs one measurement in a fresh interpreter; adds its peak RSS."""
    proc = subprocess.run([sys.executable, __file__, "--measure", name, "--pdf", str(pdf)],
                          capture_output=True, text=True, check=True, cwd=ROOT)
    return json.loads(proc.stdout.strip().splitlines()[-1])


def _child_main(name: str, pdf: Path) -> None:
    """The first run pays one-time set-up, as a batch worker does once; the second run is the
    per-report cost. Both are reported."""
    cold = MEASURES[name](pdf)
    result = MEASURES[name](pdf)
    result["cold_seconds"] = cold["seconds"]
    result["peak_rss_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # Linux: KiB
    print(json.dumps(result))


def median_of(name: str, pdf: Path, repeat: int) -> dict:
    runs = [measure_in_child(name, pdf) for _ in range(repeat)]
    best = sorted(runs, key=lambda r: r["seconds"])[len(runs) // 2]
    best["runs"] = [round(r["seconds"], 2) for r in runs]
    return best


# ---------------------------------------------------------------- batch throughput


def batch_seconds(pdf: Path, copies: int, workers: int) -> float:
    """Wall time of a batch (workers, then the store), as `vetreport run --workers N --force` does it."""
    from pipeline.config import BatchSettings, Settings
    from pipeline.runtime.batch import discover, run_batch
    from pipeline.runtime.store import load_reports

    with tempfile.TemporaryDirectory() as tmp:
        inputs = Path(tmp) / "in"
        inputs.mkdir()
        for n in range(copies):
            os.link(pdf, inputs / f"copy-{n:02d}.pdf") if _same_device(pdf, inputs) else shutil.copy(pdf, inputs / f"copy-{n:02d}.pdf")
        items, _ = discover([inputs])
        out = Path(tmp) / "out"
        start = time.perf_counter()
        summaries = run_batch(items, out, Settings(), BatchSettings(workers=workers, force=True))
        load_reports(out / "vetreport.duckdb", [out / s.report_id for s in summaries])
        seconds = time.perf_counter() - start
        bad = [s.report_id for s in summaries if s.status == "error"]
        if bad:
            raise SystemExit(f"batch failed for {bad}")
    return seconds


def _busy_loop(n: int) -> float:
    start = time.perf_counter()
    total = 0
    for i in range(n):
        total += i
    return time.perf_counter() - start


def machine_scaling(loops: int = 40_000_000) -> float:
    """How much work 2 processes get done, against 1, on this machine now (pure-Python CPU loops).

    2.0 on two free cores; less when the cores are shared (other processes, a busy host). The
    batch ratio, and what parallel pages gain, can be no better than this.
    """
    import multiprocessing

    context = multiprocessing.get_context("spawn")
    with context.Pool(2) as pool:
        pool.map(_busy_loop, [1000, 1000])  # workers started before the clock
        start = time.perf_counter()
        pool.map(_busy_loop, [loops], chunksize=1)
        one = time.perf_counter() - start
        start = time.perf_counter()
        pool.map(_busy_loop, [loops, loops], chunksize=1)
        two = time.perf_counter() - start
    return 2 * one / two


def _same_device(a: Path, folder: Path) -> bool:
    return a.stat().st_dev == folder.stat().st_dev


# ---------------------------------------------------------------- report


def compile_bytecode() -> None:
    """Compile the package's bytecode, as pip does for an installed package (and `make setup` here): an
    editable install where PYTHONDONTWRITEBYTECODE is set would otherwise compile every module on every run,
    while pdfplumber, the baseline, runs from its compiled bytecode."""
    subprocess.run([sys.executable, "-m", "compileall", "-q", "pipeline", "schemas"], cwd=ROOT, check=True)


def run(pdf: Path, copies: int, repeat: int, only_processes: bool = False) -> dict:
    compile_bytecode()
    load_before = os.getloadavg()[0]
    scaling_before = machine_scaling()
    processes = whole_processes(pdf, repeat)
    if only_processes:
        return {"processes": processes, "load_average_before": round(load_before, 2),
                "load_average_after": round(os.getloadavg()[0], 2), "machine_2_vs_1_processes": scaling_before}
    text = median_of("pdfplumber-text", pdf, 3)
    camelot = median_of("camelot-lattice", pdf, 3)
    pipe = median_of("pipeline", pdf, 3)
    one = batch_seconds(pdf, copies, workers=1)
    two = batch_seconds(pdf, copies, workers=2)
    scaling_after = machine_scaling()
    seconds = {name: p["seconds"] for name, p in processes.items()}
    ratios = {
        "run_vs_pdfplumber_text": seconds["vetreport-run"] / seconds["pdfplumber-text"],
        "help_vs_import_pdfplumber": seconds["vetreport-help"] / seconds["import-pdfplumber"],
        "diff_help_vs_import_pdfplumber": seconds["vetreport-diff-help"] / seconds["import-pdfplumber"],
        "diff_vs_import_pdfplumber": seconds["vetreport-diff"] / seconds["import-pdfplumber"],
        "pipeline_vs_pdfplumber_text": pipe["seconds"] / text["seconds"],
        "pipeline_vs_camelot_lattice": pipe["seconds"] / camelot["seconds"],
        "throughput_2_vs_1_workers": one / two,
        "machine_2_vs_1_processes": (scaling_before + scaling_after) / 2,
    }
    if "vetreport-run-1-core" in seconds:
        ratios["run_1_core_vs_pdfplumber_text"] = seconds["vetreport-run-1-core"] / seconds["pdfplumber-text"]
    return {
        "pdf": pdf.name, "pages": _pages(pdf), "cpus": os.cpu_count(), "python": platform.python_version(),
        "load_average_before": round(load_before, 2), "load_average_after": round(os.getloadavg()[0], 2),
        "repeat": repeat, "processes": processes,
        "pdfplumber_text": text, "camelot_lattice": camelot, "pipeline": pipe,
        "batch": {"copies": copies, "seconds_1_worker": one, "seconds_2_workers": two,
                  "reports_per_minute_1": 60 * copies / one, "reports_per_minute_2": 60 * copies / two},
        "ratios": ratios,
    }


def _pages(pdf: Path) -> int:
    import pypdfium2

    doc = pypdfium2.PdfDocument(str(pdf))
    try:
        return len(doc)
    finally:
        doc.close()


def render(r: dict) -> str:
    p, text, camelot, pipe, batch, ratios = (r["processes"], r["pdfplumber_text"], r["camelot_lattice"], r["pipeline"],
                                             r["batch"], r["ratios"])

    def row(label: str, name: str, ratio: str = "", target: str = "") -> str:
        m = p[name]
        return f"| {label} | {m['seconds']:.2f} | {m['cpu_seconds']:.2f} | {m['peak_rss_mb']:.0f} | {ratio} | {target} |"

    run_ratio = ratios["run_vs_pdfplumber_text"]
    lines = [
        f"Measured on `{r['pdf']}` ({r['pages']} pages), {r['cpus']} CPUs, Python {r['python']}, "
        f"load average {r['load_average_before']} before and {r['load_average_after']} after. "
        f"Whole processes: the median of {r['repeat']} rounds, the commands of a round run one after the other.",
        "",
        "| whole process | seconds | CPU seconds | peak RSS (MB) | ratio | target |",
        "|---|---:|---:|---:|---:|---|",
        row("`vetreport run ONE.pdf`", "vetreport-run", f"{run_ratio:.2f}x (a)",
            f"within 1.5x: {_yes(run_ratio <= 1.5)}; 1.0x: {_yes(run_ratio <= 1.0)}"),
    ]
    if "vetreport-run-1-core" in p:
        lines.append(row("`vetreport run ONE.pdf` on one core (`taskset -c 0`)", "vetreport-run-1-core",
                         f"{ratios['run_1_core_vs_pdfplumber_text']:.2f}x (a)"))
    lines += [
        row("(a) pdfplumber plain text, all pages", "pdfplumber-text", "1"),
        row("`vetreport --help`", "vetreport-help", f"{ratios['help_vs_import_pdfplumber']:.2f}x (b)",
            f"within 2x: {_yes(ratios['help_vs_import_pdfplumber'] <= 2)}"),
        row("`vetreport diff --help`", "vetreport-diff-help", f"{ratios['diff_help_vs_import_pdfplumber']:.2f}x (b)",
            f"within 2x: {_yes(ratios['diff_help_vs_import_pdfplumber'] <= 2)}"),
        row("`vetreport diff A B` (246 indicators each)", "vetreport-diff", f"{ratios['diff_vs_import_pdfplumber']:.2f}x (b)",
            f"within 2x: {_yes(ratios['diff_vs_import_pdfplumber'] <= 2)}"),
        row("(b) `python -c \"import pdfplumber\"`", "import-pdfplumber", "1"),
        "",
        "In one interpreter (imports excluded; the second run in it, the first beside it), and batches:",
        "",
        "| measurement | seconds | first run | peak RSS (MB) | ratio | target |",
        "|---|---:|---:|---:|---:|---|",
        f"| vetreport pipeline, end to end | {pipe['seconds']:.2f} | {pipe['cold_seconds']:.2f} | {pipe['peak_rss_mb']:.0f} | 1 | |",
        f"| (c) pdfplumber plain text, all pages | {text['seconds']:.2f} | {text['cold_seconds']:.2f} | {text['peak_rss_mb']:.0f} | "
        f"pipeline {ratios['pipeline_vs_pdfplumber_text']:.2f}x | within 2x: {_yes(ratios['pipeline_vs_pdfplumber_text'] <= 2)} |",
        f"| (d) camelot lattice (default engine), all pages | {camelot['seconds']:.2f} | {camelot['cold_seconds']:.2f} | "
        f"{camelot['peak_rss_mb']:.0f} | pipeline {ratios['pipeline_vs_camelot_lattice']:.2f}x | "
        f"faster: {_yes(ratios['pipeline_vs_camelot_lattice'] < 1)} |",
        f"| batch of {batch['copies']}, 1 worker | {batch['seconds_1_worker']:.2f} | | | "
        f"{batch['reports_per_minute_1']:.1f} reports/min | |",
        f"| batch of {batch['copies']}, 2 workers | {batch['seconds_2_workers']:.2f} | | | "
        f"{batch['reports_per_minute_2']:.1f} reports/min, {ratios['throughput_2_vs_1_workers']:.2f}x | "
        f">= 1.8x: {_yes(ratios['throughput_2_vs_1_workers'] >= 1.8)} |",
        f"| this machine: 2 vs 1 processes of pure-Python CPU work | | | | {ratios['machine_2_vs_1_processes']:.2f}x | "
        f"the ceiling for the line above and for parallel pages |",
        "",
        "Time per stage of the in-process pipeline run (seconds): "
        + ", ".join(f"{name} {seconds:.2f}" for name, seconds in pipe["stages"].items()) + ".",
    ]
    return "\n".join(lines)


def _yes(ok: bool) -> str:
    return "yes" if ok else "**no**"


def write_readme(block: str, marks: tuple[str, str] = (MARK_START, MARK_END)) -> None:
    """``block`` written into README.md between the two ``marks`` (the benchmark's own figures)."""
    text = README.read_text(encoding="utf-8")
    start, end = text.index(marks[0]) + len(marks[0]), text.index(marks[1])
    README.write_text(text[:start] + "\n" + block + "\n" + text[end:], encoding="utf-8")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--pdf", type=Path, default=REFERENCE, help="report to measure (default: the reference)")
    parser.add_argument("--copies", type=int, default=8, help="batch size for the throughput figures (default 8)")
    parser.add_argument("--repeat", type=int, default=5, help="rounds of the whole-process figures; the median is kept")
    parser.add_argument("--write-readme", action="store_true", help="write the figures into README.md")
    parser.add_argument("--json", type=Path, help="also write the raw figures to this JSON file")
    parser.add_argument("--from-json", type=Path, help="measure nothing: show (and --write-readme) figures saved by --json")
    parser.add_argument("--processes-only", action="store_true", help="only the whole-process figures, as JSON")
    parser.add_argument("--measure", choices=sorted(MEASURES), help=argparse.SUPPRESS)  # child mode
    args = parser.parse_args()
    if args.measure:
        _child_main(args.measure, args.pdf.resolve())
        return
    if args.processes_only:
        print(json.dumps(run(args.pdf.resolve(), args.copies, args.repeat, only_processes=True), indent=2))
        return
    if args.from_json:
        result = json.loads(args.from_json.read_text(encoding="utf-8"))
    else:
        result = run(args.pdf.resolve(), args.copies, args.repeat)
    block = render(result)
    print(block)
    if args.json and not args.from_json:
        args.json.write_text(json.dumps(result, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    if args.write_readme:
        write_readme(block)
        print(f"\nwritten into {README}")


if __name__ == "__main__":
    main()
