"""Private service processes for fault tests: they are stopped and killed on purpose, so they must
never be the shared ones other test runs and developers are using."""

import shutil
import socket
import subprocess
import time
from contextlib import suppress

import pytest


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _listening(port: int) -> bool:
    with suppress(OSError), socket.create_connection(("127.0.0.1", port), timeout=0.2):
        return True
    return False


class PrivateRedis:
    def __init__(self):
        self.exe = shutil.which("redis-server")
        self.port = free_port()
        self.proc = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}"

    def start(self):
        self.proc = subprocess.Popen(
            [self.exe, "--port", str(self.port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no",
             "--daemonize", "no"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        deadline = time.monotonic() + 10
        while not _listening(self.port):
            assert time.monotonic() < deadline, "private redis-server did not start"
            time.sleep(0.05)

    def stop(self):
        """Killed, not shut down: an outage does not announce itself."""
        if self.proc and self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait(10)
        deadline = time.monotonic() + 10
        while _listening(self.port):
            assert time.monotonic() < deadline, "private redis-server did not stop"
            time.sleep(0.05)


@pytest.fixture
def private_redis():
    redis = PrivateRedis()
    if not redis.exe:
        pytest.skip("redis-server is not installed")
    redis.start()
    try:
        yield redis
    finally:
        redis.stop()


def cache_settings(url: str) -> dict:
    return {"default": {"BACKEND": "kam.cache.FailSoftRedisCache", "LOCATION": url, "KEY_PREFIX": "faults",
                        "OPTIONS": {"socket_connect_timeout": 1, "socket_timeout": 1}}}
