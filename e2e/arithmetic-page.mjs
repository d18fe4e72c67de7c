// The arithmetic lab's page in a real headless Chromium, against a results file the Java test wrote: the accuracy
// table shows every cell, the chart is an SVG with one series per policy and form, and text from the file (a model
// answer holding markup) stays text: no element is made from it and no dialog fires.
// Env: BASE_URL; CELLS, a JSON list of {policy, form, digits, text} the table must show.
import { baseUrl, check, run, withPage } from './lib/browser.mjs';

const CELLS = JSON.parse(process.env.CELLS);

run(() => withPage(async (page) => {
  let dialogs = 0;
  page.on('dialog', async (d) => { dialogs++; await d.dismiss(); });
  await page.goto(baseUrl() + '/labs/arithmetic.html');
  await page.waitForSelector('#accuracy td');
  for (const c of CELLS) {
    const sel = `#accuracy td[data-policy="${c.policy}"][data-form="${c.form}"][data-digits="${c.digits}"]`;
    const text = (await page.textContent(sel)).trim();
    check(text === c.text, `${c.policy} ${c.form} at ${c.digits} digits shows ${c.text}, got ${text}`);
  }
  check(await page.locator('#accuracy td').count() === CELLS.length, 'one cell per policy, form and digit count');
  for (const policy of ['gpt2', 'groups-of-3', 'single']) {
    for (const form of ['normal', 'reversed']) {
      const series = page.locator(`#chart svg g.series[data-policy="${policy}"][data-form="${form}"]`);
      check(await series.count() === 1, `one chart series for ${policy} ${form}`);
      const points = (await series.locator('polyline').getAttribute('points')).trim().split(/\s+/);
      check(points.length === 6, `${policy} ${form}: a point per digit count, got ${points.length}`);
    }
  }
  const answers = await page.locator('#example td.answer').allTextContents();
  check(answers.some((a) => a.includes('<img src=x onerror=alert(1)>')), 'the markup answer is shown as text: ' + answers);
  check(await page.locator('#example img').count() === 0, 'no element was made from the markup');
  check((await page.locator('#example .piece').allTextContents()).includes(' 127'), 'the pieces are shown');
  check(dialogs === 0, 'no dialog fired');
  console.log('ARITHMETIC_PAGE_OK');
}));
