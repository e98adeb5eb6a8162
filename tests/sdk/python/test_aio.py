"""The asyncio client against the real stack: the same calls, errors and iterators as the blocking one."""
from __future__ import annotations

import asyncio
import time

import pytest

import nebula
import nebula.aio
from nebula.v1 import app_pb2, worker_pb2


def run(coroutine):
    return asyncio.run(coroutine)


def test_async_app_lifecycle(stack, name: str) -> None:
    async def scenario() -> None:
        async with nebula.aio.Client(stack.endpoint, token=stack.token, timeout=20.0) as client:
            created = await client.create_app(name, image=stack.sample_image, containers_per={"instance": 1})
            assert isinstance(created, app_pb2.App) and created.name == name
            assert (await client.get_app(name)).generation == created.generation
            updated = await client.update_app(name, env={"K": "v"}, expected_generation=created.generation)
            assert dict(updated.spec.env) == {"K": "v"}
            with pytest.raises(nebula.Aborted):
                await client.update_app(name, env={"K": "w"}, expected_generation=created.generation)
            names = [a.name async for a in client.iter_apps(page_size=1)]
            assert name in names and names == sorted(names)
            page = await client.list_apps(page_size=1)
            assert len(page.apps) == 1
            deleted = await client.delete_app(name)
            assert deleted.generation == updated.generation + 1
            with pytest.raises(nebula.NotFound):
                await client.get_app(name)

    run(scenario())


def test_async_errors(stack, name: str) -> None:
    async def scenario() -> None:
        async with nebula.aio.Client(stack.endpoint, token=stack.token) as client:
            assert await client.check_health()
            with pytest.raises(nebula.InvalidArgument) as caught:
                await client.create_app("Bad_Name", image=stack.sample_image)
            assert "app.name" in {v.field for v in caught.value.field_violations}
            await client.create_app(name, image=stack.sample_image)
            with pytest.raises(nebula.AlreadyExists):
                await client.create_app(name, image=stack.sample_image)
            with pytest.raises(nebula.NotFound):
                await client.get_worker("no-such-worker")

    run(scenario())


def test_async_workers_and_watch_to_converged(stack) -> None:
    app_name = "sdk-rollout-aio"

    async def scenario() -> None:
        async with nebula.aio.Client(stack.endpoint, token=stack.token, timeout=20.0) as client:
            deadline = time.monotonic() + 90
            while not [w async for w in client.iter_workers() if w.id == stack.worker_id and app_name in w.apps]:
                assert time.monotonic() < deadline, "the agent never reported"
                await asyncio.sleep(0.5)
            assert (await client.get_worker(stack.worker_id)).state == worker_pb2.Worker.ONLINE
            created = await client.create_app(app_name, image=stack.sample_image, containers_per={"instance": 1})
            try:
                seen = [s async for s in client.watch_app_status(app_name, timeout=120)]
                assert seen[-1].rollout == worker_pb2.AppStatus.CONVERGED
                assert seen[-1].generation == created.generation and seen[-1].hosts_converged == 1
                restarted = await client.update_app(app_name, env={"N": "2"})
                status = await client.wait_for_rollout(app_name, generation=restarted.generation, timeout=120)
                assert status.generation == restarted.generation and status.hosts_converged == 1
                assert (await client.get_app_status(app_name)).rollout == worker_pb2.AppStatus.CONVERGED
            finally:
                await client.delete_app(app_name)

    run(scenario())
