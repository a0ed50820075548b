import * as assert from 'assert';
import type { TraceEvent } from '../../src/contract/trace';
import { ModelBuilder, buildModel } from '../../src/model/model';
import { LaneLayout, NO_FILTER, TaskFilter, compileFilter, extendLayout, layoutLanes, taskLabel } from '../../src/webview/layout';
import { HEADER, model, rng } from './fixtures';

/** Rows as indented labels, `+` for collapsed, `(ctx)` for context rows, `[r]` for resources. */
function render(layout: LaneLayout): string[] {
  return layout.rows.map((row) => {
    if (row.kind === 'resource') return `[r] ${row.resource.name}`;
    let text = `${'  '.repeat(row.depth)}${taskLabel(row.task)}`;
    if (row.collapsed) text += ` +${row.hiddenDescendants}`;
    if (row.context) text += ' (ctx)';
    return text;
  });
}

function filter(partial: Partial<TaskFilter>): TaskFilter {
  return { ...NO_FILTER, ...partial };
}

const none = new Set<number>();

describe('webview layout', () => {
  it('puts one lane per task, children indented under their parent, in creation order', () => {
    const layout = layoutLanes(model('06-runtime-tasks.cotrace'), { filter: NO_FILTER, collapsed: none, showResources: true });
    assert.deepStrictEqual(render(layout), ['main', '  Task-2 (worker_1)', '  Task-3 (worker_2)']);
    assert.deepStrictEqual([...layout.rowOfTask], [-1, 0, 1, 2]);
    const main = layout.rows[0];
    assert.ok(main.kind === 'task' && main.hasChildren && !main.collapsed);
  });

  it('adds queue lanes after the tasks when asked', () => {
    const m = model('08-queue-handoff.cotrace');
    assert.deepStrictEqual(render(layoutLanes(m, { filter: NO_FILTER, collapsed: none, showResources: true })), [
      'main',
      '  consumer_1 (consumer)',
      '  producer_1 (producer)',
      '[r] Queue-1',
    ]);
    assert.strictEqual(layoutLanes(m, { filter: NO_FILTER, collapsed: none, showResources: false }).rows.length, 3);
  });

  it('keeps a child under its parent even when a sibling of the parent was created in between', () => {
    // main creates A, then B; A creates A1 after B exists: A1 goes right under A, before B.
    const events: TraceEvent[] = [
      { t: 0, type: 'task.created', task: 1, name: 'main', parent: null, site: null },
      { t: 0, type: 'task.created', task: 2, name: 'A', parent: 1, site: null },
      { t: 0, type: 'task.created', task: 3, name: 'B', parent: 1, site: null },
      { t: 1, type: 'task.created', task: 4, name: 'A1', parent: 2, site: null },
      { t: 1, type: 'task.created', task: 5, name: 'orphan', parent: 99, site: null },
    ];
    const m = buildModel(HEADER, events);
    const layout = layoutLanes(m, { filter: NO_FILTER, collapsed: none, showResources: false });
    assert.deepStrictEqual(render(layout), ['main', '  A', '    A1', '  B', 'orphan']);
  });

  it('folds the descendants of a collapsed lane into it', () => {
    const m = model('07-cancel-timeout.cotrace');
    const layout = layoutLanes(m, { filter: NO_FILTER, collapsed: new Set([1]), showResources: false });
    assert.deepStrictEqual(render(layout), ['main +3']);
    // Folded tasks map to the collapsed row, so arrows to them land there.
    assert.deepStrictEqual([...layout.rowOfTask], [-1, 0, 0, 0, 0]);
    // Collapsing a task without children changes nothing.
    const leaf = layoutLanes(m, { filter: NO_FILTER, collapsed: new Set([2]), showResources: false });
    assert.strictEqual(leaf.rows.length, 4);
  });

  it('filters by name substring, case-insensitively, keeping ancestors as dimmed context', () => {
    const m = model('07-cancel-timeout.cotrace');
    const layout = layoutLanes(m, { filter: filter({ text: 'WORKER_2' }), collapsed: none, showResources: false });
    assert.deepStrictEqual(render(layout), ['main (ctx)', '  Task-3 (worker_2)']);
    assert.deepStrictEqual([...layout.rowOfTask], [-1, 0, -1, 1, -1]);
    assert.strictEqual(layout.shownTasks, 2);
  });

  it('filters by /regex/ and reports an invalid one', () => {
    const m = model('07-cancel-timeout.cotrace');
    const re = layoutLanes(m, { filter: filter({ text: '/^Task-[34]$/' }), collapsed: none, showResources: false });
    assert.deepStrictEqual(render(re), ['main (ctx)', '  Task-3 (worker_2)', '  Task-4 (worker_3)']);
    const bad = layoutLanes(m, { filter: filter({ text: '/([/' }), collapsed: none, showResources: false });
    assert.deepStrictEqual(bad.rows, []);
    assert.ok(bad.filterError, 'the error is reported');
    assert.strictEqual(compileFilter(filter({ text: '#3' })).test(m.taskById.get(3)!), true, '#id matches the task id');
  });

  it('filters by state and hides finished tasks', () => {
    const m = model('07-cancel-timeout.cotrace');
    assert.deepStrictEqual(
      render(layoutLanes(m, { filter: filter({ states: ['failed', 'cancelled'] }), collapsed: none, showResources: false })),
      ['main (ctx)', '  Task-3 (worker_2)', '  Task-4 (worker_3)'],
    );
    assert.deepStrictEqual(render(layoutLanes(m, { filter: filter({ hideFinished: true }), collapsed: none, showResources: false })), []);
    const truncated = model('06-truncated.cotrace');
    const live = layoutLanes(truncated, { filter: filter({ hideFinished: true }), collapsed: none, showResources: false });
    assert.ok(live.rows.every((r) => r.kind === 'task' && r.task.end === undefined));
    assert.ok(live.rows.length > 0);
  });

  it('lays out a chain of ten thousand nested tasks without overflowing the stack', () => {
    const events: TraceEvent[] = [];
    for (let i = 1; i <= 10_000; i++) {
      events.push({ t: i, type: 'task.created', task: i, name: `t${i}`, parent: i === 1 ? null : i - 1, site: null });
    }
    const m = buildModel(HEADER, events);
    const layout = layoutLanes(m, { filter: NO_FILTER, collapsed: none, showResources: false });
    assert.strictEqual(layout.rows.length, 10_000);
    const lastRow = layout.rows[9_999];
    assert.ok(lastRow.kind === 'task' && lastRow.depth === 9_999);
    const folded = layoutLanes(m, { filter: NO_FILTER, collapsed: new Set([5]), showResources: false });
    assert.strictEqual(folded.rows.length, 5);
    assert.strictEqual(folded.rowOfTask[10_000], 4);
  });
});

