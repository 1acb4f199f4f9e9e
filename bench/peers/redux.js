// Redux with Redux DevTools' instrument: every action and every state it produced
// is kept, so any state can be shown and any action toggled off and recomputed.
import { createStore } from "redux";
import { instrument, ActionCreators } from "@redux-devtools/instrument";
import { reduxReducer } from "./projections.js";

let store = null;

/** Dispatch one action per event into a fresh instrumented store: {ms, actions}. */
export function record(events) {
  store = createStore(reduxReducer, instrument(undefined, { maxAge: Infinity }));
  const started = performance.now();
  for (const event of events) store.dispatch({ type: "event", event });
  const ms = performance.now() - started;
  return { ms, actions: store.liftedStore.getState().stagedActionIds.length - 1 };
}

/** Toggle the first action off (or back on): every later state is recomputed. {ms, states} */
export function toggleFirst() {
  const started = performance.now();
  store.liftedStore.dispatch(ActionCreators.toggleAction(1));
  const lifted = store.liftedStore.getState();
  const ms = performance.now() - started;
  return { ms, states: lifted.computedStates.length, skipped: lifted.skippedActionIds.length };
}

/** The states at `positions` (what a time-travel UI shows), one after another: {ms} per jump, on average. */
export function jumps(positions) {
  let orders = 0;
  const started = performance.now();
  for (const position of positions) {
    store.liftedStore.dispatch(ActionCreators.jumpToState(position));
    orders += Object.keys(store.getState().orders).length;
  }
  return { ms: (performance.now() - started) / positions.length, orders };
}

export function drop() {
  store = null;
}
