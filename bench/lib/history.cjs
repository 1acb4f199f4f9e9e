// Valid Kiroku histories written in JS, as export files (CONTRACT §4):
// - generatedHistory(n): orders, accounts, inventory and products, used when the
//   page has no kiroku.loadDemo to make a demo history itself;
// - longStreamHistory(n): one account stream of n events (for the snapshot figure),
//   followed by a few other streams so the log is not that stream alone.
// Deterministic: the same size always gives the same file.

const STARTED_AT = Date.parse("2026-11-01T09:00:00Z");
const ACTORS = ["clerk-aiko", "clerk-ben", "admin-chiyo", "customer-daiki", "workshop-user"];
const PRODUCTS = [
  ["ノートPC", 128000], ["Monitor 27\"", 42000], ["Keyboard", 9800], ["Mouse", 3200], ["USB-C hub", 5400],
  ["Headset", 12800], ["Webcam", 8600], ["Desk lamp", 4300], ["Chair", 56000], ["Cable set", 1900],
];

/** A small seeded generator (mulberry32), so histories are reproducible. */
function random(seed) {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function uuid(next, n) {
  // A well-formed UUID v4 made from the position and the generator: unique per log.
  const hex = (value, width) => value.toString(16).padStart(width, "0").slice(-width);
  const r = Math.floor(next() * 0xffffffff);
  return `${hex(n, 8)}-${hex(r >>> 16, 4)}-4${hex(r & 0xfff, 3)}-${hex(8 | (r & 3), 1)}${hex(r >>> 20, 3)}-${hex(n * 2654435761, 12)}`;
}

function writer(seed) {
  const next = random(seed);
  const events = [];
  const versions = new Map();
  const push = (streamType, id, eventType, data) => {
    const position = events.length + 1;
    const streamId = `${streamType}-${id}`;
    const version = (versions.get(streamId) || 0) + 1;
    versions.set(streamId, version);
    const correlation = uuid(next, position);
    events.push({
      event_id: uuid(next, position + 0x10000000),
      stream_id: streamId,
      stream_type: streamType,
      stream_version: version,
      position,
      event_type: eventType,
      schema_version: 1,
      data,
      metadata: {
        correlation_id: correlation,
        causation_id: correlation,
        // About 40 seconds apart: 100k events span about seven weeks of daily stats.
        recorded_at: new Date(STARTED_AT + position * 40000).toISOString(),
        actor: ACTORS[Math.floor(next() * ACTORS.length)],
      },
    });
  };
  return { events, push, next };
}

function exportText(events) {
  return JSON.stringify({ format: "kiroku-event-log", version: 1, exported_at: new Date(STARTED_AT).toISOString(), events });
}

/** n events: products first, then orders (with their reservations), deposits and withdrawals. */
function generatedHistory(n, seed = 42) {
  const { events, push, next } = writer(seed);
  const pick = (list) => list[Math.floor(next() * list.length)];
  const accounts = [];
  const skus = [];
  PRODUCTS.forEach(([name, price], i) => {
    if (events.length < n) push("Product", `prod-${i + 1}`, "ProductCreated", { name, price, category_id: i < 5 ? "computers" : "office" });
    if (events.length < n) {
      skus.push({ sku: `SKU-${i + 1}`, available: 0 });
      push("Inventory", `SKU-${i + 1}`, "StockReceived", { sku: `SKU-${i + 1}`, quantity: 1000000, low_stock_threshold: 10 });
    }
  });
  let orders = 0;
  while (events.length < n) {
    const roll = next();
    if (roll < 0.08 || accounts.length === 0) {
      const account = { id: `acc-${accounts.length + 1}`, balance: 10000 + Math.floor(next() * 90000) };
      accounts.push(account);
      push("Account", account.id, "AccountCreated", { owner: `owner ${accounts.length}`, initial_balance: account.balance });
    } else if (roll < 0.45) {
      const account = pick(accounts);
      const amount = 100 + Math.floor(next() * 5000);
      if (next() < 0.6 || account.balance < amount) {
        account.balance += amount;
        push("Account", account.id, "MoneyDeposited", { amount, balance_after: account.balance });
      } else {
        account.balance -= amount;
        push("Account", account.id, "MoneyWithdrawn", { amount, balance_after: account.balance, description: "purchase" });
      }
    } else {
      orders += 1;
      const id = `ord-${orders}`;
      push("Order", id, "OrderCreated", { customer_name: `customer ${1 + Math.floor(next() * 400)}` });
      const lines = 1 + Math.floor(next() * 3);
      for (let line = 0; line < lines && events.length < n; line++) {
        const [product_name, unit_price_cents] = PRODUCTS[(orders + line) % PRODUCTS.length];
        push("Order", id, "ItemAdded", { product_name, quantity: 1 + Math.floor(next() * 3), unit_price_cents });
      }
      const fate = next();
      if (events.length < n && fate < 0.1) push("Order", id, "OrderCancelled", { reason: "customer changed their mind" });
      else if (events.length < n && fate >= 0.25) {
        push("Order", id, "OrderConfirmed", {});
        if (events.length < n) push("Inventory", pick(skus).sku, "StockReserved", { order_id: id, quantity: 1 });
        if (events.length < n && fate >= 0.45) push("Order", id, "OrderShipped", {});
      }
    }
  }
  return exportText(events);
}

/** One account stream of `streamEvents` events (`Account-acc-long`), then a few orders. */
function longStreamHistory(streamEvents, seed = 7) {
  const { events, push } = writer(seed);
  let balance = 1000000;
  push("Account", "acc-long", "AccountCreated", { owner: "long stream", initial_balance: balance });
  for (let i = 1; i < streamEvents; i++) {
    const amount = 100 + (i % 17) * 10;
    if (i % 3 === 0) { balance -= amount; push("Account", "acc-long", "MoneyWithdrawn", { amount, balance_after: balance }); }
    else { balance += amount; push("Account", "acc-long", "MoneyDeposited", { amount, balance_after: balance }); }
  }
  for (let o = 1; o <= 20; o++) {
    push("Order", `ord-${o}`, "OrderCreated", { customer_name: `customer ${o}` });
    push("Order", `ord-${o}`, "ItemAdded", { product_name: "Keyboard", quantity: 1, unit_price_cents: 9800 });
  }
  return exportText(events);
}

module.exports = { generatedHistory, longStreamHistory, random };
