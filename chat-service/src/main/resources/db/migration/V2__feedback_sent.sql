-- The feedback last published for an answer: the same thumbs (and comment) sent again is acknowledged without a
-- second record on chat-feedback.
ALTER TABLE answers ADD COLUMN feedback_thumbs_up BOOLEAN;
ALTER TABLE answers ADD COLUMN feedback_comment TEXT;
