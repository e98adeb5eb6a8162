"""`pip install sdk/python` into a clean venv (Debian's python3, dependencies from PyPI), then the installed
package calls GetApp against the running stack."""
from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import nebula

REPO_DIR = Path(os.environ.get("NEBULA_REPO_DIR", Path(__file__).resolve().parents[3]))
SCRIPT = """
import sys, nebula, nebula.aio
from nebula.v1 import app_pb2
with nebula.Client() as client:  # NEBULA_ENDPOINT and NEBULA_TOKEN from the environment
    app = client.get_app(sys.argv[1])
    assert isinstance(app, app_pb2.App)
    try:
        client.get_app(sys.argv[1] + "-missing")
    except nebula.NotFound:
        pass
    print(app.name, app.generation, app.spec.image)
"""


def test_clean_venv_install_then_get_app(stack, client: nebula.Client, name: str, tmp_path: Path) -> None:
    created = client.create_app(name, image=stack.sample_image)
    venv = tmp_path / "venv"
    source = tmp_path / "python"
    shutil.copytree(REPO_DIR / "sdk" / "python", source, ignore=shutil.ignore_patterns("build", "*.egg-info"))
    python = os.environ.get("NEBULA_PYTHON", "/usr/bin/python3")
    subprocess.run([python, "-m", "venv", str(venv)], check=True)
    install = subprocess.run([str(venv / "bin" / "pip"), "install", "-q", str(source)], capture_output=True, text=True)
    assert install.returncode == 0, install.stdout + install.stderr
    check = subprocess.run([str(venv / "bin" / "pip"), "check"], capture_output=True, text=True)
    assert check.returncode == 0, check.stdout
    env = dict(os.environ, NEBULA_ENDPOINT=stack.endpoint, NEBULA_TOKEN=stack.token or "")
    env.pop("PYTHONPATH", None)
    result = subprocess.run([str(venv / "bin" / "python"), "-c", SCRIPT, name], capture_output=True, text=True,
                            env=env, cwd=tmp_path, timeout=60)
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == [name, str(created.generation), stack.sample_image]
    installed = subprocess.run([str(venv / "bin" / "python"), "-c", "import nebula, pathlib; "
                                "print(pathlib.Path(nebula.__file__).parent)"], capture_output=True, text=True,
                               cwd=tmp_path)
    package = Path(installed.stdout.strip())
    assert package.is_relative_to(venv) and (package / "py.typed").exists()
