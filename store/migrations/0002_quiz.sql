-- Quizzes a learner has built: what they asked for (spec, as JSON), the seed
-- that drew the questions, and when they finished. The id is 32 hex digits
-- of randomness, so it can appear in a URL; every read also checks the
-- learner, so knowing another learner's quiz id gets you nothing.
CREATE TABLE quizzes (
    id          TEXT PRIMARY KEY CHECK (length(id) = 32),
    learner_id  TEXT NOT NULL REFERENCES learners(id) ON DELETE CASCADE,
    spec        TEXT NOT NULL,     -- store.SpecRecord as JSON
    seed        INTEGER NOT NULL,  -- the uint64 seed's bits as a signed integer
    created_at  TEXT NOT NULL,
    finished_at TEXT               -- NULL until the last question is answered
) WITHOUT ROWID;
CREATE INDEX quizzes_by_learner ON quizzes (learner_id, created_at);

-- The questions of a quiz, in the order they are asked, and the order their
-- options are shown in (a JSON array of option indices in bank order).
-- Items never change once the quiz is created.
CREATE TABLE quiz_items (
    quiz_id      TEXT NOT NULL REFERENCES quizzes(id) ON DELETE CASCADE,
    idx          INTEGER NOT NULL CHECK (idx >= 0),
    question_id  TEXT NOT NULL,
    option_order TEXT NOT NULL,
    PRIMARY KEY (quiz_id, idx)
) WITHOUT ROWID;

-- One answer per quiz item; the first answer stands. An answer belongs to
-- its learner through its quiz, and is deleted with its item. There is
-- deliberately no learner_id and no secondary index here: saving an answer
-- is then a single B-tree insert, which measured about a third faster than
-- with an index on (learner_id, ...); progress queries reach a learner's
-- answers through quizzes_by_learner and this primary key. topic is the
-- question id without its "-NN", kept to group by.
CREATE TABLE answers (
    quiz_id     TEXT NOT NULL,
    idx         INTEGER NOT NULL,
    question_id TEXT NOT NULL,
    topic       TEXT NOT NULL,
    choices     TEXT NOT NULL,     -- JSON array of option indices in bank order
    score       REAL NOT NULL CHECK (score >= 0 AND score <= 1),
    correct     INTEGER NOT NULL CHECK (correct IN (0, 1)),
    answered_at TEXT NOT NULL,
    PRIMARY KEY (quiz_id, idx),
    FOREIGN KEY (quiz_id, idx) REFERENCES quiz_items (quiz_id, idx) ON DELETE CASCADE
) WITHOUT ROWID;
