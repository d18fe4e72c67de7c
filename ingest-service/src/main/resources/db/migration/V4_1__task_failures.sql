-- A task whose processing kept failing (bounded retries) was dead-lettered to ingest.tasks.dlq: its source shows it as
-- failed, with the reason. A later success (the dead letter replayed) deletes the row.
CREATE TABLE task_failures (
    task_id         text PRIMARY KEY REFERENCES tasks (id),
    source_id       text        NOT NULL,
    topic_partition int         NOT NULL,
    topic_offset    bigint      NOT NULL,
    worker          text        NOT NULL,
    attempts        int         NOT NULL,
    reason          text        NOT NULL,
    failed_at       timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX task_failures_source ON task_failures (source_id);
