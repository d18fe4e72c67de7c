#!/usr/bin/env python3
"""PyTorch peer of the gpt module's training benchmark (TrainerBench), run by trainer.sh.

The same model and loop: GPT-2-style decoder (learned positions, pre-LayerNorm blocks, causal
multi-head attention, 4x GELU(tanh) MLP, final LayerNorm, LM head tied to the token embedding),
GPT-2 init, AdamW with weight decay on 2-D tensors only, linear warm-up then cosine decay,
global gradient-norm clipping, random byte-level windows from the first 90% of the text and the
validation loss over batches of the last 10%.

wall_s covers the training steps and the final validation, the same span TrainerBench measures.
Prints its result last as one key=value line.
"""
import argparse
import math
import resource
import time

import torch
import torch.nn as nn
import torch.nn.functional as F


class Block(nn.Module):
    def __init__(self, width, heads):
        super().__init__()
        self.heads = heads
        self.ln_1 = nn.LayerNorm(width)
        self.c_attn = nn.Linear(width, 3 * width)
        self.attn_proj = nn.Linear(width, width)
        self.ln_2 = nn.LayerNorm(width)
        self.c_fc = nn.Linear(width, 4 * width)
        self.mlp_proj = nn.Linear(4 * width, width)

    def forward(self, x, causal):
        b, t, c = x.shape
        q, k, v = self.c_attn(self.ln_1(x)).split(c, dim=2)
        # (b, t, c) -> (b, heads, t, head size)
        q, k, v = (z.view(b, t, self.heads, c // self.heads).transpose(1, 2) for z in (q, k, v))
        scores = (q @ k.transpose(-2, -1)) / math.sqrt(c // self.heads)
        scores = scores.masked_fill(causal[:t, :t], float("-inf"))
        y = (F.softmax(scores, dim=-1) @ v).transpose(1, 2).reshape(b, t, c)
        x = x + self.attn_proj(y)
        x = x + self.mlp_proj(F.gelu(self.c_fc(self.ln_2(x)), approximate="tanh"))
        return x


class Gpt(nn.Module):
    def __init__(self, vocab, context, layers, heads, width):
        super().__init__()
        self.wte = nn.Embedding(vocab, width)
        self.wpe = nn.Embedding(context, width)
        self.blocks = nn.ModuleList(Block(width, heads) for _ in range(layers))
        self.ln_f = nn.LayerNorm(width)
        self.register_buffer("causal", torch.ones(context, context, dtype=torch.bool).triu(1))
        for name, p in self.named_parameters():
            if name.endswith("bias"):
                nn.init.zeros_(p)
            elif "ln_" in name:
                nn.init.ones_(p)
            elif name.endswith("proj.weight"):  # residual projections, GPT-2's 1/sqrt(2 L) scaling
                nn.init.normal_(p, 0.0, 0.02 / math.sqrt(2 * layers))
            else:
                nn.init.normal_(p, 0.0, 0.02)

    def forward(self, idx, targets):
        t = idx.shape[1]
        x = self.wte(idx) + self.wpe(torch.arange(t))
        for block in self.blocks:
            x = block(x, self.causal)
        logits = self.ln_f(x) @ self.wte.weight.t()  # tied head, no bias
        return F.cross_entropy(logits.view(-1, logits.shape[-1]), targets.view(-1))


def lr_at(step, max_lr, min_lr, warmup, decay_steps):
    if step < warmup:
        return max_lr * (step + 1) / (warmup + 1)
    if step >= decay_steps:
        return min_lr
    ratio = (step - warmup) / (decay_steps - warmup)
    return min_lr + 0.5 * (1.0 + math.cos(math.pi * ratio)) * (max_lr - min_lr)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--text", required=True)
    ap.add_argument("--steps", type=int, default=2000)
    ap.add_argument("--threads", type=int, default=1, help="torch intra-op threads")
    ap.add_argument("--seed", type=int, default=1337)
    ap.add_argument("--log-every", type=int, default=100)
    args = ap.parse_args()

    torch.manual_seed(args.seed)
    torch.set_num_threads(args.threads)
    with open(args.text, "rb") as f:
        data = torch.tensor(list(f.read()), dtype=torch.long)
    split = int(len(data) * 0.9)
    train, val = data[:split], data[split:]
    batch, context = 12, 64

    def get_batch(source, gen):
        starts = torch.randint(len(source) - context - 1, (batch,), generator=gen)
        x = torch.stack([source[s:s + context] for s in starts])
        y = torch.stack([source[s + 1:s + 1 + context] for s in starts])
        return x, y

    model = Gpt(256, context, 4, 4, 128)
    decay = [p for p in model.parameters() if p.dim() >= 2]
    no_decay = [p for p in model.parameters() if p.dim() < 2]
    opt = torch.optim.AdamW([{"params": decay, "weight_decay": 0.1},
                             {"params": no_decay, "weight_decay": 0.0}], lr=1e-3, betas=(0.9, 0.99))
    train_gen = torch.Generator().manual_seed(args.seed)
    val_gen = torch.Generator().manual_seed(args.seed + 1)
    print(f"torch {torch.__version__}, {sum(p.numel() for p in model.parameters())} parameters, "
          f"intra-op threads {torch.get_num_threads()}", flush=True)

    t0 = time.perf_counter()
    cpu0 = time.process_time()  # all threads of the process, like the JVM's process CPU time
    for step in range(args.steps):
        lr = lr_at(step, 1e-3, 1e-4, 100, 2000)
        for group in opt.param_groups:
            group["lr"] = lr
        x, y = get_batch(train, train_gen)
        loss = model(x, y)
        opt.zero_grad(set_to_none=True)
        loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        opt.step()
        if (step + 1) % args.log_every == 0:
            print(f"step {step + 1:5d}  loss {loss.item():.4f}  lr {lr:.2e}", flush=True)
    train_s = time.perf_counter() - t0
    model.eval()
    with torch.no_grad():
        val_loss = sum(model(*get_batch(val, val_gen)).item() for _ in range(20)) / 20
    wall = time.perf_counter() - t0
    cpu = time.process_time() - cpu0
    tokens_per_s = batch * context * args.steps / train_s
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"steps={args.steps} wall_s={wall:.2f} ms_per_step={1000 * train_s / args.steps:.2f} "
          f"tokens_per_s={tokens_per_s:.0f} val_loss={val_loss:.4f} peak_rss_mb={peak_mb:.0f} cpu_s={cpu:.2f}",
          flush=True)


if __name__ == "__main__":
    main()
