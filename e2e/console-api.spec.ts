import { expect, test } from "@playwright/test";
import { callKiroku, LabPage } from "./pages/lab";

// window.kiroku (CONTRACT §3): plain JSON in and out, never a rejection for bad input.
test("window.kiroku sends, queries, lists, replays, exports and resets", async ({ page }) => {
  const lab = await LabPage.open(page, "console");
  const kiroku = (call: string, ...args: unknown[]) => callKiroku(page, call, ...args);

  const created = await kiroku("send", { command_type: "CreateOrder", aggregate_id: "o-1", data: { customer_name: "山田太郎" } });
  expect(created).toMatchObject({ status: "accepted", stream_version: 1 });
  expect(created.events[0]).toMatchObject({ stream_id: "Order-o-1", position: 1, event_type: "OrderCreated" });
  // The page shows what the console did.
  await expect(lab.position).toHaveText("1 / 1");
  await expect(lab.summaryRow("山田太郎")).toHaveCount(1);

  await kiroku("send", { command_type: "AddItem", aggregate_id: "o-1", data: { product_name: "ノートPC", quantity: 1, unit_price_cents: 120000 } });
  expect(await kiroku("send", { command_type: "ConfirmOrder", aggregate_id: "o-1", expected_version: 1 })).toEqual({
    status: "conflict",
    expected_version: 1,
    actual_version: 2,
  });
  expect(await kiroku("send", { command_type: "ConfirmOrder", aggregate_id: "o-1", expected_version: 2 })).toMatchObject({ status: "accepted" });

  for (const bad of [null, 42, "text", {}, { command_type: "Nope", aggregate_id: "x" }, { command_type: "AddItem", aggregate_id: "o-1", data: { quantity: "two" } }]) {
    const answer = await kiroku("send", bad);
    expect(answer.status, JSON.stringify(bad)).toBe("invalid");
    expect(answer.error.code).toBeTruthy();
  }

  const orders = await kiroku("query", { query_type: "ListOrders", filters: {} });
  expect(orders).toMatchObject({ status: "ok", position: 3, data: { orders: [{ order_id: "o-1", status: "confirmed", total_cents: 120000 }] } });
  const before = await kiroku("query", { query_type: "GetOrder", filters: { order_id: "o-1" }, as_of: 1 });
  expect(before).toMatchObject({ status: "ok", position: 1, data: { summary: { status: "draft", total_cents: 0 } } });
  expect((await kiroku("query", { query_type: "Nope" })).status).toBe("invalid");

  const events = await kiroku("events", { stream_id: "Order-o-1", from_position: 2 });
  expect(events.map((e: any) => e.event_type)).toEqual(["ItemAdded", "OrderConfirmed"]);
  const replay = await kiroku("replay", { stream_id: "Order-o-1", to_position: 2 });
  expect(replay).toMatchObject({ stream_version: 2, events_replayed: 2, from_snapshot: false, state: { status: "draft" } });

  const exported = JSON.parse(await kiroku("exportLog"));
  expect(exported).toMatchObject({ format: "kiroku-event-log", version: 1 });
  expect(exported.events.map((e: any) => e.position)).toEqual([1, 2, 3]);

  expect(await kiroku("reset")).toEqual({ status: "ok" });
  expect(await kiroku("events", {})).toEqual([]);
  await expect(lab.position).toHaveText("0 / 0");
  await lab.reload();
  await expect(lab.position).toHaveText("0 / 0");
});

// A script's burst of commands is drawn about ten times a second, not at every
// frame, so that its sends do not wait on the page's frames; a lone call after a
// quiet spell is drawn at the next frame.
test("a burst of console commands is drawn at most every 100 ms, a lone command at once", async ({ page }) => {
  const lab = await LabPage.open(page, "console-burst");
  await callKiroku(page, "send", { command_type: "CreateAccount", aggregate_id: "burst", data: { owner: "Script", initial_balance: 0 } });
  await expect(lab.position).toHaveText("1 / 1");
  const drawn = await page.evaluate(async () => {
    const kiroku = (window as any).kiroku;
    const position = document.querySelector("[data-testid=timeline-position]")!;
    const draws: number[] = [];
    const observer = new MutationObserver(() => draws.push(performance.now()));
    observer.observe(position, { childList: true, characterData: true, subtree: true });
    const deposit = () => kiroku.send({ command_type: "DepositMoney", aggregate_id: "burst", data: { amount: 1 } });
    const started = performance.now();
    let sends = 0;
    while (performance.now() - started < 600) {
      await deposit();
      sends++;
    }
    await new Promise((done) => setTimeout(done, 400));
    const burst = draws.splice(0);
    const sentAt = performance.now();
    await deposit();
    await new Promise((done) => setTimeout(done, 400));
    observer.disconnect();
    return { sends, burst: burst.map((at) => at - started), lone: draws.map((at) => at - sentAt), text: position.textContent };
  });
  expect(drawn.text).toBe(`${drawn.sends + 2} / ${drawn.sends + 2}`);
  // 600 ms of sends: drawn a few times while they arrive, each draw starting (its
  // frame's callback) 100 ms or more after the one before started. What the page's
  // observer sees is when a draw's changes land, a few milliseconds later: on a busy
  // machine 94–99 ms apart when one draw took longer than the next. Drawn at every
  // frame, they would be ~17.
  expect(drawn.burst.length).toBeGreaterThanOrEqual(4);
  expect(drawn.burst.length).toBeLessThanOrEqual(9);
  for (let i = 1; i < drawn.burst.length; i++) expect(drawn.burst[i] - drawn.burst[i - 1]).toBeGreaterThan(85);
  // The lone command after a quiet spell: drawn once, at the next frame.
  expect(drawn.lone).toHaveLength(1);
  // (held back like a burst's, it would be drawn 100 ms or more after the send)
  expect(drawn.lone[0]).toBeLessThan(90);
});
