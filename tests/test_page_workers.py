"""Pages read in worker processes: the same records, issues and files as a read in one process."""

import os

import pdfs
import pytest
from conftest import REFERENCE

import pipeline.pages
from pipeline.config import BatchSettings, PageSettings, Settings
from pipeline.forked import page_workers
from pipeline.limits import LimitExceeded
from pipeline.pages import extract_pages
from pipeline.process import process_report
from pipeline.runtime.batch import BatchItem, run_batch

# The page stage's one-page reader, which the workers must call: pages._read_page(raw, settings, doc) in
# this tree, pages.read_page(entry, settings) where opening and reading a page have modules of their own.
READER = "_read_page" if hasattr(pipeline.pages, "_read_page") else "read_page"


def page_number(item) -> int:
    return item.page_number if hasattr(item, "page_number") else item.number


def wrap_reader(monkeypatch, before_reading):
    """Replace the one-page reader by one that calls ``before_reading(page number)`` first."""
    read = getattr(pipeline.pages, READER)

    def wrapped(item, *args):
        before_reading(page_number(item))
        return read(item, *args)

    monkeypatch.setattr(pipeline.pages, READER, wrapped)


@pytest.fixture
def reader_pids(monkeypatch, tmp_path):
    """The ids of the processes that read each page (one line per page read, from any process)."""
    log = tmp_path / "readers.txt"

    def record(number):
        with log.open("a") as fh:
            fh.write(f"{os.getpid()}\n")

    wrap_reader(monkeypatch, record)
    return lambda: [int(line) for line in log.read_text().split()] if log.exists() else []


def test_reference_files_are_byte_identical_with_parallel_pages(reference_run, reader_pids, tmp_path):
    result = process_report(REFERENCE, tmp_path / "out", Settings(cores=2))
    readers = reader_pids()
    assert len(readers) == 55 and os.getpid() not in readers and len(set(readers)) == 2
    sequential = reference_run.out_dir
    names = sorted(p.name for p in sequential.glob("*.csv"))
    assert names == sorted(p.name for p in result.out_dir.glob("*.csv")) and "pages.csv" in names
    for name in names:
        assert (result.out_dir / name).read_bytes() == (sequential / name).read_bytes(), name
    assert result.issues == reference_run.issues


def test_a_damaged_file_gives_the_same_pages_and_issues_in_the_same_order(tmp_path, reader_pids):
    """A truncated download: read from a repaired copy, which each worker opens again."""
    damaged = pdfs.truncated_copy(REFERENCE, tmp_path / "cut.pdf", 0.7)
    alone = extract_pages(damaged, PageSettings())
    shared = extract_pages(damaged, PageSettings(), cores=3)
    assert os.getpid() in reader_pids() and len(set(reader_pids())) == 4  # 55 pages here, then 55 in 3 workers
    assert shared.pages == alone.pages
    assert shared.issues == alone.issues
    assert any("truncated" in i.message for i in alone.issues)
    pages = [i.page for i in alone.issues if i.page]
    assert pages == sorted(pages)


def test_a_limit_hit_in_a_worker_ends_the_stage_with_its_page(tmp_path, monkeypatch):
    pdf = pdfs.many_pages(tmp_path / "forty.pdf", 40)

    def over_the_limit_on_page_9(number):
        if number == 9:
            raise LimitExceeded("pages", "memory limit of 5 MB exceeded (9 MB resident)", str(pdf), 9)

    wrap_reader(monkeypatch, over_the_limit_on_page_9)
    with pytest.raises(LimitExceeded) as err:
        extract_pages(pdf, PageSettings(), cores=2)
    assert (err.value.stage, err.value.page, err.value.message) == ("pages", 9, "memory limit of 5 MB exceeded (9 MB resident)")
    assert err.value.path == str(pdf)


def test_a_bug_in_a_worker_is_raised_here_with_the_workers_traceback(tmp_path, monkeypatch):
    def broken(number):
        raise ValueError(f"cannot read page {number}")

    wrap_reader(monkeypatch, broken)
    pdf = pdfs.many_pages(tmp_path / "forty.pdf", 40)
    with pytest.raises(ValueError, match="cannot read page 1$") as err:
        extract_pages(pdf, PageSettings(), cores=2)
    assert "in broken" in str(err.value.__cause__)


def test_few_pages_are_read_here(tmp_path, reader_pids):
    pdf = pdfs.split_appendix_table(tmp_path / "two.pdf")
    extract_pages(pdf, PageSettings(), cores=2)
    assert reader_pids() == [os.getpid()] * 2


def test_a_lone_report_runs_without_a_pool_and_reads_its_pages_in_workers(tmp_path, monkeypatch, reader_pids):
    import pipeline.runtime.batch

    def no_pool(*args):
        raise AssertionError("a worker pool was started for one report")

    monkeypatch.setattr(pipeline.runtime.batch, "run_local", no_pool)
    monkeypatch.setattr(page_workers, "spare_cores", lambda: 2)  # as on a machine with two cores
    pdf = pdfs.many_pages(tmp_path / "tome.pdf", 24)
    [summary] = run_batch([BatchItem(pdf, "tome")], tmp_path / "out", Settings(), BatchSettings(store_name=None))
    assert summary.status == "partial" and summary.pages == 24  # no appendix tables: partial
    readers = reader_pids()
    assert len(readers) == 24 and len(set(readers)) == 2 and os.getpid() not in readers


def test_a_worker_that_dies_ends_the_stage_with_a_clear_error(tmp_path, monkeypatch):
    import signal

    from pipeline.errors import ReportError

    def killed_on_page_9(number):
        if number == 9:
            os.kill(os.getpid(), signal.SIGKILL)  # as the kernel's out-of-memory killer would

    wrap_reader(monkeypatch, killed_on_page_9)
    pdf = pdfs.many_pages(tmp_path / "forty.pdf", 40)
    with pytest.raises(ReportError) as err:
        extract_pages(pdf, PageSettings(), cores=2)
    assert err.value.stage == "pages" and err.value.page <= 9  # runs read at the same time end with it
    assert err.value.message == (f"a page worker died (out of memory, or a crash in a native library); pages "
                                 f"{err.value.page}-40 were not read")
