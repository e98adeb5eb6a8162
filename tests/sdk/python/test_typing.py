"""The installed package's type hints (py.typed, inline annotations, *_pb2.pyi) are usable: mypy checks the
package itself and catches a wrong use in caller code."""
from __future__ import annotations

import subprocess
import sys
from pathlib import Path

GOOD = """
import asyncio
import nebula, nebula.aio
from nebula.v1 import app_pb2, worker_pb2

def use(client: nebula.Client) -> int:
    app: app_pb2.App = client.create_app("web", image="nginx", containers_per={"instance": 2}, ports=["80:80"])
    names = [a.name for a in client.iter_apps()]
    status: worker_pb2.AppStatus = client.wait_for_rollout("web", generation=app.generation, timeout=5.0)
    try:
        client.get_app("x")
    except nebula.InvalidArgument as e:
        print([v.field for v in e.field_violations])
    return app.generation + len(names) + status.hosts_converged

async def use_async(client: nebula.aio.Client) -> str:
    app = await client.get_app("web")
    async for status in client.watch_app_status("web"):
        print(status.rollout)
    return app.spec.image
"""

BAD = """
import nebula

def use(client: nebula.Client) -> None:
    generation: str = client.get_app("web").generation
    client.create_app("web", imagee="nginx")
"""


def mypy(*args: str, cwd: Path) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "mypy", "--no-incremental", "--ignore-missing-imports", *args],
                          capture_output=True, text=True, cwd=cwd)


def test_package_type_checks(tmp_path: Path) -> None:
    result = mypy("-p", "nebula", cwd=tmp_path)
    assert result.returncode == 0, result.stdout + result.stderr


def test_callers_are_type_checked(tmp_path: Path) -> None:
    (tmp_path / "good.py").write_text(GOOD)
    (tmp_path / "bad.py").write_text(BAD)
    good = mypy("good.py", cwd=tmp_path)
    assert good.returncode == 0, good.stdout
    bad = mypy("bad.py", cwd=tmp_path)
    assert bad.returncode == 1
    assert 'bad.py:5: error: Incompatible types in assignment (expression has type "int"' in bad.stdout
    assert "bad.py:6: error: Unexpected keyword argument \"imagee\"" in bad.stdout
