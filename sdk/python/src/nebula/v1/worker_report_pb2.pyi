from google.protobuf import timestamp_pb2 as _timestamp_pb2
from google.protobuf.internal import containers as _containers
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from typing import ClassVar as _ClassVar, Iterable as _Iterable, Mapping as _Mapping, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class WorkerReport(_message.Message):
    __slots__ = ("worker_id", "hostname", "apps", "device_group", "app_reports", "host", "report_time", "agent_version", "synced", "cron_job_reports", "device_group_prune_generation", "global_prune_generation", "rejected_records")
    WORKER_ID_FIELD_NUMBER: _ClassVar[int]
    HOSTNAME_FIELD_NUMBER: _ClassVar[int]
    APPS_FIELD_NUMBER: _ClassVar[int]
    DEVICE_GROUP_FIELD_NUMBER: _ClassVar[int]
    APP_REPORTS_FIELD_NUMBER: _ClassVar[int]
    HOST_FIELD_NUMBER: _ClassVar[int]
    REPORT_TIME_FIELD_NUMBER: _ClassVar[int]
    AGENT_VERSION_FIELD_NUMBER: _ClassVar[int]
    SYNCED_FIELD_NUMBER: _ClassVar[int]
    CRON_JOB_REPORTS_FIELD_NUMBER: _ClassVar[int]
    DEVICE_GROUP_PRUNE_GENERATION_FIELD_NUMBER: _ClassVar[int]
    GLOBAL_PRUNE_GENERATION_FIELD_NUMBER: _ClassVar[int]
    REJECTED_RECORDS_FIELD_NUMBER: _ClassVar[int]
    worker_id: str
    hostname: str
    apps: _containers.RepeatedScalarFieldContainer[str]
    device_group: str
    app_reports: _containers.RepeatedCompositeFieldContainer[AppReport]
    host: HostFacts
    report_time: _timestamp_pb2.Timestamp
    agent_version: str
    synced: bool
    cron_job_reports: _containers.RepeatedCompositeFieldContainer[CronJobReport]
    device_group_prune_generation: int
    global_prune_generation: int
    rejected_records: _containers.RepeatedCompositeFieldContainer[RejectedRecord]
    def __init__(self, worker_id: _Optional[str] = ..., hostname: _Optional[str] = ..., apps: _Optional[_Iterable[str]] = ..., device_group: _Optional[str] = ..., app_reports: _Optional[_Iterable[_Union[AppReport, _Mapping]]] = ..., host: _Optional[_Union[HostFacts, _Mapping]] = ..., report_time: _Optional[_Union[_timestamp_pb2.Timestamp, _Mapping]] = ..., agent_version: _Optional[str] = ..., synced: bool = ..., cron_job_reports: _Optional[_Iterable[_Union[CronJobReport, _Mapping]]] = ..., device_group_prune_generation: _Optional[int] = ..., global_prune_generation: _Optional[int] = ..., rejected_records: _Optional[_Iterable[_Union[RejectedRecord, _Mapping]]] = ...) -> None: ...

class RejectedRecord(_message.Message):
    __slots__ = ("key", "reason", "time", "claimed_generation")
    KEY_FIELD_NUMBER: _ClassVar[int]
    REASON_FIELD_NUMBER: _ClassVar[int]
    TIME_FIELD_NUMBER: _ClassVar[int]
    CLAIMED_GENERATION_FIELD_NUMBER: _ClassVar[int]
    key: str
    reason: str
    time: _timestamp_pb2.Timestamp
    claimed_generation: int
    def __init__(self, key: _Optional[str] = ..., reason: _Optional[str] = ..., time: _Optional[_Union[_timestamp_pb2.Timestamp, _Mapping]] = ..., claimed_generation: _Optional[int] = ...) -> None: ...

