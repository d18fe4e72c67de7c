-- The queue reads only tasks that still want rankings. Before this, finding the next task walked every ranked task of
-- the campaign (quadratic in its size). The task carries its campaign's overlap so the index predicate can say "wants
-- more human rankings" on the row alone.
ALTER TABLE tasks ADD COLUMN overlap INT;
UPDATE tasks t SET overlap = c.overlap FROM campaigns c WHERE c.id = t.campaign_id;
ALTER TABLE tasks ALTER COLUMN overlap SET NOT NULL;
DROP INDEX tasks_queue;
CREATE INDEX tasks_queue ON tasks (campaign_id, seq)
    WHERE status = 'ready' AND (gold_order IS NOT NULL OR human_rankings < overlap);
-- A rater's open task, found without reading their finished ones.
CREATE INDEX assignments_open ON assignments (rater) WHERE state = 'open';
-- Tasks a rater has finished (ranked or skipped) per campaign, kept with each submit, skip and undo: the progress shown
-- on every task is read, not counted.
CREATE TABLE rater_progress (
    campaign_id TEXT NOT NULL REFERENCES campaigns (id),
    rater       TEXT NOT NULL,
    done        INT  NOT NULL,
    PRIMARY KEY (campaign_id, rater)
);
INSERT INTO rater_progress (campaign_id, rater, done)
SELECT t.campaign_id, a.rater, count(*) FROM assignments a JOIN tasks t ON t.id = a.task_id
WHERE a.state <> 'open' GROUP BY t.campaign_id, a.rater;
