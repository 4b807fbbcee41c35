// The lineage explorer's page script. It reads the graph through the HTTP
// API of `aikg serve` only: /schema, /explore/find, /explore/lineage,
// /explore/nodes and /db/neo4j/query/v2 (see src/server/web.rs). Every
// text from the graph goes into the page as text, never as markup.
'use strict';

const $ = (id) => document.getElementById(id);

// ----- talking to the server ------------------------------------------------

class ApiError extends Error {
  constructor(message, code) {
    super(message);
    this.code = code || '';
  }
}

const AUTH_KEY = 'aikg-explorer-auth';
let loginWaiting = null;

/// Sends a request with the stored credentials. A 401 opens the login
/// dialog and sends the request again once the user has logged in.
/// Credentials go in our own Authorization header, and `credentials:
/// 'omit'` keeps the browser from showing its own prompt as well.
async function api(path, body) {
  const headers = { Accept: 'application/json' };
  if (body !== undefined) headers['Content-Type'] = 'application/json';
  const auth = sessionStorage.getItem(AUTH_KEY);
  if (auth) headers.Authorization = auth;
  const response = await fetch(path, {
    method: body === undefined ? 'GET' : 'POST',
    headers,
    body: body === undefined ? undefined : JSON.stringify(body),
    credentials: 'omit',
    cache: 'no-store',
  });
  if (response.status === 401) {
    await login(auth ? 'The server did not accept that user name and password.' : '');
    return api(path, body);
  }
  let data;
  try {
    data = await response.json();
  } catch {
    throw new ApiError(`the server answered ${response.status} ${response.statusText} without JSON`);
  }
  if (!response.ok) {
    // /db/query and /explore answer {code, message}; the Query API {errors: [...]}.
    const e = (data.errors && data.errors[0]) || data;
    throw new ApiError(e.message || `the server answered ${response.status}`, e.code);
  }
  return data;
}

function login(problem) {
  if (!loginWaiting) {
    loginWaiting = new Promise((resolve) => {
      const dialog = $('login');
      const error = $('login-error');
      error.textContent = problem;
      error.hidden = !problem;
      const form = $('login-form');
      const submit = (event) => {
        event.preventDefault();
        const user = $('login-user').value;
        const password = $('login-password').value;
        const bytes = new TextEncoder().encode(`${user}:${password}`);
        sessionStorage.setItem(AUTH_KEY, 'Basic ' + btoa(String.fromCharCode(...bytes)));
        form.removeEventListener('submit', submit);
        dialog.close();
        $('logout').hidden = false;
        loginWaiting = null;
        resolve();
      };
      form.addEventListener('submit', submit);
      dialog.showModal();
      $(problem || !$('login-user').value ? 'login-user' : 'login-password').focus();
    });
  }
  return loginWaiting;
}

// The dialog stays until the user logs in: nothing works without it.
$('login').addEventListener('cancel', (event) => event.preventDefault());
$('logout').addEventListener('click', () => {
  sessionStorage.removeItem(AUTH_KEY);
  location.reload();
});
if (sessionStorage.getItem(AUTH_KEY)) $('logout').hidden = false;

/// Shows an error (with the server's caret text as it came) in `box`.
function showError(box, error) {
  box.replaceChildren();
  if (!error) {
    box.hidden = true;
    return;
  }
  if (error.code) {
    const code = document.createElement('span');
    code.className = 'code';
    code.textContent = error.code;
    box.append(code);
  }
  box.append(document.createTextNode(error.message || String(error)));
  box.hidden = false;
}

// ----- small DOM helpers ----------------------------------------------------

function el(tag, attrs, ...children) {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (k === 'class') e.className = v;
    else if (k === 'style') e.style.cssText = v;
    else if (k.startsWith('on')) e.addEventListener(k.slice(2), v);
    else e.setAttribute(k, v);
  }
  for (const c of children) {
    if (c !== null && c !== undefined) e.append(c instanceof Node ? c : String(c));
  }
  return e;
}

