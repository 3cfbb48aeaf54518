// Issue 19, accessibility: axe-core on every page at 1280 px (light) and 390 px (dark), with a
// lived record, a chat and a list of supporters so each page shows what it shows in use; the forms'
// error states too; then a keyboard-only walk through the home page and a form.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  startServer, launchBrowser, recordRequests, outsideRequests, seedLivedRecord, cliFor, repoRoot, checkA11y,
  screenshot,
} from './harness.mjs';

const PASS = 'a quiet walk by the river at dawn';

function seed() {
  const dataDir = seedLivedRecord(mkdtempSync(join(tmpdir(), 'rekindle-a11y-')), PASS, 20, [3],
    { trigger: 'Friday drinks after work', instead: 'I said yes to one beer' });
  const run = cliFor(dataDir, PASS);
  run('safety', 'screen', '--answers', Array(13).fill('no').join(','));
  run('readiness', '2', '--importance', '9', '--confidence', '7', '--stage', 'doing');
  run('import', join(repoRoot, 'crates', 'rekindle-analysis', 'tests', 'data', 'generated_5000.txt'));
  return dataDir;
}

async function visit(page, origin, path) {
  const res = await page.goto(`${origin}${path}`);
  assert.ok(res && res.status() < 400, `${path} answered ${res && res.status()}`);
}

test('axe: no serious or critical problem on any page, at 1280 px and at 390 px in dark', async () => {
  const dataDir = seed();
  const server = await startServer({ env: { REKINDLE_PASSPHRASE: PASS }, dataDir });
  const browser = await launchBrowser();
  try {
    const context = await browser.newContext();
    const seen = recordRequests(context);
    const page = await context.newPage();
    await page.goto(server.url);
    const o = server.base;

    // The links to evidence are found on the pages that show them.
    await visit(page, o, '/w');
    // The page's links carry the launch's path; `visit` puts it back in front.
    const local = (href) => href && href.slice(server.basePath.length);
    const evidence = local(await page.locator(`main a[href^="${server.basePath}/w/e/"]`).first().getAttribute('href'));
    const finding = local(await page.locator(`main a[href^="${server.basePath}/w/f/"]`).first().getAttribute('href'));
    assert.ok(evidence && finding, 'the post-mortem links to its evidence');

    const pages = [
      '/', '/r', '/c', '/i', '/w', evidence, finding, '/w/words', '/w/p/1',
      '/p', '/p/new', '/p/1', '/p/1/plan', '/s', '/s/o', '/t', '/t/2', '/g',
      '/n', '/l', '/x', '/x/letter', '/o', '/o/data',
      '/h', '/h/plan', '/h/limits', '/h/screen', '/h/safe', '/h/no',
    ];
    for (const path of pages) {
      await visit(page, o, path);
      await checkA11y(page, path, { dark: true });
    }

    // Forms with mistakes: every error is next to its field and tied to it.
    await visit(page, o, '/p/new');
    await page.getByRole('button', { name: /save/i }).first().click();
    await page.locator('.error-summary').waitFor();
    await checkA11y(page, '/p/new with errors', { dark: true });

    await visit(page, o, '/r');
    await page.getByLabel('When it started').fill('2019-05-01');
    await page.getByLabel('When it ended').fill('2018-01-01');
    await page.getByRole('button', { name: 'Save' }).click();
    await page.locator('.error-summary').waitFor();
    await checkA11y(page, '/r with errors', { dark: true });

    await visit(page, o, '/o');
    await page.getByLabel(/Lock automatically/).fill('99');
    await page.getByRole('button', { name: 'Save settings' }).click();
    await page.locator('.error-summary').waitFor();
    await checkA11y(page, '/o with errors', { dark: true });

    await visit(page, o, '/g');
    await page.getByRole('button', { name: 'See my result' }).click();
    await page.locator('.error-summary').waitFor();
    await checkA11y(page, '/g with errors', { dark: true });

    await visit(page, o, '/s');
    await page.locator(`form[action="${server.basePath}/s/self"] button[type=submit]`).click();
    await page.locator('.error-summary').waitFor();
    await checkA11y(page, '/s with errors', { dark: true });

    await visit(page, o, '/h/screen');
    await page.getByRole('button', { name: 'Save my answers' }).click();
    await page.locator('.error-summary').waitFor();
    await checkA11y(page, '/h/screen with errors', { dark: true });

    // The report to print, and the unlock page once locked.
    await visit(page, o, '/x/report');
    await checkA11y(page, '/x/report');
    await visit(page, o, '/');
    await page.locator('#lock-now').click();
    await page.waitForURL(/\/u$/);
    await checkA11y(page, '/u (locked)', { dark: true });

    assert.deepEqual(outsideRequests(seen), []);
  } finally {
    await browser.close();
    await server.stop();
  }
});

