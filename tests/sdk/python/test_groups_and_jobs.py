"""Device groups, cron jobs, prune and the audit trail against the real api-manager."""
from __future__ import annotations

import pytest

import nebula


def test_device_group_lifecycle(client: nebula.Client, name: str, stack) -> None:
    app = client.create_app(f"{name}-app", image=stack.sample_image)
    group = client.create_device_group(name, apps=[app.name])
    assert list(group.apps) == [app.name] and group.generation >= 1
    assert client.get_device_group(name) == group
    with pytest.raises(nebula.AlreadyExists):
        client.create_device_group(name)
    assert name in [g.name for g in client.iter_device_groups(page_size=1)]
    assert len(client.list_device_groups(page_size=1).device_groups) == 1

    # Deleting an app a group lists needs force.
    with pytest.raises(nebula.FailedPrecondition):
        client.delete_app(app.name)
    with pytest.raises(nebula.InvalidArgument):
        client.update_device_group(name, apps=[f"{name}-no-such-app"])
    updated = client.update_device_group(name, apps=[], expected_generation=group.generation)
    assert list(updated.apps) == [] and updated.generation == group.generation + 1
    with pytest.raises(nebula.Aborted):
        client.update_device_group(name, apps=[], expected_generation=group.generation)
    pruned = client.prune_device_group(name)
    assert pruned.prune_generation == updated.prune_generation + 1
    deleted = client.delete_device_group(name)
    assert deleted.generation > pruned.generation
    with pytest.raises(nebula.NotFound):
        client.get_device_group(name)


def test_delete_app_listed_by_a_group_with_force(client: nebula.Client, name: str, stack) -> None:
    app = client.create_app(f"{name}-app", image=stack.sample_image)
    client.create_device_group(name, apps=[app.name])
    client.delete_app(app.name, force=True)
    assert list(client.get_device_group(name).apps) == []


def test_cron_job_lifecycle(client: nebula.Client, name: str, stack) -> None:
    job = client.create_cron_job(name, "*/5 * * * *", image=stack.sample_image, command=["true"], env={"A": "1"})
    assert job.schedule == "*/5 * * * *" and job.spec.image == stack.sample_image and job.generation >= 1
    assert client.get_cron_job(name) == job
    with pytest.raises(nebula.AlreadyExists):
        client.create_cron_job(name, "*/5 * * * *", image=stack.sample_image)
    with pytest.raises(nebula.InvalidArgument) as caught:
        client.create_cron_job(f"{name}-bad", "every minute", image=stack.sample_image)
    assert caught.value.field_violations
    assert name in [j.name for j in client.iter_cron_jobs(page_size=1)]
    assert len(client.list_cron_jobs(page_size=1).cron_jobs) == 1

    updated = client.update_cron_job(name, schedule="0 3 * * *", env={"A": "2"})
    assert updated.schedule == "0 3 * * *" and dict(updated.spec.env) == {"A": "2"}
    assert list(updated.spec.command) == ["true"]
    stopped = client.update_cron_job(name, running=False, expected_generation=updated.generation)
    assert stopped.HasField("running") and not stopped.running
    with pytest.raises(nebula.Aborted):
        client.update_cron_job(name, running=True, expected_generation=updated.generation)

    client.create_device_group(f"{name}-g", cron_jobs=[name])
    with pytest.raises(nebula.FailedPrecondition):
        client.delete_cron_job(name)
    deleted = client.delete_cron_job(name, force=True)
    assert deleted.generation > stopped.generation
    with pytest.raises(nebula.NotFound):
        client.get_cron_job(name)


def test_prune_all_bumps_the_global_prune_generation(client: nebula.Client) -> None:
    first = client.prune_all()
    assert client.prune_all().prune_generation == first.prune_generation + 1


def test_audit_events_record_changes(client: nebula.Client, name: str, stack) -> None:
    created = client.create_app(name, image=stack.sample_image)
    client.update_app(name, env={"A": "1"})
    events = list(client.iter_audit_events(object_kind="app", object_name=name, page_size=1))
    assert [e.action for e in events] == ["UpdateApp", "CreateApp"]
    assert events[-1].generation == created.generation and events[0].actor
    assert len(client.list_audit_events(page_size=1).events) == 1
