"""Deciding when a rollout is over. Pure."""
from __future__ import annotations

from nebula.v1 import worker_pb2


class RolloutFailed(Exception):
    """The app's rollout ended FAILED; ``.status`` holds the counters and the failing hosts' errors."""

    def __init__(self, status: worker_pb2.AppStatus) -> None:
        hosts = "; ".join(f"{h.worker_id}: {', '.join(h.errors)}" for h in status.failing_hosts)
        super().__init__(f"rollout of {status.app} generation {status.generation} failed"
                         + (f" ({hosts})" if hosts else ""))
        self.status = status


def rollout_done(status: worker_pb2.AppStatus, generation: int) -> bool:
    """True when ``status`` is a final outcome (CONVERGED or FAILED) of ``generation`` or a later one."""
    return status.generation >= generation and status.rollout in (worker_pb2.AppStatus.CONVERGED,
                                                                  worker_pb2.AppStatus.FAILED)
