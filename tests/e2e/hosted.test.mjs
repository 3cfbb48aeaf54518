// Hosted mode in a real browser at phone size: two app processes over HTTPS on one PostgreSQL
// database (REKINDLE_TEST_DATABASE_URL, started by scripts/test.sh). Two people sign up by
// invitation, each imports a chat and checks in, neither sees the other's data; a session made
// through one process continues through the other.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, execFileSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createServer } from 'node:net';
import { binary, CHROMIUM_ARGS, repoRoot, screenshot, recordRequests, checkA11y } from './harness.mjs';
import { chromium } from 'playwright-core';

const base = process.env.REKINDLE_TEST_DATABASE_URL;
const fixtures = join(repoRoot, 'testdata', 'chats');

function freePort() {
  return new Promise((resolve) => {
    const s = createServer();
    s.listen(0, '127.0.0.1', () => { const { port } = s.address(); s.close(() => resolve(port)); });
  });
}

/** A fresh database on the test cluster, set up with `rekindle host init`. */
function freshDatabase() {
  assert.ok(base, 'REKINDLE_TEST_DATABASE_URL is not set: run `bash scripts/test.sh` (it starts a throwaway PostgreSQL)');
  const name = `e2e_${Date.now()}_${Math.floor(Math.random() * 1e6)}`;
  execFileSync('psql', [base, '-q', '-c', `CREATE DATABASE ${name}`]);
  const url = base.replace(/\/[^/]*$/, `/${name}`);
  const role = `${name}_app`;
  host(url, role, 'init');
  return { url, role };
}

function host(url, role, ...args) {
  return execFileSync(binary, ['host', '--database', url, '--app-role', role, ...args]).toString();
}

/** A self-signed certificate for localhost (openssl from the OS). */
function certificate() {
  const dir = mkdtempSync(join(tmpdir(), 'rekindle-tls-'));
  const cert = join(dir, 'cert.pem');
  const key = join(dir, 'key.pem');
  execFileSync('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes',
    '-keyout', key, '-out', cert, '-days', '2', '-subj', '/CN=localhost', '-addext', 'subjectAltName=DNS:localhost'],
  { stdio: 'ignore' });
  return { cert, key };
}

/** Starts one `rekindle host serve` process; resolves once it says it is serving. */
async function startProcess(db, tls, port) {
  const proc = spawn(binary, ['host', 'serve', '--database', db.url, '--app-role', db.role,
    '--listen', `127.0.0.1:${port}`, '--host', `localhost:${port}`, '--tls-cert', tls.cert, '--tls-key', tls.key],
  { stdio: ['ignore', 'pipe', 'pipe'] });
  const stderr = [];
  proc.stderr.on('data', (d) => stderr.push(d.toString()));
  await new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('host serve did not start: ' + stderr.join(''))), 20000);
    proc.stdout.on('data', (d) => { if (d.toString().includes('is serving')) { clearTimeout(timer); resolve(); } });
    proc.once('exit', () => { clearTimeout(timer); reject(new Error('host serve exited: ' + stderr.join(''))); });
  });
  return {
    origin: `https://localhost:${port}`,
    stop: () => new Promise((r) => { proc.once('exit', r); proc.kill('SIGINT'); setTimeout(() => proc.kill('SIGKILL'), 3000); }),
  };
}

async function signUp(page, link, name, password) {
  await page.goto(link);
  await page.getByLabel('A name for signing in').fill(name);
  await page.getByLabel('Password', { exact: true }).fill(password);
  await page.getByLabel('Type it again').fill(password);
  await page.getByRole('button', { name: 'Create account' }).click();
  // Without consent nothing is made, and what was typed stays.
  assert.match(await page.locator('#signup-error').innerText(), /tick the box/);
  // The sign-up page in its error state: no serious accessibility problem.
  await checkA11y(page, 'hosted sign-up with an error');
  await page.getByLabel('Password', { exact: true }).fill(password);
  await page.getByLabel('Type it again').fill(password);
  await page.getByLabel(/I agree that this server stores/).check();
  await page.getByRole('button', { name: 'Create account' }).click();
  await page.getByRole('heading', { name: /safety/i }).first().waitFor();
}

