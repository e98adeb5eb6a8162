-- Workers folded from nebula.reports (docs/architecture.md "One schema"). A worker's ONLINE/LOST state is computed at read
-- time from last_seen, so nothing has to sweep the table.
CREATE TABLE workers (
  id           text COLLATE "C" PRIMARY KEY,  -- byte order: ListWorkers pages by id
  hostname     text NOT NULL,
  report       bytea NOT NULL,                -- the newest serialized nebula.v1.WorkerReport
  last_seen_us bigint NOT NULL                -- microseconds since the epoch
);

-- One row per (worker, app) the worker lists or reports on, so GetAppStatus reads only the app's
-- hosts and not whole reports.
CREATE TABLE worker_apps (
  worker_id            text COLLATE "C" NOT NULL REFERENCES workers (id) ON DELETE CASCADE,
  app                  text COLLATE "C" NOT NULL,
  observed_generation  bigint NOT NULL,
  converged_generation bigint NOT NULL,
  error_count          integer NOT NULL,
  errors               bytea NOT NULL,  -- serialized nebula.v1.FailingHost carrying only the errors
  PRIMARY KEY (worker_id, app)
);
CREATE INDEX worker_apps_by_app ON worker_apps (app);
