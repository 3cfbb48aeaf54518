// Issue 3's browser flow: import a real export from the import page, see
// who wrote how much, say who is who.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { writeFileSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { startServer, launchBrowser, recordRequests, outsideRequests, screenshot, repoRoot } from './harness.mjs';

const PASS = 'a quiet walk by the river at dawn';
const fixtures = join(repoRoot, 'testdata', 'chats');

test('import a WhatsApp export, see the summary, set who is who', async () => {
  const server = await startServer({ env: { REKINDLE_PASSPHRASE: PASS } });
  const browser = await launchBrowser();
  try {
    const context = await browser.newContext();
    const seen = recordRequests(context);
    const page = await context.newPage();
    await page.goto(server.url);
    await page.getByRole('link', { name: 'Import your chat' }).click();
    await page.getByRole('heading', { name: 'Import your chat' }).waitFor();

    // Not a chat: a plain message, nothing stored.
    const dir = mkdtempSync(join(tmpdir(), 'rekindle-upload-'));
    const junk = join(dir, 'notes.txt');
    writeFileSync(junk, 'Shopping list\nmilk\neggs\n');
    await page.getByLabel('The exported chat file').setInputFiles(junk);
    await page.getByRole('button', { name: 'Import' }).click();
    const error = await page.locator('#import-error').innerText();
    assert.match(error, /Line 1/);
    assert.match(error, /Nothing was changed/);

    await page.getByLabel('The exported chat file').setInputFiles(join(fixtures, 'chat-miner', 'whatsapp__ddmmyy_24hrs.txt'));
    await page.getByRole('button', { name: 'Import' }).click();
    await page.locator('#import-done').waitFor();
    assert.match(await page.locator('#import-done').innerText(), /Imported: \d+ new messages/);
    const rows = await page.locator('table.counts tbody tr').count();
    assert.ok(rows >= 2, 'a row per person');
    await screenshot(page, 'chats');

    // Choose who is who and save.
    const names = await page.locator('table.counts tbody tr td:first-child').allInnerTexts();
    await page.getByLabel('Which one is you?').selectOption(names[0]);
    await page.getByLabel('Which one is your ex?').selectOption(names[0]);
    await page.getByRole('button', { name: 'Save who is who' }).click();
    assert.match(await page.locator('.error-summary').innerText(), /two different people/);
    await page.getByLabel('Which one is you?').selectOption(names[0]);
    await page.getByLabel('Which one is your ex?').selectOption(names[1]);
    await page.getByRole('button', { name: 'Save who is who' }).click();
    await page.getByRole('status').filter({ hasText: 'Saved.' }).waitFor();
    await page.reload();
    assert.equal(await page.getByLabel('Which one is you?').inputValue(), names[0]);
    assert.equal(await page.getByLabel('Which one is your ex?').inputValue(), names[1]);

    // The same file again adds nothing.
    await page.goto(`${server.origin}/i`);
    await page.getByLabel('The exported chat file').setInputFiles(join(fixtures, 'chat-miner', 'whatsapp__ddmmyy_24hrs.txt'));
    await page.getByRole('button', { name: 'Import' }).click();
    await page.locator('#import-done').waitFor();
    assert.match(await page.locator('#import-done').innerText(), /Imported: 0 new messages; \d+ were already/);
    await page.goto(`${server.origin}/i`);
    await screenshot(page, 'import');
    assert.deepEqual(outsideRequests(seen), [], 'no request left 127.0.0.1');
  } finally {
    await browser.close();
    await server.stop();
  }
});
