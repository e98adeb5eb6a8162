"""ApiManager RPCs under --auth required: no credential is Unauthenticated, grants decide the rest."""
from __future__ import annotations

import pytest

import nebula


def test_api_calls_without_a_credential_are_unauthenticated(stack) -> None:
    with nebula.Client(stack.endpoint, token=None) as anonymous:
        with pytest.raises(nebula.Unauthenticated):
            anonymous.list_apps()
        with pytest.raises(nebula.Unauthenticated):
            anonymous.get_app("x")
    with nebula.Client(stack.endpoint, token="nosuch.token") as wrong:
        with pytest.raises(nebula.Unauthenticated):
            wrong.create_app("x", image="busybox")


def test_grants_decide_what_a_user_may_do(client: nebula.Client, stack, name: str) -> None:
    client.create_user(name, "correct horse battery")
    other = client.create_app(f"{name}-other", image=stack.sample_image)
    client.create_user_group(name, members=[name], apps={f"{name}-own-*": "rw"})
    with nebula.Client(stack.endpoint, username=name, password="correct horse battery") as user:
        own = user.create_app(f"{name}-own-1", image=stack.sample_image)
        assert user.get_app(own.name).generation == own.generation
        with pytest.raises(nebula.PermissionDenied):
            user.get_app(other.name)
        with pytest.raises(nebula.PermissionDenied):
            user.create_app(f"{name}-elsewhere", image=stack.sample_image)
        with pytest.raises(nebula.PermissionDenied):
            user.create_user(f"{name}-x", "correct horse battery")
        assert [a.name for a in user.iter_apps()] == [own.name]  # lists show only what the caller may read
