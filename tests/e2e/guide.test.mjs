// Issue 19, pages that guide: the first visit welcomed as one, the home page as the next step with
// progress on every step, who is who filled in from the relationship page, the larger-text setting,
// and the dark colour scheme, each screenshot at 1280 px and 390 px.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  startServer, launchBrowser, recordRequests, outsideRequests, screenshot, checkA11y, seedLivedRecord, cliFor,
} from './harness.mjs';

const PASS = 'a quiet walk by the river at dawn';

/** A short WhatsApp export between "Sam Baker" and "Alex". */
function smallChat() {
  const lines = [];
  for (let d = 1; d <= 9; d++) {
    lines.push(`0${d}/03/2024, 20:0${d} - Sam Baker: Are you home for dinner tonight?`);
    lines.push(`0${d}/03/2024, 20:1${d} - Alex: Yes, see you at seven`);
  }
  const file = join(mkdtempSync(join(tmpdir(), 'rekindle-chat-')), 'WhatsApp Chat with Alex.txt');
  writeFileSync(file, lines.join('\n') + '\n');
  return file;
}

test('first visit, then who is who filled in from the relationship page', async () => {
  const server = await startServer({ env: { REKINDLE_PASSPHRASE: PASS } });
  const browser = await launchBrowser();
  try {
    const context = await browser.newContext();
    const seen = recordRequests(context);
    const page = await context.newPage();
    await page.goto(server.url);
    await page.getByRole('heading', { name: 'Welcome', exact: true }).waitFor();
    assert.equal(await page.getByRole('heading', { name: /Welcome back/ }).count(), 0, 'not "welcome back" on a new vault');
    // Every step says where it stands; step 1 is marked as the next one.
    for (let n = 1; n <= 8; n++) {
      assert.ok((await page.locator(`#status-${n}`).innerText()).length > 5, `step ${n} shows its progress`);
    }
    assert.match(await page.locator('li.step.next').innerText(), /Understand[\s\S]*Next step/);
    // Step names are the menu's names.
    const menu = await page.locator('nav.nav-wide').innerText();
    for (const name of await page.locator('ol.steps h2 a').allInnerTexts()) {
      if (name !== 'Understand') assert.ok(menu.includes(name), `"${name}" is in the menu`);
    }
    assert.equal(await page.locator('#today-checkin').count(), 0, 'nothing to check in yet');
    await screenshot(page, 'home-first-visit');
    await page.emulateMedia({ colorScheme: 'dark' });
    await screenshot(page, 'home-first-visit-dark');
    await page.emulateMedia({ colorScheme: 'light' });
    await checkA11y(page, 'home, first visit', { dark: true });

    await page.getByRole('link', { name: 'The relationship' }).first().click();
    await page.getByLabel('Your name').fill('Sam');
    await page.getByLabel('Their name').fill('Alex');
    await page.getByRole('button', { name: 'Save' }).click();
    await page.locator('#saved-notice').waitFor();

    await page.goto(`${server.base}/i`);
    await page.getByLabel('The exported chat file').setInputFiles(smallChat());
    await page.getByRole('button', { name: 'Import' }).click();
    await page.locator('#import-done').waitFor();
    // "Sam" on the relationship page is the sender "Sam Baker"; "Alex" is Alex.
    const me = page.getByLabel('Which one is you?');
    assert.equal(await me.inputValue(), 'Sam Baker');
    assert.equal(await page.getByLabel('Which one is your ex?').inputValue(), 'Alex');
    assert.match(await page.locator('[id^="guessed-"]').innerText(), /Filled in from the names/);
    await screenshot(page, 'chats-guessed');

    await page.goto(`${server.base}/`);
    await page.getByRole('heading', { name: 'Welcome back, Sam' }).waitFor();
    assert.match(await page.locator('#status-1').innerText(), /written down · 1 chat imported · 0 problems named/);
    assert.match(await page.locator('li.step.next').innerText(), /Understand/, 'still step 1: no problem named yet');
    assert.deepEqual(outsideRequests(seen), []);
  } finally {
    await browser.close();
    await server.stop();
  }
});

