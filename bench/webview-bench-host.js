/**
 * The extension host's part in the timeline benchmark, run in a Worker of the benchmark page (bundled by
 * webview-bench.js with esbuild): another thread, as the real host is another process. It posts the trace the way
 * src/extension/timelinePanel.ts does (columnar batches, at most `piece` events per message, one message per turn of
 * its event loop), off the page's main thread and overlapping the page's folding, as in VS Code. A loaded trace is
 * held as the extension holds it, in a `TraceSession` (its events in an `EventStore`, whose batches are encoded while
 * the file loads, and its model folded; reported apart, as `loadEncodeMs`; the model's lanes encoded once it is all
 * read, `lanesMs`), so posting it sends the lanes and the stored batches of the other events; a live run's events, and
 * the whole trace as one message, are encoded as they are sent. The page forwards each message to the timeline.
 */
import { BATCH_EVENTS } from '../src/extension/pure/eventStore';
import { TraceSession } from '../src/extension/pure/traceSession';
import { encodeEventColumns } from '../src/protocol/eventColumns';

let trace = null;
/** The trace as the extension holds a loaded file: its events stored encoded, its model, and once finished its lanes. */
let session = null;

function post(message, encodeMs, keep = false) {
  // A stored batch (and the session's lanes) is the session's: it is copied (as VS Code's postMessage copies
  // everything), a fresh one moved.
  const transfer = message.events && !keep ? [message.events.flat.buffer] : [];
  self.postMessage({ message, encodeMs }, transfer);
}

/** Events `from` to `to` encoded as they are sent (a live run, or the whole trace as one message), timed. */
function batch(from, to) {
  return timed(() => encodeEventColumns(trace.events, from, to));
}

/** Other events `from` to `to` as the extension sends a loaded trace with its lanes: stored batches as they are, timed. */
function storedBatch(from, to) {
  return timed(() => session.others.encoded(from, to));
}

function timed(make) {
  const started = performance.now();
  const events = make();
  return { events, ms: performance.now() - started };
}

self.onmessage = ({ data }) => {
  switch (data.cmd) {
    case 'init': {
      trace = JSON.parse(data.json);
      // As the extension loads a trace file (the reading and parsing left out): events stored, the model folded...
      const started = performance.now();
      session = TraceSession.ofFile(trace.header, {});
      session.addEvents(trace.events);
      const loaded = performance.now();
      // ...and, once it is all read, the model's lanes encoded (in slices after `finish`, done at once when read).
      session.finish();
      void session.lanes;
      const finished = performance.now();
      self.postMessage({ ready: trace.events.length, loadEncodeMs: loaded - started, lanesMs: finished - loaded });
      return;
    }
    case 'snapshot': {
      // The whole trace, finished: a snapshot with the first piece, then the rest, then `finished`.
      // A piece of another size than the store's batches is one message of the whole trace, encoded when sent.
      // The extension's way (`piece` the store's batches): the lanes, and the other events as stored.
      const { header } = trace;
      const piece = data.piece;
      const stored = piece === BATCH_EVENTS;
      const pieceOf = stored ? storedBatch : batch;
      const count = stored ? session.others.length : trace.events.length;
      const first = pieceOf(0, Math.min(piece, count));
      const snapshot = { type: 'snapshot', header, events: first.events, live: false };
      if (stored) snapshot.lanes = session.lanes;
      post(snapshot, first.ms, stored);
      let sent = Math.min(piece, count);
      const next = () => {
        if (sent < count) {
          const to = Math.min(count, sent + piece);
          const b = pieceOf(sent, to);
          post({ type: 'events', events: b.events }, b.ms, stored);
          sent = to;
          setTimeout(next, 0);
        } else post({ type: 'finished' }, 0);
      };
      setTimeout(next, 0);
      return;
    }
    case 'live': {
      // Events "produced" at `rate` per second from `startEpoch`; what was produced is sent every `batchMs`.
      const { rate, total, batchMs, startEpoch } = data;
      const { header } = trace;
      const empty = batch(0, 0);
      post({ type: 'snapshot', header, events: empty.events, live: true }, empty.ms);
      let sent = 0;
      const send = () => {
        const now = performance.timeOrigin + performance.now();
        const upTo = Math.min(total, Math.floor(((now - startEpoch) / 1000) * rate));
        if (upTo > sent) {
          const b = batch(sent, upTo);
          post({ type: 'events', events: b.events }, b.ms);
          sent = upTo;
        }
        if (sent < total) setTimeout(send, batchMs);
        else post({ type: 'finished' }, 0);
      };
      setTimeout(send, batchMs);
      return;
    }
    default:
      throw new Error(`unknown command ${data.cmd}`);
  }
};
