from google.protobuf import timestamp_pb2 as _timestamp_pb2
from nebula.v1 import worker_report_pb2 as _worker_report_pb2
from google.protobuf.internal import containers as _containers
from google.protobuf.internal import enum_type_wrapper as _enum_type_wrapper
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from typing import ClassVar as _ClassVar, Iterable as _Iterable, Mapping as _Mapping, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class Worker(_message.Message):
    __slots__ = ("id", "hostname", "apps", "device_group", "app_reports", "host", "last_seen", "state", "agent_version", "synced", "unknown_apps", "rejected_records")
    class State(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
        __slots__ = ()
        STATE_UNSPECIFIED: _ClassVar[Worker.State]
        ONLINE: _ClassVar[Worker.State]
        LOST: _ClassVar[Worker.State]
    STATE_UNSPECIFIED: Worker.State
    ONLINE: Worker.State
    LOST: Worker.State
    ID_FIELD_NUMBER: _ClassVar[int]
    HOSTNAME_FIELD_NUMBER: _ClassVar[int]
    APPS_FIELD_NUMBER: _ClassVar[int]
    DEVICE_GROUP_FIELD_NUMBER: _ClassVar[int]
    APP_REPORTS_FIELD_NUMBER: _ClassVar[int]
    HOST_FIELD_NUMBER: _ClassVar[int]
    LAST_SEEN_FIELD_NUMBER: _ClassVar[int]
    STATE_FIELD_NUMBER: _ClassVar[int]
    AGENT_VERSION_FIELD_NUMBER: _ClassVar[int]
    SYNCED_FIELD_NUMBER: _ClassVar[int]
    UNKNOWN_APPS_FIELD_NUMBER: _ClassVar[int]
    REJECTED_RECORDS_FIELD_NUMBER: _ClassVar[int]
    id: str
    hostname: str
    apps: _containers.RepeatedScalarFieldContainer[str]
    device_group: str
    app_reports: _containers.RepeatedCompositeFieldContainer[_worker_report_pb2.AppReport]
    host: _worker_report_pb2.HostFacts
    last_seen: _timestamp_pb2.Timestamp
    state: Worker.State
    agent_version: str
    synced: bool
    unknown_apps: _containers.RepeatedScalarFieldContainer[str]
    rejected_records: _containers.RepeatedCompositeFieldContainer[_worker_report_pb2.RejectedRecord]
    def __init__(self, id: _Optional[str] = ..., hostname: _Optional[str] = ..., apps: _Optional[_Iterable[str]] = ..., device_group: _Optional[str] = ..., app_reports: _Optional[_Iterable[_Union[_worker_report_pb2.AppReport, _Mapping]]] = ..., host: _Optional[_Union[_worker_report_pb2.HostFacts, _Mapping]] = ..., last_seen: _Optional[_Union[_timestamp_pb2.Timestamp, _Mapping]] = ..., state: _Optional[_Union[Worker.State, str]] = ..., agent_version: _Optional[str] = ..., synced: bool = ..., unknown_apps: _Optional[_Iterable[str]] = ..., rejected_records: _Optional[_Iterable[_Union[_worker_report_pb2.RejectedRecord, _Mapping]]] = ...) -> None: ...

class AppStatus(_message.Message):
    __slots__ = ("app", "generation", "hosts_desired", "hosts_observed", "hosts_converged", "hosts_failed", "failing_hosts", "rollout", "hosts_ahead", "ahead_hosts")
    class Rollout(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
        __slots__ = ()
        ROLLOUT_UNSPECIFIED: _ClassVar[AppStatus.Rollout]
        PROGRESSING: _ClassVar[AppStatus.Rollout]
        CONVERGED: _ClassVar[AppStatus.Rollout]
        FAILED: _ClassVar[AppStatus.Rollout]
    ROLLOUT_UNSPECIFIED: AppStatus.Rollout
    PROGRESSING: AppStatus.Rollout
    CONVERGED: AppStatus.Rollout
    FAILED: AppStatus.Rollout
    APP_FIELD_NUMBER: _ClassVar[int]
    GENERATION_FIELD_NUMBER: _ClassVar[int]
    HOSTS_DESIRED_FIELD_NUMBER: _ClassVar[int]
    HOSTS_OBSERVED_FIELD_NUMBER: _ClassVar[int]
    HOSTS_CONVERGED_FIELD_NUMBER: _ClassVar[int]
    HOSTS_FAILED_FIELD_NUMBER: _ClassVar[int]
    FAILING_HOSTS_FIELD_NUMBER: _ClassVar[int]
    ROLLOUT_FIELD_NUMBER: _ClassVar[int]
    HOSTS_AHEAD_FIELD_NUMBER: _ClassVar[int]
    AHEAD_HOSTS_FIELD_NUMBER: _ClassVar[int]
    app: str
    generation: int
    hosts_desired: int
    hosts_observed: int
    hosts_converged: int
    hosts_failed: int
    failing_hosts: _containers.RepeatedCompositeFieldContainer[FailingHost]
    rollout: AppStatus.Rollout
    hosts_ahead: int
    ahead_hosts: _containers.RepeatedCompositeFieldContainer[AheadHost]
    def __init__(self, app: _Optional[str] = ..., generation: _Optional[int] = ..., hosts_desired: _Optional[int] = ..., hosts_observed: _Optional[int] = ..., hosts_converged: _Optional[int] = ..., hosts_failed: _Optional[int] = ..., failing_hosts: _Optional[_Iterable[_Union[FailingHost, _Mapping]]] = ..., rollout: _Optional[_Union[AppStatus.Rollout, str]] = ..., hosts_ahead: _Optional[int] = ..., ahead_hosts: _Optional[_Iterable[_Union[AheadHost, _Mapping]]] = ...) -> None: ...

class AheadHost(_message.Message):
    __slots__ = ("worker_id", "hostname", "generation")
    WORKER_ID_FIELD_NUMBER: _ClassVar[int]
    HOSTNAME_FIELD_NUMBER: _ClassVar[int]
    GENERATION_FIELD_NUMBER: _ClassVar[int]
    worker_id: str
    hostname: str
    generation: int
    def __init__(self, worker_id: _Optional[str] = ..., hostname: _Optional[str] = ..., generation: _Optional[int] = ...) -> None: ...

class FailingHost(_message.Message):
    __slots__ = ("worker_id", "hostname", "errors")
    WORKER_ID_FIELD_NUMBER: _ClassVar[int]
    HOSTNAME_FIELD_NUMBER: _ClassVar[int]
    ERRORS_FIELD_NUMBER: _ClassVar[int]
    worker_id: str
    hostname: str
    errors: _containers.RepeatedScalarFieldContainer[str]
    def __init__(self, worker_id: _Optional[str] = ..., hostname: _Optional[str] = ..., errors: _Optional[_Iterable[str]] = ...) -> None: ...
