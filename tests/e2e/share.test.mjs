// Issue 7 (first part): support network, reading list with a takeaway that
// becomes an if-then plan, the printable report and the sealed file.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { startServer, launchBrowser, screenshot, cliFor, seedLivedRecord, screenshotDir } from './harness.mjs';

const PASS = 'a quiet walk by the river at dawn';
const NOTE = 'CANARYNOTE-private-thought';
const CHAT = 'CANARYCHAT-message-text';

/** Three days lived (a lapse on the second), today's check-in with a private note, a chat. Returns the vault. */
function seed(dir) {
  const dataDir = seedLivedRecord(dir, PASS, 3, [2]);
  const run = cliFor(dataDir, PASS);
  run('checkin', '2', '--kept', '--note', NOTE);
  const chat = join(dataDir, 'chat.txt');
  writeFileSync(chat, `12/03/2024, 21:05 - Sam: ${CHAT}\n13/03/2024, 08:00 - Alex: hi\n`);
  run('import', chat);
  return dataDir;
}

test('support, reading, the report and the sealed file', async () => {
  const dataDir = seed(mkdtempSync(join(tmpdir(), 'rekindle-share-')));
  const server = await startServer({ env: { REKINDLE_PASSPHRASE: PASS }, dataDir });
  const browser = await launchBrowser();
  try {
    const context = await browser.newContext({ acceptDownloads: true });
    const page = await context.newPage();
    await page.goto(server.url);

    // Support network.
    await page.goto(`${server.base}/n`);
    await page.getByRole('button', { name: 'Save' }).click();
    assert.match(await page.locator('.error-summary').innerText(), /give a name/);
    await page.getByLabel('Name').fill('Jo');
    await page.getByLabel('Who they are to you').selectOption('accountability');
    await page.getByLabel('What they help with').fill('I text her before parties');
    await page.getByRole('button', { name: 'Save' }).click();
    assert.match(await page.locator('ul.cards').innerText(), /Jo[\s\S]*accountability partner/);

    // Reading list: recommended by the problem's category; a takeaway becomes an if-then plan.
    await page.goto(`${server.base}/l`);
    const first = await page.locator('ul.cards li h3').first().innerText();
    assert.equal(first, 'Controlling Your Drinking', 'the drinking book comes first for a drinking problem');
    await page.locator('ul.cards li').first().getByRole('button', { name: 'Add to my books' }).click();
    await page.getByLabel('A takeaway').fill('Count every drink and set the limit before going out');
    await page.getByRole('button', { name: 'Add', exact: true }).first().click();
    await page.getByRole('button', { name: 'Make it an if-then plan' }).click();
    assert.equal(await page.locator('#then2').inputValue(), 'Count every drink and set the limit before going out');
    await screenshot(page, 'learn');

    // The printable report: picked sections only; lapses always; notes only if picked; never chat text.
    await page.goto(`${server.base}/x`);
    await screenshot(page, 'share');
    await page.getByRole('button', { name: 'See the printable report' }).click();
    let text = await page.locator('body').innerText();
    assert.match(text, /No alcohol/);
    assert.match(text, /Lapses:/);
    assert.match(text, /I said hurtful things when drunk/);
    assert.ok(!text.includes(NOTE), 'check-in notes never leave');
    assert.ok(!text.includes(CHAT), 'chat messages never appear');
    await screenshot(page, 'report');
    await page.emulateMedia({ media: 'print' });
    await page.screenshot({ path: join(screenshotDir, 'report-print.png'), fullPage: true });
    await page.emulateMedia({ media: 'screen' });
    await page.goto(`${server.base}/x/report?s=record&s=notes`);
    text = await page.locator('body').innerText();
    assert.ok(!text.includes(NOTE), 'not even when asked for by hand');
    assert.ok(!text.includes('I said hurtful things'), 'unpicked sections are left out');

    // The letter builder is refused before the safety questions, with the reason.
    await page.goto(`${server.base}/x/letter`);
    assert.match(await page.locator('#letter-refused').innerText(), /safety questions/);
    assert.equal(await page.locator('textarea#text').count(), 0);

    // The sealed file: too short a passphrase is refused; then a download that opens only with the passphrase.
    await page.goto(`${server.base}/x`);
    await page.getByLabel(/Share passphrase/).fill('short');
    await page.getByRole('button', { name: 'Download the sealed report' }).click();
    assert.match(await page.locator('.error-summary').innerText(), /at least 15 characters/);
    await page.getByLabel(/Share passphrase/).fill('blue kettle on a sunday');
    const [download] = await Promise.all([
      page.waitForEvent('download'),
      page.getByRole('button', { name: 'Download the sealed report' }).click(),
    ]);
    const file = join(dataDir, 'sealed.html');
    await download.saveAs(file);
    const raw = readFileSync(file, 'utf8');
    assert.ok(!raw.includes('No alcohol') && !raw.includes('hurtful'), 'the file holds no plaintext');
    const reader = await (await browser.newContext()).newPage();
    await reader.goto(pathToFileURL(file).href);
    await reader.getByLabel('Share passphrase').fill('the wrong passphrase');
    await reader.getByRole('button', { name: 'Open the report' }).click();
    await reader.locator('#error').filter({ hasText: 'does not open' }).waitFor();
    assert.equal((await reader.locator('#content').innerText()).trim(), '');
    await reader.getByLabel('Share passphrase').fill('blue kettle on a sunday');
    await reader.getByRole('button', { name: 'Open the report' }).click();
    await reader.locator('#content h1').waitFor({ timeout: 20000 });
    assert.match(await reader.locator('#content').innerText(), /No alcohol/);
    await reader.setViewportSize({ width: 390, height: 844 });
    await reader.screenshot({ path: join(screenshotDir, 'sealed-phone.png'), fullPage: true });
  } finally {
    await browser.close();
    await server.stop();
  }
});
