"""Credentials against the real api-manager running with --auth required (the stack's bootstrap admin token
is in stack.env): bearer tokens, basic auth, Unauthenticated, environment defaults, revocation."""
from __future__ import annotations

import time

import pytest

import nebula
import nebula.aio


def test_calls_without_a_valid_credential_are_unauthenticated(stack) -> None:
    with nebula.Client(stack.endpoint, token=None) as anonymous:
        with pytest.raises(nebula.Unauthenticated):
            anonymous.who_am_i()
        with pytest.raises(nebula.Unauthenticated):
            anonymous.list_users()
    with nebula.Client(stack.endpoint, token="nosuch.token") as wrong:
        with pytest.raises(nebula.Unauthenticated):
            wrong.who_am_i()


def test_admin_token_and_basic_auth(client: nebula.Client, stack, name: str) -> None:
    assert client.who_am_i().admin
    client.create_user(name, "correct horse battery")
    with nebula.Client(stack.endpoint, username=name, password="correct horse battery") as user:
        me = user.who_am_i()
        assert me.user == name and not me.admin
    with nebula.Client(stack.endpoint, username=name, password="wrong password!") as user:
        with pytest.raises(nebula.Unauthenticated):
            user.who_am_i()


def test_tokens_authenticate_until_revoked(client: nebula.Client, stack, name: str,
                                           monkeypatch: pytest.MonkeyPatch) -> None:
    client.create_user(name, "correct horse battery")
    created = client.create_token(user=name, description="sdk test")
    monkeypatch.setenv("NEBULA_ENDPOINT", stack.endpoint)
    monkeypatch.setenv("NEBULA_TOKEN", created.secret)
    with nebula.Client() as user:  # endpoint and token from the environment
        assert user.who_am_i().user == name
    client.revoke_token(created.token.id)
    deadline = time.monotonic() + 30  # the api-manager caches a credential check for a few seconds
    with nebula.Client() as user:
        while True:
            try:
                user.who_am_i()
            except nebula.Unauthenticated:
                break
            assert time.monotonic() < deadline, "a revoked token still works"
            time.sleep(0.5)


def test_async_client_sends_credentials(stack, name: str) -> None:
    import asyncio

    async def scenario() -> None:
        async with nebula.aio.Client(stack.endpoint, token=stack.env["NEBULA_TOKEN"]) as admin:
            assert (await admin.who_am_i()).admin
        async with nebula.aio.Client(stack.endpoint, token=None) as anonymous:
            with pytest.raises(nebula.Unauthenticated):
                await anonymous.who_am_i()

    asyncio.run(scenario())
