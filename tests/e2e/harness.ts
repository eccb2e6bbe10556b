/**
 * One e2e API over two real browsers: Chromium through Playwright, Firefox through
 * puppeteer-core over WebDriver BiDi. Each *.e2e.ts file runs once per browser (vitest
 * projects e2e-chromium and e2e-firefox set EG_BROWSER).
 */
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { type BrowserContext, chromium, type Page as PlaywrightPage } from 'playwright-core';
import puppeteer, { type Browser as PuppeteerBrowser, type Page as PuppeteerPage } from 'puppeteer-core';
import { GECKO_ID } from '../../wxt.config';

export type BrowserName = 'chromium' | 'firefox';

export interface RecordedRequest {
  url: string;
  method: string;
  body: string;
  /** 'page' for extension pages, 'worker' for the background, where the browser tells them apart. */
  source: string;
}

export interface AxeViolation {
  id: string;
  impact: string | null;
  help: string;
  nodes: { target: string[] }[];
}

export interface ExtPage {
  readonly url: string;
  waitFor(selector: string, timeoutMs?: number): Promise<void>;
  /** Waits until the element's text matches. */
  waitForText(selector: string, pattern: RegExp, timeoutMs?: number): Promise<string>;
  waitForAttribute(selector: string, name: string, value: string, timeoutMs?: number): Promise<void>;
  click(selector: string): Promise<void>;
  fill(selector: string, value: string): Promise<void>;
  select(selector: string, value: string): Promise<void>;
  press(key: string): Promise<void>;
  text(selector: string): Promise<string>;
  attribute(selector: string, name: string): Promise<string | null>;
  count(selector: string): Promise<number>;
  /** Runs `fn` in the page. Serialisable argument and result only. */
  evaluate<T, A = undefined>(fn: (arg: A) => T | Promise<T>, arg?: A): Promise<T>;
  reload(waitForSelector?: string): Promise<void>;
  /** Serious and critical axe-core violations on the page as it is now. */
  getSeriousAxeViolations(): Promise<AxeViolation[]>;
  screenshot(path: string): Promise<void>;
  close(): Promise<void>;
}

export interface ExtensionSession {
  readonly browserName: BrowserName;
  /** Full URL of an extension page, e.g. getUrl('popup.html'). */
  getUrl(path: string): string;
  /** Opens an extension page in a new tab and waits for `waitForSelector` (default '#app *'). */
  openPage(path: string, waitForSelector?: string): Promise<ExtPage>;
  /** Every request the browser made since launch (or since clearRequests). */
  readonly requests: RecordedRequest[];
  clearRequests(): void;
  /**
   * Restarts the extension as `runtime.reload()` does (the browser reads it again from its folder; same
   * id and origin, its data kept) and waits until its pages open again. Its open pages go away
   * (Chromium closes them, Firefox leaves them blank): open them again afterwards.
   */
  reloadExtension(): Promise<void>;
  /**
   * Updates the running extension to the build in `dir` (e.g. copyExtensionBuild({ bumpVersion: true })),
   * as a browser applies an update: same id and origin, data kept, runtime.onInstalled with reason
   * "update". Chromium: `dir` is copied into the folder the extension was loaded from, then reloaded;
   * Firefox: `dir` is installed over the running add-on. Needs a session launched with `extensionDir`
   * (so the build in .output is never overwritten). Waits until the new version's pages open.
   */
  updateExtension(dir: string): Promise<void>;
  close(): Promise<void>;
}

const DEFAULT_TIMEOUT = 15_000;
const FIREFOX_UUID = '5a0c6f7e-2f61-4d0a-9b3e-6e1c2a4b8d10';
const require = createRequire(import.meta.url);
const AXE_SOURCE = readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8');

export function getBrowserName(): BrowserName {
  const name = process.env.EG_BROWSER ?? 'chromium';
  if (name !== 'chromium' && name !== 'firefox') throw new Error(`EG_BROWSER must be chromium or firefox, not ${name}`);
  return name;
}

