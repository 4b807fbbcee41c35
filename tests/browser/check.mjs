// The lineage explorer in headless Chromium; run by tests/browser/run.sh,
// which starts the servers and passes their addresses:
//
//   node tests/browser/check.mjs --url http://127.0.0.1:PORT/ \
//       --auth-url http://127.0.0.1:PORT2/ --user USER --chromium /usr/bin/chromium \
//       --profile DIR --out target/browser        # password in AIKG_BROWSER_PASSWORD
//
// Each check prints `ok` or `FAIL` with the reason; the last line counts them.
import { createRequire } from 'node:module';
import { readFileSync, writeFileSync } from 'node:fs';
import { inflateSync } from 'node:zlib';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';

const { values: opts } = parseArgs({
  options: {
    url: { type: 'string' },
    'auth-url': { type: 'string' },
    user: { type: 'string', default: 'neo4j' },
    chromium: { type: 'string', default: '/usr/bin/chromium' },
    profile: { type: 'string' },
    out: { type: 'string', default: 'target/browser' },
  },
});
const require = createRequire(resolve(process.env.AIKG_BROWSER_NODE_DIR || 'target/browser-node') + '/');
const { chromium } = require('playwright-core');

let passed = 0;
let failed = 0;

async function check(name, body) {
  try {
    await body();
    passed += 1;
    console.log(`ok   ${name}`);
  } catch (e) {
    failed += 1;
    console.log(`FAIL ${name}: ${(e && e.message) || e}`);
  }
}

function assert(condition, message) {
  if (!condition) throw new Error(message);
}

// ----- PNG decoding (8-bit, non-interlaced: what Chromium writes) -----------

function decodePng(bytes) {
  const signature = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];
  assert(signature.every((b, i) => bytes[i] === b), 'not a PNG: wrong signature');
  let offset = 8;
  let width = 0;
  let height = 0;
  let colourType = 0;
  const idat = [];
  while (offset < bytes.length) {
    const length = bytes.readUInt32BE(offset);
    const type = bytes.toString('latin1', offset + 4, offset + 8);
    const data = bytes.subarray(offset + 8, offset + 8 + length);
    if (type === 'IHDR') {
      width = data.readUInt32BE(0);
      height = data.readUInt32BE(4);
      assert(data[8] === 8 && data[12] === 0, `unexpected PNG bit depth ${data[8]} or interlace ${data[12]}`);
      colourType = data[9];
    } else if (type === 'IDAT') {
      idat.push(data);
    }
    offset += 12 + length;
  }
  const channels = { 0: 1, 2: 3, 4: 2, 6: 4 }[colourType];
  assert(channels, `unexpected PNG colour type ${colourType}`);
  const raw = inflateSync(Buffer.concat(idat));
  const stride = width * channels;
  const pixels = Buffer.alloc(stride * height);
  for (let y = 0; y < height; y++) {
    const filter = raw[y * (stride + 1)];
    const line = raw.subarray(y * (stride + 1) + 1, (y + 1) * (stride + 1));
    for (let x = 0; x < stride; x++) {
      const a = x >= channels ? pixels[y * stride + x - channels] : 0;
      const b = y > 0 ? pixels[(y - 1) * stride + x] : 0;
      const c = x >= channels && y > 0 ? pixels[(y - 1) * stride + x - channels] : 0;
      let v = line[x];
      if (filter === 1) v += a;
      else if (filter === 2) v += b;
      else if (filter === 3) v += (a + b) >> 1;
      else if (filter === 4) {
        const p = a + b - c;
        const pa = Math.abs(p - a);
        const pb = Math.abs(p - b);
        const pc = Math.abs(p - c);
        v += pa <= pb && pa <= pc ? a : pb <= pc ? b : c;
      }
      pixels[y * stride + x] = v & 0xff;
    }
  }
  return { width, height, channels, pixels };
}

/// How far a picture is from blank: its distinct colours, and the share
/// of pixels that differ from the commonest colour.
function variety(png) {
  const counts = new Map();
  const { pixels, channels } = png;
  for (let i = 0; i < pixels.length; i += channels) {
    let key = 0;
    for (let c = 0; c < Math.min(channels, 3); c++) key = key * 256 + pixels[i + c];
    counts.set(key, (counts.get(key) || 0) + 1);
  }
  const total = pixels.length / channels;
  const commonest = Math.max(...counts.values());
  return { colours: counts.size, busy: 1 - commonest / total };
}

function assertNotBlank(png, what) {
  const v = variety(png);
  assert(v.colours >= 16 && v.busy >= 0.005,
    `${what} looks blank: ${v.colours} colours, ${(v.busy * 100).toFixed(2)}% of pixels off the background`);
  return v;
}

// ----- the browser ----------------------------------------------------------

