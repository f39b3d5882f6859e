// The dashboard in a real browser, served by newsgraph alone.
//
//   seed:   every chart is non-empty; the table alternatives are there;
//           with nothing matching every panel says so, and a search the
//           server refuses shows its reason in every panel;
//           clicking a direct quote opens its article with exactly the
//           quote's words highlighted; Enter and Escape do the same from the
//           keyboard; axe-core finds no serious or critical violation.
//   corpus: the same on a generated corpus, and a search narrows the list and
//           every figure, the URL holds the view (a reload shows the same
//           view, back returns to the one before), and each panel's render
//           time (performance measures `panel:<name>`) is reported.
//   live:   the Live panel, subscribed to one source, shows a quote that
//           `newsgraph ingest` (another process) writes through that source,
//           and not one written through another.
//
// usage: node dashboard.mjs BASE_URL SCREENSHOT_PATH seed|corpus|live
// For `live`: NEWSGRAPH_BIN (the binary) and NEWSGRAPH_DATA_DIR (the server's
// embedded store) in the environment, so the script can ingest.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { run } from './lib.mjs';

const [base, screenshot, mode] = process.argv.slice(2);
if (!base || !screenshot || !['seed', 'corpus', 'live'].includes(mode)) {
  console.error('usage: node dashboard.mjs BASE_URL SCREENSHOT_PATH seed|corpus|live');
  process.exit(2);
}
const require = createRequire(import.meta.url);
const AXE = readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8');
const PANELS = ['sources', 'timeline', 'speakers', 'organizations', 'quotes'];

function check(condition, message) {
  if (!condition) throw new Error(message);
}

/** Waits until no load is in flight, then returns each panel's state. */
async function settled(page) {
  await page.waitForFunction(
    (panels) =>
      document.documentElement.dataset.pending === '0' &&
      panels.every((p) => document.querySelector(`#panel-${p} .body`)?.dataset.state !== 'loading'),
    PANELS,
    { timeout: 30_000 },
  );
  return page.evaluate((panels) => {
    const states = {};
    for (const p of panels) {
      const body = document.querySelector(`#panel-${p} .body`);
      states[p] = body.dataset.state === 'error' ? `error: ${body.textContent}` : body.dataset.state;
    }
    return states;
  }, PANELS);
}

/** What the view shows, to compare two loads of the same URL. */
function view(page) {
  return page.evaluate(() => {
    const rows = (sel) => [...document.querySelectorAll(sel)].map((r) => r.textContent.trim());
    return {
      total: document.getElementById('total').textContent,
      count: document.getElementById('quote-count')?.textContent ?? '',
      quotes: [...document.querySelectorAll('#quote-list a.quote')].slice(0, 10).map((a) => a.dataset.id),
      sources: rows('#panel-sources tbody tr'),
      timeline: rows('#panel-timeline tbody tr').length,
      timelineFirst: rows('#panel-timeline tbody tr')[0] ?? '',
      speakers: rows('#panel-speakers tbody tr'),
      organizations: rows('#panel-organizations tbody tr'),
      pressed: document.querySelector('[data-interval][aria-pressed="true"]')?.dataset.interval,
      unit: document.querySelector('[data-count][aria-pressed="true"]')?.dataset.count,
      form: {
        from: document.getElementById('f-from').value,
        to: document.getElementById('f-to').value,
        q: document.getElementById('f-q').value,
        sources: [...document.getElementById('f-sources').selectedOptions].map((o) => o.value),
      },
    };
  });
}

function same(a, b, what) {
  check(JSON.stringify(a) === JSON.stringify(b), `${what} differ:\n${JSON.stringify(a)}\n${JSON.stringify(b)}`);
}

/** Every panel is ready with a drawn chart (or rows), and a table alternative. */
async function chartsAreNonEmpty(page) {
  const states = await settled(page);
  for (const p of PANELS) check(states[p] === 'ready', `panel ${p} is ${states[p]}`);
  const counts = await page.evaluate(() => ({
    sources: document.querySelectorAll('#panel-sources svg rect.bar').length,
    timeline: document.querySelectorAll('#panel-timeline svg rect.bar').length,
    speakers: document.querySelectorAll('#panel-speakers svg rect.bar').length,
    organizations: document.querySelectorAll('#panel-organizations svg rect.bar').length,
    quotes: document.querySelectorAll('#quote-list a.quote').length,
    tables: document.querySelectorAll('details.as-table table').length,
    nonZeroBars: [...document.querySelectorAll('#panel-timeline svg rect.bar')].filter((r) => Number(r.getAttribute('height')) > 0).length,
  }));
  for (const p of PANELS) check(counts[p] > 0, `panel ${p} drew nothing: ${JSON.stringify(counts)}`);
  check(counts.nonZeroBars > 0, `the timeline has only empty periods: ${JSON.stringify(counts)}`);
  check(counts.tables === 4, `each chart has a table: ${JSON.stringify(counts)}`);
  return counts;
}

