import { expect, test } from "@playwright/test";
import { LabPage } from "./pages/lab";

// The foundation story: an order from creation to shipping, refusals with reasons,
// a reload, and time travel back to position 3.
test("a workshop runs the order story, reloads, and travels back in time", async ({ page }) => {
  const lab = await LabPage.open(page, "story");
  await expect(lab.position).toHaveText("0 / 0");

  expect((await lab.createOrder("山田太郎")).status).toBe("accepted");
  // An order with no items has nothing to remove: its picker says so and is off.
  const removePicker = page.getByTestId("remove-product");
  await expect(removePicker).toBeDisabled();
  await expect(removePicker).toHaveText("no items yet");
  await expect(page.getByTestId("remove-item")).toBeDisabled();
  expect((await lab.addItem("ノートPC", 1, 120000)).status).toBe("accepted");
  await expect(removePicker).toBeEnabled();
  expect((await lab.addItem("マウス", 1, 3000)).status).toBe("accepted");
  expect((await lab.removeItem("マウス")).status).toBe("accepted");
  expect((await lab.confirm()).status).toBe("accepted");
  expect((await lab.ship()).status).toBe("accepted");
  await expect(lab.position).toHaveText("6 / 6");
  await expect(page.getByTestId("timeline-event")).toHaveCount(6);
  await expect(page.getByTestId("timeline-event").nth(5)).toHaveAttribute("data-event-type", "OrderShipped");

  const row = lab.summaryRow("山田太郎");
  await expect(row.locator("[data-field=status]")).toHaveText("shipped");
  await expect(row.locator("[data-field=total_cents]")).toHaveText("¥120,000");

  // Everything is still there after closing and reopening the page.
  await lab.reload();
  await expect(lab.position).toHaveText("6 / 6");
  await expect(lab.summaryRow("山田太郎").locator("[data-field=status]")).toHaveText("shipped");
  await expect(lab.details.locator(".order-card", { hasText: "山田太郎" }).locator("[data-product]")).toHaveText([/ノートPC/]);

  // Back to position 3: created, laptop added, mouse added.
  await lab.scrubTo(3);
  await expect(lab.position).toHaveText("3 / 6");
  await expect(lab.summaryRow("山田太郎").locator("[data-field=status]")).toHaveText("draft");
  await expect(lab.summaryRow("山田太郎").locator("[data-field=item_count]")).toHaveText("2");
  await expect(lab.summaryRow("山田太郎").locator("[data-field=total_cents]")).toHaveText("¥123,000");
  const card = lab.details.locator(".order-card", { hasText: "山田太郎" });
  await expect(card.locator("[data-product]")).toHaveText([/ノートPC/, /マウス/]);
  await expect(lab.aggregate.locator("[data-field=status]")).toContainText("draft");
  await expect(lab.aggregate.locator("[data-field=items]")).toContainText("マウス");
  await expect(page.getByTestId("timeline-event").nth(3)).toHaveClass(/future/);

  // One step forward: the mouse is removed, and what changed is highlighted.
  await page.getByTestId("timeline-step-forward").click();
  await expect(lab.position).toHaveText("4 / 6");
  await expect(lab.summaryRow("山田太郎")).toHaveClass(/changed/);
  await expect(lab.summaryRow("山田太郎").locator("[data-field=item_count]")).toHaveClass(/changed-cell/);
  await expect(lab.summaryRow("山田太郎").locator("[data-field=item_count]")).toHaveText("1");
  await expect(card.locator("[data-product]")).toHaveText([/ノートPC/]);
  await expect(lab.aggregate.locator("tr.changed[data-field=items]")).toHaveCount(1);
  await expect(lab.inspector).toContainText('"event_type": "ItemRemoved"');

  // Clicking an event shows its whole recorded JSON.
  await page.locator("[data-testid=timeline-event][data-position='2']").click();
  await expect(lab.position).toHaveText("2 / 6");
  const json = JSON.parse((await page.getByTestId("event-json").textContent())!);
  expect(json).toMatchObject({
    position: 2,
    stream_version: 2,
    stream_type: "Order",
    event_type: "ItemAdded",
    schema_version: 1,
    data: { product_name: "ノートPC", quantity: 1, unit_price_cents: 120000 },
    metadata: { actor: "workshop-user" },
  });
  expect(json.metadata.correlation_id).toBeTruthy();
  expect(json.metadata.recorded_at).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
});

