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


class NoServerErrors:
    """ASGI wrapper that notes every answer of 500 or more other than 503 (a damaged store or folder, on purpose)."""

    def __init__(self, app):
        self.app, self.errors = app, []

    async def __call__(self, scope, receive, send):
        async def noting(message):
            if message["type"] == "http.response.start" and message["status"] >= 500 and message["status"] != 503:
                self.errors.append((message["status"], scope.get("method"), scope.get("path")))
            await send(message)

        await self.app(scope, receive, noting)


@contextmanager
def running_server(out: Path, token: str = TOKEN, require_token: bool = False, lang: str = "zh"):
    """The app over ``out`` at http://127.0.0.1:PORT, stopped when the block ends; a 500 it answered in the block
    fails the test. ``lang``: the pages' language when the browser names none (`vetreport serve --lang`)."""
    import uvicorn

    from pipeline.cli import store_loader
    from pipeline.serve.app import create_app

    app = NoServerErrors(create_app(out, token, require_token, store_loader(out), lang))
    config = uvicorn.Config(app, host="127.0.0.1", port=free_port(), log_level="warning", lifespan="off")
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
    assert not app.errors, f"the app answered with a server error: {app.errors[:5]}"


def copy_output(serve_output, tmp_path: Path) -> Path:
    """A copy of the session's output folder that a test may change."""
    out = tmp_path / "out"
    shutil.copytree(serve_output.out, out)
    return out
