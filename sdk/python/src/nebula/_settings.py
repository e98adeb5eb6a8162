"""What both clients share: where to connect, which credential to send, how to retry. Pure."""
from __future__ import annotations

import base64
import os
from dataclasses import dataclass
from pathlib import Path
from typing import List, Mapping, Optional, Tuple, Union

import grpc

DEFAULT_ENDPOINT = "127.0.0.1:50051"
# Reads are retried on UNAVAILABLE after 0.1 s, 0.2 s, 0.4 s ... (capped at 2 s), within the call's deadline.
RETRY_INITIAL_BACKOFF = 0.1
RETRY_MAX_BACKOFF = 2.0

Metadata = Tuple[Tuple[str, str], ...]


@dataclass(frozen=True)
class Settings:
    endpoint: str
    metadata: Metadata
    tls: bool
    root_certificates: Optional[bytes]
    timeout: Optional[float]
    max_attempts: int

    def channel_credentials(self) -> grpc.ChannelCredentials:
        return grpc.ssl_channel_credentials(root_certificates=self.root_certificates)


def resolve(
    endpoint: Optional[str],
    token: Optional[str],
    username: Optional[str],
    password: Optional[str],
    tls: bool,
    root_certificates: Union[bytes, str, Path, None],
    timeout: Optional[float],
    max_attempts: int,
    environ: Mapping[str, str] = os.environ,
) -> Settings:
    """Explicit arguments win over NEBULA_ENDPOINT / NEBULA_TOKEN / NEBULA_USER / NEBULA_PASSWORD."""
    if token is not None and username is not None:
        raise ValueError("give either token or username/password, not both")
    if username is None and password is not None:
        raise ValueError("password given without username")
    if token is None and username is None:
        token = environ.get("NEBULA_TOKEN") or None
        if token is None:
            username = environ.get("NEBULA_USER") or None
    if username is not None and password is None:
        password = environ.get("NEBULA_PASSWORD", "")
    if max_attempts < 1:
        raise ValueError("max_attempts must be at least 1")
    certificates = _read_certificates(root_certificates)
    return Settings(
        endpoint=endpoint or environ.get("NEBULA_ENDPOINT") or DEFAULT_ENDPOINT,
        metadata=authorization_metadata(token, username, password),
        tls=tls or certificates is not None,
        root_certificates=certificates,
        timeout=timeout,
        max_attempts=max_attempts,
    )


def authorization_metadata(token: Optional[str], username: Optional[str], password: Optional[str]) -> Metadata:
    if token:
        return (("authorization", f"Bearer {token}"),)
    if username:
        pair = f"{username}:{password or ''}".encode()
        return (("authorization", "Basic " + base64.b64encode(pair).decode("ascii")),)
    return ()


def _read_certificates(value: Union[bytes, str, Path, None]) -> Optional[bytes]:
    """PEM bytes, PEM text, or a path to a PEM file."""
    if value is None or isinstance(value, bytes):
        return value
    if isinstance(value, str) and "-----BEGIN" in value:
        return value.encode()
    return Path(value).read_bytes()


def backoff(attempt: int) -> float:
    """Seconds to wait before retry number `attempt` (1-based)."""
    return min(RETRY_INITIAL_BACKOFF * (2 ** (attempt - 1)), RETRY_MAX_BACKOFF)


def merge_metadata(base: Metadata, extra: Optional[List[Tuple[str, str]]]) -> Metadata:
    return base + tuple(extra or ())
