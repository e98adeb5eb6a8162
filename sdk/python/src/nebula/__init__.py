"""Python SDK of the Nebula container orchestrator.

    import nebula
    with nebula.Client("127.0.0.1:50051", token="...") as client:
        app = client.create_app("web", image="nginx:1.27", containers_per={"instance": 2}, ports=["8080:80"])

Messages are the generated protobuf classes under :mod:`nebula.v1`; errors are in :mod:`nebula.errors`
(also re-exported here); :mod:`nebula.aio` is the asyncio twin of :class:`Client`.
"""
from nebula import errors, specs
from nebula.client import Client
from nebula.errors import (
    Aborted,
    AlreadyExists,
    Cancelled,
    DataLoss,
    DeadlineExceeded,
    FailedPrecondition,
    FieldViolation,
    Internal,
    InvalidArgument,
    NebulaError,
    NotFound,
    OutOfRange,
    PermissionDenied,
    ResourceExhausted,
    Unauthenticated,
    Unavailable,
    Unimplemented,
    Unknown,
)
from nebula.rollout import RolloutFailed
from nebula.specs import app_spec, cron_job_spec

__version__ = "0.2.0"

__all__ = [
    "Client", "RolloutFailed", "app_spec", "cron_job_spec", "errors", "specs", "FieldViolation", "NebulaError",
    "Aborted", "AlreadyExists", "Cancelled", "DataLoss", "DeadlineExceeded", "FailedPrecondition", "Internal",
    "InvalidArgument", "NotFound", "OutOfRange", "PermissionDenied", "ResourceExhausted", "Unauthenticated",
    "Unavailable", "Unimplemented", "Unknown",
]
