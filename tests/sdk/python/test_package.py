"""The package itself: stubs not stale, the asyncio client's surface equal to the blocking one, every RPC
covered by a method, and the plain-value spec builders."""
from __future__ import annotations

import inspect
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

import nebula
import nebula.aio
from nebula.v1 import api_manager_pb2, app_pb2, identity_pb2

REPO_DIR = Path(os.environ.get("NEBULA_REPO_DIR", Path(__file__).resolve().parents[3]))


def test_generated_stubs_match_the_protos() -> None:
    """Regenerates with the pinned grpcio-tools (tools/requirements-generate.txt) and compares."""
    result = subprocess.run([sys.executable, str(REPO_DIR / "sdk/python/tools/generate_stubs.py"), "--check"],
                            capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr


def _public_methods(cls: type) -> dict:
    return {n: m for n, m in vars(cls).items() if callable(m) and not n.startswith("_")}


def test_async_client_has_the_same_surface() -> None:
    sync, aio = _public_methods(nebula.Client), _public_methods(nebula.aio.Client)
    assert set(sync) == set(aio)
    for name, method in sync.items():
        assert inspect.signature(method).parameters.keys() == inspect.signature(aio[name]).parameters.keys(), name
        if name.startswith(("iter_", "watch_")):
            assert inspect.isasyncgenfunction(aio[name]), name
        elif name != "close":
            assert inspect.iscoroutinefunction(aio[name]), name


def _snake(rpc: str) -> str:
    return re.sub(r"(?<!^)(?=[A-Z])", "_", rpc).lower()


@pytest.mark.parametrize("service", [api_manager_pb2.DESCRIPTOR.services_by_name["ApiManager"],
                                     identity_pb2.DESCRIPTOR.services_by_name["Identity"]],
                         ids=lambda s: s.name)
def test_every_rpc_has_a_method(service) -> None:
    missing = [m.name for m in service.methods if not hasattr(nebula.Client, _snake(m.name))]
    assert missing == []


def test_package_ships_type_information() -> None:
    root = Path(nebula.__file__).parent
    assert (root / "py.typed").exists()
    assert (root / "v1" / "app_pb2.pyi").exists()
    assert inspect.signature(nebula.Client.get_app).return_annotation in ("app_pb2.App", app_pb2.App)


@pytest.mark.parametrize("text, expected", [
    ("8080:80", app_pb2.PortMapping(host_port=8080, container_port=80)),
    ("53:53/udp", app_pb2.PortMapping(host_port=53, container_port=53, protocol=app_pb2.PROTOCOL_UDP)),
    ("127.0.0.1:8080:80/tcp", app_pb2.PortMapping(host_port=8080, container_port=80, host_ip="127.0.0.1",
                                                  protocol=app_pb2.PROTOCOL_TCP)),
    (9000, app_pb2.PortMapping(host_port=9000, container_port=9000)),
    ({"host_port": 1, "container_port": 2, "protocol": "udp"},
     app_pb2.PortMapping(host_port=1, container_port=2, protocol=app_pb2.PROTOCOL_UDP)),
])
def test_port_forms(text, expected) -> None:
    assert nebula.specs.port_mapping(text) == expected


@pytest.mark.parametrize("bad", ["80:", "a:b", "1:2/sctp", "127.0.0.1:80"])
def test_bad_ports_are_rejected_before_any_call(bad) -> None:
    with pytest.raises(ValueError):
        nebula.specs.port_mapping(bad)


def test_spec_builder_forms() -> None:
    spec = nebula.app_spec("img", containers_per={"memory_mb": 256}, volumes=["/a:/b", {"source": "/c", "target": "/d"}],
                           devices=["/dev/snd", "/dev/x:/dev/y:rw"], resources={"cpus": 0.5}, pull_policy="never")
    assert spec.containers_per.memory_mb == 256
    assert [(v.source, v.target, v.read_only) for v in spec.volumes] == [("/a", "/b", False), ("/c", "/d", False)]
    assert [(d.host_path, d.container_path, d.permissions) for d in spec.devices] == [
        ("/dev/snd", "/dev/snd", ""), ("/dev/x", "/dev/y", "rw")]
    assert spec.resources.cpus == 0.5 and spec.pull_policy == app_pb2.PULL_POLICY_NEVER
    assert not spec.HasField("running")
    with pytest.raises(TypeError):
        nebula.app_spec("img", imagee="typo")
    with pytest.raises(ValueError):
        nebula.app_spec("img", containers_per={"cpu": 1, "instance": 2})
    with pytest.raises(ValueError):
        nebula.app_spec("img", restart_policy="sometimes")
    job = nebula.cron_job_spec("img", command=["true"], env={"A": "1"})
    assert list(job.command) == ["true"] and dict(job.env) == {"A": "1"}
