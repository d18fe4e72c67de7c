-- A task is "published" once its Kafka transaction (documents + tasks-topic offset) has committed. When every task
-- of a source is, nothing can need the source's uploaded bytes again (a replay happens only before that commit),
-- so they are deleted: uploads do not pile up in the database.
ALTER TABLE task_runs ADD COLUMN published boolean NOT NULL DEFAULT false;
