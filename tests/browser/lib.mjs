// Shared by the browser tests: Debian's chromium, headless, driven by
// playwright-core, with every request (websockets included) to a host other
// than this machine aborted, and recorded, so that a test fails on it.
import { chromium } from 'playwright-core';

export const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
];

const LOCAL_HOSTS = new Set(['127.0.0.1', 'localhost', '[::1]']);

/** Launches the browser and a page whose non-local requests are aborted. */
export async function openPage({ viewport = { width: 1400, height: 900 } } = {}) {
  const browser = await chromium.launch({
    executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
    headless: true,
    chromiumSandbox: false,
    args: CHROMIUM_ARGS,
    timeout: 20_000,
  });
  const context = await browser.newContext({ viewport, serviceWorkers: 'block' });
  const blocked = [];
  const requested = [];
  await context.route('**/*', (route) => {
    const url = new URL(route.request().url());
    if (LOCAL_HOSTS.has(url.hostname)) {
      requested.push(url.pathname + url.search);
      return route.continue();
    }
    blocked.push(url.href);
    return route.abort('blockedbyclient');
  });
  // Websockets too: local ones pass through to the server, others are closed.
  await context.routeWebSocket(/.*/, (socket) => {
    const url = new URL(socket.url());
    if (LOCAL_HOSTS.has(url.hostname)) {
      requested.push(`websocket ${url.pathname}`);
      socket.connectToServer();
    } else {
      blocked.push(url.href);
      socket.close({ code: 1008, reason: 'blocked by the test' });
    }
  });
  const page = await context.newPage();
  const errors = [];
  page.on('pageerror', (error) => errors.push(`page error: ${error.message}`));
  page.on('console', (message) => {
    if (message.type() === 'error') errors.push(`console error: ${message.text()}`);
  });
  page.on('requestfailed', (request) => {
    const url = new URL(request.url());
    if (LOCAL_HOSTS.has(url.hostname)) errors.push(`request failed: ${request.url()} (${request.failure()?.errorText})`);
  });
  return { browser, context, page, blocked, requested, errors };
}

/** Runs `body`; prints a JSON report on stdout; exits 1 with the reason on failure. */
export async function run(name, body, { failureScreenshot } = {}) {
  const started = Date.now();
  let session;
  try {
    session = await openPage();
    const report = await body(session);
    if (session.blocked.length > 0) {
      throw new Error(`the page asked for other hosts (aborted): ${session.blocked.join(', ')}`);
    }
    console.log(JSON.stringify({ test: name, ok: true, ms: Date.now() - started, requested: session.requested, ...report }));
  } catch (error) {
    const context = session ? { blocked: session.blocked, errors: session.errors, requested: session.requested } : {};
    if (session && failureScreenshot) {
      await session.page.screenshot({ path: failureScreenshot }).catch(() => {});
      context.failureScreenshot = failureScreenshot;
    }
    console.error(`${name} failed: ${error.stack || error}\n${JSON.stringify(context, null, 2)}`);
    process.exitCode = 1;
  } finally {
    await session?.browser.close().catch(() => {});
  }
}
