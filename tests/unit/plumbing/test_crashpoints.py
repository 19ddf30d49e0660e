"""Crash points: a real SIGKILL at the named point's N-th hit, nothing at all otherwise."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from plumbing.crashpoints import VARIABLE

# Five hits of point "a" and one of "b", each announced on stdout before it is reached.
_PROGRAM = """
import os, sys
from plumbing.crashpoints import crashpoint
if len(sys.argv) > 1:  # armed after the import: the variable is read on the first call, not before
    os.environ["ATENDE_CRASHPOINT"] = sys.argv[1]
for n in range(1, 6):
    print(f"a{n}", flush=True)
    crashpoint("a")
print("b1", flush=True)
crashpoint("b")
print("done", flush=True)
"""


def run(armed: str | None) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k != VARIABLE}
    command = [sys.executable, "-c", _PROGRAM, *([armed] if armed is not None else [])]
    return subprocess.run(command, env=env, capture_output=True, text=True, timeout=60, check=False)


@pytest.mark.parametrize(
    ("armed", "last_line", "stderr"),
    [
        ("a", "a1", "crashpoint a@1: SIGKILL\n"),
        ("a@3", "a3", "crashpoint a@3: SIGKILL\n"),
        ("b", "b1", "crashpoint b@1: SIGKILL\n"),
    ],
)
def test_the_named_point_kills_the_process_at_its_nth_hit(armed: str, last_line: str, stderr: str) -> None:
    finished = run(armed)
    assert finished.returncode == -9
    assert finished.stdout.split()[-1] == last_line
    assert finished.stderr.endswith(stderr)


@pytest.mark.parametrize("armed", [None, "", "c", "a@6"])
def test_an_unarmed_or_unreached_point_does_nothing(armed: str | None) -> None:
    finished = run(armed)
    assert finished.returncode == 0, finished.stderr
    assert finished.stdout.split()[-1] == "done"
