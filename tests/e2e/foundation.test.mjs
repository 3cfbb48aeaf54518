// Issue 2's end-to-end flow: log in with the printed link, create the vault,
// fill "The relationship", reload and see it, then quick exit.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { startServer, launchBrowser, recordRequests, outsideRequests, screenshot, screenshotDir } from './harness.mjs';

const PASS = 'a quiet walk by the river at dawn';

test('relationship flow, reload, quick exit, nothing leaves 127.0.0.1', async () => {
  const server = await startServer();
  const browser = await launchBrowser();
  try {
    const context = await browser.newContext();
    const seen = recordRequests(context);
    const page = await context.newPage();

    // The one-time link signs in and lands on a clean URL.
    await page.goto(server.url);
    assert.equal(new URL(page.url()).pathname, `${server.basePath}/u`);
    assert.ok(!page.url().includes('token='));
    await page.getByRole('heading', { name: 'Create your private vault' }).waitFor();
    await screenshot(page, 'create-vault');

    // A too-short passphrase is explained; nothing is created.
    await page.getByLabel('Passphrase', { exact: true }).fill('too short');
    await page.getByLabel('Type it again').fill('too short');
    await page.getByRole('button', { name: 'Create vault' }).click();
    assert.match(await page.locator('#unlock-error').innerText(), /at least 15 characters/);

    await page.getByLabel('Passphrase', { exact: true }).fill(PASS);
    await page.getByLabel('Type it again').fill(PASS);
    await page.getByRole('button', { name: 'Create vault' }).click();
    // A new vault starts with the safety questions; "Not now" leaves them for later.
    await page.getByRole('heading', { name: 'A few safety questions' }).waitFor();
    await page.getByRole('link', { name: 'Not now' }).click();
    // A brand-new vault is a first visit, not a return.
    await page.getByRole('heading', { name: 'Welcome', exact: true }).waitFor();
    assert.match(await page.locator('#first-visit').innerText(), /start with step 1/);
    assert.match(await page.locator('#status-1').innerText(), /^Start here/);
    assert.match(await page.locator('#safety-banner').innerText(), /safety questions/);
    const steps = await page.locator('ol.steps > li').count();
    assert.equal(steps, 8, 'the eight steps of the method');
    assert.equal(await page.locator('ol.steps li.coming a').count(), 0, 'steps not built yet are not links');
    assert.equal(await page.locator('ol.steps li.ready h2 a').count(), await page.locator('ol.steps li.ready').count());
    await screenshot(page, 'home');

    // On a phone the menu is one tap away, grouped in the method's order, and every link works.
    await page.setViewportSize({ width: 390, height: 844 });
    assert.equal(await page.locator('header').getByRole('link', { name: 'Track record' }).count(), 0, 'closed: no row scrolling out of sight');
    await page.locator('.nav-narrow summary').click();
    const menu = await page.locator('.nav-narrow nav').innerText();
    assert.match(menu, /Home[\s\S]*The relationship[\s\S]*Chats[\s\S]*What the chat shows[\s\S]*Plan[\s\S]*Track record[\s\S]*Support[\s\S]*Settings/);
    await page.screenshot({ path: join(screenshotDir, 'menu-phone.png'), fullPage: true });
    await page.locator('.nav-narrow').getByRole('link', { name: 'Track record' }).click();
    assert.equal(new URL(page.url()).pathname, `${server.basePath}/t`);
    await page.setViewportSize({ width: 1280, height: 900 });
    await page.goto(`${server.base}/`);

    // The relationship: a mistake first, explained next to the field.
    await page.getByRole('link', { name: 'Understand' }).click();
    await page.getByLabel('Their name').fill('');
    await page.getByLabel('When it started').fill('2019-05-01');
    await page.getByLabel('When it ended').fill('2018-01-01');
    await page.getByRole('button', { name: 'Save' }).click();
    assert.match(await page.locator('.error-summary').innerText(), /Please check 2 things/);
    assert.match(await page.locator('.field-error').first().innerText(), /their name/i);
    await screenshot(page, 'relationship-errors');

    await page.getByLabel('Your name').fill('Sam');
    await page.getByLabel('Your pronouns').fill('they/them');
    await page.getByLabel('Their name').fill('Alex');
    await page.getByLabel('Their pronouns').fill('she/her');
    await page.getByLabel('When it ended').fill('2024-10-02');
    await page.getByLabel('Who ended it').selectOption('them');
    await page.getByLabel('How it ended').fill('A long talk in the kitchen, then silence.');
    await page.getByLabel('The reasons they gave').fill('My drinking, and that I was never there.');
    await page.getByLabel('Your own view').fill('I stopped listening.');
    await page.getByRole('button', { name: 'Save' }).click();
    await page.locator('#saved-notice').waitFor();

    await page.reload();
    assert.equal(await page.getByLabel('Their name').inputValue(), 'Alex');
    assert.equal(await page.getByLabel('Your pronouns').inputValue(), 'they/them');
    assert.equal(await page.getByLabel('When it started').inputValue(), '2019-05-01');
    assert.equal(await page.getByLabel('Who ended it').inputValue(), 'them');
    assert.equal(await page.getByLabel('The reasons they gave').inputValue(), 'My drinking, and that I was never there.');
    await screenshot(page, 'relationship');

    // Keyboard only: the quick exit is reachable and focus is visible.
    await page.keyboard.press('Tab');
    const focused = await page.evaluate(() => document.activeElement && document.activeElement.id);
    assert.equal(focused, 'quick-exit', 'quick exit is the first thing the keyboard reaches');
    await page.keyboard.press('Tab');
    assert.equal(await page.evaluate(() => document.activeElement.textContent), 'Skip to content', 'then the skip link');

    const [sessionCookie] = (await context.cookies()).filter((c) => c.name === 'rekindle_session');
    assert.ok(sessionCookie.httpOnly && sessionCookie.sameSite === 'Strict');

    // Quick exit by pressing Esc twice: neutral page within 500 ms, session dead.
    const started = Date.now();
    await page.keyboard.press('Escape');
    await page.keyboard.press('Escape');
    await page.waitForURL('**/bye', { timeout: 500 });
    const elapsed = Date.now() - started;
    assert.ok(elapsed <= 500, `left in ${elapsed} ms`);
    assert.equal(await page.title(), 'New tab');
    const newLink = await server.nextUrl();
    assert.ok(newLink.url.includes('token='), 'the terminal shows a new one-time link');

    // Back does not show the data: the page before was replaced, and the
    // server refuses the old session.
    await page.goBack().catch(() => {});
    const body = await page.locator('body').innerText();
    assert.ok(!body.includes('Alex'), 'no private data after going back');
    const replay = await fetch(`${server.base}/r`, {
      headers: { cookie: `rekindle_session=${sessionCookie.value}` },
      redirect: 'manual',
    });
    assert.equal(replay.status, 401, 'the old session cookie no longer works');

    assert.deepEqual(outsideRequests(seen), [], 'no request left 127.0.0.1');

    // The server's log holds events, never what was typed or the passphrase.
    const log = server.stderr.join('') + server.lines.join('\n');
    assert.ok(log.includes('relationship_saved'), 'events are logged');
    for (const secret of ['Alex', 'drinking', 'kitchen', PASS, sessionCookie.value]) {
      assert.ok(!log.includes(secret), `log does not contain "${secret}"`);
    }
  } finally {
    await browser.close();
    await server.stop();
  }
});

