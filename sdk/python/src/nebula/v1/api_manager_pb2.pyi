from google.api import annotations_pb2 as _annotations_pb2
from google.protobuf import field_mask_pb2 as _field_mask_pb2
from google.protobuf import timestamp_pb2 as _timestamp_pb2
from nebula.v1 import app_pb2 as _app_pb2
from nebula.v1 import cron_job_pb2 as _cron_job_pb2
from nebula.v1 import desired_state_pb2 as _desired_state_pb2
from nebula.v1 import device_group_pb2 as _device_group_pb2
from nebula.v1 import worker_pb2 as _worker_pb2
from google.protobuf.internal import containers as _containers
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from typing import ClassVar as _ClassVar, Iterable as _Iterable, Mapping as _Mapping, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class CreateAppRequest(_message.Message):
    __slots__ = ("app",)
    APP_FIELD_NUMBER: _ClassVar[int]
    app: _app_pb2.App
    def __init__(self, app: _Optional[_Union[_app_pb2.App, _Mapping]] = ...) -> None: ...

class GetAppRequest(_message.Message):
    __slots__ = ("name",)
    NAME_FIELD_NUMBER: _ClassVar[int]
    name: str
    def __init__(self, name: _Optional[str] = ...) -> None: ...

class ListAppsRequest(_message.Message):
    __slots__ = ("page_size", "page_token")
    PAGE_SIZE_FIELD_NUMBER: _ClassVar[int]
    PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    page_size: int
    page_token: str
    def __init__(self, page_size: _Optional[int] = ..., page_token: _Optional[str] = ...) -> None: ...

class ListAppsResponse(_message.Message):
    __slots__ = ("apps", "next_page_token")
    APPS_FIELD_NUMBER: _ClassVar[int]
    NEXT_PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    apps: _containers.RepeatedCompositeFieldContainer[_app_pb2.App]
    next_page_token: str
    def __init__(self, apps: _Optional[_Iterable[_Union[_app_pb2.App, _Mapping]]] = ..., next_page_token: _Optional[str] = ...) -> None: ...

class UpdateAppRequest(_message.Message):
    __slots__ = ("app", "update_mask", "expected_generation")
    APP_FIELD_NUMBER: _ClassVar[int]
    UPDATE_MASK_FIELD_NUMBER: _ClassVar[int]
    EXPECTED_GENERATION_FIELD_NUMBER: _ClassVar[int]
    app: _app_pb2.App
    update_mask: _field_mask_pb2.FieldMask
    expected_generation: int
    def __init__(self, app: _Optional[_Union[_app_pb2.App, _Mapping]] = ..., update_mask: _Optional[_Union[_field_mask_pb2.FieldMask, _Mapping]] = ..., expected_generation: _Optional[int] = ...) -> None: ...

class DeleteAppRequest(_message.Message):
    __slots__ = ("name", "expected_generation", "force")
    NAME_FIELD_NUMBER: _ClassVar[int]
    EXPECTED_GENERATION_FIELD_NUMBER: _ClassVar[int]
    FORCE_FIELD_NUMBER: _ClassVar[int]
    name: str
    expected_generation: int
    force: bool
    def __init__(self, name: _Optional[str] = ..., expected_generation: _Optional[int] = ..., force: bool = ...) -> None: ...

class DeleteAppResponse(_message.Message):
    __slots__ = ("generation",)
    GENERATION_FIELD_NUMBER: _ClassVar[int]
    generation: int
    def __init__(self, generation: _Optional[int] = ...) -> None: ...

class ListWorkersRequest(_message.Message):
    __slots__ = ("page_size", "page_token")
    PAGE_SIZE_FIELD_NUMBER: _ClassVar[int]
    PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    page_size: int
    page_token: str
    def __init__(self, page_size: _Optional[int] = ..., page_token: _Optional[str] = ...) -> None: ...

class ListWorkersResponse(_message.Message):
    __slots__ = ("workers", "next_page_token")
    WORKERS_FIELD_NUMBER: _ClassVar[int]
    NEXT_PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    workers: _containers.RepeatedCompositeFieldContainer[_worker_pb2.Worker]
    next_page_token: str
    def __init__(self, workers: _Optional[_Iterable[_Union[_worker_pb2.Worker, _Mapping]]] = ..., next_page_token: _Optional[str] = ...) -> None: ...

class GetWorkerRequest(_message.Message):
    __slots__ = ("id",)
    ID_FIELD_NUMBER: _ClassVar[int]
    id: str
    def __init__(self, id: _Optional[str] = ...) -> None: ...