/// Replaces `box`'s children, skipping the null and undefined ones.
function fill(box, ...children) {
  box.replaceChildren(...children.filter((c) => c !== null && c !== undefined));
}

function chip(text, colour) {
  return el('span', { class: 'chip', style: colour ? `background:${colour}` : '' }, text);
}

/// A property value as text: lists joined, objects as JSON.
function valueText(v) {
  if (v === null || v === undefined) return 'null';
  if (Array.isArray(v)) return v.map(valueText).join(', ');
  if (typeof v === 'object') return JSON.stringify(v);
  return String(v);
}

/// The report section a fact comes from, with its lines.
function sourceBlock(props) {
  if (!props || !props.source) return null;
  const path = el('div', { class: 'path' }, ...String(props.source).split(' > ').map((s) => el('span', {}, s)));
  const lines = Array.isArray(props.lines) && props.lines.length === 2
    ? el('div', { class: 'muted' }, props.lines[0] === props.lines[1]
      ? `report line ${props.lines[0]}` : `report lines ${props.lines[0]}–${props.lines[1]}`)
    : null;
  return el('div', { class: 'source', title: 'The report section this comes from' }, path, lines);
}

const HIDDEN_PROPS = new Set(['source', 'lines']);

function propertyTable(props) {
  const rows = Object.entries(props || {})
    .filter(([k]) => !HIDDEN_PROPS.has(k))
    .map(([k, v]) => el('tr', {}, el('th', {}, k), el('td', {}, valueText(v))));
  return rows.length ? el('table', {}, ...rows) : el('p', { class: 'muted' }, 'No other properties.');
}

// ----- drawing --------------------------------------------------------------

const measure = document.createElement('canvas').getContext('2d');
measure.font = '11px system-ui, sans-serif';

/// The box a caption needs once wrapped at TEXT_WIDTH.
const TEXT_WIDTH = 150;
function captionSize(caption) {
  const widths = String(caption).split('\n').map((l) => measure.measureText(l).width);
  const lines = widths.reduce((n, w) => n + Math.max(1, Math.ceil(w / TEXT_WIDTH)), 0);
  const width = Math.min(Math.max(...widths), TEXT_WIDTH);
  return { w: Math.max(width + 18, 60), h: 14 * lines + 14 };
}

const graphStyle = [
  {
    selector: 'node',
    style: {
      shape: 'round-rectangle',
      'background-color': 'data(colour)',
      'border-width': 1,
      'border-color': '#57606a',
      label: 'data(caption)',
      'text-wrap': 'wrap',
      'text-max-width': TEXT_WIDTH,
      'text-valign': 'center',
      'text-halign': 'center',
      'font-size': 11,
      'font-family': 'system-ui, sans-serif',
      color: '#1f2328',
      width: 'data(w)',
      height: 'data(h)',
    },
  },
  { selector: 'node.root', style: { 'border-width': 3, 'border-color': '#0969da', 'font-weight': 'bold' } },
  { selector: 'node.more', style: { 'border-style': 'dashed', 'border-width': 2 } },
  { selector: 'node:selected', style: { 'border-width': 3, 'border-color': '#bf3989', 'overlay-opacity': 0 } },
  {
    selector: 'edge',
    style: {
      width: 1.5,
      'curve-style': 'bezier',
      'line-color': '#8c959f',
      'target-arrow-color': '#8c959f',
      'target-arrow-shape': 'triangle',
      'arrow-scale': 0.9,
      label: 'data(type)',
      'font-size': 8,
      color: '#57606a',
      'text-rotation': 'autorotate',
      'text-background-color': '#fcfcfd',
      'text-background-opacity': 1,
      'text-background-padding': 1,
    },
  },
  { selector: 'edge.status', style: { 'line-style': 'dashed' } },
  { selector: 'edge:selected', style: { 'line-color': '#bf3989', 'target-arrow-color': '#bf3989', width: 2.5 } },
];

function makeGraph(container) {
  return cytoscape({
    container,
    style: graphStyle,
    minZoom: 0.1,
    maxZoom: 4,
    boxSelectionEnabled: false,
  });
}

