// The ingest page in a real Chromium: after an upload (a text, its near duplicate and a short text), the page shows the pipeline's steps with their counts and
// the source's progress as the API reports them, and text from a file (its name) stays text.
import { withPage, check, baseUrl, run } from './lib/browser.mjs';

const base = baseUrl();
const STEPS = ['read', 'extract', 'normalize', 'cutoff', 'language', 'quality.word-count', 'pii', 'minhash', 'catalog', 'publish'];

async function json(path) {
  const response = await fetch(base + path);
  check(response.ok, 'GET ' + path + ' answered ' + response.status);
  return response.json();
}

run(async () => {
  const tag = Date.now();
  const long = (topic) => `On day ${tag} the committee met to discuss the report on ${topic}. Members asked many `
    + 'questions about the figures, and the chair answered them in turn. Several speakers said the proposal was '
    + 'too costly for the smaller regions, while others thought it did not go far enough. After a long debate the '
    + `house agreed to vote on the ${topic} report at the next session, once the translations were ready for everyone.`;
  const lines = [long('fisheries'), long('the budget'), 'too short']
    .map((text) => JSON.stringify({ text, date: '2005-05-05' })).join('\n') + '\n';
  const name = `<img src=x onerror=document.body.dataset.owned=1>${tag}.jsonl`;
  const form = new FormData();
  form.append('file', new Blob([lines], { type: 'application/octet-stream' }), name);
  const posted = await fetch(base + '/api/ingest/files', { method: 'POST', body: form });
  check(posted.status === 202, 'the upload answered ' + posted.status);
  const id = (await posted.json()).sourceId;

  let source;
  for (let i = 0; i < 120; i++) {
    source = await json('/api/ingest/sources/' + id);
    if (source.state === 'done') break;
    await new Promise((r) => setTimeout(r, 500));
  }
  check(source.state === 'done', 'the source is done: ' + source.state);
  // The second text is the first with one topic changed: a near duplicate.
  check(source.accepted === 1 && source.rejected.byReason['dedup.near'] === 1 && source.rejected.byReason['quality.word-count'] === 1,
    'one accepted, a near duplicate and a short text rejected: ' + JSON.stringify(source));

  // Counts only add up between steps when no task is half-way: wait for every source of this service to be done.
  for (let i = 0; i < 240; i++) {
    const t = (await json('/api/ingest/stats')).tasks;
    if (t.done === t.total) break;
    await new Promise((r) => setTimeout(r, 500));
  }

  await withPage(async (page) => {
    await page.goto(base + '/');
    await page.waitForFunction((id) => [...document.querySelectorAll('#sources tr')].some((tr) => tr.textContent.includes(id)), id);

    // The source's row says what the API says.
    const row = await page.$$eval('#sources tr', (trs, id) => {
      const tr = trs.find((t) => t.textContent.includes(id));
      return [...tr.children].map((td) => td.textContent.trim());
    }, id);
    check(row[0].includes(name), 'the file name is shown as text: ' + row[0]);
    check(row[1] === 'upload' && row[2] === 'done', 'type and state: ' + row);
    check(row[3] === `${source.tasks.done}/${source.tasks.total}`, 'tasks done/total: ' + row[3]);
    check(row[4] === String(source.accepted) && row[5] === String(source.rejected.total), 'accepted and rejected: ' + row);
    check(await page.evaluate(() => document.body.dataset.owned === undefined && !document.querySelector('#sources img')),
      'a file name is never markup');

    // Every step of the pipeline is listed, in order, with counts that add up.
    const steps = await page.$$eval('#steps tr', (trs) => trs.map((tr) => [...tr.children].map((td) => td.textContent.trim())));
    const names = steps.map((s) => s[0]);
    let last = -1;
    for (const step of STEPS) {
      const at = names.indexOf(step);
      check(at > last, `step ${step} is listed after the ones before it: ${names}`);
      last = at;
    }
    const read = steps[names.indexOf('read')];
    check(Number(read[2]) >= 3, 'the read step has seen the 3 records: ' + read);
    // Per document, each step sees what the one before let through; the catalog then stores every record read.
    for (let i = names.indexOf('extract'); i <= names.indexOf('minhash'); i++) {
      const before = steps[i - 1], here = steps[i];
      check(Number(here[2]) === Number(before[2]) - Number(before[3]),
        `documents into ${here[0]} = into ${before[0]} minus its rejections: ${before} / ${here}`);
    }
    check(steps[names.indexOf('catalog')][2] === read[2], 'the catalog stores every record read: ' + steps[names.indexOf('catalog')]);
    const stats = await json('/api/ingest/stats');
    const summary = await page.$eval('#summary', (e) => e.textContent);
    check(summary.includes('knowledge cutoff ' + stats.cutoff.date), 'the summary states the cutoff in force: ' + summary);
    const reasons = await page.$$eval('#reasons tr td:first-child', (tds) => tds.map((td) => td.textContent));
    check(reasons.includes('quality.word-count') && reasons.includes('dedup.near'), 'rejections by reason: ' + reasons);
  });
  console.log('ingest page: ok');
});
