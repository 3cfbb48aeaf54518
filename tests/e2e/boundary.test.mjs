// Their no, heard from the chat: a history that ends with the ex asking for no
// contact (and the user's unanswered messages) is shown first on the
// post-mortem, pauses the letter, and is recorded as their answer in one click.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startServer, launchBrowser, screenshot, cliFor, repoRoot } from './harness.mjs';

const PASS = 'a quiet walk by the river at dawn';
const CHAT = join(repoRoot, 'crates', 'rekindle-analysis', 'tests', 'data', 'chats', 'no_contact_end.txt');

test('a request for no contact in the chat, from the post-mortem to their answer', async () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'rekindle-boundary-'));
  const run = cliFor(dataDir, PASS);
  run('init');
  run('safety', 'screen', '--answers', Array(13).fill('no').join(','));
  run('import', CHAT, '--me', 'Liam', '--ex', 'Hannah');
  const server = await startServer({ env: { REKINDLE_PASSPHRASE: PASS }, dataDir });
  const browser = await launchBrowser();
  try {
    const page = await (await browser.newContext()).newPage();
    await page.goto(server.url);
    // Shown first, kindly, with the way to record their answer.
    await page.goto(`${server.base}/w`);
    const box = page.locator('#boundaries');
    assert.match(await box.innerText(), /Hannah asked for no contact\. After it, you sent 5 messages that got no reply\./);
    const first = await page.evaluate(() => {
      const b = document.getElementById('boundaries');
      const summary = [...document.querySelectorAll('section.card')].find((s) => /In plain words/.test(s.innerText));
      return b.compareDocumentPosition(summary) & Node.DOCUMENT_POSITION_FOLLOWING;
    });
    assert.ok(first, 'the boundaries come before the rest of the post-mortem');
    await screenshot(page, 'postmortem-boundaries');
    // The letter waits for the answer, and says why.
    await page.goto(`${server.base}/x/letter`);
    assert.match(await page.locator('#letter-refused').innerText(), /asked you not to contact them/);
    // One click records it as their answer.
    await page.goto(`${server.base}/w`);
    await box.getByRole('link', { name: 'Record their answer' }).click();
    assert.match(await page.locator('#chat-boundary').innerText(), /asked you not to contact them/);
    await screenshot(page, 'chat-boundary-proposal');
    await page.getByRole('button', { name: 'Yes, record it as their answer' }).click();
    assert.match(await page.locator('main').innerText(), /Their answer is final here/);
    assert.equal(await page.locator('#chat-boundary').count(), 0, 'nothing left to answer');
    await page.goto(`${server.base}/x/letter`);
    assert.match(await page.locator('#letter-refused').innerText(), /final here/);
  } finally {
    await browser.close();
    await server.stop();
  }
});
