"""Digests of every file `vetreport run` writes for a report, so a change meant to keep the output (a
restructuring) can show it kept every byte.

A digest is of the file as written, except what differs from run to run or from folder to folder by
design: the input's absolute path and sha256 (a rendering printed again carries a new creation date),
and the manifest's timings and peak memory. Everything else — every CSV, Parquet file, audit image,
audit.html/md, datapackage.json and the rest of manifest.json — must be byte for byte the same.

`python tests/golden.py OUT_DIR` prints the digests of the report folders under OUT_DIR as the
fixture file holds them (tests/fixtures/golden/outputs.json). Write them again only when a change
is meant to change the output, and say so in its commit.
"""

from __future__ import annotations

import hashlib
import json
import sys
from pathlib import Path

GOLDEN = Path(__file__).parent / "fixtures" / "golden" / "outputs.json"
# the renderings held to their digests beside the reference (tests/renders.py), one per producer family
RENDERINGS = (("three_line", "weasyprint"), ("district", "chromium"), ("landscape", "chromium"))
VOLATILE_MANIFEST_KEYS = ("seconds", "elapsed_seconds", "peak_resident_mb")
SKIPPED = ("vetreport.duckdb",)


def _without_volatile(node):
    if isinstance(node, dict):
        return {k: _without_volatile(v) for k, v in node.items() if k not in VOLATILE_MANIFEST_KEYS}
    if isinstance(node, list):
        return [_without_volatile(v) for v in node]
    return node


def normalised(path: Path, manifest: dict) -> bytes:
    data = path.read_bytes()
    if path.name == "manifest.json":
        data = json.dumps(_without_volatile(json.loads(data)), ensure_ascii=False, sort_keys=True).encode()
    if path.suffix in (".json", ".md", ".html", ".csv"):
        for volatile, token in ((manifest.get("input"), "<input>"), (manifest.get("sha256"), "<sha256>")):
            if volatile:
                data = data.replace(str(volatile).encode(), token.encode())
    return data


def folder_digests(folder: Path) -> dict[str, str]:
    manifest = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
    return {
        path.relative_to(folder).as_posix(): hashlib.sha256(normalised(path, manifest)).hexdigest()
        for path in sorted(folder.rglob("*"))
        if path.is_file() and path.name not in SKIPPED
    }


def output_digests(out_dir: Path) -> dict[str, dict[str, str]]:
    return {folder.name: folder_digests(folder) for folder in sorted(out_dir.iterdir()) if (folder / "manifest.json").is_file()}


if __name__ == "__main__":
    print(json.dumps(output_digests(Path(sys.argv[1])), indent=1, sort_keys=True))
