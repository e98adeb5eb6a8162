"""App verbs and history: start/stop/restart/pull, revisions and rollback, against the real api-manager."""
from __future__ import annotations

import pytest

import nebula


def test_stop_and_start_toggle_running(client: nebula.Client, name: str, stack) -> None:
    created = client.create_app(name, image=stack.sample_image)
    stopped = client.stop_app(name, expected_generation=created.generation)
    assert stopped.generation == created.generation + 1
    assert stopped.spec.HasField("running") and not stopped.spec.running
    started = client.start_app(name)
    assert started.spec.running and started.generation == stopped.generation + 1
    again = client.start_app(name)  # a no-op change still bumps the generation
    assert again.generation == started.generation + 1
    with pytest.raises(nebula.Aborted):
        client.stop_app(name, expected_generation=created.generation)
    with pytest.raises(nebula.NotFound):
        client.start_app(name + "-missing")


def test_restart_bumps_the_nonce_and_can_set_rolling(client: nebula.Client, name: str, stack) -> None:
    created = client.create_app(name, image=stack.sample_image)
    restarted = client.restart_app(name)
    assert restarted.spec.restart_nonce == created.spec.restart_nonce + 1
    rolling = client.restart_app(name, rolling=True)
    assert rolling.spec.update_strategy.rolling
    assert rolling.spec.restart_nonce == restarted.spec.restart_nonce + 1
    with pytest.raises(nebula.NotFound):
        client.restart_app(name + "-missing")
    with pytest.raises(nebula.InvalidArgument):
        client.restart_app("Bad Name")


def test_pull_bumps_the_pull_nonce(client: nebula.Client, name: str, stack) -> None:
    created = client.create_app(name, image=stack.sample_image)
    pulled = client.pull_app(name)
    assert pulled.spec.pull_nonce == created.spec.pull_nonce + 1
    with pytest.raises(nebula.Aborted):
        client.pull_app(name, expected_generation=created.generation)


def test_revisions_newest_first_and_rollback(client: nebula.Client, name: str, stack) -> None:
    first = client.create_app(name, image=stack.sample_image, env={"V": "1"})
    client.update_app(name, env={"V": "2"})
    client.update_app(name, env={"V": "3"})
    revisions = list(client.iter_app_revisions(name, page_size=2))
    assert [r.generation for r in revisions] == [first.generation + 2, first.generation + 1, first.generation]
    assert [r.action for r in revisions] == ["UpdateApp", "UpdateApp", "CreateApp"]
    assert dict(revisions[-1].spec.env) == {"V": "1"} and revisions[0].actor
    page = client.list_app_revisions(name, page_size=1)
    assert len(page.revisions) == 1 and page.next_page_token

    rolled = client.rollback_app(name, first.generation)
    assert rolled.generation == first.generation + 3 and dict(rolled.spec.env) == {"V": "1"}
    newest = client.list_app_revisions(name, page_size=1).revisions[0]
    assert newest.action == "RollbackApp" and newest.rolled_back_to == first.generation
    with pytest.raises(nebula.NotFound):
        client.rollback_app(name, first.generation + 100)
    with pytest.raises(nebula.NotFound):
        client.list_app_revisions(name + "-never")
