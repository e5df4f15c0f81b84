"""Running `vetreport serve`'s app for the tests: uvicorn in a thread on a free loopback port."""

from __future__ import annotations

import shutil
import socket
import threading
import time
from contextlib import contextmanager
from pathlib import Path

TOKEN = "test-token-0123456789"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextmanager
def running_server(out: Path, token: str = TOKEN, require_token: bool = False):
    """The app over ``out`` at http://127.0.0.1:PORT, stopped when the block ends."""
    import uvicorn

    from pipeline.serve.app import create_app

    config = uvicorn.Config(create_app(out, token, require_token), host="127.0.0.1", port=free_port(),
                            log_level="warning", lifespan="off")
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not server.started:
        if time.monotonic() > deadline or not thread.is_alive():
            raise RuntimeError("the test server did not start")
        time.sleep(0.05)
    try:
        yield f"http://127.0.0.1:{config.port}"
    finally:
        server.should_exit = True
        thread.join(timeout=10)


def copy_output(serve_output, tmp_path: Path) -> Path:
    """A copy of the session's output folder that a test may change."""
    out = tmp_path / "out"
    shutil.copytree(serve_output.out, out)
    return out
