"""Requests a second that `vetreport serve` answers with 20 clients reading at once, per page.

    python benchmarks/serve.py [--pdf raw/pudong-zhongzhi-2024.pdf] [--clients 20] [--seconds 8]

`vetreport run` writes the reference report (and a second copy, for compare) into a temporary
folder; `vetreport serve` is started on it as its own process on a free loopback port, the way a
user starts it; then, page by page, ``--clients`` threads (each with its own keep-alive connection)
ask for the page as fast as it answers for ``--seconds`` after one second of warm-up. Every answer
must be 200. Target (issue 20): the report page >= 50 requests a second with 20 clients. Prints a
table; nothing here asserts: the numbers are for people to read.
"""

from __future__ import annotations

import argparse
import os
import platform
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from urllib.parse import quote

ROOT = Path(__file__).resolve().parents[1]
REFERENCE = ROOT / "raw" / "pudong-zhongzhi-2024.pdf"
TARGET = 50.0  # requests a second on the report page (issue 20)


def vetreport(*args: str) -> list[str]:
    return [sys.executable, "-m", "pipeline.cli", *args]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def prepare(pdf: Path, work: Path) -> Path:
    inputs, out = work / "in", work / "out"
    inputs.mkdir()
    for name in ("report-a", "report-b"):
        shutil.copy(pdf, inputs / f"{name}.pdf")
    subprocess.run(vetreport("run", str(inputs), "--out", str(out), "--workers", "2"), check=True, cwd=ROOT,
                   stdout=subprocess.DEVNULL)
    return out


def routes() -> dict[str, str]:
    return {
        "reports (/)": "/",
        "a report (/reports/ID)": "/reports/report-a",
        "API: reports": "/api/reports",
        "API: a report's findings": "/api/reports/report-a/findings",
        "indicators (one chart)": f"/indicators?kind={quote('计分卡')}&indicator={quote('月收入')}&parent=",
        "compare (/compare?a&b)": "/compare?a=report-a&b=report-b",
        "static (app.css)": "/static/app.css",
    }


def hammer(base: str, path: str, clients: int, seconds: float, warmup: float = 1.0) -> tuple[float, int]:
    """(requests a second, answers that were not 200) of ``clients`` threads asking for ``path``."""
    import httpx

    counts = [0] * clients
    bad = [0] * clients
    start = time.monotonic()
    measure_from, stop_at = start + warmup, start + warmup + seconds

    def client(k: int) -> None:
        with httpx.Client(base_url=base, timeout=60) as http:
            while True:
                now = time.monotonic()
                if now >= stop_at:
                    return
                status = http.get(path).status_code
                if time.monotonic() > measure_from:
                    counts[k] += 1
                    bad[k] += status != 200

    threads = [threading.Thread(target=client, args=(k,)) for k in range(clients)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return sum(counts) / seconds, sum(bad)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pdf", type=Path, default=REFERENCE)
    parser.add_argument("--clients", type=int, default=20)
    parser.add_argument("--seconds", type=float, default=8.0)
    args = parser.parse_args()
    import httpx

    with tempfile.TemporaryDirectory(prefix="vetreport-bench-serve-") as tmp:
        out = prepare(args.pdf, Path(tmp))
        port = free_port()
        server = subprocess.Popen(vetreport("serve", "--out", str(out), "--port", str(port)), cwd=ROOT,
                                  stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        base = f"http://127.0.0.1:{port}"
        try:
            deadline = time.monotonic() + 60
            while True:
                try:
                    httpx.get(f"{base}/static/app.css", timeout=5)
                    break
                except httpx.TransportError:
                    if time.monotonic() > deadline or server.poll() is not None:
                        raise SystemExit("vetreport serve did not start") from None
                    time.sleep(0.2)
            load = os.getloadavg()[0]
            print(f"`vetreport serve` on {args.pdf.name}, {args.clients} clients, {args.seconds:g} s a page, "
                  f"{os.cpu_count()} CPUs, Python {platform.python_version()}, load average {load:.2f} before")
            print()
            print("| page | requests/s | not 200 | target |")
            print("|---|---:|---:|---|")
            for label, path in routes().items():
                rate, bad = hammer(base, path, args.clients, args.seconds)
                target = f">= {TARGET:g}: {'yes' if rate >= TARGET else '**no**'}" if path.startswith("/reports/") else ""
                print(f"| {label} | {rate:.1f} | {bad} | {target} |", flush=True)
        finally:
            server.terminate()
            server.wait(timeout=30)


if __name__ == "__main__":
    main()
