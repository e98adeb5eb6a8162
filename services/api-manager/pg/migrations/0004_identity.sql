-- Users, tokens and user groups (docs/architecture.md "Security", proto/nebula/v1/identity.proto). Secrets are stored only
-- as hashes: argon2id for passwords, SHA-256 for the 256-bit random token secrets.
CREATE TABLE identity_users (
  name          text COLLATE "C" PRIMARY KEY,
  password_hash text,  -- NULL: no password (the bootstrap admin configured with a token only)
  create_time   timestamptz NOT NULL DEFAULT now(),
  update_time   timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE identity_tokens (
  id             text COLLATE "C" PRIMARY KEY,  -- the public part of "<id>.<secret>"
  user_name      text COLLATE "C" NOT NULL REFERENCES identity_users (name) ON DELETE CASCADE,
  secret_hash    text NOT NULL,
  description    text NOT NULL DEFAULT '',
  create_time    timestamptz NOT NULL DEFAULT now(),
  expire_time    timestamptz,  -- NULL: never expires
  last_used_time timestamptz
);
CREATE INDEX identity_tokens_by_user ON identity_tokens (user_name, id);

CREATE TABLE identity_groups (
  name            text COLLATE "C" PRIMARY KEY,
  admin           boolean NOT NULL,
  pruning_allowed boolean NOT NULL,
  grants          bytea NOT NULL,  -- serialized nebula.v1.UserGroup carrying only apps, device_groups, cron_jobs
  generation      bigint NOT NULL,
  create_time     timestamptz NOT NULL DEFAULT now(),
  update_time     timestamptz NOT NULL DEFAULT now()
);

-- Members are users: deleting a user removes them from every group.
CREATE TABLE identity_group_members (
  group_name text COLLATE "C" NOT NULL REFERENCES identity_groups (name) ON DELETE CASCADE,
  user_name  text COLLATE "C" NOT NULL REFERENCES identity_users (name) ON DELETE CASCADE,
  position   integer NOT NULL,  -- keeps the order the admin gave
  PRIMARY KEY (group_name, user_name)
);
CREATE INDEX identity_group_members_by_user ON identity_group_members (user_name);

-- Every change of users, tokens and groups: who did what to which object. Never a secret.
CREATE TABLE identity_audit (
  id          bigserial PRIMARY KEY,
  time        timestamptz NOT NULL DEFAULT now(),
  actor       text NOT NULL,
  action      text NOT NULL,  -- e.g. user.create, token.revoke, user_group.update
  object_kind text NOT NULL,  -- user, token, user_group
  object_name text NOT NULL,
  detail      text NOT NULL DEFAULT ''
);