class CronJobReport(_message.Message):
    __slots__ = ("cron_job", "observed_generation", "last_start_time", "last_finish_time", "last_exit_code", "running_now", "next_run_time", "errors")
    CRON_JOB_FIELD_NUMBER: _ClassVar[int]
    OBSERVED_GENERATION_FIELD_NUMBER: _ClassVar[int]
    LAST_START_TIME_FIELD_NUMBER: _ClassVar[int]
    LAST_FINISH_TIME_FIELD_NUMBER: _ClassVar[int]
    LAST_EXIT_CODE_FIELD_NUMBER: _ClassVar[int]
    RUNNING_NOW_FIELD_NUMBER: _ClassVar[int]
    NEXT_RUN_TIME_FIELD_NUMBER: _ClassVar[int]
    ERRORS_FIELD_NUMBER: _ClassVar[int]
    cron_job: str
    observed_generation: int
    last_start_time: _timestamp_pb2.Timestamp
    last_finish_time: _timestamp_pb2.Timestamp
    last_exit_code: int
    running_now: bool
    next_run_time: _timestamp_pb2.Timestamp
    errors: _containers.RepeatedScalarFieldContainer[str]
    def __init__(self, cron_job: _Optional[str] = ..., observed_generation: _Optional[int] = ..., last_start_time: _Optional[_Union[_timestamp_pb2.Timestamp, _Mapping]] = ..., last_finish_time: _Optional[_Union[_timestamp_pb2.Timestamp, _Mapping]] = ..., last_exit_code: _Optional[int] = ..., running_now: bool = ..., next_run_time: _Optional[_Union[_timestamp_pb2.Timestamp, _Mapping]] = ..., errors: _Optional[_Iterable[str]] = ...) -> None: ...

class AppReport(_message.Message):
    __slots__ = ("app", "observed_generation", "converged_generation", "desired_containers", "running_containers", "containers", "errors")
    APP_FIELD_NUMBER: _ClassVar[int]
    OBSERVED_GENERATION_FIELD_NUMBER: _ClassVar[int]
    CONVERGED_GENERATION_FIELD_NUMBER: _ClassVar[int]
    DESIRED_CONTAINERS_FIELD_NUMBER: _ClassVar[int]
    RUNNING_CONTAINERS_FIELD_NUMBER: _ClassVar[int]
    CONTAINERS_FIELD_NUMBER: _ClassVar[int]
    ERRORS_FIELD_NUMBER: _ClassVar[int]
    app: str
    observed_generation: int
    converged_generation: int
    desired_containers: int
    running_containers: int
    containers: _containers.RepeatedCompositeFieldContainer[ContainerState]
    errors: _containers.RepeatedScalarFieldContainer[str]
    def __init__(self, app: _Optional[str] = ..., observed_generation: _Optional[int] = ..., converged_generation: _Optional[int] = ..., desired_containers: _Optional[int] = ..., running_containers: _Optional[int] = ..., containers: _Optional[_Iterable[_Union[ContainerState, _Mapping]]] = ..., errors: _Optional[_Iterable[str]] = ...) -> None: ...

class ContainerState(_message.Message):
    __slots__ = ("id", "name", "index", "generation", "state", "health", "config_hash", "image_id")
    ID_FIELD_NUMBER: _ClassVar[int]
    NAME_FIELD_NUMBER: _ClassVar[int]
    INDEX_FIELD_NUMBER: _ClassVar[int]
    GENERATION_FIELD_NUMBER: _ClassVar[int]
    STATE_FIELD_NUMBER: _ClassVar[int]
    HEALTH_FIELD_NUMBER: _ClassVar[int]
    CONFIG_HASH_FIELD_NUMBER: _ClassVar[int]
    IMAGE_ID_FIELD_NUMBER: _ClassVar[int]
    id: str
    name: str
    index: int
    generation: int
    state: str
    health: str
    config_hash: str
    image_id: str
    def __init__(self, id: _Optional[str] = ..., name: _Optional[str] = ..., index: _Optional[int] = ..., generation: _Optional[int] = ..., state: _Optional[str] = ..., health: _Optional[str] = ..., config_hash: _Optional[str] = ..., image_id: _Optional[str] = ...) -> None: ...

class HostFacts(_message.Message):
    __slots__ = ("cpu_cores", "memory_mb", "disk_free_mb", "docker_version")
    CPU_CORES_FIELD_NUMBER: _ClassVar[int]
    MEMORY_MB_FIELD_NUMBER: _ClassVar[int]
    DISK_FREE_MB_FIELD_NUMBER: _ClassVar[int]
    DOCKER_VERSION_FIELD_NUMBER: _ClassVar[int]
    cpu_cores: int
    memory_mb: int
    disk_free_mb: int
    docker_version: str
    def __init__(self, cpu_cores: _Optional[int] = ..., memory_mb: _Optional[int] = ..., disk_free_mb: _Optional[int] = ..., docker_version: _Optional[str] = ...) -> None: ...
