// Dexie 4 over IndexedDB: the event log as one row per event, as a JS app would
// keep it. Import = bulkAdd of the events into a fresh database; cold load = open,
// toArray, and the read models rebuilt by the plain JS reducer.
import Dexie from "dexie";
import { project, summary } from "./projections.js";

function open(name) {
  const db = new Dexie(name);
  // Primary key: the global position; an index on the stream, to read one stream.
  db.version(1).stores({ events: "position, stream_id" });
  return db;
}

/** bulkAdd of `events` into a new database `name`: {ms, rows}. */
export async function importEvents(name, events) {
  await Dexie.delete(name);
  const db = open(name);
  await db.open();
  const started = performance.now();
  await db.events.bulkAdd(events);
  const ms = performance.now() - started;
  const rows = await db.events.count();
  db.close();
  return { ms, rows };
}

/**
 * Open `name`, read every event, project: {ms (from the call), at (from navigation
 * start), project_ms (the reducer alone), rows, summary}.
 */
export async function coldLoad(name) {
  const started = performance.now();
  const db = open(name);
  await db.open();
  const events = await db.events.toArray();
  const read = performance.now();
  const p = project(events);
  const at = performance.now();
  db.close();
  return { ms: at - started, at, project_ms: at - read, rows: events.length, summary: summary(p) };
}

export async function remove(name) {
  await Dexie.delete(name);
}
