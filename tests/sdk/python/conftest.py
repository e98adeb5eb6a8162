"""Fixtures of the Python SDK tests: one real dev stack (PostgreSQL, Kafka, api-manager with --auth required,
one worker agent, a dockerd of its own) per pytest session, started with `nebula-devstack up --detach` like
tests/support/stack_fixture.cpp does. Clients use the bootstrap admin token from stack.env."""
from __future__ import annotations

import itertools
import os
import shutil
import socket
import subprocess
import tempfile
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Dict, Iterator, Optional

import pytest

import nebula

REPO_DIR = Path(__file__).resolve().parents[3]
# The agent only runs apps it is told about; rollout tests use these names.
ROLLOUT_APPS = ("sdk-rollout", "sdk-rollout-aio", "sdk-rollout-fail")


@dataclass
class Stack:
    env: Dict[str, str]
    state_dir: Path
    port_base: int

    @property
    def endpoint(self) -> str:
        return self.env["NEBULA_ENDPOINT"]

    @property
    def token(self) -> Optional[str]:
        """The bootstrap admin token when the stack runs with --auth required."""
        return self.env.get("NEBULA_TOKEN") or None

    @property
    def sample_image(self) -> str:
        return self.env["NEBULA_SAMPLE_IMAGE"]

    @property
    def worker_id(self) -> str:
        return self.env["NEBULA_WORKER_ID"]

    def free_port(self, offset: int) -> int:
        """Ports base+20 .. base+39 are the tests' own (the stack uses base+1 .. base+6)."""
        assert 0 <= offset < 20
        return self.port_base + 20 + offset


def _port_free(port: int) -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        try:
            s.bind(("127.0.0.1", port))
            return True
        except OSError:
            return False


def _choose_port_base() -> int:
    if os.environ.get("NEBULA_TEST_PORT_BASE"):
        return int(os.environ["NEBULA_TEST_PORT_BASE"])
    for attempt in range(400):
        base = 21000 + ((os.getpid() + attempt) % 400) * 40
        if all(_port_free(p) for p in range(base, base + 40)):
            return base
    raise RuntimeError("no free block of 40 ports between 21000 and 37000")


def _parse_env(text: str) -> Dict[str, str]:
    pairs = (line.split("=", 1) for line in text.splitlines() if "=" in line and not line.startswith("#"))
    return {k: v for k, v in pairs}


def _tail(path: Path, lines: int = 60) -> str:
    try:
        return "\n".join(path.read_text(errors="replace").splitlines()[-lines:])
    except OSError:
        return f"(no {path})"


@pytest.fixture(scope="session")
def stack() -> Iterator[Stack]:
    devstack = Path(os.environ.get("NEBULA_BIN_DIR", REPO_DIR / "build" / "bin")) / "nebula-devstack"
    state_dir = Path(tempfile.mkdtemp(prefix="nebula-pysdk-stack-"))
    base = _choose_port_base()
    # --private-docker: the stack's agent follows the global prune generation, which prune_all() bumps, and
    # then removes every image no container uses; on the dockerd other tests share, that would delete
    # images they are about to run.
    up = [str(devstack), "up", "--state-dir", str(state_dir), "--port-base", str(base), "--agents", "1",
          "--apps", ",".join(ROLLOUT_APPS), "--auth", "required", "--private-docker", "--detach"]
    # The devstack must not inherit a developer's stack settings.
    env = {k: v for k, v in os.environ.items()
           if not k.startswith("NEBULA_") or k in ("NEBULA_KAFKA_LIBS", "NEBULA_POSTGRES_BIN")}
    result = subprocess.run(up, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, timeout=420)

    def down() -> None:
        subprocess.run([str(devstack), "down", "--state-dir", str(state_dir)], env=env, stdout=subprocess.DEVNULL,
                       stderr=subprocess.DEVNULL, timeout=240)
        if not os.environ.get("NEBULA_TEST_KEEP_STATE"):
            shutil.rmtree(state_dir, ignore_errors=True)

    if result.returncode != 0 or not (state_dir / "stack.env").exists():
        log = result.stdout[-4000:] + "\n" + _tail(state_dir / "logs" / "devstack.log")
        down()
        raise RuntimeError(f"nebula-devstack up failed ({result.returncode}):\n{log}")
    try:
        yield Stack(_parse_env((state_dir / "stack.env").read_text()), state_dir, base)
    finally:
        down()


@pytest.fixture(scope="session", autouse=True)
def no_client_environment() -> None:
    """Tests pass endpoints and credentials explicitly; a developer's NEBULA_* settings must not leak in."""
    for key in ("NEBULA_ENDPOINT", "NEBULA_TOKEN", "NEBULA_USER", "NEBULA_PASSWORD"):
        os.environ.pop(key, None)


@pytest.fixture
def client(stack: Stack) -> Iterator[nebula.Client]:
    with nebula.Client(stack.endpoint, token=stack.token, timeout=20.0) as c:
        yield c


_counter = itertools.count()


@pytest.fixture
def name() -> str:
    """A fresh, valid app/group/job name per test."""
    return f"py-{uuid.uuid4().hex[:8]}-{next(_counter)}"
