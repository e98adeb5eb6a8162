-- App verbs, device groups, cron jobs, global settings and the audit trail (docs/architecture.md "One schema", "Write path", "Security").

-- Revisions name the RPC that made them; a rollback records the generation it restored.
ALTER TABLE app_revisions DROP CONSTRAINT app_revisions_action_check;
UPDATE app_revisions SET action = CASE action WHEN 'create' THEN 'CreateApp' WHEN 'update' THEN 'UpdateApp'
                                              WHEN 'delete' THEN 'DeleteApp' ELSE action END;
ALTER TABLE app_revisions ADD COLUMN deleted boolean NOT NULL DEFAULT false;
UPDATE app_revisions SET deleted = true WHERE action = 'DeleteApp';
ALTER TABLE app_revisions ADD COLUMN rolled_back_to bigint NOT NULL DEFAULT 0;

-- Device groups, cron jobs and the one global settings row share a table: the same generation,
-- deletion and outbox rules as apps. body = the serialized DeviceGroup / CronJob / GlobalSettings
-- without name, generation and times (those are columns).
CREATE TABLE objects (
  kind        text NOT NULL CHECK (kind IN ('device_group', 'cron_job', 'global')),
  name        text COLLATE "C" NOT NULL,
  generation  bigint NOT NULL CHECK (generation > 0),
  body        bytea NOT NULL,
  create_time timestamptz NOT NULL,
  update_time timestamptz NOT NULL,
  deleted_at  timestamptz,
  PRIMARY KEY (kind, name)
);

-- Which live groups list which apps and cron jobs, so a delete finds the groups in one lookup.
CREATE TABLE group_members (
  group_name  text COLLATE "C" NOT NULL,
  member_kind text NOT NULL CHECK (member_kind IN ('app', 'cron_job')),
  member      text COLLATE "C" NOT NULL,
  PRIMARY KEY (group_name, member_kind, member)
);
CREATE INDEX group_members_by_member ON group_members (member_kind, member);

-- Every accepted change, written in the change's transaction. Never secrets.
CREATE TABLE audit_events (
  id          bigserial PRIMARY KEY,
  time        timestamptz NOT NULL DEFAULT now(),
  actor       text NOT NULL,
  action      text NOT NULL,
  object_kind text NOT NULL,
  object_name text NOT NULL,
  generation  bigint NOT NULL
);
CREATE INDEX audit_events_by_object ON audit_events (object_kind, object_name, id);
