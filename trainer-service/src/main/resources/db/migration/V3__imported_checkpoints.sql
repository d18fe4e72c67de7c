-- Checkpoints the trainer did not train: models imported from a GPT-2-layout directory (./scratchlm import), kept
-- so jobs can fine-tune them. They have no job.
alter table checkpoints alter column job_id drop not null;