/** axe-core on the page as it is now: no serious or critical violation. */
async function axe(page, where) {
  // Evaluated through the devtools protocol, which the page's CSP does not govern.
  await page.evaluate(AXE);
  const result = await page.evaluate(async () => {
    const { violations } = await window.axe.run(document, { resultTypes: ['violations'] });
    return violations.map((v) => ({ id: v.id, impact: v.impact, help: v.help, nodes: v.nodes.slice(0, 3).map((n) => n.target.join(' ')) }));
  });
  const bad = result.filter((v) => v.impact === 'serious' || v.impact === 'critical');
  check(bad.length === 0, `axe (${where}): ${JSON.stringify(bad, null, 1)}`);
  return result.map((v) => `${v.impact} ${v.id}`);
}

/** Opens the first direct quote (by click or by keyboard) and checks the highlight. */
async function openDirectQuote(page, how) {
  const row = page.locator('#quote-list a.quote:has(q.direct)').first();
  check((await row.count()) === 1, 'no direct quote in the list');
  const id = await row.getAttribute('data-id');
  const text = (await row.locator('q.direct').textContent()).trim();
  if (how === 'keyboard') {
    await row.focus();
    await page.keyboard.press('Enter');
  } else {
    await row.click();
  }
  const mark = page.locator('#article[open] mark#quote-mark');
  await mark.waitFor({ timeout: 15_000 });
  const highlighted = await mark.textContent();
  check(highlighted === text, `the highlight is not the quote:\nhighlighted: ${highlighted}\nquote:       ${text}`);
  check(new URL(page.url()).searchParams.get('quote') === id, `the URL does not name the open quote: ${page.url()}`);
  const headline = await page.locator('#article-headline').textContent();
  check(headline && !headline.startsWith('Loading'), `no headline: ${headline}`);
  return { id, text };
}

async function closeWithEscape(page, id) {
  await page.keyboard.press('Escape');
  await page.locator('#article').waitFor({ state: 'hidden', timeout: 5_000 });
  // The dialog's `close` event, which updates the URL and the focus, comes a task later.
  await page
    .waitForFunction((id) => !location.search.includes('quote=') && document.activeElement?.dataset?.id === id, id, { timeout: 5_000 })
    .catch(() => {});
  check(!new URL(page.url()).searchParams.has('quote'), `the URL still names a quote: ${page.url()}`);
  const focused = await page.evaluate(() => document.activeElement?.dataset?.id ?? document.activeElement?.id);
  check(focused === id, `focus did not return to the quote row (focused: ${focused})`);
}

/** The latest `panel:<name>` measure of each panel, in ms. */
function timings(page) {
  return page.evaluate(() => {
    const out = {};
    for (const m of performance.getEntriesByType('measure')) {
      if (m.name.startsWith('panel:')) out[m.name.slice(6)] = Math.round(m.duration);
    }
    return out;
  });
}

async function applyForm(page, fill) {
  await fill();
  await page.getByRole('button', { name: 'Apply' }).click();
  return settled(page);
}

const failureScreenshot = screenshot.replace(/\.png$/, '') + '.failure.png';

