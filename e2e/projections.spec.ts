import { expect, test } from "@playwright/test";
import { callKiroku, LabPage } from "./pages/lab";

// Issue 4: a projector fails, retries on seed 001's backoff, is dead-lettered, and recovers by hand.
test("a teacher breaks a projector, fast-forwards to a dead letter, fixes it, and the read model recovers", async ({ page }) => {
  const lab = await LabPage.open(page, "projections");
  await lab.showPanel("projections");
  const row = (name: string) => page.locator(`[data-testid=projections] tr[data-projector="${name}"]`);

  await lab.createOrder("山田太郎");
  await page.getByTestId("fault-order_summary").selectOption("always:ItemAdded");
  expect((await lab.addItem("ノートPC", 1, 120000)).status).toBe("accepted");
  expect((await lab.addItem("マウス", 1, 3000)).status).toBe("accepted");

  // The faulty projector stops at the failed event; the others keep up.
  await expect(row("order_summary")).toHaveAttribute("data-health", "retrying");
  await expect(row("order_summary").locator("[data-field=lag]")).toHaveText("2");
  await expect(row("order_details")).toHaveAttribute("data-health", "running");
  await expect(row("order_details").locator("[data-field=lag]")).toHaveText("0");
  // Retry 1 is a minute away, and the countdown runs.
  const countdown = row("order_summary").getByTestId("retry-countdown");
  await expect(countdown).toHaveText(/^0:[45]\d$/);
  await expect(row("order_summary")).toContainText("retry 1");
  // The read model shows the lag: the order's total is still ¥0.
  await expect(lab.summaryRow("山田太郎").locator("[data-field=total_cents]")).toHaveText("¥0");
  // A reload finds the projector where it was: stopped on the same event, its fault still injected.
  await lab.reload();
  await expect(row("order_summary")).toHaveAttribute("data-health", "retrying");
  await expect(row("order_summary").locator("[data-field=position]")).toHaveText("1");
  await expect(page.getByTestId("fault-order_summary")).toHaveValue("always:ItemAdded");
  await expect(lab.summaryRow("山田太郎").locator("[data-field=total_cents]")).toHaveText("¥0");

  // Fast-forward through the whole schedule: 1 min, 5 min, 15 min, 1 h, 6 h.
  for (const [button, retry] of [["clock-plus-minute", "retry 2"], ["clock-plus-6-hours", "retry 3"], ["clock-plus-6-hours", "retry 4"], ["clock-plus-6-hours", "retry 5"]] as const) {
    await page.getByTestId(button).click();
    await expect(row("order_summary")).toContainText(retry);
  }
  await page.getByTestId("clock-plus-6-hours").click();
  await expect(row("order_summary")).toHaveAttribute("data-health", "dead_lettered");
  await expect(row("order_summary")).toContainText("after 5 retries");
  await expect(row("order_summary").getByTestId("dead-letter-count")).toHaveText(/1/);
  const status = await callKiroku(page, "query", { query_type: "GetProjectionStatus" });
  const summary = status.data.projectors.find((p: any) => p.name === "order_summary");
  expect(summary).toMatchObject({ position: 1, lag: 2, health: { state: "dead_lettered", error: { position: 2, event_type: "ItemAdded", retry_count: 5 } } });
  expect(summary.dead_letters).toHaveLength(1);

  // Remove the fault and retry the dead letter by hand: the projector catches up.
  await page.getByTestId("fault-order_summary").selectOption("none");
  await page.getByTestId("retry-order_summary").click();
  await expect(row("order_summary")).toHaveAttribute("data-health", "running");
  await expect(row("order_summary").locator("[data-field=lag]")).toHaveText("0");
  await expect(lab.summaryRow("山田太郎").locator("[data-field=total_cents]")).toHaveText("¥123,000");
  await expect(lab.summaryRow("山田太郎").locator("[data-field=item_count]")).toHaveText("2");
});

test("the workshop clock at ×3600 plays the first retry out by itself, and a skipped event stays out", async ({ page }) => {
  const lab = await LabPage.open(page, "clock");
  await lab.showPanel("projections");
  const row = page.locator(`[data-testid=projections] tr[data-projector="order_details"]`);
  await lab.createOrder("山田太郎");
  await page.getByTestId("fault-order_details").selectOption("third:ItemAdded");
  await lab.addItem("ノートPC", 1, 120000);
  await lab.addItem("マウス", 1, 3000);
  await lab.addItem("モニター", 1, 45000);
  await expect(row).toHaveAttribute("data-health", "retrying");
  // At ×3600 a minute passes in a sixtieth of a second: the retry runs, and the 3rd-time-only fault lets it through.
  await page.getByTestId("clock-speed").selectOption("3600");
  await expect(row).toHaveAttribute("data-health", "running");
  await expect(lab.details.locator(".order-card", { hasText: "山田太郎" }).locator("[data-product]")).toHaveCount(3);

  // Fail every ItemAdded from now on, then skip the failed event by hand: the projector moves on without it.
  await page.getByTestId("clock-speed").selectOption("1");
  await page.getByTestId("fault-order_details").selectOption("always:ItemAdded");
  await lab.addItem("キーボード", 1, 8000);
  await expect(row).toHaveAttribute("data-health", "retrying");
  await page.getByTestId("fault-order_details").selectOption("none");
  await page.getByTestId("skip-order_details").click();
  await expect(row).toHaveAttribute("data-health", "running");
  await expect(lab.details.locator(".order-card", { hasText: "山田太郎" }).locator("[data-product]")).toHaveCount(3);

  // A rebuild replays the log from 0 with a progress bar and puts the skipped item back.
  await page.getByTestId("rebuild-order_details").click();
  await expect(row.locator("[data-field=lag]")).toHaveText("0");
  await expect(lab.details.locator(".order-card", { hasText: "山田太郎" }).locator("[data-product]")).toHaveCount(4);
});
