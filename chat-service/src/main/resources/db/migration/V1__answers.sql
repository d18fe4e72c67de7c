-- Answers a client asked to keep (store: true, as the web chat does), so thumbs up/down on one of them can be
-- published with the exact prompt and answer that were served, whichever replica served it.
CREATE TABLE answers (
    id          TEXT PRIMARY KEY,
    model       TEXT        NOT NULL,
    prompt      JSONB       NOT NULL,
    answer      TEXT        NOT NULL,
    created_at  TIMESTAMPTZ NOT NULL DEFAULT now()
);
CREATE INDEX answers_created_at ON answers (created_at);
