#!/usr/bin/env node
// Kiroku's benchmark: the release build (dist/) in headless Chromium, against the
// product owner's targets and against peers measured in the same run on the same
// events (Dexie, Redux DevTools' instrument, Emmett; see bench/peers/).
//
//   make bench                                   # builds dist/, then runs this
//   node bench/run.cjs --events 100000 --runs 10 --out bench/results/latest.json
//
// Options: --events N (history size, 100000) · --runs R (measured runs per figure,
// each after one warm-up run; 10) · --small-events N (the history Redux DevTools
// records, 10000) · --stream-events N (the one long stream, 10000) · --seed S (42)
// · --out FILE (bench/results/latest.json) · --dist DIR (dist) · --no-isolation
// (serve without COOP/COEP: coarser clock) · --strict (a figure the build cannot
// give, "n/a", fails the run too).
//
// Prints one table and writes the same data as JSON. Exits non-zero only when the
// benchmark itself broke (an exception, a wrong answer): a missed target is a
// result, reported as missed, never a failure of the run.
"use strict";
const fs = require("node:fs");
const os = require("node:os");
const path = require("node:path");
const zlib = require("node:zlib");
const { execFileSync } = require("node:child_process");
const { chromium } = require("playwright");
const esbuild = require("esbuild");
const { serve } = require("./lib/server.cjs");
// The seeded generator (mulberry32) also picks positions, so runs pick the same ones.
const { generatedHistory, longStreamHistory, random } = require("./lib/history.cjs");
const { describe, median, percentile, ms, mb, kb, times } = require("./lib/stats.cjs");

const ROOT = path.join(__dirname, "..");
const CHROMIUM = "/usr/bin/chromium";
const CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run"];
const JUMPS_PER_RUN = 20;
const SCRUBS_PER_RUN = 20;
const SENDS_PER_RUN = 50;
const FRAME_MS = 1000 / 60;
// What a Kiroku page (PAGE_HOOKS) and the Dexie cold load's page (peers/index.js)
// write to the console once they are ready: the run waits for it without running
// anything in the page meanwhile (see `untilReady`).
const READY_MESSAGE = "kiroku-bench:ready";

/** How each figure is taken, printed under the table and kept in the JSON. */
const METHOD = [
  "Kiroku's figures are taken in the page with performance.now(); every figure is the median of the measured runs, after one warm-up run.",
  "import: kiroku.importLog(file, {mode: \"replace\"}) into a fresh database, handed the export file's bytes (a Uint8Array, as the page's Import button reads a file), reading them as UTF-8 JSON and validating included; beside it, importLog of the file's text (a JS string, as the contract first gave it), into another fresh database, the two in turns; Dexie: bulkAdd of the already parsed events into a fresh database.",
  "cold load: from the reload's navigation start to kiroku.ready resolved (every read model at the head and every timeline checkpoint, taken as the log is folded); Dexie: from the peer page's navigation start to toArray done and the same read models reduced in plain JS. Both pages say on their console when they are ready; the run waits for that, running nothing in either page during its load.",
  "command round trip: kiroku.send(DepositMoney) to its answer, with the history in the log; p50 and p99 of every send of the measured runs.",
  "jump: kiroku.measure({kind: \"jump\"}) at seeded random positions; Redux DevTools: jumpToState (and getState) on the instrumented store of the small history, 20 jumps timed together.",
  "scrub: the timeline slider's value set and `input` dispatched at the start of a frame, until that frame's paint is done; long tasks from a PerformanceObserver.",
  "memory: kiroku.measure({kind: \"memory\"}).wasm_bytes + the page's JS heap after a full GC (CDP); Redux DevTools: the JS heap its store adds after a full GC.",
  "ready to travel / recompute: Kiroku imports the small history / folds it (kiroku.measure fold); Redux DevTools records it (one action per event) / recomputes every state after toggleAction(1).",
  "fold: kiroku.measure({kind: \"fold\"}); Emmett: aggregateStream over every stream of the same events in its in-memory store, after appendToStream per stream; beside them, the Dexie peer's plain JS reducer alone on the parsed events, in a page of its own, after a warm-up like the fold (in the Dexie cold load's fresh page it runs cold: figures.dexie_cold_load.project_ms).",
  "JSON.parse of the file: the browser's parser on the export file's text, timed in the same page right after each import: the floor of any import of this file.",
];

// ------------------------------------------------------------------ options

function parseOptions(argv) {
  const options = { events: 100000, runs: 10, smallEvents: 10000, streamEvents: 10000, seed: 42, out: "bench/results/latest.json", dist: "dist", isolated: true, strict: false };
  const names = { "--events": "events", "--runs": "runs", "--small-events": "smallEvents", "--stream-events": "streamEvents", "--seed": "seed", "--out": "out", "--dist": "dist" };
  for (let i = 0; i < argv.length; i++) {
    const [flag, inline] = argv[i].split("=", 2);
    if (flag === "--no-isolation") options.isolated = false;
    else if (flag === "--strict") options.strict = true;
    else if (flag === "--help" || flag === "-h") {
      console.log(fs.readFileSync(__filename, "utf8").split("\n").slice(1, 18).map((line) => line.replace(/^\/\/ ?/, "")).join("\n"));
      process.exit(0);
    } else if (names[flag]) {
      const value = inline ?? argv[++i];
      if (value === undefined) throw new Error(`${flag} needs a value`);
      options[names[flag]] = ["out", "dist"].includes(names[flag]) ? value : Number(value);
    } else throw new Error(`unknown option ${argv[i]} (see --help)`);
  }
  for (const key of ["events", "runs", "smallEvents", "streamEvents"]) {
    if (!Number.isInteger(options[key]) || options[key] < 1) throw new Error(`--${key.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)} must be a positive integer`);
  }
  options.smallEvents = Math.min(options.smallEvents, options.events);
  return options;
}

// ------------------------------------------------------------------ helpers

/**
 * Navigates `page` to `url` and waits until the page writes READY_MESSAGE to its
 * console, running nothing in the page meanwhile. `waitForFunction` compiles
 * Playwright's own script in the page and polls it every frame, on the thread whose
 * load is being timed: side by side, 20 reloads of the 100k history each, Kiroku's
 * ready came at 317.6 ms (median) with it and at 291.4 ms without.
 */
