import { expect, test } from "@playwright/test";
import { LabPage } from "./pages/lab";

// Issue 5: the transfer saga and the order → inventory cycle, from the forms, with their steps shown.
test("a transfer completes, a transfer to nowhere is refunded, and the saga panel shows both", async ({ page }) => {
  const lab = await LabPage.open(page, "sagas");
  await lab.consoleSend({ command_type: "CreateAccount", aggregate_id: "acc-1", data: { owner: "John Doe", initial_balance: 1000 } });
  await lab.consoleSend({ command_type: "CreateAccount", aggregate_id: "acc-2", data: { owner: "Taro", initial_balance: 0 } });
  await lab.showPanel("sagas");
  await page.getByTestId("tab-accounts").click();
  await page.getByTestId("account-picker").selectOption("acc-1");
  await page.getByTestId("transfer-to").fill("acc-2");
  await page.getByTestId("transfer-amount").fill("300");
  await page.getByTestId("transfer").click();
  const sagas = page.getByTestId("sagas");
  await expect(sagas.locator("[data-kind=transfer][data-outcome=completed]")).toHaveCount(1);
  await expect(sagas.locator("[data-kind=transfer][data-outcome=completed]")).toContainText("MoneyWithdrawn");
  await expect(sagas.locator("[data-kind=transfer][data-outcome=completed]")).toContainText("MoneyDeposited");

  await page.getByTestId("transfer-to").fill("acc-404");
  await page.getByTestId("transfer-amount").fill("200");
  await page.getByTestId("transfer").click();
  const refunded = sagas.locator("[data-kind=transfer][data-outcome=compensated]");
  await expect(refunded).toHaveCount(1);
  await expect(refunded).toContainText("not_found");
  await expect(page.getByTestId("saga-rate")).toContainText("completion 50%");
  const balance = await lab.consoleSend({ query_type: "GetAccountBalance", filters: { account_id: "acc-1" } });
  expect(balance.data.balance).toBe(700);
});

test("a confirmed order reserves its stock and is ready to ship, or is cancelled when stock is short", async ({ page }) => {
  const lab = await LabPage.open(page, "fulfillment");
  await lab.showPanel("sagas");
  await page.getByTestId("fulfillment-enabled").check();
  await lab.consoleSend({ command_type: "ReceiveStock", aggregate_id: "ノートPC", data: { sku: "ノートPC", quantity: 5 } });
  await lab.consoleSend({ command_type: "ReceiveStock", aggregate_id: "マウス", data: { sku: "マウス", quantity: 1 } });
  await page.getByTestId("tab-orders").click();

  await lab.createOrder("山田太郎");
  await lab.addItem("ノートPC", 1, 120000);
  await lab.confirm();
  await expect(lab.summaryRow("山田太郎").locator("[data-field=status]")).toHaveText("ready_to_ship");
  await expect(page.getByTestId("sagas").locator("[data-kind=fulfillment][data-outcome=completed]")).toHaveCount(1);

  await lab.createOrder("佐藤花子");
  await lab.addItem("ノートPC", 1, 120000);
  await lab.addItem("マウス", 2, 3000);
  await lab.confirm();
  await expect(lab.summaryRow("佐藤花子").locator("[data-field=status]")).toHaveText("cancelled");
  const cancelled = page.getByTestId("sagas").locator("[data-kind=fulfillment][data-outcome=compensated]");
  await expect(cancelled).toContainText("insufficient_stock");
  await expect(cancelled).toContainText("StockReleased");
  const stock = await lab.consoleSend({ query_type: "GetInventory", filters: { sku: "ノートPC" } });
  expect(stock.data.item.reserved).toBe(1); // only 山田太郎's order holds stock
});