if (mode === 'seed') {
  await run('dashboard (seed)', async ({ page }) => {
    await page.goto(`${base}/dashboard`, { waitUntil: 'load', timeout: 20_000 });
    const counts = await chartsAreNonEmpty(page);
    const firstLoad = await timings(page);
    const violations = await axe(page, 'the dashboard');
    await page.screenshot({ path: screenshot, fullPage: true });
    const clicked = await openDirectQuote(page, 'click');
    // The test corrected this quote before: the article view marks it and lists the correction.
    const history = page.locator('#article[open] #article-history:not([hidden]) li.correction');
    await history.first().waitFor({ timeout: 5_000 });
    const corrections = await history.allTextContents();
    const marked = await page.locator('#article[open] mark#quote-mark.corrected').count();
    check(marked === 1, 'the corrected quote is not marked as corrected');
    const violationsInArticle = await axe(page, 'the article view');
    await closeWithEscape(page, clicked.id);
    const typed = await openDirectQuote(page, 'keyboard');
    await closeWithEscape(page, typed.id);
    const articleMs = (await timings(page)).article;

    // Nothing matches: every panel says so. A search the server refuses: every panel shows why.
    await page.goto(`${base}/dashboard?q=zzzzqqqx`, { waitUntil: 'load' });
    const empty = await settled(page);
    for (const p of PANELS) check(empty[p] === 'empty', `with nothing matching, panel ${p} is ${empty[p]}`);
    await page.goto(`${base}/dashboard?q=-kerry`, { waitUntil: 'load' });
    const refused = await settled(page);
    for (const p of PANELS) {
      check(refused[p].startsWith('error: ') && refused[p].includes('excluded words alone'), `panel ${p}: ${refused[p]}`);
    }
    const alerts = await page.getByRole('alert').count();
    check(alerts === PANELS.length, `each failed panel is announced (${alerts} alerts)`);
    const statesAxe = await axe(page, 'the error states');
    return { counts, timings: { ...firstLoad, article: articleMs }, violations, violationsInArticle, statesAxe, screenshot, corrections };
  }, { failureScreenshot });
}

if (mode === 'corpus') {
  await run('dashboard (corpus)', async ({ page }) => {
    await page.goto(`${base}/dashboard`, { waitUntil: 'load', timeout: 30_000 });
    const counts = await chartsAreNonEmpty(page);
    const firstLoad = await timings(page);
    const all = await view(page);
    const violations = await axe(page, 'the dashboard');

    // Counting statements: the generated corpus repeats its speakers' words
    // across articles, so every figure counts fewer; the URL holds the choice.
    check(all.unit === 'REPORTS', `the default count: ${all.unit}`);
    await page.getByRole('button', { name: 'Statements', exact: true }).click();
    const counted = await settled(page);
    for (const p of PANELS) check(counted[p] === 'ready', `counting statements, panel ${p} is ${counted[p]}`);
    const once = await view(page);
    const total = (s) => Number((s.match(/[\d,]+/) || ['0'])[0].replace(/,/g, ''));
    check(once.unit === 'STATEMENTS' && new URL(page.url()).searchParams.get('count') === 'statements', `count: ${once.unit} ${page.url()}`);
    check(total(once.total) > 0 && total(once.total) < total(all.total), `statements ${once.total} vs reports ${all.total}`);
    check(once.total.includes('each counted once'), once.total);
    await page.getByRole('button', { name: 'Reports', exact: true }).click();
    await settled(page);
    same((await view(page)).total, all.total, 'the reports total after switching back');

    // A search narrows the list and every figure. Take a word of the newest quote.
    const word = await page.evaluate(() => {
      const text = document.querySelector('#quote-list a.quote .text').textContent;
      const words = text.toLowerCase().match(/\p{L}{6,}/gu) || [];
      return words.sort((a, b) => b.length - a.length)[0];
    });
    check(word, 'no word to search for in the first quote');
    const searched = await applyForm(page, () => page.getByLabel('Search statements', { exact: true }).fill(word));
    for (const p of PANELS) check(searched[p] === 'ready', `after searching "${word}", panel ${p} is ${searched[p]}`);
    const narrowed = await view(page);
    const number = (s) => Number((s.match(/[\d,]+/) || ['0'])[0].replace(/,/g, ''));
    check(number(narrowed.count) > 0 && number(narrowed.count) < number(all.count), `"${word}": ${narrowed.count} vs ${all.count}`);
    check(number(narrowed.total) < number(all.total), `the figures did not narrow: ${narrowed.total} vs ${all.total}`);
    check(narrowed.quotes.includes(all.quotes[0]), `the quote the word came from is not listed`);
    const searchTimings = await timings(page);

    // A date range, a source, another interval: then the URL round-trips.
    const source = await page.evaluate(() => document.querySelector('#f-sources option')?.value);
    check(source, 'no source to pick');
    await applyForm(page, async () => {
      await page.getByLabel('From', { exact: true }).fill('2020-01-01');
      await page.getByLabel('To', { exact: true }).fill('2023-12-31');
      await page.getByLabel('Sources', { exact: true }).selectOption([source]);
    });
    await page.getByRole('button', { name: 'Week' }).click();
    await settled(page);
    const chosen = await view(page);
    check(chosen.pressed === 'WEEK', `interval: ${chosen.pressed}`);
    const filteredTimings = await timings(page);
    const url = page.url();
    const params = new URL(url).searchParams;
    check(params.get('from') === '2020-01-01' && params.get('to') === '2023-12-31' && params.get('sources') === source
      && params.get('q') === word && params.get('interval') === 'week', `the URL does not hold the view: ${url}`);
    await page.reload({ waitUntil: 'load' });
    await settled(page);
    same(await view(page), chosen, 'the view before and after a reload');
    // A fresh page on the shared URL shows the same.
    const shared = await page.context().newPage();
    await shared.goto(url, { waitUntil: 'load' });
    await settled(shared);
    same(await view(shared), chosen, 'the view and the same URL in another tab');
    await shared.close();
    // Back: the view before the interval change, then before the filters.
    await page.goBack();
    await settled(page);
    check((await view(page)).pressed === 'MONTH', 'back did not restore the interval');
    await page.goBack();
    await settled(page);
    same(await view(page), narrowed, 'the search view and the view after going back to it');

    // Provenance, by mouse and by keyboard, on the generated texts.
    const clicked = await openDirectQuote(page, 'click');
    await closeWithEscape(page, clicked.id);
    await page.goto(`${base}/dashboard`, { waitUntil: 'load' });
    await settled(page);
    const typed = await openDirectQuote(page, 'keyboard');
    const violationsInArticle = await axe(page, 'the article view');
    const articleMs = (await timings(page)).article;
    await page.screenshot({ path: screenshot.replace(/\.png$/, '') + '-article.png' });
    await closeWithEscape(page, typed.id);
    await page.evaluate(() => window.scrollTo(0, 0));
    await page.screenshot({ path: screenshot });
    return {
      counts,
      timings: { ...firstLoad, article: articleMs },
      searchTimings,
      filteredTimings,
      search: { word, before: all.count, after: narrowed.count },
      counting: { reports: all.total, statements: once.total },
      violations,
      violationsInArticle,
      screenshot,
    };
  }, { failureScreenshot });
}

