import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mintLocalToken, readLocalKeys } from '#local/auth.ts';
import { buildConsole, createConsoleSite } from '#local/console-site.ts';
import { startIngestPipeline, type IngestPipeline } from '#local/pipeline.ts';
import type { LocalStack } from '#local/stack.ts';
import { startTestStack } from '../support/local-stack.ts';

/**
 * The agent review console in Debian's Chromium (playwright-core drives it; no browser download),
 * against the local stack on free ports with sample calls ingested. Set
 * CALLNOTES_CONSOLE_SCREENSHOTS=docs to refresh the README's screenshots.
 */
const CHROMIUM = process.env.CALLNOTES_CHROMIUM ?? '/usr/bin/chromium';
const hasChromium = existsSync(CHROMIUM);
if (!hasChromium) {
  console.warn(`browser tests skipped: no Chromium at ${CHROMIUM}. Install Debian's: sudo apt-get update && sudo apt-get install -y chromium`);
}
const SCREENSHOTS = process.env.CALLNOTES_CONSOLE_SCREENSHOTS;

const axeSource = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');
const sample = (name: string) => JSON.parse(readFileSync(`events/calls/${name}.json`, 'utf8'));
const daysAgo = (days: number) => new Date(Date.now() - days * 86_400_000).toISOString().replace(/\.\d+Z$/, 'Z');

