"""One exception class per gRPC status code, all under :class:`NebulaError`.

``InvalidArgument`` (and any error whose status carries a ``google.rpc.BadRequest``) exposes the server's
per-field complaints as ``.field_violations``: a list of :class:`FieldViolation` (field path, description).
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Dict, List, Optional, Sequence, Tuple, Type

import grpc
from google.rpc import error_details_pb2, status_pb2

_STATUS_DETAILS_KEY = "grpc-status-details-bin"


@dataclass(frozen=True)
class FieldViolation:
    field: str
    description: str


class NebulaError(Exception):
    """An RPC failed. ``code`` is the grpc.StatusCode, ``details`` the server's message."""

    code: grpc.StatusCode = grpc.StatusCode.UNKNOWN

    def __init__(
        self,
        details: str,
        *,
        field_violations: Sequence[FieldViolation] = (),
        code: Optional[grpc.StatusCode] = None,
    ) -> None:
        super().__init__(details)
        self.details = details
        self.field_violations: List[FieldViolation] = list(field_violations)
        if code is not None:
            self.code = code

    def __str__(self) -> str:
        text = f"{self.code.name}: {self.details}"
        for v in self.field_violations:
            text += f"\n  {v.field}: {v.description}"
        return text


class Cancelled(NebulaError):
    code = grpc.StatusCode.CANCELLED


class Unknown(NebulaError):
    code = grpc.StatusCode.UNKNOWN


class InvalidArgument(NebulaError):
    code = grpc.StatusCode.INVALID_ARGUMENT


class DeadlineExceeded(NebulaError):
    code = grpc.StatusCode.DEADLINE_EXCEEDED


class NotFound(NebulaError):
    code = grpc.StatusCode.NOT_FOUND


class AlreadyExists(NebulaError):
    code = grpc.StatusCode.ALREADY_EXISTS


class PermissionDenied(NebulaError):
    code = grpc.StatusCode.PERMISSION_DENIED


class ResourceExhausted(NebulaError):
    code = grpc.StatusCode.RESOURCE_EXHAUSTED


class FailedPrecondition(NebulaError):
    code = grpc.StatusCode.FAILED_PRECONDITION


class Aborted(NebulaError):
    code = grpc.StatusCode.ABORTED


class OutOfRange(NebulaError):
    code = grpc.StatusCode.OUT_OF_RANGE


class Unimplemented(NebulaError):
    code = grpc.StatusCode.UNIMPLEMENTED


class Internal(NebulaError):
    code = grpc.StatusCode.INTERNAL


class Unavailable(NebulaError):
    code = grpc.StatusCode.UNAVAILABLE


class DataLoss(NebulaError):
    code = grpc.StatusCode.DATA_LOSS


class Unauthenticated(NebulaError):
    code = grpc.StatusCode.UNAUTHENTICATED


_BY_CODE: Dict[grpc.StatusCode, Type[NebulaError]] = {
    cls.code: cls
    for cls in (
        Cancelled, Unknown, InvalidArgument, DeadlineExceeded, NotFound, AlreadyExists, PermissionDenied,
        ResourceExhausted, FailedPrecondition, Aborted, OutOfRange, Unimplemented, Internal, Unavailable,
        DataLoss, Unauthenticated,
    )
}


def field_violations_from_trailers(trailers: Optional[Sequence[Tuple[str, object]]]) -> List[FieldViolation]:
    """Decodes google.rpc.BadRequest field violations from a grpc-status-details-bin trailer."""
    violations: List[FieldViolation] = []
    for key, value in trailers or ():
        if key != _STATUS_DETAILS_KEY or not isinstance(value, (bytes, bytearray)):
            continue
        status = status_pb2.Status()
        try:
            status.ParseFromString(bytes(value))
        except Exception:  # a malformed trailer must not hide the real error
            continue
        for detail in status.details:
            if detail.Is(error_details_pb2.BadRequest.DESCRIPTOR):
                bad_request = error_details_pb2.BadRequest()
                detail.Unpack(bad_request)
                violations += [FieldViolation(v.field, v.description) for v in bad_request.field_violations]
    return violations


def error_for(code: grpc.StatusCode, details: str, trailers: Optional[Sequence[Tuple[str, object]]]) -> NebulaError:
    cls = _BY_CODE.get(code, NebulaError)
    return cls(details or code.name, field_violations=field_violations_from_trailers(trailers), code=code)


def from_rpc_error(error: grpc.RpcError) -> NebulaError:
    """Maps a grpc.RpcError (sync grpc.Call or grpc.aio.AioRpcError) to its NebulaError subclass."""
    code = error.code() if hasattr(error, "code") else grpc.StatusCode.UNKNOWN  # type: ignore[attr-defined]
    details = error.details() if hasattr(error, "details") else str(error)  # type: ignore[attr-defined]
    trailers = error.trailing_metadata() if hasattr(error, "trailing_metadata") else None  # type: ignore[attr-defined]
    return error_for(code, details or "", trailers)  # type: ignore[arg-type]


__all__ = ["FieldViolation", "NebulaError", "from_rpc_error", "field_violations_from_trailers"] + [
    cls.__name__ for cls in _BY_CODE.values()
]
