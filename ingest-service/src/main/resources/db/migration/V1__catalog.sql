-- The ingest catalog. Flyway runs this inside the service's schema (quarkus.flyway.schemas), so names are unqualified.

-- A source as posted: the same type + location + options is the same id, so re-sending it changes nothing.
CREATE TABLE sources (
    id              text PRIMARY KEY,
    type            text        NOT NULL,
    location        text        NOT NULL,
    cutoff          date,
    undated         text        NOT NULL,
    languages       text[]      NOT NULL,
    license         text,
    tasks_total     int         NOT NULL,
    -- false until every task is on the tasks topic; a restart or a re-send publishes them again
    tasks_published boolean     NOT NULL DEFAULT false,
    created_at      timestamptz NOT NULL DEFAULT now()
);

-- Uploaded files, kept here so that any replica can run their tasks.
CREATE TABLE uploads (
    id        text PRIMARY KEY,
    source_id text  NOT NULL REFERENCES sources (id),
    name      text  NOT NULL,
    content   bytea NOT NULL
);

CREATE TABLE tasks (
    id        text PRIMARY KEY,
    source_id text  NOT NULL REFERENCES sources (id),
    seq       int   NOT NULL,
    task      jsonb NOT NULL
);
CREATE INDEX tasks_source ON tasks (source_id);

-- The per-task "done" marker, written in the same transaction as the task's records. It remembers which tasks-topic
-- message did the work: that message, delivered again, replays the same outputs; another copy is skipped.
CREATE TABLE task_runs (
    task_id         text PRIMARY KEY REFERENCES tasks (id),
    source_id       text        NOT NULL,
    topic_partition int         NOT NULL,
    topic_offset    bigint      NOT NULL,
    worker          text        NOT NULL,
    accepted        int         NOT NULL,
    rejected        int         NOT NULL,
    finished_at     timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX task_runs_source ON task_runs (source_id);

-- Every input record's fate: counts are exact because each record is one row, keyed by where it was read.
CREATE TABLE records (
    task_id   text    NOT NULL,
    record_no bigint  NOT NULL,
    source_id text    NOT NULL,
    doc_id    text    NOT NULL,
    uri       text,
    title     text,
    doc_date  date,
    language  text,
    accepted  boolean NOT NULL,
    filter    text,
    reason    text,
    bytes     int     NOT NULL,
    PRIMARY KEY (task_id, record_no)
);
CREATE INDEX records_source ON records (source_id);

-- Exact dedup: one row per distinct normalized text (id = its SHA-256). The primary key is what stops two replicas
-- from both accepting the same text.
CREATE TABLE texts (
    id        text PRIMARY KEY,
    source_id text NOT NULL,
    uri       text
);

-- Near dedup: MinHash LSH band keys of accepted documents; a new document sharing any band key is a near duplicate.
CREATE TABLE minhash_bands (
    band   smallint NOT NULL,
    bucket bigint   NOT NULL,
    doc_id text     NOT NULL,
    PRIMARY KEY (band, bucket)
);
