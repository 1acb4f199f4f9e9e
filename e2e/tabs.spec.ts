import { expect, test } from "@playwright/test";
import { callKiroku, LabPage } from "./pages/lab";

// Two tabs on one log: what one writes, the other shows when it gets the focus back,
// and a command decided on a stale view still lands on the current version.
test("a tab shows another tab's events when it gets the focus back", async ({ context }) => {
  const first = await LabPage.open(await context.newPage(), "tabs");
  const second = new LabPage(await context.newPage(), first.database);
  await second.load();

  expect((await first.createOrder("山田太郎")).status).toBe("accepted");
  await expect(second.position).toHaveText("0 / 0");

  await second.page.evaluate(() => window.dispatchEvent(new Event("focus")));
  await expect(second.position).toHaveText("1 / 1");
  await expect(second.summaryRow("山田太郎")).toHaveCount(1);

  // The first tab adds an item; the second, not yet told, adds another to the same order.
  expect((await first.addItem("ノートPC", 1, 120000)).status).toBe("accepted");
  const outcome = await second.addItem("マウス", 1, 3000);
  expect(outcome.status).toBe("accepted");
  await expect(second.position).toHaveText("3 / 3");
  await expect(second.summaryRow("山田太郎").locator("[data-field=item_count]")).toHaveText("2");
});

// A log cleared in one tab brings the other no event, yet every panel there changes:
// back in focus, it shows the empty log, not the one that is gone.
test("a tab shows a log cleared in another tab when it gets the focus back", async ({ context }) => {
  const first = await LabPage.open(await context.newPage(), "tabs-clear");
  expect((await first.createOrder("山田太郎")).status).toBe("accepted");
  const second = new LabPage(await context.newPage(), first.database);
  await second.load();
  await expect(second.position).toHaveText("1 / 1");
  await expect(second.summaryRow("山田太郎")).toHaveCount(1);

  expect(await callKiroku(first.page, "reset")).toEqual({ status: "ok" });
  await expect(first.position).toHaveText("0 / 0");
  await second.page.evaluate(() => window.dispatchEvent(new Event("focus")));
  await expect(second.position).toHaveText("0 / 0");
  await expect(second.summaryRow("山田太郎")).toHaveCount(0);
});
