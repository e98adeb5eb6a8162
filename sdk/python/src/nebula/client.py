"""The blocking client. :mod:`nebula.aio` has the same surface with ``async def`` methods."""
from __future__ import annotations

import time
from pathlib import Path
from typing import TYPE_CHECKING, Any, Iterator, Mapping, Optional, Sequence, Union

import grpc

from nebula import _health, _requests, _settings, errors
from nebula.rollout import RolloutFailed, rollout_done
from nebula.v1 import api_manager_pb2 as am
from nebula.v1 import api_manager_pb2_grpc, identity_pb2_grpc
from nebula.v1 import app_pb2, cron_job_pb2, device_group_pb2, desired_state_pb2, worker_pb2
from nebula.v1 import identity_pb2 as idm

if TYPE_CHECKING:
    from typing_extensions import Unpack

    from nebula.specs import AppSpecFields, CronJobSpecFields

AccessLike = _requests.AccessLike


class _HealthStub:
    """Gives the health method the shape of a generated stub, so it shares the retry/deadline plumbing."""

    def __init__(self, check: Any) -> None:
        self.Check = check


class Client:
    """A connection to a nebula-api-manager (services ApiManager and Identity).

    ``endpoint`` defaults to $NEBULA_ENDPOINT, then 127.0.0.1:50051. Credentials: ``token`` (sent as
    ``authorization: Bearer <token>``) or ``username``/``password`` (basic auth), else $NEBULA_TOKEN, else
    $NEBULA_USER/$NEBULA_PASSWORD, else none. ``tls=True`` (or ``root_certificates``: PEM bytes or a path)
    makes a TLS channel. ``timeout`` is every call's default deadline in seconds (None: no deadline); each
    method takes its own ``timeout=``. Reads (get/list/who_am_i) are retried on UNAVAILABLE with backoff,
    up to ``max_attempts`` attempts within the deadline; writes never are. Failures raise
    :class:`nebula.errors.NebulaError` subclasses, one per gRPC status code.
    """

    def __init__(
        self,
        endpoint: Optional[str] = None,
        token: Optional[str] = None,
        username: Optional[str] = None,
        password: Optional[str] = None,
        tls: bool = False,
        root_certificates: Union[bytes, str, Path, None] = None,
        timeout: Optional[float] = 30.0,
        *,
        max_attempts: int = 4,
        options: Optional[Sequence[tuple]] = None,
    ) -> None:
        self._settings = _settings.resolve(endpoint, token, username, password, tls, root_certificates, timeout,
                                           max_attempts)
        if self._settings.tls:
            self._channel = grpc.secure_channel(self._settings.endpoint, self._settings.channel_credentials(),
                                                options=options)
        else:
            self._channel = grpc.insecure_channel(self._settings.endpoint, options=options)
        self._api = api_manager_pb2_grpc.ApiManagerStub(self._channel)
        self._identity = identity_pb2_grpc.IdentityStub(self._channel)

    @property
    def endpoint(self) -> str:
        return self._settings.endpoint

    def close(self) -> None:
        self._channel.close()

    def __enter__(self) -> "Client":
        return self

    def __exit__(self, *exc: Any) -> None:
        self.close()

    # --- plumbing -------------------------------------------------------------------------------------

    def _deadline(self, timeout: Optional[float]) -> Optional[float]:
        seconds = self._settings.timeout if timeout is None else timeout
        return None if seconds is None else time.monotonic() + seconds

    def _unary(self, stub: Any, method: str, request: Any, timeout: Optional[float], idempotent: bool) -> Any:
        deadline = self._deadline(timeout)
        attempt = 1
        while True:
            remaining = None if deadline is None else max(deadline - time.monotonic(), 0.0)
            try:
                return getattr(stub, method)(request, timeout=remaining, metadata=self._settings.metadata)
            except grpc.RpcError as e:
                if idempotent and e.code() == grpc.StatusCode.UNAVAILABLE and attempt < self._settings.max_attempts:
                    pause = _settings.backoff(attempt)
                    if deadline is None or time.monotonic() + pause < deadline:
                        time.sleep(pause)
                        attempt += 1
                        continue
                raise errors.from_rpc_error(e) from None

    def _api_call(self, method: str, request: Any, timeout: Optional[float], idempotent: bool = False) -> Any:
        return self._unary(self._api, method, request, timeout, idempotent)

    def _identity_call(self, method: str, request: Any, timeout: Optional[float], idempotent: bool = False) -> Any:
        return self._unary(self._identity, method, request, timeout, idempotent)

    def check_health(self, service: str = _health.API_MANAGER_SERVICE, *,
                     timeout: Optional[float] = None) -> bool:
        """True if the server reports ``service`` SERVING (gRPC health protocol; needs no credential).

        Raises :class:`nebula.errors.Unavailable` if nothing answers, NotFound for a service it does not know.
        """
        call = self._channel.unary_unary(_health.HEALTH_CHECK_METHOD, request_serializer=_health.encode_request,
                                         response_deserializer=_health.decode_serving)
        return self._unary(_HealthStub(call), "Check", service, timeout, idempotent=True)

    # --- apps -----------------------------------------------------------------------------------------

    def create_app(self, name: str, spec: Optional[app_pb2.AppSpec] = None, *, timeout: Optional[float] = None,
                   **fields: "Unpack[AppSpecFields]") -> app_pb2.App:
        """Creates an app from an AppSpec or from spec keyword arguments (see :func:`nebula.specs.app_spec`).

        ``client.create_app("web", image="nginx:1.27", containers_per={"instance": 3}, ports=["8080:80"])``
        """
        return self._api_call("CreateApp", _requests.create_app(name, spec, fields), timeout)

    def get_app(self, name: str, *, timeout: Optional[float] = None) -> app_pb2.App:
        return self._api_call("GetApp", am.GetAppRequest(name=name), timeout, idempotent=True)

    def list_apps(self, *, page_size: int = 0, page_token: str = "",
                  timeout: Optional[float] = None) -> am.ListAppsResponse:
        """One page; :meth:`iter_apps` follows the page tokens for you."""
        return self._api_call("ListApps", am.ListAppsRequest(page_size=page_size, page_token=page_token), timeout,
                              idempotent=True)

    def iter_apps(self, *, page_size: int = 0, timeout: Optional[float] = None) -> Iterator[app_pb2.App]:
        """Every app, ordered by name, fetching pages as needed (``timeout`` applies per page)."""
        token = ""
        while True:
            page = self.list_apps(page_size=page_size, page_token=token, timeout=timeout)
            yield from page.apps
            token = page.next_page_token
            if not token:
                return

    def update_app(self, name: str, spec: Optional[app_pb2.AppSpec] = None, *,
                   update_mask: Optional[Sequence[str]] = None, expected_generation: int = 0,
                   timeout: Optional[float] = None, **fields: "Unpack[AppSpecFields]") -> app_pb2.App:
        """Changes an app's spec and bumps its generation.

        With spec keyword arguments only those fields change (``update_app("web", image="nginx:1.28")``
        sends update_mask ``spec.image``); with ``spec`` the whole spec is replaced unless ``update_mask``
        names paths. ``expected_generation`` makes it fail with Aborted if the app moved on.
        """
        request = _requests.update_app(name, spec, update_mask, expected_generation, fields)
        return self._api_call("UpdateApp", request, timeout)

    def delete_app(self, name: str, *, expected_generation: int = 0, force: bool = False,
                   timeout: Optional[float] = None) -> am.DeleteAppResponse:
        request = am.DeleteAppRequest(name=name, expected_generation=expected_generation, force=force)
        return self._api_call("DeleteApp", request, timeout)

    def start_app(self, name: str, *, expected_generation: int = 0, timeout: Optional[float] = None) -> app_pb2.App:
        return self._api_call("StartApp", am.StartAppRequest(name=name, expected_generation=expected_generation),
                              timeout)

    def stop_app(self, name: str, *, expected_generation: int = 0, timeout: Optional[float] = None) -> app_pb2.App:
        return self._api_call("StopApp", am.StopAppRequest(name=name, expected_generation=expected_generation),
                              timeout)

    def restart_app(self, name: str, *, rolling: Optional[bool] = None, expected_generation: int = 0,
                    timeout: Optional[float] = None) -> app_pb2.App:
        """Replaces every container; ``rolling`` also sets the app's update strategy in the same generation."""
        return self._api_call("RestartApp", _requests.restart_app(name, expected_generation, rolling), timeout)

    def pull_app(self, name: str, *, expected_generation: int = 0, timeout: Optional[float] = None) -> app_pb2.App:
        return self._api_call("PullApp", am.PullAppRequest(name=name, expected_generation=expected_generation),
                              timeout)

    def list_app_revisions(self, name: str, *, page_size: int = 0, page_token: str = "",
                           timeout: Optional[float] = None) -> am.ListAppRevisionsResponse:
        request = am.ListAppRevisionsRequest(name=name, page_size=page_size, page_token=page_token)
        return self._api_call("ListAppRevisions", request, timeout, idempotent=True)

    def iter_app_revisions(self, name: str, *, page_size: int = 0,
                           timeout: Optional[float] = None) -> Iterator[am.AppRevision]:
        """Every generation of the app, newest first."""
        token = ""
        while True:
            page = self.list_app_revisions(name, page_size=page_size, page_token=token, timeout=timeout)
            yield from page.revisions
            token = page.next_page_token
            if not token:
                return

    def rollback_app(self, name: str, generation: int, *, expected_generation: int = 0,
                     timeout: Optional[float] = None) -> app_pb2.App:
        """A new generation whose spec equals the spec of ``generation``."""
        request = am.RollbackAppRequest(name=name, generation=generation, expected_generation=expected_generation)
        return self._api_call("RollbackApp", request, timeout)

    # --- rollout status -------------------------------------------------------------------------------

    def get_app_status(self, name: str, *, timeout: Optional[float] = None) -> worker_pb2.AppStatus:
        return self._api_call("GetAppStatus", am.GetAppStatusRequest(name=name), timeout, idempotent=True)

    def watch_app_status(self, name: str, *, timeout: Optional[float] = None) -> Iterator[worker_pb2.AppStatus]:
        """Yields the app's AppStatus now and on every change until its rollout is CONVERGED or FAILED.

        ``timeout`` bounds the whole watch (default: none). A stream broken by UNAVAILABLE is re-opened
        (the server starts with the current status), up to ``max_attempts`` times in a row.
        """
        deadline = None if timeout is None else time.monotonic() + timeout
        failures = 0
        while True:
            remaining = None if deadline is None else max(deadline - time.monotonic(), 0.0)
            call = self._api.WatchAppStatus(am.WatchAppStatusRequest(name=name), timeout=remaining,
                                            metadata=self._settings.metadata)
            try:
                for status in call:
                    failures = 0
                    yield status
                return
            except grpc.RpcError as e:
                failures += 1
                if e.code() == grpc.StatusCode.UNAVAILABLE and failures < self._settings.max_attempts:
                    pause = _settings.backoff(failures)
                    if deadline is None or time.monotonic() + pause < deadline:
                        time.sleep(pause)
                        continue
                raise errors.from_rpc_error(e) from None
            finally:
                call.cancel()

    def wait_for_rollout(self, name: str, *, generation: int = 0,
                         timeout: Optional[float] = None) -> worker_pb2.AppStatus:
        """Blocks until the app's rollout at ``generation`` (or later) is CONVERGED and returns that status.

        Raises :class:`nebula.RolloutFailed` if it FAILED, :class:`nebula.errors.DeadlineExceeded` on timeout.
        """
        deadline = None if timeout is None else time.monotonic() + timeout
        while True:
            remaining = None if deadline is None else max(deadline - time.monotonic(), 0.0)
            for status in self.watch_app_status(name, timeout=remaining):
                if rollout_done(status, generation):
                    if status.rollout == worker_pb2.AppStatus.FAILED:
                        raise RolloutFailed(status)
                    return status
            if deadline is not None and time.monotonic() >= deadline:
                raise errors.DeadlineExceeded(f"rollout of {name} not done within {timeout} s")
            time.sleep(0.2)  # the watch ended on an older generation's outcome: look again

    # --- device groups --------------------------------------------------------------------------------

    def create_device_group(self, name: str, *, apps: Sequence[str] = (), cron_jobs: Sequence[str] = (),
                            timeout: Optional[float] = None) -> device_group_pb2.DeviceGroup:
        request = am.CreateDeviceGroupRequest(device_group=_requests.device_group(name, apps, cron_jobs))
        return self._api_call("CreateDeviceGroup", request, timeout)

    def get_device_group(self, name: str, *, timeout: Optional[float] = None) -> device_group_pb2.DeviceGroup:
        return self._api_call("GetDeviceGroup", am.GetDeviceGroupRequest(name=name), timeout, idempotent=True)

    def list_device_groups(self, *, page_size: int = 0, page_token: str = "",
                           timeout: Optional[float] = None) -> am.ListDeviceGroupsResponse:
        request = am.ListDeviceGroupsRequest(page_size=page_size, page_token=page_token)
        return self._api_call("ListDeviceGroups", request, timeout, idempotent=True)

    def iter_device_groups(self, *, page_size: int = 0,
                           timeout: Optional[float] = None) -> Iterator[device_group_pb2.DeviceGroup]:
        token = ""
        while True:
            page = self.list_device_groups(page_size=page_size, page_token=token, timeout=timeout)
            yield from page.device_groups
            token = page.next_page_token
            if not token:
                return

    def update_device_group(self, name: str, *, apps: Optional[Sequence[str]] = None,
                            cron_jobs: Optional[Sequence[str]] = None, update_mask: Optional[Sequence[str]] = None,
                            expected_generation: int = 0,
                            timeout: Optional[float] = None) -> device_group_pb2.DeviceGroup:
        """Replaces the lists given (``apps`` and/or ``cron_jobs``); the other stays as it is."""
        request = _requests.update_device_group(name, apps, cron_jobs, update_mask, expected_generation)
        return self._api_call("UpdateDeviceGroup", request, timeout)

    def delete_device_group(self, name: str, *, expected_generation: int = 0,
                            timeout: Optional[float] = None) -> am.DeleteDeviceGroupResponse:
        request = am.DeleteDeviceGroupRequest(name=name, expected_generation=expected_generation)
        return self._api_call("DeleteDeviceGroup", request, timeout)

    def prune_device_group(self, name: str, *, timeout: Optional[float] = None) -> device_group_pb2.DeviceGroup:
        return self._api_call("PruneDeviceGroup", am.PruneDeviceGroupRequest(name=name), timeout)

    # --- cron jobs ------------------------------------------------------------------------------------

    def create_cron_job(self, name: str, schedule: str, spec: Optional[cron_job_pb2.CronJobSpec] = None, *,
                        running: Optional[bool] = None, timeout: Optional[float] = None,
                        **fields: "Unpack[CronJobSpecFields]") -> cron_job_pb2.CronJob:
        """``client.create_cron_job("backup", "0 3 * * *", image="busybox", command=["sh", "-c", "..."])``"""
        request = _requests.create_cron_job(name, schedule, spec, running, fields)
        return self._api_call("CreateCronJob", request, timeout)

    def get_cron_job(self, name: str, *, timeout: Optional[float] = None) -> cron_job_pb2.CronJob:
        return self._api_call("GetCronJob", am.GetCronJobRequest(name=name), timeout, idempotent=True)

    def list_cron_jobs(self, *, page_size: int = 0, page_token: str = "",
                       timeout: Optional[float] = None) -> am.ListCronJobsResponse:
        request = am.ListCronJobsRequest(page_size=page_size, page_token=page_token)
        return self._api_call("ListCronJobs", request, timeout, idempotent=True)

    def iter_cron_jobs(self, *, page_size: int = 0,
                       timeout: Optional[float] = None) -> Iterator[cron_job_pb2.CronJob]:
        token = ""
        while True:
            page = self.list_cron_jobs(page_size=page_size, page_token=token, timeout=timeout)
            yield from page.cron_jobs
            token = page.next_page_token
            if not token:
                return

    def update_cron_job(self, name: str, *, schedule: Optional[str] = None, running: Optional[bool] = None,
                        spec: Optional[cron_job_pb2.CronJobSpec] = None, update_mask: Optional[Sequence[str]] = None,
                        expected_generation: int = 0, timeout: Optional[float] = None,
                        **fields: "Unpack[CronJobSpecFields]") -> cron_job_pb2.CronJob:
        """Changes only what is given: schedule, running, the whole spec, or single spec fields."""
        request = _requests.update_cron_job(name, schedule, running, spec, update_mask, expected_generation, fields)
        return self._api_call("UpdateCronJob", request, timeout)

    def delete_cron_job(self, name: str, *, expected_generation: int = 0, force: bool = False,
                        timeout: Optional[float] = None) -> am.DeleteCronJobResponse:
        request = am.DeleteCronJobRequest(name=name, expected_generation=expected_generation, force=force)
        return self._api_call("DeleteCronJob", request, timeout)

    # --- global ---------------------------------------------------------------------------------------

    def prune_all(self, *, timeout: Optional[float] = None) -> desired_state_pb2.GlobalSettings:
        return self._api_call("PruneAll", am.PruneAllRequest(), timeout)

    def list_audit_events(self, *, object_kind: str = "", object_name: str = "", page_size: int = 0,
                          page_token: str = "", timeout: Optional[float] = None) -> am.ListAuditEventsResponse:
        request = am.ListAuditEventsRequest(object_kind=object_kind, object_name=object_name, page_size=page_size,
                                            page_token=page_token)
        return self._api_call("ListAuditEvents", request, timeout, idempotent=True)

    def iter_audit_events(self, *, object_kind: str = "", object_name: str = "", page_size: int = 0,
                          timeout: Optional[float] = None) -> Iterator[am.AuditEvent]:
        """Every audit event (optionally of one object kind / name), newest first."""
        token = ""
        while True:
            page = self.list_audit_events(object_kind=object_kind, object_name=object_name, page_size=page_size,
                                          page_token=token, timeout=timeout)
            yield from page.events
            token = page.next_page_token
            if not token:
                return

    # --- workers --------------------------------------------------------------------------------------

    def list_workers(self, *, page_size: int = 0, page_token: str = "",
                     timeout: Optional[float] = None) -> am.ListWorkersResponse:
        request = am.ListWorkersRequest(page_size=page_size, page_token=page_token)
        return self._api_call("ListWorkers", request, timeout, idempotent=True)

    def iter_workers(self, *, page_size: int = 0, timeout: Optional[float] = None) -> Iterator[worker_pb2.Worker]:
        """Every worker, ordered by id."""
        token = ""
        while True:
            page = self.list_workers(page_size=page_size, page_token=token, timeout=timeout)
            yield from page.workers
            token = page.next_page_token
            if not token:
                return

    def get_worker(self, id: str, *, timeout: Optional[float] = None) -> worker_pb2.Worker:
        return self._api_call("GetWorker", am.GetWorkerRequest(id=id), timeout, idempotent=True)

    # --- identity -------------------------------------------------------------------------------------

    def who_am_i(self, *, timeout: Optional[float] = None) -> idm.WhoAmIResponse:
        return self._identity_call("WhoAmI", idm.WhoAmIRequest(), timeout, idempotent=True)

    def create_user(self, name: str, password: str, *, timeout: Optional[float] = None) -> idm.User:
        return self._identity_call("CreateUser", idm.CreateUserRequest(user=idm.User(name=name, password=password)),
                                   timeout)

    def get_user(self, name: str, *, timeout: Optional[float] = None) -> idm.User:
        return self._identity_call("GetUser", idm.GetUserRequest(name=name), timeout, idempotent=True)

    def list_users(self, *, page_size: int = 0, page_token: str = "",
                   timeout: Optional[float] = None) -> idm.ListUsersResponse:
        return self._identity_call("ListUsers", idm.ListUsersRequest(page_size=page_size, page_token=page_token),
                                   timeout, idempotent=True)

    def iter_users(self, *, page_size: int = 0, timeout: Optional[float] = None) -> Iterator[idm.User]:
        token = ""
        while True:
            page = self.list_users(page_size=page_size, page_token=token, timeout=timeout)
            yield from page.users
            token = page.next_page_token
            if not token:
                return

    def update_user(self, name: str, *, password: str, timeout: Optional[float] = None) -> idm.User:
        """Sets a new password."""
        return self._identity_call("UpdateUser", _requests.update_user(name, password), timeout)

    def delete_user(self, name: str, *, timeout: Optional[float] = None) -> idm.DeleteUserResponse:
        return self._identity_call("DeleteUser", idm.DeleteUserRequest(name=name), timeout)

    def create_token(self, *, user: str = "", description: str = "", ttl_seconds: int = 0,
                     timeout: Optional[float] = None) -> idm.CreateTokenResponse:
        """A new token for ``user`` (default: the caller). ``.secret`` is shown only here."""
        request = idm.CreateTokenRequest(user=user, description=description, ttl_seconds=ttl_seconds)
        return self._identity_call("CreateToken", request, timeout)

    def list_tokens(self, *, user: str = "", page_size: int = 0, page_token: str = "",
                    timeout: Optional[float] = None) -> idm.ListTokensResponse:
        request = idm.ListTokensRequest(user=user, page_size=page_size, page_token=page_token)
        return self._identity_call("ListTokens", request, timeout, idempotent=True)

    def iter_tokens(self, *, user: str = "", page_size: int = 0,
                    timeout: Optional[float] = None) -> Iterator[idm.Token]:
        token = ""
        while True:
            page = self.list_tokens(user=user, page_size=page_size, page_token=token, timeout=timeout)
            yield from page.tokens
            token = page.next_page_token
            if not token:
                return

    def revoke_token(self, id: str, *, timeout: Optional[float] = None) -> idm.RevokeTokenResponse:
        return self._identity_call("RevokeToken", idm.RevokeTokenRequest(id=id), timeout)

    def create_user_group(self, name: str, *, members: Sequence[str] = (), admin: bool = False,
                          pruning_allowed: bool = False, apps: Optional[Mapping[str, AccessLike]] = None,
                          device_groups: Optional[Mapping[str, AccessLike]] = None,
                          cron_jobs: Optional[Mapping[str, AccessLike]] = None,
                          timeout: Optional[float] = None) -> idm.UserGroup:
        """Grants map an object name or glob to "ro" or "rw": ``apps={"web-*": "rw", "*": "ro"}``."""
        group = _requests.user_group(name, members, admin, pruning_allowed, apps, device_groups, cron_jobs)
        return self._identity_call("CreateUserGroup", idm.CreateUserGroupRequest(user_group=group), timeout)

    def get_user_group(self, name: str, *, timeout: Optional[float] = None) -> idm.UserGroup:
        return self._identity_call("GetUserGroup", idm.GetUserGroupRequest(name=name), timeout, idempotent=True)

    def list_user_groups(self, *, page_size: int = 0, page_token: str = "",
                         timeout: Optional[float] = None) -> idm.ListUserGroupsResponse:
        request = idm.ListUserGroupsRequest(page_size=page_size, page_token=page_token)
        return self._identity_call("ListUserGroups", request, timeout, idempotent=True)

    def iter_user_groups(self, *, page_size: int = 0, timeout: Optional[float] = None) -> Iterator[idm.UserGroup]:
        token = ""
        while True:
            page = self.list_user_groups(page_size=page_size, page_token=token, timeout=timeout)
            yield from page.user_groups
            token = page.next_page_token
            if not token:
                return

    def update_user_group(self, name: str, *, members: Optional[Sequence[str]] = None,
                          admin: Optional[bool] = None, pruning_allowed: Optional[bool] = None,
                          apps: Optional[Mapping[str, AccessLike]] = None,
                          device_groups: Optional[Mapping[str, AccessLike]] = None,
                          cron_jobs: Optional[Mapping[str, AccessLike]] = None,
                          update_mask: Optional[Sequence[str]] = None, expected_generation: int = 0,
                          timeout: Optional[float] = None) -> idm.UserGroup:
        """Changes only the fields given (the update mask is derived from them unless ``update_mask`` is set)."""
        request = _requests.update_user_group(name, members, admin, pruning_allowed, apps, device_groups, cron_jobs,
                                              update_mask, expected_generation)
        return self._identity_call("UpdateUserGroup", request, timeout)

    def delete_user_group(self, name: str, *, timeout: Optional[float] = None) -> idm.DeleteUserGroupResponse:
        return self._identity_call("DeleteUserGroup", idm.DeleteUserGroupRequest(name=name), timeout)