const context = await chromium.launchPersistentContext(opts.profile, {
  executablePath: opts.chromium,
  headless: true,
  args: [
    '--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
    '--disable-background-networking', '--disable-component-update', '--disable-sync',
  ],
  viewport: { width: 1400, height: 860 },
  acceptDownloads: true,
});
context.setDefaultTimeout(15000);

const problems = [];
function watch(page, label) {
  page.on('pageerror', (e) => problems.push(`${label}: ${e.message}`));
  page.on('response', (r) => {
    if (r.status() === 404) problems.push(`${label}: 404 for ${r.url()}`);
  });
  page.on('console', (m) => {
    if (m.type() === 'error' && !/status of 40[01]/.test(m.text())) problems.push(`${label}: console: ${m.text()}`);
  });
}

const page = context.pages()[0] || await context.newPage();
watch(page, 'page');

/// Where cytoscape draws a node, in page coordinates.
async function nodePoint(graphId, nodeId) {
  const box = await page.locator(`#${graphId}`).boundingBox();
  const p = await page.evaluate(([g, id]) => {
    const cy = g === 'lineage-graph' ? window.aikgExplorer.lineage.cy : window.aikgExplorer.cypher.cy;
    return cy.getElementById(id).renderedPosition();
  }, [graphId, nodeId]);
  return { x: box.x + p.x, y: box.y + p.y };
}

/// Painted pixels on a graph's canvases, read back from the page.
function paintedPixels(graphId) {
  return page.evaluate((id) => {
    let painted = 0;
    for (const canvas of document.querySelectorAll(`#${id} canvas`)) {
      if (!canvas.width || !canvas.height) continue;
      const data = canvas.getContext('2d').getImageData(0, 0, canvas.width, canvas.height).data;
      for (let i = 3; i < data.length; i += 4) if (data[i] > 0) painted += 1;
    }
    return painted;
  }, graphId);
}

/// Searches the explorer and waits for its answer and the drawn lineage.
async function search(name) {
  await page.fill('#search', name);
  await page.click('#search-form button[type="submit"]');
  const found = page.locator('#search-result .found');
  await found.waitFor();
  const id = await found.getAttribute('data-id');
  const key = await found.getAttribute('data-key');
  await page.waitForFunction((root) => {
    const { lineage } = window.aikgExplorer;
    return lineage.root === root && lineage.cy.getElementById(root).nonempty();
  }, id);
  return { id, key };
}

async function download(linkSelector, file) {
  const [dl] = await Promise.all([page.waitForEvent('download'), page.click(linkSelector)]);
  const path = join(opts.out, file);
  await dl.saveAs(path);
  const bytes = readFileSync(path);
  const png = decodePng(bytes);
  assert(png.width > 50 && png.height > 50, `${file} is only ${png.width}x${png.height}`);
  assertNotBlank(png, file);
  return { bytes: bytes.length, png, name: dl.suggestedFilename() };
}

await check('GET / serves the page and its scripts', async () => {
  const response = await page.goto(opts.url);
  assert(response.status() === 200, `status ${response.status()}`);
  assert(response.headers()['content-type'].startsWith('text/html'), `content type ${response.headers()['content-type']}`);
  assert((await page.title()).includes('lineage explorer'), `title ${await page.title()}`);
  await page.waitForFunction(() => window.cytoscape && window.aikgExplorer);
  await page.waitForFunction(() => document.querySelectorAll('#type-list input').length > 0);
  const status = await page.textContent('#graph-status');
  assert(/\d+ nodes · \d+ relationships/.test(status), `status line '${status}'`);
  const types = await page.$$eval('#type-list input', (inputs) => inputs.map((i) => i.value));
  for (const t of ['BUILT_ON', 'DEVELOPED_BY', 'INVESTED_IN']) assert(types.includes(t), `no ${t} in ${types}`);
});

let zhipu;
await check('searching 智谱AI and Zhipu AI finds the same node', async () => {
  zhipu = await search('智谱AI');
  assert(zhipu.key === 'zhipu-ai', `智谱AI found '${zhipu.key}'`);
  const english = await search('Zhipu AI');
  assert(english.id === zhipu.id, `Zhipu AI found node ${english.id}, 智谱AI node ${zhipu.id}`);
  const alias = await search('智谱华章');
  assert(alias.id === zhipu.id, `the alias 智谱华章 found node ${alias.id}`);
});

await check('a name that matches nothing offers close names', async () => {
  await page.fill('#search', 'Zhipu AJ');
  await page.click('#search-form button[type="submit"]');
  await page.locator('#search-result li button').first().waitFor();
  const offered = await page.$$eval('#search-result li button', (b) => b.map((x) => x.textContent));
  assert(offered.some((s) => /zhipu/i.test(s)), `offered ${offered}`);
  await page.locator('#search-result li button', { hasText: /zhipu/i }).first().click();
  await page.locator('#search-result .found').waitFor();
});

