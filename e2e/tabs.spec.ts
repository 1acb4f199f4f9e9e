import { expect, test } from "@playwright/test";
import { callKiroku, LabPage, openInNewerLayout } from "./pages/lab";

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

// A newer Kiroku opened in another tab upgrades the stored layout: it has to wait
// until every tab on the storage closes it. This tab lets go at once and says why.
test("a tab lets go of its storage for a newer Kiroku in another tab, and says so", async ({ context }) => {
  const first = await LabPage.open(await context.newPage(), "tabs-let-go");
  expect((await first.createOrder("山田太郎")).status).toBe("accepted");
  const other = await LabPage.open(await context.newPage(), "tabs-newer");

  const opened = await openInNewerLayout(other.page, first.database);
  expect(opened).toMatch(/^opened in layout \d+$/);
  const layout = opened.split(" ").pop();

  const notice = first.page.getByTestId("storage-let-go");
  await expect(notice).toBeVisible();
  await expect(notice).toContainText("with a newer Kiroku");
  await expect(notice).toContainText(`storage layout ${layout}`);
  await expect(notice.getByRole("button", { name: "Reload the page" })).toBeFocused();
  // Nothing more is saved from this tab.
  const refused = await callKiroku(first.page, "send", { command_type: "CreateOrder", aggregate_id: "after", data: { customer_name: "佐藤花子" } });
  expect(refused.status).toBe("error");
  expect(refused.error.message).toContain("let go of its storage (a newer Kiroku in another tab upgraded it): reload the page");
  // Reloaded, this older page cannot read the newer layout, and says what to do.
  await Promise.all([first.page.waitForEvent("load"), notice.getByRole("button", { name: "Reload the page" }).press("Enter")]);
  await first.page.waitForFunction(() => (window as any).kiroku !== undefined);
  const ready = await first.page.evaluate(() => (window as any).kiroku.ready);
  expect(ready.status).toBe("error");
  await expect(first.page.getByRole("alert")).toContainText("was upgraded by a newer Kiroku");
  await expect(first.page.getByRole("alert")).toContainText("open it with the newer Kiroku");
});

// An older page (one that does not let go when asked) keeps the storage open in an
// older layout: this tab says it waits, and opens once that page closes it.
test("a tab waits for an older page that holds its storage open, and says so", async ({ context }) => {
  const older = await LabPage.open(await context.newPage(), "tabs-older-host");
  const database = `e2e-tabs-waits-${Date.now()}`;
  await older.page.evaluate(async (name) => {
    // Layout 5's stores, held open, with no `versionchange` handler.
    (window as any).olderConnection = await new Promise((resolve, reject) => {
      const request = indexedDB.open(name, 5);
      request.onupgradeneeded = () => {
        const db = request.result;
        db.createObjectStore("segments", { keyPath: "last" });
        for (const store of ["streams", "meta", "outbox", "stream_buckets"]) db.createObjectStore(store);
      };
      request.onsuccess = () => resolve(request.result);
      request.onerror = () => reject(request.error);
    });
  }, database);

  const tab = new LabPage(await context.newPage(), database);
  await tab.page.goto(`/?db=${database}`);
  await expect(tab.page.getByTestId("opening")).toContainText("Waiting for another Kiroku tab to close this storage");
  await older.page.evaluate(() => (window as any).olderConnection.close());
  await tab.waitReady();
  await expect(tab.position).toHaveText("0 / 0");
  expect((await tab.createOrder("山田太郎")).status).toBe("accepted");
});