describe('webview layout, extended as tasks are added', () => {
  /** Everything a layout says, tasks by id. */
  function plain(layout: LaneLayout): unknown {
    return {
      rows: layout.rows.map((row) =>
        row.kind === 'task'
          ? { id: row.task.id, depth: row.depth, hasChildren: row.hasChildren, collapsed: row.collapsed, hidden: row.hiddenDescendants, context: row.context }
          : { resource: row.resource.id },
      ),
      rowOfTask: [...layout.rowOfTask],
      shownTasks: layout.shownTasks,
      taskCount: layout.taskCount,
      unknownParents: [...layout.unknownParents].sort(),
    };
  }

  /** A run creating tasks whose parents are picked by `parentOf(i)` (a task id, or null), folded a few at a time. */
  function grow(
    parentOf: (i: number, ids: number[]) => number | null,
    tasks: number,
    showResources = false,
  ): { extended: number; full: number } {
    const builder = new ModelBuilder(HEADER);
    const options = { filter: NO_FILTER, collapsed: none, showResources };
    let layout = layoutLanes(builder.model(), options);
    const ids: number[] = [];
    let extended = 0;
    let full = 0;
    let t = 0;
    for (let i = 0; i < tasks; i++) {
      const id = i + 1;
      builder.add({ t: t++, type: 'task.created', task: id, name: `t${id}`, parent: parentOf(i, ids), site: null });
      // Now and then a queue too (its lane goes after the tasks').
      if (i % 40 === 5) {
        builder.add({ t: t++, type: 'resource.created', resource: i, kind: 'queue', name: `q${i}`, site: null, capacity: 0 });
      }
      ids.push(id);
      if (i % 3 === 2 || i === tasks - 1) {
        const model = builder.model();
        const next = extendLayout(layout, model, options);
        const whole = layoutLanes(model, options);
        if (next) {
          extended++;
          assert.deepStrictEqual(plain(next), plain(whole), `after ${id} tasks`);
        } else full++;
        layout = next ?? whole;
      }
    }
    return { extended, full };
  }

  it('gives the whole layout when new lanes go last: children of a main task, a chain, a tree grown at its end', () => {
    assert.deepStrictEqual(grow((i) => (i === 0 ? null : 1), 200), { extended: 67, full: 0 });
    assert.deepStrictEqual(grow((i) => (i === 0 ? null : i), 100).full, 0);
    // Each new task a child of the last one or of one of its ancestors.
    const random = rng(3);
    const parents: Array<number | null> = [];
    const result = grow((i) => {
      if (i === 0) return parents.push(null), null;
      // Walk up from the last task a random number of steps.
      let p: number | null = i;
      for (let up = Math.floor(random() * 3); up > 0 && p !== null && parents[p - 1] !== null; up--) p = parents[p - 1];
      parents.push(p);
      return p;
    }, 300);
    assert.strictEqual(result.full, 0);
  });

  it('gives the whole layout with queue lanes after the tasks, as queues and tasks are added', () => {
    const result = grow((i) => (i === 0 ? null : 1), 200, true);
    assert.deepStrictEqual(result, { extended: 67, full: 0 });
    const random = rng(5);
    assert.strictEqual(grow((i, ids) => (i === 0 ? null : ids[Math.floor(random() * ids.length)]), 200, true).extended > 0, true);
  });

  it('says when the whole layout is needed, and is the whole layout whenever it is not', () => {
    const random = rng(4);
    // Parents anywhere (not only on the path to the last lane), and some not (yet) tasks at all.
    const result = grow((i, ids) => (i === 0 || random() < 0.1 ? null : random() < 0.05 ? 10_000 + i : ids[Math.floor(random() * ids.length)]), 300);
    assert.ok(result.full > 0 && result.extended > 0, JSON.stringify(result));
    // A task that an earlier task named as its parent.
    const builder = new ModelBuilder(HEADER);
    const options = { filter: NO_FILTER, collapsed: none, showResources: false };
    builder.add({ t: 0, type: 'task.created', task: 2, name: 'child first', parent: 1, site: null });
    const before = layoutLanes(builder.model(), options);
    builder.add({ t: 1, type: 'task.created', task: 1, name: 'parent', parent: null, site: null });
    assert.strictEqual(extendLayout(before, builder.model(), options), null);
  });

  it('is not used with a filter or collapsed lanes, nor when resource lanes were laid out and are no more', () => {
    const m = model('08-queue-handoff.cotrace');
    const small = { ...m, tasks: m.tasks.slice(0, 1) };
    for (const options of [
      { filter: filter({ text: 'producer' }), collapsed: none, showResources: false },
      { filter: NO_FILTER, collapsed: new Set([1]), showResources: false },
    ]) {
      assert.strictEqual(extendLayout(layoutLanes(small, options), m, options), null);
    }
    const withQueues = { filter: NO_FILTER, collapsed: none, showResources: true };
    assert.strictEqual(extendLayout(layoutLanes(small, withQueues), m, { ...withQueues, showResources: false }), null);
    for (const options of [withQueues, { ...withQueues, showResources: false }]) {
      assert.deepStrictEqual(plain(extendLayout(layoutLanes(small, options), m, options)!), plain(layoutLanes(m, options)));
    }
  });
});
