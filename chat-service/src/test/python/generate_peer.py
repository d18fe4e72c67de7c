"""PyTorch peer for the chat benchmark: nanoGPT-style generation (no KV cache: the whole window is recomputed for
every new token) with a randomly initialised GPT of the given shape. Prints tokens_per_s=X last."""
import argparse
import math
import time

import torch
import torch.nn as nn
import torch.nn.functional as F


class Block(nn.Module):
    def __init__(self, c, h):
        super().__init__()
        self.h = h
        self.ln_1 = nn.LayerNorm(c)
        self.c_attn = nn.Linear(c, 3 * c)
        self.c_proj = nn.Linear(c, c)
        self.ln_2 = nn.LayerNorm(c)
        self.c_fc = nn.Linear(c, 4 * c)
        self.mlp_proj = nn.Linear(4 * c, c)

    def forward(self, x):
        b, t, c = x.shape
        q, k, v = self.c_attn(self.ln_1(x)).split(c, dim=2)
        q, k, v = (z.view(b, t, self.h, c // self.h).transpose(1, 2) for z in (q, k, v))
        att = (q @ k.transpose(-2, -1)) * (1.0 / math.sqrt(k.size(-1)))  # nanoGPT's explicit attention (torch 1.13)
        att = att.masked_fill(torch.ones(t, t, dtype=torch.bool).tril().logical_not(), float("-inf"))
        y = F.softmax(att, dim=-1) @ v
        x = x + self.c_proj(y.transpose(1, 2).contiguous().view(b, t, c))
        return x + self.mlp_proj(F.gelu(self.c_fc(self.ln_2(x)), approximate="tanh"))


class GPT(nn.Module):
    def __init__(self, vocab, block, layers, heads, width):
        super().__init__()
        self.block = block
        self.wte = nn.Embedding(vocab, width)
        self.wpe = nn.Embedding(block, width)
        self.h = nn.ModuleList(Block(width, heads) for _ in range(layers))
        self.ln_f = nn.LayerNorm(width)

    def forward(self, idx):
        t = idx.shape[1]
        x = self.wte(idx) + self.wpe(torch.arange(t))
        for blk in self.h:
            x = blk(x)
        return self.ln_f(x)[:, -1, :] @ self.wte.weight.T  # tied head, last position only


@torch.no_grad()
def generate(model, idx, n, temperature=0.8):
    for _ in range(n):
        logits = model(idx[:, -model.block:]) / temperature
        nxt = torch.multinomial(F.softmax(logits, dim=-1), 1)
        idx = torch.cat((idx, nxt), dim=1)
    return idx


def main():
    p = argparse.ArgumentParser()
    for name, default in (("vocab", 256), ("block", 64), ("layers", 4), ("heads", 4), ("width", 128)):
        p.add_argument("--" + name, type=int, default=default)
    p.add_argument("--rounds", type=int, default=10)
    a = p.parse_args()
    torch.manual_seed(0)
    model = GPT(a.vocab, a.block, a.layers, a.heads, a.width).eval()
    prompt = torch.randint(0, a.vocab, (1, 8))
    n = a.block - 8
    generate(model, prompt, n)  # warm-up
    rates = []
    for _ in range(a.rounds):
        t0 = time.perf_counter()
        generate(model, prompt, n)
        rates.append(n / (time.perf_counter() - t0))
    rates.sort()
    print(f"pytorch {torch.__version__}, {torch.get_num_threads()} threads, {n} tokens per run")
    print(f"tokens_per_s={rates[len(rates) // 2]:.0f}")


if __name__ == "__main__":
    main()
