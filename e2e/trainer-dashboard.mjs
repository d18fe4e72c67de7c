// The trainer dashboard in a real Chromium: start a tiny job from the form, watch steps advance, a loss value and
// a drawn curve, see its checkpoint listed, stop it with the button, resume it from where it stopped; and a refused
// job shows why.
import { withPage, check, baseUrl, run } from './lib/browser.mjs';

const TOKENIZER = process.env.TOKENIZER_ID;

async function stepOf(page) {
  const text = await page.textContent('#step');
  const m = /^(\d+) \//.exec(text.trim());
  return m ? Number(m[1]) : -1;
}

async function fill(page, values) {
  for (const [name, value] of Object.entries(values)) await page.fill(`#job-form [name="${name}"]`, String(value));
}

run(async () => {
  check(TOKENIZER, 'TOKENIZER_ID is set');
  await withPage(async (page) => {
    await page.goto(baseUrl() + '/');
    await page.waitForSelector(`#tokenizer option[value="${TOKENIZER}"]`, { state: 'attached' });
    await page.selectOption('#tokenizer', TOKENIZER);

    // A job the trainer refuses: the reason is shown next to the form, and no job starts.
    await fill(page, { nLayer: 2, nHead: 3, nEmbd: 32, blockSize: 32, steps: 10, batchSize: 4, lr: 0.003 });
    await page.click('#start');
    await page.waitForSelector('#form-error:not([hidden])');
    const why = await page.textContent('#form-error');
    check(why.includes('must divide'), 'the refusal says nHead must divide nEmbd: ' + why);

    await fill(page, { nHead: 2, steps: 3000, batchSize: 8, evalEvery: 20, checkpointEvery: 40 });
    await page.click('#start');
    await page.waitForFunction(() => /^pt-/.test(document.querySelector('#job-title').textContent));
    const jobId = (await page.textContent('#job-title')).trim();
    console.log('started', jobId);

    await page.waitForFunction(() => /^\d+ \//.test(document.querySelector('#step').textContent)
      && Number(document.querySelector('#step').textContent.split(' ')[0]) > 0, null, { timeout: 60000 });
    const first = await stepOf(page);
    await page.waitForFunction((s) => Number(document.querySelector('#step').textContent.split(' ')[0]) > s + 5, first,
      { timeout: 60000 });
    const later = await stepOf(page);
    check(later > first, `steps advance (${first} then ${later})`);

    const loss = Number((await page.textContent('#train-loss')).trim());
    check(Number.isFinite(loss) && loss > 0 && loss < 10, 'a train loss value is shown: ' + loss);
    const badge = (await page.textContent('#job-state')).trim();
    check(badge === 'running', 'the job shows as running: ' + badge);

    // The curve: the chart's point count grows and the canvas has drawn (non-blank) pixels.
    const points1 = Number(await page.getAttribute('#loss-chart', 'data-points'));
    await page.waitForFunction((p) => Number(document.querySelector('#loss-chart').dataset.points) > p + 3, points1,
      { timeout: 60000 });
    const inked = await page.evaluate(() => {
      const c = document.querySelector('#loss-chart');
      const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
      let blue = 0;
      for (let i = 0; i < d.length; i += 4) if (d[i + 3] > 0 && d[i + 2] > 150 && d[i] < 120) blue++;
      return blue;
    });
    check(inked > 50, 'the train curve is drawn on the canvas (' + inked + ' blue pixels)');

    // Its first checkpoint appears in the list, then the val loss.
    await page.waitForFunction((id) => [...document.querySelectorAll('#checkpoints tbody tr td:first-child')]
      .some((td) => td.textContent.startsWith(id)), jobId, { timeout: 90000 });
    await page.waitForFunction(() => /^\d/.test(document.querySelector('#val-loss').textContent.trim()), null, { timeout: 60000 });
    const tps = (await page.textContent('#tokens-per-second')).trim();
    check(tps !== '—', 'tokens/s is shown: ' + tps);
    const eta = (await page.textContent('#eta')).trim();
    check(eta !== '—', 'an ETA is shown: ' + eta);

    // Stop: the job ends as stopped after its current step, with one more checkpoint.
    await page.click('#stop');
    await page.waitForFunction(() => document.querySelector('#job-state').textContent.trim() === 'stopped', null,
      { timeout: 60000 });
    const stoppedAt = await stepOf(page);
    console.log('stopped at', stoppedAt, 'loss', loss, 'points', await page.getAttribute('#loss-chart', 'data-points'));

    // Resume: it continues from the step where it stopped, not from zero.
    await page.waitForSelector('#resume:not([hidden])', { timeout: 10000 });
    // Watch every step number shown from now on: none may be below the step it stopped at.
    await page.evaluate(() => {
      window.minStep = Infinity;
      new MutationObserver(() => {
        const n = Number(document.querySelector('#step').textContent.split(' ')[0]);
        if (Number.isFinite(n)) window.minStep = Math.min(window.minStep, n);
      }).observe(document.querySelector('#step'), { childList: true, characterData: true, subtree: true });
    });
    await page.click('#resume');
    await page.waitForFunction((s) => Number(document.querySelector('#step').textContent.split(' ')[0]) > s + 3, stoppedAt,
      { timeout: 60000 });
    const resumedBadge = (await page.textContent('#job-state')).trim();
    check(resumedBadge === 'running', 'the resumed job runs again: ' + resumedBadge);
    const minStep = await page.evaluate(() => window.minStep);
    check(minStep >= stoppedAt, `after resuming, steps continue from ${stoppedAt} (lowest shown: ${minStep})`);
    await page.click('#stop');
    await page.waitForFunction(() => document.querySelector('#job-state').textContent.trim() === 'stopped', null,
      { timeout: 60000 });
  });
});