test('a page on another origin cannot post into rekindle', async () => {
  const server = await startServer({ env: { REKINDLE_PASSPHRASE: PASS } });
  const browser = await launchBrowser();
  const { createServer } = await import('node:http');
  // A hostile page on another local port that auto-submits a form to rekindle.
  const evil = createServer((req, res) => {
    res.setHeader('content-type', 'text/html');
    res.end(`<form id=f method=post action="${server.base}/r">
      <input name=their_name value=Hacked><input name=csrf value=x></form>
      <script>document.getElementById('f').submit()</script>`);
  });
  await new Promise((r) => evil.listen(0, '127.0.0.1', r));
  try {
    const context = await browser.newContext();
    const page = await context.newPage();
    await page.goto(server.url);
    await page.getByRole('heading', { name: /^Welcome/ }).waitFor();
    const responses = [];
    page.on('response', (r) => { if (r.url().endsWith('/r')) responses.push(r.status()); });
    await page.goto(`http://127.0.0.1:${evil.address().port}/`);
    await page.waitForLoadState('load');
    await page.waitForTimeout(300);
    assert.ok(responses.includes(403), `cross-site post refused (saw ${responses})`);
    await page.goto(`${server.base}/r`);
    assert.equal(await page.getByLabel('Their name').inputValue(), '', 'nothing was saved');
  } finally {
    evil.close();
    await browser.close();
    await server.stop();
  }
});

// Issue 18 item 8: browsers send a site's cookies to every port of 127.0.0.1. The session
// cookie is scoped to this launch's random path, so another local web server never gets it.
test('the session cookie does not reach another server on 127.0.0.1', async () => {
  const server = await startServer({ env: { REKINDLE_PASSPHRASE: PASS } });
  const browser = await launchBrowser();
  const { createServer } = await import('node:http');
  const received = [];
  const other = createServer((req, res) => {
    received.push({ url: req.url, cookie: req.headers.cookie || '' });
    res.setHeader('content-type', 'text/html');
    res.end('<p>another local app</p>');
  });
  await new Promise((r) => other.listen(0, '127.0.0.1', r));
  try {
    const context = await browser.newContext();
    const page = await context.newPage();
    await page.goto(server.url);
    await page.getByRole('heading', { name: /^Welcome/ }).waitFor();
    const cookies = await context.cookies();
    const session = cookies.find((c) => c.name === 'rekindle_session');
    assert.ok(session, 'signed in');
    assert.equal(session.path, server.basePath, 'the cookie is scoped to the launch path');
    assert.match(server.basePath, /^\/[0-9a-f]{32}$/);
    // The other server, at its root and at a path of its own: no rekindle cookie.
    for (const path of ['/', '/r', '/login?token=x']) {
      await page.goto(`http://127.0.0.1:${other.address().port}${path}`);
    }
    assert.deepEqual(received.map((r) => r.url).filter((u) => u !== '/favicon.ico'), ['/', '/r', '/login?token=x']);
    for (const r of received) assert.ok(!r.cookie.includes('rekindle_session'), `${r.url} got ${r.cookie}`);
    // rekindle itself still gets it: its pages open signed in.
    await page.goto(`${server.base}/r`);
    await page.getByLabel('Their name').waitFor();
    // And a new link from `rekindle login-link` opens it in another browser, no restart.
    const { cliFor } = await import('./harness.mjs');
    const line = cliFor(server.dataDir, PASS)('login-link');
    const fresh = line.match(/http:\/\/\S+\/login\?token=[0-9a-f]+/)[0];
    assert.ok(fresh.startsWith(`${server.base}/login?token=`), fresh);
    const second = await (await browser.newContext()).newPage();
    await second.goto(fresh);
    await second.getByRole('heading', { name: /^Welcome/ }).waitFor();
  } finally {
    other.close();
    await browser.close();
    await server.stop();
  }
});
