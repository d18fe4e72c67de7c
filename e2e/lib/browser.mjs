// A real headless Chromium (Debian's package) driven by playwright-core, for the services' page tests.
import { chromium } from 'playwright-core';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const EXECUTABLE = process.env.CHROMIUM_PATH || '/usr/bin/chromium';

// Without the background-networking flags Chromium keeps dialling out, which a closed network refuses.
const ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
  '--disable-background-networking', '--disable-component-update', '--disable-sync'];

/** Runs fn(page) in a fresh browser profile; fails the process with the error (and page errors) on failure. */
export async function withPage(fn) {
  const profile = mkdtempSync(join(tmpdir(), 'scratchlm-chromium-'));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: EXECUTABLE, args: ARGS, headless: true, viewport: { width: 1280, height: 900 },
  });
  const pageErrors = [];
  try {
    const page = context.pages()[0] || await context.newPage();
    page.on('pageerror', (e) => pageErrors.push(String(e)));
    page.setDefaultTimeout(20000);
    await fn(page);
    if (pageErrors.length) throw new Error('errors in the page: ' + pageErrors.join('; '));
  } finally {
    await context.close();
    rmSync(profile, { recursive: true, force: true });
  }
}

/** An assertion with a message saying what was expected, for readable test failures. */
export function check(condition, message) {
  if (!condition) throw new Error('check failed: ' + message);
}

/** The base URL the Java test passes in. */
export function baseUrl() {
  const url = process.env.BASE_URL;
  if (!url) throw new Error('BASE_URL is not set');
  return url.replace(/\/$/, '');
}

/** Runs main and exits non-zero with the message when it throws, so the Java side sees the failure. */
export function run(main) {
  main().then(() => process.exit(0), (e) => { console.error(e && e.stack || e); process.exit(1); });
}
