"""Builds the request message of every RPC from the clients' keyword arguments. Pure: no I/O."""
from __future__ import annotations

from typing import Any, Iterable, List, Mapping, Optional, Sequence, Union

from google.protobuf import field_mask_pb2

from nebula import specs
from nebula.v1 import api_manager_pb2 as am
from nebula.v1 import app_pb2, cron_job_pb2, device_group_pb2
from nebula.v1 import identity_pb2 as idm

AccessLike = Union[str, int]


def _mask(paths: Optional[Iterable[str]]) -> Optional[field_mask_pb2.FieldMask]:
    return None if paths is None else field_mask_pb2.FieldMask(paths=list(paths))


def create_app(name: str, spec: Optional[app_pb2.AppSpec], fields: Mapping[str, Any]) -> am.CreateAppRequest:
    fields = specs.given(fields)
    if spec is not None and fields:
        raise TypeError("give either spec or spec fields, not both")
    return am.CreateAppRequest(app=app_pb2.App(name=name, spec=spec if spec is not None else specs.app_spec(**fields)))


def update_app(
    name: str,
    spec: Optional[app_pb2.AppSpec],
    update_mask: Optional[Sequence[str]],
    expected_generation: int,
    fields: Mapping[str, Any],
) -> am.UpdateAppRequest:
    """spec replaces the whole spec (or update_mask's paths); spec fields replace only themselves."""
    fields = specs.given(fields)
    if spec is not None and fields:
        raise TypeError("give either spec or spec fields, not both")
    if spec is None and not fields:
        raise TypeError("update_app needs spec or at least one spec field")
    if spec is None:
        spec = specs.app_spec(**fields)
        if update_mask is None:
            update_mask = specs.mask_paths("spec.", fields)
    return am.UpdateAppRequest(app=app_pb2.App(name=name, spec=spec), update_mask=_mask(update_mask),
                               expected_generation=expected_generation)


def restart_app(name: str, expected_generation: int, rolling: Optional[bool]) -> am.RestartAppRequest:
    request = am.RestartAppRequest(name=name, expected_generation=expected_generation)
    if rolling is not None:
        request.rolling = rolling
    return request


def device_group(name: str, apps: Optional[Sequence[str]], cron_jobs: Optional[Sequence[str]]) -> device_group_pb2.DeviceGroup:
    return device_group_pb2.DeviceGroup(name=name, apps=list(apps or ()), cron_jobs=list(cron_jobs or ()))


def update_device_group(
    name: str,
    apps: Optional[Sequence[str]],
    cron_jobs: Optional[Sequence[str]],
    update_mask: Optional[Sequence[str]],
    expected_generation: int,
) -> am.UpdateDeviceGroupRequest:
    if update_mask is None:
        update_mask = [p for p, v in (("apps", apps), ("cron_jobs", cron_jobs)) if v is not None]
        if not update_mask:
            raise TypeError("update_device_group needs apps and/or cron_jobs")
    return am.UpdateDeviceGroupRequest(device_group=device_group(name, apps, cron_jobs),
                                       update_mask=_mask(update_mask), expected_generation=expected_generation)


def _cron_job(name: str, schedule: Optional[str], running: Optional[bool],
              spec: Optional[cron_job_pb2.CronJobSpec]) -> cron_job_pb2.CronJob:
    job = cron_job_pb2.CronJob(name=name, schedule=schedule or "")
    if spec is not None:
        job.spec.CopyFrom(spec)
    if running is not None:
        job.running = running
    return job


def create_cron_job(name: str, schedule: str, spec: Optional[cron_job_pb2.CronJobSpec], running: Optional[bool],
                    fields: Mapping[str, Any]) -> am.CreateCronJobRequest:
    fields = specs.given(fields)
    if spec is not None and fields:
        raise TypeError("give either spec or spec fields, not both")
    if spec is None:
        spec = specs.cron_job_spec(**fields)
    return am.CreateCronJobRequest(cron_job=_cron_job(name, schedule, running, spec))


def update_cron_job(
    name: str,
    schedule: Optional[str],
    running: Optional[bool],
    spec: Optional[cron_job_pb2.CronJobSpec],
    update_mask: Optional[Sequence[str]],
    expected_generation: int,
    fields: Mapping[str, Any],
) -> am.UpdateCronJobRequest:
    fields = specs.given(fields)
    if spec is not None and fields:
        raise TypeError("give either spec or spec fields, not both")
    paths: List[str] = []
    if schedule is not None:
        paths.append("schedule")
    if running is not None:
        paths.append("running")
    if spec is not None:
        paths.append("spec")
    elif fields:
        spec = specs.cron_job_spec(**fields)
        paths += specs.mask_paths("spec.", fields)
    if update_mask is None:
        if not paths:
            raise TypeError("update_cron_job needs schedule, running, spec or spec fields")
        update_mask = paths
    return am.UpdateCronJobRequest(cron_job=_cron_job(name, schedule, running, spec), update_mask=_mask(update_mask),
                                   expected_generation=expected_generation)


def access(value: AccessLike) -> Any:  # an identity_pb2.Access value
    """ "ro", "rw" or an Access enum value."""
    if isinstance(value, int):
        return value
    try:
        return idm.Access.Value("ACCESS_" + value.upper())
    except ValueError as e:
        raise ValueError(f"access {value!r}: expected ro or rw") from e


def user_group(
    name: str,
    members: Optional[Sequence[str]],
    admin: Optional[bool],
    pruning_allowed: Optional[bool],
    apps: Optional[Mapping[str, AccessLike]],
    device_groups: Optional[Mapping[str, AccessLike]],
    cron_jobs: Optional[Mapping[str, AccessLike]],
) -> idm.UserGroup:
    group = idm.UserGroup(name=name, members=list(members or ()), admin=bool(admin),
                          pruning_allowed=bool(pruning_allowed))
    for target, grants in ((group.apps, apps), (group.device_groups, device_groups), (group.cron_jobs, cron_jobs)):
        for pattern, level in (grants or {}).items():
            target[pattern] = access(level)
    return group


def update_user_group(
    name: str,
    members: Optional[Sequence[str]],
    admin: Optional[bool],
    pruning_allowed: Optional[bool],
    apps: Optional[Mapping[str, AccessLike]],
    device_groups: Optional[Mapping[str, AccessLike]],
    cron_jobs: Optional[Mapping[str, AccessLike]],
    update_mask: Optional[Sequence[str]],
    expected_generation: int,
) -> idm.UpdateUserGroupRequest:
    if update_mask is None:
        given = {"members": members, "admin": admin, "pruning_allowed": pruning_allowed, "apps": apps,
                 "device_groups": device_groups, "cron_jobs": cron_jobs}
        update_mask = [path for path, value in given.items() if value is not None]
        if not update_mask:
            raise TypeError("update_user_group needs at least one field to change")
    group = user_group(name, members, admin, pruning_allowed, apps, device_groups, cron_jobs)
    return idm.UpdateUserGroupRequest(user_group=group, update_mask=_mask(update_mask),
                                      expected_generation=expected_generation)


def update_user(name: str, password: str) -> idm.UpdateUserRequest:
    return idm.UpdateUserRequest(user=idm.User(name=name, password=password), update_mask=_mask(["password"]))
