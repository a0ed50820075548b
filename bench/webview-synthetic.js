/**
 * A synthetic trace for the timeline benchmark: `tasks` tasks and about `events` events, shaped like a busy asyncio
 * program. `main` creates every task during the first half of the run and then waits on a gather of all of them;
 * each task alternates short running stretches with sleeps, queue gets (from a shared queue another task fills),
 * awaits of an earlier sibling and external promises, prints now and then, and ends done, failed or cancelled.
 * Deterministic (a seeded generator), so runs compare.
 */
'use strict';

/** Mulberry32: a small seeded PRNG. */
function rng(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const FILE = '/bench/program.ts';
const site = (line, column = 5) => ({ file: FILE, line, column });

/**
 * Returns `{ header, events }`, events sorted by `t`. The count is within a few events of `targetEvents`.
 */
function syntheticTrace({ tasks = 10_000, events: targetEvents = 1_000_000, seed = 1 } = {}) {
  const random = rng(seed);
  const header = {
    format: 'coroutine-trace',
    version: 1,
    clock: 'virtual',
    program: FILE,
    startedAt: '2026-01-01T00:00:00.000Z',
  };
  // Every event with a sort key; ties keep generation order (which respects causality within a task).
  const out = [];
  const push = (event) => out.push(event);
  const runLength = 60_000; // ms
  // Fixed events: main (created, started, the gather suspension, resumed, done), the queue, run.finished;
  // per task: created, started, end, one output, one queue put (filled by the task itself for a later get).
  const perTaskFixed = 4;
  const budget = targetEvents - 8 - tasks * perTaskFixed;
  const cyclesPerTask = Math.max(1, Math.floor(budget / tasks / 2));
  let extra = budget - cyclesPerTask * 2 * tasks; // spread over the first tasks, one pair at a time

  push({ t: 0, type: 'task.created', task: 1, name: 'main', parent: null, site: site(90, 1), coroutine: 'main' });
  push({ t: 0, type: 'task.started', task: 1 });
  push({ t: 0, type: 'resource.created', resource: 1, kind: 'queue', name: 'jobs', site: site(12, 15), capacity: 0 });
  let queueSeq = 0;
  const targets = [];
  let lastEnd = 0;
  const createSpan = runLength * 0.4;
  for (let i = 0; i < tasks; i++) {
    const id = i + 2;
    targets.push(id);
    const created = Math.round((i / tasks) * createSpan * 1000) / 1000;
    push({
      t: created,
      type: 'task.created',
      task: id,
      name: `worker-${i}`,
      parent: 1,
      site: site(40 + (i % 7), 18),
      coroutine: i % 3 === 0 ? 'fetch' : i % 3 === 1 ? 'parse' : 'store',
    });
    let t = created + 0.05 + random() * 2;
    push({ t, type: 'task.started', task: id });
    let cycles = cyclesPerTask;
    if (extra > 1) {
      cycles++;
      extra -= 2;
    }
    // Leave room to finish before the run ends.
    const room = runLength * 0.98 - t;
    const meanCycle = room / cycles;
    for (let c = 0; c < cycles; c++) {
      t += 0.01 + random() * 0.5; // running
      const r = random();
      let reason;
      let cause;
      let at = site(50 + (c % 20));
      if (r < 0.7) {
        const seconds = Math.round(random() * meanCycle * 1.6) / 1000;
        // The deadline in whole microseconds, as the runtime writes it.
        reason = { kind: 'sleep', seconds, until: Math.round((t + seconds * 1000) * 1000) / 1000 };
        cause = { kind: 'timer' };
      } else if (r < 0.85) {
        reason = { kind: 'queue.get', resource: 1 };
        cause = { kind: 'result' };
        at = site(61, 17);
      } else if (r < 0.95 && i > 0) {
        const target = 2 + Math.floor(random() * i);
        reason = { kind: 'task', target };
        cause = { kind: 'result', by: target };
        at = site(70, 7);
      } else {
        reason = { kind: 'external' };
        cause = { kind: 'external' };
        at = site(80, 7);
      }
      push({ t, type: 'task.suspended', task: id, reason, site: at });
      const wait = reason.kind === 'sleep' ? reason.seconds * 1000 : random() * meanCycle * 1.6;
      t += Math.max(0.001, wait);
      if (reason.kind === 'queue.get') {
        // Someone put the item a little before this task got it.
        queueSeq++;
        const producer = i > 0 ? i + 1 : 1; // the previous worker (main for the first)
        push({ t: t - 0.2, type: 'queue.put', resource: 1, task: producer, size: 1, item: String(queueSeq), seq: queueSeq });
        push({ t, type: 'task.resumed', task: id, cause });
        push({ t, type: 'queue.get', resource: 1, task: id, size: 0, item: String(queueSeq), seq: queueSeq });
        c++; // the put and get pair stands for one cycle's worth of events
        if (c >= cycles) break;
        continue;
      }
      push({ t, type: 'task.resumed', task: id, cause });
    }
    t += 0.01 + random() * 0.3;
    push({ t, type: 'output', task: id, stream: 'stdout', text: `worker-${i} finished after ${cycles} steps\n` });
    const end = random();
    if (end < 0.9) push({ t, type: 'task.done', task: id, result: String(i) });
    else if (end < 0.95) push({ t, type: 'task.failed', task: id, error: { name: 'RangeError', message: `bad input ${i}` } });
    else push({ t, type: 'task.cancelled', task: id, message: null });
    if (t > lastEnd) lastEnd = t;
  }
  push({ t: createSpan, type: 'task.suspended', task: 1, reason: { kind: 'gather', targets }, site: site(95, 9) });
  push({ t: lastEnd, type: 'task.resumed', task: 1, cause: { kind: 'result', by: targets[targets.length - 1] } });
  push({ t: lastEnd, type: 'task.done', task: 1, result: 'undefined' });
  push({ t: lastEnd, type: 'run.finished', exitCode: 0, signal: null, pendingTasks: 0, droppedEvents: 0 });
  for (const e of out) e.t = Math.round(e.t * 1000) / 1000;
  // Stable sort by time; equal times keep their order. The main task's last events must stay last.
  const indexed = out.map((e, i) => [e.t, i]);
  indexed.sort((a, b) => a[0] - b[0] || a[1] - b[1]);
  const events = indexed.map(([, i]) => out[i]);
  return { header, events };
}

module.exports = { syntheticTrace, rng };