/** The browser binary: $CHROMIUM_PATH / $FIREFOX_PATH, else Debian's package. */
export function getBrowserPath(name: BrowserName): string {
  const [variable, fallback, pkg] =
    name === 'chromium'
      ? ['CHROMIUM_PATH', '/usr/bin/chromium', 'chromium']
      : ['FIREFOX_PATH', '/usr/bin/firefox-esr', 'firefox-esr'];
  const path = process.env[variable] ?? fallback;
  if (!existsSync(path)) {
    throw new Error(
      `${name} not found at ${path}. Install Debian's package with \`sudo apt-get install -y ${pkg}\`, ` +
        `or set ${variable} to the browser binary.`,
    );
  }
  return path;
}

export function getExtensionDir(name: BrowserName): string {
  const dir = resolve(process.env.EG_OUT_DIR ?? '.output', name === 'chromium' ? 'chrome-mv3' : 'firefox-mv3');
  if (!existsSync(join(dir, 'manifest.json'))) {
    throw new Error(
      `No ${name} build at ${dir}. Run \`npx wxt build${name === 'firefox' ? ' -b firefox' : ''}\` first (npm test does).`,
    );
  }
  return dir;
}

interface ManifestSummary {
  version: string;
  action?: { default_popup?: string };
}

function readManifest(dir: string): ManifestSummary {
  return JSON.parse(readFileSync(join(dir, 'manifest.json'), 'utf8')) as ManifestSummary;
}

/** The extension page used to reach runtime.reload() and to tell when the extension runs again. */
function getProbePath(dir: string): string {
  return readManifest(dir).action?.default_popup ?? 'manifest.json';
}

/**
 * A copy of the build in a new temporary folder, to launch with `extensionDir` and later update or
 * reload. `bumpVersion` raises the last number of manifest.json's version, so the copy is a newer
 * release of the same extension. Remove `dir` (rmSync) when done.
 */
export function copyExtensionBuild(options: { browser?: BrowserName; bumpVersion?: boolean } = {}): {
  dir: string;
  version: string;
} {
  const source = getExtensionDir(options.browser ?? getBrowserName());
  const dir = mkdtempSync(join(tmpdir(), 'eg-build-'));
  cpSync(source, dir, { recursive: true });
  const file = join(dir, 'manifest.json');
  const manifest = JSON.parse(readFileSync(file, 'utf8')) as { version: string };
  if (options.bumpVersion) {
    const parts = manifest.version.split('.').map(Number);
    while (parts.length < 3) parts.push(0);
    parts[parts.length - 1] = (parts[parts.length - 1] as number) + 1;
    manifest.version = parts.join('.');
    writeFileSync(file, JSON.stringify(manifest, null, 2));
  }
  return { dir, version: manifest.version };
}

/** Replaces the contents of `target` with those of `source` (the folder itself stays, so its path does). */
function replaceFolderContents(target: string, source: string): void {
  for (const name of readdirSync(target)) rmSync(join(target, name), { recursive: true, force: true });
  cpSync(source, target, { recursive: true });
}

function requireOwnCopy(options: LaunchOptions): void {
  if (!options.extensionDir) {
    throw new Error(
      'updateExtension() needs a session launched with extensionDir (copyExtensionBuild().dir), ' +
        'so that the build in .output is never overwritten.',
    );
  }
}

/**
 * Chromium disables an unpacked extension that reloads ("unsupported developer extension") unless the
 * profile is in developer mode, as a developer's would be.
 */
function enableDeveloperMode(profileDir: string): void {
  const file = join(profileDir, 'Default', 'Preferences');
  let prefs: { extensions?: { ui?: { developer_mode?: boolean } } } = {};
  if (existsSync(file)) {
    try {
      prefs = JSON.parse(readFileSync(file, 'utf8'));
    } catch {
      prefs = {};
    }
  }
  prefs.extensions = { ...prefs.extensions, ui: { ...prefs.extensions?.ui, developer_mode: true } };
  mkdirSync(dirname(file), { recursive: true });
  writeFileSync(file, JSON.stringify(prefs));
}

