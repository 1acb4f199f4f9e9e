// The peers' browser bundle (built by esbuild in bench/run.cjs): window.kirokuPeers.
// With `?coldload=<db>` in the address, the Dexie cold load starts as the page
// loads, like Kiroku's own, and its answer lands in window.kirokuPeers.coldLoad; the
// page then says so on its console, as a Kiroku page does when it is ready (the
// benchmark waits for that without running anything in the page).
import * as dexie from "./dexie.js";
import * as redux from "./redux.js";
import * as emmett from "./emmett.js";
import { project, summary } from "./projections.js";

const peers = { dexie, redux, emmett, project, summary };
const coldLoad = new URLSearchParams(location.search).get("coldload");
if (coldLoad) {
  peers.coldLoad = dexie
    .coldLoad(coldLoad)
    .catch((error) => ({ error: String(error) }))
    .then((answer) => {
      console.debug("kiroku-bench:ready");
      return answer;
    });
}
window.kirokuPeers = peers;
