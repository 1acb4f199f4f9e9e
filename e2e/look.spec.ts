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

for (const [name, width, height] of [["laptop", 1366, 768], ["projector", 1920, 1080]] as const) {
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
      await page.screenshot({ path: `${__dirname}/../test-results/screens/${name}-${theme}.png` });
    }
  });
}
