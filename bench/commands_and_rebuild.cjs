// Measures, in headless Chromium against the release build, the command round trip
// through window.kiroku (send → committed → read models updated → page updated) on
// a log of N events, then a projector's rebuild over that log, watching for long
// tasks (over 50 ms) while it runs.
//
//   make build && node e2e/serve.mjs dist 4173 &   # serve the release build
//   node bench/commands_and_rebuild.cjs 3000       # N events (default 3000)
const { chromium } = require('playwright');
(async () => {
  const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: ['--no-sandbox','--disable-gpu','--disable-background-networking','--disable-component-update','--disable-sync','--no-first-run'] });
  const page = await browser.newPage({ viewport: { width: 1366, height: 768 } });
  await page.goto('http://127.0.0.1:4173/?db=bench-rebuild-' + Date.now());
  await page.waitForFunction(() => window.kiroku);
  await page.evaluate(() => window.kiroku.ready);
  const n = Number(process.argv[2] || 3000);
  const t0 = Date.now();
  await page.evaluate(async (n) => {
    await window.kiroku.send({ command_type: 'CreateAccount', aggregate_id: 'acc-1', data: { owner: 'bench', initial_balance: 0 } });
    for (let i = 1; i < n; i++) await window.kiroku.send({ command_type: 'DepositMoney', aggregate_id: 'acc-1', data: { amount: 1 } });
  }, n);
  const sendMs = Date.now() - t0;
  await page.locator('[data-panel="projections"]').click();
  await page.evaluate(() => { window.__long = []; new PerformanceObserver((list) => { for (const e of list.getEntries()) window.__long.push(e.duration); }).observe({ type: 'longtask', buffered: false }); });
  const t1 = Date.now();
  await page.getByTestId('rebuild-user_activity').click();
  await page.waitForFunction(() => !document.querySelector('[data-testid=rebuild-progress]') && document.querySelector('tr[data-projector=user_activity] [data-field=lag]').textContent === '0', null, { timeout: 120000 });
  const rebuildMs = Date.now() - t1;
  const long = await page.evaluate(() => window.__long);
  console.log(JSON.stringify({ events: n, send_total_ms: sendMs, per_command_ms: +(sendMs / n).toFixed(2), rebuild_ms: rebuildMs, long_tasks_during_rebuild: long.length, longest_ms: long.length ? Math.max(...long) : 0 }));
  await browser.close();
})();