function nodeElement(n, extra) {
  const size = captionSize(n.caption);
  return {
    group: 'nodes',
    data: { ...n, w: size.w, h: size.h, ...extra },
  };
}

function edgeElement(e) {
  return {
    group: 'edges',
    data: { id: `e${e.id}`, rel: e.id, type: e.type, caption: e.caption, source: e.source, target: e.target, properties: e.properties },
    classes: e.properties && e.properties.status ? 'status' : '',
  };
}

/// Saves what a graph draws as a PNG file.
async function downloadPng(cy, name) {
  if (!cy || cy.elements().empty()) return;
  // A picture taken while an expansion still moves the nodes would catch
  // them on their way.
  for (let i = 0; i < 20 && (cy.animated() || cy.nodes().some((n) => n.animated())); i++) {
    await new Promise((done) => setTimeout(done, 50));
  }
  const blob = await cy.png({ output: 'blob-promise', full: true, scale: 2, bg: '#ffffff' });
  const url = URL.createObjectURL(blob);
  const a = el('a', { href: url, download: name });
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 60000);
}

function legend(cy, box) {
  const seen = new Map();
  cy.nodes().forEach((n) => {
    const label = (n.data('labels') || [])[0];
    if (label && !seen.has(label)) seen.set(label, n.data('colour'));
  });
  box.replaceChildren(...[...seen].sort().map(([l, c]) => chip(l, c)));
}

// ----- the details panel ----------------------------------------------------

/// Fills `box` with a node's name, labels, properties and source, and the
/// facts drawn around it in `cy`, each with its report section.
function showNode(box, cy, node, actions) {
  const d = node.data();
  const facts = node.connectedEdges().map((e) => {
    const outgoing = e.source().id() === node.id();
    const other = outgoing ? e.target() : e.source();
    const p = e.data('properties') || {};
    const head = el('div', {},
      outgoing ? '→ ' : '← ',
      el('strong', {}, e.data('caption') || e.data('type')),
      outgoing ? ' ' : ' from ',
      other.data('name'));
    const status = p.status ? el('div', { class: 'status' }, `${p.status} (not stated as done)`) : null;
    const note = p.note ? el('div', { class: 'muted' }, p.note) : null;
    return el('div', { class: 'fact' }, head, status, sourceBlock(p), note);
  });
  fill(box,
    el('h2', {}, d.caption.replace('\n', ' · ')),
    el('div', {}, ...(d.labels || []).map((l) => chip(l, d.colour)), d.key ? el('span', { class: 'muted' }, d.key) : null),
    actions ? el('div', { class: 'actions' }, ...actions) : null,
    el('h3', {}, 'Source'),
    sourceBlock(d.properties) || el('p', { class: 'muted' }, 'No source recorded.'),
    el('h3', {}, 'Properties'),
    propertyTable(d.properties),
    el('h3', {}, `Facts drawn here (${facts.length})`),
    ...(facts.length ? facts : [el('p', { class: 'muted' }, 'None drawn yet.')]),
  );
  box.hidden = false;
}

function showEdge(box, edge) {
  const p = edge.data('properties') || {};
  fill(box,
    el('h2', {}, edge.data('caption') || edge.data('type')),
    el('div', {}, edge.source().data('name'), ' → ', edge.target().data('name')),
    p.status ? el('div', { class: 'fact' }, el('span', { class: 'status' }, `${p.status} (not stated as done)`)) : null,
    el('h3', {}, 'Source'),
    sourceBlock(p) || el('p', { class: 'muted' }, 'No source recorded.'),
    el('h3', {}, 'Properties'),
    propertyTable(p),
  );
  box.hidden = false;
}

// ----- the lineage explorer -------------------------------------------------

const lineage = {
  cy: null,
  root: null,
  // Node element id → level: 0 for the root, negative towards origins.
  levels: new Map(),
  typesChosen: false,
  turn: 0,
};

function toward() {
  return document.querySelector('input[name="toward"]:checked').value;
}

function depth() {
  const d = parseInt($('depth').value, 10);
  return Number.isFinite(d) ? Math.min(Math.max(d, 1), 50) : 2;
}

