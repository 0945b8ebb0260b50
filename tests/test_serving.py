"""The serving commands (`make run`, README's production command): a server restarted after kill -9
must answer within seconds, so the app is loaded once before the workers fork (recovery times: bench/soak.py)."""
import re
import shlex
import subprocess
import sys
from pathlib import Path

import pytest
from gunicorn.app.wsgiapp import WSGIApplication

ROOT = Path(__file__).resolve().parent.parent


def make_run_command() -> str:
    """The gunicorn command `make run` would run (make -n: printed, nothing run)."""
    printed = subprocess.run(["make", "-n", "run"], cwd=ROOT, capture_output=True, text=True, check=True).stdout
    # The recipe starts the job worker first, then gunicorn in the same shell line.
    command = re.search(r"APP_ENV=\S+ (\S*gunicorn .*?)(?<!\\)$", printed.replace("\\\n", " "), re.M)
    return command[1]


def readme_command() -> str:
    return re.search(r"^\.venv/bin/(gunicorn .*)$", (ROOT / "README.md").read_text(), re.M)[1]


def settings(command: str):
    """gunicorn's settings for that command line, as gunicorn itself reads them."""
    argv = shlex.split(command)
    old_argv, sys.argv = sys.argv, ["gunicorn", *argv[1:]]
    try:
        return WSGIApplication().cfg
    finally:
        sys.argv = old_argv


@pytest.mark.parametrize("command", [make_run_command, readme_command], ids=["make run", "README"])
def test_the_app_is_loaded_once_before_the_workers_fork(monkeypatch, command):
    monkeypatch.chdir(ROOT)
    cfg = settings(command())
    assert cfg.preload_app  # each worker importing the app itself: 6-23 s before a restarted server answers
    assert cfg.control_socket_disable
    assert cfg.post_fork.__module__ != "gunicorn.config"  # forked workers drop the master's database connections
