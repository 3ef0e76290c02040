-- Scored challenge runs (simulator.Challenge): one row per submission that
-- was evaluated. settings is the form as submitted, URL-encoded in the
-- challenge's knob order, so the form can be shown back filled in; a run
-- is the learner's record and is never changed once written.
CREATE TABLE challenge_runs (
    id         INTEGER PRIMARY KEY,
    learner_id TEXT NOT NULL REFERENCES learners(id) ON DELETE CASCADE,
    challenge  TEXT NOT NULL CHECK (length(challenge) BETWEEN 1 AND 80),
    settings   TEXT NOT NULL CHECK (length(settings) <= 4096),
    pass       INTEGER NOT NULL CHECK (pass IN (0, 1)),
    score      INTEGER NOT NULL CHECK (score BETWEEN 0 AND 1000),
    created_at TEXT NOT NULL,
    UNIQUE (learner_id, challenge, created_at)
);
CREATE INDEX challenge_runs_by_learner ON challenge_runs (learner_id, challenge, pass DESC, score DESC, created_at);
