-- SFT renders examples with the chat template, so the trainer now keeps the whole tokenizer (its definition).
alter table tokenizers add column definition text;

-- Instruction examples seen on the instructions topic, keyed by example id (a re-delivered record changes nothing).
create table instructions (
    id          text primary key,
    dataset     text not null,
    format      text not null,
    split       text not null check (split in ('train', 'heldout')),
    grp         text,
    messages    text not null,
    received_at timestamptz not null default now()
);
create index instructions_by_dataset on instructions (dataset, split);

-- An sft job's evaluation (held-out loss, BLEU-4, slot error, its instruction sets and a sample), as JSON.
alter table jobs add column evaluation text;
