import { expect, test } from "@playwright/test";
import { LabPage } from "./pages/lab";

// The theme choice survives a reload, and the page fits a laptop and a projector.
test("the theme choice is remembered across reloads", async ({ page }) => {
  const lab = await LabPage.open(page, "theme");
  const toggle = page.getByTestId("theme-toggle");
  await expect(toggle).toHaveText("Theme: system");
  await toggle.click();
  await expect(page.locator("html")).toHaveAttribute("data-theme", "light");
  await toggle.click();
  await expect(page.locator("html")).toHaveAttribute("data-theme", "dark");
  await lab.reload();
  await expect(page.locator("html")).toHaveAttribute("data-theme", "dark");
  await expect(toggle).toHaveText("Theme: dark");
});

// A teacher who opens the browser's console sees no error from the page's own load:
// every file it asks for is there, the tab's icon among them.
test("a load asks for nothing missing and logs no error", async ({ page }) => {
  const errors: string[] = [];
  page.on("console", (message) => { if (message.type() === "error") errors.push(message.text()); });
  page.on("pageerror", (error) => errors.push(error.message));
  page.on("response", (response) => { if (response.status() >= 400) errors.push(`${response.status()} ${response.url()}`); });
  const lab = await LabPage.open(page, "clean-load");
  await lab.reload();
  await expect(page.locator("link[rel=icon]")).toHaveCount(1);
  const icon = await page.locator("link[rel=icon]").getAttribute("href");
  expect(icon).toMatch(/\.svg$/);
  const fetched = await page.evaluate(async (href) => { const r = await fetch(href!); return { status: r.status, type: r.headers.get("content-type") }; }, icon);
  expect(fetched).toEqual({ status: 200, type: "image/svg+xml" });
  expect(errors).toEqual([]);
});

for (const [name, width, height] of [["laptop", 1366, 768], ["projector", 1920, 1080], ["old projector", 1024, 768]] as const) {
  test(`nothing overflows the ${name} screen (${width}×${height}), light and dark`, async ({ page }) => {
    await page.setViewportSize({ width, height });
    const lab = await LabPage.open(page, `look-${name}`);
    await lab.createOrder("山田太郎");
    await lab.addItem("ノートPC", 1, 120000);
    await lab.addItem("マウス", 1, 3000);
    await lab.removeItem("マウス");
    await lab.confirm();
    await lab.createOrder("佐藤花子");
    await lab.addItem("モニター", 2, 45000);
    await lab.scrubTo(3);
    for (const theme of ["light", "dark"]) {
      await page.evaluate((theme) => document.documentElement.setAttribute("data-theme", theme), theme);
      // The page itself never scrolls sideways or down: panels scroll inside.
      const size = await page.evaluate(() => ({ w: document.documentElement.scrollWidth, h: document.documentElement.scrollHeight }));
      expect(size.w).toBeLessThanOrEqual(width);
      expect(size.h).toBeLessThanOrEqual(height);
      for (const id of ["timeline", "aggregate-state", "read-model-order-summary", "read-model-order-details", "event-inspector", "command-result"]) {
        const box = await page.getByTestId(id).boundingBox();
        expect(box, id).not.toBeNull();
        expect(box!.x + box!.width, id).toBeLessThanOrEqual(width);
        expect(box!.y + box!.height, id).toBeLessThanOrEqual(height);
        expect(box!.height, `${id} is tall enough to read`).toBeGreaterThan(id === "command-result" ? 60 : 100);
      }
      // The header keeps to one line, its tools in view.
      const header = await page.locator(".app-header").boundingBox();
      expect(header!.height, "the header's height").toBeLessThan(60);
      await expect(page.getByRole("combobox", { name: "acting as" })).toBeVisible();
      await page.screenshot({ path: `${__dirname}/../test-results/screens/${name}-${theme}.png` });
    }
  });
}

