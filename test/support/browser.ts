// Headless Chromium for end-to-end tests: Debian's /usr/bin/chromium driven by playwright-core
// (never a downloaded browser), with the launch flags that work as root on a closed network, and
// a fresh profile directory per launch, removed on close.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { BrowserContext, chromium, Page } from 'playwright-core';

export const CHROMIUM = '/usr/bin/chromium';
export const CHROMIUM_ARGS = [
  '--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage', '--disable-quic', '--no-first-run',
  '--disable-background-networking', '--disable-component-update', '--disable-sync',
];

export interface TestBrowser {
  context: BrowserContext;
  close(): Promise<void>;
}

/** Chromium with a fresh --user-data-dir (playwright passes it from `launchPersistentContext`). */
export async function launchBrowser(options: { javaScriptEnabled?: boolean } = {}): Promise<TestBrowser> {
  if (!fs.existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} is missing: apt-get install -y chromium (never \`npx playwright install\`)`);
  const profile = fs.mkdtempSync(path.join(os.tmpdir(), 'vouch-chromium-'));
  try {
    const context = await chromium.launchPersistentContext(profile, {
      executablePath: CHROMIUM,
      args: CHROMIUM_ARGS,
      headless: true,
      javaScriptEnabled: options.javaScriptEnabled ?? true,
      viewport: { width: 1280, height: 900 },
      timeout: 60_000,
    });
    return {
      context,
      async close() {
        try {
          await context.close();
        } finally {
          fs.rmSync(profile, { recursive: true, force: true });
        }
      },
    };
  } catch (e) {
    fs.rmSync(profile, { recursive: true, force: true });
    throw e;
  }
}

export interface Visit {
  url: string;
  status: number;
  title: string;
  /** console errors, uncaught page errors, failed requests and dialogs (alert, confirm) */
  problems: string[];
  /** every same-origin link on the page, absolute, without fragments */
  links: string[];
  page: Page;
}

/** Opens `url` in a new tab, recording everything that went wrong; the caller closes the page. */
export async function visit(context: BrowserContext, url: string, screenshot?: string): Promise<Visit> {
  const page = await context.newPage();
  const problems: string[] = [];
  page.on('console', (m) => {
    if (m.type() === 'error') problems.push(`console: ${m.text()}`);
  });
  page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
  page.on('requestfailed', (r) => problems.push(`request failed: ${r.url()} ${r.failure()?.errorText ?? ''}`));
  page.on('dialog', (d) => {
    problems.push(`dialog: ${d.type()} ${d.message()}`);
    void d.dismiss();
  });
  const response = await page.goto(url, { waitUntil: 'load', timeout: 30_000 });
  const origin = new URL(url).origin;
  const hrefs = await page.locator('a[href]').evaluateAll((as) => as.map((a) => (a as unknown as { href: string }).href));
  const links = [...new Set(hrefs.map((h) => h.replace(/#.*$/, '')).filter((h) => h.startsWith(`${origin}/`)))];
  if (screenshot) {
    fs.mkdirSync(path.dirname(screenshot), { recursive: true });
    await page.screenshot({ path: screenshot, fullPage: true });
  }
  return { url, status: response?.status() ?? 0, title: await page.title(), problems, links, page };
}
