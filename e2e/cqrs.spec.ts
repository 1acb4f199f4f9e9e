import { expect, test } from "@playwright/test";
import { LabPage } from "./pages/lab";

// Issue 3: every seed runs through the same buses; the middleware and the cache show what they do.
test("seed 004's account story, typed into the JSON console", async ({ page }) => {
  const lab = await LabPage.open(page, "seed004");
  expect(
    await lab.consoleSend({ command_type: "CreateAccount", aggregate_id: "acc-123", data: { account_id: "acc-123", owner: "John Doe", initial_balance: 1000 } }),
  ).toMatchObject({ status: "accepted", stream_version: 1 });
  expect(
    await lab.consoleSend({ command_type: "DepositMoney", aggregate_id: "acc-123", data: { account_id: "acc-123", amount: 500 } }),
  ).toMatchObject({ status: "accepted", stream_version: 2 });
  const balance = await lab.consoleSend({ query_type: "GetAccountBalance", filters: { account_id: "acc-123" }, projection: "account_balance" });
  expect(balance).toMatchObject({ status: "ok", position: 2, data: { balance: 1500, owner: "John Doe" } });
  const refused = await lab.consoleSend({ command_type: "WithdrawMoney", aggregate_id: "acc-123", data: { account_id: "acc-123", amount: 5000 } });
  expect(refused).toMatchObject({ status: "rejected", error: { code: "insufficient_funds" } });
  expect(refused.error.message).toContain("1500");
  // Not JSON at all: said so, and what was typed is still there.
  await page.getByTestId("json-input").fill("{ not json");
  await page.getByTestId("json-send").click();
  await expect(page.locator("[data-testid=json-output]").first()).toHaveAttribute("data-status", "invalid");
  await expect(page.getByTestId("json-input")).toHaveValue("{ not json");
  // The console's commands went through the bus like the forms'.
  await lab.showPanel("command_bus");
  await expect(page.getByTestId("command-log").locator("tbody tr")).toHaveCount(3);
  await expect(page.getByTestId("command-log").locator("tbody tr").first()).toHaveAttribute("data-status", "rejected");
  await lab.showPanel("account_balances");
  await expect(page.getByTestId("read-model-account-balances")).toContainText("¥1,500");
});

test("seeds 003 and 002 and the warehouse, from the console examples", async ({ page }) => {
  const lab = await LabPage.open(page, "seeds");
  for (const envelope of [
    { command_type: "CreateAccount", aggregate_id: "user-12345", data: { owner: "Taro", initial_balance: 0 } },
    { command_type: "DepositMoney", aggregate_id: "user-12345", data: { amount: 10000 } },
    { command_type: "WithdrawMoney", aggregate_id: "user-12345", data: { amount: 5000, description: "purchase" } },
    { command_type: "CreateProduct", aggregate_id: "prod-1", data: { name: "ノートPC", price: 120000, category_id: "pc" } },
    { command_type: "ReceiveStock", aggregate_id: "PC-001", data: { sku: "PC-001", quantity: 6, low_stock_threshold: 5 } },
    { command_type: "ReserveStock", aggregate_id: "PC-001", data: { order_id: "order-1", quantity: 2 } },
  ]) {
    expect((await lab.consoleSend(envelope)).status, JSON.stringify(envelope)).toBe("accepted");
  }
  expect(await lab.consoleSend({ query_type: "GetAccountBalance", filters: { account_id: "user-12345" } })).toMatchObject({ data: { balance: 5000 } });
  expect(await lab.consoleSend({ command_type: "UpdatePrice", aggregate_id: "prod-1", data: { new_price: 0 } })).toMatchObject({
    status: "invalid",
    error: { code: "validation_failed" },
  });
  const inventory = await lab.consoleSend({ query_type: "GetInventory", filters: { sku: "PC-001" } });
  expect(inventory.status).toBe("ok");
  expect(JSON.stringify(inventory.data)).toContain('"low_stock":true');
});

test("the role switcher, the middleware chain and the query cache", async ({ page }) => {
  const lab = await LabPage.open(page, "middleware");
  await lab.createOrder("山田太郎");
  await lab.addItem("ノートPC", 1, 120000);
  await lab.confirm();

  // Only an admin may ship: the customer is refused, and says why.
  await page.getByTestId("user-switcher").selectOption("customer-yamada");
  let outcome = await lab.ship();
  expect(outcome).toMatchObject({ status: "rejected", code: "forbidden" });
  expect(outcome.message).toContain("customer");
  // The choice survives a reload.
  await lab.reload();
  await expect(page.getByTestId("user-switcher")).toHaveValue("customer-yamada");

  // With validation on, quantity 0 is invalid before any aggregate runs; off, the aggregate refuses it.
  await lab.createOrder("佐藤花子");
  outcome = await lab.addItem("マウス", 0, 3000);
  expect(outcome).toMatchObject({ status: "invalid", code: "validation_failed" });
  await lab.showPanel("command_bus");
  await page.getByTestId("middleware-validation").uncheck();
  outcome = await lab.addItem("マウス", 0, 3000);
  expect(outcome).toMatchObject({ status: "rejected", code: "invalid_quantity" });
  await expect(page.locator("[data-middleware=validation]")).toHaveClass(/off/);

  // The same query twice: a miss, then a hit; a write invalidates it.
  await lab.showPanel("query_bus");
  const query = { query_type: "ListOrders", filters: {} };
  expect((await lab.consoleSend(query)).cache).toBe("miss");
  expect((await lab.consoleSend(query)).cache).toBe("hit");
  await expect(page.getByTestId("cache-hits")).toHaveText("1");
  await lab.consoleSend({ command_type: "CreateOrder", aggregate_id: "o-3", data: { customer_name: "鈴木" } });
  await expect(page.getByTestId("cache-invalidated")).not.toHaveText("0");
  const after = await lab.consoleSend(query);
  expect(after.cache).toBe("miss");
  expect(after.data.orders).toHaveLength(3);
});

test("two tabs withdraw from one account: the second conflicts, reloads and decides again", async ({ context }) => {
  const first = await LabPage.open(await context.newPage(), "conflict");
  await first.consoleSend({ command_type: "CreateAccount", aggregate_id: "acc-1", data: { owner: "John Doe", initial_balance: 1000 } });
  const second = new LabPage(await context.newPage(), first.database);
  await second.load();
  for (const tab of [first, second]) {
    await tab.showPanel("concurrency");
    await tab.page.getByTestId("client-a-load").click();
    await expect(tab.page.getByTestId("client-a-loaded")).toHaveText("v1 · ¥1,000");
  }
  await first.page.getByTestId("client-a-amount").fill("700");
  await first.page.getByTestId("client-a-send").click();
  await expect(first.page.locator("[data-testid=client-a] .outcome")).toHaveAttribute("data-status", "accepted");

  await second.page.getByTestId("client-a-amount").fill("500");
  await second.page.getByTestId("client-a-send").click();
  const conflict = second.page.locator("[data-testid=client-a] .outcome");
  await expect(conflict).toHaveAttribute("data-status", "conflict");
  await expect(conflict).toContainText("loaded v1, but the account is at v2");
  // Retrying reloads the account (now ¥300) and decides again on that state.
  await second.page.getByTestId("client-a-retry").click();
  await expect(second.page.locator("[data-testid=client-a] .outcome")).toHaveAttribute("data-status", "rejected");
  await expect(second.page.locator("[data-testid=client-a] .outcome")).toHaveAttribute("data-code", "insufficient_funds");
  await expect(second.page.getByTestId("client-a-loaded")).toHaveText("v2 · ¥300");
});
