import { expect, Page, test } from "@playwright/test";
import { callKiroku, LabPage, openInNewerLayout } from "./pages/lab";

// axe-core's checks (names, roles, headings, contrast, keyboard access to what
// scrolls) on every panel and every command tab, in light and dark, with a demo
// history in the log and a command just answered.

type Violation = { id: string; nodes: string[] };

/** axe-core's violations on the page as it is (axe is added to the page first, once per load). */
async function violations(page: Page): Promise<Violation[]> {
  if (!(await page.evaluate(() => "axe" in window))) await page.addScriptTag({ path: require.resolve("axe-core/axe.min.js") });
  return page.evaluate(async () => {
    const results = await (window as any).axe.run(document, { resultTypes: ["violations"] });
    return results.violations.map((violation: any) => ({
      id: violation.id,
      nodes: violation.nodes.slice(0, 3).map((node: any) => `${node.target.join(" ")}: ${node.failureSummary.split("\n")[1]?.trim()}`),
    }));
  });
}

for (const theme of ["light", "dark"] as const) {
  test(`every panel and command tab passes axe's checks (${theme})`, async ({ page }) => {
    await page.emulateMedia({ colorScheme: theme });
    const lab = await LabPage.open(page, `a11y-${theme}`);
    expect((await callKiroku(page, "loadDemo", { events: 2000, seed: 42 })).status).toBe("ok");
    expect((await lab.createOrder("山田太郎")).status).toBe("accepted");

    const toggle = (name: string) => page.locator(`[data-testid=panel-picker] [data-panel="${name}"]`).click();
    const sets = [
      [],
      ["customer_orders", "product_sales", "daily_stats", "account_balances", "account_history"],
      ["inventory", "product_catalog", "user_activity", "projections"],
      ["broker", "sagas", "command_bus", "query_bus", "concurrency"],
    ];
    const found = new Map<string, Violation>();
    for (const panels of sets) {
      for (const name of panels) await toggle(name);
      await expect(page.locator(".panels > .panel")).toHaveCount(4 + panels.length);
      for (const tab of ["orders", "accounts", "inventory", "products", "json"]) {
        await page.getByTestId(`tab-${tab}`).click();
        for (const violation of await violations(page)) found.set(`${violation.id} (${panels.join(", ") || "default panels"}, ${tab})`, violation);
      }
      for (const name of panels) await toggle(name);
    }
    for (const popover of ["Demo history", "Import"]) {
      await page.getByRole("button", { name: popover, exact: true }).click();
      for (const violation of await violations(page)) found.set(`${violation.id} (${popover})`, violation);
      await page.keyboard.press("Escape");
    }
    expect([...found].map(([where, violation]) => `${where}: ${violation.nodes.join(" | ")}`)).toEqual([]);
  });
}

// What stands over or in place of the workspace passes too: the notice of a storage
// let go for a newer Kiroku, and the page that then cannot open the newer layout.
test("a storage let go, and a storage too new to open, pass axe's checks", async ({ context }) => {
  const page = await context.newPage();
  const lab = await LabPage.open(page, "a11y-let-go");
  const other = await LabPage.open(await context.newPage(), "a11y-newer");
  expect(await openInNewerLayout(other.page, lab.database)).toMatch(/^opened in layout \d+$/);
  await expect(page.getByTestId("storage-let-go")).toBeVisible();
  expect(await violations(page)).toEqual([]);

  await page.reload();
  await expect(page.getByRole("alert")).toContainText("was upgraded by a newer Kiroku");
  expect(await violations(page)).toEqual([]);
});