async function untilReady(page, url) {
  const ready = page.waitForEvent("console", { predicate: (message) => message.text() === READY_MESSAGE, timeout: 120000 });
  ready.catch(() => {}); // awaited below; a failed goto must not leave it unhandled
  await page.goto(url);
  await ready;
}

/** A figure the build cannot give (a console call it does not have): "n/a" with the reason. */
class NotAvailable extends Error {}

/** `count` positions in 1..=head, drawn from a seeded generator. */
function positions(next, count, head) {
  return Array.from({ length: count }, () => 1 + Math.floor(next() * head));
}

const log = (...parts) => console.error(`bench: ${parts.join(" ")}`);

/** Calls window.kiroku[name](...args) in the page; NotAvailable if this build has no such call. */
async function kiroku(page, name, ...args) {
  const answer = await page.evaluate(
    async ([name, args]) => {
      const api = window.kiroku;
      if (!api || typeof api[name] !== "function") return { __missing: `kiroku.${name} is not in this build` };
      return api[name](...args);
    },
    [name, args],
  );
  if (answer && answer.__missing) throw new NotAvailable(answer.__missing);
  return answer;
}

/** kiroku.measure(request), checked: NotAvailable when absent or when it does not know the kind. */
async function measure(page, request) {
  const answer = await kiroku(page, "measure", request);
  if (!answer || answer.status === "invalid" || answer.status === "error") {
    throw new NotAvailable(`kiroku.measure(${JSON.stringify(request)}) answered ${JSON.stringify(answer).slice(0, 200)}`);
  }
  if (typeof answer.ms !== "number" && request.kind !== "memory") throw new Error(`kiroku.measure(${JSON.stringify(request)}) gave no ms: ${JSON.stringify(answer).slice(0, 200)}`);
  return answer;
}

// Runs in every Kiroku page before its own scripts: notes when window.kiroku is set
// and when its `ready` resolves (both from navigation start), writes `readyMessage`
// to the console once ready, and keeps the wasm exports Trunk hands over, to read
// the size of wasm's linear memory.
const PAGE_HOOKS = (readyMessage) => {
  let api;
  Object.defineProperty(window, "kiroku", {
    configurable: true,
    enumerable: true,
    get: () => api,
    set(value) {
      api = value;
      window.__bench = window.__bench || {};
      window.__bench.installedAt = performance.now();
      Promise.resolve(value && value.ready).then(() => {
        window.__bench.readyAt = performance.now();
        console.debug(readyMessage);
      });
    },
  });
  addEventListener("TrunkApplicationStarted", (event) => {
    window.__bench = window.__bench || {};
    window.__bench.wasm = event.detail && event.detail.wasm;
  });
  window.__bench = window.__bench || {};
  window.__bench.longTasks = [];
  try {
    new PerformanceObserver((list) => {
      for (const entry of list.getEntries()) window.__bench.longTasks.push({ at: entry.startTime, ms: entry.duration });
    }).observe({ type: "longtask" });
  } catch {
    window.__bench.longTasks = null;
  }
};

