-- Mock interviews (package interview): one row per session, one per
-- question. Times are the server's, so a countdown is honest whatever the
-- client's clock says; each is NULL until it happens. A question's version
-- grows with every write, so that two tabs posting the same step cannot
-- both apply it: the second finds the version moved and changes nothing.
CREATE TABLE interviews (
    id          TEXT PRIMARY KEY CHECK (length(id) = 32),
    learner_id  TEXT NOT NULL REFERENCES learners(id) ON DELETE CASCADE,
    format      TEXT NOT NULL CHECK (format IN ('screen', 'round', 'topic')),
    topic       TEXT NOT NULL DEFAULT '',
    created_at  TEXT NOT NULL,
    finished_at TEXT
) WITHOUT ROWID;
CREATE INDEX interviews_by_learner ON interviews (learner_id, created_at);

CREATE TABLE interview_questions (
    interview_id TEXT NOT NULL REFERENCES interviews(id) ON DELETE CASCADE,
    position     INTEGER NOT NULL CHECK (position >= 0),
    ref          TEXT NOT NULL,
    speaking_ms  INTEGER NOT NULL CHECK (speaking_ms > 0),
    follow_up    INTEGER NOT NULL CHECK (follow_up >= -1),
    started_at   TEXT,
    answered_at  TEXT,
    revealed_at  TEXT,
    rated_at     TEXT,
    notes        TEXT NOT NULL DEFAULT '',
    ticks        TEXT NOT NULL DEFAULT '',
    version      INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (interview_id, position)
) WITHOUT ROWID;

-- Flashcards a missed interview point asked to bring forward. A card the
-- learner has studied is made due at once instead (an Again rating, as a
-- wrong quiz answer does); a new card has no schedule to change, so it is
-- listed here and the review queue introduces it before other new cards.
CREATE TABLE review_boosts (
    learner_id TEXT NOT NULL REFERENCES learners(id) ON DELETE CASCADE,
    card_id    TEXT NOT NULL,
    boosted_at TEXT NOT NULL,
    PRIMARY KEY (learner_id, card_id)
) WITHOUT ROWID;
