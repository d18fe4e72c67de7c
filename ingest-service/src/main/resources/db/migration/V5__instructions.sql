-- Instruction sets (supervised fine-tuning data). An import is identified by a hash of dataset, format, tokenizer,
-- context and the file: re-sending the same file finds its row and changes nothing.
CREATE TABLE instruction_imports (
    id           text PRIMARY KEY,
    dataset      text        NOT NULL,
    format       text        NOT NULL,
    bytes        bigint      NOT NULL,
    accepted     int         NOT NULL,
    -- accepted examples not seen before (in any import): only these were put on the instructions topic
    new_examples int         NOT NULL,
    rejected     int         NOT NULL,
    tokenizer_id text,
    context      int,
    created_at   timestamptz NOT NULL DEFAULT now()
);

-- Every example ever put on the instructions topic, by id (dataset + hash of its messages).
CREATE TABLE instruction_examples (
    id          text PRIMARY KEY,
    dataset     text        NOT NULL,
    format      text        NOT NULL,
    split       text        NOT NULL,
    split_group text        NOT NULL,
    import_id   text        NOT NULL REFERENCES instruction_imports (id),
    created_at  timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX instruction_examples_dataset ON instruction_examples (dataset, format, split);

-- Why each refused example of an import was refused (record = line, array element or CSV row).
CREATE TABLE instruction_rejections (
    import_id text   NOT NULL REFERENCES instruction_imports (id),
    seq       int    NOT NULL,
    record    bigint NOT NULL,
    reason    text   NOT NULL,
    detail    text   NOT NULL,
    PRIMARY KEY (import_id, seq)
);
