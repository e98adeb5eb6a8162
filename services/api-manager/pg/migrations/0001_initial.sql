-- Apps, their history and the transactional outbox (docs/architecture.md "Write path").

-- Deleted apps keep their row (deleted_at set) so a re-created app continues past its last
-- generation: agents ignore records that are not newer than what they hold.
CREATE TABLE apps (
  name        text COLLATE "C" PRIMARY KEY,  -- byte order: ListApps pages by name
  generation  bigint NOT NULL CHECK (generation > 0),
  spec        bytea NOT NULL,                -- serialized nebula.v1.AppSpec (the last one, when deleted)
  create_time timestamptz NOT NULL,
  update_time timestamptz NOT NULL,
  deleted_at  timestamptz
);
CREATE INDEX apps_live_by_name ON apps (name) WHERE deleted_at IS NULL;

-- One row per change: history and audit (who, when, what).
CREATE TABLE app_revisions (
  name       text COLLATE "C" NOT NULL,
  generation bigint NOT NULL,
  action     text NOT NULL CHECK (action IN ('create', 'update', 'delete')),
  spec       bytea NOT NULL,  -- the spec after the change (for a delete: the spec that was deleted)
  actor      text NOT NULL,
  time       timestamptz NOT NULL,
  PRIMARY KEY (name, generation)
);

-- Records waiting for the relay to produce them to nebula.desired, in id order.
CREATE TABLE outbox (
  id         bigserial PRIMARY KEY,
  key        text NOT NULL,  -- the Kafka record key, e.g. app/<name>
  payload    bytea,          -- serialized nebula.v1.DesiredState; NULL = tombstone
  created_at timestamptz NOT NULL DEFAULT now()
);
