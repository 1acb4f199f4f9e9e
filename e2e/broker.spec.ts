import { expect, test, type Page } from "@playwright/test";
import { LabPage } from "./pages/lab";

// Issue 5: every tab is a subscriber; the naive dual write loses messages when it
// crashes, the transactional outbox loses none and may deliver twice.
async function twoTabs(context: import("@playwright/test").BrowserContext, name: string) {
  const first = await LabPage.open(await context.newPage(), name);
  const second = new LabPage(await context.newPage(), first.database);
  await second.load();
  for (const tab of [first, second]) await tab.showPanel("broker");
  return { first, second };
}

const stat = (page: Page, id: string) => page.getByTestId(id);

// Every tab polls the shared outbox. In these tests only the first tab publishes: the
// second polls so seldom that it never takes one of the first tab's messages for itself.
async function setPollInterval(page: Page, ms: number) {
  await page.getByTestId("poll-interval").fill(String(ms));
  await page.getByTestId("poll-interval").dispatchEvent("change");
}

test("a command in one tab arrives in the other through the broker", async ({ context }) => {
  const { first, second } = await twoTabs(context, "broker");
  await setPollInterval(second.page, 3600000);
  await setPollInterval(first.page, 200);
  expect((await first.createOrder("山田太郎")).status).toBe("accepted");
  await expect(stat(second.page, "broker-delivered")).toHaveText("1");
  await expect(second.page.getByTestId("broker-received").locator("tr").first()).toContainText("OrderCreated");
  await expect(stat(first.page, "broker-published")).toHaveText("1");
  await expect(stat(first.page, "broker-pending")).toHaveText("0");
});

test("the crash switch loses messages on the naive path and none on the outbox path", async ({ context }) => {
  const { first, second } = await twoTabs(context, "crash");
  await setPollInterval(second.page, 3600000);
  await first.page.getByTestId("delivery-naive").check();
  await first.page.getByTestId("crash-switch").check();
  await first.createOrder("山田太郎");
  await first.addItem("ノートPC", 1, 120000);
  await first.addItem("マウス", 1, 3000);
  await expect(stat(first.page, "broker-lost")).toHaveText("3");
  await expect(stat(first.page, "broker-published")).toHaveText("0");
  await expect(stat(second.page, "broker-delivered")).toHaveText("0");

  // Through the outbox, with the same crash: every message arrives, the second copy is dropped.
  await first.page.getByTestId("delivery-outbox").check();
  await setPollInterval(first.page, 200);
  await first.createOrder("佐藤花子");
  await first.addItem("モニター", 1, 45000);
  await first.confirm();
  await expect(stat(second.page, "broker-delivered")).toHaveText("3");
  await expect(stat(second.page, "broker-deduplicated")).toHaveText("3");
  await expect(stat(first.page, "broker-republished")).toHaveText("3");
  await expect(stat(first.page, "broker-lost")).toHaveText("3"); // only the naive ones
  await expect(second.page.locator("[data-testid=broker-received] tr[data-duplicate=true]")).toHaveCount(3);
});
