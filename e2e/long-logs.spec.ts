import { expect, test, type Page } from "@playwright/test";
import { callKiroku, LabPage } from "./pages/lab";

const send = (page: Page, envelope: object) => callKiroku(page, "send", envelope);

/** Imports a log of `count` new orders, `Order-o-1` … (replacing the log). */
async function importOrders(page: Page, count: number) {
  const events = Array.from({ length: count }, (_, i) => ({
    event_id: `e-${i + 1}`, stream_id: `Order-o-${i + 1}`, stream_type: "Order", stream_version: 1, position: i + 1,
    event_type: "OrderCreated", schema_version: 1, data: { customer_name: `customer ${i + 1}` },
    metadata: { correlation_id: `c-${i}`, causation_id: `c-${i}`, recorded_at: "2026-11-22T10:00:00.000Z", actor: "workshop-user" },
  }));
  const text = JSON.stringify({ format: "kiroku-event-log", version: 1, exported_at: "2026-11-22T10:00:00.000Z", events });
  expect(await callKiroku(page, "importLog", text, { mode: "replace" })).toEqual({ status: "ok", imported: count });
}

// A long read model draws its first rows (and those the selected event changed), not thousands.
test("a read model of 150 orders draws its first 8 rows, says so, draws more when asked or scrolled to its end, and shows the row the selected event changed first", async ({ page }) => {
  const lab = await LabPage.open(page, "long");
  await importOrders(page, 150);
  await expect(lab.position).toHaveText("150 / 150");
  // At the head the selected event created order 150: it is drawn with the first
  // 8 (a laptop's panel shows about 6), before them, in sight without scrolling the panel.
  const rows = lab.summary.locator("tbody tr[data-order-id]");
  await expect(rows).toHaveCount(9);
  await expect(lab.summary.getByTestId("rows-note")).toHaveText("showing 9 of 150 rows");
  await expect(rows.first()).toHaveAttribute("data-order-id", "o-150");
  await expect(rows.first()).toHaveClass(/changed/);
  await expect(rows.first()).toBeInViewport();
  await expect(rows.nth(1)).toHaveAttribute("data-order-id", "o-1");
  // The button draws 40 more; scrolling the panel to its end draws 40 more again.
  await lab.summary.getByTestId("more-rows").dispatchEvent("click"); // a click without scrolling the panel to its end
  await expect(rows).toHaveCount(49);
  await expect(rows.nth(48)).toHaveAttribute("data-order-id", "o-48");
  await expect(rows.first()).toHaveAttribute("data-order-id", "o-150");
  await lab.summary.locator(".panel-body").evaluate((body) => body.scrollTo(0, body.scrollHeight));
  await expect(rows).toHaveCount(89);
  await expect(lab.summary.getByTestId("rows-note")).toHaveText("showing 89 of 150 rows");
  await lab.scrubTo(140);
  await expect(lab.summary.locator("tr[data-order-id='o-140']")).toHaveCount(1);
  await expect(lab.summary.locator("tr[data-order-id='o-141']")).toHaveCount(0);
  // Order cards are tall: the changed order's and the first other, 2 in all, and 2
  // more at a time while the panel has room (these orders have no lines, so their
  // cards are short), then 8 more at a time.
  const cards = lab.details.locator(".order-card");
  await expect(cards.first()).toHaveAttribute("data-order-id", "o-140");
  const body = lab.details.locator(".panel-body");
  await expect.poll(() => body.evaluate((body) => body.scrollHeight > body.clientHeight + 48)).toBe(true);
  const screenful = await cards.count();
  expect(screenful % 2).toBe(0);
  expect(screenful).toBeGreaterThanOrEqual(2);
  expect(screenful).toBeLessThan(12);
  await expect(lab.details.getByTestId("rows-note")).toHaveText(`showing ${screenful} of 140 orders`);
  await lab.details.getByTestId("more-rows").dispatchEvent("click"); // a click without scrolling the panel to its end
  await expect(cards).toHaveCount(screenful + 8);
  await body.evaluate((body) => body.scrollTo(0, body.scrollHeight));
  await expect(cards).toHaveCount(screenful + 16);
});

