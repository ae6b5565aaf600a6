"""What production installs and runs: the lock file, `make serve`, gunicorn's settings."""

import os
import re
import runpy
import subprocess
import tomllib
from pathlib import Path

from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

ROOT = Path(__file__).resolve().parent.parent
PYPROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
LOCK = (ROOT / "requirements.lock").read_text()


def pinned() -> dict[str, str]:
    return dict(re.findall(r"^([a-z0-9._-]+)==(\S+) \\$", LOCK, re.MULTILINE))


def test_the_lock_pins_every_runtime_dependency_within_its_range():
    versions = pinned()
    for line in PYPROJECT["dependencies"]:
        requirement = Requirement(line)
        version = versions[canonicalize_name(requirement.name)]
        assert requirement.specifier.contains(version), (line, version)  # run `make lock`


def test_the_lock_holds_no_test_tool_and_a_hash_for_every_package():
    versions = pinned()
    for line in PYPROJECT["optional-dependencies"]["dev"]:
        assert canonicalize_name(Requirement(line).name) not in versions, line
    blocks = re.split(r"\n(?=[a-z])", LOCK.strip())
    assert len(blocks) == len(versions) and all("--hash=sha256:" in block for block in blocks)


def test_make_serve_installs_from_the_lock_only_and_does_not_migrate():
    dry_run = subprocess.run(
        ["make", "-n", "-B", "serve"], cwd=ROOT, capture_output=True, text=True, check=True
    ).stdout
    assert "--require-hashes -r requirements.lock" in dry_run and "--no-deps -e ." in dry_run
    assert "[dev]" not in dry_run and "db upgrade" not in dry_run
    assert "gunicorn --config gunicorn.conf.py wsgi:app" in dry_run


def gunicorn_settings(**environment) -> dict:
    names = ("BIND", "WEB_CONCURRENCY", "FORWARDED_ALLOW_IPS", "WEB_TIMEOUT")
    saved = {name: os.environ.pop(name, None) for name in names}
    os.environ.update(environment)
    try:
        return runpy.run_path(str(ROOT / "gunicorn.conf.py"))
    finally:
        for name in names:
            os.environ.pop(name, None)
            if saved[name] is not None:
                os.environ[name] = saved[name]


def test_gunicorn_binds_loopback_with_a_worker_per_core_unless_told():
    settings = gunicorn_settings()
    assert settings["bind"] == "127.0.0.1:8000"
    assert settings["workers"] == len(os.sched_getaffinity(0))
    assert settings["forwarded_allow_ips"] == "127.0.0.1"
    told = gunicorn_settings(BIND="0.0.0.0:8000", WEB_CONCURRENCY="3")
    assert told["bind"] == "0.0.0.0:8000" and told["workers"] == 3


def test_the_access_log_has_the_path_without_the_query_and_the_request_id():
    settings = gunicorn_settings()
    assert settings["accesslog"] == "-"
    log_format = settings["access_log_format"]
    assert "%(U)s" in log_format and "%({x-request-id}o)s" in log_format
    assert not {"%(r)s", "%(q)s", "%(f)s"} & set(re.findall(r"%\([^)]*\)s", log_format))