// Projections' table is wide, so the panel spans two columns; the grid around it
// leaves no empty cell and gives it the height of a row (a few projectors in view).
test("Projections with other panels fills the grid and shows its projectors", async ({ page }) => {
  const lab = await LabPage.open(page, "look-projections");
  await lab.createOrder("山田太郎");
  const toggle = (name: string) => page.locator(`[data-testid=panel-picker] [data-panel="${name}"]`).click();
  for (const name of ["write_model", "order_summary", "order_details", "event"]) await toggle(name);
  const more = ["customer_orders", "product_sales", "daily_stats", "account_balances", "inventory", "product_catalog", "user_activity", "broker"];
  const layouts = [
    ["projections", "command_bus"],
    ["projections", "sagas", "command_bus"],
    ["projections", "sagas", "command_bus", "query_bus"],
    ["sagas", "command_bus", "query_bus", "projections"],
    // Three columns, five to nine panels (the grid orders them as the picker does:
    // Projections after the read models, before the Broker).
    ["projections", ...more.slice(0, 4)],
    [...more.slice(0, 2), "projections", ...more.slice(2, 5)],
    [...more.slice(0, 6), "projections"],
    ["projections", ...more.slice(0, 7)],
    [...more.slice(0, 4), "projections", ...more.slice(4, 8)],
  ];
  for (const panels of layouts) {
    for (const name of panels) await toggle(name);
    await expect(page.locator(".panels > .panel")).toHaveCount(panels.length);
    const layout = await page.evaluate(() => {
      const grid = document.querySelector(".panels")!.getBoundingClientRect();
      const boxes = [...document.querySelectorAll(".panels > .panel")].map((panel) => panel.getBoundingClientRect());
      // Each row of panels reaches the grid's right edge.
      const rows = new Map<number, number>();
      for (const box of boxes) rows.set(Math.round(box.top), Math.max(rows.get(Math.round(box.top)) ?? 0, box.right));
      const body = document.querySelector("[data-testid=projections] .panel-body")!.getBoundingClientRect();
      const inView = [...document.querySelectorAll("[data-testid=projections] tbody tr")].filter((row) => row.getBoundingClientRect().bottom <= body.bottom + 1).length;
      return { right: grid.right, rowEnds: [...rows.values()], inView };
    });
    for (const end of layout.rowEnds) expect(Math.abs(end - layout.right), `${panels.join(", ")}: a row ends short of the grid's edge`).toBeLessThan(3);
    expect(layout.inView, `${panels.join(", ")}: projectors in view`).toBeGreaterThanOrEqual(3);
    for (const name of panels) await toggle(name);
  }
});

// On a projector, four panels fill two rows whichever they are: with the event
// inspector, three side by side and the inspector below them (wherever the picker
// puts it); four others, 2 × 2.
test("four panels fill the projector's grid, whichever four", async ({ page }) => {
  await page.setViewportSize({ width: 1920, height: 1080 });
  const lab = await LabPage.open(page, "look-four");
  await lab.createOrder("山田太郎");
  const toggle = (name: string) => page.locator(`[data-testid=panel-picker] [data-panel="${name}"]`).click();
  const defaults = ["write_model", "order_summary", "order_details", "event"];
  const layouts = [
    { panels: defaults, inspectorBelow: true },
    { panels: ["write_model", "order_summary", "event", "customer_orders"], inspectorBelow: true },
    { panels: ["daily_stats", "inventory", "product_catalog", "user_activity"], inspectorBelow: false },
  ];
  let shown = defaults;
  for (const { panels, inspectorBelow } of layouts) {
    for (const name of shown.filter((name) => !panels.includes(name))) await toggle(name);
    for (const name of panels.filter((name) => !shown.includes(name))) await toggle(name);
    shown = panels;
    await expect(page.locator(".panels > .panel")).toHaveCount(4);
    const layout = await page.evaluate(() => {
      const grid = document.querySelector(".panels")!.getBoundingClientRect();
      const boxes = [...document.querySelectorAll(".panels > .panel")].map((panel) => ({ box: panel.getBoundingClientRect(), inspector: panel.classList.contains("inspector") }));
      const rows = new Map<number, { left: number; right: number; count: number }>();
      for (const { box } of boxes) {
        const row = rows.get(Math.round(box.top)) ?? { left: Infinity, right: 0, count: 0 };
        rows.set(Math.round(box.top), { left: Math.min(row.left, box.left), right: Math.max(row.right, box.right), count: row.count + 1 });
      }
      const inspector = boxes.find((panel) => panel.inspector)?.box;
      return {
        grid: { left: grid.left, right: grid.right, bottom: grid.bottom },
        rows: [...rows.entries()].sort(([a], [b]) => a - b).map(([, row]) => row),
        lowest: Math.max(...boxes.map(({ box }) => box.bottom)),
        inspector: inspector && { top: Math.round(inspector.top), width: inspector.width },
      };
    });
    const named = panels.join(", ");
    expect(layout.rows.length, `${named}: two rows`).toBe(2);
    for (const row of layout.rows) {
      expect(Math.abs(row.left - layout.grid.left), `${named}: a row starts inside the grid's edge`).toBeLessThan(3);
      expect(Math.abs(row.right - layout.grid.right), `${named}: a row ends short of the grid's edge`).toBeLessThan(3);
    }
    expect(layout.lowest, `${named}: a panel below the grid`).toBeLessThanOrEqual(layout.grid.bottom + 1);
    if (inspectorBelow) {
      expect(layout.rows.map((row) => row.count), `${named}: three, then the inspector`).toEqual([3, 1]);
      expect(layout.inspector!.width, `${named}: the inspector spans the grid`).toBeGreaterThan(layout.grid.right - layout.grid.left - 3);
    } else {
      expect(layout.rows.map((row) => row.count), `${named}: 2 × 2`).toEqual([2, 2]);
    }
  }
});

