// The knowledge-cutoff lab page in a real Chromium: it shows the four figures of the lab's results file with the
// best model per window marked, the documents per year, and text from the file stays text.
import { withPage, check, baseUrl, run } from './lib/browser.mjs';

const base = baseUrl();

run(async () => {
  await withPage(async (page) => {
    await page.goto(base + '/labs/cutoff.html');
    await page.waitForFunction(() => document.body.dataset.loaded);
    check(await page.$eval('body', (b) => b.dataset.loaded) === 'true', 'the page loaded the lab results');
    const figures = await page.$$eval('#losses tbody tr', (rows) => rows.map((r) => ({
      model: r.dataset.model,
      early: r.querySelector('[data-window=early]').textContent,
      late: r.querySelector('[data-window=late]').textContent,
      best: [...r.querySelectorAll('td.best')].map((td) => td.dataset.window),
    })));
    check(JSON.stringify(figures) === process.env.EXPECTED, 'figures shown: ' + JSON.stringify(figures));
    const head = await page.$eval('#head-late', (e) => e.textContent);
    check(head.includes('2005-12-31') && head.includes('2010-12-31') && head.includes('16 held out'), 'late window header: ' + head);
    const years = await page.$$eval('#years tbody tr', (rows) => rows.map((r) => [...r.cells].map((c) => c.textContent)));
    check(JSON.stringify(years) === '[["1996","40","5"],["2010","106","4"]]', 'years: ' + JSON.stringify(years));
    // The tokenizer id in the file is markup: it must appear as text and create no element.
    check(await page.$('#run img') === null, 'markup from the results file was not rendered');
    const run = await page.$eval('#run', (e) => e.textContent);
    check(run.includes('<img src=x onerror=alert(1)>'), 'the id is shown as text: ' + run);
  });
});
