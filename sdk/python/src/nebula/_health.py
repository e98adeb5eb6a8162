"""grpc.health.v1.Health/Check without the grpcio-health-checking dependency: both messages are one field."""
from __future__ import annotations

HEALTH_CHECK_METHOD = "/grpc.health.v1.Health/Check"
API_MANAGER_SERVICE = "nebula.v1.ApiManager"
_SERVING = 1


def _varint(value: int) -> bytes:
    out = bytearray()
    while True:
        byte, value = value & 0x7F, value >> 7
        out.append(byte | (0x80 if value else 0))
        if not value:
            return bytes(out)


def encode_request(service: str) -> bytes:
    """HealthCheckRequest{service = 1}."""
    data = service.encode()
    return b"\x0a" + _varint(len(data)) + data if data else b""


def decode_serving(response: bytes) -> bool:
    """True if HealthCheckResponse.status (field 1, varint) is SERVING."""
    status, shift, i = 0, 0, 0
    while i < len(response):
        key = response[i]
        i += 1
        if key != 0x08:  # only field 1 exists in this message
            return False
        status = shift = 0
        while i < len(response):
            byte = response[i]
            i += 1
            status |= (byte & 0x7F) << shift
            shift += 7
            if not byte & 0x80:
                break
    return status == _SERVING