class GetAppStatusRequest(_message.Message):
    __slots__ = ("name",)
    NAME_FIELD_NUMBER: _ClassVar[int]
    name: str
    def __init__(self, name: _Optional[str] = ...) -> None: ...

class WatchAppStatusRequest(_message.Message):
    __slots__ = ("name",)
    NAME_FIELD_NUMBER: _ClassVar[int]
    name: str
    def __init__(self, name: _Optional[str] = ...) -> None: ...

class StartAppRequest(_message.Message):
    __slots__ = ("name", "expected_generation")
    NAME_FIELD_NUMBER: _ClassVar[int]
    EXPECTED_GENERATION_FIELD_NUMBER: _ClassVar[int]
    name: str
    expected_generation: int
    def __init__(self, name: _Optional[str] = ..., expected_generation: _Optional[int] = ...) -> None: ...

class StopAppRequest(_message.Message):
    __slots__ = ("name", "expected_generation")
    NAME_FIELD_NUMBER: _ClassVar[int]
    EXPECTED_GENERATION_FIELD_NUMBER: _ClassVar[int]
    name: str
    expected_generation: int
    def __init__(self, name: _Optional[str] = ..., expected_generation: _Optional[int] = ...) -> None: ...

class RestartAppRequest(_message.Message):
    __slots__ = ("name", "expected_generation", "rolling")
    NAME_FIELD_NUMBER: _ClassVar[int]
    EXPECTED_GENERATION_FIELD_NUMBER: _ClassVar[int]
    ROLLING_FIELD_NUMBER: _ClassVar[int]
    name: str
    expected_generation: int
    rolling: bool
    def __init__(self, name: _Optional[str] = ..., expected_generation: _Optional[int] = ..., rolling: bool = ...) -> None: ...

class PullAppRequest(_message.Message):
    __slots__ = ("name", "expected_generation")
    NAME_FIELD_NUMBER: _ClassVar[int]
    EXPECTED_GENERATION_FIELD_NUMBER: _ClassVar[int]
    name: str
    expected_generation: int
    def __init__(self, name: _Optional[str] = ..., expected_generation: _Optional[int] = ...) -> None: ...

class ListAppRevisionsRequest(_message.Message):
    __slots__ = ("name", "page_size", "page_token")
    NAME_FIELD_NUMBER: _ClassVar[int]
    PAGE_SIZE_FIELD_NUMBER: _ClassVar[int]
    PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    name: str
    page_size: int
    page_token: str
    def __init__(self, name: _Optional[str] = ..., page_size: _Optional[int] = ..., page_token: _Optional[str] = ...) -> None: ...

class ListAppRevisionsResponse(_message.Message):
    __slots__ = ("revisions", "next_page_token")
    REVISIONS_FIELD_NUMBER: _ClassVar[int]
    NEXT_PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    revisions: _containers.RepeatedCompositeFieldContainer[AppRevision]
    next_page_token: str
    def __init__(self, revisions: _Optional[_Iterable[_Union[AppRevision, _Mapping]]] = ..., next_page_token: _Optional[str] = ...) -> None: ...

class AppRevision(_message.Message):
    __slots__ = ("name", "generation", "action", "actor", "time", "spec", "deleted", "rolled_back_to")
    NAME_FIELD_NUMBER: _ClassVar[int]
    GENERATION_FIELD_NUMBER: _ClassVar[int]
    ACTION_FIELD_NUMBER: _ClassVar[int]
    ACTOR_FIELD_NUMBER: _ClassVar[int]
    TIME_FIELD_NUMBER: _ClassVar[int]
    SPEC_FIELD_NUMBER: _ClassVar[int]
    DELETED_FIELD_NUMBER: _ClassVar[int]
    ROLLED_BACK_TO_FIELD_NUMBER: _ClassVar[int]
    name: str
    generation: int
    action: str
    actor: str
    time: _timestamp_pb2.Timestamp
    spec: _app_pb2.AppSpec
    deleted: bool
    rolled_back_to: int
    def __init__(self, name: _Optional[str] = ..., generation: _Optional[int] = ..., action: _Optional[str] = ..., actor: _Optional[str] = ..., time: _Optional[_Union[_timestamp_pb2.Timestamp, _Mapping]] = ..., spec: _Optional[_Union[_app_pb2.AppSpec, _Mapping]] = ..., deleted: bool = ..., rolled_back_to: _Optional[int] = ...) -> None: ...

