-- Carrying progress to another browser without an account. A learner is
-- an id in a signed cookie; each browser that holds it is a device with an
-- id of its own, named by a second signed cookie, so one can be signed out
-- without the others. Every table here refers to learners with ON DELETE
-- CASCADE: "delete my data" signs out every device and drops every code.

-- The browsers a learner has linked, the one that made the first code
-- included. Signing one out deletes its row; a device cookie whose row is
-- gone is refused. label is a short plain name made from the User-Agent.
CREATE TABLE devices (
    id         TEXT PRIMARY KEY CHECK (length(id) = 32),
    learner_id TEXT NOT NULL REFERENCES learners(id) ON DELETE CASCADE,
    label      TEXT NOT NULL CHECK (length(label) BETWEEN 1 AND 60),
    created_at TEXT NOT NULL,
    seen_at    TEXT NOT NULL
) WITHOUT ROWID;
CREATE INDEX devices_by_learner ON devices (learner_id, created_at);

-- Learners who have registered a device. Until then their one browser
-- carries the learner cookie alone, as every browser did before devices;
-- from then on a learner cookie without a device cookie is refused, even
-- once every device row is gone, or a signed-out browser could drop its
-- device cookie and pass for the original one.
CREATE TABLE device_learners (
    learner_id TEXT PRIMARY KEY REFERENCES learners(id) ON DELETE CASCADE
) WITHOUT ROWID;

-- One-time codes that link a browser to a learner: the SHA-256 of the
-- code (8 characters, upper case, no dash) in hex, never the code itself.
-- A code is deleted when used; expired ones are pruned when codes are made.
CREATE TABLE link_codes (
    hash       TEXT PRIMARY KEY CHECK (length(hash) = 64),
    learner_id TEXT NOT NULL REFERENCES learners(id) ON DELETE CASCADE,
    created_at TEXT NOT NULL,
    expires_at TEXT NOT NULL
) WITHOUT ROWID;
CREATE INDEX link_codes_by_learner ON link_codes (learner_id, expires_at);
CREATE INDEX link_codes_by_expiry ON link_codes (expires_at);
