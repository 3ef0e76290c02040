-- Learners are anonymous: a random id from a signed cookie, created on the
-- first write a learner makes. Every other table of a learner's data refers
-- here with ON DELETE CASCADE, so "delete my data" is one DELETE.
CREATE TABLE learners (
    id         TEXT PRIMARY KEY CHECK (length(id) = 32),
    created_at TEXT NOT NULL,
    seen_at    TEXT NOT NULL
);