// Any read model's panel: the row the selected event changed is drawn and marked,
// even beyond its first rows (then before them, in sight), and only the cells that changed are.
test("a read model's panel draws and marks the row the selected event changed, even beyond its first rows, and then first", async ({ page }) => {
  const lab = await LabPage.open(page, "long-balances");
  await lab.showPanel("account_balances");
  for (let i = 1; i <= 20; i++) {
    const id = `acct-${String(i).padStart(2, "0")}`;
    expect((await send(page, { command_type: "CreateAccount", aggregate_id: id, data: { owner: `owner ${i}`, initial_balance: 0 } })).status).toBe("accepted");
  }
  expect((await send(page, { command_type: "DepositMoney", aggregate_id: "acct-20", data: { amount: 700 } })).status).toBe("accepted");
  await expect(lab.position).toHaveText("21 / 21");
  const panel = page.getByTestId("read-model-account-balances");
  await expect(panel.locator("tbody tr[data-key]")).toHaveCount(9);
  await expect(panel.getByTestId("rows-note")).toHaveText("showing 9 of 20 rows");
  await expect(panel.locator("tr.changed")).toHaveCount(1);
  const row = panel.locator("tr[data-key='acct-20']");
  await expect(row).toHaveClass(/changed/);
  await expect(panel.locator("tbody tr[data-key]").first()).toHaveAttribute("data-key", "acct-20");
  await expect(row).toBeInViewport();
  await expect(panel.locator("tbody tr[data-key]").nth(1)).toHaveAttribute("data-key", "acct-01");
  await expect(row.locator("td").nth(2)).toHaveText("¥700");
  await expect(row.locator("td").nth(2)).toHaveClass(/changed-cell/);
  await expect(row.locator("td").nth(1)).not.toHaveClass(/changed-cell/);
  // One step back the account has just been opened: its row is new, every cell marked.
  await page.getByTestId("timeline-step-back").click();
  await expect(row.locator("td").nth(2)).toHaveText("¥0");
  await expect(row.locator("td.changed-cell")).toHaveCount(5);
});

// A projector must be readable from the back row: money in yen, counts with
// separators, right-aligned; positions as the timeline writes them.
test("the read-model panels show money in yen, counts with separators and positions as the timeline does", async ({ page }) => {
  const lab = await LabPage.open(page, "long-numbers");
  await importOrders(page, 1200);
  expect((await send(page, { command_type: "CreateAccount", aggregate_id: "acct-big", data: { owner: "Aiko", initial_balance: 0 } })).status).toBe("accepted");
  expect((await send(page, { command_type: "DepositMoney", aggregate_id: "acct-big", data: { amount: 1234567 } })).status).toBe("accepted");
  expect((await send(page, { command_type: "ReceiveStock", aggregate_id: "sku-big", data: { sku: "sku-big", quantity: 12345 } })).status).toBe("accepted");
  await expect(lab.position).toHaveText("1203 / 1203");
  await lab.showPanel("account_balances");
  await lab.showPanel("inventory");
  await lab.showPanel("account_history");
  const balances = page.getByTestId("read-model-account-balances");
  const balance = balances.locator("tr[data-key='acct-big'] td").nth(2);
  await expect(balance).toHaveText("¥1,234,567");
  await expect(balance).toHaveClass(/\bnum\b/);
  await expect(balances.locator("th").nth(2)).toHaveClass(/\bnum\b/);
  await expect(balances.locator("th").nth(1)).not.toHaveClass(/\bnum\b/);
  await expect(page.getByTestId("read-model-inventory").locator("tr[data-key='sku-big'] td").nth(1)).toHaveText("12,345");
  const deposit = page.getByTestId("read-model-account-history").locator("tr[data-key='acct-big@1202'] td");
  await expect(deposit.nth(1)).toHaveText("1202");
  await expect(deposit.nth(4)).toHaveText("¥1,234,567");
  await expect(deposit.nth(5)).toHaveText("¥1,234,567");
});

// On a tall screen (a projector in portrait, a big monitor) a panel has room below
// its first rows and no scroll bar to ask for more: it draws more until it is full.
test("a panel with room below its rows draws more until it is full", async ({ page }) => {
  await page.setViewportSize({ width: 1920, height: 2400 });
  const lab = await LabPage.open(page, "long-tall");
  await importOrders(page, 300);
  await expect(lab.position).toHaveText("300 / 300");
  const rows = lab.summary.locator("tbody tr[data-order-id]");
  await expect.poll(() => rows.count()).toBeGreaterThan(9);
  // Once it settles, either the body scrolls (more come on scrolling) or every row is drawn.
  await expect.poll(async () => {
    const count = await rows.count();
    const scrolls = await lab.summary.locator(".panel-body").evaluate((body) => body.scrollHeight > body.clientHeight);
    return scrolls || count === 300;
  }).toBe(true);
  const settled = await rows.count();
  await page.waitForTimeout(300);
  expect(await rows.count(), "and then it stops").toBe(settled);
  // It fills a screenful (8 rows) at a time, so few rows wait below the panel's fold.
  const belowTheFold = await lab.summary.locator(".panel-body").evaluate((body) => {
    const bottom = body.getBoundingClientRect().bottom;
    return [...body.querySelectorAll("tbody tr[data-order-id]")].filter((row) => row.getBoundingClientRect().top >= bottom).length;
  });
  expect(belowTheFold).toBeGreaterThan(0);
  expect(belowTheFold).toBeLessThanOrEqual(8);
});

