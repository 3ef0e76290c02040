-- A learner who deleted their data is revoked: the signed cookie they held
-- stays valid as a signature, so without this list a copy of it replayed
-- later would bring the same id back to life. Rows older than the cookie's
-- lifetime (400 days) can no longer be replayed and are pruned.
CREATE TABLE revoked_learners (
    id         TEXT PRIMARY KEY CHECK (length(id) = 32),
    revoked_at TEXT NOT NULL
) WITHOUT ROWID;