async function importChat(page, origin, file) {
  await page.goto(`${origin}/i`);
  await page.getByLabel('The exported chat file').setInputFiles(file);
  await page.getByRole('button', { name: 'Import' }).click();
  await page.locator('#import-done').waitFor();
  return page.locator('table.counts tbody tr td:first-child').allInnerTexts();
}

async function planAndCheckIn(page, origin, title) {
  await page.goto(`${origin}/p/new`);
  await page.getByLabel('A short name').fill(title);
  await page.getByLabel('What kind of problem').selectOption('substance');
  await page.getByLabel('Whose behaviour').selectOption('mine');
  await page.getByLabel('How often').selectOption('often');
  await page.getByLabel('How serious').selectOption('5');
  await page.getByLabel('Even if it was mostly theirs').fill('I said hurtful things.');
  await page.getByLabel('Why did it happen?').fill('I drink when I feel left out');
  await page.getByLabel('And why was that?').fill('I never learned another way');
  await page.getByRole('button', { name: 'Save the problem' }).click();
  await page.getByLabel('In one sentence').fill('I will not drink at all.');
  await page.getByLabel('The commitment').fill('No alcohol');
  await page.getByLabel('How it is measured').selectOption('daily');
  await page.getByLabel('What would count as a lapse?').fill('Any drink at all');
  await page.getByRole('button', { name: 'Save the plan' }).click();
  await page.goto(`${origin}/t`);
  await page.getByRole('button', { name: 'Kept' }).first().click();
}