if (mode === 'live') {
  const bin = process.env.NEWSGRAPH_BIN;
  const dataDir = process.env.NEWSGRAPH_DATA_DIR;
  if (!bin || !dataDir) {
    console.error('live needs NEWSGRAPH_BIN and NEWSGRAPH_DATA_DIR');
    process.exit(2);
  }
  await run('dashboard (live)', async ({ page, requested }) => {
    await page.goto(`${base}/dashboard?sources=agence-france-presse`, { waitUntil: 'load', timeout: 20_000 });
    await settled(page);
    await page.waitForFunction(() => document.getElementById('live-status')?.dataset.state === 'live', null, { timeout: 15_000 });
    check(requested.includes('websocket /graphql'), `no websocket to /graphql: ${requested.join(', ')}`);

    // Another process writes an article: one statement through AFP, one through Reuters.
    const dir = mkdtempSync(join(tmpdir(), 'newsgraph-live-'));
    const file = join(dir, 'harbour.txt');
    writeFileSync(file, [
      'Harbour talks resume in Lisbon',
      '',
      '"The cranes will move again on Monday," harbour master Ines Duarte told AFP.',
      '',
      '"Nobody has signed anything yet," dock union leader Paulo Reis told Reuters.',
      '',
    ].join('\n'));
    execFileSync(bin, ['ingest', '--outlet', 'The Guardian', file], {
      env: { ...process.env, NEWSGRAPH_DATA_DIR: dataDir, RUST_LOG: 'warn' },
      stdio: ['ignore', 'pipe', 'pipe'],
      timeout: 60_000,
    });
    const item = page.locator('#live-list a.quote', { hasText: 'The cranes will move again on Monday' });
    await item.waitFor({ timeout: 10_000 });
    const shown = await page.locator('#live-list a.quote').allTextContents();
    check(!shown.some((t) => t.includes('Nobody has signed anything yet')), `a Reuters quote reached an AFP-only feed: ${shown}`);
    const meta = await item.locator('.meta').textContent();
    check(meta.includes('Ines Duarte') && meta.includes('Agence France-Presse'), `speaker and via: ${meta}`);
    // It opens in its article like any other.
    await item.click();
    await page.locator('#article[open] mark#quote-mark', { hasText: 'The cranes will move again on Monday' }).waitFor({ timeout: 10_000 });
    await page.screenshot({ path: screenshot, fullPage: true });
    return { live: shown, screenshot };
  }, { failureScreenshot });
}