// Two windows side by side (each half a laptop's width): the page scrolls down only,
// never sideways; the header's tools wrap and stay in view; panels stack one per
// row, Projections too.
test("a window half a laptop wide scrolls only down, with every tool in view", async ({ page }) => {
  await page.setViewportSize({ width: 683, height: 768 });
  const lab = await LabPage.open(page, "look-half");
  await lab.createOrder("山田太郎");
  const toggle = (name: string) => page.locator(`[data-testid=panel-picker] [data-panel="${name}"]`).click();
  for (const panels of [[], ["projections", "sagas"], ["customer_orders", "product_sales", "daily_stats", "inventory", "broker"]]) {
    for (const name of panels) await toggle(name);
    const layout = await page.evaluate(() => ({
      scrollWidth: document.documentElement.scrollWidth,
      width: document.documentElement.clientWidth,
      tools: [...document.querySelectorAll(".app-header button, .app-header select, .app-header .storage")].map((tool) => {
        const box = tool.getBoundingClientRect();
        return { tool: tool.textContent!.trim().slice(0, 20), left: box.left, right: box.right };
      }),
      panels: [...document.querySelectorAll(".panels > .panel")].map((panel) => Math.round(panel.getBoundingClientRect().left)),
    }));
    const named = panels.join(", ") || "the default panels";
    expect(layout.scrollWidth, `${named}: the page scrolls sideways`).toBeLessThanOrEqual(layout.width);
    for (const { tool, left, right } of layout.tools) {
      expect(left, `${named}: ${tool}`).toBeGreaterThanOrEqual(0);
      expect(right, `${named}: ${tool}`).toBeLessThanOrEqual(layout.width);
    }
    expect(new Set(layout.panels).size, `${named}: panels side by side`).toBe(1);
    for (const name of panels) await toggle(name);
  }
});

// A short window (a 1080p projector zoomed to 200%, a laptop at 125%): panels stay
// side by side at a readable height, and the page scrolls down to them.
test("a projector zoomed to 200% (960×540) keeps every panel readable", async ({ page }) => {
  await page.setViewportSize({ width: 960, height: 540 });
  const lab = await LabPage.open(page, "look-zoomed");
  await lab.createOrder("山田太郎");
  await lab.addItem("ノートPC", 1, 120000);
  const layout = await page.evaluate(() => ({
    scrollWidth: document.documentElement.scrollWidth,
    scrollHeight: document.documentElement.scrollHeight,
    panels: [...document.querySelectorAll(".panels > .panel")].map((panel) => panel.getBoundingClientRect()).map((box) => ({ left: Math.round(box.left), height: box.height })),
  }));
  expect(layout.scrollWidth).toBeLessThanOrEqual(960);
  expect(layout.scrollHeight, "the page scrolls down").toBeGreaterThan(540);
  expect(new Set(layout.panels.map((panel) => panel.left)).size, "panels side by side").toBe(2);
  for (const panel of layout.panels) expect(panel.height, "a panel's height").toBeGreaterThanOrEqual(250);
  await page.getByTestId("event-inspector").scrollIntoViewIfNeeded();
  await expect(page.getByTestId("event-inspector")).toContainText("ItemAdded");
});
