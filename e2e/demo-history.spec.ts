import { expect, test } from "@playwright/test";
import { callKiroku as kiroku, LabPage } from "./pages/lab";

// Issue 6: "load demo history" with a progress bar; the history is seeded, saved, and reproducible.
test("the demo history fills the log with progress shown, and survives a reload", async ({ page }) => {
  const lab = await LabPage.open(page, "demo");
  await page.getByTestId("demo-history").click();
  const dialog = page.getByTestId("demo-history-dialog");
  await expect(dialog).toBeVisible();
  await page.getByTestId("demo-size").selectOption("10000");
  await page.getByTestId("demo-seed").fill("7");
  await page.getByTestId("demo-seed").dispatchEvent("change");
  const seen: string[] = [];
  // Whether a file could be imported meanwhile, as the page draws each status.
  await page.evaluate(() => {
    const states: string[] = ((window as any).__importWhileLoading = []);
    new MutationObserver(() => {
      const status = document.querySelector("[data-testid=demo-status]")?.textContent ?? "";
      const input = document.querySelector<HTMLInputElement>("[data-testid=import-log]");
      const state = `${status.split(":")[0].split(" ")[0]} import ${input?.disabled ? "disabled" : "enabled"}`;
      if (status && states[states.length - 1] !== state) states.push(state);
    }).observe(document.body, { subtree: true, childList: true, characterData: true, attributes: true });
  });
  await page.getByTestId("demo-load").click();
  // The bar and its text move while events are made, then say what was loaded.
  await expect(page.getByTestId("demo-progress")).toBeVisible();
  seen.push((await page.getByTestId("demo-status").textContent()) ?? "");
  await expect(page.getByTestId("demo-status")).toContainText("Loaded", { timeout: 60_000 });
  expect(seen.join(" ")).toMatch(/Making events|Saving|Loaded/);
  const loaded = Number((await page.getByTestId("demo-status").textContent())!.replace(/\D/g, ""));
  expect(loaded).toBe(10_000);
  await expect(lab.position).toHaveText(`${loaded} / ${loaded}`);
  // No import can replace the log while the demo history does.
  const states: string[] = await page.evaluate(() => (window as any).__importWhileLoading);
  expect(states).toContain("Making import disabled");
  expect(states).toContain("Saving import disabled");
  expect(states[states.length - 1]).toBe("Loaded import enabled");
  await page.keyboard.press("Escape");
  await expect(dialog).toBeHidden();

  // The timeline draws only what is near the selection, never 10,000 chips: the
  // selected event in the middle of the strip and, on each side, as many as fill its
  // half and reach past its edge (5 at this width), for any screen width.
  await lab.scrubTo(5000);
  await expect(lab.position).toHaveText(`5000 / ${loaded}`);
  const strip = async () =>
    page.evaluate(() => {
      const box = document.querySelector(".timeline-strip")!.getBoundingClientRect();
      const chips = [...document.querySelectorAll("[data-testid=timeline-event]")];
      const selected = document.querySelector(".timeline-strip .chip.selected")!.getBoundingClientRect();
      const next = document.querySelector(".strip-side.later .chip")!.getBoundingClientRect();
      const before = [...document.querySelectorAll(".strip-side.earlier .chip")].pop()!.getBoundingClientRect();
      return {
        drawn: chips.map((chip) => Number(chip.getAttribute("data-position"))),
        offCentre: Math.abs((selected.left + selected.right) / 2 - (box.left + box.right) / 2),
        // The chips beside the selected one sit right next to it.
        besideGaps: [Math.round(selected.left - before.right), Math.round(next.left - selected.right)],
        firstStartsBefore: chips[0].getBoundingClientRect().left <= box.left,
        lastEndsAfter: chips[chips.length - 1].getBoundingClientRect().right >= box.right,
      };
    });
  const at1366 = await strip();
  expect(at1366.drawn).toEqual(Array.from({ length: 11 }, (_, index) => 4995 + index));
  expect(at1366).toMatchObject({ firstStartsBefore: true, lastEndsAfter: true });
  expect(at1366.offCentre).toBeLessThan(1);
  const besideGaps = at1366.besideGaps;
  expect(besideGaps[0]).toBeGreaterThanOrEqual(0);
  expect(besideGaps[0]).toBeLessThan(12);
  // Focusing a chip cut off at the strip's edge (as Tab does) leaves the strip as it was.
  await page.locator("[data-testid=timeline-event]").last().focus();
  await page.locator("[data-testid=timeline-event]").first().focus();
  expect((await strip()).besideGaps).toEqual(besideGaps);
  await expect(page.locator("[data-testid=timeline-event][data-position='5000']")).toBeInViewport();
  // A wider window draws more on each side, a narrower one fewer, and the strip
  // stays full with the selection in its middle.
  for (const [width, perSide] of [[1920, 7], [1024, 4]]) {
    await page.setViewportSize({ width, height: 800 });
    await expect.poll(async () => (await strip()).drawn.length).toBe(2 * perSide + 1);
    const now = await strip();
    expect(now.drawn[perSide]).toBe(5000);
    expect(now).toMatchObject({ firstStartsBefore: true, lastEndsAfter: true });
    expect(now.offCentre).toBeLessThan(1);
  }
  await page.setViewportSize({ width: 1366, height: 768 });
  await expect.poll(async () => (await strip()).drawn.length).toBe(11);
  // A resize that keeps the count leaves the strip as it is: not a chip, text or
  // attribute in it is set again.
  const changedByResize = await page.evaluate(async () => {
    const changes: string[] = [];
    const observer = new MutationObserver((records) => records.forEach((record) => changes.push(`${record.type} ${(record.target as Element).nodeName}`)));
    observer.observe(document.querySelector(".timeline-strip")!, { subtree: true, childList: true, attributes: true, characterData: true });
    for (let n = 0; n < 3; n++) window.dispatchEvent(new Event("resize"));
    await new Promise((resolve) => requestAnimationFrame(() => setTimeout(resolve, 50)));
    observer.disconnect();
    return changes;
  });
  expect(changedByResize).toEqual([]);
  // The strip is measured whenever its own width changes, not only the window's.
  await page.locator(".timeline-strip").evaluate((strip) => ((strip as HTMLElement).style.width = "50%"));
  await expect.poll(async () => (await strip()).drawn.length).toBeLessThan(11);
  expect((await strip()).offCentre).toBeLessThan(1);
  await page.locator(".timeline-strip").evaluate((strip) => ((strip as HTMLElement).style.width = ""));
  await expect.poll(async () => (await strip()).drawn.length).toBe(11);
  // A jump across the log changes the chips in place: no chip is drawn anew. The
  // panels' notes on the rows left out and the event inspector are drawn once and
  // change only their texts: not one of their attributes is set again.
  await expect(page.getByTestId("rows-note")).toHaveCount(2);
  await page.evaluate(() => {
    document.querySelectorAll("[data-testid=timeline-event]").forEach((node) => ((node as any).__kept = true));
    const set: string[] = ((window as any).__attributesSet = []);
    const observer = new MutationObserver((records) => records.forEach((record) => set.push(`${(record.target as Element).tagName}.${record.attributeName}`)));
    const drawnOnce = "[data-testid=read-model-order-summary] tr.more, [data-testid=read-model-order-details] p.more, [data-testid=event-inspector] .panel-body";
    document.querySelectorAll(drawnOnce).forEach((node) => observer.observe(node, { attributes: true, subtree: true }));
  });
  const noteBefore = await page.getByTestId("rows-note").first().textContent();
  await lab.scrubTo(7000);
  await expect(page.locator("[data-testid=timeline-event][data-position='7000']")).toHaveClass(/selected/);
  const jumped = await page.getByTestId("timeline-event").evaluateAll((chips) => chips.map((chip) => [Number(chip.getAttribute("data-position")), !!(chip as any).__kept]));
  expect(jumped).toEqual(Array.from({ length: 11 }, (_, index) => [6995 + index, true]));
  await expect(page.getByTestId("event-json")).toContainText('"position": 7000');
  expect(await page.getByTestId("rows-note").first().textContent()).not.toEqual(noteBefore);
  expect(await page.evaluate(() => (window as any).__attributesSet)).toEqual([]);
  await lab.scrubTo(loaded);

  // The same seed and size give the same events; the log is stored.
  const stored = await kiroku(page, "events", {});
  expect(stored).toHaveLength(loaded);
  await lab.load();
  await expect(lab.position).toHaveText(`${loaded} / ${loaded}`);
  expect(await kiroku(page, "loadDemo", { events: 10000, seed: 7 })).toEqual({ status: "ok", imported: loaded });
  expect(await kiroku(page, "events", {})).toEqual(stored);
  // Asked for too long a history or not a number of events, the console says why and
  // keeps the log as it is (it had run the page out of memory, or loaded 100k events).
  for (const bad of [{ events: 1e12 }, { events: -5 }, { events: "2000" }, { seed: 1.5 }, 2000]) {
    const refused = await kiroku(page, "loadDemo", bad);
    expect(refused, JSON.stringify(bad)).toMatchObject({ status: "invalid", error: { code: "invalid_demo" } });
    expect(refused.error.message).toMatch(/at most 1000000 events|whole number|pass \{events, seed\}/);
  }
  expect(await kiroku(page, "events", {})).toEqual(stored);
  await expect(lab.position).toHaveText(`${loaded} / ${loaded}`);
  const other = await kiroku(page, "loadDemo", { events: 2000, seed: 8 });
  expect(other.status).toBe("ok");
  expect((await kiroku(page, "events", {}))[5]).not.toEqual(stored[5]);
});

