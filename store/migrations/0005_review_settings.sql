-- Review to Anki's standard: which decks a learner studies and how many
-- cards a day, suspended cards, and an undo for the last rating.

CREATE TABLE review_settings (
    learner_id      TEXT PRIMARY KEY REFERENCES learners(id) ON DELETE CASCADE,
    decks           TEXT NOT NULL DEFAULT '',   -- topics, space-separated; '' means every deck
    new_per_day     INTEGER NOT NULL CHECK (new_per_day BETWEEN 0 AND 999),
    reviews_per_day INTEGER NOT NULL CHECK (reviews_per_day BETWEEN 0 AND 9999)
) WITHOUT ROWID;

ALTER TABLE review_cards ADD COLUMN suspended INTEGER NOT NULL DEFAULT 0 CHECK (suspended IN (0, 1));

-- The card as it was before this review, for undo: a JSON store.cardJSON,
-- '' when the card was new, NULL when unknown (reviews from before this
-- migration, and imported ones).
ALTER TABLE review_logs ADD COLUMN prev_card TEXT;
