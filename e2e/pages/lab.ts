import { expect, type Locator, type Page } from "@playwright/test";

/** Calls `window.kiroku[call](...args)` in the page and resolves to its answer. */
export function callKiroku(page: Page, call: string, ...args: unknown[]): Promise<any> {
  return page.evaluate(([call, args]) => (window as any).kiroku[call as string](...(args as unknown[])), [call, args] as const);
}

/**
 * Opens `database` one layout up from `page`, as a newer Kiroku in another tab
 * would, and closes it again: "opened in layout N", or "blocked" while a tab keeps
 * the storage open.
 */
export function openInNewerLayout(page: Page, database: string): Promise<string> {
  return page.evaluate(async (name) => {
    const stored = (await indexedDB.databases()).find((database) => database.name === name);
    const newer = (stored?.version ?? 0) + 1;
    return new Promise<string>((resolve, reject) => {
      const request = indexedDB.open(name, newer);
      request.onsuccess = () => { request.result.close(); resolve(`opened in layout ${newer}`); };
      request.onblocked = () => resolve("blocked");
      request.onerror = () => reject(request.error);
    });
  }, database);
}

/** The lab's one screen, as a person uses it. Each test gets its own IndexedDB database. */
export class LabPage {
  readonly page: Page;
  readonly database: string;
  readonly result: Locator;
  readonly timeline: Locator;
  readonly slider: Locator;
  readonly position: Locator;
  readonly summary: Locator;
  readonly details: Locator;
  readonly aggregate: Locator;
  readonly inspector: Locator;

  constructor(page: Page, database: string) {
    this.page = page;
    this.database = database;
    this.result = page.getByTestId("command-result");
    this.timeline = page.getByTestId("timeline");
    this.slider = page.getByTestId("timeline-slider");
    this.position = page.getByTestId("timeline-position");
    this.summary = page.getByTestId("read-model-order-summary");
    this.details = page.getByTestId("read-model-order-details");
    this.aggregate = page.getByTestId("aggregate-state");
    this.inspector = page.getByTestId("event-inspector");
  }

  static async open(page: Page, name: string): Promise<LabPage> {
    const database = `e2e-${name}-${Date.now()}-${Math.random().toString(36).slice(2, 8)}`;
    const lab = new LabPage(page, database);
    await lab.load();
    return lab;
  }

  async load() {
    await this.page.goto(`/?db=${this.database}`);
    await this.waitReady();
  }

  async reload() {
    await this.page.reload();
    await this.waitReady();
  }

  async waitReady() {
    await this.page.waitForFunction(() => (window as any).kiroku !== undefined);
    const ready = await this.page.evaluate(() => (window as any).kiroku.ready);
    expect(ready.status).toBe("ok");
    await expect(this.timeline).toBeVisible();
  }

  /** The sequence number of the last outcome shown (0 before any command). */
  private async lastSequence(): Promise<number> {
    const outcome = this.result.locator(".outcome");
    return (await outcome.count()) === 0 ? 0 : Number(await outcome.getAttribute("data-seq"));
  }

  /** Runs a form action and returns the outcome it produced. */
  private async sent(action: () => Promise<void>): Promise<{ status: string; code: string | null; message: string }> {
    const next = (await this.lastSequence()) + 1;
    await action();
    const outcome = this.result.locator(`.outcome[data-seq="${next}"]`);
    await expect(outcome).toHaveCount(1);
    await expect(this.page.getByTestId("create-order")).toBeEnabled();
    return {
      status: (await outcome.getAttribute("data-status")) ?? "",
      code: await outcome.getAttribute("data-code"),
      // Accepted outcomes have no message: read without waiting for one.
      message: (await outcome.locator(".message").allTextContents()).join(" "),
    };
  }

  createOrder(customer: string) {
    return this.sent(async () => {
      await this.page.getByTestId("customer-name").fill(customer);
      await this.page.getByTestId("create-order").click();
    });
  }

  async chooseOrder(customer: string) {
    const picker = this.page.getByTestId("order-picker");
    const option = picker.locator("option", { hasText: customer }).first();
    await picker.selectOption((await option.getAttribute("value"))!);
  }

  addItem(product: string, quantity: number | string, unitPrice: number | string) {
    return this.sent(async () => {
      await this.page.getByTestId("product-name").fill(product);
      await this.page.getByTestId("quantity").fill(String(quantity));
      await this.page.getByTestId("unit-price").fill(String(unitPrice));
      await this.page.getByTestId("add-item").click();
    });
  }

  removeItem(product: string) {
    return this.sent(async () => {
      await this.page.getByTestId("remove-product").selectOption(product);
      await this.page.getByTestId("remove-item").click();
    });
  }

  confirm() {
    return this.sent(() => this.page.getByTestId("confirm-order").click());
  }

  ship() {
    return this.sent(() => this.page.getByTestId("ship-order").click());
  }

  cancel(reason: string) {
    return this.sent(async () => {
      await this.page.getByTestId("cancel-reason").fill(reason);
      await this.page.getByTestId("cancel-order").click();
    });
  }

  /** Drags the scrubber to a position. */
  async scrubTo(position: number) {
    await this.slider.fill(String(position));
  }

  summaryRow(customer: string): Locator {
    return this.summary.locator("tbody tr", { hasText: customer });
  }

  /** Types an envelope into the JSON console, sends it, and returns the parsed answer. */
  async consoleSend(envelope: object): Promise<any> {
    await this.page.getByTestId("tab-json").click();
    const history = this.page.getByTestId("json-output");
    const next = (await history.count()) + 1;
    await this.page.getByTestId("json-input").fill(JSON.stringify(envelope, null, 2));
    await this.page.getByTestId("json-send").click();
    const answer = this.page.locator(`[data-testid=json-output][data-seq="${next}"] > pre`);
    await expect(answer).toHaveCount(1);
    return JSON.parse((await answer.textContent())!);
  }

  /** Shows a panel by name if it is hidden. */
  async showPanel(name: string) {
    const toggle = this.page.locator(`[data-testid=panel-picker] [data-panel="${name}"]`);
    if ((await toggle.getAttribute("aria-pressed")) !== "true") {
      await toggle.click();
    }
  }

  async head(): Promise<number> {
    return this.page.evaluate(async () => (await (window as any).kiroku.events({})).length);
  }
}
