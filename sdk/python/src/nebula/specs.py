"""Builds AppSpec / CronJobSpec messages from plain Python values.

Every argument also accepts the proto message itself, so callers can mix both styles::

    app_spec("nginx:1.27", containers_per={"instance": 3}, ports=["8080:80", "127.0.0.1:9090:90/udp"],
             env={"MODE": "prod"}, volumes=["/data:/var/data:ro"], update_strategy={"rolling": True})
"""
from __future__ import annotations

from typing import Any, Dict, Iterable, List, Mapping, Optional, Sequence, TypedDict, Union

from nebula.v1 import app_pb2, cron_job_pb2

PortLike = Union[str, int, Mapping[str, Any], app_pb2.PortMapping]
VolumeLike = Union[str, Mapping[str, Any], app_pb2.VolumeMount]
DeviceLike = Union[str, Mapping[str, Any], app_pb2.DeviceMapping]
ContainersPerLike = Union[Mapping[str, Union[int, float]], app_pb2.ContainersPer]
UpdateStrategyLike = Union[Mapping[str, Any], app_pb2.UpdateStrategy]
ResourcesLike = Union[Mapping[str, Union[int, float]], app_pb2.Resources]
PullPolicyLike = Union[str, int]
RestartPolicyLike = Union[str, int]


class AppSpecFields(TypedDict, total=False):
    """The keyword arguments of :func:`app_spec` (and of create_app / update_app)."""

    image: str
    running: bool
    containers_per: ContainersPerLike
    ports: Sequence[PortLike]
    env: Mapping[str, str]
    volumes: Sequence[VolumeLike]
    devices: Sequence[DeviceLike]
    privileged: bool
    networks: Sequence[str]
    update_strategy: UpdateStrategyLike
    pull_policy: PullPolicyLike
    command: Sequence[str]
    args: Sequence[str]
    resources: ResourcesLike
    labels: Mapping[str, str]
    restart_policy: RestartPolicyLike


class CronJobSpecFields(TypedDict, total=False):
    """The keyword arguments of :func:`cron_job_spec` (and of create_cron_job / update_cron_job)."""

    image: str
    env: Mapping[str, str]
    volumes: Sequence[VolumeLike]
    devices: Sequence[DeviceLike]
    privileged: bool
    networks: Sequence[str]
    command: Sequence[str]
    args: Sequence[str]
    resources: ResourcesLike
    pull_policy: PullPolicyLike


APP_SPEC_FIELDS = tuple(AppSpecFields.__annotations__)
CRON_JOB_SPEC_FIELDS = tuple(CronJobSpecFields.__annotations__)


def port_mapping(port: PortLike) -> app_pb2.PortMapping:
    """ "8080:80", "8080:80/udp", "127.0.0.1:8080:80", 80 (same port both sides), a dict, or a PortMapping."""
    if isinstance(port, app_pb2.PortMapping):
        return port
    if isinstance(port, int):
        return app_pb2.PortMapping(host_port=port, container_port=port)
    if isinstance(port, Mapping):
        fields = dict(port)
        if isinstance(fields.get("protocol"), str):
            fields["protocol"] = _protocol(fields["protocol"])
        return app_pb2.PortMapping(**fields)
    text, _, proto = str(port).partition("/")
    parts = text.rsplit(":", 2)
    try:
        if len(parts) == 1:
            host_ip, host, container = "", parts[0], parts[0]
        elif len(parts) == 2:
            host_ip, (host, container) = "", parts
        else:
            host_ip, host, container = parts
        return app_pb2.PortMapping(host_port=int(host), container_port=int(container), host_ip=host_ip,
                                   protocol=_protocol(proto) if proto else app_pb2.PROTOCOL_UNSPECIFIED)
    except ValueError as e:
        raise ValueError(f"port {port!r}: expected [host_ip:]host_port:container_port[/tcp|udp]") from e


def _protocol(name: str) -> Any:  # an app_pb2.Protocol value
    try:
        return app_pb2.Protocol.Value("PROTOCOL_" + name.upper())
    except ValueError as e:
        raise ValueError(f"protocol {name!r}: expected tcp or udp") from e


def volume_mount(volume: VolumeLike) -> app_pb2.VolumeMount:
    """ "/host:/container", "/host:/container:ro", a dict, or a VolumeMount."""
    if isinstance(volume, app_pb2.VolumeMount):
        return volume
    if isinstance(volume, Mapping):
        return app_pb2.VolumeMount(**volume)
    parts = str(volume).split(":")
    if len(parts) == 2:
        return app_pb2.VolumeMount(source=parts[0], target=parts[1])
    if len(parts) == 3 and parts[2] in ("ro", "rw"):
        return app_pb2.VolumeMount(source=parts[0], target=parts[1], read_only=parts[2] == "ro")
    raise ValueError(f"volume {volume!r}: expected source:target[:ro|rw]")


