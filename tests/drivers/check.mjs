// The official Neo4j JavaScript driver against `aikg serve` (run by run.sh).
//
//   AIKG_DRIVER_DIR=target/driver-node node check.mjs --bolt bolt://127.0.0.1:PORT \
//       --empty-bolt bolt://... --http http://... --aikg target/release/aikg --corpus corpus.cypher
//
// Expects AIKG_AUTH=user:password, as the server has it. The --bolt server
// serves the built-in graph and must be fresh. One line per check; exit
// status 1 if any failed.

import { execFileSync } from 'node:child_process'
import { readFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import path from 'node:path'

const require = createRequire(path.resolve(process.env.AIKG_DRIVER_DIR, 'package.json'))
const neo4j = require('neo4j-driver')
const { version } = require('neo4j-driver/package.json')

const args = {}
for (let i = 2; i < process.argv.length; i += 2) args[process.argv[i].replace(/^--/, '')] = process.argv[i + 1]
const [user, password] = [process.env.AIKG_AUTH.split(':')[0], process.env.AIKG_AUTH.split(':').slice(1).join(':')]
const auth = neo4j.auth.basic(user, password)

const passed = []
const failed = []
async function check (name, fn) {
  try {
    const note = await fn()
    passed.push(name)
    console.log(`ok   ${name}${note ? ': ' + note : ''}`)
  } catch (e) {
    failed.push(name)
    console.log(`FAIL ${name}: ${e.stack || e}`)
  }
}

function assert (ok, message) {
  if (!ok) throw new Error(message)
}

const same = (a, b) => JSON.stringify(a) === JSON.stringify(b)

const corpus = readFileSync(args.corpus, 'utf8').split('\n').map(l => l.trim()).filter(l => l && !l.startsWith('//'))

// `aikg query --format json`, with node labels sorted and object keys in
// order, as the driver values are shaped below.
function sortKeys (v) {
  if (Array.isArray(v)) return v.map(sortKeys)
  if (v && typeof v === 'object') {
    const out = {}
    for (const k of Object.keys(v).sort()) out[k] = sortKeys(v[k])
    if (Object.keys(out).length === 3 && out.labels && out.properties && 'id' in out) out.labels = [...out.labels].sort()
    return out
  }
  return v
}
const expected = {}
for (const q of corpus) {
  const out = execFileSync(args.aikg, ['query', '--format', 'json', '--max-rows', '0', q], { encoding: 'utf8' })
  expected[q] = sortKeys(JSON.parse(out))
}

function shape (v, keys) {
  if (neo4j.isNode(v)) {
    const key = v.properties.id
    return {
      id: typeof key === 'string' ? key : Number(v.elementId),
      labels: [...v.labels].sort(),
      properties: shape(v.properties, keys)
    }
  }
  if (neo4j.isRelationship(v)) {
    const end = id => keys.get(id) ?? Number(id)
    return {
      id: Number(v.elementId),
      type: v.type,
      src: end(v.startNodeElementId),
      dst: end(v.endNodeElementId),
      properties: shape(v.properties, keys)
    }
  }
  if (neo4j.isPath(v)) {
    const nodes = [v.start, ...v.segments.map(s => s.end)]
    return { nodes: nodes.map(n => shape(n, keys)), relationships: v.segments.map(s => shape(s.relationship, keys)) }
  }
  if (Array.isArray(v)) return v.map(x => shape(x, keys))
  if (typeof v === 'number' && !Number.isFinite(v)) return null
  if (v && typeof v === 'object') {
    const out = {}
    for (const k of Object.keys(v)) out[k] = shape(v[k], keys)
    return out
  }
  return v
}

function result (columns, records, keys) {
  return sortKeys({ columns, rows: records.map(r => columns.map(k => shape(r.get(k), keys))) })
}

// Runs `q` in `session`: the result in the JSON shape.
async function rows (session, q) {
  const running = session.run(q)
  const columns = await running.keys()
  const res = await running
  return result(columns, res.records, keys)
}

const driver = neo4j.driver(args.bolt, auth, { disableLosslessIntegers: true })
console.log(`javascript driver neo4j-driver ${version}`)
const keys = new Map()
{
  const res = await driver.executeQuery('MATCH (n) RETURN n')
  for (const r of res.records) if (typeof r.get('n').properties.id === 'string') keys.set(r.get('n').elementId, r.get('n').properties.id)
}

await check('corpus: every query\'s rows as aikg query --format json gives them', async () => {
  let count = 0
  for (const q of corpus) {
    const session = driver.session()
    try {
      const got = await rows(session, q)
      assert(same(got, expected[q]), `${q}\n  driver: ${JSON.stringify(got).slice(0, 400)}\n  aikg:   ${JSON.stringify(expected[q]).slice(0, 400)}`)
      count += got.rows.length
    } finally {
      await session.close()
    }
  }
  return `${corpus.length} queries, ${count} rows`
})

await check('neo4j:// routing and driver.executeQuery', async () => {
  const routed = neo4j.driver(args.bolt.replace('bolt://', 'neo4j://'), auth, { disableLosslessIntegers: true })
  try {
    const res = await routed.executeQuery(corpus[0], {}, { database: 'neo4j' })
    assert(same(result(res.keys, res.records, keys), expected[corpus[0]]), 'rows differ')
    return `server agent '${res.summary.server.agent}', Bolt ${res.summary.server.protocolVersion}`
  } finally {
    await routed.close()
  }
})

await check('parameters of every type come back as they were sent', async () => {
  const t = neo4j.types
  const int = neo4j.int
  const values = {
    null: null,
    true: true,
    false: false,
    int: int(7),
    int64: int('1099511627776'),
    int64Min: int('-9223372036854775808'),
    float: 3.25,
    string: '智谱AI ✓',
    longString: 'x'.repeat(70000),
    list: [int(1), 'a', null, [2.5, true]],
    map: { k: [int(1), { x: 'y' }], n: null },
    date: new t.Date(int(2023), int(6), int(1)),
    localTime: new t.LocalTime(int(12), int(31), int(14), int(645000000)),
    time: new t.Time(int(12), int(31), int(14), int(1), int(3600)),
    localDateTime: new t.LocalDateTime(int(1984), int(10), int(11), int(12), int(31), int(14), int(123)),
    dateTimeOffset: new t.DateTime(int(2015), int(7), int(21), int(21), int(40), int(32), int(142000000), int(7200)),
    dateTimeZone: new t.DateTime(int(2015), int(7), int(21), int(21), int(40), int(32), int(142000000), undefined, 'Europe/Stockholm'),
    duration: new t.Duration(int(14), int(10), int(45930), int(250))
  }
  const session = driver.session()
  const lossless = neo4j.driver(args.bolt, auth)
  const exact = lossless.session()
  try {
    for (const [name, value] of Object.entries(values)) {
      const res = await exact.run('RETURN $p AS p', { p: value })
      const got = res.records[0].get('p')
      // A zone-id date-time comes back with the offset the zone has then.
      const want = name === 'dateTimeZone' ? '2015-07-21T21:40:32.142000000+02:00[Europe/Stockholm]' : String(value)
      const ok = name === 'dateTimeZone' ? String(got) === want : same(got, value) && String(got) === want
      assert(ok && (got === null) === (value === null), `${name}: sent ${String(value)}, got ${String(got)}`)
    }
    const bytes = (await session.run('RETURN $b AS b', { b: new Int8Array([0, 1, -1]) })).records[0].get('b')
    assert(same(bytes, [0, 1, 255]), `bytes: ${bytes}`)
    const row = (await session.run("RETURN $d.year AS y, $m.k[1].x AS x, $n * 2 AS twice", { d: values.date, m: values.map, n: 2 ** 40 })).records[0]
    assert(row.get('y') === 2023 && row.get('x') === 'y' && row.get('twice') === 2 ** 41, JSON.stringify(row.toObject()))
  } finally {
    await session.close()
    await exact.close()
    await lossless.close()
  }
  return `${Object.keys(values).length + 1} values; bytes arrive as a list of integers`
})

await check('a syntax error rejects with the Neo4j code and the caret', async () => {
  try {
    await driver.executeQuery('MATCH (m:Model RETURN m')
  } catch (e) {
    assert(e.code === 'Neo.ClientError.Statement.SyntaxError', e.code)
    assert(e.message.includes('    MATCH (m:Model RETURN m\n                   ^^^^^^\n'), e.message)
    const res = await driver.executeQuery('RETURN 1 AS one')
    assert(res.records[0].get('one') === 1, 'the driver goes on')
    return 'and the driver goes on'
  }
  throw new Error('no error')
})

await check('fetchSize: 7 pulls a 300-row result in batches', async () => {
  const pulls = []
  const logged = neo4j.driver(args.bolt, auth, {
    disableLosslessIntegers: true,
    logging: { level: 'debug', logger: (level, message) => { if (message.includes('C: PULL')) pulls.push(message) } }
  })
  const session = logged.session({ fetchSize: 7 })
  try {
    const res = await session.run('UNWIND range(1, 300) AS i RETURN i')
    const values = res.records.map(r => r.get('i'))
    assert(same(values, Array.from({ length: 300 }, (_, i) => i + 1)), 'rows differ')
  } finally {
    await session.close()
    await logged.close()
  }
  assert(pulls.length >= Math.floor(300 / 7), `${pulls.length} pulls`)
  return `${pulls.length} PULL messages`
})

await check('concurrent sessions get the same rows', async () => {
  const jobs = Array.from({ length: 32 }, async (_, i) => {
    const q = corpus[i % corpus.length]
    const session = driver.session()
    try {
      assert(same(await rows(session, q), expected[q]), q)
    } finally {
      await session.close()
    }
  })
  await Promise.all(jobs)
  return `${jobs.length} sessions at once`
})

await check('a wrong password is refused', async () => {
  const wrong = neo4j.driver(args.bolt, neo4j.auth.basic(user, 'not-the-password'))
  try {
    await wrong.verifyConnectivity()
  } catch (e) {
    assert(e.code === 'Neo.ClientError.Security.Unauthorized', e.code)
    return
  } finally {
    await wrong.close()
  }
  throw new Error('logged in with a wrong password')
})

await check('HTTP POST /db/query answers as aikg query --format json', async () => {
  const token = Buffer.from(`${user}:${password}`).toString('base64')
  for (const q of corpus.slice(0, 5)) {
    const res = await fetch(args.http + '/db/query', {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', Authorization: `Bearer ${password}` },
      body: JSON.stringify({ statement: q })
    })
    assert(res.status === 200, `${res.status}`)
    assert(same(sortKeys(await res.json()), expected[q]), q)
  }
  const denied = await fetch(args.http + '/schema', { headers: { Authorization: `Basic ${Buffer.from('neo4j:nope').toString('base64')}` } })
  assert(denied.status === 401, `${denied.status}`)
  const ok = await fetch(args.http + '/schema', { headers: { Authorization: `Basic ${token}` } })
  assert(ok.status === 200 && (await ok.json()).labels.Company > 0, 'schema')
  return '5 queries with a bearer token, /schema with basic auth'
})

await check('transactions: rollback, commit, isolation until commit, executeWrite, read sessions', async () => {
  const count = "MATCH (c:Company) WHERE c.id STARTS WITH 'js-' RETURN count(c) AS n"
  const session = driver.session()
  const other = driver.session()
  const n = async s => (await s.run(count)).records[0].get('n')
  try {
    assert(await n(other) === 0, 'fresh graph')
    let tx = await session.beginTransaction()
    await tx.run("CREATE (:Company {id: 'js-rolled-back', name: 'Rolled back'})")
    assert((await tx.run(count)).records[0].get('n') === 1, 'own write seen')
    assert(await n(other) === 0, 'not seen by others before commit')
    await tx.rollback()
    assert(await n(other) === 0, 'rolled back')
    tx = await session.beginTransaction()
    const summary = (await tx.run("CREATE (:Company {id: 'js-committed', name: $name})", { name: 'Committed' })).summary
    assert(summary.counters.updates().nodesCreated === 1, JSON.stringify(summary.counters.updates()))
    await tx.commit()
    assert(await n(other) === 1, 'committed')
    const id = await session.executeWrite(async tx => (await tx.run("CREATE (c:Company {id: 'js-managed', name: 'Managed'}) RETURN c.id AS id")).records[0].get('id'))
    assert(id === 'js-managed' && await n(other) === 2, 'managed write')
    try {
      await session.executeRead(tx => tx.run("CREATE (:Company {id: 'js-read', name: 'x'})"))
      throw new Error('a read transaction wrote')
    } catch (e) {
      assert(e.code === 'Neo.ClientError.Statement.AccessMode', e.code || e.message)
    }
    assert(await n(other) === 2, 'no write in read mode')
  } finally {
    await session.close()
    await other.close()
  }
  return '3 transactions, 2 committed'
})

await driver.close()
const total = passed.length + failed.length
if (failed.length) {
  console.log(`javascript driver: ${failed.length} of ${total} checks failed: ${failed.join(', ')}`)
  process.exit(1)
}
console.log(`javascript driver: all ${total} checks passed`)