// Seeds 000 §06, 002, 004: a long stream loads from its latest snapshot plus the events after it.
test("the write model of a long stream shows its snapshot, the interval, the timing with and without, and before its snapshot why it replays", async ({ page }) => {
  const lab = await LabPage.open(page, "snapshots");
  expect((await kiroku(page, "loadDemo", { events: 10000, seed: 3 })).status).toBe("ok");
  await lab.load();
  // The longest warehouse stream has more than 100 events: it has a snapshot.
  const events: any[] = await kiroku(page, "events", {});
  const lengths = new Map<string, number>();
  for (const event of events) lengths.set(event.stream_id, event.stream_version);
  const [stream, length] = [...lengths.entries()].sort((a, b) => b[1] - a[1])[0];
  expect(length).toBeGreaterThan(100);
  const withSnapshot = await kiroku(page, "replay", { stream_id: stream });
  const without = await kiroku(page, "replay", { stream_id: stream, use_snapshot: false });
  expect(withSnapshot.from_snapshot).toBe(true);
  expect(withSnapshot.events_replayed).toBe(length % 100);
  expect(without).toMatchObject({ from_snapshot: false, events_replayed: length, stream_version: length });
  expect(withSnapshot.state).toEqual(without.state);

  // Select the stream's last event: the write model says how it was loaded.
  const last = events.filter((event) => event.stream_id === stream).pop();
  await lab.slider.fill(String(last.position));
  await expect(lab.aggregate).toContainText(stream);
  const tail = length % 100;
  const snapshotAt = (length - tail).toLocaleString("en-US");
  await expect(page.getByTestId("snapshot-loaded")).toContainText(`snapshot v${snapshotAt} + ${tail === 1 ? "1 event" : `${tail} events`}`);
  await page.getByTestId("snapshot-compare").click();
  await expect(page.getByTestId("snapshot-timing")).toContainText(/with snapshot [\d.]+ ms · full replay [\d.]+ ms/);
  // Back before the snapshot, the stream is replayed from its start, and says why.
  const early = events.find((event) => event.stream_id === stream && event.stream_version === 50);
  await lab.slider.fill(String(early.position));
  await expect(page.getByTestId("snapshot-loaded")).toHaveText(`loaded: replayed 50 events: its only snapshot, v${snapshotAt}, is later`);

  // A teacher sets the interval per type; it is kept across a reload.
  await page.getByTestId("snapshot-interval").fill("10");
  await page.getByTestId("snapshot-interval").dispatchEvent("change");
  await page.waitForTimeout(600); // saved on the next tick
  await lab.load();
  await lab.slider.fill(String(last.position));
  await expect(page.getByTestId("snapshot-interval")).toHaveValue("10");
});