def device_mapping(device: DeviceLike) -> app_pb2.DeviceMapping:
    """ "/dev/x", "/dev/x:/dev/y", "/dev/x:/dev/y:rwm", a dict, or a DeviceMapping."""
    if isinstance(device, app_pb2.DeviceMapping):
        return device
    if isinstance(device, Mapping):
        return app_pb2.DeviceMapping(**device)
    parts = str(device).split(":")
    if len(parts) == 1:
        return app_pb2.DeviceMapping(host_path=parts[0], container_path=parts[0])
    if len(parts) in (2, 3):
        return app_pb2.DeviceMapping(host_path=parts[0], container_path=parts[1],
                                     permissions=parts[2] if len(parts) == 3 else "")
    raise ValueError(f"device {device!r}: expected host_path[:container_path[:permissions]]")


def containers_per(value: ContainersPerLike) -> app_pb2.ContainersPer:
    """{"instance": 3}, {"cpu": 1.5} or {"memory_mb": 512} (exactly one key), or a ContainersPer."""
    if isinstance(value, app_pb2.ContainersPer):
        return value
    if len(value) != 1:
        raise ValueError("containers_per: give exactly one of instance, cpu, memory_mb")
    return app_pb2.ContainersPer(**value)  # type: ignore[arg-type]  # one of three differently typed keys


def _enum(enum_type: Any, prefix: str, value: Union[str, int], what: str) -> Any:  # a value of enum_type
    if isinstance(value, int):
        return value
    try:
        return enum_type.Value(prefix + value.upper().replace("-", "_"))
    except ValueError as e:
        names = [n[len(prefix):].lower() for n in enum_type.keys() if not n.endswith("UNSPECIFIED")]
        raise ValueError(f"{what} {value!r}: expected one of {', '.join(names)}") from e


def _message(cls: Any, value: Any) -> Any:
    return value if isinstance(value, cls) else cls(**value)


def _common_fields(spec: Any, fields: Mapping[str, Any]) -> None:
    """Fields AppSpec and CronJobSpec share."""
    if fields.get("image") is not None:
        spec.image = fields["image"]
    if fields.get("env") is not None:
        spec.env.update(fields["env"])
    if fields.get("volumes") is not None:
        spec.volumes.extend(volume_mount(v) for v in fields["volumes"])
    if fields.get("devices") is not None:
        spec.devices.extend(device_mapping(d) for d in fields["devices"])
    if fields.get("privileged") is not None:
        spec.privileged = fields["privileged"]
    if fields.get("networks") is not None:
        spec.networks.extend(fields["networks"])
    if fields.get("command") is not None:
        spec.command.extend(fields["command"])
    if fields.get("args") is not None:
        spec.args.extend(fields["args"])
    if fields.get("resources") is not None:
        spec.resources.CopyFrom(_message(app_pb2.Resources, fields["resources"]))
    if fields.get("pull_policy") is not None:
        spec.pull_policy = _enum(app_pb2.PullPolicy, "PULL_POLICY_", fields["pull_policy"], "pull_policy")


def _check_names(fields: Mapping[str, Any], allowed: Iterable[str], what: str) -> None:
    unknown = sorted(set(fields) - set(allowed))
    if unknown:
        raise TypeError(f"unknown {what} field(s): {', '.join(unknown)}")


def app_spec(image: Optional[str] = None, **fields: Any) -> app_pb2.AppSpec:
    """An AppSpec from :class:`AppSpecFields` keyword arguments (None means "not set")."""
    if image is not None:
        fields["image"] = image
    _check_names(fields, APP_SPEC_FIELDS, "app spec")
    spec = app_pb2.AppSpec()
    _common_fields(spec, fields)
    if fields.get("running") is not None:
        spec.running = fields["running"]
    if fields.get("containers_per") is not None:
        spec.containers_per.CopyFrom(containers_per(fields["containers_per"]))
    if fields.get("ports") is not None:
        spec.ports.extend(port_mapping(p) for p in fields["ports"])
    if fields.get("update_strategy") is not None:
        spec.update_strategy.CopyFrom(_message(app_pb2.UpdateStrategy, fields["update_strategy"]))
    if fields.get("labels") is not None:
        spec.labels.update(fields["labels"])
    if fields.get("restart_policy") is not None:
        spec.restart_policy = _enum(app_pb2.RestartPolicy, "RESTART_POLICY_", fields["restart_policy"],
                                    "restart_policy")
    return spec


def cron_job_spec(image: Optional[str] = None, **fields: Any) -> cron_job_pb2.CronJobSpec:
    """A CronJobSpec from :class:`CronJobSpecFields` keyword arguments."""
    if image is not None:
        fields["image"] = image
    _check_names(fields, CRON_JOB_SPEC_FIELDS, "cron job spec")
    spec = cron_job_pb2.CronJobSpec()
    _common_fields(spec, fields)
    return spec


def given(fields: Mapping[str, Any]) -> Dict[str, Any]:
    """The keyword arguments that were actually given (not None)."""
    return {k: v for k, v in fields.items() if v is not None}


def mask_paths(prefix: str, fields: Iterable[str]) -> List[str]:
    return [f"{prefix}{name}" for name in fields]