test("each refusal says exactly why, and writes nothing", async ({ page }) => {
  const lab = await LabPage.open(page, "refusals");
  await lab.createOrder("山田太郎");
  await lab.addItem("ノートPC", 1, 120000);

  // The validation middleware catches out-of-range input before the aggregate runs.
  let outcome = await lab.addItem("ケーブル", 0, 500);
  expect(outcome).toMatchObject({ status: "invalid", code: "validation_failed" });
  expect(outcome.message).toContain("quantity must be at least 1");
  // What was typed is kept, so it can be corrected.
  await expect(page.getByTestId("product-name")).toHaveValue("ケーブル");

  outcome = await lab.addItem("ケーブル", 1, -500);
  expect(outcome).toMatchObject({ status: "invalid", code: "validation_failed" });
  expect(outcome.message).toContain("unit_price_cents must not be negative");

  outcome = await lab.ship();
  expect(outcome).toMatchObject({ status: "rejected", code: "cannot_ship" });
  expect(outcome.message).toContain("only a confirmed order can be shipped");

  await lab.confirm();
  outcome = await lab.addItem("ケーブル", 1, 500);
  expect(outcome).toMatchObject({ status: "rejected", code: "order_not_editable" });
  expect(outcome.message).toContain("confirmed");

  await lab.ship();
  outcome = await lab.cancel("changed my mind");
  expect(outcome).toMatchObject({ status: "rejected", code: "cannot_cancel" });

  await lab.createOrder("佐藤花子");
  await lab.chooseOrder("佐藤花子");
  outcome = await lab.confirm();
  expect(outcome).toMatchObject({ status: "rejected", code: "empty_order" });
  expect(outcome.message).toContain("empty order");

  // An empty quantity is not a number: the envelope check refuses it before any rule runs.
  outcome = await lab.addItem("ペン", "", 100);
  expect(outcome).toMatchObject({ status: "invalid", code: "invalid_data" });
  expect(outcome.message).toContain("AddItem");

  // Five accepted commands so far; the nine refusals wrote nothing.
  expect(await lab.head()).toBe(5);
  await expect(lab.position).toHaveText("5 / 5");
});

test("the timeline steps, plays and answers the keyboard", async ({ page }) => {
  const lab = await LabPage.open(page, "timeline");
  await lab.createOrder("山田太郎");
  await lab.addItem("ノートPC", 1, 120000);
  await lab.addItem("マウス", 1, 3000);
  await expect(lab.position).toHaveText("3 / 3");

  await page.getByTestId("timeline-step-back").click();
  await expect(lab.position).toHaveText("2 / 3");
  await page.locator("body").click({ position: { x: 5, y: 5 } });
  await page.keyboard.press("ArrowLeft");
  await expect(lab.position).toHaveText("1 / 3");
  await page.keyboard.press("Home");
  await expect(lab.position).toHaveText("0 / 3");
  await expect(lab.summary).toContainText("No orders yet");
  await page.keyboard.press("End");
  await expect(lab.position).toHaveText("3 / 3");
  // A panel's body with the focus takes the keys to scroll itself, not the timeline.
  await page.getByTestId("event-inspector").locator(".panel-body").focus();
  await page.keyboard.press("ArrowLeft");
  await page.keyboard.press("Home");
  await expect(lab.position).toHaveText("3 / 3");
  await page.locator("body").click({ position: { x: 5, y: 5 } });
  await page.keyboard.press("ArrowLeft");
  await expect(lab.position).toHaveText("2 / 3");
  await page.keyboard.press("End");
  await expect(lab.position).toHaveText("3 / 3");

  // The start of the log is a chip of its own in the strip: choosing it goes to 0,
  // where it is the selected one, in the middle.
  await page.getByTestId("timeline-start").click();
  await expect(lab.position).toHaveText("0 / 3");
  await expect(page.getByTestId("timeline-start")).toHaveClass(/selected/);
  await expect(page.getByTestId("timeline-event").first()).toHaveClass(/future/);
  await page.getByTestId("timeline-event").last().click();
  await expect(lab.position).toHaveText("3 / 3");
  await expect(page.getByTestId("timeline-start")).not.toHaveClass(/selected/);

  // Play from the start at the fastest speed runs to the head and stops.
  await page.getByTestId("timeline-speed").selectOption("8");
  await page.keyboard.press("Home");
  await page.getByTestId("timeline-play").click();
  await expect(page.getByTestId("timeline-play")).toHaveText(/Pause/);
  await expect(lab.position).toHaveText("3 / 3");
  await expect(page.getByTestId("timeline-play")).toHaveText(/Play/);
});