await check('the lineage graph draws with the chosen direction and types', async () => {
  await page.fill('#depth', '1');
  await page.dispatchEvent('#depth', 'change');
  const node = await search('ChatGLM-6B');
  assert(node.key === 'chatglm-6b', `found '${node.key}'`);
  const drawn = await page.evaluate(() => {
    const { cy } = window.aikgExplorer.lineage;
    return { nodes: cy.nodes().map((n) => n.data('key')), edges: cy.edges().map((e) => e.data('type')) };
  });
  assert(drawn.nodes.includes('glm-6b'), `nodes ${drawn.nodes}`);
  assert(drawn.edges.includes('BUILT_ON'), `edges ${drawn.edges}`);
  const ticked = await page.$$eval('#type-list input:checked', (i) => i.map((x) => x.value));
  assert(ticked.includes('BUILT_ON') && !ticked.includes('INVESTED_IN'), `ticked ${ticked}`);
  const painted = await paintedPixels('lineage-graph');
  assert(painted > 2000, `only ${painted} pixels painted on the lineage canvas`);
  // Down from GLM-6B reaches ChatGLM-6B, which is built on it.
  await page.check('input[name="toward"][value="derived"]');
  await search('GLM-6B');
  const down = await page.evaluate(() => window.aikgExplorer.lineage.cy.nodes().map((n) => n.data('key')));
  assert(down.includes('chatglm-6b'), `derived from GLM-6B: ${down}`);
  await page.check('input[name="toward"][value="origins"]');
});

await check('clicking a node expands it and shows its report sections', async () => {
  await search('ChatGLM-6B');
  const before = await page.evaluate(() => window.aikgExplorer.lineage.cy.nodes().length);
  const target = await page.evaluate(() => {
    const { cy, root } = window.aikgExplorer.lineage;
    const more = cy.nodes('.more');
    return (more.nonempty() ? more : cy.nodes().filter((n) => n.id() !== root)).first().id();
  });
  assert(target, 'no node to click');
  await page.waitForTimeout(300);
  const point = await nodePoint('lineage-graph', target);
  await page.mouse.click(point.x, point.y);
  await page.waitForFunction((n) => window.aikgExplorer.lineage.cy.nodes().length > n, before);
  const after = await page.evaluate(() => window.aikgExplorer.lineage.cy.nodes().length);
  const shown = await page.locator('#lineage-details h2').textContent();
  const name = await page.evaluate((id) => window.aikgExplorer.lineage.cy.getElementById(id).data('name'), target);
  assert(shown.includes(name), `the details show '${shown}', not '${name}'`);
  const source = await page.evaluate((id) => window.aikgExplorer.lineage.cy.getElementById(id).data('properties').source, target);
  const sections = await page.locator('#lineage-details .source').allTextContents();
  assert(sections.length >= 2, `${sections.length} report sections shown`);
  const last = source.split(' > ').pop();
  assert(sections[0].includes(last), `the node's section '${last}' is not shown: ${sections[0]}`);
  assert(await page.locator('#lineage-details .fact').count() > 0, 'no facts listed');
  console.log(`     expanded ${name}: ${before} -> ${after} nodes`);
});

await check('the lineage picture downloads as a PNG', async () => {
  const got = await download('#download-lineage', 'lineage-download.png');
  assert(got.name === 'aikg-lineage.png', `file name ${got.name}`);
  console.log(`     ${got.name}: ${got.png.width}x${got.png.height}, ${got.bytes} bytes`);
});

const statement = "MATCH (p)-[r:BUILT_ON]->(b:Model {id: 'tongyi'}) RETURN p.name AS built_on_tongyi, r, b ORDER BY built_on_tongyi";
await check('a Cypher query shows its rows in the table', async () => {
  const expected = await (await fetch(new URL('/db/query', opts.url), {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ statement }),
  })).json();
  assert(expected.rows.length > 0, 'the query has no rows to compare');
  await page.click('#tab-cypher');
  await page.fill('#cypher', statement);
  await page.click('#cypher-form button[type="submit"]');
  await page.waitForFunction(() => /rows? in/.test(document.getElementById('result-summary').textContent));
  const header = await page.$$eval('#result-table th', (th) => th.map((x) => x.textContent));
  assert(JSON.stringify(header) === JSON.stringify(expected.columns), `columns ${header}`);
  const firsts = await page.$$eval('#result-table tbody tr', (rows) => rows.map((r) => r.cells[0].textContent));
  const want = expected.rows.map((r) => r[0]);
  assert(JSON.stringify(firsts) === JSON.stringify(want), `table ${firsts}, expected ${want}`);
  const chips = await page.$$eval('#result-table tbody tr', (rows) => rows.map((r) => r.cells[1].textContent));
  assert(chips.every((c) => c === '[:BUILT_ON]'), `relationship cells ${chips}`);
});

