-- The tokenizer registry, the document sample tokenizers are trained from, and the committed shards per tokenizer.
-- Flyway runs this in schema "tokenizer" (quarkus.flyway.schemas).

CREATE TABLE tokenizers (
    id              text PRIMARY KEY,          -- the tokenizer's content id (bpe Tokenizer.id())
    name            text,
    vocab_size      integer     NOT NULL,
    pattern         text        NOT NULL,
    number_policy   text        NOT NULL,
    special_tokens  jsonb       NOT NULL,
    definition      text        NOT NULL,      -- ScratchFormat text, as published on the tokenizers topic
    training        jsonb       NOT NULL,
    created_at      timestamptz NOT NULL,
    active          boolean     NOT NULL DEFAULT false,
    activated_at    timestamptz
);
-- One active tokenizer at a time, whichever replica activates it.
CREATE UNIQUE INDEX tokenizers_one_active ON tokenizers (active) WHERE active;

-- Every document seen on the documents topic; its text only while the sample store is under its byte cap.
CREATE TABLE documents (
    id          text PRIMARY KEY,
    language    text,
    published   date,
    split       text        NOT NULL,
    bytes       integer     NOT NULL,
    text        text,
    seen_at     timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX documents_sample ON documents (split, language, id) WHERE text IS NOT NULL;

-- Shards committed on token-shards (read_committed), for progress and statistics.
CREATE TABLE shards (
    shard_id      text PRIMARY KEY,
    tokenizer_id  text        NOT NULL,
    split         text        NOT NULL,
    documents     integer     NOT NULL,        -- documents that end in this shard (end-of-text tokens)
    tokens        bigint      NOT NULL,
    record_bytes  integer     NOT NULL,
    latest_date   date,
    created_at    timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX shards_by_tokenizer ON shards (tokenizer_id, split);
