from google.protobuf import timestamp_pb2 as _timestamp_pb2
from google.protobuf.internal import containers as _containers
from google.protobuf.internal import enum_type_wrapper as _enum_type_wrapper
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from typing import ClassVar as _ClassVar, Iterable as _Iterable, Mapping as _Mapping, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class Protocol(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    PROTOCOL_UNSPECIFIED: _ClassVar[Protocol]
    PROTOCOL_TCP: _ClassVar[Protocol]
    PROTOCOL_UDP: _ClassVar[Protocol]

class PullPolicy(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    PULL_POLICY_UNSPECIFIED: _ClassVar[PullPolicy]
    PULL_POLICY_IF_NOT_PRESENT: _ClassVar[PullPolicy]
    PULL_POLICY_ALWAYS: _ClassVar[PullPolicy]
    PULL_POLICY_NEVER: _ClassVar[PullPolicy]

class RestartPolicy(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    RESTART_POLICY_UNSPECIFIED: _ClassVar[RestartPolicy]
    RESTART_POLICY_NO: _ClassVar[RestartPolicy]
    RESTART_POLICY_ALWAYS: _ClassVar[RestartPolicy]
    RESTART_POLICY_ON_FAILURE: _ClassVar[RestartPolicy]
    RESTART_POLICY_UNLESS_STOPPED: _ClassVar[RestartPolicy]
PROTOCOL_UNSPECIFIED: Protocol
PROTOCOL_TCP: Protocol
PROTOCOL_UDP: Protocol
PULL_POLICY_UNSPECIFIED: PullPolicy
PULL_POLICY_IF_NOT_PRESENT: PullPolicy
PULL_POLICY_ALWAYS: PullPolicy
PULL_POLICY_NEVER: PullPolicy
RESTART_POLICY_UNSPECIFIED: RestartPolicy
RESTART_POLICY_NO: RestartPolicy
RESTART_POLICY_ALWAYS: RestartPolicy
RESTART_POLICY_ON_FAILURE: RestartPolicy
RESTART_POLICY_UNLESS_STOPPED: RestartPolicy

class App(_message.Message):
    __slots__ = ("name", "spec", "generation", "create_time", "update_time")
    NAME_FIELD_NUMBER: _ClassVar[int]
    SPEC_FIELD_NUMBER: _ClassVar[int]
    GENERATION_FIELD_NUMBER: _ClassVar[int]
    CREATE_TIME_FIELD_NUMBER: _ClassVar[int]
    UPDATE_TIME_FIELD_NUMBER: _ClassVar[int]
    name: str
    spec: AppSpec
    generation: int
    create_time: _timestamp_pb2.Timestamp
    update_time: _timestamp_pb2.Timestamp
    def __init__(self, name: _Optional[str] = ..., spec: _Optional[_Union[AppSpec, _Mapping]] = ..., generation: _Optional[int] = ..., create_time: _Optional[_Union[_timestamp_pb2.Timestamp, _Mapping]] = ..., update_time: _Optional[_Union[_timestamp_pb2.Timestamp, _Mapping]] = ...) -> None: ...

class AppSpec(_message.Message):
    __slots__ = ("image", "running", "containers_per", "ports", "env", "volumes", "devices", "privileged", "networks", "update_strategy", "pull_policy", "restart_nonce", "command", "args", "resources", "labels", "restart_policy", "pull_nonce")
    class EnvEntry(_message.Message):
        __slots__ = ("key", "value")
        KEY_FIELD_NUMBER: _ClassVar[int]
        VALUE_FIELD_NUMBER: _ClassVar[int]
        key: str
        value: str
        def __init__(self, key: _Optional[str] = ..., value: _Optional[str] = ...) -> None: ...
    class LabelsEntry(_message.Message):
        __slots__ = ("key", "value")
        KEY_FIELD_NUMBER: _ClassVar[int]
        VALUE_FIELD_NUMBER: _ClassVar[int]
        key: str
        value: str
        def __init__(self, key: _Optional[str] = ..., value: _Optional[str] = ...) -> None: ...
    IMAGE_FIELD_NUMBER: _ClassVar[int]
    RUNNING_FIELD_NUMBER: _ClassVar[int]
    CONTAINERS_PER_FIELD_NUMBER: _ClassVar[int]
    PORTS_FIELD_NUMBER: _ClassVar[int]
    ENV_FIELD_NUMBER: _ClassVar[int]
    VOLUMES_FIELD_NUMBER: _ClassVar[int]
    DEVICES_FIELD_NUMBER: _ClassVar[int]
    PRIVILEGED_FIELD_NUMBER: _ClassVar[int]
    NETWORKS_FIELD_NUMBER: _ClassVar[int]
    UPDATE_STRATEGY_FIELD_NUMBER: _ClassVar[int]
    PULL_POLICY_FIELD_NUMBER: _ClassVar[int]
    RESTART_NONCE_FIELD_NUMBER: _ClassVar[int]
    COMMAND_FIELD_NUMBER: _ClassVar[int]
    ARGS_FIELD_NUMBER: _ClassVar[int]
    RESOURCES_FIELD_NUMBER: _ClassVar[int]
    LABELS_FIELD_NUMBER: _ClassVar[int]
    RESTART_POLICY_FIELD_NUMBER: _ClassVar[int]
    PULL_NONCE_FIELD_NUMBER: _ClassVar[int]
    image: str
    running: bool
    containers_per: ContainersPer
    ports: _containers.RepeatedCompositeFieldContainer[PortMapping]
    env: _containers.ScalarMap[str, str]
    volumes: _containers.RepeatedCompositeFieldContainer[VolumeMount]
    devices: _containers.RepeatedCompositeFieldContainer[DeviceMapping]
    privileged: bool
    networks: _containers.RepeatedScalarFieldContainer[str]
    update_strategy: UpdateStrategy
    pull_policy: PullPolicy
    restart_nonce: int
    command: _containers.RepeatedScalarFieldContainer[str]
    args: _containers.RepeatedScalarFieldContainer[str]
    resources: Resources
    labels: _containers.ScalarMap[str, str]
    restart_policy: RestartPolicy
    pull_nonce: int
    def __init__(self, image: _Optional[str] = ..., running: bool = ..., containers_per: _Optional[_Union[ContainersPer, _Mapping]] = ..., ports: _Optional[_Iterable[_Union[PortMapping, _Mapping]]] = ..., env: _Optional[_Mapping[str, str]] = ..., volumes: _Optional[_Iterable[_Union[VolumeMount, _Mapping]]] = ..., devices: _Optional[_Iterable[_Union[DeviceMapping, _Mapping]]] = ..., privileged: bool = ..., networks: _Optional[_Iterable[str]] = ..., update_strategy: _Optional[_Union[UpdateStrategy, _Mapping]] = ..., pull_policy: _Optional[_Union[PullPolicy, str]] = ..., restart_nonce: _Optional[int] = ..., command: _Optional[_Iterable[str]] = ..., args: _Optional[_Iterable[str]] = ..., resources: _Optional[_Union[Resources, _Mapping]] = ..., labels: _Optional[_Mapping[str, str]] = ..., restart_policy: _Optional[_Union[RestartPolicy, str]] = ..., pull_nonce: _Optional[int] = ...) -> None: ...

class ContainersPer(_message.Message):
    __slots__ = ("cpu", "memory_mb", "instance")
    CPU_FIELD_NUMBER: _ClassVar[int]
    MEMORY_MB_FIELD_NUMBER: _ClassVar[int]
    INSTANCE_FIELD_NUMBER: _ClassVar[int]
    cpu: float
    memory_mb: int
    instance: int
    def __init__(self, cpu: _Optional[float] = ..., memory_mb: _Optional[int] = ..., instance: _Optional[int] = ...) -> None: ...

class PortMapping(_message.Message):
    __slots__ = ("host_port", "container_port", "protocol", "host_ip")
    HOST_PORT_FIELD_NUMBER: _ClassVar[int]
    CONTAINER_PORT_FIELD_NUMBER: _ClassVar[int]
    PROTOCOL_FIELD_NUMBER: _ClassVar[int]
    HOST_IP_FIELD_NUMBER: _ClassVar[int]
    host_port: int
    container_port: int
    protocol: Protocol
    host_ip: str
    def __init__(self, host_port: _Optional[int] = ..., container_port: _Optional[int] = ..., protocol: _Optional[_Union[Protocol, str]] = ..., host_ip: _Optional[str] = ...) -> None: ...

class VolumeMount(_message.Message):
    __slots__ = ("source", "target", "read_only")
    SOURCE_FIELD_NUMBER: _ClassVar[int]
    TARGET_FIELD_NUMBER: _ClassVar[int]
    READ_ONLY_FIELD_NUMBER: _ClassVar[int]
    source: str
    target: str
    read_only: bool
    def __init__(self, source: _Optional[str] = ..., target: _Optional[str] = ..., read_only: bool = ...) -> None: ...

class DeviceMapping(_message.Message):
    __slots__ = ("host_path", "container_path", "permissions")
    HOST_PATH_FIELD_NUMBER: _ClassVar[int]
    CONTAINER_PATH_FIELD_NUMBER: _ClassVar[int]
    PERMISSIONS_FIELD_NUMBER: _ClassVar[int]
    host_path: str
    container_path: str
    permissions: str
    def __init__(self, host_path: _Optional[str] = ..., container_path: _Optional[str] = ..., permissions: _Optional[str] = ...) -> None: ...

class UpdateStrategy(_message.Message):
    __slots__ = ("rolling", "max_unavailable", "min_ready_seconds", "health_gated")
    ROLLING_FIELD_NUMBER: _ClassVar[int]
    MAX_UNAVAILABLE_FIELD_NUMBER: _ClassVar[int]
    MIN_READY_SECONDS_FIELD_NUMBER: _ClassVar[int]
    HEALTH_GATED_FIELD_NUMBER: _ClassVar[int]
    rolling: bool
    max_unavailable: int
    min_ready_seconds: int
    health_gated: bool
    def __init__(self, rolling: bool = ..., max_unavailable: _Optional[int] = ..., min_ready_seconds: _Optional[int] = ..., health_gated: bool = ...) -> None: ...

class Resources(_message.Message):
    __slots__ = ("cpus", "memory_mb")
    CPUS_FIELD_NUMBER: _ClassVar[int]
    MEMORY_MB_FIELD_NUMBER: _ClassVar[int]
    cpus: float
    memory_mb: int
    def __init__(self, cpus: _Optional[float] = ..., memory_mb: _Optional[int] = ...) -> None: ...
