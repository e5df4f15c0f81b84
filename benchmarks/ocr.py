"""The OCR engines compared: cell accuracy and seconds per page of tesseract and rapidocr, measured in one run.

    python benchmarks/ocr.py [--pdf raw/pudong-zhongzhi-2024.pdf] [--repeat 1] [--quick] [--write-readme]

Inputs, each made here from the reference (its appendix's 246 cells, read off its text layer in the same
run, are the truth) or taken from the shared corpus:

- office scan: every page rendered at 150 dpi in grey, tilted 0.5°, JPEG quality 60 (tests/damage.py
  photocopy), the whole report (--quick: the appendix pages only);
- phone photo: the appendix pages at 200 dpi, perspective (corners moved by up to 1.5 % of the page),
  one side 25 % darker, blurred, JPEG quality 70;
- tables as pictures: the appendix pages as clean 200-dpi greyscale pictures (lossless);
- corpus scans: two scanned pages of ../shared/corpus/foreign (a table of numbers, a Chinese letter),
  read by each engine alone; values hand-keyed from their rendered pages (below).

Each reference-made input is read by `vetreport run --ocr-engine E` as a whole process (timed from start to
exit); its indicators.csv is compared with the text layer's, cell by cell (value and unit). The issue's
speed criterion is measured on the office scan: the whole run against the `tesseract` command alone
reading the same page images one after another (rendered beforehand at the scan's 150 dpi), both as
plain commands in the same round. Prints the figures; --write-readme puts them into README.md between
the OCR benchmark markers. Nothing here asserts.
"""

from __future__ import annotations

import argparse
import csv
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import zlib
from pathlib import Path

import numpy as np
from run import README, write_readme  # benchmarks/run.py: this script runs beside it

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))  # damage.py: the photocopy the tests use
sys.path.insert(0, str(ROOT))
REFERENCE = ROOT / "raw" / "pudong-zhongzhi-2024.pdf"
CORPUS = ROOT.parent / "shared" / "corpus" / "foreign"
MARK_START, MARK_END = "<!-- ocr-benchmark:start -->", "<!-- ocr-benchmark:end -->"
ENGINES = ("tesseract", "rapidocr")
SCAN_DPI = 150

# Scanned pages of the corpus (MANIFEST.csv: "image-only, no text layer"), with values typed by hand from
# their pages rendered at 200 dpi: (file, page, dpi, [values]).
CORPUS_PAGES = [
    # a bone-density report's results table (12 regions x area, BMC, BMD)
    ("camelot-dev__camelot/image.pdf", 1, 200, [
        "197.82", "159.60", "0.807", "211.89", "169.76", "0.801", "143.14", "98.66", "0.689",
        "134.29", "95.97", "0.715", "148.77", "130.68", "0.878", "47.04", "54.62", "1.161",
        "240.04", "307.24", "1.280", "376.74", "485.63", "1.289", "396.85", "494.30", "1.246",
        "1896.58", "1996.46", "1.053", "234.81", "458.87", "1.954", "2131.39", "2455.33", "1.152",
    ]),
    # a customs penalty decision (行政处罚决定书), Chinese text with numbers
    ("jsvine__pdfplumber/issue-203-decimalize.pdf", 1, 150, [
        "行政处罚决定书", "常关缉违字", "哈尔滨电气国际工程有限责任公司", "2301914001", "松北区创新一路1299号",
        "C23067150841", "无缝钢管", "主蒸汽管道配管", "2019年3月20日", "常州海关", "2.5%", "11435.7KG",
        "1931.53KG", "668730.23", "误认为复验是属于生产工艺流程",
    ]),
]


# ---------------------------------------------------------------- inputs


def appendix_pages(pdf: Path) -> list[int]:
    """The pages the text layer's appendix indicators are on (a run of the pipeline on the text PDF)."""
    return sorted({int(r["page"]) for r in text_layer_cells(pdf, raw=True)})


_truth: dict = {}


def text_layer_cells(pdf: Path, raw: bool = False):
    if pdf not in _truth:
        from pipeline.process import process_report

        with tempfile.TemporaryDirectory(prefix="vetreport-ocr-truth-") as tmp:
            process_report(pdf, Path(tmp))
            _truth[pdf] = read_csv(Path(tmp) / pdf.stem / "indicators.csv")
    return _truth[pdf] if raw else cells_by_key(_truth[pdf], pages=None)


