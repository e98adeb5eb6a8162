"""What the clients put on the wire and how they react, checked against an in-process fake ApiManager:
credential metadata, environment defaults, retries of reads (never writes) on UNAVAILABLE, watch
reconnects, TLS, and decoding of google.rpc.BadRequest from the grpc-status-details-bin trailer."""
from __future__ import annotations

import asyncio
import subprocess
import time
from concurrent import futures
from pathlib import Path
from typing import Iterator, List

import grpc
import pytest
from google.rpc import code_pb2, error_details_pb2, status_pb2

import nebula
import nebula.aio
from nebula.v1 import api_manager_pb2_grpc, app_pb2, worker_pb2


class FakeApiManager(api_manager_pb2_grpc.ApiManagerServicer):
    def __init__(self) -> None:
        self.calls: List[str] = []
        self.authorization: List[str] = []
        self.unavailable_left = 0

    def _record(self, method: str, context: grpc.ServicerContext) -> None:
        self.calls.append(method)
        self.authorization.append(dict(context.invocation_metadata()).get("authorization", ""))
        if self.unavailable_left > 0:
            self.unavailable_left -= 1
            context.abort(grpc.StatusCode.UNAVAILABLE, "try again")

    def GetApp(self, request, context):
        self._record("GetApp", context)
        return app_pb2.App(name=request.name, generation=7)

    def CreateApp(self, request, context):
        self._record("CreateApp", context)
        if request.app.name == "bad":
            detail = error_details_pb2.BadRequest(field_violations=[
                error_details_pb2.BadRequest.FieldViolation(field="app.spec.image", description="is required")])
            status = status_pb2.Status(code=code_pb2.INVALID_ARGUMENT, message="invalid app")
            status.details.add().Pack(detail)
            context.set_trailing_metadata((("grpc-status-details-bin", status.SerializeToString()),))
            context.abort(grpc.StatusCode.INVALID_ARGUMENT, "invalid app")
        return request.app

    def GetAppStatus(self, request, context):  # slow: for deadlines
        self._record("GetAppStatus", context)
        time.sleep(2)
        return worker_pb2.AppStatus(app=request.name)

    def WatchAppStatus(self, request, context):
        self._record("WatchAppStatus", context)
        if request.name == "slow":
            yield worker_pb2.AppStatus(app=request.name, rollout=worker_pb2.AppStatus.PROGRESSING)
            time.sleep(2)
            return
        if self.calls.count("WatchAppStatus") == 1:
            yield worker_pb2.AppStatus(app=request.name, rollout=worker_pb2.AppStatus.PROGRESSING)
            context.abort(grpc.StatusCode.UNAVAILABLE, "server going away")
        yield worker_pb2.AppStatus(app=request.name, generation=2, rollout=worker_pb2.AppStatus.CONVERGED)


def _serve(fake: FakeApiManager, credentials: grpc.ServerCredentials = None) -> Iterator[str]:
    server = grpc.server(futures.ThreadPoolExecutor(max_workers=4))
    api_manager_pb2_grpc.add_ApiManagerServicer_to_server(fake, server)
    if credentials is None:
        port = server.add_insecure_port("127.0.0.1:0")
    else:
        port = server.add_secure_port("127.0.0.1:0", credentials)
    server.start()
    try:
        yield f"127.0.0.1:{port}"
    finally:
        server.stop(None)


@pytest.fixture
def fake() -> FakeApiManager:
    return FakeApiManager()


@pytest.fixture
def endpoint(fake: FakeApiManager) -> Iterator[str]:
    yield from _serve(fake)


@pytest.fixture(autouse=True)
def no_nebula_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    for key in ("NEBULA_ENDPOINT", "NEBULA_TOKEN", "NEBULA_USER", "NEBULA_PASSWORD"):
        monkeypatch.delenv(key, raising=False)


def test_bearer_token_is_sent(fake: FakeApiManager, endpoint: str) -> None:
    with nebula.Client(endpoint, token="abc.def") as client:
        assert client.get_app("web").generation == 7
    assert fake.authorization == ["Bearer abc.def"]


def test_basic_auth_is_sent(fake: FakeApiManager, endpoint: str) -> None:
    with nebula.Client(endpoint, username="alice", password="s3cret pw") as client:
        client.get_app("web")
    assert fake.authorization == ["Basic YWxpY2U6czNjcmV0IHB3"]  # base64("alice:s3cret pw")


def test_no_credentials_send_no_authorization(fake: FakeApiManager, endpoint: str) -> None:
    with nebula.Client(endpoint) as client:
        client.get_app("web")
    assert fake.authorization == [""]


