-- Planning that could not read a source's files (a volume not mounted yet) leaves it unplanned and says why here;
-- it is tried again after a backoff that doubles with each failed attempt (planning_until holds the next try).
ALTER TABLE sources ADD COLUMN planning_error text;
ALTER TABLE sources ADD COLUMN planning_attempts integer NOT NULL DEFAULT 0;