function chosenTypes() {
  if (!lineage.typesChosen) return null;
  return [...document.querySelectorAll('#type-list input:checked')].map((i) => i.value);
}

async function loadSchema() {
  const schema = await api('/schema');
  $('graph-status').textContent = `${schema.nodes} nodes · ${schema.relationships} relationships`;
  const list = $('type-list');
  list.replaceChildren(...Object.entries(schema.relationship_types).map(([type, count]) =>
    el('label', {},
      el('input', { type: 'checkbox', value: type, onchange: () => { lineage.typesChosen = true; redraw(); } }),
      type, el('span', { class: 'count' }, count))));
}

function tickTypes(types) {
  for (const box of document.querySelectorAll('#type-list input')) box.checked = types.includes(box.value);
  lineage.typesChosen = true;
}

async function search(name) {
  const out = $('search-result');
  showError($('lineage-error'), null);
  out.replaceChildren(el('span', { class: 'muted' }, 'Searching…'));
  let found;
  try {
    found = await api('/explore/find', { name });
  } catch (e) {
    out.replaceChildren();
    showError($('lineage-error'), e);
    return;
  }
  const describe = (n) => [chip((n.labels || [])[0] || 'node', n.colour), n.caption.replace('\n', ' · ')];
  if (found.matches.length === 0) {
    fill(out,
      el('div', {}, `Nothing is named “${name}”.`),
      found.suggestions.length ? el('div', { class: 'muted' }, 'Did you mean:') : null,
      el('ul', {}, ...found.suggestions.map((s) => el('li', {}, el('button', {
        type: 'button', onclick: () => { $('search').value = s; search(s); },
      }, s)))));
    return;
  }
  if (found.matches.length > 1) {
    out.replaceChildren(
      el('div', { class: 'muted' }, `${found.matches.length} nodes carry that name:`),
      el('ul', {}, ...found.matches.map((n) => el('li', {}, el('button', {
        type: 'button', 'data-id': n.id, onclick: () => openNode(n),
      }, ...describe(n))))));
    openNode(found.matches[0]);
    return;
  }
  const n = found.matches[0];
  out.replaceChildren(el('div', { class: 'found', 'data-id': n.id, 'data-key': n.key || '' }, 'Found ', ...describe(n)));
  openNode(n);
}

/// Draws the lineage of `node` afresh.
async function openNode(node) {
  showTab('lineage');
  lineage.root = node.id;
  await redraw();
}

async function walk(nodeId, hops) {
  const answer = await api('/explore/lineage', { node: nodeId, toward: toward(), types: chosenTypes(), depth: hops });
  if (!lineage.typesChosen) tickTypes(answer.types);
  return answer;
}

/// Levels of a walk's nodes relative to its start: breadth first over the
/// drawn edges, up for origins and down for derived.
function relativeLevels(answer) {
  const dir = toward();
  const levels = new Map([[answer.root, 0]]);
  const byNode = new Map();
  for (const e of answer.edges) {
    for (const [a, b] of [[e.source, e.target], [e.target, e.source]]) {
      if (!byNode.has(a)) byNode.set(a, []);
      byNode.get(a).push({ other: b, e });
    }
  }
  const queue = [answer.root];
  while (queue.length) {
    const id = queue.shift();
    const level = levels.get(id);
    for (const { other, e } of byNode.get(id) || []) {
      if (levels.has(other)) continue;
      // Following an edge from its source goes towards origins, except for
      // INVESTED_IN, where the investor (the source) is the origin.
      const fromSource = e.source === id;
      const towardsOrigins = e.type === 'INVESTED_IN' ? !fromSource : fromSource;
      // A walk one way only moves away from its start at every step.
      let step = towardsOrigins ? -1 : 1;
      if (dir === 'origins') step = -1;
      if (dir === 'derived') step = 1;
      levels.set(other, level + step);
      queue.push(other);
    }
  }
  return levels;
}

