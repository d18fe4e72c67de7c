-- People's rankings per task, kept with the task row (which a submit locks): the queue filters on it without
-- counting rankings for every task, and a submit past the overlap is refused under the lock.
ALTER TABLE tasks ADD COLUMN human_rankings INT NOT NULL DEFAULT 0;
UPDATE tasks t SET human_rankings = (SELECT count(*) FROM rankings r WHERE r.task_id = t.id AND r.source = 'human');
CREATE INDEX tasks_queue ON tasks (campaign_id, seq) WHERE status = 'ready';
