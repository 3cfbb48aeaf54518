// Danger heard from the chat: a history where the ex threatens the user is
// named on the post-mortem, pauses the letter, and the user is asked about it
// on the safety page; "that is how it was" turns the safety lock on.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startServer, launchBrowser, screenshot, cliFor } from './harness.mjs';

const PASS = 'a quiet walk by the river at dawn';

function chatFile() {
  const lines = [
    ['Sam', 'are you picking up the kids or shall i'],
    ['Alex', 'i can do it, back by 6'],
    ['Sam', 'ok thanks'],
    ['Alex', 'you never listen to me'],
    ['Sam', 'i am listening, i just think we should talk tomorrow'],
    ['Alex', 'i know where you live. answer me or ill break your legs'],
    ['Sam', 'please stop'],
  ];
  const text = lines.map(([who, msg], i) => `12/03/2024, 21:${String(10 + i).padStart(2, '0')} - ${who}: ${msg}\n`).join('');
  const file = join(mkdtempSync(join(tmpdir(), 'rekindle-danger-chat-')), 'WhatsApp Chat with Alex.txt');
  writeFileSync(file, text);
  return file;
}

test('a threat in the chat, from the post-mortem to the safety question', async () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'rekindle-danger-'));
  const run = cliFor(dataDir, PASS);
  run('init');
  run('safety', 'screen', '--answers', Array(13).fill('no').join(','));
  run('import', chatFile(), '--me', 'Sam', '--ex', 'Alex');
  const server = await startServer({ env: { REKINDLE_PASSPHRASE: PASS }, dataDir });
  const browser = await launchBrowser();
  try {
    const page = await (await browser.newContext()).newPage();
    await page.goto(server.url);
    // The home page says why reaching out waits, and where to answer.
    assert.match(await page.locator('main').innerText(), /they seem to threaten you/);
    // The chats page says so beside the chat.
    await page.goto(`${server.base}/c`);
    assert.match(await page.locator('[id^="chat-danger-"]').innerText(), /One message in this chat reads as a threat/);
    await screenshot(page, 'chats-danger');
    // The post-mortem names it first, with help beside it.
    await page.goto(`${server.base}/w`);
    const card = page.locator('#danger');
    assert.match(await card.innerText(), /12 March 2024, 21:15: Alex wrote what reads as a threat\./);
    assert.equal(await card.getByRole('link', { name: 'Help lines' }).count(), 1);
    // The message itself, hidden until asked for.
    const quote = card.locator('details.sign-message blockquote');
    assert.equal(await quote.isVisible(), false);
    await card.getByText('Show the message').click();
    assert.equal(await quote.innerText(), 'i know where you live. answer me or ill break your legs');
    await screenshot(page, 'postmortem-danger');
    // The letter waits.
    await page.goto(`${server.base}/x/letter`);
    assert.match(await page.locator('#letter-refused').innerText(), /they seem to threaten you/);
    // The question, and the answer "that is how it was".
    await page.goto(`${server.base}/w`);
    await card.getByRole('link', { name: "Answer rekindle's question" }).click();
    assert.match(await page.locator('#chat-danger').innerText(), /12 March 2024 in which they seem to threaten you/);
    await page.locator('#sign-message summary').click();
    assert.equal(await page.locator('#sign-message blockquote').innerText(), 'i know where you live. answer me or ill break your legs');
    assert.doesNotMatch(await page.locator('#chat-danger').innerText(), /look it up there by its date/);
    await screenshot(page, 'safe-danger-question');
    await page.getByRole('button', { name: 'Yes, that is how it was' }).click();
    assert.equal(await page.locator('#chat-danger').count(), 0, 'nothing left to answer');
    assert.match(await page.locator('#lock-reasons').innerText(), /You said that is how it was/);
    assert.match(await page.locator('#safety-lock').innerText(), /will not help you reconcile/);
    await screenshot(page, 'safe-danger-locked');
    await page.goto(`${server.base}/w`);
    assert.equal(await page.locator('#danger').getByRole('link', { name: "Answer rekindle's question" }).count(), 0);
  } finally {
    await browser.close();
    await server.stop();
  }
});

test('a threat said in play is not asked about, and "not meant" lets the rest decide', async () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'rekindle-danger-'));
  const run = cliFor(dataDir, PASS);
  run('init');
  run('safety', 'screen', '--answers', Array(13).fill('no').join(','));
  const file = join(mkdtempSync(join(tmpdir(), 'rekindle-danger-chat-')), 'WhatsApp Chat with Alex.txt');
  writeFileSync(file, [
    '12/03/2024, 21:10 - Alex: ill kill you if you spoil the finale 😂',
    '12/03/2024, 21:11 - Sam: you pushed me into the wall last night',
    '12/03/2024, 21:12 - Alex: i know, i am so sorry',
  ].join('\n') + '\n');
  run('import', file, '--me', 'Sam', '--ex', 'Alex');
  const server = await startServer({ env: { REKINDLE_PASSPHRASE: PASS }, dataDir });
  const browser = await launchBrowser();
  try {
    const page = await (await browser.newContext()).newPage();
    await page.goto(server.url);
    await page.goto(`${server.base}/h/safe`);
    // One sign only (the push), written by the user about the ex.
    assert.match(await page.locator('#chat-danger').innerText(), /you write that they hurt you, or that you are afraid of them/);
    await page.locator('#sign-message summary').click();
    assert.equal(await page.locator('#sign-message blockquote').innerText(), 'you pushed me into the wall last night');
    assert.doesNotMatch(await page.locator('#chat-danger').innerText(), /one of \d+ such messages/);
    await page.getByRole('button', { name: 'No, it was not meant that way' }).click();
    assert.equal(await page.locator('#chat-danger').count(), 0);
    assert.match(await page.locator('#safety-lock').innerText(), /The safety lock is off/);
  } finally {
    await browser.close();
    await server.stop();
  }
});