def phone_photo(src: Path, dst: Path, pages: list[int], dpi: int = 200, seed: int = 7) -> Path:
    """The pages as a phone photographs them: perspective, one side darker, blur, JPEG (grey, one image a page)."""
    import cv2
    import pypdfium2 as pdfium
    from PIL import Image

    rng = np.random.default_rng(seed)
    pdf = pdfium.PdfDocument(str(src))
    images = []
    try:
        for number in pages:
            page = np.array(pdf[number - 1].render(scale=dpi / 72, grayscale=True).to_pil().convert("L"))
            height, width = page.shape
            corners = np.float32([[0, 0], [width, 0], [width, height], [0, height]])
            moved = (corners + rng.uniform(-0.015, 0.015, size=(4, 2)) * [width, height]).astype(np.float32)
            warped = cv2.warpPerspective(page, cv2.getPerspectiveTransform(corners, moved), (width, height),
                                         borderValue=235)
            shade = np.linspace(1.0, 0.75, width)[None, :]  # the right side 25 % darker
            shaded = np.clip(warped * shade, 0, 255).astype(np.uint8)
            images.append(Image.fromarray(cv2.GaussianBlur(shaded, (0, 0), 0.9)))
    finally:
        pdf.close()
    images[0].save(dst, "PDF", save_all=True, append_images=images[1:], resolution=dpi, quality=70)
    return dst


def pictures(src: Path, dst: Path, pages: list[int], dpi: int = 200) -> Path:
    """The pages as clean greyscale pictures (a table pasted as a picture, lossless)."""
    import pikepdf
    import pypdfium2 as pdfium

    pdf = pdfium.PdfDocument(str(src))
    out = pikepdf.new()
    try:
        for number in pages:
            width, height = pdf[number - 1].get_size()
            grey = np.array(pdf[number - 1].render(scale=dpi / 72, grayscale=True).to_pil().convert("L"))
            image = pikepdf.Stream(out, zlib.compress(grey.tobytes()))
            image.Type, image.Subtype = pikepdf.Name.XObject, pikepdf.Name.Image
            image.Width, image.Height = grey.shape[1], grey.shape[0]
            image.ColorSpace, image.BitsPerComponent = pikepdf.Name.DeviceGray, 8
            image.Filter = pikepdf.Name.FlateDecode
            page = out.add_blank_page(page_size=(width, height))
            page.Resources = pikepdf.Dictionary(XObject=pikepdf.Dictionary(Im0=image))
            page.Contents = out.make_stream(f"q {width} 0 0 {height} 0 0 cm /Im0 Do Q".encode())
    finally:
        pdf.close()
    out.save(dst)
    return dst


def page_images(scan: Path, folder: Path, dpi: int) -> list[Path]:
    """The scan's pages as PNG files at ``dpi`` (the images the tesseract command is given)."""
    import pypdfium2 as pdfium

    folder.mkdir(parents=True, exist_ok=True)
    pdf = pdfium.PdfDocument(str(scan))
    try:
        paths = []
        for index in range(len(pdf)):
            path = folder / f"page-{index + 1:03d}.png"
            pdf[index].render(scale=dpi / 72, grayscale=True).to_pil().convert("L").save(path)
            paths.append(path)
    finally:
        pdf.close()
    return paths


# ---------------------------------------------------------------- accuracy


