"""A change meant to keep the output keeps every byte: the reference and three renderings by other
producers, run through `vetreport run` as a user runs it, give the files whose digests
tests/fixtures/golden/outputs.json holds (see tests/golden.py for what a digest leaves out)."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys

import pytest
from conftest import REFERENCE
from golden import GOLDEN, RENDERINGS, output_digests


@pytest.fixture(scope="module")
def outputs(rendered, tmp_path_factory):
    inputs = tmp_path_factory.mktemp("golden-in")
    shutil.copy(REFERENCE, inputs / REFERENCE.name)
    for variant, producer in RENDERINGS:
        shutil.copy(rendered(variant, producer), inputs / f"{variant}-{producer}.pdf")
    out = tmp_path_factory.mktemp("golden-out")
    done = subprocess.run([sys.executable, "-m", "pipeline.cli", "run", str(inputs), "--out", str(out), "--workers", "2",
                           "--no-store", "--lang", "zh"], capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stdout + done.stderr
    return output_digests(out)


def test_every_output_file_is_byte_identical_to_the_golden_run(outputs):
    golden = json.loads(GOLDEN.read_text(encoding="utf-8"))
    assert sorted(outputs) == sorted(golden)
    for report, files in golden.items():
        assert sorted(outputs[report]) == sorted(files), f"{report}: other files written"
        changed = [name for name, digest in files.items() if outputs[report][name] != digest]
        assert not changed, f"{report}: these files differ from the golden run: {changed}"