async function redraw() {
  if (!lineage.root) return;
  showError($('lineage-error'), null);
  // Only the latest of overlapping redraws (a search, then a click on a
  // direction) gets to draw.
  const turn = ++lineage.turn;
  let answer;
  try {
    answer = await walk(lineage.root, depth());
  } catch (e) {
    if (turn === lineage.turn) showError($('lineage-error'), e);
    return;
  }
  if (turn !== lineage.turn) return;
  const cy = lineage.cy;
  cy.elements().remove();
  lineage.levels = relativeLevels(answer);
  addAnswer(answer, 0);
  cy.getElementById(answer.root).addClass('root');
  $('lineage-empty').hidden = true;
  layout(true);
  const root = cy.getElementById(answer.root);
  root.select();
  showNode($('lineage-details'), cy, root);
}

/// Adds a walk's nodes and edges that are not drawn yet; new nodes sit at
/// `base` plus their level in the walk.
function addAnswer(answer, base) {
  const cy = lineage.cy;
  const levels = relativeLevels(answer);
  const added = [];
  for (const n of answer.nodes) {
    const existing = cy.getElementById(n.id);
    if (existing.nonempty()) {
      if (!n.more) existing.removeClass('more');
      continue;
    }
    if (!lineage.levels.has(n.id) || base !== 0) lineage.levels.set(n.id, base + (levels.get(n.id) || 0));
    added.push(nodeElement(n, { level: lineage.levels.get(n.id) }));
  }
  for (const e of answer.edges) {
    if (cy.getElementById(`e${e.id}`).empty()) added.push(edgeElement(e));
  }
  const els = cy.add(added);
  els.nodes().forEach((n) => { if (n.data('more')) n.addClass('more'); });
  legend(cy, $('lineage-legend'));
  return els;
}

/// Expands a clicked node: one more step of the walk from it.
async function expand(node) {
  let answer;
  try {
    answer = await walk(node.id(), 1);
  } catch (e) {
    showError($('lineage-error'), e);
    return;
  }
  node.removeClass('more');
  const added = addAnswer(answer, lineage.levels.get(node.id()) || 0);
  if (added.nodes().nonempty()) layout(false);
  showNode($('lineage-details'), lineage.cy, node);
}

/// Lays the drawn nodes out in rows by level, origins above the root and
/// derived nodes below, each row ordered by where its neighbours sit.
function layout(fresh) {
  const cy = lineage.cy;
  const rows = new Map();
  cy.nodes().forEach((n) => {
    const level = lineage.levels.get(n.id()) ?? 0;
    if (!rows.has(level)) rows.set(level, []);
    rows.get(level).push(n);
  });
  const order = [...rows.keys()].sort((a, b) => Math.abs(a) - Math.abs(b) || a - b);
  const x = new Map();
  const positions = {};
  const perLine = 8;
  const gapX = 185;
  const gapY = 95;
  // Each level's band is as tall as its wrapped lines.
  const bandTop = new Map();
  const sorted = [...rows.keys()].sort((a, b) => a - b);
  let top = 0;
  for (const level of sorted) {
    bandTop.set(level, top);
    top += Math.ceil(rows.get(level).length / perLine) * gapY + 30;
  }
  for (const level of order) {
    const nodes = rows.get(level);
    const centre = (n) => {
      const xs = n.neighborhood('node').filter((m) => x.has(m.id())).map((m) => x.get(m.id()));
      return xs.length ? xs.reduce((a, b) => a + b, 0) / xs.length : 0;
    };
    nodes.sort((a, b) => centre(a) - centre(b) || a.data('name').localeCompare(b.data('name')));
    nodes.forEach((n, i) => {
      const line = Math.floor(i / perLine);
      const inLine = Math.min(perLine, nodes.length - line * perLine);
      const px = ((i % perLine) - (inLine - 1) / 2) * gapX + (line % 2) * gapX * 0.25;
      const py = bandTop.get(level) + line * gapY;
      x.set(n.id(), px);
      positions[n.id()] = { x: px, y: py };
    });
  }
  // An expansion animates the nodes to their new places and the view to
  // fit them all; a fresh drawing just appears.
  cy.layout({
    name: 'preset',
    positions: (n) => positions[n.id()],
    fit: true,
    padding: 40,
    animate: !fresh,
    animationDuration: 250,
  }).run();
}

