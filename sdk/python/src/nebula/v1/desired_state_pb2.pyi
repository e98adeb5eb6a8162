from google.protobuf import timestamp_pb2 as _timestamp_pb2
from nebula.v1 import app_pb2 as _app_pb2
from nebula.v1 import cron_job_pb2 as _cron_job_pb2
from nebula.v1 import device_group_pb2 as _device_group_pb2
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from typing import ClassVar as _ClassVar, Mapping as _Mapping, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class DesiredState(_message.Message):
    __slots__ = ("key", "generation", "deleted", "commit_time", "app", "device_group", "cron_job")
    KEY_FIELD_NUMBER: _ClassVar[int]
    GENERATION_FIELD_NUMBER: _ClassVar[int]
    DELETED_FIELD_NUMBER: _ClassVar[int]
    COMMIT_TIME_FIELD_NUMBER: _ClassVar[int]
    APP_FIELD_NUMBER: _ClassVar[int]
    DEVICE_GROUP_FIELD_NUMBER: _ClassVar[int]
    CRON_JOB_FIELD_NUMBER: _ClassVar[int]
    GLOBAL_FIELD_NUMBER: _ClassVar[int]
    key: str
    generation: int
    deleted: bool
    commit_time: _timestamp_pb2.Timestamp
    app: _app_pb2.App
    device_group: _device_group_pb2.DeviceGroup
    cron_job: _cron_job_pb2.CronJob
    def __init__(self, key: _Optional[str] = ..., generation: _Optional[int] = ..., deleted: bool = ..., commit_time: _Optional[_Union[_timestamp_pb2.Timestamp, _Mapping]] = ..., app: _Optional[_Union[_app_pb2.App, _Mapping]] = ..., device_group: _Optional[_Union[_device_group_pb2.DeviceGroup, _Mapping]] = ..., cron_job: _Optional[_Union[_cron_job_pb2.CronJob, _Mapping]] = ..., **kwargs) -> None: ...

class GlobalSettings(_message.Message):
    __slots__ = ("prune_generation",)
    PRUNE_GENERATION_FIELD_NUMBER: _ClassVar[int]
    prune_generation: int
    def __init__(self, prune_generation: _Optional[int] = ...) -> None: ...

class SignedRecord(_message.Message):
    __slots__ = ("payload", "key_id", "signature")
    PAYLOAD_FIELD_NUMBER: _ClassVar[int]
    KEY_ID_FIELD_NUMBER: _ClassVar[int]
    SIGNATURE_FIELD_NUMBER: _ClassVar[int]
    payload: bytes
    key_id: str
    signature: bytes
    def __init__(self, payload: _Optional[bytes] = ..., key_id: _Optional[str] = ..., signature: _Optional[bytes] = ...) -> None: ...
