// The rater page in a real headless Chromium: sign in, rank a task by keyboard with two candidates tied, skip the
// next, undo the first submission (the task comes back), rank it again by drag and drop, and check the page at phone
// width. One candidate is HTML markup, which must show as text: no element may be created from it and no dialog may
// fire.
// Env: BASE_URL, CAMPAIGN, RATER, PASSWORD. Prints "RANKED <task> <order as JSON>" for the ranking that stands.
import { baseUrl, check, run, withPage } from './lib/browser.mjs';

const { CAMPAIGN, RATER, PASSWORD } = process.env;

run(() => withPage(async (page) => {
  let dialogs = 0;
  page.on('dialog', async (d) => { dialogs++; await d.dismiss(); });
  await page.goto(baseUrl() + '/?campaign=' + encodeURIComponent(CAMPAIGN));
  await page.locator('#name').fill(RATER);
  await page.locator('#password').fill(PASSWORD);
  await page.keyboard.press('Enter');
  await page.locator('#task .cand').first().waitFor();
  check((await page.locator('#shortcuts li').count()) >= 4, 'the shortcuts are listed');
  check((await page.locator('#guidelines strong').count()) === 1, 'guidelines are rendered Markdown');
  check((await page.locator('#guidelines script').count()) === 0, 'raw HTML in guidelines is not rendered');

  const taskId = async () => page.evaluate(() => document.querySelector('.cand') && document.querySelector('#prompt').textContent);
  const indexes = async () => page.$$eval('.cand', (els) => els.map((e) => Number(e.dataset.index)));
  const blur = async () => page.evaluate(() => document.activeElement && document.activeElement.blur());

  // Task 1: 1 = 2 (tied) > 3, by keyboard.
  const firstPrompt = await taskId();
  await blur();
  await page.keyboard.press('1');
  await page.keyboard.press('t');
  await page.keyboard.press('2');
  await page.keyboard.press('3');
  check((await page.locator('#groups li').count()) === 2, 'two places: a tie and one');
  await page.keyboard.press('Enter');
  await page.locator('#undo:not(.hidden)').waitFor();
  await page.waitForFunction((p) => document.querySelector('#prompt').textContent !== p, firstPrompt);

  // Task 2: skip.
  const secondPrompt = await taskId();
  await page.keyboard.press('s');
  await page.waitForFunction((p) => document.querySelector('#prompt').textContent !== p, secondPrompt);

  // Undo the first submission: its task is back.
  await page.keyboard.press('u');
  await page.waitForFunction((p) => document.querySelector('#prompt').textContent === p, firstPrompt);
  check(await page.locator('#undo').evaluate((e) => e.classList.contains('hidden')), 'nothing left to undo');

  // Rank it again by drag and drop, 3 = 2 > 1 (positions as shown): #3 onto "new place", #2 onto that place (a tie),
  // #1 onto "new place". The page sends candidate indexes.
  const shown = await indexes();
  const cand = (pos) => page.locator('.cand[data-pos="' + pos + '"]');
  await cand(3).dragTo(page.locator('#new-group'));
  check((await page.locator('#groups li').count()) === 1, 'a dropped candidate takes a new place');
  await cand(2).dragTo(page.locator('#groups li[data-group="0"]'));
  check((await page.locator('#groups li').count()) === 1, 'a candidate dropped onto a place ties with it');
  await cand(1).dragTo(page.locator('#new-group'));
  check((await page.locator('#groups li').count()) === 2, 'two places after three drops');
  await blur();
  const progressBefore = await page.locator('#progress').evaluate((e) => e.value);
  await page.keyboard.press('Enter');
  await page.locator('#status.ok').waitFor();
  await page.waitForFunction((p) => document.querySelector('#prompt').textContent !== p, firstPrompt);
  check((await page.locator('#progress').evaluate((e) => e.value)) > progressBefore, 'the progress bar moves on');

  // Model output is text: the markup candidate created no element.
  check((await page.locator('#candidates img').count()) === 0, 'no element from a candidate');
  const texts = await page.$$eval('.cand .text', (els) => els.map((e) => e.textContent));
  check(texts.some((t) => t.includes('<img')), 'the markup candidate shows as text: ' + JSON.stringify(texts));
  check(dialogs === 0, 'no dialog fired');

  // Phone width: nothing wider than the screen.
  await page.setViewportSize({ width: 390, height: 800 });
  const wide = await page.evaluate(() => document.scrollingElement.scrollWidth);
  check(wide <= 392, 'fits a phone: page width ' + wide);

  const order = [[shown[2], shown[1]], [shown[0]]];
  console.log('RANKED ' + firstPrompt + ' ' + JSON.stringify(order));
}));
