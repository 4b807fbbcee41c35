# Sourced by the scripts that start `aikg serve` for a test (tests/drivers,
# tests/browser): free loopback ports, waiting for a listener, and stopping
# every server started (their pids go into PIDS) when the script exits.

PIDS=()
stop_servers() {
    for pid in "${PIDS[@]}"; do
        kill "$pid" 2>/dev/null || true
        wait "$pid" 2>/dev/null || true
    done
    PIDS=()
}

free_port() {
    python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

wait_for_port() {
    for _ in $(seq 100); do
        if python3 -c "import socket; socket.create_connection(('127.0.0.1', $1), timeout=0.2)" 2>/dev/null; then
            return 0
        fi
        sleep 0.1
    done
    echo "the server did not start listening on port $1" >&2
    return 1
}
