import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { writeMatMulModel } from '../support/tiny-models.js';
import { ROOT, startServer, type RunningServer } from '../cli/support/cli-harness.js';
import { optionalResource } from '../support/optional-resource.js';

const TOKEN = 'dashboard-token';
const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

/**
 * The dashboard in a real headless Chromium against a real server with a token: models with
 * memory, a model loaded after the page opened shows up without a reload, events stream in.
 * Any console error or page error fails the test.
 */
const withChromium = optionalResource('chromium', existsSync(CHROMIUM), `no Chromium at ${CHROMIUM} (apt-get install -y chromium, or set CHROMIUM_PATH)`);
(withChromium ? describe : describe.skip)('dashboard in headless Chromium', () => {
  let running: RunningServer;
  let browser: Browser;
  let page: Page;
  let dir: string;
  const consoleErrors: string[] = [];

  const api = async (method: string, path: string, body?: unknown): Promise<any> => {
    const res = await fetch(`${running.server.url}/api/v1${path}`, {
      method,
      headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    if (!res.ok) throw new Error(`${method} ${path}: ${res.status} ${await res.text()}`);
    return res.json();
  };
  const registerAndLoad = async (id: string): Promise<any> => {
    const path = writeMatMulModel(join(dir, id.replace('/', '_')));
    await api('POST', '/models', { model_id: id, task_type: 'tensor', source_url: `file://${path}` });
    return api('POST', `/models/${encodeURIComponent(id)}/load`, {});
  };

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'modelmora-dashboard-'));
    running = await startServer({ MODELMORA_API_TOKEN: TOKEN, MODELMORA_MAX_MEMORY_MB: '1024' });
    browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox'] });
    page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    page.on('console', (msg) => {
      if (msg.type() === 'error') consoleErrors.push(msg.text());
    });
    page.on('pageerror', (err) => consoleErrors.push(`page error: ${err.message}`));
  }, 120_000);
  afterAll(async () => {
    await browser?.close();
    await running?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('asks for the token, then shows loaded models with memory, live additions, and the event stream', async () => {
    const first = await registerAndLoad('dash/first');

    // Behind the token: the page shows a token field and no data until it is given.
    await page.goto(`${running.server.url}/dashboard`);
    await page.locator('#login').waitFor({ state: 'visible' });
    expect(await page.locator('#board').isHidden()).toBe(true);
    await page.fill('#token', TOKEN);
    await page.click('#login button');

    const firstRow = page.locator('#models tr[data-model-id="dash/first"]');
    await firstRow.waitFor();
    await expect(firstRow.locator('td').nth(1).textContent()).resolves.toBe('loaded');
    await expect(firstRow.locator('td').nth(3).textContent()).resolves.toBe(String(first.pid));
    const memory = await firstRow.locator('.memory').textContent();
    expect(memory).toMatch(/^\d+(\.\d)? MB$/);
    expect(Number.parseFloat(memory!)).toBeGreaterThan(0);
    await expect(page.locator('#budget-text').textContent()).resolves.toMatch(/^[\d.]+ MB of 1\.0 GB budget$/);
    // The model's bar is its share of the 1024 MB budget.
    const width = await firstRow.locator('.fill').evaluate((el) => (el as unknown as { style: { width: string } }).style.width);
    expect(Number.parseFloat(width)).toBeCloseTo((Number.parseFloat(memory!) / 1024) * 100, 0);

    // A model loaded after the page opened appears within 2 s, without a reload.
    await registerAndLoad('dash/second');
    await page.locator('#models tr[data-model-id="dash/second"]').waitFor({ timeout: 2_000 });

    // The live event stream shows the new load, and a filter narrows it.
    await page.locator('#events tr[data-event-type="model.loaded"]', { hasText: 'dash/second' }).waitFor({ timeout: 5_000 });
    await page.fill('#filter-type', 'model.registered');
    await page.click('#event-filters button');
    await page.locator('#events tr[data-event-type="model.registered"]', { hasText: 'dash/second' }).waitFor({ timeout: 5_000 });
    expect(await page.locator('#events tr[data-event-type="model.loaded"]').count()).toBe(0);

    // Metrics drive the queue panel and the charts.
    await page.locator('#queue div').first().waitFor();
    expect(await page.locator('#queue div').allTextContents()).toEqual(['0critical', '0high', '0normal', '0low']);

    mkdirSync(join(ROOT, 'test-results'), { recursive: true });
    await page.screenshot({ path: join(ROOT, 'test-results', 'dashboard.png'), fullPage: true });
    expect(consoleErrors).toEqual([]);
  });
});
