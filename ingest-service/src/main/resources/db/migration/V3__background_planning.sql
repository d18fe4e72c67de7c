-- A source is stored as soon as it is accepted; its tasks follow once planning, which reads every file once, is done.
-- tasks_total is NULL while the source is being planned. planning_until is the planning replica's lease, renewed
-- while it reads: once it has passed (that replica stopped), any replica plans the source again.
ALTER TABLE sources ALTER COLUMN tasks_total DROP NOT NULL;
ALTER TABLE sources ADD COLUMN planning_until timestamptz;
-- The "limit" option (at most this many records), needed to plan the source again; NULL: no limit.
ALTER TABLE sources ADD COLUMN record_limit bigint;
