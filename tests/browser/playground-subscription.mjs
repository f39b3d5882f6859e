// The playground runs subscriptions: GraphiQL opens a websocket to this
// server's /graphql, and a statement that `newsgraph ingest` writes from
// another process shows up in the result pane.
//
// usage: node playground-subscription.mjs BASE_URL SCREENSHOT_PATH WORK_DIR
// NEWSGRAPH_BIN names the binary; the NEWSGRAPH_* store settings in the
// environment point it at the server's store.
import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { run } from './lib.mjs';

const [base, screenshot, workDir] = process.argv.slice(2);
if (!base || !screenshot || !workDir || !process.env.NEWSGRAPH_BIN) {
  console.error('usage: NEWSGRAPH_BIN=… node playground-subscription.mjs BASE_URL SCREENSHOT_PATH WORK_DIR');
  process.exit(2);
}
const SUBSCRIPTION = `subscription AfpStatements {
  quoteAdded(filter: { via: ["agence-france-presse"] }) {
    text
    via { name }
    speaker { ... on AnonymousSpeaker { description } }
  }
}`;
const EXPECTED = 'We will meet again in June';

/** Ingests a short article, through AFP, with the CLI in another process. */
function ingest(attempt) {
  const file = join(workDir, `geneva-${attempt}.txt`);
  writeFileSync(
    file,
    `Talks to resume in Geneva (${attempt})\n\n"We will meet again in June," a senior U.S. State Department ` +
      'official told AFP on Tuesday.\n',
  );
  execFileSync(process.env.NEWSGRAPH_BIN, ['ingest', file], { stdio: ['ignore', 'ignore', 'inherit'] });
}

await run('playground-subscription', async ({ page, requested }) => {
  await page.goto(`${base}/`, { waitUntil: 'load', timeout: 20_000 });
  const runButton = page.locator('button.graphiql-execute-button');
  await runButton.waitFor({ state: 'visible', timeout: 20_000 });
  await page.locator('.graphiql-doc-explorer').getByText('Root Types').waitFor({ timeout: 15_000 });
  await page.evaluate(
    (query) => document.querySelector('.graphiql-query-editor .CodeMirror').CodeMirror.setValue(query),
    SUBSCRIPTION,
  );
  // GraphiQL re-parses the editor after a short debounce; its fetcher picks the
  // websocket from that parse, as it does after a user types.
  await page.waitForTimeout(1_000);
  await runButton.click();
  // The page cannot tell when the server has the subscription: ingest, and
  // again (a new article each time) until the statement shows.
  let shown = false;
  for (let attempt = 1; attempt <= 10 && !shown; attempt += 1) {
    ingest(attempt);
    shown = await page
      .waitForFunction(
        (expected) => document.querySelector('.result-window')?.textContent.includes(expected),
        EXPECTED,
        { timeout: 3_000 },
      )
      .then(() => true, () => false);
  }
  if (!shown) throw new Error('the ingested statement never showed in the result pane');
  const result = await page.locator('.result-window').textContent();
  if (!result.includes('Agence France-Presse')) throw new Error(`no source in the result: ${result.slice(0, 500)}`);
  if (!requested.includes('websocket /graphql')) throw new Error(`no websocket to /graphql: ${requested}`);
  await page.screenshot({ path: screenshot });
  return { screenshot };
}, { failureScreenshot: screenshot.replace(/\.png$/, '') + '.failure.png' });
