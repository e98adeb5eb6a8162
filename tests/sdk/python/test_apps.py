"""App RPCs of the blocking client against the real api-manager: success paths and the main errors."""
from __future__ import annotations

import grpc
import pytest

import nebula
from nebula.v1 import app_pb2


def test_create_app_from_keyword_arguments(client: nebula.Client, name: str, stack) -> None:
    app = client.create_app(name, image=stack.sample_image, containers_per={"instance": 3},
                            ports=["18080:80", "127.0.0.1:19090:90/udp"], env={"GREETING": "hi"},
                            volumes=["/tmp:/data:ro"], update_strategy={"rolling": True, "max_unavailable": 1},
                            pull_policy="always", restart_policy="on_failure", labels={"team": "sdk"},
                            command=["sh"], args=["-c", "sleep 1"], running=False)
    assert isinstance(app, app_pb2.App)
    assert app.name == name
    assert app.generation >= 1
    assert app.spec.image == stack.sample_image
    assert app.spec.containers_per.instance == 3
    assert [(p.host_port, p.container_port) for p in app.spec.ports] == [(18080, 80), (19090, 90)]
    assert app.spec.ports[1].host_ip == "127.0.0.1" and app.spec.ports[1].protocol == app_pb2.PROTOCOL_UDP
    assert dict(app.spec.env) == {"GREETING": "hi"}
    assert app.spec.volumes[0].read_only and app.spec.volumes[0].target == "/data"
    assert app.spec.update_strategy.rolling and app.spec.update_strategy.max_unavailable == 1
    assert app.spec.pull_policy == app_pb2.PULL_POLICY_ALWAYS
    assert app.spec.restart_policy == app_pb2.RESTART_POLICY_ON_FAILURE
    assert app.spec.HasField("running") and not app.spec.running
    assert app.create_time.seconds > 0


def test_create_app_from_spec_object(client: nebula.Client, name: str, stack) -> None:
    spec = nebula.app_spec(stack.sample_image, containers_per={"cpu": 0.5})
    app = client.create_app(name, spec)
    assert app.spec.containers_per.cpu == 0.5
    assert client.get_app(name) == app


def test_create_app_twice_raises_already_exists(client: nebula.Client, name: str, stack) -> None:
    client.create_app(name, image=stack.sample_image)
    with pytest.raises(nebula.AlreadyExists) as caught:
        client.create_app(name, image=stack.sample_image)
    assert caught.value.code == grpc.StatusCode.ALREADY_EXISTS
    assert name in str(caught.value)


def test_invalid_app_carries_field_violations(client: nebula.Client) -> None:
    with pytest.raises(nebula.InvalidArgument) as caught:
        client.create_app("Not_A_Name", image="")
    fields = {v.field for v in caught.value.field_violations}
    assert "app.name" in fields
    assert all(v.description for v in caught.value.field_violations)
    assert isinstance(caught.value, nebula.NebulaError)


def test_create_app_without_spec_is_invalid(client: nebula.Client, name: str) -> None:
    with pytest.raises(nebula.InvalidArgument) as caught:
        client.create_app(name)
    assert any(v.field.startswith("app.spec") for v in caught.value.field_violations)


def test_get_missing_app_raises_not_found(client: nebula.Client, name: str) -> None:
    with pytest.raises(nebula.NotFound):
        client.get_app(name)


def test_list_apps_pages_and_iter_apps_follows_tokens(client: nebula.Client, name: str, stack) -> None:
    names = [f"{name}-{i}" for i in range(5)]
    for n in names:
        client.create_app(n, image=stack.sample_image)
    first = client.list_apps(page_size=2)
    assert len(first.apps) == 2 and first.next_page_token
    second = client.list_apps(page_size=2, page_token=first.next_page_token)
    assert [a.name for a in second.apps] != [a.name for a in first.apps]
    listed = [a.name for a in client.iter_apps(page_size=2)]
    assert listed == sorted(listed)
    assert set(names) <= set(listed)
    assert len(listed) == len(set(listed))


def test_list_apps_with_a_bad_page_token_is_invalid(client: nebula.Client) -> None:
    with pytest.raises(nebula.InvalidArgument) as caught:
        client.list_apps(page_token="garbage")
    assert "page_token" in {v.field for v in caught.value.field_violations}


def test_update_app_with_fields_changes_only_those(client: nebula.Client, name: str, stack) -> None:
    created = client.create_app(name, image=stack.sample_image, env={"A": "1"}, containers_per={"instance": 2})
    updated = client.update_app(name, env={"A": "2", "B": "3"})
    assert updated.generation == created.generation + 1
    assert dict(updated.spec.env) == {"A": "2", "B": "3"}
    assert updated.spec.containers_per.instance == 2  # untouched: the mask named spec.env only
    assert updated.spec.image == stack.sample_image


def test_update_app_with_a_whole_spec_replaces_it(client: nebula.Client, name: str, stack) -> None:
    client.create_app(name, image=stack.sample_image, env={"A": "1"})
    updated = client.update_app(name, nebula.app_spec(stack.sample_image, containers_per={"instance": 4}))
    assert dict(updated.spec.env) == {}
    assert updated.spec.containers_per.instance == 4


def test_update_app_with_a_stale_generation_is_aborted(client: nebula.Client, name: str, stack) -> None:
    created = client.create_app(name, image=stack.sample_image)
    client.update_app(name, env={"X": "1"}, expected_generation=created.generation)
    with pytest.raises(nebula.Aborted):
        client.update_app(name, env={"X": "2"}, expected_generation=created.generation)


def test_update_missing_app_raises_not_found(client: nebula.Client, name: str) -> None:
    with pytest.raises(nebula.NotFound):
        client.update_app(name, image="busybox")


def test_update_app_with_a_bad_mask_is_invalid(client: nebula.Client, name: str, stack) -> None:
    client.create_app(name, image=stack.sample_image)
    with pytest.raises(nebula.InvalidArgument) as caught:
        client.update_app(name, nebula.app_spec(stack.sample_image), update_mask=["name"])
    assert caught.value.field_violations


def test_delete_app_then_it_is_gone(client: nebula.Client, name: str, stack) -> None:
    created = client.create_app(name, image=stack.sample_image)
    deleted = client.delete_app(name, expected_generation=created.generation)
    assert deleted.generation == created.generation + 1
    with pytest.raises(nebula.NotFound):
        client.get_app(name)
    with pytest.raises(nebula.NotFound):
        client.delete_app(name)
    # Generations stay monotonic across delete + re-create.
    assert client.create_app(name, image=stack.sample_image).generation > deleted.generation


def test_delete_app_with_a_stale_generation_is_aborted(client: nebula.Client, name: str, stack) -> None:
    created = client.create_app(name, image=stack.sample_image)
    client.update_app(name, env={"X": "1"})
    with pytest.raises(nebula.Aborted):
        client.delete_app(name, expected_generation=created.generation)


def test_unreachable_server_raises_unavailable_after_retries(stack) -> None:
    with nebula.Client(f"127.0.0.1:{stack.free_port(0)}", timeout=5.0, max_attempts=3) as c:
        with pytest.raises(nebula.Unavailable):
            c.get_app("x")


def test_check_health(client: nebula.Client, stack) -> None:
    assert client.check_health()
    assert client.check_health("")  # the server as a whole
    with pytest.raises(nebula.NotFound):
        client.check_health("no.such.Service")
    with nebula.Client(f"127.0.0.1:{stack.free_port(0)}", timeout=2.0, max_attempts=1) as nobody:
        with pytest.raises(nebula.Unavailable):
            nobody.check_health()
