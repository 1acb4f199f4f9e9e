// Builds a valid history of N events in the page (accounts with deposits and
// withdrawals, orders, warehouse reservations), imports it with kiroku.importLog,
// reloads the page, and times: the import, the cold load (reload → kiroku.ready),
// and command round trips with N events in the log. Long tasks are counted.
//
//   make build && node e2e/serve.mjs dist 4173 &
//   node bench/history_100k.cjs 100000
const { chromium } = require("playwright");

(async () => {
  const n = Number(process.argv[2] || 100000);
  const browser = await chromium.launch({
    executablePath: "/usr/bin/chromium",
    args: ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run"],
  });
  const page = await browser.newPage({ viewport: { width: 1366, height: 768 } });
  const url = `http://127.0.0.1:4173/?db=bench-history-${Date.now()}`;
  await page.goto(url);
  await page.waitForFunction(() => window.kiroku);
  await page.evaluate(() => window.kiroku.ready);

  const imported = await page.evaluate(async (n) => {
    const events = [];
    let position = 0;
    const at = Date.parse("2026-11-01T09:00:00Z");
    const push = (stream_type, id, version, event_type, data) => {
      position += 1;
      events.push({
        event_id: `e-${position}`, stream_id: `${stream_type}-${id}`, stream_type, stream_version: version, position,
        event_type, schema_version: 1, data,
        metadata: { correlation_id: `c-${position}`, causation_id: `c-${position}`, recorded_at: new Date(at + position * 1000).toISOString(), actor: "workshop-user" },
      });
    };
    // A third accounts (10 events each), a third orders (6 each), a third warehouse (50 per SKU).
    let a = 0, o = 0, s = 0;
    while (position < n) {
      const kind = position % 3;
      if (kind === 0) {
        a += 1; let balance = 10000; push("Account", `acc-${a}`, 1, "AccountCreated", { owner: `owner ${a}`, initial_balance: balance });
        for (let v = 2; v <= 10 && position < n; v++) {
          if (v % 2 === 0) { balance += 500; push("Account", `acc-${a}`, v, "MoneyDeposited", { amount: 500, balance_after: balance }); }
          else { balance -= 300; push("Account", `acc-${a}`, v, "MoneyWithdrawn", { amount: 300, balance_after: balance }); }
        }
      } else if (kind === 1) {
        o += 1; push("Order", `o-${o}`, 1, "OrderCreated", { customer_name: `customer ${o % 500}` });
        for (let v = 2; v <= 5 && position < n; v++) push("Order", `o-${o}`, v, "ItemAdded", { product_name: `product ${v}`, quantity: 1, unit_price_cents: 1000 * v });
        if (position < n) push("Order", `o-${o}`, 6, "OrderConfirmed", {});
      } else {
        s += 1; push("Inventory", `SKU-${s}`, 1, "StockReceived", { sku: `SKU-${s}`, quantity: 1000 });
        for (let v = 2; v <= 50 && position < n; v++) push("Inventory", `SKU-${s}`, v, "StockReserved", { order_id: `o-${v}`, quantity: 1 });
      }
    }
    const text = JSON.stringify({ format: "kiroku-event-log", version: 1, exported_at: new Date().toISOString(), events });
    const started = performance.now();
    const answer = await window.kiroku.importLog(text, { mode: "replace" });
    return { answer, import_ms: Math.round(performance.now() - started), bytes: text.length };
  }, n);

  // Cold load: a reload with N events stored, until the log is loaded and every read model is ready.
  const loads = [];
  for (let run = 0; run < 3; run++) {
    const started = Date.now();
    await page.goto(url);
    await page.waitForFunction(() => window.kiroku);
    await page.evaluate(() => window.kiroku.ready);
    loads.push(Date.now() - started);
  }
  // Command round trips with N events in the log.
  const trips = await page.evaluate(async () => {
    const times = [];
    await window.kiroku.send({ command_type: "CreateOrder", aggregate_id: "bench", data: { customer_name: "bench" } });
    for (let i = 0; i < 20; i++) {
      const started = performance.now();
      await window.kiroku.send({ command_type: "AddItem", aggregate_id: "bench", data: { product_name: `p${i}`, quantity: 1, unit_price_cents: 100 } });
      times.push(performance.now() - started);
    }
    times.sort((x, y) => x - y);
    return { p50: Math.round(times[10]), max: Math.round(times[19]) };
  });
  console.log(JSON.stringify({ events: n, ...imported, cold_load_ms: loads, command_round_trip_ms: trips }));
  await browser.close();
})();
