-- The FSRS state of each flashcard a learner has reviewed at least once
-- (quiz.Card). A card never reviewed has no row: it is new.
CREATE TABLE review_cards (
    learner_id  TEXT NOT NULL REFERENCES learners(id) ON DELETE CASCADE,
    card_id     TEXT NOT NULL,
    state       INTEGER NOT NULL CHECK (state BETWEEN 0 AND 3),
    step        INTEGER NOT NULL CHECK (step >= 0),
    stability   REAL NOT NULL,
    difficulty  REAL NOT NULL,
    due         TEXT NOT NULL,
    last_review TEXT,
    reps        INTEGER NOT NULL CHECK (reps >= 0),
    lapses      INTEGER NOT NULL CHECK (lapses >= 0),
    PRIMARY KEY (learner_id, card_id)
) WITHOUT ROWID;
CREATE INDEX review_cards_by_due ON review_cards (learner_id, due);

-- Every review ever made (quiz.ReviewLog), for history and for fitting FSRS
-- weights later. A card is reviewed at most once per instant, which is what
-- lets an import merge logs without duplicates.
CREATE TABLE review_logs (
    id           INTEGER PRIMARY KEY,
    learner_id   TEXT NOT NULL REFERENCES learners(id) ON DELETE CASCADE,
    card_id      TEXT NOT NULL,
    rating       INTEGER NOT NULL CHECK (rating BETWEEN 1 AND 4),
    reviewed_at  TEXT NOT NULL,
    state        INTEGER NOT NULL CHECK (state BETWEEN 0 AND 3),
    elapsed_days INTEGER NOT NULL CHECK (elapsed_days >= 0),
    interval_ns  INTEGER NOT NULL CHECK (interval_ns >= 0),
    UNIQUE (learner_id, card_id, reviewed_at)
);
CREATE INDEX review_logs_by_time ON review_logs (learner_id, reviewed_at);
