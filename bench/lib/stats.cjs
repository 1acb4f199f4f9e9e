// Medians and percentiles of samples (nearest rank), and the number formats of the table.

function sorted(samples) {
  return [...samples].sort((a, b) => a - b);
}

/** The p-th percentile (0–100) by nearest rank; the median is percentile(samples, 50). */
function percentile(samples, p) {
  if (samples.length === 0) return null;
  const list = sorted(samples);
  const rank = Math.max(1, Math.ceil((p / 100) * list.length));
  return list[Math.min(rank, list.length) - 1];
}

function median(samples) {
  if (samples.length === 0) return null;
  const list = sorted(samples);
  const middle = list.length >> 1;
  return list.length % 2 ? list[middle] : (list[middle - 1] + list[middle]) / 2;
}

function describe(samples) {
  if (samples.length === 0) return { n: 0 };
  const list = sorted(samples);
  const round = (value) => Math.round(value * 1000) / 1000;
  return { n: list.length, median: round(median(list)), p95: round(percentile(list, 95)), p99: round(percentile(list, 99)), min: round(list[0]), max: round(list[list.length - 1]) };
}

/** Milliseconds with the precision that matters at their size. */
function ms(value) {
  if (value === null || value === undefined || Number.isNaN(value)) return "n/a";
  if (value >= 1000) return `${Math.round(value).toLocaleString("en-US")} ms`;
  if (value >= 100) return `${Math.round(value)} ms`;
  if (value >= 10) return `${value.toFixed(1)} ms`;
  if (value >= 1) return `${value.toFixed(2)} ms`;
  return `${value.toFixed(3)} ms`;
}

function mb(bytes) {
  return bytes === null || bytes === undefined ? "n/a" : `${(bytes / 1048576).toFixed(1)} MB`;
}

function kb(bytes) {
  return bytes === null || bytes === undefined ? "n/a" : `${(bytes / 1024).toFixed(1)} KB`;
}

function times(ratio) {
  if (ratio === null || ratio === undefined || !Number.isFinite(ratio)) return "n/a";
  return ratio >= 10 ? `${Math.round(ratio)}×` : `${ratio.toFixed(1)}×`;
}

module.exports = { percentile, median, describe, ms, mb, kb, times };