def read_csv(path: Path) -> list[dict]:
    if not path.is_file():
        return []
    with path.open(encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


def cells_by_key(rows: list[dict], pages: list[int] | None) -> dict[tuple, tuple[str, str]]:
    """(table_no, row_seq, year) -> (value, unit), the value as printed in a canonical form ("" for none)."""
    out = {}
    for r in rows:
        out[(r["table_no"], r["row_seq"], r["year"])] = (_number(r.get("value", "")), r.get("unit", ""))
    return out


def _number(text: str) -> str:
    try:
        return repr(float(text))
    except ValueError:
        return ""


def cells_right(truth: dict, read: dict) -> int:
    """Cells whose value and unit are the text layer's (a cell without a number right when read without one)."""
    return sum(1 for key, cell in truth.items() if key in read and read[key] == cell)


def keyed_found(words: list, keyed: list[str]) -> int:
    """How many hand-keyed strings the engine's words hold (spaces removed; full-width forms as ASCII)."""
    text = "\n".join(w.text for w in words)
    squashed = "".join(text.split()).translate({0xFF05: "%", 0xFF0E: ".", 0x3002: "."})
    return sum(1 for value in keyed if value in squashed)


# ---------------------------------------------------------------- whole processes


def vetreport_command() -> list[str]:
    script = Path(sys.executable).with_name("vetreport")
    return [str(script)] if script.is_file() else [sys.executable, "-m", "pipeline.cli"]


def timed(command: list[str], env: dict | None = None) -> float:
    start = time.perf_counter()
    done = subprocess.run(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, cwd=ROOT,
                          env={**os.environ, **(env or {})})
    seconds = time.perf_counter() - start
    if done.returncode not in (0, 1):
        raise SystemExit(f"{' '.join(command)} ended with {done.returncode}: {done.stderr.decode()[-2000:]}")
    return seconds


def run_command(pdf: Path, out: Path, engine: str) -> list[str]:
    return [*vetreport_command(), "run", str(pdf), "--out", str(out), "--force", "--no-store", "--ocr-engine", engine]


def tesseract_loop(images: list[Path], one_thread: bool) -> list[str]:
    """One shell process running the tesseract command on each page image in turn (chi_sim, its default layout)."""
    names = " ".join(f"'{p}'" for p in images)
    prefix = "OMP_THREAD_LIMIT=1 " if one_thread else ""
    return ["sh", "-c", f"for f in {names}; do {prefix}tesseract \"$f\" stdout -l chi_sim >/dev/null 2>&1; done"]


def measure_input(name: str, pdf: Path, truth: dict, work: Path, repeat: int, baseline: list[Path] | None) -> dict:
    """Each engine's whole run of ``pdf`` (median of ``repeat`` rounds) and its cells right; with ``baseline``
    page images, the tesseract command alone on them in the same rounds."""
    commands = {engine: run_command(pdf, work / f"{name}-{engine}", engine) for engine in ENGINES}
    if baseline:
        commands["tesseract command"] = tesseract_loop(baseline, one_thread=False)
        commands["tesseract command, 1 thread"] = tesseract_loop(baseline, one_thread=True)
    seconds: dict[str, list[float]] = {key: [] for key in commands}
    for _ in range(repeat):
        for key, command in commands.items():
            seconds[key].append(timed(command))
    result = {"pages": _page_count(pdf), "seconds": {key: statistics.median(v) for key, v in seconds.items()},
              "runs": seconds, "cells": len(truth)}
    for engine in ENGINES:
        folder = work / f"{name}-{engine}" / pdf.stem
        read = cells_by_key(read_csv(folder / "indicators.csv"), None)
        pages = read_csv(folder / "pages.csv")
        result[engine] = {"right": cells_right(truth, read), "ocr_pages": sum(1 for p in pages if p["source"] == "ocr")}
    return result


def _page_count(pdf: Path) -> int:
    import pypdfium2 as pdfium

    document = pdfium.PdfDocument(str(pdf))
    try:
        return len(document)
    finally:
        document.close()


def measure_corpus() -> list[dict]:
    """Each engine alone on the corpus's scanned pages (in this process, models loaded beforehand)."""
    import pypdfium2 as pdfium

    from pipeline.config import OcrSettings
    from pipeline.pages.ocr.engines import read_words

    out = []
    for file, number, dpi, keyed in CORPUS_PAGES:
        path = CORPUS / file
        if not path.is_file():
            print(f"skipped: {path} is not here")
            continue
        document = pdfium.PdfDocument(str(path))
        image = np.array(document[number - 1].render(scale=dpi / 72, grayscale=True).to_pil().convert("L"))
        document.close()
        row = {"file": file, "page": number, "keyed": len(keyed)}
        for engine in ENGINES:
            settings = OcrSettings(engine=engine)
            read_words(image[:64, :64], settings, "chi_sim", 3, dpi, 60, number, file)  # load the models first
            start = time.perf_counter()
            words = read_words(image, settings, settings.language, settings.psm, dpi, 120, number, file)
            row[engine] = {"found": keyed_found(words, keyed), "seconds": time.perf_counter() - start}
        out.append(row)
    return out


# ---------------------------------------------------------------- the run


def run(pdf: Path, repeat: int, quick: bool) -> dict:
    import damage

    pages = appendix_pages(pdf)
    truth = text_layer_cells(pdf)
    load_before = os.getloadavg()[0]
    with tempfile.TemporaryDirectory(prefix="vetreport-ocr-bench-") as tmp:
        work = Path(tmp)
        office = damage.photocopy(pdf, work / f"{pdf.stem}-office.pdf", dpi=SCAN_DPI, angle=0.5, quality=60,
                                  pages=pages if quick else None)
        photo = phone_photo(pdf, work / f"{pdf.stem}-photo.pdf", pages)
        picture = pictures(pdf, work / f"{pdf.stem}-pictures.pdf", pages)
        baseline = page_images(office, work / "office-pages", SCAN_DPI)
        results = {
            "office scan, 150 dpi" + (" (appendix pages)" if quick else " (whole report)"):
                measure_input("office", office, truth, work, repeat, baseline),
            "phone photo, 200 dpi (appendix pages)": measure_input("photo", photo, truth, work, repeat, None),
            "tables as pictures, 200 dpi grey (appendix pages)": measure_input("pictures", picture, truth, work, repeat, None),
        }
    return {"inputs": results, "corpus": measure_corpus(), "load": (load_before, os.getloadavg()[0]),
            "cpus": os.cpu_count(), "repeat": repeat, "pdf": pdf.name, "tesseract": _tesseract_version()}


def _tesseract_version() -> str:
    if not shutil.which("tesseract"):
        return "not installed"
    done = subprocess.run(["tesseract", "--version"], capture_output=True, text=True)
    return (done.stdout or done.stderr).splitlines()[0]


def render(r: dict) -> str:
    lines = [f"Measured on copies of `{r['pdf']}` made in the run, {r['cpus']} CPUs, load average {r['load'][0]:.1f} "
             f"before and {r['load'][1]:.1f} after, {r['tesseract']}; whole processes, "
             f"{'the median of ' + str(r['repeat']) + ' rounds' if r['repeat'] > 1 else 'one round'}.",
             "",
             "| input | engine | cells right | of | seconds (whole run) | OCRed pages | seconds per page |",
             "|---|---|---:|---:|---:|---:|---:|"]
    for name, m in r["inputs"].items():
        for engine in ENGINES:
            seconds, pages = m["seconds"][engine], m[engine]["ocr_pages"]
            lines.append(f"| {name} | {engine} | {m[engine]['right']} | {m['cells']} | {seconds:.1f} | {pages} | "
                         f"{seconds / max(pages, 1):.2f} |")
    lines += ["", "| scanned corpus page | engine | hand-keyed values read | of | seconds |", "|---|---|---:|---:|---:|"]
    for row in r["corpus"]:
        for engine in ENGINES:
            lines.append(f"| {row['file']} p.{row['page']} | {engine} | {row[engine]['found']} | {row['keyed']} | "
                         f"{row[engine]['seconds']:.2f} |")
    office = next(m for name, m in r["inputs"].items() if name.startswith("office"))
    alone, one_thread = office["seconds"]["tesseract command"], office["seconds"]["tesseract command, 1 thread"]
    lines += ["", f"The speed criterion (office scan, {office['pages']} pages): the `tesseract` command alone on its "
                  f"page images one after another took {alone:.1f} s ({one_thread:.1f} s with OMP_THREAD_LIMIT=1)."]
    for engine in ENGINES:
        seconds = office["seconds"][engine]
        lines.append(f"- `vetreport run --ocr-engine {engine}`: {seconds:.1f} s, {seconds / alone:.2f}x the command alone "
                     f"({seconds / one_thread:.2f}x its one-thread run): {'within' if seconds <= alone else '**over**'}")
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--pdf", type=Path, default=REFERENCE, help="report to copy (default: the reference)")
    parser.add_argument("--repeat", type=int, default=1, help="rounds of the whole-process figures; the median is kept")
    parser.add_argument("--quick", action="store_true", help="the office scan of the appendix pages only")
    parser.add_argument("--write-readme", action="store_true", help="write the figures into README.md")
    parser.add_argument("--json", type=Path, help="also write the raw figures to this JSON file")
    args = parser.parse_args()
    figures = run(args.pdf, args.repeat, args.quick)
    block = render(figures)
    print(block)
    if args.json:
        import json

        args.json.write_text(json.dumps(figures, indent=1, ensure_ascii=False), encoding="utf-8")
    if args.write_readme:
        write_readme(block, (MARK_START, MARK_END))
        print(f"\nwritten into {README}")


if __name__ == "__main__":
    main()
