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
    await page.goto(`${server.base}/i`);
    await page.getByLabel('The exported chat file').setInputFiles(join(fixtures, 'chat-miner', 'whatsapp__ddmmyy_24hrs.txt'));
    await page.getByRole('button', { name: 'Import' }).click();
    await page.locator('#import-done').waitFor();
    assert.match(await page.locator('#import-done').innerText(), /Imported: 0 new messages; \d+ were already/);
    await page.goto(`${server.base}/i`);
    await screenshot(page, 'import');
    assert.deepEqual(outsideRequests(seen), [], 'no request left 127.0.0.1');
  } finally {
    await browser.close();
    await server.stop();
  }
});

test('two chats: choose the one the post-mortem reads, delete one', async () => {
  const server = await startServer({ env: { REKINDLE_PASSPHRASE: PASS } });
  const browser = await launchBrowser();
  try {
    const context = await browser.newContext();
    const seen = recordRequests(context);
    const page = await context.newPage();
    await page.goto(server.url);
    for (const f of [join('chat-miner', 'whatsapp__ddmmyy_24hrs.txt'), join('own', 'telegram__entities_undated.json')]) {
      await page.goto(`${server.base}/i`);
      await page.getByLabel('The exported chat file').setInputFiles(join(fixtures, f));
      await page.getByRole('button', { name: 'Import' }).click();
      await page.locator('#import-done').waitFor();
    }
    await page.goto(`${server.base}/c`);
    assert.match(await page.locator('main').innerText(), /You have 2 chats/);
    const sections = page.locator('main section.card');
    assert.equal(await sections.count(), 2);
    // The first chat is read by default; the second can be chosen.
    assert.match(await sections.nth(0).innerText(), /The post-mortem reads this chat/);
    await sections.nth(1).getByRole('button', { name: 'Read this chat in the post-mortem' }).click();
    await page.locator('#chat-done').waitFor();
    assert.match(await page.locator('main section.card').nth(1).innerText(), /The post-mortem reads this chat/);
    await page.getByRole('link', { name: 'See what it shows' }).click();
    const reading = await page.locator('#reading').innerText();
    assert.match(reading, /Telegram/);
    assert.match(reading, /7 messages/);
    assert.match(await page.locator('main').innerText(), /patterns in 7 messages/);

    // Delete the chosen one: first without ticking the box (nothing happens), then for real.
    await page.goto(`${server.base}/c`);
    await screenshot(page, 'chats-two');
    const second = page.locator('main section.card').nth(1);
    await second.locator('summary', { hasText: 'Delete this chat' }).click();
    await second.getByRole('button', { name: 'Delete the chat' }).click();
    assert.match(await page.locator('.error-summary').innerText(), /tick the box.*Nothing was deleted/s);
    assert.equal(await page.locator('main section.card').count(), 2);
    const again = page.locator('main section.card').nth(1);
    await again.locator('summary', { hasText: 'Delete this chat' }).click();
    await again.getByLabel('Yes, delete this chat').check();
    await again.getByRole('button', { name: 'Delete the chat' }).click();
    await page.locator('#chat-done').waitFor();
    assert.match(await page.locator('#chat-done').innerText(), /deleted/);
    assert.equal(await page.locator('main section.card').count(), 1);
    // The post-mortem reads the chat that is left, and names no choice.
    await page.goto(`${server.base}/w`);
    assert.equal(await page.locator('#reading').count(), 0);
    assert.doesNotMatch(await page.locator('main').innerText(), /patterns in 7 messages/);
    assert.deepEqual(outsideRequests(seen), [], 'no request left 127.0.0.1');
  } finally {
    await browser.close();
    await server.stop();
  }
});

test('a Telegram full export: choose the chat with the ex', async () => {
  const server = await startServer({ env: { REKINDLE_PASSPHRASE: PASS } });
  const browser = await launchBrowser();
  try {
    const context = await browser.newContext();
    const seen = recordRequests(context);
    const page = await context.newPage();
    await page.goto(server.url);
    const msg = (id, from, text) => ({ id, type: 'message', date: `2024-01-0${id}T10:00:00`, from, text });
    const dir = mkdtempSync(join(tmpdir(), 'rekindle-upload-'));
    const file = join(dir, 'result.json');
    writeFileSync(file, JSON.stringify({
      personal_information: { user_id: 1, first_name: 'Robin' },
      chats: { list: [
        { name: 'Book club', type: 'private_group', id: 20, messages: [msg(1, 'Kim', 'group talk')] },
        { name: 'Alex', type: 'personal_chat', id: 777, messages: [msg(2, 'Alex', 'a1'), msg(3, 'Robin', 'a2'), msg(4, 'Alex', 'a3')] },
      ] },
    }));
    await page.goto(`${server.base}/i`);
    await page.getByLabel('The exported chat file').setInputFiles(file);
    await page.getByRole('button', { name: 'Import' }).click();
    await page.getByRole('heading', { name: 'Which chat?' }).waitFor();
    await screenshot(page, 'import-choose');
    await page.getByLabel(/Alex/).check();
    await page.getByRole('button', { name: 'Import this chat' }).click();
    await page.locator('#import-done').waitFor();
    assert.match(await page.locator('#import-done').innerText(), /Imported: 3 new messages/);
    assert.equal(await page.locator('main section.card').count(), 1);
    assert.deepEqual(outsideRequests(seen), [], 'no request left 127.0.0.1');
  } finally {
    await browser.close();
    await server.stop();
  }
});

test('a long Messenger conversation: its part files chosen together become one chat', async () => {
  const server = await startServer({ env: { REKINDLE_PASSPHRASE: PASS } });
  const browser = await launchBrowser();
  try {
    const context = await browser.newContext();
    const seen = recordRequests(context);
    const page = await context.newPage();
    await page.goto(server.url);
    const t = 1_700_000_000_000;
    const part = (msgs) => JSON.stringify({
      participants: [{ name: 'Alex' }, { name: 'Robin' }],
      title: 'Alex',
      messages: msgs.map(([ms, who, content]) => ({ sender_name: who, timestamp_ms: t + ms, content })).reverse(),
    });
    const dir = mkdtempSync(join(tmpdir(), 'rekindle-upload-'));
    writeFileSync(join(dir, 'message_1.json'), part([[3000, 'Alex', 'three'], [4000, 'Robin', 'four'], [5000, 'Alex', 'five']]));
    writeFileSync(join(dir, 'message_2.json'), part([[1000, 'Alex', 'one'], [2000, 'Robin', 'two']]));
    await page.goto(`${server.base}/i`);
    await page.getByLabel('The exported chat file').setInputFiles([join(dir, 'message_1.json'), join(dir, 'message_2.json')]);
    await page.getByRole('button', { name: 'Import' }).click();
    await page.locator('#import-done').waitFor();
    assert.match(await page.locator('#import-done').innerText(), /Imported: 5 new messages/);
    assert.equal(await page.locator('main section.card').count(), 1);
    assert.deepEqual(outsideRequests(seen), [], 'no request left 127.0.0.1');
  } finally {
    await browser.close();
    await server.stop();
  }
});