class RollbackAppRequest(_message.Message):
    __slots__ = ("name", "generation", "expected_generation")
    NAME_FIELD_NUMBER: _ClassVar[int]
    GENERATION_FIELD_NUMBER: _ClassVar[int]
    EXPECTED_GENERATION_FIELD_NUMBER: _ClassVar[int]
    name: str
    generation: int
    expected_generation: int
    def __init__(self, name: _Optional[str] = ..., generation: _Optional[int] = ..., expected_generation: _Optional[int] = ...) -> None: ...

class CreateDeviceGroupRequest(_message.Message):
    __slots__ = ("device_group",)
    DEVICE_GROUP_FIELD_NUMBER: _ClassVar[int]
    device_group: _device_group_pb2.DeviceGroup
    def __init__(self, device_group: _Optional[_Union[_device_group_pb2.DeviceGroup, _Mapping]] = ...) -> None: ...

class GetDeviceGroupRequest(_message.Message):
    __slots__ = ("name",)
    NAME_FIELD_NUMBER: _ClassVar[int]
    name: str
    def __init__(self, name: _Optional[str] = ...) -> None: ...

class ListDeviceGroupsRequest(_message.Message):
    __slots__ = ("page_size", "page_token")
    PAGE_SIZE_FIELD_NUMBER: _ClassVar[int]
    PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    page_size: int
    page_token: str
    def __init__(self, page_size: _Optional[int] = ..., page_token: _Optional[str] = ...) -> None: ...

class ListDeviceGroupsResponse(_message.Message):
    __slots__ = ("device_groups", "next_page_token")
    DEVICE_GROUPS_FIELD_NUMBER: _ClassVar[int]
    NEXT_PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    device_groups: _containers.RepeatedCompositeFieldContainer[_device_group_pb2.DeviceGroup]
    next_page_token: str
    def __init__(self, device_groups: _Optional[_Iterable[_Union[_device_group_pb2.DeviceGroup, _Mapping]]] = ..., next_page_token: _Optional[str] = ...) -> None: ...

class UpdateDeviceGroupRequest(_message.Message):
    __slots__ = ("device_group", "update_mask", "expected_generation")
    DEVICE_GROUP_FIELD_NUMBER: _ClassVar[int]
    UPDATE_MASK_FIELD_NUMBER: _ClassVar[int]
    EXPECTED_GENERATION_FIELD_NUMBER: _ClassVar[int]
    device_group: _device_group_pb2.DeviceGroup
    update_mask: _field_mask_pb2.FieldMask
    expected_generation: int
    def __init__(self, device_group: _Optional[_Union[_device_group_pb2.DeviceGroup, _Mapping]] = ..., update_mask: _Optional[_Union[_field_mask_pb2.FieldMask, _Mapping]] = ..., expected_generation: _Optional[int] = ...) -> None: ...

class DeleteDeviceGroupRequest(_message.Message):
    __slots__ = ("name", "expected_generation")
    NAME_FIELD_NUMBER: _ClassVar[int]
    EXPECTED_GENERATION_FIELD_NUMBER: _ClassVar[int]
    name: str
    expected_generation: int
    def __init__(self, name: _Optional[str] = ..., expected_generation: _Optional[int] = ...) -> None: ...

class DeleteDeviceGroupResponse(_message.Message):
    __slots__ = ("generation",)
    GENERATION_FIELD_NUMBER: _ClassVar[int]
    generation: int
    def __init__(self, generation: _Optional[int] = ...) -> None: ...

class PruneDeviceGroupRequest(_message.Message):
    __slots__ = ("name",)
    NAME_FIELD_NUMBER: _ClassVar[int]
    name: str
    def __init__(self, name: _Optional[str] = ...) -> None: ...

class CreateCronJobRequest(_message.Message):
    __slots__ = ("cron_job",)
    CRON_JOB_FIELD_NUMBER: _ClassVar[int]
    cron_job: _cron_job_pb2.CronJob
    def __init__(self, cron_job: _Optional[_Union[_cron_job_pb2.CronJob, _Mapping]] = ...) -> None: ...

class GetCronJobRequest(_message.Message):
    __slots__ = ("name",)
    NAME_FIELD_NUMBER: _ClassVar[int]
    name: str
    def __init__(self, name: _Optional[str] = ...) -> None: ...

class ListCronJobsRequest(_message.Message):
    __slots__ = ("page_size", "page_token")
    PAGE_SIZE_FIELD_NUMBER: _ClassVar[int]
    PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    page_size: int
    page_token: str
    def __init__(self, page_size: _Optional[int] = ..., page_token: _Optional[str] = ...) -> None: ...

