// Shared set-up for the browser tests: start the real binary on a fresh
// data folder, read its one-time link, and launch Debian's Chromium.
import { spawn, execFileSync } from 'node:child_process';
import { mkdtempSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve, dirname } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';
import assert from 'node:assert/strict';

const here = dirname(fileURLToPath(import.meta.url));
export const repoRoot = resolve(here, '..', '..');
export const binary = process.env.REKINDLE_BIN || join(repoRoot, 'target', 'debug', 'rekindle');
export const screenshotDir = process.env.REKINDLE_SCREENSHOTS || join(repoRoot, 'target', 'screenshots');
mkdirSync(screenshotDir, { recursive: true });
// Every binary these tests start (they all inherit this environment) makes new
// vaults with the floor's Argon2id parameters, so pages that create or unlock
// a vault stay quick. Only debug builds read this; a release binary ignores it.
process.env.REKINDLE_TEST_FAST_KDF ??= '1';

export const CHROMIUM_ARGS = [
  '--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking',
  '--disable-component-update', '--disable-sync', '--no-first-run', '--disable-quic',
];

/** Starts `rekindle serve`; resolves once the login URL is printed. */
export function startServer({ env = {}, args = [], dataDir = mkdtempSync(join(tmpdir(), 'rekindle-e2e-')) } = {}) {
  const childEnv = { ...process.env, REKINDLE_DATA_DIR: join(dataDir, 'data'), ...env };
  if (!env.REKINDLE_PASSPHRASE) delete childEnv.REKINDLE_PASSPHRASE;
  const proc = spawn(binary, ['serve', ...args], {
    env: childEnv,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const lines = [];
  const stderr = [];
  proc.stderr.on('data', (d) => stderr.push(d.toString()));
  const rl = createInterface({ input: proc.stdout });
  const waiters = [];
  proc.once('exit', () => { for (const w of waiters.splice(0)) w(true); });
  rl.on('line', (line) => {
    lines.push(line);
    for (const w of waiters.splice(0)) w();
  });
  const nextUrl = (afterIndex) => new Promise((resolvePromise, reject) => {
    const timer = setTimeout(() => reject(new Error('no login URL printed; stderr: ' + stderr.join(''))), 20000);
    const check = (exited) => {
      for (let i = afterIndex; i < lines.length; i++) {
        // http://127.0.0.1:PORT/<this launch's random path>/login?token=…
        const m = lines[i].match(/http:\/\/127\.0\.0\.1:\d+(?:\/[0-9a-f]{32})?\/login\?token=[0-9a-f]+/);
        if (m) { clearTimeout(timer); resolvePromise({ url: m[0], index: i + 1 }); return; }
      }
      if (exited || proc.exitCode !== null) {
        clearTimeout(timer);
        reject(new Error('rekindle exited: ' + stderr.join('')));
        return;
      }
      waiters.push(check);
    };
    check();
  });
  // `base` is where the app's pages live: the origin and the launch's random path (`basePath`);
  // `${server.base}/r` is the relationship page. `origin` is only for Origin headers and ports.
  return nextUrl(0).then(({ url, index }) => ({
    url,
    origin: new URL(url).origin,
    base: url.slice(0, url.indexOf('/login?')),
    basePath: new URL(url.slice(0, url.indexOf('/login?'))).pathname,
    dataDir,
    proc,
    lines,
    stderr,
    nextUrl: () => nextUrl(index),
    stop: () => new Promise((r) => { proc.once('exit', r); proc.kill('SIGINT'); setTimeout(() => proc.kill('SIGKILL'), 3000); }),
  }));
}

/** Launches Chromium; Playwright gives every launch a fresh, empty profile. */
export async function launchBrowser() {
  return chromium.launch({
    executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
    args: CHROMIUM_ARGS,
    headless: true,
  });
}

/** Records every request a page makes, to prove nothing leaves 127.0.0.1. */
export function recordRequests(context) {
  const seen = [];
  context.on('request', (req) => seen.push(req.url()));
  return seen;
}

export function outsideRequests(seen) {
  return seen.filter((u) => {
    if (u.startsWith('data:') || u.startsWith('about:')) return false;
    try { return new URL(u).hostname !== '127.0.0.1'; } catch { return true; }
  });
}

export async function screenshot(page, name) {
  for (const [label, size] of [['desktop', { width: 1280, height: 900 }], ['phone', { width: 390, height: 844 }]]) {
    await page.setViewportSize(size);
    await page.screenshot({ path: join(screenshotDir, `${name}-${label}.png`), fullPage: true });
  }
  await page.setViewportSize({ width: 1280, height: 900 });
}

/** A `run(...args)` that runs the CLI on the vault in `dataDir` with `passphrase`, returning stdout. */
export function cliFor(dataDir, passphrase) {
  const env = { ...process.env, REKINDLE_DATA_DIR: join(dataDir, 'data'), REKINDLE_PASSPHRASE: passphrase };
  return (...args) => execFileSync(binary, args, { env }).toString();
}

/** Problem 1, "My drinking at parties" (mine), and its plan with the daily commitment "No alcohol" (item 2). */
export function seedDrinkingPlan(run) {
  run('problem', 'add', '--title', 'My drinking at parties', '--category', 'substance', '--whose', 'mine',
    '--frequency', 'often', '--severity', '5', '--my-part', 'I said hurtful things when drunk');
  run('plan', '1', '--prevention', 'I will not drink at all', '--if', 'someone offers me a drink', '--then',
    'I ask for sparkling water', '--commitment', 'No alcohol', '--kind', 'daily');
}

/** The local date `n` days before today, as YYYY-MM-DD (the calendar the binary uses, not UTC). */
export function daysAgo(n) {
  const d = new Date();
  d.setDate(d.getDate() - n);
  const pad = (x) => String(x).padStart(2, '0');
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}`;
}

/**
 * A vault whose record was lived, not backfilled: rekindle counts only check-ins written down
 * on their day (from the clock), so a test cannot make thirty past days by entering them now.
 * Seeds the drinking plan, exports the vault, moves the plan's making and start back `days` days
 * and adds one check-in written on each of the last `days` days (lapsed on the days in `lapses`,
 * with `lapse`'s trigger and what led to it), then restores that into a new vault. Returns the
 * new vault's dataDir.
 */
export function seedLivedRecord(dataDir, passphrase, days, lapses = [], lapse = { trigger: '', instead: '' }) {
  const run = cliFor(dataDir, passphrase);
  run('init');
  seedDrinkingPlan(run);
  const file = join(dataDir, 'export.json');
  run('export', '--out', file);
  const doc = JSON.parse(readFileSync(file, 'utf8'));
  const plan = doc.items.find((i) => i.kind === 'plan');
  // Noon of that day on this computer's clock (the calendar the binary uses), as an instant:
  // `${day}T12:00:00Z` would be another day in time zones 12 hours or more from UTC.
  const stamp = (day) => {
    const [y, m, d] = day.split('-').map(Number);
    return new Date(y, m - 1, d, 12).toISOString();
  };
  const made = daysAgo(days);
  plan.created_at = stamp(made);
  for (const v of plan.versions) { v.saved_at = stamp(made); v.data.commitment.start = made; }
  let id = Math.max(...doc.items.map((i) => i.id)) + 1;
  for (let n = days; n >= 1; n--) {
    const day = daysAgo(n);
    doc.items.push({
      id: id++, kind: 'checkin', created_at: stamp(day),
      versions: [{ saved_at: stamp(day), data: {
        plan_id: plan.id, day, outcome: lapses.includes(n) ? 'lapsed' : 'kept', count: null,
        note: '', trigger: lapses.includes(n) ? lapse.trigger : '', instead: lapses.includes(n) ? lapse.instead : '',
        recorded_on: day } }],
    });
  }
  const lived = join(dataDir, 'lived.json');
  writeFileSync(lived, JSON.stringify(doc));
  const newDir = mkdtempSync(join(tmpdir(), 'rekindle-lived-'));
  cliFor(newDir, passphrase)('restore', lived);
  return newDir;
}

let axeSource = null;

/**
 * Runs axe-core (from node_modules: no network) on the page as it is now and fails on any serious or
 * critical violation, naming the rule and the elements. Also checks what axe does not: every field
 * error (.field-error) is tied to its field by aria-describedby, and the page has a working skip link.
 * One axe run per call; `label` names the page in the failure message.
 */
export async function axeCheck(page, label) {
  const hasAxe = await page.evaluate(() => typeof window.axe !== 'undefined');
  if (!hasAxe) {
    // Evaluated through the browser's devtools channel, so the page's script policy does not apply.
    axeSource ??= readFileSync(join(here, 'node_modules', 'axe-core', 'axe.min.js'), 'utf8');
    await page.evaluate(axeSource);
  }
  const result = await page.evaluate(async () => {
    const r = await window.axe.run(document, { resultTypes: ['violations'] });
    const bad = r.violations
      .filter((v) => v.impact === 'serious' || v.impact === 'critical')
      .map((v) => `${v.id} (${v.impact}): ${v.help} — ${v.nodes.slice(0, 4).map((n) => n.target.join(' ')).join(' | ')}`);
    const untied = [...document.querySelectorAll('.field-error')]
      .filter((e) => !e.id || !document.querySelector(`[aria-describedby~="${CSS.escape(e.id)}"]`))
      .map((e) => `field error not tied to a field: "${e.textContent.trim().slice(0, 60)}"`);
    const main = document.querySelector('main');
    const skip = document.querySelector('a.skip-link');
    const skipProblem = main && (!skip || skip.getAttribute('href') !== `#${main.id}`)
      ? ['no "Skip to content" link to <main>'] : [];
    return [...bad, ...untied, ...skipProblem];
  });
  assert.deepEqual(result, [], `accessibility problems on ${label}:\n${result.join('\n')}`);
}

/**
 * The accessibility check at both sizes: axe once at 1280 px and once at 390 px (the viewport
 * is back at 1280 px afterwards). With `dark`, the phone run is in the dark colour scheme, so
 * each page's dark colours are checked without a third run.
 */
export async function checkA11y(page, label = new URL(page.url()).pathname, { dark = false } = {}) {
  await page.setViewportSize({ width: 1280, height: 900 });
  await axeCheck(page, `${label} at 1280 px`);
  await page.setViewportSize({ width: 390, height: 844 });
  if (dark) await page.emulateMedia({ colorScheme: 'dark' });
  try {
    await axeCheck(page, `${label} at 390 px${dark ? ', dark' : ''}`);
  } finally {
    if (dark) await page.emulateMedia({ colorScheme: 'light' });
    await page.setViewportSize({ width: 1280, height: 900 });
  }
}
