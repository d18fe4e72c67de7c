-- The trainer's own state. Tables are unqualified: Flyway creates them in the configured schema (trainer) and the
-- service's connections use it as their current schema.

-- Tokenizers seen on the tokenizers topic: only what training needs (the vocabulary size), not the merges.
create table tokenizers (
    id             text primary key,
    vocab_size     integer not null,
    number_policy  text,
    special_tokens text,
    created_at     timestamptz,
    received_at    timestamptz not null default now()
);

-- One row per training job. plan is the validated request with every default filled in (JSON).
create table jobs (
    id                   text primary key,
    stage                text not null,
    state                text not null check (state in ('queued', 'running', 'stopped', 'done', 'failed')),
    tokenizer_id         text not null,
    parent_checkpoint_id text,
    plan                 text not null,
    steps                integer not null,
    step                 integer not null default 0,
    train_loss           real,
    val_loss             real,
    lr                   real,
    tokens_per_s         real,
    mfu                  real,
    eta_s                real,
    wall_s               double precision not null default 0,
    tokens_seen          bigint not null default 0,
    -- The data a job trains on is fixed when it first starts: the first train_tokens / val_tokens of each split.
    train_tokens         bigint,
    val_tokens           bigint,
    last_checkpoint_id   text,
    stop_requested       boolean not null default false,
    error                text,
    created_at           timestamptz not null default now(),
    started_at           timestamptz,
    finished_at          timestamptz,
    updated_at           timestamptz not null default now()
);
create index jobs_by_state on jobs (state, created_at);

-- Every optimizer step's numbers, for the dashboard's curves; val_loss only on evaluation steps.
create table job_metrics (
    job_id       text not null references jobs (id) on delete cascade,
    step         integer not null,
    train_loss   real,
    val_loss     real,
    lr           real,
    tokens_per_s real,
    elapsed_s    double precision,
    primary key (job_id, step)
);

-- The checkpoint registry: every checkpoint written to the volume and published on the checkpoints topic.
create table checkpoints (
    id           text primary key,
    job_id       text not null references jobs (id),
    stage        text not null,
    step         integer not null,
    train_loss   real,
    val_loss     real,
    tokenizer_id text not null,
    parent_id    text,
    sha256       text not null,
    size_bytes   bigint not null,
    chunk_count  integer not null,
    path         text not null,
    manifest     text not null,
    published_at timestamptz,
    created_at   timestamptz not null default now()
);
create index checkpoints_by_job on checkpoints (job_id, step);