// A real browser on a shared 2-core machine: generous per-test time, though each test takes a few seconds.
describe.skipIf(!hasChromium)('Browser: agent review console', { timeout: 60_000 }, () => {
  let stack: LocalStack;
  let pipeline: IngestPipeline;
  let browser: Browser;
  let distDir: string;
  const token: Record<string, string> = {};
  const calls = [
    { ...sample('lost-card'), callId: 'web-1', agentId: 'agent-a', startedAt: daysAgo(4) },
    { ...sample('billing-dispute'), callId: 'web-2', agentId: 'agent-a', startedAt: daysAgo(3) },
    { ...sample('internet-outage'), callId: 'web-3', agentId: 'agent-a', startedAt: daysAgo(2) },
    { ...sample('technician-appointment'), callId: 'web-4', agentId: 'agent-b', startedAt: daysAgo(1) },
  ];

  const api = async (path: string, as: string): Promise<any> => {
    const response = await fetch(`${stack.endpoints.api}${path}`, { headers: { authorization: `Bearer ${token[as]}` } });
    return response.json();
  };

  beforeAll(async () => {
    distDir = mkdtempSync(join(tmpdir(), 'callnotes-console-'));
    // Built into a private folder so a concurrent `npm start` (which builds console/dist) is never disturbed.
    const built = buildConsole({ outDir: distDir, logLevel: 'error' });
    const site = createConsoleSite({ distDir, build: 'never' });
    stack = await startTestStack({ staticSite: site.handle });
    site.attach(stack);
    pipeline = await startIngestPipeline(stack, { env: { LOG_LEVEL: 'ERROR' } });
    const ids = await pipeline.send(calls.map((m) => JSON.stringify(m)));
    const keys = readLocalKeys(stack.auth.keyFile);
    token.agentA = await mintLocalToken(keys, { agentId: 'agent-a', role: 'agent' });
    token.supervisor = await mintLocalToken(keys, { agentId: 'sup-1', role: 'supervisor' });
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--no-first-run', '--disable-sync'],
    });
    await Promise.all([built, pipeline.waitFor(ids, 30_000)]);
    if (SCREENSHOTS) mkdirSync(SCREENSHOTS, { recursive: true });
  });

  afterAll(async () => {
    await browser?.close();
    await pipeline?.stop();
    await stack?.close();
    if (distDir) rmSync(distDir, { recursive: true, force: true });
  });

  /** A fresh tab; the page's own CSP stays on, and any violation or script error fails the test. */
  async function openConsole(): Promise<{ context: BrowserContext; page: Page; problems: string[] }> {
    const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
    const page = await context.newPage();
    const problems: string[] = [];
    page.on('pageerror', (error) => problems.push(`page error: ${error.message}`));
    page.on('console', (message) => {
      // 404s from routes the API does not serve yet (transcripts, datasets) are expected.
      if (message.type() === 'error' && !/status of 404/.test(message.text())) problems.push(`console error: ${message.text()}`);
    });
    await page.goto(`${stack.endpoints.api}/`);
    return { context, page, problems };
  }

  async function signIn(page: Page, agentId: string, role: 'agent' | 'supervisor') {
    await page.getByRole('radio', { name: role === 'agent' ? 'Agent' : 'Supervisor' }).check();
    await page.locator('#signin-agent').fill(agentId);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.locator('a[data-call-link]').first().waitFor();
  }

  /** Opens a call from the list and waits until its rating form is there (the heading shows while loading too). */
  async function openCall(page: Page, callId: string) {
    await page.getByRole('link', { name: callId, exact: true }).click();
    await page.locator('#save-rating').waitFor();
    expect(await page.getByRole('heading', { level: 1 }).textContent()).toBe(`Call ${callId}`);
  }

  const listedCallIds = (page: Page) => page.locator('a[data-call-link]').allTextContents();

  async function expectAccessible(page: Page, label: string) {
    await page.evaluate(axeSource);
    const result = (await page.evaluate(`axe.run(document, { resultTypes: ['violations'] })`)) as {
      violations: { id: string; impact: string | null; help: string; nodes: { target: string[] }[] }[];
    };
    const serious = result.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical');
    expect(serious.map((v) => `${label}: ${v.impact} ${v.id}: ${v.help} at ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`)).toEqual([]);
  }

  it('signs an agent in, lists only their calls, and filters them', async () => {
    // Prepare
    const { context, page, problems } = await openConsole();

    // Act
    await signIn(page, 'agent-a', 'agent');

    // Assess: their three calls, newest first; no agent filter or column for agents
    expect(await listedCallIds(page)).toEqual(['web-3', 'web-2', 'web-1']);
    await expect(page.getByRole('heading', { level: 1 }).textContent()).resolves.toBe('Your calls');
    expect(await page.locator('#filter-agent').count()).toBe(0);
    expect(page.url()).not.toMatch(/eyJ/); // the token never lands in the address
    await expectAccessible(page, 'calls list');
    if (SCREENSHOTS) await page.screenshot({ path: join(SCREENSHOTS, 'console-list.png') });
    await page.keyboard.press('?');
    await expect.poll(() => page.getByRole('dialog', { name: 'Keyboard shortcuts' }).isVisible()).toBe(true);
    await page.keyboard.press('Escape');
    await expect.poll(() => page.getByRole('dialog').isVisible()).toBe(false);

    // Act: outcome (client-side), topic and date range (server-side)
    const { calls: mine } = await api('/calls', 'agentA');
    const web1 = mine.find((c: { callId: string }) => c.callId === 'web-1');
    const outcome: string = web1.notes.outcome;
    await page.getByLabel('Outcome').selectOption(outcome);
    const byOutcome = await listedCallIds(page);
    await page.getByLabel('Outcome').selectOption('');
    await page.getByLabel('Topic').fill(web1.notes.topics[0]);
    await page.getByRole('button', { name: 'Apply filters' }).click();
    await page.getByText(/calls? on page 1/).waitFor();
    await expect.poll(() => listedCallIds(page)).toContain('web-1');
    const byTopic = await listedCallIds(page);
    await page.getByRole('button', { name: 'Clear' }).click();
    await page.getByLabel('To', { exact: true }).fill(web1.startedAt.slice(0, 10));
    await page.getByRole('button', { name: 'Apply filters' }).click();
    await expect.poll(() => listedCallIds(page)).toEqual(['web-1']);

    // Assess
    expect(byOutcome).toEqual(mine.filter((c: { notes: { outcome: string } }) => c.notes.outcome === outcome).map((c: { callId: string }) => c.callId));
    expect(byTopic).toEqual(mine.filter((c: { notes: { topics: string[] } }) => c.notes.topics.includes(web1.notes.topics[0])).map((c: { callId: string }) => c.callId));
    expect(problems).toEqual([]);
    await context.close();
  });

  it('opens a call, corrects a topic and rates it from the keyboard, then opens the next unrated call', async () => {
    // Prepare
    const { context, page, problems } = await openConsole();
    await signIn(page, 'agent-a', 'agent');
    await openCall(page, 'web-2');
    const before = await api('/calls/web-2', 'agentA');

    // Assess: the notes beside the transcript (or its placeholder where the API has no transcript route), the model that wrote them, action items
    expect(await page.locator('.model').textContent()).toContain(before.model.version);
    const transcript = await fetch(`${stack.endpoints.api}/calls/web-2/transcript`, { headers: { authorization: `Bearer ${token.agentA}` } });
    if (transcript.status === 404) {
      expect(await page.locator('.transcript').textContent()).toMatch(/not available here yet[\s\S]*Stored: \d+ turns/);
    } else {
      const { turns } = (await transcript.json()) as { turns: { role: string; text: string }[] };
      await expect.poll(() => page.locator('.turns > li').count()).toBe(turns.length);
      expect(await page.locator('.turns > li .speaker').first().textContent()).toMatch(new RegExp(turns[0]!.role, 'i'));
    }
    expect(await page.locator('table.actions tbody tr').count()).toBe(before.notes.actionItems.length);

    // Act: e opens the corrections, type the topics, Esc leaves the field, 4 scores, s saves
    await page.keyboard.press('e');
    await page.locator('#corr-topics').waitFor();
    await page.getByRole('button', { name: 'Wrong' }).nth(1).click(); // topics: thumbs down
    await page.locator('#corr-topics').fill('billing dispute\nlate fee refund');
    await page.keyboard.press('Escape');
    await page.keyboard.press('4');
    await expectAccessible(page, 'call page (editing)');
    if (SCREENSHOTS) await page.screenshot({ path: join(SCREENSHOTS, 'console-call.png'), fullPage: true });
    await page.keyboard.press('s');

    // Assess: saved (live region), the next unrated call in the list opens, the API has the rating
    await expect.poll(() => page.url()).toMatch(/#\/calls\/web-1$/);
    await page.locator('#save-rating').waitFor();
    expect(await page.getByRole('status').textContent()).toMatch(/Rating saved for call web-2: 4 of 5, 1 field corrected/);
    const after = await api('/calls/web-2', 'agentA');
    expect(after.myRating).toMatchObject({ score: 4, fieldScores: { topics: 1 }, corrections: { topics: ['billing dispute', 'late fee refund'] } });
    expect(after.ratings).toMatchObject({ count: 1, corrected: 1 });
    expect(problems).toEqual([]);
    await context.close();
  });

  it('shows a schema problem at the field and sends nothing', async () => {
    // Prepare
    const { context, page } = await openConsole();
    await signIn(page, 'agent-a', 'agent');
    await openCall(page, 'web-3');

    // Act: six topics is one too many for CallNotesSchema
    await page.keyboard.press('e');
    await page.locator('#corr-topics').fill('a\nb\nc\nd\ne\nf');
    await page.keyboard.press('Escape');
    await page.keyboard.press('2');
    await page.keyboard.press('s');

    // Assess
    const topics = page.locator('#corr-topics');
    await expect.poll(() => topics.getAttribute('aria-invalid')).toBe('true');
    expect(await page.locator('#err-corrections-topics').textContent()).toMatch(/5/);
    expect(await topics.getAttribute('aria-describedby')).toContain('err-corrections-topics');
    expect(await page.evaluate('document.activeElement.id')).toBe('corr-topics');
    expect(await page.getByRole('status').textContent()).toMatch(/Not saved/);
    expect((await api('/calls/web-3', 'agentA')).myRating).toBeNull();
    await context.close();
  });

  it('does not show an agent another agent’s call', async () => {
    const { context, page } = await openConsole();
    await signIn(page, 'agent-a', 'agent');

    await page.goto(`${stack.endpoints.api}/#/calls/web-4`);

    await expect.poll(() => page.getByRole('alert').textContent()).toMatch(/another agent.*HTTP 403/);
    await context.close();
  });

  it('shows a supervisor every call, filters by agent, and says what is not available yet', async () => {
    // Prepare
    const { context, page, problems } = await openConsole();

    // Act
    await signIn(page, 'sup-1', 'supervisor');

    // Assess
    expect(await listedCallIds(page)).toEqual(['web-4', 'web-3', 'web-2', 'web-1']);
    expect(await page.getByRole('columnheader', { name: 'Agent' }).count()).toBe(1);
    await expectAccessible(page, 'calls list (supervisor)');

    await page.locator('#filter-agent').fill('agent-b');
    await page.getByRole('button', { name: 'Apply filters' }).click();
    await expect.poll(() => listedCallIds(page)).toEqual(['web-4']);

    // Datasets: "curate now" where the API serves /datasets (web-2 was rated 4 above), else "not available yet"
    await page.getByRole('link', { name: 'Datasets' }).click();
    if ((await fetch(`${stack.endpoints.api}/datasets`, { headers: { authorization: `Bearer ${token.supervisor}` } })).status === 404) {
      await expect.poll(() => page.locator('[data-testid="not-available"]').textContent()).toMatch(/not available yet[\s\S]*GET \/datasets/);
    } else {
      await page.getByRole('button', { name: 'Curate now' }).click();
      await expect.poll(() => page.getByRole('status').textContent(), { timeout: 20_000 }).toMatch(/Dataset version \S+ (created|already existed)|No new dataset version/);
      await expectAccessible(page, 'datasets');
    }
    await page.getByRole('link', { name: 'Models' }).click();
    await expect.poll(() => page.getByText('No models registered yet.').count()).toBe(1);
    await expect.poll(() => page.getByRole('button', { name: 'Roll back to the previous champion' }).isDisabled()).toBe(true);
    await expectAccessible(page, 'models');
    expect(problems).toEqual([]);
    await context.close();
  });
});
