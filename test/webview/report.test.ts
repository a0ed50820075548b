import * as assert from 'assert';
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import * as zlib from 'zlib';
import type { TraceEvent } from '../../src/contract/trace';
import { EVENT_COLUMNS_FORMAT, decodeEventColumns, encodeEventColumns } from '../../src/protocol/eventColumns';
import { packNumbers, unpackNumbers } from '../../src/protocol/packedNumbers';
import { encodeModelLanes, isLifecycleEvent } from '../../src/model/modelLanes';
import {
  EmbeddedEvents,
  REPORT_COLUMN_ID,
  ReportData,
  REPORT_DATA_ID,
  TEXT_PIECE,
  jsonForHtml,
  reportHtml,
  scriptForHtml,
  templates,
  toBase64,
} from '../../src/report/reportHtml';
import { REPORT_COLUMN_ELEMENT_ID, REPORT_DATA_ELEMENT_ID, embeddedColumns, gunzip } from '../../src/webview/host';
import { defaultViewState, sanitizeViewState } from '../../src/webview/viewState';
import { HEADER, ROOT, TRACES, edgeKey, site, snapshotOf, syntheticTrace, trace } from './fixtures';
import { buildModel, edges } from '../../src/model/model';
import { MessageType } from '../../src/protocol/webviewMessages';
import { MessageInbox } from '../../src/webview/inbox';
import { TraceSession } from '../../src/webview/session';

const HOSTILE = '</script><script>window.pwned = 1</script><!-- & </SCRIPT >';

const EVENTS: TraceEvent[] = [
  { t: 0, type: 'task.created', task: 1, name: HOSTILE, parent: null, site: site(3) },
  { t: 0, type: 'task.started', task: 1 },
  { t: 1, type: 'output', task: 1, stream: 'stdout', text: `${HOSTILE}\u2028\u2029\n` },
  { t: 2, type: 'task.done', task: 1, result: HOSTILE },
  { t: 2, type: 'run.finished', exitCode: 0, signal: null, pendingTasks: 0, droppedEvents: 0 },
];

/**
 * The texts of the templates in element `id`, as the browser's HTML parser reads them: nothing but templates in the
 * element, no `<` (a tag) or `&` (a character reference) in any text, and each but the last as long as a piece is.
 */
function templateTexts(html: string, id: string): string[] {
  const open = `<div id="${id}" hidden>`;
  const start = html.indexOf(open);
  assert.ok(start >= 0, `element ${id} present`);
  const end = html.indexOf('</div>', start);
  const inner = html.slice(start + open.length, end);
  const texts = [...inner.matchAll(/<template>([^<]*)<\/template>/g)].map((m) => m[1]);
  assert.strictEqual(texts.map((p) => `<template>${p}</template>`).join(''), inner, 'only templates');
  for (const text of texts) assert.ok(!text.includes('&'), 'no character reference');
  for (const text of texts.slice(0, -1)) assert.ok(text.length === TEXT_PIECE || text.length === TEXT_PIECE - 1);
  return texts;
}

/** The JSON of the data element, put together. */
function dataBlock(html: string): string {
  return templateTexts(html, REPORT_DATA_ID).join('');
}

/** The base64 pieces of the column element (each decodes on its own). */
function columnPieces(html: string): string[] {
  const pieces = templateTexts(html, REPORT_COLUMN_ID);
  for (const piece of pieces.slice(0, -1)) assert.strictEqual(piece.length, TEXT_PIECE);
  return pieces;
}

/** The embedded events back, as the report's page reads them (here with Node's zlib). */
function decodeEmbedded(embedded: EmbeddedEvents, pieces: string[]): TraceEvent[] {
  const { flatGzip, flatLength, flatBytes, ...rest } = embedded;
  for (const piece of pieces) assert.match(piece, /^[A-Za-z0-9+/]*={0,2}$/);
  let bytes: Uint8Array = Buffer.from(pieces.join(''), 'base64');
  if (flatGzip) bytes = zlib.gunzipSync(bytes);
  if (flatBytes !== undefined) bytes = bytes.subarray(0, flatBytes);
  const flat = unpackNumbers(bytes, rest.shapes, rest.count, flatLength);
  return decodeEventColumns({ ...rest, format: EVENT_COLUMNS_FORMAT, flat });
}