test("kiroku.measure answers the benchmark's timings", async ({ page }) => {
  await LabPage.open(page, "measure");
  expect((await kiroku(page, "loadDemo", { events: 6000, seed: 1 })).status).toBe("ok");
  const fold = await kiroku(page, "measure", { kind: "fold" });
  expect(fold.events).toBe(6000);
  expect(fold.ms).toBeGreaterThanOrEqual(0);
  const jump = await kiroku(page, "measure", { kind: "jump", position: 4321 });
  expect(jump.position).toBe(4321);
  // A checkpoint every 2,000 events, taken as the load folds the log (to the event
  // before the head: 5,999).
  const memory = await kiroku(page, "measure", { kind: "memory" });
  expect(memory).toMatchObject({ checkpoint_every: 2000, checkpoints: 2, checkpoints_due: 2 });
  expect(memory.wasm_bytes).toBeGreaterThan(1_000_000);
  // What the program holds of wasm's memory: now, and at most.
  expect(memory.heap_live_bytes).toBeGreaterThan(1_000_000);
  expect(memory.heap_live_bytes).toBeLessThanOrEqual(memory.heap_peak_bytes);
  expect(memory.heap_peak_bytes).toBeLessThanOrEqual(memory.wasm_bytes);
  expect((await kiroku(page, "measure", { kind: "jump", position: 999999 })).status).toBe("invalid");
  expect((await kiroku(page, "measure", { kind: "nope" })).status).toBe("invalid");
});