/** The files index.html loads (its /name.js, .wasm, .css), missing from `dir`. */
function missingFiles(dir) {
  const html = fs.readFileSync(path.join(dir, "index.html"), "utf8");
  const wanted = [...new Set([...html.matchAll(/["'\/]\/?([\w.-]+\.(?:js|wasm|css))["']/g)].map((match) => match[1]))];
  if (!wanted.some((file) => file.endsWith(".wasm"))) return ["a .wasm file named in index.html"];
  return wanted.filter((file) => !fs.existsSync(path.join(dir, file)));
}

/**
 * A private copy of the bundle, so a build running meanwhile cannot change it under
 * the run; while a build is writing dist/ (index.html names files not there yet),
 * waits for it to finish, up to ten minutes.
 */
async function snapshotDist(dist) {
  const deadline = Date.now() + 600000;
  for (;;) {
    const copy = fs.mkdtempSync(path.join(os.tmpdir(), "kiroku-bench-dist-"));
    fs.cpSync(dist, copy, { recursive: true, filter: (source) => !source.includes(`${path.sep}.stage`) });
    const missing = missingFiles(copy);
    if (missing.length === 0) return copy;
    fs.rmSync(copy, { recursive: true, force: true });
    if (Date.now() > deadline) throw new Error(`${dist}/ is incomplete (${missing.join(", ")} missing): run \`make build\``);
    log(`${dist}/ is being built (${missing.join(", ")} missing); waiting…`);
    await new Promise((resolve) => setTimeout(resolve, 5000));
  }
}

// ------------------------------------------------------------------ the run

class Bench {
  constructor(options) {
    this.options = options;
    this.stamp = Date.now().toString(36);
    this.rows = [];
    this.samples = {};
    this.notes = [];
    this.errors = [];
    this.figures = {};
  }

  async start() {
    const { options } = this;
    if (!fs.existsSync(path.join(options.dist, "index.html"))) throw new Error(`${options.dist}/index.html is missing: run \`make build\` first`);
    this.dist = await snapshotDist(options.dist);
    const bundle = await esbuild.build({
      entryPoints: [path.join(__dirname, "peers/index.js")],
      bundle: true,
      format: "iife",
      platform: "browser",
      target: "es2022",
      minify: true,
      write: false,
      logLevel: "silent",
    });
    this.server = await serve({ root: this.dist, isolated: options.isolated });
    this.server.files.set("peers.js", { type: "text/javascript; charset=utf-8", body: Buffer.from(bundle.outputFiles[0].contents) });
    this.browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
    this.context = await this.browser.newContext({ viewport: { width: 1366, height: 768 } });
    await this.context.addInitScript(PAGE_HOOKS, READY_MESSAGE);
    this.machine = {
      cpu: os.cpus()[0]?.model ?? "unknown",
      cores: os.cpus().length,
      memory_bytes: os.totalmem(),
      os: `${os.type()} ${os.release()} ${os.arch()}`,
      chromium: this.browser.version(),
      node: process.version,
      load_average_at_start: os.loadavg().map((value) => +value.toFixed(2)),
      date: new Date().toISOString(),
    };
    log(`Chromium ${this.machine.chromium}, ${this.machine.cores} × ${this.machine.cpu}, serving ${options.dist}/ on ${this.server.origin}`);
  }

  async stop() {
    await this.browser?.close().catch(() => {});
    await this.server?.close().catch(() => {});
    if (this.dist) fs.rmSync(this.dist, { recursive: true, force: true });
  }

  /** A page on Kiroku with database `db`, loaded (kiroku.ready resolved). */
  async kirokuPage(db, page) {
    if (!page) {
      page = await this.context.newPage();
      page.on("pageerror", (error) => this.notes.push(`page error: ${error.message}`));
    }
    await this.open(page, db);
    return page;
  }

  /** Navigates to Kiroku on `db`; resolves to {installedAt, readyAt} in ms from navigation start. */
  async open(page, db) {
    await untilReady(page, `${this.server.origin}/?db=${encodeURIComponent(db)}`);
    // What is timed next (an import, a send) starts once the page has drawn its first
    // frame after ready, not while it draws it.
    return page.evaluate(() => new Promise((settled) => requestAnimationFrame(() => setTimeout(() =>
      settled({ installedAt: window.__bench.installedAt, readyAt: window.__bench.readyAt })))));
  }

  /** Waits until the page holds every timeline checkpoint (a load takes them as it folds; an older build took them after ready). */
  async checkpointsTaken(page) {
    // A loop in the page, not waitForFunction: that takes the promise an async
    // predicate returns as a truthy answer and would not wait at all.
    const held = await page.evaluate(async () => {
      const until = performance.now() + 120000;
      for (;;) {
        const memory = await window.kiroku.measure({ kind: "memory" });
        if (memory.checkpoints_due === undefined || memory.checkpoints >= memory.checkpoints_due) return memory;
        if (performance.now() > until) throw new Error(`timeline checkpoints: ${memory.checkpoints} of ${memory.checkpoints_due} after 120 s`);
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
    });
    return held;
  }

  async peerPage(query = "") {
    const page = await this.context.newPage();
    page.on("pageerror", (error) => this.notes.push(`peer page error: ${error.message}`));
    await page.goto(`${this.server.origin}/__bench/peer.html${query}`);
    await page.waitForFunction(() => window.kirokuPeers);
    return page;
  }

  /** Loads the export file served as `name` into the page as window.__events (outside any timing). */
  async loadEvents(page, name) {
    return page.evaluate(async (name) => {
      const text = await (await fetch(`/__bench/history/${name}`)).text();
      window.__events = JSON.parse(text).events;
      return window.__events.length;
    }, name);
  }

  serveHistory(name, text) {
    this.server.files.set(`history/${name}`, { type: "application/json", body: text });
  }

  async deleteDatabase(page, name) {
    await page.evaluate((name) => new Promise((resolve) => {
      const request = indexedDB.deleteDatabase(name);
      request.onsuccess = request.onerror = request.onblocked = () => resolve();
    }), name);
  }

  /** JS heap used after a full garbage collection, from CDP. */
  async heapUsed(page) {
    const cdp = await this.context.newCDPSession(page);
    try {
      await cdp.send("HeapProfiler.collectGarbage");
      await cdp.send("Performance.enable");
      const { metrics } = await cdp.send("Performance.getMetrics");
      return metrics.find((metric) => metric.name === "JSHeapUsedSize")?.value ?? null;
    } finally {
      await cdp.detach().catch(() => {});
    }
  }

  /** Runs `fn` (R + 1 times are up to it); an error becomes "n/a" with its reason. */
  async step(name, fn) {
    const started = Date.now();
    log(`${name}…`);
    try {
      await fn();
    } catch (error) {
      const reason = error instanceof NotAvailable ? error.message : `${error.name}: ${error.message}`;
      this.figures[name] = { error: reason };
      if (!(error instanceof NotAvailable) || this.options.strict) this.errors.push(`${name}: ${reason}`);
      log(`${name}: n/a (${reason})`);
      if (!(error instanceof NotAvailable)) console.error(error.stack);
    }
    log(`${name} done in ${((Date.now() - started) / 1000).toFixed(1)} s`);
  }

  /** `fn(run)` for the warm-up (run 0) and R measured runs; resolves to the measured runs' answers. */
  async repeat(fn) {
    const answers = [];
    for (let run = 0; run <= this.options.runs; run++) {
      const answer = await fn(run);
      if (run > 0) answers.push(answer);
    }
    return answers;
  }

  // -------------------------------------------------------------- histories

  /** The N-event and small histories: kiroku.loadDemo + exportLog, or this script's generator. */
  async histories() {
    const { options } = this;
    const page = await this.kirokuPage(`bench-${this.stamp}-source`);
    this.history = {};
    for (const [name, events] of [["main", options.events], ["small", options.smallEvents]]) {
      let text;
      let source;
      try {
        const answer = await kiroku(page, "loadDemo", { events, seed: options.seed });
        if (answer?.status !== "ok") throw new Error(`kiroku.loadDemo answered ${JSON.stringify(answer).slice(0, 300)}`);
        text = await kiroku(page, "exportLog");
        source = `kiroku.loadDemo({events: ${events}, seed: ${options.seed}})`;
      } catch (error) {
        if (!(error instanceof NotAvailable)) throw error;
        text = generatedHistory(events, options.seed);
        source = `bench/lib/history.cjs (${error.message})`;
      }
      const count = JSON.parse(text).events.length;
      if (count !== events) this.notes.push(`the ${name} history asked for ${events} events and has ${count}`);
      this.serveHistory(`${name}.json`, text);
      this.history[name] = { events: count, bytes: Buffer.byteLength(text), source };
      log(`${name} history: ${count} events, ${(Buffer.byteLength(text) / 1048576).toFixed(1)} MB, from ${source}`);
    }
    const stream = longStreamHistory(options.streamEvents, options.seed);
    this.serveHistory("stream.json", stream);
    this.history.stream = { events: JSON.parse(stream).events.length, stream_id: "Account-acc-long", stream_events: options.streamEvents, source: "bench/lib/history.cjs" };
    await this.deleteDatabase(page, `bench-${this.stamp}-source`).catch(() => {});
    await page.goto("about:blank");
    await page.close();
  }

  // -------------------------------------------------------------- Kiroku

  /**
   * importLog of history `name` into a fresh database per run, handed the file's bytes
   * as the page's Import button reads a file. With `alsoText`, each run also imports
   * the file's text (the contract's `importLog(text)`) into another fresh database,
   * the two in turns. The last database imported into is kept.
   */
  async importRuns(name, { alsoText = false } = {}) {
    const expected = this.history[name].events;
    let page;
    let previous = null;
    const importAs = async (run, as) => {
      const db = `bench-${this.stamp}-${name}-${run}-${as}`;
      page = await this.kirokuPage(db, page);
      if (previous) await this.deleteDatabase(page, previous);
      const answer = await page.evaluate(async ([name, as]) => {
        const url = `/__bench/history/${name}.json`;
        const file = as === "bytes" ? new Uint8Array(await (await fetch(url)).arrayBuffer()) : await (await fetch(url)).text();
        const started = performance.now();
        const answer = await window.kiroku.importLog(file, { mode: "replace" });
        const ms = performance.now() - started;
        // The figure is the bytes' import: its text's import takes no yardstick.
        if (as === "text") return { ms, answer };
        // The floor under any import of this file: the browser's own parser reading
        // its text, with nothing checked or stored (timed after the import, not in it).
        const text = await (await fetch(url)).text();
        const parsing = performance.now();
        const parsed = JSON.parse(text);
        const parseMs = performance.now() - parsing;
        return { ms, parseMs, parsedEvents: parsed.events.length, answer };
      }, [name, as]);
      if (answer.answer?.status !== "ok" || answer.answer.imported !== expected) {
        throw new Error(`importLog of the file's ${as} answered ${JSON.stringify(answer.answer).slice(0, 300)} for ${expected} events`);
      }
      if (as === "bytes" && answer.parsedEvents !== expected) throw new Error(`JSON.parse of the file found ${answer.parsedEvents} events, not ${expected}`);
      previous = db;
      return answer;
    };
    const runs = await this.repeat(async (run) => {
      const order = !alsoText ? ["bytes"] : run % 2 ? ["text", "bytes"] : ["bytes", "text"];
      const answers = {};
      for (const as of order) answers[as] = await importAs(run, as);
      return answers;
    });
    await page.close();
    return {
      samples: runs.map((answers) => answers.bytes.ms),
      textSamples: alsoText ? runs.map((answers) => answers.text.ms) : null,
      parseSamples: runs.map((answers) => answers.bytes.parseMs),
      db: previous,
    };
  }

  async kirokuImport() {
    await this.step("import", async () => {
      const { samples, textSamples, parseSamples, db } = await this.importRuns("main", { alsoText: true });
      this.mainDb = db;
      this.samples.import_ms = samples;
      this.samples.import_text_ms = textSamples;
      this.samples.json_parse_ms = parseSamples;
      this.figures.import = { ms: median(samples), text_ms: median(textSamples), json_parse_ms: median(parseSamples) };
    });
  }

  /** Reloads on the N-event database: ready, then what a loaded page can measure. */
  async kirokuLoaded() {
    if (!this.mainDb) {
      this.figures.cold_load = this.figures.memory = this.figures.fold = this.figures.jump = this.figures.scrub = this.figures.commands = { error: "no imported history (the import failed)" };
      return;
    }
    const page = await this.context.newPage();
    await this.step("cold_load", async () => {
      const answers = await this.repeat(() => this.open(page, this.mainDb));
      this.samples.cold_load_ms = answers.map((answer) => answer.readyAt);
      this.samples.cold_load_installed_ms = answers.map((answer) => answer.installedAt);
      this.figures.cold_load = { ms: median(this.samples.cold_load_ms), installed_ms: median(this.samples.cold_load_installed_ms) };
    });
    await this.step("memory", async () => {
      await this.checkpointsTaken(page);
      this.figures.memory = await this.memory(page);
    });
    await this.step("fold", async () => {
      const answers = await this.repeat(() => measure(page, { kind: "fold" }));
      if (answers[0].events !== undefined && answers[0].events !== this.history.main.events) {
        throw new Error(`the fold went over ${answers[0].events} events, not ${this.history.main.events}`);
      }
      this.samples.fold_ms = answers.map((answer) => answer.ms);
      this.figures.fold = { ms: median(this.samples.fold_ms), events: answers[0].events };
    });
    await this.step("jump", async () => {
      this.figures.jump = await this.jumps(page, this.history.main.events, "jump_ms");
    });
    await this.step("scrub", async () => {
      this.figures.scrub = await this.scrub(page);
    });
    await this.step("commands", async () => {
      this.figures.commands = await this.commands(page);
    });
    await page.close();
  }

  /** wasm memory (kiroku.measure, or the size of wasm's linear memory) + JS heap used. */
  async memory(page) {
    const heap = await this.heapUsed(page);
    const linear = await page.evaluate(() => window.__bench.wasm?.memory?.buffer?.byteLength ?? null);
    let reported = null;
    let reason = null;
    try {
      reported = await measure(page, { kind: "memory" });
    } catch (error) {
      if (!(error instanceof NotAvailable)) throw error;
      reason = error.message;
    }
    const wasm = typeof reported?.wasm_bytes === "number" ? reported.wasm_bytes : linear;
    if (wasm === null || heap === null) throw new NotAvailable(reason ?? "no wasm memory size");
    return { bytes: wasm + heap, wasm_bytes: wasm, wasm_source: reported ? "kiroku.measure({kind: \"memory\"}).wasm_bytes" : `wasm linear memory size (${reason})`, js_heap_bytes: heap, linear_memory_bytes: linear, measure: reported };
  }

  async jumps(page, head, key) {
    const next = random(this.options.seed + head);
    const answers = await this.repeat(async () => {
      const times = [];
      for (const position of positions(next, JUMPS_PER_RUN, head)) {
        const answer = await measure(page, { kind: "jump", position });
        times.push(answer.ms);
      }
      return times;
    });
    this.samples[key] = answers.flat();
    return { ...describe(this.samples[key]), ms: median(this.samples[key]), per_run_median_ms: answers.map(median) };
  }

  /**
   * Scrubbing: the slider's value set and `input` dispatched at the start of a frame
   * (inside a requestAnimationFrame callback); "to paint" ends when a message posted
   * then runs, i.e. after that frame's style, layout and paint; "to next frame" is
   * the next requestAnimationFrame (the second counting the one that aligned it):
   * over 1.5 frames means the update missed its frame.
   */
  async scrub(page) {
    const head = this.history.main.events;
    const next = random(this.options.seed + 1);
    await page.locator("[data-testid=timeline-slider]").scrollIntoViewIfNeeded({ timeout: 10000 });
    const runs = await this.repeat(async () => {
      return page.evaluate(async (targets) => {
        const slider = document.querySelector("[data-testid=timeline-slider]");
        const frame = () => new Promise((resolve) => requestAnimationFrame(resolve));
        const longTasksBefore = window.__bench.longTasks ? window.__bench.longTasks.length : null;
        const started = performance.now();
        const samples = [];
        for (const target of targets) {
          await frame();
          samples.push(await new Promise((resolve) => requestAnimationFrame(() => {
            const t0 = performance.now();
            slider.value = String(target);
            slider.dispatchEvent(new Event("input", { bubbles: true }));
            const channel = new MessageChannel();
            channel.port1.onmessage = () => {
              const painted = performance.now() - t0;
              requestAnimationFrame(() => resolve({ painted, next_frame: performance.now() - t0 }));
            };
            channel.port2.postMessage(null);
          })));
        }
        await frame();
        await new Promise((resolve) => setTimeout(resolve, 100)); // long tasks are reported a little later
        const shown = document.querySelector("[data-testid=timeline-position]")?.textContent ?? "";
        const longTasks = window.__bench.longTasks ? window.__bench.longTasks.slice(longTasksBefore).filter((task) => task.at >= started) : null;
        return { samples, shown, last: targets[targets.length - 1], longTasks };
      }, positions(next, SCRUBS_PER_RUN, head));
    });
    const last = runs[runs.length - 1];
    if (!last.shown.trim().startsWith(`${last.last} `)) throw new Error(`after scrubbing to ${last.last} the timeline shows "${last.shown}"`);
    const painted = runs.flatMap((run) => run.samples.map((sample) => sample.painted));
    const nextFrame = runs.flatMap((run) => run.samples.map((sample) => sample.next_frame));
    const longTasks = runs[0].longTasks === null ? null : runs.flatMap((run) => run.longTasks);
    this.samples.scrub_paint_ms = painted;
    this.samples.scrub_next_frame_ms = nextFrame;
    return {
      p95_ms: percentile(painted, 95),
      paint: describe(painted),
      next_frame: describe(nextFrame),
      missed_frames: nextFrame.filter((value) => value > 1.5 * FRAME_MS).length,
      scrubs: painted.length,
      long_tasks: longTasks && longTasks.filter((task) => task.ms > 50).length,
      longest_task_ms: longTasks && longTasks.length ? Math.max(...longTasks.map((task) => task.ms)) : 0,
    };
  }

  /** kiroku.send round trips with the history in the log: DepositMoney on a new account. */
  async commands(page) {
    const account = `bench-${this.stamp}`;
    const created = await kiroku(page, "send", { command_type: "CreateAccount", aggregate_id: account, data: { account_id: account, owner: "benchmark", initial_balance: 0 } });
    if (created?.status !== "accepted") throw new Error(`CreateAccount answered ${JSON.stringify(created).slice(0, 300)}`);
    const runs = await this.repeat(() => page.evaluate(async ([account, count]) => {
      const times = [];
      for (let i = 0; i < count; i++) {
        const started = performance.now();
        const answer = await window.kiroku.send({ command_type: "DepositMoney", aggregate_id: account, data: { amount: 1 } });
        times.push(performance.now() - started);
        if (answer.status !== "accepted") return { error: JSON.stringify(answer).slice(0, 300) };
      }
      return { times };
    }, [account, SENDS_PER_RUN]));
    const failed = runs.find((run) => run.error);
    if (failed) throw new Error(`DepositMoney answered ${failed.error}`);
    this.samples.command_ms = runs.flatMap((run) => run.times);
    return { ...describe(this.samples.command_ms), p50_ms: percentile(this.samples.command_ms, 50), p99_ms: percentile(this.samples.command_ms, 99), per_run_median_ms: runs.map((run) => median(run.times)) };
  }

  /** The small history: imported per run (its time), then jump, memory and fold on it. */
  async kirokuSmall() {
    let db = null;
    await this.step("small_import", async () => {
      const { samples, db: kept } = await this.importRuns("small");
      db = kept;
      this.samples.small_import_ms = samples;
      this.figures.small_import = { ms: median(samples) };
    });
    if (!db) {
      this.figures.small_jump = this.figures.small_memory = this.figures.small_fold = { error: "no imported small history" };
      return;
    }
    const page = await this.kirokuPage(db);
    await this.step("small_memory", async () => {
      await this.checkpointsTaken(page);
      this.figures.small_memory = await this.memory(page);
    });
    await this.step("small_jump", async () => {
      this.figures.small_jump = await this.jumps(page, this.history.small.events, "small_jump_ms");
    });
    await this.step("small_fold", async () => {
      const answers = await this.repeat(() => measure(page, { kind: "fold" }));
      this.samples.small_fold_ms = answers.map((answer) => answer.ms);
      this.figures.small_fold = { ms: median(this.samples.small_fold_ms) };
    });
    await page.close();
  }

  /** One stream of --stream-events events: load_stream with and without its snapshot. */
  async kirokuStream() {
    await this.step("load_stream", async () => {
      const db = `bench-${this.stamp}-stream`;
      const page = await this.kirokuPage(db);
      const imported = await page.evaluate(async () => {
        const text = await (await fetch("/__bench/history/stream.json")).text();
        return window.kiroku.importLog(text, { mode: "replace" });
      });
      if (imported?.status !== "ok") throw new Error(`importLog of the stream history answered ${JSON.stringify(imported).slice(0, 300)}`);
      await this.open(page, db); // loaded as a user would find it
      const stream_id = this.history.stream.stream_id;
      const figures = {};
      for (const use_snapshot of [true, false]) {
        const answers = await this.repeat(() => measure(page, { kind: "load_stream", stream_id, use_snapshot }));
        const key = use_snapshot ? "with_snapshot" : "without_snapshot";
        this.samples[`load_stream_${key}_ms`] = answers.map((answer) => answer.ms);
        const { ms: _ms, ...last } = answers[answers.length - 1];
        figures[key] = { ms: median(this.samples[`load_stream_${key}_ms`]), ...last };
      }
      if (figures.without_snapshot.stream_version !== undefined && figures.without_snapshot.stream_version !== this.history.stream.stream_events) {
        throw new Error(`load_stream of ${stream_id} reached version ${figures.without_snapshot.stream_version}, not ${this.history.stream.stream_events}`);
      }
      if (figures.with_snapshot.from_snapshot === false) this.notes.push("load_stream with use_snapshot: true did not start from a snapshot (from_snapshot: false)");
      this.figures.load_stream = { ...figures, ratio: figures.without_snapshot.ms / figures.with_snapshot.ms };
      await page.close();
    });
  }

  bundle() {
    const dist = this.dist;
    const files = fs.readdirSync(dist).filter((file) => file.endsWith(".wasm") || file.endsWith(".js"));
    const gzip = (file) => {
      try {
        return execFileSync("gzip", ["-9c", path.join(dist, file)], { maxBuffer: 1 << 28 }).length;
      } catch {
        return zlib.gzipSync(fs.readFileSync(path.join(dist, file)), { level: 9 }).length;
      }
    };
    const parts = files.map((file) => ({ file, bytes: fs.statSync(path.join(dist, file)).size, gzipped: gzip(file) }));
    this.figures.bundle = { gzipped: parts.reduce((sum, part) => sum + part.gzipped, 0), bytes: parts.reduce((sum, part) => sum + part.bytes, 0), files: parts };
  }

  // -------------------------------------------------------------- peers

  async dexie() {
    let kept = null;
    await this.step("dexie_import", async () => {
      const page = await this.peerPage();
      await this.loadEvents(page, "main.json");
      let previous = null;
      const samples = await this.repeat(async (run) => {
        const db = `bench-${this.stamp}-dexie-${run}`;
        const answer = await page.evaluate(([db, previous]) => (previous ? window.kirokuPeers.dexie.remove(previous) : Promise.resolve()).then(() => window.kirokuPeers.dexie.importEvents(db, window.__events)), [db, previous]);
        if (answer.rows !== this.history.main.events) throw new Error(`Dexie holds ${answer.rows} rows after bulkAdd of ${this.history.main.events}`);
        previous = db;
        return answer.ms;
      });
      kept = previous;
      this.samples.dexie_import_ms = samples;
      this.figures.dexie_import = { ms: median(samples) };
      await page.close();
    });
    if (!kept) {
      this.figures.dexie_cold_load = { error: "no Dexie database (its import failed)" };
      return;
    }
    await this.step("dexie_cold_load", async () => {
      const page = await this.context.newPage();
      const answers = await this.repeat(async () => {
        await untilReady(page, `${this.server.origin}/__bench/peer.html?coldload=${encodeURIComponent(kept)}`);
        const answer = await page.evaluate(() => window.kirokuPeers.coldLoad);
        if (answer.error || answer.rows !== this.history.main.events || typeof answer.project_ms !== "number") {
          throw new Error(`the Dexie cold load answered ${JSON.stringify(answer).slice(0, 300)}`);
        }
        return answer;
      });
      this.samples.dexie_cold_load_ms = answers.map((answer) => answer.at);
      this.samples.dexie_read_and_project_ms = answers.map((answer) => answer.ms);
      this.samples.dexie_project_ms = answers.map((answer) => answer.project_ms);
      this.figures.dexie_cold_load = {
        ms: median(this.samples.dexie_cold_load_ms),
        read_and_project_ms: median(this.samples.dexie_read_and_project_ms),
        project_ms: median(this.samples.dexie_project_ms),
        summary: answers[0].summary,
      };
      await page.evaluate((db) => window.kirokuPeers.dexie.remove(db), kept);
      await page.close();
    });
  }

  async redux() {
    await this.step("redux", async () => {
      const page = await this.peerPage();
      const count = await this.loadEvents(page, "small.json");
      const records = await this.repeat(() => page.evaluate(() => window.kirokuPeers.redux.record(window.__events)));
      if (records[0].actions !== count) throw new Error(`Redux recorded ${records[0].actions} actions for ${count} events`);
      this.samples.redux_record_ms = records.map((answer) => answer.ms);
      const toggles = await this.repeat(() => page.evaluate(() => window.kirokuPeers.redux.toggleFirst()));
      this.samples.redux_toggle_ms = toggles.map((answer) => answer.ms);
      const next = random(this.options.seed + count);
      // Jumps are timed together: one alone is below the clock's resolution.
      const jumps = await this.repeat(() => page.evaluate((targets) => window.kirokuPeers.redux.jumps(targets).ms, positions(next, JUMPS_PER_RUN, count)));
      this.samples.redux_jump_ms = jumps;
      // Heap: the store's share, after a full collection, with the events loaded either way.
      await page.evaluate(() => window.kirokuPeers.redux.drop());
      const before = await this.heapUsed(page);
      await page.evaluate(() => window.kirokuPeers.redux.record(window.__events));
      const after = await this.heapUsed(page);
      this.figures.redux = {
        actions: count,
        record_ms: median(this.samples.redux_record_ms),
        toggle_ms: median(this.samples.redux_toggle_ms),
        jump_ms: median(this.samples.redux_jump_ms),
        heap_bytes: after - before,
        page_heap_bytes: after,
      };
      await page.close();
    });
  }

  /** The Dexie peer's plain JS reducer alone, on the parsed events, warmed up as Kiroku's fold is. */
  async jsReducer() {
    await this.step("js_reducer", async () => {
      const page = await this.peerPage();
      await this.loadEvents(page, "main.json");
      const answers = await this.repeat(() => page.evaluate(() => {
        const started = performance.now();
        const projections = window.kirokuPeers.project(window.__events);
        const ms = performance.now() - started;
        return { ms, summary: window.kirokuPeers.summary(projections) };
      }));
      if (!(answers[0].summary.orders > 0)) throw new Error(`the JS reducer answered ${JSON.stringify(answers[0].summary)}`);
      this.samples.js_reducer_ms = answers.map((answer) => answer.ms);
      this.figures.js_reducer = { ms: median(this.samples.js_reducer_ms), summary: answers[0].summary };
      await page.close();
    });
  }

  async emmett() {
    await this.step("emmett", async () => {
      const page = await this.peerPage();
      await this.loadEvents(page, "main.json");
      const answers = await this.repeat(() => page.evaluate(async () => {
        const append = await window.kirokuPeers.emmett.append(window.__events);
        const aggregate = await window.kirokuPeers.emmett.aggregateAll();
        window.kirokuPeers.emmett.drop();
        return { append, aggregate };
      }));
      if (answers[0].aggregate.events !== this.history.main.events) throw new Error(`Emmett aggregated ${answers[0].aggregate.events} events of ${this.history.main.events}`);
      this.samples.emmett_append_ms = answers.map((answer) => answer.append.ms);
      this.samples.emmett_aggregate_ms = answers.map((answer) => answer.aggregate.ms);
      this.figures.emmett = { streams: answers[0].append.streams, append_ms: median(this.samples.emmett_append_ms), aggregate_ms: median(this.samples.emmett_aggregate_ms) };
      await page.close();
    });
  }

  // -------------------------------------------------------------- the table

  buildRows() {
    const f = this.figures;
    const n = this.history.main.events.toLocaleString("en-US");
    const small = this.history.small.events.toLocaleString("en-US");
    const value = (figure, pick) => (figure && !figure.error ? pick(figure) : null);
    const why = (...figures) => figures.find((figure) => figure?.error)?.error ?? null;
    const row = (spec) => this.rows.push(spec);
    const atMost = (limit) => (x) => x <= limit;

    row({ id: "import", figure: `import ${n} events (validate + persist)`, kiroku: value(f.import, (x) => x.ms), format: ms, target: "≤ 250 ms", met: atMost(250),
      peer: value(f.dexie_import, (x) => x.ms), peer_label: "Dexie 4 bulkAdd", peer_target: "≥ 20× faster", peer_rule: (ratio) => ratio >= 20, reason: why(f.import), peer_reason: why(f.dexie_import),
      context: value(f.import, (x) => `importLog of the file's text: ${ms(x.text_ms)} · JSON.parse of this file alone: ${ms(x.json_parse_ms)}`) });
    row({ id: "cold_load", figure: `cold load: reload with ${n} stored → ready`, kiroku: value(f.cold_load, (x) => x.ms), format: ms, target: "≤ 300 ms", met: atMost(300),
      peer: value(f.dexie_cold_load, (x) => x.ms), peer_label: "Dexie toArray + JS reducer", peer_target: "≥ 5× faster", peer_rule: (ratio) => ratio >= 5, reason: why(f.cold_load), peer_reason: why(f.dexie_cold_load) });
    row({ id: "command_p50", figure: `command round trip p50 (${n} in the log)`, kiroku: value(f.commands, (x) => x.p50_ms), format: ms, target: "≤ 2 ms", met: atMost(2), reason: why(f.commands) });
    row({ id: "command_p99", figure: `command round trip p99 (${n} in the log)`, kiroku: value(f.commands, (x) => x.p99_ms), format: ms, target: "≤ 8 ms", met: atMost(8), reason: why(f.commands) });
    row({ id: "jump", figure: `jump to a position, ${n} events (median)`, kiroku: value(f.jump, (x) => x.ms), format: ms, target: "≤ 2 ms", met: atMost(2), reason: why(f.jump) });
    row({ id: "jump_small", figure: `jump to a position, ${small} events (median)`, kiroku: value(f.small_jump, (x) => x.ms), format: ms, target: "≤ 2 ms", met: atMost(2),
      peer: value(f.redux, (x) => x.jump_ms), peer_label: "Redux DevTools jumpToState", reason: why(f.small_jump), peer_reason: why(f.redux) });
    row({ id: "scrub_p95", figure: `scrub input → paint p95, ${n} events`, kiroku: value(f.scrub, (x) => x.p95_ms), format: ms, target: "≤ 16.7 ms", met: atMost(16.7), reason: why(f.scrub) });
    row({ id: "scrub_long_tasks", figure: "long tasks > 50 ms while scrubbing", kiroku: value(f.scrub, (x) => x.long_tasks), format: (x) => (x === null ? "n/a" : String(x)), target: "0", met: (x) => x === 0,
      reason: why(f.scrub) ?? (f.scrub && f.scrub.long_tasks === null ? "no longtask entries in this browser" : null) });
    row({ id: "memory", figure: `memory, ${n} events (wasm + JS heap)`, kiroku: value(f.memory, (x) => x.bytes), format: mb, target: "≤ 64 MB", met: atMost(64 * 1048576), reason: why(f.memory) });
    row({ id: "memory_small", figure: `memory, ${small} events (wasm + JS heap)`, kiroku: value(f.small_memory, (x) => x.bytes), format: mb, target: "≤ 64 MB", met: atMost(64 * 1048576),
      peer: value(f.redux, (x) => x.heap_bytes), peer_label: `Redux DevTools, ${small} states (heap)`, reason: why(f.small_memory), peer_reason: why(f.redux) });
    row({ id: "history_ready_small", figure: `${small} events ready to travel (import / record)`, kiroku: value(f.small_import, (x) => x.ms), format: ms, target: "—",
      peer: value(f.redux, (x) => x.record_ms), peer_label: `Redux DevTools records ${small} actions`, reason: why(f.small_import), peer_reason: why(f.redux) });
    row({ id: "recompute_small", figure: `recompute ${small} after a change (fold / toggle)`, kiroku: value(f.small_fold, (x) => x.ms), format: ms, target: "—",
      peer: value(f.redux, (x) => x.toggle_ms), peer_label: "Redux DevTools toggleAction(1)", reason: why(f.small_fold), peer_reason: why(f.redux) });
    row({ id: "load_stream", figure: `load a ${this.history.stream.stream_events.toLocaleString("en-US")}-event stream, with snapshot`, kiroku: value(f.load_stream, (x) => x.with_snapshot.ms), format: ms, target: "≤ 1 ms", met: atMost(1),
      peer: value(f.load_stream, (x) => x.without_snapshot.ms), peer_label: "Kiroku without snapshot", reason: why(f.load_stream), peer_reason: why(f.load_stream) });
    row({ id: "fold", figure: `replay (fold) ${n} events, all projections`, kiroku: value(f.fold, (x) => x.ms), format: ms, target: "≤ 50 ms", met: atMost(50),
      peer: value(f.emmett, (x) => x.aggregate_ms), peer_label: "Emmett aggregateStream, all streams", peer_note: value(f.emmett, (x) => `appendToStream ${ms(x.append_ms)}`), peer_target: "faster", peer_rule: (ratio) => ratio > 1,
      reason: why(f.fold), peer_reason: why(f.emmett),
      context: value(f.js_reducer, (x) => `plain JS reducer (mutable Maps, no copies for time travel): ${ms(x.ms)}`) });
    row({ id: "bundle", figure: "release bundle, wasm + JS, gzip -9", kiroku: value(f.bundle, (x) => x.gzipped), format: kb, target: "≤ 300 KB", met: atMost(300 * 1024), reason: why(f.bundle) });

    for (const spec of this.rows) {
      spec.kiroku_text = spec.kiroku === null ? `n/a: ${spec.reason ?? "not measured"}` : spec.format(spec.kiroku);
      spec.target_met = spec.kiroku === null || !spec.met ? null : spec.met(spec.kiroku);
      if (spec.peer_label) {
        spec.peer_text = spec.peer === null ? `n/a: ${spec.peer_reason ?? "not measured"}` : `${spec.peer_label} ${spec.format(spec.peer)}${spec.peer_note ? ` (${spec.peer_note})` : ""}`;
        spec.ratio = spec.peer && spec.kiroku ? spec.peer / spec.kiroku : null;
        spec.peer_met = spec.ratio === null || !spec.peer_rule ? null : spec.peer_rule(spec.ratio);
      } else spec.peer_text = "—";
      const verdicts = [];
      if (spec.met) verdicts.push(spec.target_met === null ? "n/a" : spec.target_met ? "met" : "MISSED");
      if (spec.peer_label && spec.ratio !== null) {
        const r = spec.ratio;
        const ratio = spec.id === "load_stream"
          ? `the snapshot makes it ${times(r)} faster`
          : spec.format === mb
            ? (r >= 1 ? `Kiroku uses ${times(r)} less` : `Kiroku uses ${times(1 / r)} more`)
            : (r >= 1 ? `Kiroku ${times(r)} faster` : `Kiroku ${times(1 / r)} slower`);
        verdicts.push(spec.peer_rule ? `${ratio} (${spec.peer_target}: ${spec.peer_met ? "met" : "MISSED"})` : ratio);
      }
      if (spec.context) verdicts.push(spec.context);
      spec.verdict = verdicts.join(" · ") || "—";
    }
  }

  table() {
    const head = ["figure", "Kiroku", "target", "peer in the same run", "ratio / met?"];
    const lines = this.rows.map((spec) => [spec.figure, spec.kiroku_text, spec.target, spec.peer_text, spec.verdict]);
    const widths = head.map((_, column) => Math.max(head[column].length, ...lines.map((line) => line[column].length)));
    const format = (cells) => `| ${cells.map((cell, column) => cell.padEnd(widths[column])).join(" | ")} |`;
    return [format(head), `|${widths.map((width) => "-".repeat(width + 2)).join("|")}|`, ...lines.map(format)].join("\n");
  }

  report() {
    const { options, machine, history } = this;
    const missed = [
      ...this.rows.filter((spec) => spec.target_met === false).map((spec) => spec.id),
      ...this.rows.filter((spec) => spec.peer_met === false).map((spec) => `${spec.id} (${spec.peer_target} than the peer)`),
    ];
    const result = {
      machine: { ...machine, memory_gb: +(machine.memory_bytes / 1073741824).toFixed(1) },
      options: { events: options.events, runs: options.runs, warm_up_runs: 1, small_events: options.smallEvents, stream_events: options.streamEvents, seed: options.seed, cross_origin_isolated: options.isolated },
      history,
      rows: this.rows.map((spec) => ({
        id: spec.id,
        figure: spec.figure,
        kiroku: spec.kiroku,
        kiroku_text: spec.kiroku_text,
        target: spec.target,
        target_met: spec.target_met,
        peer: spec.peer ?? null,
        peer_text: spec.peer_text,
        ratio: spec.ratio ?? null,
        peer_target: spec.peer_target ?? null,
        peer_met: spec.peer_met ?? null,
        context: spec.context ?? null,
        verdict: spec.verdict,
      })),
      missed,
      figures: this.figures,
      samples: Object.fromEntries(Object.entries(this.samples).map(([key, list]) => [key, list.map((value) => Math.round(value * 1000) / 1000)])),
      method: METHOD,
      notes: this.notes,
      errors: this.errors,
    };
    const table = this.table();
    console.log("");
    console.log(`Kiroku benchmark · ${machine.date} · ${machine.cores} × ${machine.cpu} · ${(machine.memory_bytes / 1073741824).toFixed(1)} GB · Chromium ${machine.chromium}`);
    console.log(`${history.main.events.toLocaleString("en-US")} events (${history.main.source}) · medians of ${options.runs} run${options.runs === 1 ? "" : "s"} after a warm-up${options.isolated ? " · cross-origin isolated clock" : ""}`);
    console.log("");
    console.log(table);
    console.log("");
    for (const line of METHOD) console.log(`- ${line}`);
    console.log("");
    for (const note of this.notes) console.log(`note: ${note}`);
    console.log(missed.length ? `targets missed: ${missed.join(", ")}` : "every target met");
    fs.mkdirSync(path.dirname(path.resolve(options.out)), { recursive: true });
    fs.writeFileSync(options.out, `${JSON.stringify(result, null, 2)}\n`);
    console.log(`written to ${options.out}`);
    if (this.errors.length) {
      console.error(`bench: the benchmark broke:\n  ${this.errors.join("\n  ")}`);
      process.exitCode = 1;
    }
  }
}

async function main() {
  process.chdir(ROOT);
  const options = parseOptions(process.argv.slice(2));
  const bench = new Bench(options);
  const started = Date.now();
  try {
    await bench.start();
    bench.bundle();
    await bench.histories();
    await bench.kirokuImport();
    await bench.kirokuLoaded();
    await bench.kirokuSmall();
    await bench.kirokuStream();
    await bench.dexie();
    await bench.redux();
    await bench.jsReducer();
    await bench.emmett();
  } finally {
    await bench.stop();
  }
  bench.buildRows();
  bench.report();
  log(`finished in ${((Date.now() - started) / 1000).toFixed(0)} s`);
}

main().catch((error) => {
  console.error(`bench: ${error.stack ?? error}`);
  process.exit(1);
});
