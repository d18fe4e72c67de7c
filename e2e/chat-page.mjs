// The web chat in a real headless Chromium: pick a model, send a message, watch the answer stream in, open the
// per-token view and the model card, give a thumbs up. The chat model answers "hi" with HTML markup, which must
// appear as literal text: no element may be created from it and no dialog may fire.
// Env: BASE_URL, CHAT_MODEL, BASE_MODEL, EXPECTED (the markup answer), PARAMS (the chat model's parameter count);
// SCREENSHOT=path-prefix saves pictures of the chat and the model card for a person to look at.
import { baseUrl, check, run, withPage } from './lib/browser.mjs';

const CHAT_MODEL = process.env.CHAT_MODEL;
const BASE_MODEL = process.env.BASE_MODEL;
const EXPECTED = process.env.EXPECTED;
const PARAMS = Number(process.env.PARAMS);

run(() => withPage(async (page) => {
  let dialogs = 0;
  page.on('dialog', async (d) => { dialogs++; await d.dismiss(); });
  await page.goto(baseUrl() + '/');
  await page.waitForFunction((id) => [...document.querySelectorAll('#model option')].some((o) => o.value === id), CHAT_MODEL);

  // A base model opens in completion mode, with the reason shown.
  await page.selectOption('#model', BASE_MODEL);
  check(await page.inputValue('#mode') === 'completion', 'a pretrain model defaults to completion mode');
  const note = await page.textContent('#mode-note');
  check(note.includes('never taught the chat format'), 'the page explains base models: ' + note);

  // Chat with the fine-tuned model, greedy so the answer is the trained one.
  await page.selectOption('#model', CHAT_MODEL);
  check(await page.inputValue('#mode') === 'chat', 'a chat model defaults to chat mode');
  await page.fill('#temperature', '0');
  // Count the token spans as they arrive: a streamed answer grows piece by piece.
  await page.evaluate(() => {
    window.__growth = [];
    new MutationObserver(() => {
      const last = document.querySelector('.msg.assistant:last-of-type .content');
      if (last) window.__growth.push(last.querySelectorAll('.tok').length);
    }).observe(document.getElementById('messages'), { childList: true, subtree: true });
  });
  let streamType = '';
  page.on('response', (r) => {
    if (r.url().endsWith('/v1/chat/completions')) streamType = r.headers()['content-type'] || '';
  });
  await page.fill('#input', 'hi');
  await page.click('#send');
  await page.waitForSelector('.msg.assistant[data-done="true"]');
  const answer = await page.textContent('.msg.assistant .content');
  check(answer === EXPECTED, 'the markup is shown as text: ' + JSON.stringify(answer));
  check(await page.locator('#messages img').count() === 0, 'no <img> element was created');
  check(await page.locator('#messages b').count() === 0, 'no <b> element was created');
  // Streamed: the reply is an event stream, rendered chunk by chunk into token spans (how many renders happen
  // depends on how the browser batches network reads, so that count is only logged).
  check(streamType.startsWith('text/event-stream'), 'the answer came as server-sent events: ' + streamType);
  const growth = await page.evaluate(() => window.__growth);
  console.log('token counts seen while streaming: ' + [...new Set(growth)].join(','));

  // The per-token view: probability and alternatives of one generated token.
  const tokens = page.locator('.msg.assistant .tok');
  check(await tokens.count() > 3, 'the answer is made of token spans');
  await tokens.nth(1).click();
  await page.waitForSelector('#token-panel:not([hidden])');
  const detail = await page.textContent('#token-detail');
  check(/probability \d+(\.\d+)?%/.test(detail), 'the chosen token shows its probability: ' + detail);
  check(await page.locator('#token-detail table.alternatives tr').count() >= 2, 'alternatives are listed');

  // The model card: size, architecture, data.
  await page.click('#card-button');
  await page.waitForSelector('#card-dialog[open] #card-parameters');
  const total = (await page.textContent('#card .param-total')).replace(/,/g, '');
  check(Number(total) === PARAMS, 'parameter total ' + total + ' = ' + PARAMS);
  const card = await page.textContent('#card');
  check(card.includes('knowledge cutoff') && card.includes('2024-05-31'), 'the card shows the knowledge cutoff');
  const shards = await page.textContent('#card-data tr:has(td:text-is("shards")) td:nth-child(2)');
  check(shards === '2', 'the card shows how many shards the model was trained on, got ' + shards);
  check(card.includes('block 0') && card.includes('embeddings'), 'the card shows parameters per layer');
  check(card.includes(BASE_MODEL), 'the card shows the lineage back to the base model');
  if (process.env.SCREENSHOT) await page.screenshot({ path: process.env.SCREENSHOT + '-card.png' });
  await page.click('#card-close');

  // Thumbs up: recorded (the Java test reads it back from the topic).
  await page.click('.msg.assistant .thumbs-up');
  await page.waitForSelector('.feedback-status');
  const fb = await page.textContent('.feedback-status');
  check(fb.includes('recorded'), 'feedback recorded: ' + fb);
  if (process.env.SCREENSHOT) await page.screenshot({ path: process.env.SCREENSHOT + '-chat.png' });
  const answerId = await page.getAttribute('.msg.assistant', 'data-answer-id');
  check(dialogs === 0, 'no dialog fired');
  console.log('ANSWER_ID=' + answerId);
}));