test('the home page as the next step, larger text, dark mode', async () => {
  // A week of record: today's check-in is due.
  const dataDir = seedLivedRecord(mkdtempSync(join(tmpdir(), 'rekindle-guide-')), PASS, 7, [2]);
  const run = cliFor(dataDir, PASS);
  run('safety', 'screen', '--answers', Array(13).fill('no').join(','));
  const server = await startServer({ env: { REKINDLE_PASSPHRASE: PASS }, dataDir });
  const browser = await launchBrowser();
  try {
    const page = await (await browser.newContext()).newPage();
    await page.goto(server.url);
    // Today's check-in comes before the steps.
    const order = await page.evaluate(() => {
      const today = document.getElementById('today-checkin');
      const steps = document.querySelector('ol.steps');
      return !!today && !!(today.compareDocumentPosition(steps) & Node.DOCUMENT_POSITION_FOLLOWING);
    });
    assert.ok(order, 'today\'s check-in is first');
    assert.match(await page.locator('#today-checkin').innerText(), /Check in: No alcohol/);
    assert.match(await page.locator('#status-2').innerText(), /Every problem has a plan \(1 problem\)/);
    assert.match(await page.locator('#status-4').innerText(), /1 check-in to do now\. 7 check-ins recorded\./);
    assert.match(await page.locator('li.step.next').innerText(), /Track record/);
    await screenshot(page, 'home-due');
    await page.emulateMedia({ colorScheme: 'dark' });
    await screenshot(page, 'home-due-dark');
    await page.emulateMedia({ colorScheme: 'light' });

    // Larger text: a setting kept in the vault, on every page.
    const baseSize = await page.evaluate(() => parseFloat(getComputedStyle(document.body).fontSize));
    await page.goto(`${server.base}/o`);
    await page.getByLabel('Larger text on every page').check();
    await page.getByRole('button', { name: 'Save settings' }).click();
    await page.locator('.notice').waitFor();
    assert.equal(await page.locator('html').getAttribute('class'), 'text-large');
    await screenshot(page, 'settings-large-text');
    await page.goto(`${server.base}/`);
    const largeSize = await page.evaluate(() => parseFloat(getComputedStyle(document.body).fontSize));
    assert.ok(largeSize >= baseSize * 1.2, `text is larger: ${baseSize} → ${largeSize}`);
    await screenshot(page, 'home-large-text');
    await page.emulateMedia({ colorScheme: 'dark' });
    await screenshot(page, 'home-large-text-dark');
    await checkA11y(page, 'home, larger text', { dark: true });
    await page.emulateMedia({ colorScheme: 'light' });
    // Countries by name in the settings.
    await page.goto(`${server.base}/o`);
    const countries = await page.locator('#country option').allInnerTexts();
    assert.ok(countries.includes('United Kingdom') && countries.includes('United States'), countries.join(', '));
    assert.ok(!countries.includes('GB'));
    // Turned off again, the text is back to its size.
    await page.getByLabel('Larger text on every page').uncheck();
    await page.getByRole('button', { name: 'Save settings' }).click();
    await page.locator('.notice').waitFor();
    assert.equal(await page.locator('html').getAttribute('class'), null);

    // Dark pages in use: the record with its calendar, the guard page, help lines.
    await page.emulateMedia({ colorScheme: 'dark' });
    for (const [path, name] of [['/t', 'record-dark'], ['/g', 'guard-dark'], ['/h', 'help-dark'], ['/p/1/plan', 'plan-dark']]) {
      await page.goto(`${server.base}${path}`);
      await screenshot(page, name);
    }
    await page.emulateMedia({ colorScheme: 'light' });
    // The calendar is a calendar, not a poster, on a wide screen.
    await page.goto(`${server.base}/t`);
    const width = await page.locator('svg.heatmap').first().evaluate((e) => e.getBoundingClientRect().width);
    assert.ok(width <= 420, `heat-map ${width} px wide at 1280 px`);
    await screenshot(page, 'record');
  } finally {
    await browser.close();
    await server.stop();
  }
});