/** What has the keyboard focus: its text or label, and whether the focus ring can be seen. */
async function focused(page) {
  return page.evaluate(() => {
    const el = document.activeElement;
    const style = el ? getComputedStyle(el) : null;
    const box = el ? el.getBoundingClientRect() : null;
    return {
      id: el ? el.id : '',
      tag: el ? el.tagName : '',
      text: el ? (el.innerText || el.value || el.getAttribute('aria-label') || '').trim() : '',
      ring: !!style && style.outlineStyle !== 'none' && parseFloat(style.outlineWidth) >= 2,
      visible: !!box && box.width > 0 && box.height > 0,
    };
  });
}

test('keyboard only: skip link, every step and today\'s check-in reachable, a form sent with Enter', async () => {
  // Three days of record: today's check-in is due.
  const dataDir = seedLivedRecord(mkdtempSync(join(tmpdir(), 'rekindle-keys-')), PASS, 3);
  const server = await startServer({ env: { REKINDLE_PASSPHRASE: PASS }, dataDir });
  const browser = await launchBrowser();
  try {
    const page = await (await browser.newContext()).newPage();
    await page.goto(server.url);
    await page.locator('#today-checkin').waitFor();

    // Quick exit first, then the skip link, which jumps past the menu.
    await page.keyboard.press('Tab');
    assert.equal((await focused(page)).id, 'quick-exit');
    await page.keyboard.press('Tab');
    let f = await focused(page);
    assert.equal(f.text, 'Skip to content');
    assert.ok(f.ring && f.visible, 'the skip link shows itself when focused');
    await page.keyboard.press('Enter');
    assert.equal((await focused(page)).id, 'main', 'focus moved to the content');

    // From there the Tab key reaches today's check-in first, then every step; each with a visible ring.
    const reached = [];
    for (let i = 0; i < 40 && !reached.includes('Share'); i++) {
      await page.keyboard.press('Tab');
      f = await focused(page);
      assert.ok(f.ring && f.visible, `focus is visible on "${f.text}"`);
      reached.push(f.text);
    }
    const checkIn = reached.indexOf('Check in: No alcohol');
    assert.ok(checkIn >= 0, `today's check-in reached: ${reached.join(' | ')}`);
    for (const step of ['Understand', 'Plan', 'Seriousness', 'Track record', 'Guard', 'Support', 'Learn', 'Share']) {
      assert.ok(reached.indexOf(step) > checkIn, `${step} reached after the check-in`);
    }
    await screenshot(page, 'keyboard-focus');

    // Back to the check-in with Shift+Tab, open it with Enter, fill the form by keyboard, send it with Enter.
    for (let i = reached.length - 1; i > checkIn; i--) await page.keyboard.press('Shift+Tab');
    assert.equal((await focused(page)).text, 'Check in: No alcohol');
    await page.keyboard.press('Enter');
    await page.waitForURL(/\/t\/\d+$/);
    let guard = 0;
    while ((await focused(page)).id !== 'outcome' && guard++ < 30) await page.keyboard.press('Tab');
    f = await focused(page);
    assert.equal(f.id, 'outcome');
    assert.ok(f.ring, 'the select shows its focus');
    await page.keyboard.type('Kept');
    assert.equal(await page.locator('#outcome').inputValue(), 'kept');
    await page.keyboard.press('Tab');
    assert.equal((await focused(page)).id, 'trigger');
    await page.keyboard.type('A quiet evening at home');
    await page.keyboard.press('Enter');
    await page.waitForURL((u) => !/\/t\/\d+$/.test(u.pathname));
    await page.goto(server.base + '/');
    assert.equal(await page.locator('#today-checkin').count(), 0, 'the check-in is done');
    assert.match(await page.locator('#status-4').innerText(), /Today's check-ins are done/);
  } finally {
    await browser.close();
    await server.stop();
  }
});
