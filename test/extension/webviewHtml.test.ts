import * as assert from 'assert';
import { contentSecurityPolicy, escapeHtml, makeNonce, placeholderHtml, timelineHtml } from '../../src/extension/pure/webviewHtml';
import { modelOf } from '../model/fixtures';

const CSP_SOURCE = 'https://file+.vscode-resource.vscode-cdn.net';

describe('extension/pure/webviewHtml', () => {
  it('allows nothing by default, scripts only with the nonce, styles only from the webview source', () => {
    assert.strictEqual(
      contentSecurityPolicy(CSP_SOURCE, 'abc'),
      `default-src 'none'; style-src ${CSP_SOURCE}; img-src ${CSP_SOURCE} data:; font-src ${CSP_SOURCE}; script-src 'nonce-abc';`,
    );
    assert.ok(!contentSecurityPolicy(CSP_SOURCE).includes('script-src'));
    assert.ok(!contentSecurityPolicy(CSP_SOURCE, 'n').includes('unsafe'));
  });

  it('makes 32-character alphanumeric nonces', () => {
    const nonce = makeNonce();
    assert.match(nonce, /^[A-Za-z0-9]{32}$/);
    assert.notStrictEqual(makeNonce(), nonce);
  });

  it('loads the webview bundle with the nonce', () => {
    const html = timelineHtml({ cspSource: CSP_SOURCE, nonce: 'N0nce', scriptUri: 'https://x/dist/webview.js', title: 'T <1>' });
    assert.ok(html.includes(`<script nonce="N0nce" src="https://x/dist/webview.js"></script>`));
    assert.ok(html.includes("script-src 'nonce-N0nce'"));
    assert.ok(html.includes('<title>T &#60;1&#62;</title>'));
    assert.ok(!html.includes('stylesheet'));
    const styled = timelineHtml({ cspSource: CSP_SOURCE, nonce: 'n', scriptUri: 's', styleUri: 'https://x/media/timeline.css', title: 't' });
    assert.ok(styled.includes('<link rel="stylesheet" href="https://x/media/timeline.css">'));
  });

  it('lists the tasks as text when the bundle is missing, with no script', () => {
    const html = placeholderHtml({ cspSource: CSP_SOURCE, title: 'Timeline: 07-cancel-timeout.ts', model: modelOf('07-cancel-timeout.cotrace') });
    assert.ok(!/<script/i.test(html));
    assert.ok(html.includes('<h2>Cancelled (1)</h2>'));
    assert.ok(html.includes('<b>Task-4 (worker_3)</b> — cancelled by main · 07-cancel-timeout.ts:24'));
    assert.ok(html.includes('<h2>Done (2)</h2>'));
    assert.ok(html.includes('4 tasks, 2 s, finished'));
    const empty = placeholderHtml({ cspSource: CSP_SOURCE, title: 't', message: 'No tasks <here>' });
    assert.ok(empty.includes('<p>No tasks &#60;here&#62;</p>'));
  });

  it('escapes HTML', () => {
    assert.strictEqual(escapeHtml(`<a href="x">'&'</a>`), '&#60;a href=&#34;x&#34;&#62;&#39;&#38;&#39;&#60;/a&#62;');
  });
});
