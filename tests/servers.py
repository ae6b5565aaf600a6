"""Real servers on loopback for the tests: moto's S3 server, portal instances, consumers.

Each is a child process with its output in a log file; a test waits for it to answer
(never for a fixed time), and a process that exits early fails the wait with its log.
"""

import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Callable
from pathlib import Path

import boto3

BIN = Path(sys.executable).parent
ROOT = Path(__file__).resolve().parent.parent
TEST_CREDENTIALS = {"AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing"}
READY_SECONDS = 120  # a loaded 2-core machine starts a Python server in seconds; this is a cap


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class ServerExited(RuntimeError):
    """The process ended before it answered."""


class Process:
    """A child process with its output in log; stopped by stop()."""

    def __init__(self, args: list[str], *, log: Path, env: dict | None = None, cwd=None):
        self.log = log
        with log.open("wb") as output:
            self.process = subprocess.Popen(
                args, stdout=output, stderr=subprocess.STDOUT, env=env, cwd=cwd
            )

    def output(self) -> str:
        return self.log.read_text(errors="replace")[-4000:]

    def wait_for(self, ready: Callable[[], bool], what: str) -> None:
        """Poll ready until it holds; fail with the log if the process exits or never does."""
        deadline = time.monotonic() + READY_SECONDS
        while not ready():
            if self.process.poll() is not None:
                raise ServerExited(f"{what} exited ({self.process.returncode}):\n{self.output()}")
            if time.monotonic() > deadline:
                raise TimeoutError(f"{what} did not get ready:\n{self.output()}")
            time.sleep(0.1)

    def kill(self) -> None:
        """SIGKILL: the process ends at once, with no chance to tidy up (a crash, an OOM)."""
        self.process.kill()
        self.process.wait(10)

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(20)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(10)


def until(condition: Callable, what: str, seconds: float = READY_SECONDS):
    """Poll condition until it returns something true, and return that; fail after seconds."""
    deadline = time.monotonic() + seconds
    while not (result := condition()):
        if time.monotonic() > deadline:
            raise TimeoutError(f"still waiting, after {seconds} s, for {what}")
        time.sleep(0.1)
    return result


def answers(url: str) -> bool:
    """Whether an HTTP server answers at url (any status)."""
    try:
        with urllib.request.urlopen(url, timeout=5):  # noqa: S310 (loopback)
            return True
    except urllib.error.HTTPError:
        return True
    except OSError:
        return False


class HttpServer(Process):
    """A process serving HTTP on a loopback port."""

    def __init__(self, args, *, port: int, log: Path, env=None, ready_path="/", cwd=None):
        super().__init__(args, log=log, env=env, cwd=cwd)
        self.url = f"http://127.0.0.1:{port}"
        self.wait_for(lambda: answers(self.url + ready_path), " ".join(args[:2]))


def portal_web(env: dict, log: Path) -> HttpServer:
    """The portal served by `flask run` on a free port, with the settings in env."""
    port = free_port()
    args = [str(BIN / "flask"), "--app", "wsgi", "run", "--host", "127.0.0.1"]
    args += ["--port", str(port), "--no-reload"]
    return HttpServer(args, port=port, log=log, env=env, ready_path="/healthz", cwd=ROOT)


def job_consumer(env: dict, log: Path) -> Process:
    """`huey_consumer portal.tasks.huey` as `make run` starts it, with one worker.

    One: a test that shortens NOTICE_CLAIM_SECONDS to seconds and holds an SMTP
    conversation longer would otherwise see a second worker's sweep take the row the
    first still sends (production's claim outlasts any conversation).
    """
    args = [str(BIN / "huey_consumer"), "portal.tasks.huey", "--workers", "1"]
    return Process(args, log=log, env=env, cwd=ROOT)


def moto_server(log_folder: Path) -> HttpServer:
    """moto's standalone S3-compatible server on a free port."""
    port = free_port()
    args = [str(BIN / "moto_server"), "-H", "127.0.0.1", "-p", str(port)]
    return HttpServer(
        args, port=port, log=log_folder / "moto.log", env=os.environ | TEST_CREDENTIALS
    )


def new_bucket(endpoint: str, name: str) -> None:
    """Create a bucket on the S3 server at endpoint."""
    client = boto3.client(
        "s3", endpoint_url=endpoint, region_name="us-east-1", **_lowercase(TEST_CREDENTIALS)
    )
    client.create_bucket(Bucket=name)


def bucket_keys(endpoint: str, name: str) -> list[str]:
    """The keys of every object in the bucket."""
    client = boto3.client(
        "s3", endpoint_url=endpoint, region_name="us-east-1", **_lowercase(TEST_CREDENTIALS)
    )
    listing = client.list_objects_v2(Bucket=name)
    return [item["Key"] for item in listing.get("Contents", [])]


def _lowercase(credentials: dict) -> dict:
    return {name.lower(): value for name, value in credentials.items()}