function initLineage() {
  const cy = makeGraph($('lineage-graph'));
  lineage.cy = cy;
  cy.on('tap', 'node', (event) => {
    showNode($('lineage-details'), cy, event.target);
    expand(event.target);
  });
  cy.on('tap', 'edge', (event) => showEdge($('lineage-details'), event.target));
  $('search-form').addEventListener('submit', (event) => {
    event.preventDefault();
    const name = $('search').value.trim();
    if (name) search(name);
  });
  for (const radio of document.querySelectorAll('input[name="toward"]')) radio.addEventListener('change', redraw);
  $('depth').addEventListener('change', redraw);
  $('fit').addEventListener('click', () => cy.fit(undefined, 40));
  $('relayout').addEventListener('click', () => layout(true));
  $('download-lineage').addEventListener('click', (event) => {
    event.preventDefault();
    downloadPng(cy, 'aikg-lineage.png');
  });
}

// ----- the Cypher box -------------------------------------------------------

const cypher = { cy: null, view: 'table', result: null };

const isNode = (v) => v && typeof v === 'object' && !Array.isArray(v) && 'elementId' in v && 'labels' in v;
const isRel = (v) => v && typeof v === 'object' && !Array.isArray(v) && 'elementId' in v && 'startNodeElementId' in v;

/// Every node and relationship in a Query API value, however deep.
function collect(v, nodes, rels) {
  if (isNode(v)) nodes.set(v.elementId, v);
  else if (isRel(v)) rels.set(v.elementId, v);
  else if (Array.isArray(v)) v.forEach((x) => collect(x, nodes, rels));
  else if (v && typeof v === 'object') Object.values(v).forEach((x) => collect(x, nodes, rels));
}

function nodeName(n) {
  const p = n.properties || {};
  return p.name || p.name_zh || p.id || `#${n.elementId}`;
}

/// A value as a table cell's content.
function cell(v) {
  if (v === null) return el('span', { class: 'muted' }, 'null');
  if (isNode(v)) {
    return el('button', {
      type: 'button', class: 'entity', title: 'Show this node',
      onclick: () => showResultNode(v.elementId),
    }, `(:${v.labels.join(':')}) ${nodeName(v)}`);
  }
  if (isRel(v)) return el('span', { class: 'chip', title: v.properties && v.properties.source || '' }, `[:${v.type}]`);
  if (Array.isArray(v)) {
    const parts = [];
    v.forEach((x, i) => { if (i) parts.push(', '); parts.push(cell(x)); });
    return el('span', {}, '[', ...parts, ']');
  }
  if (typeof v === 'object') return JSON.stringify(v);
  return String(v);
}

function renderTable(result) {
  const { fields, values } = result.data;
  const table = el('table', {},
    el('thead', {}, el('tr', {}, ...fields.map((f) => el('th', {}, f)))),
    el('tbody', {}, ...values.map((row) => el('tr', {}, ...row.map((v) => el('td', { class: v === null ? 'null' : '' }, cell(v)))))));
  $('result-table').replaceChildren(values.length ? table : el('p', { class: 'muted' }, 'No rows.'));
}

/// Draws a result's nodes and relationships; the ends of relationships
/// returned without their nodes are fetched so that every edge is drawn.
async function renderGraph(result) {
  const nodes = new Map();
  const rels = new Map();
  collect(result.data.values, nodes, rels);
  const ids = new Set(nodes.keys());
  for (const r of rels.values()) {
    ids.add(r.startNodeElementId);
    ids.add(r.endNodeElementId);
  }
  const cy = cypher.cy;
  cy.elements().remove();
  $('result-empty').hidden = ids.size > 0;
  if (ids.size === 0) return;
  const drawn = await api('/explore/nodes', { ids: [...ids] });
  cy.add(drawn.nodes.map((n) => nodeElement(n)));
  cy.add([...rels.values()]
    .filter((r) => cy.getElementById(r.startNodeElementId).nonempty() && cy.getElementById(r.endNodeElementId).nonempty())
    .map((r) => edgeElement({
      id: r.elementId, type: r.type, source: r.startNodeElementId, target: r.endNodeElementId,
      caption: r.type, properties: r.properties,
    })));
  cy.resize();
  const big = cy.nodes().length > 150;
  cy.layout({ name: big ? 'grid' : 'cose', animate: false, padding: 30, nodeRepulsion: () => 9000, idealEdgeLength: () => 90 }).run();
}

