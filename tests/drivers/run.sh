#!/usr/bin/env bash
# `aikg serve` with the official Neo4j drivers: the Python driver (package
# neo4j, in its own venv under target/) and the JavaScript driver (package
# neo4j-driver, installed with npm under target/) run a query corpus and
# compare the rows with `aikg query --format json`, then check parameters,
# errors, batches, concurrency, transactions and authentication.
#
#   tests/drivers/run.sh              # builds target/release/aikg with --features server
#   AIKG_BIN=path/to/aikg tests/drivers/run.sh
#
# Other driver versions, each in its own environment (both 5.x lines pass too):
#   AIKG_PY_DRIVER=neo4j==5.28.8 AIKG_DRIVER_VENV=target/driver-venv5 \
#   AIKG_JS_DRIVER=neo4j-driver@5.28.1 AIKG_DRIVER_NODE_DIR=target/driver-node5 tests/drivers/run.sh
#
# Each driver gets fresh servers on free loopback ports: one on the built-in
# graph and one on an empty graph without a schema (for the README example).
# Every server started here is stopped on exit.
set -euo pipefail
cd "$(dirname "$0")/../.."

PY_DRIVER="${AIKG_PY_DRIVER:-neo4j==6.4.1}"
JS_DRIVER="${AIKG_JS_DRIVER:-neo4j-driver@6.3.0}"
VENV=${AIKG_DRIVER_VENV:-target/driver-venv}
NODE_DIR=${AIKG_DRIVER_NODE_DIR:-target/driver-node}
WORK=target/driver-work

if [ -z "${AIKG_BIN:-}" ]; then
    echo "== build (release, --features server)"
    cargo build --release --locked --features server --quiet
    AIKG_BIN=target/release/aikg
fi

echo "== drivers"
if ! "$VENV/bin/python" -c "import neo4j" 2>/dev/null || \
   [ "$("$VENV/bin/python" -c 'import neo4j; print(neo4j.__version__)')" != "${PY_DRIVER#neo4j==}" ]; then
    python3 -m venv "$VENV"
    "$VENV/bin/pip" install --quiet --disable-pip-version-check "$PY_DRIVER"
fi
if [ "$(node -p "require('./$NODE_DIR/node_modules/neo4j-driver/package.json').version" 2>/dev/null)" != "${JS_DRIVER#neo4j-driver@}" ]; then
    mkdir -p "$NODE_DIR"
    [ -f "$NODE_DIR/package.json" ] || echo '{"private": true}' > "$NODE_DIR/package.json"
    npm install --silent --no-audit --no-fund --prefix "$NODE_DIR" "$JS_DRIVER"
fi
echo "python: $("$VENV/bin/python" -c 'import neo4j; print(neo4j.__version__)'), node $(node --version): neo4j-driver $(node -p "require('./$NODE_DIR/node_modules/neo4j-driver/package.json').version")"

mkdir -p "$WORK"
printf 'id,label\n' > "$WORK/nodes.csv"
printf 'src,dst,type\n' > "$WORK/edges.csv"
# The servers and the checks share credentials through AIKG_AUTH.
AIKG_AUTH="neo4j:$(head -c 12 /dev/urandom | od -An -tx1 | tr -d ' \n')"
export AIKG_AUTH

source tests/support/servers.sh
trap stop_servers EXIT

# start NAME [source flags...]: starts a server; sets BOLT and HTTP to its ports.
start() {
    local name=$1
    shift
    BOLT=$(free_port)
    HTTP=$(free_port)
    "$AIKG_BIN" "$@" serve --bolt "127.0.0.1:$BOLT" --http "127.0.0.1:$HTTP" > "$WORK/$name.log" 2>&1 &
    PIDS+=($!)
    wait_for_port "$BOLT"
    wait_for_port "$HTTP"
}

status=0
run_driver() {
    local label=$1
    shift
    start "$label-builtin"
    local bolt=$BOLT http=$HTTP
    start "$label-empty" --nodes "$WORK/nodes.csv" --edges "$WORK/edges.csv"
    local empty=$BOLT
    echo "== $label driver"
    "$@" --bolt "bolt://127.0.0.1:$bolt" --empty-bolt "bolt://127.0.0.1:$empty" --http "http://127.0.0.1:$http" \
        --aikg "$AIKG_BIN" --corpus tests/drivers/corpus.cypher || status=1
    stop_servers
    # A wrong password is logged, without the password.
    if ! grep -q "authentication failed for user 'neo4j'" "$WORK/$label-builtin.log"; then
        echo "FAIL the refused login is not in the server log" >&2
        status=1
    fi
    if grep -q "not-the-password" "$WORK/$label-builtin.log"; then
        echo "FAIL the server log shows the wrong password" >&2
        status=1
    fi
}

run_driver python "$VENV/bin/python" tests/drivers/check.py
run_driver javascript env AIKG_DRIVER_DIR="$NODE_DIR" node tests/drivers/check.mjs

if [ "$status" -ne 0 ]; then
    echo "drivers: FAILED (server logs in $WORK)"
    exit 1
fi
echo "drivers: python and javascript checks passed"