/** The `chrome` namespace of an extension page (Firefox has it too), for evaluate() callbacks. */
interface ExtensionGlobal {
  chrome: { runtime: { reload(): void; getManifest(): { version: string } } };
}

const sleep = (ms: number) => new Promise((done) => setTimeout(done, ms));

/** A reload or update is back when the extension's pages open again (slower than a page load). */
const RESTART_TIMEOUT = 30_000;

export interface LaunchOptions {
  browser?: BrowserName;
  /** Load the extension from this folder (e.g. copyExtensionBuild().dir) instead of the build in .output. */
  extensionDir?: string;
  /** Reuse a profile folder (for "persists across restarts"); a fresh temporary one otherwise. */
  profileDir?: string;
  /** Browser UI language, e.g. 'en-US' or 'zh-CN' (Chromium; Firefox ESR ships en-US only). */
  locale?: string;
}

export async function launchExtension(options: LaunchOptions = {}): Promise<ExtensionSession> {
  const name = options.browser ?? getBrowserName();
  return name === 'chromium' ? launchChromium(options) : launchFirefox(options);
}

async function launchChromium(options: LaunchOptions): Promise<ExtensionSession> {
  const extensionDir = options.extensionDir ?? getExtensionDir('chromium');
  const ownProfile = !options.profileDir;
  const profileDir = options.profileDir ?? mkdtempSync(join(tmpdir(), 'eg-chromium-'));
  enableDeveloperMode(profileDir);
  const context: BrowserContext = await chromium.launchPersistentContext(profileDir, {
    executablePath: getBrowserPath('chromium'),
    headless: true,
    locale: options.locale ?? 'zh-CN',
    args: [
      `--lang=${options.locale ?? 'zh-CN'}`,
      `--disable-extensions-except=${extensionDir}`,
      `--load-extension=${extensionDir}`,
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
  const requests: RecordedRequest[] = [];
  context.on('request', (request) => {
    requests.push({
      url: request.url(),
      method: request.method(),
      body: request.postData() ?? '',
      source: request.serviceWorker() ? 'worker' : 'page',
    });
  });
  const worker = context.serviceWorkers()[0] ?? (await context.waitForEvent('serviceworker'));
  const extensionId = new URL(worker.url()).host;
  const getUrl = (path: string) => `chrome-extension://${extensionId}/${path.replace(/^\//, '')}`;
  const probePath = getProbePath(extensionDir);

  /** Waits until the extension serves its pages at `version` again and its service worker runs. */
  async function waitForExtension(version: string): Promise<void> {
    const deadline = Date.now() + RESTART_TIMEOUT;
    const page = await context.newPage();
    try {
      for (;;) {
        const running = await page.goto(getUrl(probePath)).then(
          () => page.evaluate(() => (globalThis as unknown as ExtensionGlobal).chrome.runtime.getManifest().version),
          () => null,
        );
        const workerUp = context.serviceWorkers().some((w) => new URL(w.url()).host === extensionId);
        if (running === version && workerUp) return;
        if (Date.now() > deadline) {
          throw new Error(`The extension did not come back at version ${version} (running: ${running ?? 'none'})`);
        }
        await sleep(100);
      }
    } finally {
      await page.close();
    }
  }

  /** runtime.reload() from an extension page; Chromium reads an unpacked extension again from its folder. */
  async function restart(): Promise<void> {
    const version = readManifest(extensionDir).version;
    const page = await context.newPage();
    await page.goto(getUrl(probePath));
    const unloaded = new Promise<void>((done) => page.once('close', () => done()));
    // After a tick, so that evaluate() returns before the page goes away with the extension.
    await page.evaluate(() => {
      setTimeout(() => (globalThis as unknown as ExtensionGlobal).chrome.runtime.reload(), 0);
    });
    await Promise.race([
      unloaded,
      sleep(RESTART_TIMEOUT).then(() => Promise.reject(new Error('The extension did not unload on reload'))),
    ]);
    await waitForExtension(version);
  }

  return {
    browserName: 'chromium',
    getUrl,
    requests,
    clearRequests: () => requests.splice(0),
    async openPage(path, waitForSelector = '#app *') {
      const page = await context.newPage();
      await page.goto(getUrl(path));
      await page.waitForSelector(waitForSelector, { timeout: DEFAULT_TIMEOUT });
      // The page under test is the one in front, even if the extension opened a tab meanwhile.
      await page.bringToFront();
      return wrapPlaywrightPage(page);
    },
    reloadExtension: restart,
    async updateExtension(dir) {
      requireOwnCopy(options);
      replaceFolderContents(extensionDir, dir);
      await restart();
    },
    async close() {
      await context.close();
      if (ownProfile) rmSync(profileDir, { recursive: true, force: true });
    },
  };
}

function wrapPlaywrightPage(page: PlaywrightPage): ExtPage {
  return {
    get url() {
      return page.url();
    },
    waitFor: async (selector, timeout = DEFAULT_TIMEOUT) => {
      await page.waitForSelector(selector, { timeout });
    },
    waitForText: async (selector, pattern, timeout = DEFAULT_TIMEOUT) => {
      await page.waitForFunction(
        ([sel, source, flags]) => new RegExp(source, flags).test(document.querySelector(sel)?.textContent ?? ''),
        [selector, pattern.source, pattern.flags] as const,
        { timeout },
      );
      return (await page.textContent(selector)) ?? '';
    },
    waitForAttribute: async (selector, name, value, timeout = DEFAULT_TIMEOUT) => {
      await page.waitForFunction(
        ([sel, attr, expected]) => document.querySelector(sel)?.getAttribute(attr) === expected,
        [selector, name, value] as const,
        { timeout },
      );
    },
    click: (selector) => page.click(selector),
    fill: (selector, value) => page.fill(selector, value),
    select: async (selector, value) => {
      await page.selectOption(selector, value);
    },
    press: (key) => page.keyboard.press(key),
    text: async (selector) => (await page.textContent(selector)) ?? '',
    attribute: (selector, name) => page.getAttribute(selector, name),
    count: (selector) => page.locator(selector).count(),
    evaluate: (fn, arg) => page.evaluate(fn as never, arg) as never,
    reload: async (waitForSelector = '#app *') => {
      await page.reload();
      await page.waitForSelector(waitForSelector, { timeout: DEFAULT_TIMEOUT });
    },
    getSeriousAxeViolations: async () => {
      // evaluate() runs over the DevTools protocol, so the extension page's CSP does not block axe.
      await page.evaluate(AXE_SOURCE);
      return page.evaluate(runAxeInPage);
    },
    screenshot: async (path) => {
      await page.screenshot({ path, fullPage: true });
    },
    close: () => page.close(),
  };
}

async function launchFirefox(options: LaunchOptions): Promise<ExtensionSession> {
  let extensionDir = options.extensionDir ?? getExtensionDir('firefox');
  const ownProfile = !options.profileDir;
  const profileDir = options.profileDir ?? mkdtempSync(join(tmpdir(), 'eg-firefox-'));
  const browser: PuppeteerBrowser = await puppeteer.launch({
    browser: 'firefox',
    executablePath: getBrowserPath('firefox'),
    headless: true,
    userDataDir: profileDir,
    args: ['--remote-allow-system-access'],
    extraPrefsFirefox: {
      // A fixed internal UUID gives the extension a known moz-extension:// origin.
      'extensions.webextensions.uuids': JSON.stringify({ [GECKO_ID]: FIREFOX_UUID }),
      'intl.accept_languages': options.locale ?? 'zh-CN',
      // Should a tab the extension opens later cover the page under test, its timers still run at
      // speed, as Playwright's default flags make Chromium do (--disable-background-timer-throttling).
      'dom.min_background_timeout_value': 4,
      'dom.min_background_timeout_value_without_budget_throttling': 4,
      'dom.timeout.enable_budget_timer_throttling': false,
    },
  });
  await browser.installExtension(extensionDir);
  const requests: RecordedRequest[] = [];
  const recordPage = async (page: PuppeteerPage) => {
    page.on('request', (request) => {
      const recorded: RecordedRequest = { url: request.url(), method: request.method(), body: '', source: 'page' };
      requests.push(recorded);
      // Over WebDriver BiDi postData() throws UnsupportedOperation; the body has to be fetched.
      if (request.hasPostData()) {
        request.fetchPostData().then(
          (body) => {
            recorded.body = body ?? '';
          },
          () => undefined,
        );
      }
    });
  };
  for (const page of await browser.pages()) await recordPage(page);
  browser.on('targetcreated', async (target) => {
    const page = await target.page();
    if (page) await recordPage(page);
  });
  const getUrl = (path: string) => `moz-extension://${FIREFOX_UUID}/${path.replace(/^\//, '')}`;
  const probePath = getProbePath(extensionDir);

  /** The version the extension's page at `page` reports, or null while it is not (yet) the extension's. */
  const getRunningVersion = (page: PuppeteerPage) =>
    page
      .evaluate((url: string) => {
        if (location.href !== url || document.readyState !== 'complete') return null;
        return (globalThis as unknown as ExtensionGlobal).chrome.runtime.getManifest().version;
      }, getUrl(probePath))
      .catch(() => null);

  /** Waits until the extension serves its pages at `version` again. */
  async function waitForExtension(version: string): Promise<void> {
    const deadline = Date.now() + RESTART_TIMEOUT;
    const page = await browser.newPage();
    try {
      for (;;) {
        // goto on moz-extension:// URLs never reports completion over BiDi: poll the document instead.
        void page.goto(getUrl(probePath)).catch(() => undefined);
        let running: string | null = null;
        for (let i = 0; i < 10 && running === null; i++) {
          await sleep(100);
          running = await getRunningVersion(page);
        }
        if (running === version) return;
        if (Date.now() > deadline) {
          throw new Error(`The extension did not come back at version ${version} (running: ${running ?? 'none'})`);
        }
      }
    } finally {
      await page.close();
    }
  }

  return {
    browserName: 'firefox',
    getUrl,
    requests,
    clearRequests: () => requests.splice(0),
    async openPage(path, waitForSelector = '#app *') {
      const page = await browser.newPage();
      await recordPage(page);
      // goto on moz-extension:// URLs never reports completion over BiDi, so do not await it.
      void page.goto(getUrl(path)).catch(() => undefined);
      await waitForSelectorAcrossNavigation(page, waitForSelector);
      // The page under test is the one in front, even if the extension opened a tab meanwhile (a
      // welcome page on install): Firefox clamps a background tab's timers to one second.
      await page.bringToFront();
      return wrapPuppeteerPage(page);
    },
    async reloadExtension() {
      const version = readManifest(extensionDir).version;
      const page = await browser.newPage();
      void page.goto(getUrl(probePath)).catch(() => undefined);
      const deadline = Date.now() + RESTART_TIMEOUT;
      while ((await getRunningVersion(page)) === null) {
        if (Date.now() > deadline) throw new Error('The extension page to reload from did not open');
        await sleep(100);
      }
      await page.evaluate(() => {
        setTimeout(() => (globalThis as unknown as ExtensionGlobal).chrome.runtime.reload(), 0);
      });
      // Firefox blanks the extension's tabs when it unloads it.
      while ((await getRunningVersion(page)) !== null) {
        if (Date.now() > deadline) throw new Error('The extension did not unload on reload');
        await sleep(100);
      }
      await page.close();
      await waitForExtension(version);
    },
    async updateExtension(dir) {
      requireOwnCopy(options);
      // A temporary add-on installed again under the same id is an upgrade: same UUID, data kept.
      await browser.installExtension(dir);
      extensionDir = dir;
      await waitForExtension(readManifest(dir).version);
    },
    async close() {
      await browser.close();
      if (ownProfile) rmSync(profileDir, { recursive: true, force: true });
    },
  };
}

/**
 * Firefox answers a selector wait that started on the tab's about:blank with a protocol error
 * once the extension page replaces it; keep waiting on the new document until the deadline.
 */
async function waitForSelectorAcrossNavigation(page: PuppeteerPage, selector: string): Promise<void> {
  const deadline = Date.now() + DEFAULT_TIMEOUT;
  for (;;) {
    try {
      await page.waitForSelector(selector, { timeout: Math.max(1, deadline - Date.now()) });
      return;
    } catch (error) {
      if (Date.now() >= deadline) throw error;
      await new Promise((done) => setTimeout(done, 100));
    }
  }
}

function wrapPuppeteerPage(page: PuppeteerPage): ExtPage {
  return {
    get url() {
      return page.url();
    },
    waitFor: async (selector, timeout = DEFAULT_TIMEOUT) => {
      await page.waitForSelector(selector, { timeout });
    },
    waitForText: async (selector, pattern, timeout = DEFAULT_TIMEOUT) => {
      await page.waitForFunction(
        (sel: string, source: string, flags: string) =>
          new RegExp(source, flags).test(document.querySelector(sel)?.textContent ?? ''),
        { timeout },
        selector,
        pattern.source,
        pattern.flags,
      );
      return page.$eval(selector, (el) => el.textContent ?? '');
    },
    waitForAttribute: async (selector, name, value, timeout = DEFAULT_TIMEOUT) => {
      await page.waitForFunction(
        (sel: string, attr: string, expected: string) => document.querySelector(sel)?.getAttribute(attr) === expected,
        { timeout },
        selector,
        name,
        value,
      );
    },
    click: (selector) => page.click(selector),
    fill: async (selector, value) => {
      await page.locator(selector).fill(value);
    },
    select: async (selector, value) => {
      await page.select(selector, value);
    },
    press: async (key) => {
      await page.keyboard.press(key as never);
    },
    text: (selector) => page.$eval(selector, (el) => el.textContent ?? ''),
    attribute: (selector, name) => page.$eval(selector, (el, attr) => el.getAttribute(attr), name),
    count: async (selector) => (await page.$$(selector)).length,
    evaluate: (fn, arg) => page.evaluate(fn as never, arg) as never,
    reload: async (waitForSelector = '#app *') => {
      void page.reload().catch(() => undefined);
      await new Promise((done) => setTimeout(done, 300));
      await waitForSelectorAcrossNavigation(page, waitForSelector);
    },
    getSeriousAxeViolations: async () => {
      await page.evaluate(AXE_SOURCE);
      return page.evaluate(runAxeInPage);
    },
    screenshot: async (path) => {
      await page.screenshot({ path: path as `${string}.png`, fullPage: true });
    },
    close: () => page.close(),
  };
}

/** Runs in the page after axe-core's source was evaluated there. */
async function runAxeInPage(): Promise<AxeViolation[]> {
  const axe = (globalThis as unknown as { axe: { run: (ctx: Document) => Promise<{ violations: AxeViolation[] }> } })
    .axe;
  const result = await axe.run(document);
  return result.violations
    .filter((violation) => violation.impact === 'serious' || violation.impact === 'critical')
    .map(({ id, impact, help, nodes }) => ({
      id,
      impact,
      help,
      nodes: nodes.map((node) => ({ target: node.target })),
    }));
}
