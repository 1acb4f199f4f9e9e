import { expect, test } from "@playwright/test";
import { callKiroku, LabPage } from "./pages/lab";

// Two tabs on one log: what one writes, the other shows as it is written (without
// getting the focus), and both stay on the stored log.
test("a tab shows another tab's events as they are written", async ({ context }) => {
  const first = await LabPage.open(await context.newPage(), "tabs");
  const second = new LabPage(await context.newPage(), first.database);
  await second.load();

  expect((await first.createOrder("山田太郎")).status).toBe("accepted");
  await expect(second.position).toHaveText("1 / 1");
  await expect(second.summaryRow("山田太郎")).toHaveCount(1);

  // Each tab adds an item to the same order; each is recorded on the version before.
  expect((await first.addItem("ノートPC", 1, 120000)).status).toBe("accepted");
  await expect(second.position).toHaveText("2 / 2");
  expect((await second.addItem("マウス", 1, 3000)).status).toBe("accepted");
  for (const tab of [first, second]) {
    await expect(tab.position).toHaveText("3 / 3");
    await expect(tab.summaryRow("山田太郎").locator("[data-field=item_count]")).toHaveText("2");
  }

  // A burst of another tab's commands arrives whole.
  await first.page.evaluate(async () => {
    for (let i = 0; i < 30; i++) {
      await (window as any).kiroku.send({ command_type: "CreateOrder", aggregate_id: `burst-${i}`, data: { customer_name: `客 ${i}` } });
    }
  });
  await expect(second.position).toHaveText("33 / 33");
  expect(await callKiroku(second.page, "events", {})).toEqual(await callKiroku(first.page, "events", {}));
});

// A log cleared in one tab brings the other no event, yet every panel there changes.
test("a tab shows a log cleared in another tab", async ({ context }) => {
  const first = await LabPage.open(await context.newPage(), "tabs-clear");
  expect((await first.createOrder("山田太郎")).status).toBe("accepted");
  const second = new LabPage(await context.newPage(), first.database);
  await second.load();
  await expect(second.position).toHaveText("1 / 1");
  await expect(second.summaryRow("山田太郎")).toHaveCount(1);

  expect(await callKiroku(first.page, "reset")).toEqual({ status: "ok" });
  await expect(first.position).toHaveText("0 / 0");
  await expect(second.position).toHaveText("0 / 0");
  await expect(second.summaryRow("山田太郎")).toHaveCount(0);
});

// Getting the focus back, a tab also reads what the store gained: the way back in
// when a change was not heard (a browser without BroadcastChannel).
test("a tab reads the stored log when it gets the focus back", async ({ context }) => {
  const first = await LabPage.open(await context.newPage(), "tabs-focus");
  // The second tab hears nothing from the others: its channels drop every message.
  const deaf = await context.newPage();
  await deaf.addInitScript(() => {
    Object.defineProperty(BroadcastChannel.prototype, "onmessage", { set() {}, get: () => null });
  });
  const second = new LabPage(deaf, first.database);
  await second.load();
  expect((await first.createOrder("山田太郎")).status).toBe("accepted");
  await second.page.waitForTimeout(300);
  await expect(second.position).toHaveText("0 / 0");
  await second.page.evaluate(() => window.dispatchEvent(new Event("focus")));
  await expect(second.position).toHaveText("1 / 1");
  await expect(second.summaryRow("山田太郎")).toHaveCount(1);
});
