"""Identity service (users, tokens, user groups) against the real api-manager, called as the stack's
bootstrap admin."""
from __future__ import annotations

import pytest

import nebula
from nebula.v1 import identity_pb2


def test_who_am_i_is_the_bootstrap_admin(client: nebula.Client) -> None:
    me = client.who_am_i()
    assert me.user and me.admin


def test_user_lifecycle(client: nebula.Client, name: str) -> None:
    user = client.create_user(name, "correct horse battery")
    assert user.name == name and user.password == "" and user.create_time.seconds > 0
    with pytest.raises(nebula.AlreadyExists):
        client.create_user(name, "another password")
    with pytest.raises(nebula.InvalidArgument) as caught:
        client.create_user(f"{name}-x", "short")
    assert caught.value.field_violations
    assert client.get_user(name).name == name
    assert name in [u.name for u in client.iter_users(page_size=1)]
    assert len(client.list_users(page_size=1).users) == 1
    assert client.update_user(name, password="a new long password").name == name
    client.delete_user(name)
    with pytest.raises(nebula.NotFound):
        client.get_user(name)


def test_token_lifecycle(client: nebula.Client, name: str) -> None:
    client.create_user(name, "correct horse battery")
    created = client.create_token(user=name, description="ci", ttl_seconds=3600)
    assert created.secret.startswith(created.token.id + ".")
    assert created.token.user == name and created.token.expire_time.seconds > 0
    listed = list(client.iter_tokens(user=name, page_size=1))
    assert [t.id for t in listed] == [created.token.id]
    assert len(client.list_tokens(page_size=1).tokens) == 1
    client.revoke_token(created.token.id)
    with pytest.raises(nebula.NotFound):
        client.revoke_token(created.token.id)


def test_user_group_lifecycle(client: nebula.Client, name: str) -> None:
    client.create_user(name, "correct horse battery")
    group = client.create_user_group(name, members=[name], apps={"web-*": "rw", "*": "ro"}, pruning_allowed=True)
    assert list(group.members) == [name] and group.apps["web-*"] == identity_pb2.ACCESS_RW
    assert client.get_user_group(name) == group
    with pytest.raises(nebula.AlreadyExists):
        client.create_user_group(name)
    assert name in [g.name for g in client.iter_user_groups(page_size=1)]
    assert len(client.list_user_groups(page_size=1).user_groups) == 1
    updated = client.update_user_group(name, device_groups={"*": "ro"}, expected_generation=group.generation)
    assert updated.device_groups["*"] == identity_pb2.ACCESS_RO and list(updated.members) == [name]
    with pytest.raises(nebula.Aborted):
        client.update_user_group(name, admin=True, expected_generation=group.generation)
    client.delete_user_group(name)
    with pytest.raises(nebula.NotFound):
        client.get_user_group(name)