test('two people, two app processes, one database, each sees only their own', async () => {
  const db = freshDatabase();
  const tls = certificate();
  const [portA, portB] = [await freePort(), await freePort()];
  const a = await startProcess(db, tls, portA);
  const b = await startProcess(db, tls, portB);
  const browser = await chromium.launch({
    executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
    args: [...CHROMIUM_ARGS, '--ignore-certificate-errors'],
    headless: true,
  });
  try {
    const phone = { viewport: { width: 390, height: 844 }, ignoreHTTPSErrors: true };
    const anaCtx = await browser.newContext(phone);
    const benCtx = await browser.newContext(phone);
    const seen = recordRequests(anaCtx);
    const ana = await anaCtx.newPage();
    const ben = await benCtx.newPage();

    const inviteAna = host(db.url, db.role, 'invite', '--url', a.origin).trim();
    const inviteBen = host(db.url, db.role, 'invite', '--url', a.origin).trim();
    assert.match(inviteAna, /^https:\/\/localhost:\d+\/signup\?invite=\S+$/);
    await signUp(ana, inviteAna, 'ana', 'ana walks the long way home at night');
    await screenshot(ana, 'hosted-after-signup');
    await signUp(ben, inviteBen, 'ben', 'ben keeps bees behind the old barn');
    // The invitation is used up.
    await benCtx.clearCookies();
    await ben.goto(inviteBen);
    await ben.getByLabel('A name for signing in').fill('eve');
    await ben.getByLabel('Password', { exact: true }).fill('eve tries an old link that was used');
    await ben.getByLabel('Type it again').fill('eve tries an old link that was used');
    await ben.getByLabel(/I agree/).check();
    await ben.getByRole('button', { name: 'Create account' }).click();
    assert.match(await ben.locator('#signup-error').innerText(), /not valid any more/);
    // Ben signs in again through the second process.
    await ben.goto(`${b.origin}/`);
    assert.match(ben.url(), /\/signin$/);
    await ben.getByLabel('Your name on this server').fill('ben');
    await ben.getByLabel('Password').fill('ben keeps bees behind the old barn');
    await ben.getByRole('button', { name: 'Sign in' }).click();
    await ben.waitForURL(`${b.origin}/`);

    const anaNames = await importChat(ana, a.origin, join(fixtures, 'chat-miner', 'whatsapp__ddmmyy_24hrs.txt'));
    const benNames = await importChat(ben, b.origin, join(fixtures, 'whatsapp-chat-parser', 'short-chat.txt'));
    assert.notDeepEqual(anaNames, benNames, 'two different chats');
    await screenshot(ana, 'hosted-chats');
    await planAndCheckIn(ana, a.origin, 'Ana drinking at parties');
    await planAndCheckIn(ben, b.origin, 'Ben drinking alone');

    // Ana continues through the other process with the same session.
    await ana.goto(`${b.origin}/t`);
    const anaRecord = await ana.locator('main').innerText();
    assert.match(anaRecord, /Ana drinking at parties/);
    assert.doesNotMatch(anaRecord, /Ben drinking alone/);
    await screenshot(ana, 'hosted-record');
    await ben.goto(`${a.origin}/t`);
    const benRecord = await ben.locator('main').innerText();
    assert.match(benRecord, /Ben drinking alone/);
    assert.doesNotMatch(benRecord, /Ana drinking at parties/);
    await ana.goto(`${a.origin}/c`);
    const anaChats = await ana.locator('main').innerText();
    for (const n of benNames) if (!anaNames.includes(n)) assert.ok(!anaChats.includes(n), `Ana sees Ben's ${n}`);

    // A link for an ally, served by the same host over HTTPS: the ally opens
    // it on a phone through the other process and confirms a milestone.
    await ana.goto(`${a.origin}/x`);
    assert.equal(await ana.locator('#base').count(), 0, 'no listener address to give');
    await ana.getByLabel('Who it is for').fill('Jo');
    await ana.getByRole('button', { name: 'Preview, then create the link' }).click();
    await ana.getByRole('button', { name: 'Create the link', exact: true }).click();
    const link = await ana.locator('#link').innerText();
    assert.ok(link.startsWith(`https://localhost:${portA}/s/`) && link.includes('#'), link);
    await screenshot(ana, 'hosted-share');
    const allyCtx = await browser.newContext(phone);
    const ally = await allyCtx.newPage();
    await ally.goto(link.replace(a.origin, b.origin));
    await ally.locator('.report h1').waitFor();
    assert.match(await ally.locator('.report').innerText(), /No alcohol/);
    await ally.locator('input[name=by]').first().fill('Jo');
    await ally.getByRole('button', { name: 'I saw this' }).first().click();
    await ally.getByText('Thank you — confirmed.').waitFor();
    await screenshot(ally, 'hosted-shared-view');
    await ana.goto(`${a.origin}/x`);
    assert.match(await ana.locator('#confirmations').innerText(), /Jo.*No alcohol/s);
    await ben.goto(`${b.origin}/x`);
    assert.equal(await ben.locator('#confirmations').count(), 0, 'Ben sees none of it');

    // The account page, then quick exit signs out on both processes.
    await ana.goto(`${a.origin}/account`);
    await ana.getByRole('heading', { name: 'Your account', exact: true }).waitFor();
    await screenshot(ana, 'hosted-account');
    await checkA11y(ana, 'hosted account page', { dark: true });
    await ana.getByRole('button', { name: 'Quick exit' }).click();
    await ana.waitForURL(/\/bye$/);
    // The page leaves at once by design; the sign-out request (a keepalive
    // fetch) may still be on its way, so give it up to 5 s to land.
    let after = '';
    for (let i = 0; i < 20; i++) {
      await ana.goto(`${b.origin}/t`);
      after = ana.url();
      if (/\/signin$/.test(after)) break;
      await new Promise((r) => setTimeout(r, 250));
    }
    assert.match(after, /\/signin$/);
    await checkA11y(ana, 'hosted sign-in');
    await screenshot(ana, 'hosted-signin');

    const outside = seen.filter((u) => !u.startsWith('data:') && !u.startsWith('about:') && new URL(u).hostname !== 'localhost');
    assert.deepEqual(outside, [], 'no request leaves the server');
    const accounts = JSON.parse(host(db.url, db.role, 'accounts', 'list', '--json'));
    assert.deepEqual(accounts.map((x) => x.name).sort(), ['ana', 'ben']);
  } finally {
    await browser.close();
    await a.stop();
    await b.stop();
  }
});