// Panels are patched, not rebuilt: after a command, the rows and chips that look the
// same are the very same DOM nodes, and only what changed is drawn anew.
test("a command redraws only the rows it changed, and the timeline changes its chips in place", async ({ page }) => {
  await LabPage.open(page, "patched");
  expect((await kiroku(page, "loadDemo", { events: 3000, seed: 4 })).status).toBe("ok");
  const summary = page.getByTestId("read-model-order-summary");
  await expect(summary.locator("tr[data-order-id]").first()).toBeVisible();
  // Tag the nodes drawn now.
  await page.evaluate(() => {
    document.querySelectorAll("[data-testid=read-model-order-summary] tr[data-order-id], [data-testid=timeline-event]").forEach((node) => ((node as any).__kept = true));
  });
  // The table's first row (an order the last event changed may be drawn before it).
  const firstOrder = await summary.locator("tr[data-order-id]:not(.changed)").first().getAttribute("data-order-id");
  expect((await kiroku(page, "send", { command_type: "CreateAccount", aggregate_id: "patch-1", data: { owner: "Mika", initial_balance: 0 } })).status).toBe("accepted");
  const head = (await kiroku(page, "events", {})).length;
  await expect(page.getByTestId("timeline-position")).toHaveText(`${head} / ${head}`);
  const kept = await page.evaluate(() => ({
    rows: [...document.querySelectorAll("[data-testid=read-model-order-summary] tr[data-order-id]")].map((node) => [node.getAttribute("data-order-id"), !!(node as any).__kept]),
    chips: [...document.querySelectorAll("[data-testid=timeline-event]")].map((node) => [Number(node.getAttribute("data-position")), !!(node as any).__kept]),
  }));
  // A new account changes no order: every order row is the node drawn before.
  expect(kept.rows.length).toBeGreaterThanOrEqual(8);
  expect(kept.rows.every(([, same]) => same)).toBe(true);
  expect(kept.rows[0][0]).toBe(firstOrder);
  // The strip's chips are drawn once and changed in place: the very same nodes now
  // show the events up to the new one.
  expect(kept.chips.every(([, same]) => same)).toBe(true);
  expect(kept.chips.map(([position]) => position)).toEqual(Array.from({ length: 6 }, (_, index) => head - 5 + index));

  // The write model shows the account; a deposit redraws its balance and keeps the
  // other fields' rows and the line of how it was loaded.
  const writeModel = page.getByTestId("aggregate-state");
  await expect(writeModel.locator("tr[data-field=owner]")).toContainText("Mika");
  await page.evaluate(() => {
    document.querySelectorAll("[data-testid=aggregate-state] tr[data-field], [data-testid=aggregate-state] td, [data-testid=snapshot-figure]").forEach((node) => ((node as any).__kept = true));
  });
  expect((await kiroku(page, "send", { command_type: "DepositMoney", aggregate_id: "patch-1", data: { amount: 700 } })).status).toBe("accepted");
  await expect(page.getByTestId("snapshot-loaded")).toHaveText("loaded: replayed 2 events");
  await expect(writeModel.locator("tr[data-field=balance]")).toContainText("700");
  const fields = await page.evaluate(() => ({
    rows: Object.fromEntries([...document.querySelectorAll("[data-testid=aggregate-state] tr[data-field]")].map((row) => [row.getAttribute("data-field"), [!!(row as any).__kept, !!(row.querySelector("td") as any).__kept, row.classList.contains("changed")]])),
    figure: !!(document.querySelector("[data-testid=snapshot-figure]") as any).__kept,
  }));
  expect(fields.figure).toBe(true);
  expect(fields.rows.owner).toEqual([true, true, false]);
  expect(fields.rows.balance).toEqual([true, true, true]);

  // Another stream (a jump across the log lands on another stream almost every time)
  // keeps the body: of the same type, its rows too, patched where they differ.
  expect((await kiroku(page, "send", { command_type: "CreateAccount", aggregate_id: "patch-2", data: { owner: "Noa", initial_balance: 5 } })).status).toBe("accepted");
  await expect(writeModel.locator("tr[data-field=owner]")).toContainText("Noa");
  await expect(page.getByTestId("snapshot-loaded")).toHaveText("loaded: replayed 1 event");
  const other = await page.evaluate(() => ({
    owner: !!(document.querySelector("[data-testid=aggregate-state] tr[data-field=owner]") as any).__kept,
    figure: !!(document.querySelector("[data-testid=snapshot-figure]") as any).__kept,
  }));
  expect(other).toEqual({ owner: true, figure: true });
  // Of another type: the same figure, with that type's interval; the other type's fields.
  await page.getByTestId("snapshot-interval").fill("7");
  await page.getByTestId("snapshot-interval").dispatchEvent("change");
  expect((await kiroku(page, "send", { command_type: "CreateOrder", aggregate_id: "patch-3", data: { customer_name: "山田太郎" } })).status).toBe("accepted");
  await expect(writeModel.locator("tr[data-field=customer_name]")).toContainText("山田太郎");
  await expect(writeModel.locator("tr[data-field=owner]")).toHaveCount(0);
  expect(await page.evaluate(() => !!(document.querySelector("[data-testid=snapshot-figure]") as any).__kept)).toBe(true);
  await expect(page.getByTestId("snapshot-interval")).toHaveValue("100");
  await expect(page.getByTestId("snapshot-interval")).toHaveAttribute("title", /each Order stream/);
  // Back on the account, its own interval.
  await page.getByTestId("timeline-step-back").click();
  await expect(writeModel.locator("tr[data-field=owner]")).toContainText("Noa");
  await expect(page.getByTestId("snapshot-interval")).toHaveValue("7");
  await expect(page.getByTestId("snapshot-interval")).toHaveAttribute("title", /each Account stream/);
});
