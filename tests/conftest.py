"""Shared fixtures: a real redis-server for the Redis-backed index, started and stopped here."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import time
import uuid

import pytest


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="session")
def redis_server(tmp_path_factory: pytest.TempPathFactory):
    """``redis://127.0.0.1:PORT`` of a private redis-server in a temporary folder.

    Skipped only when no ``redis-server`` binary exists outside CI; with
    ``CI=true`` a missing server is a failure (``.ci/run`` installs it).
    """
    exe = shutil.which("redis-server")
    if exe is None:
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail("redis-server is not installed but CI=true: .ci/run must install the Debian package redis-server")
        pytest.skip("redis-server is not installed (apt-get install redis-server); Redis tests need a real server")
    import redis

    folder = tmp_path_factory.mktemp("redis")
    port = _free_port()
    proc = subprocess.Popen(
        [exe, "--port", str(port), "--bind", "127.0.0.1", "--dir", str(folder), "--save", "",
         "--appendonly", "no", "--daemonize", "no", "--logfile", str(folder / "redis.log")],
        stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT,
    )
    client = redis.Redis(host="127.0.0.1", port=port)
    deadline = time.monotonic() + 15
    while True:
        try:
            client.ping()
            break
        except redis.exceptions.ConnectionError:
            if proc.poll() is not None or time.monotonic() > deadline:
                proc.kill()
                log = (folder / "redis.log").read_text(errors="replace") if (folder / "redis.log").exists() else ""
                pytest.fail(f"redis-server did not start on port {port}: {log[-500:]}")
            time.sleep(0.05)
    client.close()
    try:
        yield f"redis://127.0.0.1:{port}"
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


@pytest.fixture
def redis_url(redis_server: str) -> str:
    """A fresh, empty index location on the test server (its own key prefix)."""
    return f"{redis_server}/0?prefix=t{uuid.uuid4().hex[:12]}"
