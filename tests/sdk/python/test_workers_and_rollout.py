"""Workers and rollout status against the stack's real worker agent: list/get workers, GetAppStatus, and
watch_app_status / wait_for_rollout following real rollouts to CONVERGED."""
from __future__ import annotations

import time

import pytest

import nebula
from nebula.v1 import worker_pb2


def wait_for_worker(client: nebula.Client, worker_id: str, timeout: float = 90.0) -> worker_pb2.Worker:
    deadline = time.monotonic() + timeout
    while True:
        found = [w for w in client.iter_workers() if w.id == worker_id]
        if found and found[0].state == worker_pb2.Worker.ONLINE:
            return found[0]
        assert time.monotonic() < deadline, f"worker {worker_id} did not report within {timeout} s"
        time.sleep(0.5)


def test_list_and_get_workers(client: nebula.Client, stack) -> None:
    worker = wait_for_worker(client, stack.worker_id)
    assert "sdk-rollout" in worker.apps
    assert worker.last_seen.seconds > 0
    page = client.list_workers(page_size=1)
    assert len(page.workers) == 1
    got = client.get_worker(stack.worker_id)
    assert got.id == stack.worker_id and got.hostname == worker.hostname


def test_get_unknown_worker_raises_not_found(client: nebula.Client) -> None:
    with pytest.raises(nebula.NotFound):
        client.get_worker("no-such-worker")


def test_app_status_of_missing_app_raises_not_found(client: nebula.Client, name: str) -> None:
    with pytest.raises(nebula.NotFound):
        client.get_app_status(name)
    with pytest.raises(nebula.NotFound):
        list(client.watch_app_status(name))


def test_app_status_of_an_invalid_name_is_invalid(client: nebula.Client) -> None:
    with pytest.raises(nebula.InvalidArgument) as caught:
        client.get_app_status("Bad Name")
    assert "name" in {v.field for v in caught.value.field_violations}


def test_watch_follows_a_real_rollout_to_converged(client: nebula.Client, stack) -> None:
    app_name = "sdk-rollout"
    wait_for_worker(client, stack.worker_id)
    created = client.create_app(app_name, image=stack.sample_image, containers_per={"instance": 2},
                                ports=[f"{stack.free_port(1)}:80"], env={"GREETING": "one"})
    try:
        first = client.wait_for_rollout(app_name, generation=created.generation, timeout=120)
        assert first.rollout == worker_pb2.AppStatus.CONVERGED
        assert first.generation == created.generation
        assert first.hosts_desired == 1 and first.hosts_converged == 1

        # Roll out a change and follow it with the raw watch.
        updated = client.update_app(app_name, env={"GREETING": "two"})
        seen = list(client.watch_app_status(app_name, timeout=120))
        assert seen, "the watch sent nothing"
        assert all(isinstance(s, worker_pb2.AppStatus) for s in seen)
        assert seen[-1].generation == updated.generation
        assert seen[-1].rollout == worker_pb2.AppStatus.CONVERGED
        assert seen[-1].hosts_converged == 1 and seen[-1].hosts_failed == 0
        assert client.get_app_status(app_name).rollout == worker_pb2.AppStatus.CONVERGED

        report = [r for r in client.get_worker(stack.worker_id).app_reports if r.app == app_name]
        assert report and report[0].converged_generation >= updated.generation
    finally:
        client.delete_app(app_name)


def test_watch_of_an_app_without_hosts_ends_at_once(client: nebula.Client, stack, name: str) -> None:
    # No agent runs this app: no hosts, so its rollout is over as soon as it exists.
    created = client.create_app(name, image=stack.sample_image)
    statuses = list(client.watch_app_status(name, timeout=30))
    assert len(statuses) == 1
    assert statuses[0].rollout == worker_pb2.AppStatus.CONVERGED and statuses[0].hosts_desired == 0
    assert client.wait_for_rollout(name, generation=created.generation, timeout=30).generation == created.generation


def test_a_failing_rollout_raises_rollout_failed(client: nebula.Client, stack) -> None:
    app_name = "sdk-rollout-fail"
    wait_for_worker(client, stack.worker_id)
    registry = stack.sample_image.split("/", 1)[0]
    created = client.create_app(app_name, image=f"{registry}/nebula/no-such-image:1", containers_per={"instance": 1})
    try:
        with pytest.raises(nebula.RolloutFailed) as caught:
            client.wait_for_rollout(app_name, generation=created.generation, timeout=120)
        status = caught.value.status
        assert status.rollout == worker_pb2.AppStatus.FAILED and status.generation == created.generation
        assert status.hosts_failed == 1
        assert [h.worker_id for h in status.failing_hosts] == [stack.worker_id]
        assert status.failing_hosts[0].errors and stack.worker_id in str(caught.value)
    finally:
        client.delete_app(app_name)
