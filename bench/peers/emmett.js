// Emmett's in-memory event store: append every stream's events (appendToStream,
// one call per stream, in log order of first appearance), then aggregateStream
// over every stream with the write models' evolve.
import { getInMemoryEventStore } from "@event-driven-io/emmett";
import { evolve } from "./projections.js";

let store = null;
let streams = [];

/** Group by stream and append into a fresh store: {ms, streams, events}. */
export async function append(events) {
  const byStream = new Map();
  for (const event of events) {
    let list = byStream.get(event.stream_id);
    if (!list) byStream.set(event.stream_id, (list = []));
    list.push({ type: event.event_type, data: event.data, metadata: { event_id: event.event_id, recorded_at: event.metadata.recorded_at } });
  }
  store = getInMemoryEventStore();
  streams = [...byStream.keys()];
  const started = performance.now();
  for (const [stream, list] of byStream) await store.appendToStream(stream, list);
  return { ms: performance.now() - started, streams: streams.length, events: events.length };
}

/** aggregateStream over every stream: {ms, streams, events}. */
export async function aggregateAll() {
  const started = performance.now();
  let count = 0;
  for (const stream of streams) {
    const result = await store.aggregateStream(stream, { evolve, initialState: () => null });
    count += Number(result.currentStreamVersion);
  }
  return { ms: performance.now() - started, streams: streams.length, events: count };
}

export function drop() {
  store = null;
  streams = [];
}