def test_environment_defaults(fake: FakeApiManager, endpoint: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("NEBULA_ENDPOINT", endpoint)
    monkeypatch.setenv("NEBULA_TOKEN", "env.token")
    with nebula.Client() as client:
        assert client.endpoint == endpoint
        client.get_app("web")
    monkeypatch.delenv("NEBULA_TOKEN")
    monkeypatch.setenv("NEBULA_USER", "bob")
    monkeypatch.setenv("NEBULA_PASSWORD", "pw")
    with nebula.Client() as client:
        client.get_app("web")
    with nebula.Client(token="explicit") as client:  # an explicit credential wins over the environment
        client.get_app("web")
    assert fake.authorization == ["Bearer env.token", "Basic Ym9iOnB3", "Bearer explicit"]


def test_token_and_username_together_are_rejected() -> None:
    with pytest.raises(ValueError):
        nebula.Client("127.0.0.1:1", token="t", username="u")


def test_reads_are_retried_on_unavailable(fake: FakeApiManager, endpoint: str) -> None:
    fake.unavailable_left = 2
    with nebula.Client(endpoint, max_attempts=3) as client:
        assert client.get_app("web").name == "web"
    assert fake.calls == ["GetApp"] * 3


def test_reads_give_up_after_max_attempts(fake: FakeApiManager, endpoint: str) -> None:
    fake.unavailable_left = 5
    with nebula.Client(endpoint, max_attempts=2) as client:
        with pytest.raises(nebula.Unavailable) as caught:
            client.get_app("web")
    assert caught.value.details == "try again"
    assert fake.calls == ["GetApp"] * 2


def test_writes_are_not_retried(fake: FakeApiManager, endpoint: str) -> None:
    fake.unavailable_left = 1
    with nebula.Client(endpoint) as client:
        with pytest.raises(nebula.Unavailable):
            client.create_app("web", image="x")
    assert fake.calls == ["CreateApp"]


def test_bad_request_details_are_decoded(endpoint: str) -> None:
    with nebula.Client(endpoint) as client:
        with pytest.raises(nebula.InvalidArgument) as caught:
            client.create_app("bad", image="x")
    assert caught.value.field_violations == [nebula.FieldViolation("app.spec.image", "is required")]
    assert "app.spec.image: is required" in str(caught.value)


def test_watch_reconnects_after_unavailable(fake: FakeApiManager, endpoint: str) -> None:
    with nebula.Client(endpoint) as client:
        seen = [s.rollout for s in client.watch_app_status("web")]
    assert seen == [worker_pb2.AppStatus.PROGRESSING, worker_pb2.AppStatus.CONVERGED]
    assert fake.calls == ["WatchAppStatus", "WatchAppStatus"]


def test_async_client_retries_and_sends_credentials(fake: FakeApiManager, endpoint: str) -> None:
    async def run() -> List[int]:
        async with nebula.aio.Client(endpoint, token="t.s", max_attempts=3) as client:
            fake.unavailable_left = 1
            app = await client.get_app("web")
            statuses = [s.rollout async for s in client.watch_app_status("web")]
            with pytest.raises(nebula.InvalidArgument) as caught:
                await client.create_app("bad", image="x")
            assert caught.value.field_violations[0].field == "app.spec.image"
            return [app.generation] + statuses

    assert asyncio.run(run()) == [7, worker_pb2.AppStatus.PROGRESSING, worker_pb2.AppStatus.CONVERGED]
    assert fake.calls[:2] == ["GetApp", "GetApp"]
    assert set(fake.authorization) == {"Bearer t.s"}


def test_tls_with_root_certificates(fake: FakeApiManager, tmp_path: Path) -> None:
    key, cert = tmp_path / "key.pem", tmp_path / "cert.pem"
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1", "-subj", "/CN=localhost",
                    "-addext", "subjectAltName=IP:127.0.0.1,DNS:localhost", "-keyout", str(key), "-out", str(cert)],
                   check=True, capture_output=True)
    credentials = grpc.ssl_server_credentials([(key.read_bytes(), cert.read_bytes())])
    for endpoint in _serve(fake, credentials):
        with nebula.Client(endpoint, root_certificates=str(cert), token="x.y") as client:
            assert client.get_app("web").generation == 7
        with nebula.Client(endpoint, tls=True, root_certificates=cert.read_bytes(), timeout=3, max_attempts=1) as c:
            assert c.get_app("web").name == "web"
        # A plaintext client cannot talk to the TLS port.
        with nebula.Client(endpoint, timeout=3, max_attempts=1) as client:
            with pytest.raises(nebula.NebulaError):
                client.get_app("web")
    assert fake.authorization[0] == "Bearer x.y"


def test_deadlines_per_call_and_per_watch(fake: FakeApiManager, endpoint: str) -> None:
    with nebula.Client(endpoint, timeout=0.3) as client:
        started = time.monotonic()
        with pytest.raises(nebula.DeadlineExceeded):
            client.get_app_status("web")  # the client's default deadline
        with pytest.raises(nebula.DeadlineExceeded):
            client.get_app_status("web", timeout=0.2)
        assert client.get_app("web").name == "web"
        seen = []
        with pytest.raises(nebula.DeadlineExceeded):
            for status in client.watch_app_status("slow", timeout=0.3):
                seen.append(status.rollout)
        assert seen == [worker_pb2.AppStatus.PROGRESSING]
        with pytest.raises(nebula.DeadlineExceeded):
            client.wait_for_rollout("slow", timeout=0.3)
        assert time.monotonic() - started < 1.9
    with nebula.Client(endpoint, timeout=None) as client:  # no default deadline: waits for the slow reply
        assert client.get_app_status("web").app == "web"


def test_async_deadlines(fake: FakeApiManager, endpoint: str) -> None:
    async def run() -> None:
        async with nebula.aio.Client(endpoint, timeout=0.3) as client:
            with pytest.raises(nebula.DeadlineExceeded):
                await client.get_app_status("web")
            with pytest.raises(nebula.DeadlineExceeded):
                [s async for s in client.watch_app_status("slow", timeout=0.3)]
            with pytest.raises(nebula.DeadlineExceeded):
                await client.wait_for_rollout("slow", timeout=0.3)

    asyncio.run(run())
