/**
 * The extension host's part in the timeline benchmark, run in a Worker of the benchmark page (bundled by
 * webview-bench.js with esbuild): another thread, as the real host is another process. It holds the trace's events
 * and encodes and posts them the way src/extension/timelinePanel.ts does (columnar batches, at most `piece` events per
 * message, one message per turn of its event loop), so the encoding cost is paid off the page's main thread and
 * overlaps the page's folding, as it does in VS Code. The page forwards each message to the timeline.
 */
import { encodeEventColumns } from '../src/protocol/eventColumns';

let trace = null;

function post(message, encodeMs) {
  const transfer = message.events ? [message.events.flat.buffer] : [];
  self.postMessage({ message, encodeMs }, transfer);
}

function batch(from, to) {
  const started = performance.now();
  const events = encodeEventColumns(trace.events, from, to);
  return { events, ms: performance.now() - started };
}

self.onmessage = ({ data }) => {
  switch (data.cmd) {
    case 'init':
      trace = JSON.parse(data.json);
      self.postMessage({ ready: trace.events.length });
      return;
    case 'snapshot': {
      // The whole trace, finished: a snapshot with the first piece, then the rest, then `finished`.
      const { header, events } = trace;
      const piece = data.piece;
      const first = batch(0, Math.min(piece, events.length));
      post({ type: 'snapshot', header, events: first.events, live: false }, first.ms);
      let sent = Math.min(piece, events.length);
      const next = () => {
        if (sent < events.length) {
          const to = Math.min(events.length, sent + piece);
          const b = batch(sent, to);
          post({ type: 'events', events: b.events }, b.ms);
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