async function runCypher() {
  const statement = $('cypher').value;
  showError($('cypher-error'), null);
  $('result-summary').textContent = 'running…';
  const started = performance.now();
  let result;
  try {
    result = await api('/db/neo4j/query/v2', { statement, parameters: {} });
  } catch (e) {
    $('result-summary').textContent = '';
    showError($('cypher-error'), e);
    return;
  }
  cypher.result = result;
  const rows = result.data.values.length;
  $('result-summary').textContent = `${rows} row${rows === 1 ? '' : 's'} in ${Math.round(performance.now() - started)} ms`;
  renderTable(result);
  $('cypher-details').hidden = true;
  try {
    await renderGraph(result);
  } catch (e) {
    showError($('cypher-error'), e);
  }
  showResultView(cypher.view);
}

function showResultView(view) {
  cypher.view = view;
  $('show-table').setAttribute('aria-selected', String(view === 'table'));
  $('show-graph').setAttribute('aria-selected', String(view === 'graph'));
  $('result-table').hidden = view !== 'table';
  $('result-graph-area').hidden = view !== 'graph';
  $('download-cypher').hidden = view !== 'graph';
  if (view !== 'graph') $('cypher-details').hidden = true;
  if (view === 'graph') {
    cypher.cy.resize();
    cypher.cy.fit(undefined, 30);
  }
}

function showResultNode(id) {
  showResultView('graph');
  const node = cypher.cy.getElementById(id);
  if (node.empty()) return;
  cypher.cy.elements().unselect();
  node.select();
  showCypherNode(node);
}

function showCypherNode(node) {
  const open = el('button', {
    type: 'button',
    onclick: () => openNode(node.data()),
  }, 'Open its lineage');
  showNode($('cypher-details'), cypher.cy, node, [open]);
}

function initCypher() {
  const cy = makeGraph($('result-graph'));
  cypher.cy = cy;
  cy.on('tap', 'node', (event) => showCypherNode(event.target));
  cy.on('tap', 'edge', (event) => showEdge($('cypher-details'), event.target));
  $('cypher-form').addEventListener('submit', (event) => {
    event.preventDefault();
    runCypher();
  });
  $('cypher').addEventListener('keydown', (event) => {
    if (event.key === 'Enter' && (event.ctrlKey || event.metaKey)) {
      event.preventDefault();
      runCypher();
    }
  });
  $('show-table').addEventListener('click', () => showResultView('table'));
  $('show-graph').addEventListener('click', () => showResultView('graph'));
  $('download-cypher').addEventListener('click', (event) => {
    event.preventDefault();
    downloadPng(cy, 'aikg-query.png');
  });
}

// ----- tabs and start -------------------------------------------------------

function showTab(name) {
  for (const view of ['lineage', 'cypher']) {
    $(`tab-${view}`).setAttribute('aria-selected', String(view === name));
    $(`view-${view}`).hidden = view !== name;
  }
  const cy = name === 'lineage' ? lineage.cy : cypher.cy;
  if (cy) cy.resize();
  if (name === 'cypher') showResultView(cypher.view);
}

$('tab-lineage').addEventListener('click', () => showTab('lineage'));
$('tab-cypher').addEventListener('click', () => showTab('cypher'));

initLineage();
initCypher();
// For the browser test and for poking at from the console.
window.aikgExplorer = { lineage, cypher, search, runCypher };
loadSchema().catch((e) => showError($('lineage-error'), e));
const start = new URLSearchParams(location.search).get('q');
if (start) {
  $('search').value = start;
  search(start);
}