class ListCronJobsResponse(_message.Message):
    __slots__ = ("cron_jobs", "next_page_token")
    CRON_JOBS_FIELD_NUMBER: _ClassVar[int]
    NEXT_PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    cron_jobs: _containers.RepeatedCompositeFieldContainer[_cron_job_pb2.CronJob]
    next_page_token: str
    def __init__(self, cron_jobs: _Optional[_Iterable[_Union[_cron_job_pb2.CronJob, _Mapping]]] = ..., next_page_token: _Optional[str] = ...) -> None: ...

class UpdateCronJobRequest(_message.Message):
    __slots__ = ("cron_job", "update_mask", "expected_generation")
    CRON_JOB_FIELD_NUMBER: _ClassVar[int]
    UPDATE_MASK_FIELD_NUMBER: _ClassVar[int]
    EXPECTED_GENERATION_FIELD_NUMBER: _ClassVar[int]
    cron_job: _cron_job_pb2.CronJob
    update_mask: _field_mask_pb2.FieldMask
    expected_generation: int
    def __init__(self, cron_job: _Optional[_Union[_cron_job_pb2.CronJob, _Mapping]] = ..., update_mask: _Optional[_Union[_field_mask_pb2.FieldMask, _Mapping]] = ..., expected_generation: _Optional[int] = ...) -> None: ...

class DeleteCronJobRequest(_message.Message):
    __slots__ = ("name", "expected_generation", "force")
    NAME_FIELD_NUMBER: _ClassVar[int]
    EXPECTED_GENERATION_FIELD_NUMBER: _ClassVar[int]
    FORCE_FIELD_NUMBER: _ClassVar[int]
    name: str
    expected_generation: int
    force: bool
    def __init__(self, name: _Optional[str] = ..., expected_generation: _Optional[int] = ..., force: bool = ...) -> None: ...

class DeleteCronJobResponse(_message.Message):
    __slots__ = ("generation",)
    GENERATION_FIELD_NUMBER: _ClassVar[int]
    generation: int
    def __init__(self, generation: _Optional[int] = ...) -> None: ...

class PruneAllRequest(_message.Message):
    __slots__ = ()
    def __init__(self) -> None: ...

class ListAuditEventsRequest(_message.Message):
    __slots__ = ("object_kind", "object_name", "page_size", "page_token")
    OBJECT_KIND_FIELD_NUMBER: _ClassVar[int]
    OBJECT_NAME_FIELD_NUMBER: _ClassVar[int]
    PAGE_SIZE_FIELD_NUMBER: _ClassVar[int]
    PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    object_kind: str
    object_name: str
    page_size: int
    page_token: str
    def __init__(self, object_kind: _Optional[str] = ..., object_name: _Optional[str] = ..., page_size: _Optional[int] = ..., page_token: _Optional[str] = ...) -> None: ...

class ListAuditEventsResponse(_message.Message):
    __slots__ = ("events", "next_page_token")
    EVENTS_FIELD_NUMBER: _ClassVar[int]
    NEXT_PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    events: _containers.RepeatedCompositeFieldContainer[AuditEvent]
    next_page_token: str
    def __init__(self, events: _Optional[_Iterable[_Union[AuditEvent, _Mapping]]] = ..., next_page_token: _Optional[str] = ...) -> None: ...

class AuditEvent(_message.Message):
    __slots__ = ("id", "time", "actor", "action", "object_kind", "object_name", "generation")
    ID_FIELD_NUMBER: _ClassVar[int]
    TIME_FIELD_NUMBER: _ClassVar[int]
    ACTOR_FIELD_NUMBER: _ClassVar[int]
    ACTION_FIELD_NUMBER: _ClassVar[int]
    OBJECT_KIND_FIELD_NUMBER: _ClassVar[int]
    OBJECT_NAME_FIELD_NUMBER: _ClassVar[int]
    GENERATION_FIELD_NUMBER: _ClassVar[int]
    id: int
    time: _timestamp_pb2.Timestamp
    actor: str
    action: str
    object_kind: str
    object_name: str
    generation: int
    def __init__(self, id: _Optional[int] = ..., time: _Optional[_Union[_timestamp_pb2.Timestamp, _Mapping]] = ..., actor: _Optional[str] = ..., action: _Optional[str] = ..., object_kind: _Optional[str] = ..., object_name: _Optional[str] = ..., generation: _Optional[int] = ...) -> None: ...
