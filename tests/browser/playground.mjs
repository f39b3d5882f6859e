// The playground, offline: load GraphiQL from the server alone, run the
// example query with the run button, see Lavrov's statement in the result
// pane, and keep a screenshot.
//
// usage: node playground.mjs BASE_URL SCREENSHOT_PATH
import { run } from './lib.mjs';

const [base, screenshot] = process.argv.slice(2);
if (!base || !screenshot) {
  console.error('usage: node playground.mjs BASE_URL SCREENSHOT_PATH');
  process.exit(2);
}
const EXPECTED = "Today we're a long way from the finish line";

await run('playground', async ({ page }) => {
  const timings = {};
  let mark = Date.now();
  await page.goto(`${base}/`, { waitUntil: 'load', timeout: 20_000 });
  const runButton = page.locator('button.graphiql-execute-button');
  await runButton.waitFor({ state: 'visible', timeout: 20_000 });
  timings.loadMs = Date.now() - mark;

  // The docs explorer opens beside the editor once the schema has loaded.
  const docs = page.locator('.graphiql-doc-explorer');
  await docs.getByText('Root Types').waitFor({ timeout: 15_000 });
  await page.locator('.graphiql-query-editor').getByText('person(name: "Lavrov")').waitFor({ timeout: 5_000 });

  mark = Date.now();
  await runButton.click();
  await page.waitForFunction(
    (expected) => document.querySelector('.result-window')?.textContent.includes(expected),
    EXPECTED,
    { timeout: 15_000 },
  );
  timings.queryMs = Date.now() - mark;
  const result = await page.locator('.result-window').textContent();
  if (result.includes('"errors"')) throw new Error(`the result pane shows errors: ${result.slice(0, 500)}`);

  await page.screenshot({ path: screenshot });
  return { timings, screenshot };
}, { failureScreenshot: screenshot.replace(/\.png$/, '') + '.failure.png' });