/** The events a report embeds as events: with the model's lanes, those that are not lifecycle events. */
function embeddedOf(data: { lanes?: unknown }, events: TraceEvent[]): TraceEvent[] {
  return data.lanes ? events.filter((e) => !isLifecycleEvent(e)) : events;
}

describe('standalone report HTML', () => {
  it('embeds the trace so that hostile names cannot break out of the data block', () => {
    const html = reportHtml({ header: { ...HEADER, program: `/p/${HOSTILE}.ts` }, events: EVENTS }, 'console.log(1)', {
      nonce: 'abc123',
    });
    const text = dataBlock(html);
    assert.ok(!text.includes('<'), 'no < at all inside the block');
    const data = JSON.parse(text);
    assert.deepStrictEqual(decodeEmbedded(data.events, columnPieces(html)), embeddedOf(data, EVENTS));
    assert.strictEqual(data.events.flatGzip, false);
    assert.strictEqual(data.header.program, `/p/${HOSTILE}.ts`);
    // Exactly one script element: the bundle.
    assert.strictEqual(html.match(/<script/gi)!.length, 1);
    assert.strictEqual(html.match(/<\/script/gi)!.length, 1);
    // The title is escaped too.
    const title = /<title>([^]*?)<\/title>/.exec(html)![1];
    assert.ok(title.startsWith('Coroutine Trace: ') && !title.includes('<'), title);
    assert.strictEqual(REPORT_DATA_ID, REPORT_DATA_ELEMENT_ID, 'the builder and the webview agree on the element id');
    assert.strictEqual(REPORT_COLUMN_ID, REPORT_COLUMN_ELEMENT_ID, 'and on the column element');
  });

  it('keeps hostile keys, header fields and big gzipped columns inside the data block too', () => {
    // Keys become the shapes' key lists; a trace file is input, so its keys can be anything.
    const odd = { t: 3, type: 'output', task: 1, [HOSTILE]: HOSTILE, nested: { [`${HOSTILE}\u2028`]: 1 } };
    const events = [...EVENTS, odd as unknown as TraceEvent];
    for (let i = 0; i < 3000; i++) events.push({ t: 4 + i / 1000, type: 'task.started', task: i + 2 });
    const header = { ...HEADER, program: `/p/${HOSTILE}.ts`, startedAt: HOSTILE };
    const gzip = (bytes: Uint8Array): Uint8Array => zlib.gzipSync(bytes);
    const html = reportHtml({ header, events }, 'void 0', { nonce: 'n', gzip, gzipAbove: 0 });
    const text = dataBlock(html);
    assert.ok(!text.includes('<') && !text.includes('\u2028'), 'no < nor raw line separator inside the block');
    assert.strictEqual(html.match(/<script/gi)!.length, 1);
    const data = JSON.parse(text);
    assert.strictEqual(data.events.flatGzip, true);
    assert.deepStrictEqual(decodeEmbedded(data.events, columnPieces(html)), embeddedOf(data, events));
    assert.deepStrictEqual(data.header, header);
  });

  it('has a strict policy: the nonce script only, no network, no inline styles', () => {
    const html = reportHtml({ header: HEADER, events: EVENTS }, 'void 0', { nonce: 'N0nce' });
    const csp = /<meta http-equiv="Content-Security-Policy" content="([^"]+)">/.exec(html)![1];
    assert.match(csp, /default-src 'none'/);
    assert.match(csp, /script-src 'nonce-N0nce'/);
    assert.match(csp, /style-src 'none'/);
    assert.ok(!/https?:/.test(csp));
    assert.ok(html.includes('<script nonce="N0nce">void 0</script>'));
    assert.throws(() => reportHtml({ header: HEADER, events: [] }, '', { nonce: '"><x' }), /nonce/);
    const a = /nonce-([0-9a-f]+)/.exec(reportHtml({ header: HEADER, events: [] }, ''))![1];
    const b = /nonce-([0-9a-f]+)/.exec(reportHtml({ header: HEADER, events: [] }, ''))![1];
    assert.ok(a.length >= 32 && a !== b, 'a fresh random nonce each time');
  });

  it('gzips big event columns, and only big ones', () => {
    const gzip = (bytes: Uint8Array): Uint8Array => zlib.gzipSync(bytes);
    const big = reportHtml({ header: HEADER, events: EVENTS }, '', { nonce: 'n', gzip, gzipAbove: 0 });
    const data = JSON.parse(dataBlock(big));
    assert.strictEqual(data.events.flatGzip, true);
    assert.deepStrictEqual(decodeEmbedded(data.events, columnPieces(big)), embeddedOf(data, EVENTS));
    const smallHtml = reportHtml({ header: HEADER, events: EVENTS }, '', { nonce: 'n', gzip, gzipAbove: 1e6 });
    const small = JSON.parse(dataBlock(smallHtml));
    assert.strictEqual(small.events.flatGzip, false, 'small traces stay uncompressed');
    assert.deepStrictEqual(decodeEmbedded(small.events, columnPieces(smallHtml)), embeddedOf(small, EVENTS));
    const emptyHtml = reportHtml({ header: HEADER, events: [] }, '', { nonce: 'n', gzip, gzipAbove: 0 });
    assert.deepStrictEqual(decodeEmbedded(JSON.parse(dataBlock(emptyHtml)).events, columnPieces(emptyHtml)), []);
    const noneHtml = reportHtml({ header: HEADER, events: [] }, '', { nonce: 'n' });
    assert.deepStrictEqual(columnPieces(noneHtml), [], 'no bytes, no pieces');
    assert.deepStrictEqual(decodeEmbedded(JSON.parse(dataBlock(noneHtml)).events, []), []);
  });

  it('cuts text into templates between characters, never inside a surrogate pair', () => {
    for (const text of ['', 'x', 'a'.repeat(TEXT_PIECE), 'a'.repeat(TEXT_PIECE - 1) + '\u{1F600}b', '\u{1F600}'.repeat(TEXT_PIECE + 3)]) {
      const html = templates(text);
      const pieces = [...html.matchAll(/<template>([^<]*)<\/template>/g)].map((m) => m[1]);
      assert.strictEqual(pieces.join(''), text);
      // Written as UTF-8 and read back, as a file is: no half pair became a replacement character.
      for (const piece of pieces) assert.strictEqual(Buffer.from(piece, 'utf8').toString('utf8'), piece);
    }
    // Through a whole report: a task name of emoji longer than a piece.
    const name = '\u{1F600}'.repeat(TEXT_PIECE);
    const events: TraceEvent[] = [{ t: 0, type: 'task.created', task: 1, name, parent: null, site: site(3) }];
    for (const shift of ['', 'x']) {
      const html = Buffer.from(reportHtml({ header: { ...HEADER, program: `/p/${shift}.ts` }, events }, '', { nonce: 'n' }), 'utf8').toString('utf8');
      const data = JSON.parse(dataBlock(html));
      assert.deepStrictEqual(decodeEmbedded(data.events, columnPieces(html)), embeddedOf(data, events));
    }
  });

  it('splits a big column into templates of base64 the page reads back in order', () => {
    const events: TraceEvent[] = [];
    for (let i = 0; i < 40_000; i++) events.push({ t: i * 1.37, type: 'task.started', task: (i * 7919) % 100_003 });
    for (const gzip of [undefined, (bytes: Uint8Array): Uint8Array => zlib.gzipSync(bytes, { level: 0 })]) {
      const html = reportHtml({ header: HEADER, events }, '', { nonce: 'n', gzip, gzipAbove: 0, lanes: false });
      const pieces = columnPieces(html);
      assert.ok(pieces.length >= 2, `${pieces.length} pieces`);
      const data = JSON.parse(dataBlock(html));
      assert.deepStrictEqual(decodeEmbedded(data.events, pieces), embeddedOf(data, events));
    }
  });

  it('the page inflates a gzipped column to the same bytes, and says when it is broken', async () => {
    const bytes = new Uint8Array(300_000).map((_, i) => (i * 7919) % 251);
    for (const input of [bytes, bytes.subarray(0, 10), new Uint8Array(0)]) {
      assert.deepStrictEqual(await gunzip(new Uint8Array(zlib.gzipSync(input))), input);
    }
    const broken = new Uint8Array(zlib.gzipSync(bytes));
    broken[0] = 0; // not gzip
    await assert.rejects(gunzip(broken));
    const { flat, ...rest } = encodeEventColumns(EVENTS);
    const packed = packNumbers(flat, rest.shapes);
    const embedded = { ...rest, flatGzip: true, flatLength: flat.length };
    const base64 = toBase64(zlib.gzipSync(packed));
    assert.deepStrictEqual(decodeEventColumns((await embeddedColumns(embedded, [base64])).events), EVENTS);
    // In pieces, as the report embeds a big column: each decoded on its own and written to the stream in turn.
    const pieces = [base64.slice(0, 8), base64.slice(8, 16), base64.slice(16)];
    assert.deepStrictEqual(decodeEventColumns((await embeddedColumns(embedded, pieces)).events), EVENTS);
    const plain = { ...rest, flatGzip: false, flatLength: flat.length };
    const plainBase64 = toBase64(packed);
    assert.deepStrictEqual(decodeEventColumns((await embeddedColumns(plain, [plainBase64.slice(0, 4), plainBase64.slice(4)])).events), EVENTS);
  });

  it('embeds the model’s lanes, which the page reads back into the model of the whole trace', async () => {
    const { header, events } = syntheticTrace({ tasks: 300, events: 40_000, seed: 41 });
    const whole = buildModel(header, events);
    for (const gzip of [undefined, (bytes: Uint8Array): Uint8Array => zlib.gzipSync(bytes)]) {
      const html = reportHtml({ header, events }, '', { nonce: 'n', gzip, gzipAbove: 0 });
      const data = JSON.parse(dataBlock(html)) as ReportData;
      assert.ok(data.lanes && data.lanes.segments[0] > 0, 'lanes embedded');
      assert.strictEqual(data.events.count, events.filter((e) => !isLifecycleEvent(e)).length, 'only the other events');
      const { events: others, lanes } = await embeddedColumns(data.events, columnPieces(html), data.lanes);
      const session = new TraceSession();
      const inbox = new MessageInbox();
      inbox.push({ type: MessageType.Snapshot, header, events: others, live: false, lanes });
      let next;
      while ((next = inbox.next(3000))) session.handle(next);
      assert.deepStrictEqual(snapshotOf(session.model!), snapshotOf(whole));
      assert.deepStrictEqual(session.edges.all().map(edgeKey).sort(), edges(whole).map(edgeKey).sort());
      // A column cut short, or with bytes after the lanes, is an error the page shows, not a wrong model.
      const bytes = Buffer.from(columnPieces(html).join(''), 'base64');
      const plain = gzip ? zlib.gunzipSync(bytes) : bytes;
      for (const bad of [plain.subarray(0, plain.length - 1), Buffer.concat([plain, Buffer.from([0])])]) {
        await assert.rejects(embeddedColumns({ ...data.events, flatGzip: false }, [toBase64(bad)], data.lanes), /cut|after/);
      }
    }
    // Lanes folded already (as the extension's sessions keep them) give the same page as folding the trace.
    const others = events.filter((e) => !isLifecycleEvent(e));
    const folded = { lanes: encodeModelLanes(whole, others.length), others };
    assert.strictEqual(reportHtml({ header, events }, '', { nonce: 'n', folded }), reportHtml({ header, events }, '', { nonce: 'n' }));
    // Every event, for the page to fold, on request.
    const all = JSON.parse(dataBlock(reportHtml({ header, events: EVENTS }, '', { nonce: 'n', lanes: false })));
    assert.strictEqual(all.lanes, undefined);
    assert.strictEqual(all.events.count, EVENTS.length);
  });

  it('base64 matches Node\'s for every byte value and length', () => {
    for (const length of [0, 1, 2, 3, 4, 255, 256, 0x8000 + 7]) {
      const bytes = new Uint8Array(length).map((_, i) => (i * 37) & 255);
      assert.strictEqual(toBase64(bytes), Buffer.from(bytes).toString('base64'), `length ${length}`);
    }
  });

  it('inlines script text safely and drops the source map comment', () => {
    const js = 'var s = "</script><!--";\n//# sourceMappingURL=webview.js.map\n';
    const safe = scriptForHtml(js);
    assert.ok(!/<\/script/i.test(safe) && !safe.includes('<!--'));
    assert.ok(!safe.includes('sourceMappingURL'));
    // Still the same program.
    const s = new Function(`${safe}; return s;`)();
    assert.strictEqual(s, '</script><!--');
    assert.strictEqual(JSON.parse(jsonForHtml({ a: '<>&\u2028' })).a, '<>&\u2028');
  });

  it('coroutine-trace report writes one self-contained file; bad input is one line and exit 2', function () {
    const cli = path.join(ROOT, 'dist', 'cli.js');
    if (!fs.existsSync(path.join(ROOT, 'dist', 'webview.js'))) this.skip();
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ct-report-'));
    const out = path.join(dir, 'sub', 'report.html');
    const ok = spawnSync(process.execPath, [cli, 'report', path.join(TRACES, '06-runtime-tasks.cotrace'), '-o', out], { encoding: 'utf8' });
    assert.strictEqual(ok.status, 0, ok.stderr);
    assert.match(ok.stderr, /wrote .*report\.html/);
    const html = fs.readFileSync(out, 'utf8');
    assert.ok(html.includes('<!DOCTYPE html>'));
    assert.ok(!/<(link|img|iframe)\b/i.test(html), 'nothing loaded from elsewhere');
    assert.ok(!/\bsrc=/i.test(html), 'no external script');
    const data = JSON.parse(dataBlock(html));
    assert.ok(data.lanes, 'the tasks come as the model\'s lanes');
    assert.deepStrictEqual(decodeEmbedded(data.events, columnPieces(html)), embeddedOf(data, trace('06-runtime-tasks.cotrace').events));

    const truncated = spawnSync(process.execPath, [cli, 'report', path.join(TRACES, '06-truncated.cotrace'), '-o', out], { encoding: 'utf8' });
    assert.strictEqual(truncated.status, 0);
    assert.match(truncated.stderr, /truncated/);
    assert.strictEqual(JSON.parse(dataBlock(fs.readFileSync(out, 'utf8'))).truncated, true);

    for (const args of [
      ['report', path.join(dir, 'missing.cotrace'), '-o', out],
      ['report', path.join(TRACES, '06-runtime-tasks.cotrace')],
      ['report'],
      ['report', path.join(TRACES, 'not-a-trace.cotrace'), '-o', out],
      ['report', path.join(TRACES, '06-runtime-tasks.cotrace'), '-o', out, '--bogus'],
    ]) {
      const r = spawnSync(process.execPath, [cli, ...args], { encoding: 'utf8' });
      assert.strictEqual(r.status, 2, `${args.join(' ')}: ${r.stderr}`);
      assert.strictEqual(r.stderr.trim().split('\n')[0].startsWith('coroutine-trace: '), true);
      assert.ok(!/\n\s+at /.test(r.stderr), 'no stack trace');
    }
  });
});

