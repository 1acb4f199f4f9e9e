import { readFile } from "node:fs/promises";
import { expect, test } from "@playwright/test";
import { callKiroku, LabPage } from "./pages/lab";

// CONTRACT §4: the export file, and an import that checks everything before writing.
test("a log exported from one storage imports into another, by console and by file", async ({ page }) => {
  const lab = await LabPage.open(page, "export");
  await lab.createOrder("山田太郎");
  await lab.addItem("ノートPC", 1, 120000);
  await lab.confirm();
  const exported: string = await callKiroku(page, "exportLog");
  const events = JSON.parse(exported).events;
  expect(events).toHaveLength(3);
  // The page's Export button downloads the same file (handed to the Blob in parts).
  const [download] = await Promise.all([page.waitForEvent("download"), page.getByTestId("export-log").click()]);
  expect(download.suggestedFilename()).toBe(`kiroku-${lab.database}.json`);
  const downloaded = JSON.parse(await readFile(await download.path(), "utf8"));
  expect(downloaded).toMatchObject({ format: "kiroku-event-log", version: 1 });
  expect(downloaded.events).toEqual(events);

  // Another storage: a bad file is refused and changes nothing.
  const other = new LabPage(page, `${lab.database}-other`);
  await other.load();
  await other.createOrder("佐藤花子");
  const kiroku = (call: string, ...args: unknown[]) => callKiroku(page, call, ...args);
  const broken = JSON.parse(exported);
  broken.events[1].position = 7;
  const refused = await kiroku("importLog", JSON.stringify(broken), { mode: "replace" });
  expect(refused).toMatchObject({ status: "invalid", error: { code: "invalid_export" } });
  expect(refused.error.message).toContain("position");
  expect((await kiroku("events", {})).map((e: any) => e.event_type)).toEqual(["OrderCreated"]);
  expect((await kiroku("importLog", exported, { mode: "merge" })).status).toBe("invalid");

  // The real file, through the console.
  expect(await kiroku("importLog", exported, { mode: "replace" })).toEqual({ status: "ok", imported: 3 });
  expect(await kiroku("events", {})).toEqual(events);
  await expect(other.position).toHaveText("3 / 3");
  await expect(other.summaryRow("山田太郎").locator("[data-field=status]")).toHaveText("confirmed");
  await expect(other.summaryRow("佐藤花子")).toHaveCount(0);

  // And through the page's Import button, after a reset.
  await kiroku("reset");
  await expect(other.position).toHaveText("0 / 0");
  page.on("dialog", (dialog) => dialog.accept());
  await page.getByTestId("import-log").setInputFiles({ name: "kiroku.json", mimeType: "application/json", buffer: Buffer.from(exported) });
  await expect(other.position).toHaveText("3 / 3");
  expect(await kiroku("events", {})).toEqual(events);
  // It survives a reload.
  await other.reload();
  await expect(other.position).toHaveText("3 / 3");
});