// A panel closed in the frame it opened in: the frame that would have filled it
// finds it gone and does nothing (it had stopped the page with a panic).
test("a panel closed as soon as it opens leaves the page working", async ({ page }) => {
  await page.setViewportSize({ width: 1920, height: 1080 });
  const errors: string[] = [];
  page.on("pageerror", (error) => errors.push(error.message));
  const lab = await LabPage.open(page, "long-blink");
  await importOrders(page, 150);
  await expect(lab.position).toHaveText("150 / 150");
  const toggle = '[data-testid=panel-picker] [data-panel="order_summary"]';
  await page.locator(toggle).click();
  await expect(lab.summary).toHaveCount(0);
  // Opened, drawn (its rows left out: it asks the next frame to fill it), closed
  // before that frame comes.
  await page.evaluate(async (toggle) => {
    const button = document.querySelector<HTMLButtonElement>(toggle)!;
    button.click();
    await new Promise((drawn) => setTimeout(drawn, 0));
    button.click();
    await new Promise((framed) => requestAnimationFrame(() => requestAnimationFrame(framed)));
  }, toggle);
  await expect(lab.summary).toHaveCount(0);
  expect(errors).toEqual([]);
  // The page still answers: the panel opens again, fills, and the log takes commands.
  await page.locator(toggle).click();
  await expect.poll(() => lab.summary.locator("tbody tr[data-order-id]").count()).toBeGreaterThan(8);
  expect((await send(page, { command_type: "CreateOrder", aggregate_id: "o-151", data: { customer_name: "鈴木" } })).status).toBe("accepted");
  await expect(lab.position).toHaveText("151 / 151");
  expect(errors).toEqual([]);
});

// A busy stock item holds thousands of reservations: its write model draws the latest ones.
test("a write model's long list shows its latest records and counts the earlier ones", async ({ page }) => {
  const lab = await LabPage.open(page, "long-list");
  expect((await send(page, { command_type: "ReceiveStock", aggregate_id: "sku-1", data: { sku: "sku-1", quantity: 100 } })).status).toBe("accepted");
  for (let i = 1; i <= 13; i++) {
    expect((await send(page, { command_type: "ReserveStock", aggregate_id: "sku-1", data: { order_id: `o-${i}`, quantity: 1 } })).status).toBe("accepted");
  }
  await expect(lab.position).toHaveText("14 / 14");
  const reservations = lab.aggregate.locator("table.nested");
  await expect(reservations.getByTestId("field-earlier")).toHaveText("3 earlier, then the latest 10:");
  await expect(reservations.locator("tbody tr:not(.more)")).toHaveCount(10);
  await expect(reservations.locator("tbody tr").nth(1)).toContainText("o-4");
  await expect(reservations.locator("tbody tr").last()).toContainText("o-13");
});

// A long cell (a busy SKU's reservations) stays on one line: every row keeps the height
// of one line, and a panel shows as many rows as fit.
test("a read model's long cells stay on one line, so its rows stay in view", async ({ page }) => {
  const lab = await LabPage.open(page, "long-cells");
  for (const sku of ["sku-1", "sku-2", "sku-3", "sku-4"]) {
    expect((await send(page, { command_type: "ReceiveStock", aggregate_id: sku, data: { sku, quantity: 100 } })).status).toBe("accepted");
  }
  for (let i = 1; i <= 8; i++) {
    expect((await send(page, { command_type: "ReserveStock", aggregate_id: "sku-1", data: { order_id: `order-0000${i}`, quantity: 1 } })).status).toBe("accepted");
  }
  await lab.showPanel("inventory");
  const rows = page.getByTestId("read-model-inventory").locator("tbody tr");
  await expect(rows.first()).toContainText("3 earlier, order-00004×1");
  await expect(rows).toHaveCount(4);
  await expect(rows.nth(3)).toBeInViewport();
  const heights = await rows.evaluateAll((trs) => trs.map((tr) => Math.round(tr.getBoundingClientRect().height)));
  expect(new Set(heights).size, `row heights ${heights}`).toBe(1);
});
