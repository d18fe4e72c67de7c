// The web chat in a real headless Chromium: pick a model, send a message, watch the answer stream in, open the
// per-token view and the model card, give a thumbs up; then a system prompt with a few-shot example, completion
// mode with a base model, and compare mode (one request to two models, answers side by side). The chat model
// answers "hi" with HTML markup, which must appear as literal text: no element may be created from it and no
// dialog may fire.
// Env: BASE_URL, CHAT_MODEL, BASE_MODEL, EXPECTED (the markup answer), PARAMS (the chat model's parameter count),
// REWARD_MODEL (a loaded reward model: best_of is tried too);
// SCREENSHOT=path-prefix saves pictures of the chat, the model card and a comparison for a person to look at.
import { baseUrl, check, run, withPage } from './lib/browser.mjs';

const CHAT_MODEL = process.env.CHAT_MODEL;
const BASE_MODEL = process.env.BASE_MODEL;
const EXPECTED = process.env.EXPECTED;
const PARAMS = Number(process.env.PARAMS);
const visible = (token) => token.replace(/\n/g, '\u21b5').replace(/ /g, '\u2423');

run(() => withPage(async (page) => {
  let dialogs = 0;
  page.on('dialog', async (d) => { dialogs++; await d.dismiss(); });
  // The tiny test models answer in milliseconds, so the browser may receive a whole reply in one network read and a
  // streaming page could not be told from a buffering one. The page's fetch therefore gets each reply's bytes in
  // small slices with pauses, like a slow network: a page that renders as bytes arrive shows the answer grow, a
  // page that waits for the whole reply does not (and events split across reads must still be parsed).
  await page.addInitScript(() => {
    const realFetch = window.fetch;
    window.fetch = async (input, init) => {
      const res = await realFetch(input, init);
      if (!init || init.method !== 'POST' || !String(input).startsWith('/v1/') || !res.body) return res;
      const reader = res.body.getReader();
      const slow = new ReadableStream({
        async pull(controller) {
          const { value, done } = await reader.read();
          if (done) { controller.close(); return; }
          for (let i = 0; i < value.length; i += 200) {
            controller.enqueue(value.slice(i, i + 200));
            await new Promise((r) => setTimeout(r, 10));
          }
        },
      });
      return new Response(slow, { status: res.status, statusText: res.statusText, headers: res.headers });
    };
  });
  // Every generation request the page sends, with its JSON body.
  const sent = [];
  page.on('request', (r) => {
    if (r.method() === 'POST' && /\/v1\/(chat\/)?completions$/.test(r.url())) {
      sent.push({ endpoint: new URL(r.url()).pathname, body: r.postDataJSON() });
    }
  });
  // Sends the input, waits until the page is ready again (the send button is disabled while answers stream), checks
  // `done` (a selector) shows the answers finished and returns the requests that send made.
  async function send(text, done) {
    const before = sent.length;
    await page.fill('#input', text);
    await page.click('#send');
    await page.waitForSelector('#send:not([disabled])');
    check(await page.locator(done).count() > 0, 'finished answers (' + done + ') after sending ' + JSON.stringify(text)
      + ': ' + await page.textContent('#messages'));
    return sent.slice(before);
  }
  // Clicks a generated token and checks the per-token view shows that token, its probability and alternatives.
  async function checkTokenView(token, what) {
    if (await page.isVisible('#token-panel')) await page.click('#token-close');
    const text = await token.textContent();
    await token.click();
    await page.waitForSelector('#token-panel:not([hidden])');
    const detail = await page.textContent('#token-detail');
    const chosen = (await page.locator('#token-detail p code.tokentext').allTextContents()).join('');
    check(chosen === visible(text), what + ': the view shows the clicked token ' + JSON.stringify(text) + ', got ' + chosen);
    check(/probability \d+(\.\d+)?%/.test(detail), what + ': the chosen token shows its probability: ' + detail);
    check(await page.locator('#token-detail table.alternatives tr').count() >= 2, what + ': alternatives are listed');
  }

  await page.goto(baseUrl() + '/');
  await page.waitForFunction((id) => [...document.querySelectorAll('#model option')].some((o) => o.value === id), CHAT_MODEL);
  check(await page.inputValue('#compare') === '', 'compare mode is off by default');

  // A base model opens in completion mode, with the reason shown.
  await page.selectOption('#model', BASE_MODEL);
  check(await page.inputValue('#mode') === 'completion', 'a pretrain model defaults to completion mode');
  const note = await page.textContent('#mode-note');
  check(note.includes('never taught the chat format'), 'the page explains base models: ' + note);

  // Chat with the fine-tuned model, greedy so the answer is the trained one.
  await page.selectOption('#model', CHAT_MODEL);
  check(await page.inputValue('#mode') === 'chat', 'a chat model defaults to chat mode');
  await page.fill('#temperature', '0');
  // Record the answer's token count at every change while it is still streaming.
  await page.evaluate(() => {
    window.__growth = [];
    new MutationObserver(() => {
      const box = document.querySelector('#messages > .msg.assistant');
      if (box && box.dataset.done !== 'true') window.__growth.push(box.querySelectorAll('.content .tok').length);
    }).observe(document.getElementById('messages'), { childList: true, subtree: true });
  });
  let streamType = '';
  page.on('response', (r) => {
    if (r.url().endsWith('/v1/chat/completions')) streamType = r.headers()['content-type'] || '';
  });
  let requests = await send('hi', '#messages > .msg.assistant[data-done="true"]');
  check(requests.length === 1 && requests[0].body.model === CHAT_MODEL, 'one request to the chat model');
  const answer = await page.textContent('.msg.assistant .content');
  check(answer === EXPECTED, 'the markup is shown as text: ' + JSON.stringify(answer));
  check(await page.locator('#messages img').count() === 0, 'no <img> element was created');
  check(await page.locator('#messages b').count() === 0, 'no <b> element was created');
  // Streamed: an event stream, shown piece by piece while it arrives.
  check(streamType.startsWith('text/event-stream'), 'the answer came as server-sent events: ' + streamType);
  const tokens = page.locator('.msg.assistant .tok');
  const final = await tokens.count();
  check(final > 3, 'the answer is made of token spans');
  const growth = await page.evaluate(() => window.__growth);
  console.log('token counts seen while streaming: ' + [...new Set(growth)].join(',') + ' (final ' + final + ')');
  const partial = [...new Set(growth)].filter((n) => n > 0 && n < final);
  check(partial.length >= 2, 'the answer grew while streaming: token counts seen ' + [...new Set(growth)].join(',')
    + ' before the final ' + final);

  // The per-token view: probability and alternatives of one generated token.
  await checkTokenView(tokens.nth(1), 'chat answer');

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

  // System prompt and a few-shot example go first, in order, before the conversation.
  await page.click('#clear');
  await page.fill('#system', 'You are terse.');
  await page.click('#add-example');
  await page.fill('#examples .example:last-child .ex-user', 'hello');
  await page.fill('#examples .example:last-child .ex-assistant', 'hello there');
  requests = await send('hi', '#messages > .msg.assistant[data-done="true"]');
  check(requests.length === 1 && requests[0].endpoint === '/v1/chat/completions', 'one chat request');
  const expectedMessages = [{ role: 'system', content: 'You are terse.' }, { role: 'user', content: 'hello' },
    { role: 'assistant', content: 'hello there' }, { role: 'user', content: 'hi' }];
  check(JSON.stringify(requests[0].body.messages) === JSON.stringify(expectedMessages),
    'system turn, example turns and the message in order: ' + JSON.stringify(requests[0].body.messages));
  check(requests[0].body.temperature === 0 && requests[0].body.stream === true, 'the sampling settings were sent');

  // Completion mode with the base model's stage alias: the text is continued, token by token with probabilities.
  await page.click('#clear');
  await page.selectOption('#model', 'pretrain');
  check(await page.inputValue('#mode') === 'completion', 'the pretrain alias opens in completion mode');
  requests = await send('The cat', '#messages > .msg.completion[data-done="true"]');
  check(requests.length === 1 && requests[0].endpoint === '/v1/completions' && requests[0].body.model === 'pretrain'
    && requests[0].body.prompt === 'The cat', 'one completion request for the prompt: ' + JSON.stringify(requests));
  check((await page.textContent('.msg.completion .content')).length > 0, 'the base model continued the text');
  await checkTokenView(page.locator('.msg.completion .content .tok').first(), 'completion');

  // Compare mode: the same request (system prompt and example still set) to two models at once, the answers side by
  // side, each labelled with its model and with its own token view (and thumbs, for chats).
  async function compare(text, endpoint, boxClass) {
    await page.click('#clear');
    await page.selectOption('#model', CHAT_MODEL);
    await page.selectOption('#compare', BASE_MODEL);
    if (endpoint === '/v1/completions') await page.selectOption('#mode', 'completion');
    requests = await send(text, '.compare .msg[data-done="true"] + .msg[data-done="true"]');
    check(requests.length === 2, 'two requests, got ' + requests.length);
    check(requests.every((r) => r.endpoint === endpoint), 'both requests to ' + endpoint);
    check(requests.map((r) => r.body.model).sort().join() === [CHAT_MODEL, BASE_MODEL].sort().join(),
      'one request per model: ' + requests.map((r) => r.body.model));
    const [a, b] = requests.map((r) => JSON.stringify({ ...r.body, model: null }));
    check(a === b, 'the two requests differ only by model: ' + a + ' vs ' + b);
    if (endpoint === '/v1/chat/completions') {
      check(JSON.stringify(requests[0].body.messages) === JSON.stringify(expectedMessages),
        'both get the system prompt, the example and the message: ' + JSON.stringify(requests[0].body.messages));
    } else {
      check(requests[0].body.prompt === text, 'both get the prompt: ' + requests[0].body.prompt);
    }
    check(Number.isInteger(requests[0].body.seed), 'the compared requests share one seed: ' + requests[0].body.seed);
    const boxes = page.locator('#messages .compare > .msg');
    check(await boxes.count() === 2, 'two answers side by side');
    for (const [i, model] of [CHAT_MODEL, BASE_MODEL].entries()) {
      const box = boxes.nth(i);
      check(await box.evaluate((e, c) => e.classList.contains(c), boxClass), 'answer ' + i + ' is a ' + boxClass);
      check(await box.locator('.role').textContent() === model, 'answer ' + i + ' is labelled ' + model);
      const content = await box.locator('.content').textContent();
      console.log(endpoint + ' ' + model + ': ' + JSON.stringify(content));
      check(content.length > 0, 'the answer of ' + model + ' is not empty');
      await checkTokenView(box.locator('.content .tok').first(), 'compare ' + model);
    }
  }
  await compare('hi', '/v1/chat/completions', 'assistant');
  const second = page.locator('#messages .compare > .msg').nth(1);
  check(await page.locator('#messages .compare .thumbs-up').count() === 2, 'each compared answer has thumbs');
  await second.locator('.thumbs-up').click();
  await second.locator('.feedback-status').waitFor();
  check((await second.locator('.feedback-status').textContent()).includes('recorded'), 'thumbs on a compared answer');
  if (process.env.SCREENSHOT) await page.screenshot({ path: process.env.SCREENSHOT + '-compare.png' });
  // Completion mode compared (the prompt starts the chat model's markup answer, which must stay text).
  await compare('<img src=x', '/v1/completions', 'completion');

  // Best of 3 under the reward model: one request, the answer the reward model scores highest, every sampled answer
  // listed with its score, best first, as text.
  if (process.env.REWARD_MODEL) {
    await page.click('#clear');
    await page.selectOption('#compare', '');
    await page.selectOption('#model', CHAT_MODEL);
    await page.selectOption('#mode', 'chat');
    await page.fill('#system', '');
    await page.fill('#examples .example:last-child .ex-user', '');
    await page.fill('#examples .example:last-child .ex-assistant', '');
    await page.fill('#temperature', '1.5');
    await page.fill('#max-tokens', '12'); // the conversation and answer fit the reward model's context of 64
    await page.fill('#best-of', '3');
    requests = await send('hi', '#messages > .msg.assistant[data-done="true"]');
    check(requests.length === 1 && requests[0].body.best_of === 3 && !requests[0].body.stream, 'one best_of request: '
      + JSON.stringify(requests.map((r) => r.body)));
    const items = page.locator('#messages .best-of li');
    check(await items.count() === 3, 'three scored answers listed');
    const scores = (await items.evaluateAll((li) => li.map((e) => Number(e.dataset.score))));
    check(scores.every((x, i) => i === 0 || scores[i - 1] >= x), 'best first: ' + scores);
    const shown = await page.textContent('#messages > .msg.assistant > .content');
    check(shown === await items.first().locator('.candidate').textContent(), 'the answer is the best-scored one: ' + JSON.stringify(shown));
    check((await page.textContent('#messages .best-of summary')).includes(process.env.REWARD_MODEL), 'the reward model is named');
    await page.fill('#best-of', '1');
  }

  check(await page.locator('#messages img, #messages b').count() === 0, 'no element was created from model output');
  check(dialogs === 0, 'no dialog fired');
  console.log('ANSWER_ID=' + answerId);
}));