describe('webview view state', () => {
  it('reads back what it saved', () => {
    const state = defaultViewState();
    state.traceKey = 'k';
    state.view = { start: -5, pxPerMs: 0.25, mode: 'free' };
    state.collapsed = [1, 4];
    state.filter = { text: '/work/', states: ['running', 'done'], hideFinished: true };
    state.arrows.queue = false;
    state.cursor = 12.5;
    state.showTable = true;
    assert.deepStrictEqual(sanitizeViewState(JSON.parse(JSON.stringify(state))), state);
  });

  it('falls back to defaults for anything it does not recognise', () => {
    assert.deepStrictEqual(sanitizeViewState(undefined), defaultViewState());
    assert.deepStrictEqual(sanitizeViewState({ version: 99, traceKey: 'x' }), defaultViewState());
    const odd = sanitizeViewState({
      version: 1,
      view: { start: 'x', pxPerMs: -1, mode: 'fit' },
      collapsed: [1, -2, 'a', 2.5, 3],
      filter: { text: 42, states: ['running', 'bogus'], hideFinished: 'yes' },
      arrows: { create: false, await: 'no' },
      scrollTop: -3,
      cursor: Infinity,
    });
    assert.strictEqual(odd.view, null);
    assert.deepStrictEqual(odd.collapsed, [1, 3]);
    assert.deepStrictEqual(odd.filter, { text: '', states: ['running'], hideFinished: false });
    assert.deepStrictEqual(odd.arrows, { create: false, await: true, cancel: true, queue: true, deadlock: true });
    assert.strictEqual(odd.scrollTop, 0);
    assert.strictEqual(odd.cursor, null);
  });
});
