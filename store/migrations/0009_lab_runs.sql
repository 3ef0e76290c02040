-- Recorded lab runs (simulator.Record): a live lab's scenario, seed and
-- every command at its virtual time, so the run can be replayed, shared by
-- its id and forked. record is the run as JSON; scenario, end_ns and
-- commands repeat what lists need so they need not parse it. A row is
-- rewritten as the live run goes on, and removed when it expires.
CREATE TABLE lab_runs (
    id         TEXT PRIMARY KEY CHECK (length(id) BETWEEN 16 AND 64),
    learner_id TEXT NOT NULL REFERENCES learners(id) ON DELETE CASCADE,
    title      TEXT NOT NULL CHECK (length(title) BETWEEN 1 AND 200),
    scenario   TEXT NOT NULL CHECK (length(scenario) <= 80),
    end_ns     INTEGER NOT NULL CHECK (end_ns >= 0),
    commands   INTEGER NOT NULL CHECK (commands >= 0),
    record     TEXT NOT NULL CHECK (length(record) <= 1048576),
    created_at TEXT NOT NULL,
    saved_at   TEXT NOT NULL,
    expires_at TEXT NOT NULL
);
CREATE INDEX lab_runs_by_learner ON lab_runs (learner_id, created_at);
CREATE INDEX lab_runs_by_expiry ON lab_runs (expires_at);
