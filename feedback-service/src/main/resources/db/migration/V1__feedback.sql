-- Raters: accounts an admin creates; passwords as bcrypt hashes, never in clear.
CREATE TABLE raters (
    name          TEXT PRIMARY KEY,
    password_hash TEXT NOT NULL,
    created_at    TIMESTAMPTZ NOT NULL DEFAULT now()
);

-- Signed-in sessions; the cookie holds a random token, the table only its SHA-256.
CREATE TABLE sessions (
    token_sha256 TEXT PRIMARY KEY,
    rater        TEXT NOT NULL REFERENCES raters (name) ON DELETE CASCADE,
    expires_at   TIMESTAMPTZ NOT NULL
);

CREATE TABLE campaigns (
    id          TEXT PRIMARY KEY,
    name        TEXT NOT NULL,
    model       TEXT NOT NULL,
    k           INT NOT NULL CHECK (k BETWEEN 2 AND 9),
    temperature DOUBLE PRECISION NOT NULL,
    top_p       DOUBLE PRECISION NOT NULL,
    max_tokens  INT NOT NULL,
    overlap     INT NOT NULL CHECK (overlap BETWEEN 1 AND 20),
    guidelines  TEXT NOT NULL,
    judge       TEXT,
    created_at  TIMESTAMPTZ NOT NULL DEFAULT now()
);

-- One prompt of a campaign. status: requested (waiting for chat-service), ready (>= 2 distinct candidates),
-- degenerate (fewer than two distinct candidates: never shown), failed (chat-service could not answer: error).
CREATE TABLE tasks (
    id            TEXT PRIMARY KEY,
    campaign_id   TEXT NOT NULL REFERENCES campaigns (id),
    seq           INT NOT NULL,
    prompt        JSONB NOT NULL,
    status        TEXT NOT NULL DEFAULT 'requested',
    checkpoint_id TEXT,
    candidates    JSONB,
    error         TEXT,
    gold_order    JSONB,
    ready_at      TIMESTAMPTZ,
    UNIQUE (campaign_id, seq)
);
CREATE INDEX tasks_ready ON tasks (campaign_id, status);

-- A task served to a rater, in the order shown to that rater (candidate indexes, top to bottom).
CREATE TABLE assignments (
    task_id     TEXT NOT NULL REFERENCES tasks (id),
    rater       TEXT NOT NULL,
    shown_order JSONB NOT NULL,
    state       TEXT NOT NULL DEFAULT 'open', -- open, done, skipped
    served_at   TIMESTAMPTZ NOT NULL DEFAULT now(),
    PRIMARY KEY (task_id, rater)
);

-- A submitted ranking: groups of tied candidate indexes, best first; unusable = every candidate rejected.
-- submission_id is chosen by the page per form: a second submit of the same form is the same ranking.
CREATE TABLE rankings (
    id            TEXT PRIMARY KEY,
    submission_id TEXT NOT NULL UNIQUE,
    task_id       TEXT NOT NULL REFERENCES tasks (id),
    rater         TEXT NOT NULL,
    source        TEXT NOT NULL,
    order_groups  JSONB NOT NULL,
    unusable      BOOLEAN NOT NULL,
    flags         JSONB NOT NULL,
    comment       TEXT,
    seconds       DOUBLE PRECISION,
    created_at    TIMESTAMPTZ NOT NULL DEFAULT now(),
    UNIQUE (task_id, rater)
);

-- Records to publish after their transaction committed. available_at delays a human ranking by the undo window;
-- a row is deleted by an undo only while unsent.
CREATE TABLE outbox (
    id           TEXT PRIMARY KEY,
    topic        TEXT NOT NULL,
    record_key   TEXT NOT NULL,
    payload      BYTEA NOT NULL,
    created_at   TIMESTAMPTZ NOT NULL DEFAULT now(),
    available_at TIMESTAMPTZ NOT NULL DEFAULT now(),
    sent_at      TIMESTAMPTZ
);
CREATE INDEX outbox_unsent ON outbox (available_at) WHERE sent_at IS NULL;

-- Thumbs from the web chat (chat-feedback), newest per answer.
CREATE TABLE chat_feedback (
    answer_id  TEXT PRIMARY KEY,
    model      TEXT NOT NULL,
    prompt     JSONB NOT NULL,
    answer     TEXT NOT NULL,
    thumbs_up  BOOLEAN NOT NULL,
    comment    TEXT,
    created_at TIMESTAMPTZ NOT NULL
);