await check('the graph view draws the result and downloads as a PNG', async () => {
  await page.click('#tab-cypher');
  await page.click('#show-graph');
  const expected = await page.evaluate(() => new Set(window.aikgExplorer.cypher.result.data.values.flatMap((r) => [r[0]])).size + 1);
  await page.waitForFunction((n) => window.aikgExplorer.cypher.cy.nodes().length === n, expected);
  const edges = await page.evaluate(() => window.aikgExplorer.cypher.cy.edges().length);
  assert(edges >= expected - 1, `${edges} edges for ${expected} nodes`);
  await page.waitForTimeout(200);
  const painted = await paintedPixels('result-graph');
  assert(painted > 2000, `only ${painted} pixels painted on the result canvas`);
  const got = await download('#download-cypher', 'query-download.png');
  console.log(`     ${expected} nodes, ${edges} relationships; ${got.name}: ${got.png.width}x${got.png.height}`);
});

await check('clicking a result node shows it and opens its lineage', async () => {
  await page.click('#tab-cypher');
  await page.click('#show-graph');
  const id = await page.evaluate(() => window.aikgExplorer.cypher.cy.nodes().first().id());
  const point = await nodePoint('result-graph', id);
  await page.mouse.click(point.x, point.y);
  await page.locator('#cypher-details h2').waitFor();
  await page.click('#cypher-details button:has-text("Open its lineage")');
  await page.waitForFunction((root) => window.aikgExplorer.lineage.root === root
    && window.aikgExplorer.lineage.cy.getElementById(root).nonempty(), id);
  assert(await page.locator('#view-lineage').isVisible(), 'the lineage view is not shown');
});

await check('a syntax error shows the server message with its caret', async () => {
  await page.click('#tab-cypher');
  await page.fill('#cypher', 'MATCH (m:Model RETURN m');
  await page.click('#cypher-form button[type="submit"]');
  const box = page.locator('#cypher-error');
  await box.waitFor();
  const text = await box.innerText();
  assert(text.includes('Neo.ClientError.Statement.SyntaxError'), `no status code in: ${text}`);
  const lines = text.split('\n');
  const query = lines.findIndex((l) => l.includes('MATCH (m:Model RETURN m'));
  assert(query >= 0 && /^\s*\^+\s*$/.test(lines[query + 1] || ''), `no caret under the query in:\n${text}`);
  // The caret sits under RETURN, as the monospaced box keeps the spacing.
  assert(lines[query + 1].indexOf('^') === lines[query].indexOf('RETURN'), `caret misplaced:\n${text}`);
});

await check('the page is not blank (screenshot)', async () => {
  await page.click('#tab-cypher');
  await page.fill('#cypher', statement);
  await page.click('#cypher-form button[type="submit"]');
  await page.waitForFunction(() => document.getElementById('cypher-error').hidden);
  await page.click('#tab-lineage');
  await search('ChatGLM-6B');
  await page.waitForTimeout(400);
  const path = join(opts.out, 'explorer.png');
  const shot = await page.screenshot({ path });
  const v = assertNotBlank(decodePng(shot), 'the screenshot');
  console.log(`     ${path}: ${shot.length} bytes, ${v.colours} colours`);
});

await check('no errors in the page', async () => {
  assert(problems.length === 0, problems.join('; '));
});

await check('with credentials on, the page asks for a login and then works', async () => {
  const second = await context.newPage();
  watch(second, 'login page');
  const response = await second.goto(opts['auth-url']);
  assert(response.status() === 200, `the page itself answered ${response.status()}`);
  await second.locator('#login').waitFor({ state: 'visible' });
  await second.fill('#login-user', opts.user);
  await second.fill('#login-password', 'not-the-password');
  await second.click('#login-form button[type="submit"]');
  await second.locator('#login-error').waitFor({ state: 'visible' });
  await second.fill('#login-password', process.env.AIKG_BROWSER_PASSWORD || '');
  await second.click('#login-form button[type="submit"]');
  await second.waitForFunction(() => /\d+ nodes/.test(document.getElementById('graph-status').textContent));
  await second.fill('#search', '智谱AI');
  await second.click('#search-form button[type="submit"]');
  const found = second.locator('#search-result .found');
  await found.waitFor();
  assert((await found.getAttribute('data-key')) === 'zhipu-ai', 'the search after logging in found another node');
  assert(await second.locator('#logout').isVisible(), 'no way to log out');
  await second.screenshot({ path: join(opts.out, 'explorer-logged-in.png') });
  await second.close();
});

await context.close();
writeFileSync(join(opts.out, 'summary.txt'), `${passed} passed, ${failed} failed\n`);
console.log(`browser: ${passed} passed, ${failed} failed`);
process.exit(failed ? 1 : 0);
