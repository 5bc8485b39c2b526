// Timing: an endpoint and its floor, sample by sample, interleaved (so that any drift of the
// emulators during a run weighs on both alike), every sample metered.
'use strict';

const { metered } = require('./meter');

function percentile(sorted, p) {
  return sorted[Math.max(0, Math.ceil(p * sorted.length) - 1)];
}

function latency(values) {
  const sorted = [...values].sort((a, b) => a - b);
  return {
    n: sorted.length,
    p50: percentile(sorted, 0.5),
    p95: percentile(sorted, 0.95),
    p99: percentile(sorted, 0.99),
    mean: sorted.reduce((sum, value) => sum + value, 0) / sorted.length,
  };
}

const kinds = (cost) => cost.calls.map((call) => call.replace(/\(\d+\)$/, ''));

/** `getAll(1), query(3–22)`: the calls of requests alike but for how many documents they read. */
function callsWithRanges(group) {
  return group[0].calls
    .map((call, i) => {
      const counts = group.map((cost) => Number(/\((\d+)\)$/.exec(cost.calls[i])?.[1]));
      if (Number.isNaN(counts[0])) return call;
      const [min, max] = [Math.min(...counts), Math.max(...counts)];
      return `${kinds(group[0])[i]}(${min === max ? min : `${min}–${max}`})`;
    })
    .join(', ');
}

/**
 * The cost of a set of requests: the most common shape (the same calls, whatever number of
 * documents each read), with its reads as a range; how many requests also verified the API key
 * against Firestore or recorded its last use; any other shape.
 */
function costs(list) {
  const plain = list.filter((cost) => cost.keyReads === 0 && cost.keyWrites === 0);
  const groups = new Map();
  for (const cost of plain) {
    const key = JSON.stringify({ ...cost, reads: undefined, calls: kinds(cost) });
    groups.set(key, [...(groups.get(key) ?? []), cost]);
  }
  const ranked = [...groups.values()].sort((a, b) => b.length - a.length);
  const group = ranked[0] ?? [];
  const reads = group.map((cost) => cost.reads);
  return {
    n: list.length,
    typicalCount: group.length,
    typical: group.length
      ? {
          ...group[0],
          reads: Math.max(...reads),
          minReads: Math.min(...reads),
          calls: callsWithRanges(group),
        }
      : null,
    others: ranked
      .slice(1)
      .map((other) => ({ count: other.length, calls: callsWithRanges(other) })),
    keyVerifications: list.filter((cost) => cost.keyReads > 0).length,
    keyWrites: list.filter((cost) => cost.keyWrites > 0).length,
  };
}

async function sample(work, index) {
  let ms = 0;
  const { cost } = await metered(async () => {
    const start = process.hrtime.bigint();
    await work(index);
    ms = Number(process.hrtime.bigint() - start) / 1e6;
  });
  return { ms, cost };
}

/**
 * Runs `warmup` then `samples` rounds of the endpoint and its floor, alternating which goes first;
 * each gets its round's index (for unique ids in write endpoints).
 */
async function compare({ endpoint, floor, warmup = 20, samples = 200 }) {
  for (let i = 0; i < warmup; i += 1) {
    await endpoint(i);
    await floor(i);
  }
  const results = { endpoint: [], floor: [] };
  const started = Date.now();
  for (let i = 0; i < samples; i += 1) {
    const index = warmup + i;
    const order = i % 2 === 0 ? ['endpoint', 'floor'] : ['floor', 'endpoint'];
    for (const which of order) {
      results[which].push(await sample(which === 'endpoint' ? endpoint : floor, index));
    }
  }
  const seconds = (Date.now() - started) / 1000;
  const summary = (list) => ({
    latency: latency(list.map((result) => result.ms)),
    cost: costs(list.map((result) => result.cost)),
  });
  return { seconds, endpoint: summary(results.endpoint), floor: summary(results.floor) };
}

module.exports = { compare, latency };
