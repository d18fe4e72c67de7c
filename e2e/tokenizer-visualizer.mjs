// The tokenizer visualizer in a real Chromium: the pieces it shows are the ids /api/tokenize returns, two
// tokenizers side by side differ, the number preset shows each policy's digit grouping, and text stays text.
import { withPage, check, baseUrl, run } from './lib/browser.mjs';

const base = baseUrl();

async function tokenize(text, tokenizer) {
  const response = await fetch(base + '/api/tokenize', {
    method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ text, tokenizer }),
  });
  check(response.ok, 'POST /api/tokenize answered ' + response.status);
  return response.json();
}

async function typeAndWait(page, text) {
  await page.fill('#text', text);
  await page.waitForFunction((t) => document.body.dataset.renderedText === t, text);
}

async function shownIds(page, pane) {
  return page.$$eval(pane + ' .pieces .piece', (els) => els.map((e) => Number(e.dataset.id)));
}

function same(a, b) {
  return JSON.stringify(a) === JSON.stringify(b);
}

run(async () => {
  await withPage(async (page) => {
    await page.goto(base + '/');
    await page.waitForFunction(() => document.querySelectorAll('#pane-a option').length >= 3);

    // What the page shows is what the API says.
    const text = 'Hello world! Tokens are not words: 12345, café, 東京.';
    await typeAndWait(page, text);
    const left = await page.$eval('#pane-a select', (s) => s.value);
    const api = await tokenize(text, left);
    const ids = await shownIds(page, '#pane-a');
    check(same(ids, api.pieces.map((p) => p.id)), 'pane A shows the ids of ' + left + ': ' + ids + ' vs ' + api.pieces.map((p) => p.id));
    const stats = await page.$eval('#pane-a .stats', (e) => e.textContent);
    check(stats.startsWith(api.tokenCount + ' tokens'), 'pane A states the token count: ' + stats);
    check(stats.includes('chars/token') && stats.includes('bytes/token'), 'pane A states characters and bytes per token');
    const title = await page.$eval('#pane-a .piece', (e) => e.title);
    check(/bytes [0-9a-f]{2}/.test(title), 'hovering a piece shows its bytes: ' + title);

    // Side by side: GPT-2 and GPT-4 give different ids for the same text.
    await page.selectOption('#pane-a select', 'r50k_base');
    await page.selectOption('#pane-b select', 'cl100k_base');
    const text2 = 'Token ids differ between models, 1234567.';
    await typeAndWait(page, text2);
    const idsA = await shownIds(page, '#pane-a');
    const idsB = await shownIds(page, '#pane-b');
    check(same(idsA, (await tokenize(text2, 'r50k_base')).pieces.map((p) => p.id)), 'left pane is r50k_base');
    check(same(idsB, (await tokenize(text2, 'cl100k_base')).pieces.map((p) => p.id)), 'right pane is cl100k_base');
    check(!same(idsA, idsB), 'the two tokenizers give different ids');

    // The arithmetic preset: one row per number policy.
    await page.click('#preset-numbers');
    const sum = '94569 + 32458 = 127027';
    await page.waitForFunction((t) => document.body.dataset.renderedText === t, sum);
    check((await page.$eval('#text', (e) => e.value)) === sum, 'the preset fills the text box');
    const rows = await page.$$eval('#policy-table tbody tr', (trs) => trs.map((tr) => ({
      policy: tr.dataset.policy,
      kind: tr.dataset.kind,
      tokenizer: tr.dataset.tokenizer,
      ids: [...tr.querySelectorAll('.piece')].map((e) => Number(e.dataset.id)),
      pieces: [...tr.querySelectorAll('.piece .t')].map((e) => e.textContent),
    })));
    const reference = rows.filter((r) => r.kind === 'reference');
    check(same(reference.map((r) => r.policy), ['gpt2', 'groups-of-3', 'single']), 'a row per policy: ' + rows.map((r) => r.policy));
    const list = await (await fetch(base + '/api/tokenizers')).json();
    const trainedPolicies = [...new Set(list.tokenizers.map((t) => t.numberPolicy))].sort();
    check(same(rows.filter((r) => r.kind === 'trained').map((r) => r.policy).sort(), trainedPolicies),
      'a row for our newest tokenizer of each policy we trained: ' + trainedPolicies);
    for (const row of rows) {
      check(same(row.ids, (await tokenize(sum, row.tokenizer)).pieces.map((p) => p.id)), row.policy + ' row shows ' + row.tokenizer + "'s ids");
    }
    const digits = (row) => row.pieces.map((p) => p.replace(/[^0-9]/g, '')).filter((d) => d.length > 0);
    const single = digits(reference[2]);
    check(single.length === 16 && single.every((d) => d.length === 1), 'single policy: one token per digit, got ' + single);
    const groups = digits(reference[1]);
    check(groups.every((d) => d.length <= 3) && groups.some((d) => d.length === 3), 'groups-of-3: at most three digits, got ' + groups);
    check(digits(reference[0]).join('') === '9456932458127027', 'gpt2 row holds every digit');
    check(!same(digits(reference[0]), groups), 'gpt2 and groups-of-3 cut the digits differently');

    // Text is text: markup typed into the box is shown, never run.
    const markup = '<img src=x onerror="window.__xss=1"><b>bold</b>';
    await typeAndWait(page, markup);
    check(await page.evaluate(() => window.__xss === undefined), 'typed markup did not run');
    check((await page.$$('.pieces img, .pieces b')).length === 0, 'typed markup made no elements');
    const shown = await page.$$eval('#pane-b .pieces .piece .t', (els) => els.map((e) => e.textContent).join(''));
    check(shown.replace(/\u00b7/g, ' ') === markup, 'the markup is shown as text: ' + shown);
  });
  console.log('tokenizer visualizer: ok');
});
