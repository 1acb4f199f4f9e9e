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
  // The file's bytes (a Uint8Array or an ArrayBuffer) import as its text does; bytes
  // that are not UTF-8, or anything that is not a file, are refused and change nothing.
  const byBytes = await page.evaluate(async (text) => {
    const kiroku = (window as any).kiroku;
    const bytes = new TextEncoder().encode(text);
    const notUtf8 = bytes.slice();
    notUtf8[notUtf8.indexOf(0x0a) + 3] = 0xff;
    return {
      array: await kiroku.importLog(bytes, { mode: "replace" }),
      buffer: await kiroku.importLog(bytes.buffer),
      notUtf8: await kiroku.importLog(notUtf8, { mode: "replace" }),
      number: await kiroku.importLog(42, { mode: "replace" }),
    };
  }, exported);
  expect(byBytes.array).toEqual({ status: "ok", imported: 3 });
  expect(byBytes.buffer).toEqual({ status: "ok", imported: 3 });
  expect(byBytes.notUtf8).toMatchObject({ status: "invalid", error: { code: "invalid_export", message: expect.stringContaining("line 2 is not UTF-8 text") } });
  expect(byBytes.number).toMatchObject({ status: "invalid", error: { code: "invalid_export" } });
  expect(await kiroku("events", {})).toEqual(events);

  // And through the page's Import button, after a reset.
  await kiroku("reset");
  await expect(other.position).toHaveText("0 / 0");
  // Reached with the keyboard, the button shows its focus (its file input is invisible).
  const importButton = page.locator("label.file-button");
  await expect(importButton).toHaveCSS("outline-style", "none");
  await page.getByTestId("export-log").focus();
  await page.keyboard.press("Tab");
  await expect(page.getByTestId("import-log")).toBeFocused();
  await expect(importButton).toHaveCSS("outline-style", "solid");
  const importFile = (name: string, text: string) =>
    page.getByTestId("import-log").setInputFiles({ name, mimeType: "application/json", buffer: Buffer.from(text) });
  const dialog = page.getByTestId("import-dialog");
  const status = page.getByTestId("import-status");
  // Refused at the browser's question (which names the file and its size): nothing is read or shown.
  let asked = "";
  page.once("dialog", (question) => { asked = question.message(); void question.dismiss(); });
  await importFile("kiroku.json", exported);
  await expect.poll(() => asked).toContain("kiroku.json (");
  await expect(dialog).toBeHidden();
  expect(await kiroku("events", {})).toEqual([]);
  // A bad file: the page says why, and the log is as it was.
  page.once("dialog", (question) => void question.accept());
  await importFile("broken.json", JSON.stringify(broken));
  await expect(status).toHaveText(/^Nothing was imported from broken\.json, and the log is as it was: event \S+ is at position 7, the log expects 2$/);
  await expect(status).toHaveAttribute("role", "alert");
  expect(await kiroku("events", {})).toEqual([]);
  await page.keyboard.press("Escape");
  await expect(dialog).toBeHidden();
  // The real file: the page says how many events came in, and shows them. The header's
  // popovers share a place: an import closes the demo history's.
  await page.getByTestId("demo-history").click();
  await expect(page.getByTestId("demo-history-dialog")).toBeVisible();
  page.once("dialog", (question) => void question.accept());
  await importFile("kiroku.json", exported);
  await expect(page.getByTestId("demo-history-dialog")).toBeHidden();
  await expect(status).toHaveText(/^Imported 3 events from kiroku\.json in \d+\.\d s\.$/);
  await expect(other.position).toHaveText("3 / 3");
  expect(await kiroku("events", {})).toEqual(events);
  await page.getByTestId("import-close").click();
  await expect(dialog).toBeHidden();
  // It survives a reload.
  await other.reload();
  await expect(other.position).toHaveText("3 / 3");
});

test("an import from the page shows that it is working while a long file is read, checked and stored", async ({ page }) => {
  const lab = await LabPage.open(page, "import-busy");
  await callKiroku(page, "loadDemo", { events: 10000, seed: 7 });
  const exported: string = await callKiroku(page, "exportLog");
  await callKiroku(page, "reset");
  await expect(lab.position).toHaveText("0 / 0");
  // Every state the status line takes, as the page draws it.
  await page.evaluate(() => {
    const seen: string[] = ((window as any).__importStatus = []);
    new MutationObserver(() => {
      const status = document.querySelector("[data-testid=import-status]");
      const progress = document.querySelector("[data-testid=import-dialog] progress");
      const input = document.querySelector<HTMLInputElement>("[data-testid=import-log]");
      const demo = document.querySelector<HTMLButtonElement>("[data-testid=demo-history]");
      // The input is invisible: its label is what looks disabled.
      const looks = input && getComputedStyle(input.closest("label")!).opacity === "1" ? "enabled" : "disabled";
      const line = status ? `${status.textContent} [${progress?.hasAttribute("value") ? "value" : "busy"}, ${input?.disabled ? "disabled" : "enabled"}, looks ${looks}, demo ${demo?.disabled ? "disabled" : "enabled"}]` : "";
      if (line && seen[seen.length - 1] !== line) seen.push(line);
    }).observe(document.body, { subtree: true, childList: true, characterData: true, attributes: true });
  });
  page.once("dialog", (question) => void question.accept());
  await page.getByTestId("import-log").setInputFiles({ name: "demo.json", mimeType: "application/json", buffer: Buffer.from(exported) });
  await expect(page.getByTestId("import-status")).toHaveText(/^Imported 10,\d{3} events from demo\.json/);
  const seen: string[] = await page.evaluate(() => (window as any).__importStatus);
  // The progress bar runs without a value while the page works, and neither another file
  // nor a demo history can replace the log meanwhile.
  expect(seen[0]).toBe("Reading demo.json… [busy, disabled, looks disabled, demo disabled]");
  expect(seen).toContain("Checking, saving and projecting the events of demo.json… [busy, disabled, looks disabled, demo disabled]");
  const imported = Number(/^Imported ([\d,]+) events/.exec(seen[seen.length - 1])![1].replace(",", ""));
  expect(seen[seen.length - 1]).toMatch(/^Imported 10,\d{3} events from demo\.json in \d+\.\d s\. \[value, enabled, looks enabled, demo enabled\]$/);
  expect(imported).toBe(JSON.parse(exported).events.length);
  await expect(lab.position).toHaveText(`${imported} / ${imported}`);
});
