# Shared by scripts/serve, scripts/test, scripts/bench and scripts/build: installs what is
# missing, at pinned versions, and starts Mosquitto and the other test peers in the background,
# all stopped whatever happens. Sourced, not run.

readonly WASM_BINDGEN_VERSION=0.2.130 # must equal the `wasm-bindgen` pin in Cargo.toml
readonly TRUNK_VERSION=0.21.14        # the newest trunk that builds with the pinned rustc
# fonts-wqy-microhei: a Chinese font, so that the browser tests' zh-CN screens (and their
# screenshots) show glyphs, not boxes. openssl and libnss3-tools (certutil): scripts/test-ca's
# test CA and the NSS database through which the browser tests' Chromium trusts it. ejabberd:
# the two-node broker cluster (start_broker_cluster; its package brings Erlang and epmd).
readonly APT_PACKAGES=(mosquitto mosquitto-clients chromium chromium-driver fonts-wqy-microhei
    openssl libnss3-tools ejabberd)
# The browser tests' other two engines, for scripts/test only: Firefox ESR (driven by geckodriver,
# built from crates.io: the npm package downloads a binary) and WebKitGTK, Safari's engine
# (WebKitWebDriver and its MiniBrowser, which needs an X display: Xvfb; xauth for xvfb-run).
readonly ENGINE_APT_PACKAGES=(firefox-esr webkit2gtk-driver xvfb xauth)
readonly GECKODRIVER_VERSION=0.37.1
readonly PAHO_REQUIREMENT='paho-mqtt<2'
# crates/payload-decoders' independent encoders and decoders (tests/decoders/vectors.py and
# proto_vectors.py; grpcio-tools ships protoc, which generates the Protobuf classes).
readonly PYTHON_DECODERS_REQUIREMENTS=(cbor2==6.3.0 msgpack==1.2.4 protobuf==7.36.2
    grpcio-tools==1.85.1 grpcio==1.85.3 fastavro==1.13.1)

say() { printf '\033[1m==> %s\033[0m\n' "$*" >&2; }
die() {
    printf 'error: %s\n' "$*" >&2
    exit 1
}

apt_install_missing() {
    local missing=() package
    for package in "$@"; do
        dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q 'install ok installed' ||
            missing+=("$package")
    done
    [ ${#missing[@]} -eq 0 ] && return 0
    say "installing Debian packages: ${missing[*]}"
    command -v apt-get >/dev/null || die "apt-get not found: install ${missing[*]} with your package manager"
    local sudo=()
    [ "$(id -u)" -eq 0 ] || sudo=(sudo)
    "${sudo[@]}" apt-get update -qq &&
        DEBIAN_FRONTEND=noninteractive "${sudo[@]}" apt-get install -y -qq "${missing[@]}" >/dev/null ||
        die "could not install ${missing[*]}: run 'apt-get install ${missing[*]}' and try again"
}

rust_toolchain_install() {
    command -v rustup >/dev/null || die "rustup not found: install it from your package manager or rustup.rs"
    # RUSTUP_AUTO_INSTALL=0 may be set: install the toolchain of rust-toolchain.toml explicitly.
    local channel
    channel=$(sed -n 's/^channel *= *"\(.*\)"/\1/p' rust-toolchain.toml)
    if ! rustup run "$channel" rustc --version >/dev/null 2>&1; then
        say "installing Rust $channel"
        rustup toolchain install "$channel" --profile minimal || die "rustup could not install Rust $channel"
    fi
    # Components and targets listed in rust-toolchain.toml; a no-op when present.
    rustup toolchain install "$channel" --profile minimal \
        --component clippy,rustfmt --target wasm32-unknown-unknown,wasm32v1-none >/dev/null 2>&1 ||
        die "rustup could not add clippy, rustfmt and the wasm targets to Rust $channel"
}

cargo_install_pinned() { # binary, version-output pattern, crate, version, extra flags...
    local binary=$1 pattern=$2 crate=$3 version=$4
    shift 4
    if "$binary" --version 2>/dev/null | grep -q -- "$pattern"; then
        return 0
    fi
    say "installing $crate $version (takes minutes, once)"
    cargo install "$crate" --version "$version" "$@" ||
        die "could not build $crate $version: run 'cargo install $crate --version $version' and try again"
}

# tools/'s npm packages: binaryen's wasm-opt for the release build, axe-core for tests/a11y.mjs.
node_tools_install() {
    command -v npm >/dev/null || apt_install_missing nodejs npm
    if [ ! -x tools/node_modules/.bin/wasm-opt ] || [ ! -f tools/node_modules/axe-core/axe.min.js ] ||
        [ tools/package-lock.json -nt tools/node_modules ]; then
        say "installing tools/'s npm packages (binaryen's wasm-opt, axe-core)"
        npm ci --prefix tools --no-audit --no-fund --loglevel=error ||
            die "npm could not install tools/package.json: run 'npm ci --prefix tools'"
    fi
    PATH="$PWD/tools/node_modules/.bin:$PATH"
}

# aedes, the third broker of the native interop tests (tests/brokers/aedes, pinned by its lock file).
aedes_install() {
    command -v npm >/dev/null || apt_install_missing nodejs npm
    [ -d tests/brokers/aedes/node_modules ] && return 0
    say "installing aedes from npm (the interop tests' third broker)"
    npm ci --prefix tests/brokers/aedes --no-audit --no-fund --loglevel=error ||
        die "npm could not install tests/brokers/aedes/package.json: run 'npm ci --prefix tests/brokers/aedes'"
}

# bench/'s npm packages: playwright-core drives Debian's Chromium (never a downloaded one) for
# scripts/bench and the layout test (tests/layout.mjs).
bench_npm_install() {
    command -v npm >/dev/null || apt_install_missing nodejs npm
    [ -d bench/node_modules/playwright-core ] && [ ! bench/package-lock.json -nt bench/node_modules ] && return 0
    say "installing bench/'s npm packages (playwright-core drives Debian's Chromium; no browser download)"
    PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 npm ci --prefix bench --no-audit --no-fund --loglevel=error ||
        die "npm could not install bench/package.json: run 'PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 npm ci --prefix bench'"
}

python_paho_install() {
    python3 -c 'import paho.mqtt, sys; sys.exit(paho.mqtt.__version__ >= "2")' 2>/dev/null && return 0
    say "installing $PAHO_REQUIREMENT (the seed's Python producer and consumer)"
    python3 -m pip install --quiet --disable-pip-version-check "$PAHO_REQUIREMENT" ||
        die "pip could not install '$PAHO_REQUIREMENT'"
}

python_decoders_install() {
    python3 -c 'import sys, importlib.metadata as m
sys.exit(any(m.version(n) != v for n, v in (("cbor2", "6.3.0"), ("msgpack", "1.2.4"),
    ("protobuf", "7.36.2"), ("grpcio-tools", "1.85.1"), ("grpcio", "1.85.3"),
    ("fastavro", "1.13.1"))))' 2>/dev/null &&
        return 0
    say "installing ${PYTHON_DECODERS_REQUIREMENTS[*]} (the payload decoders' Python peers)"
    python3 -m pip install --quiet --disable-pip-version-check "${PYTHON_DECODERS_REQUIREMENTS[@]}" ||
        die "pip could not install '${PYTHON_DECODERS_REQUIREMENTS[*]}'"
}

install_web_tools() {
    rust_toolchain_install
    # wasm-bindgen-cli's lock file wants a crate release the registry lacks, so no --locked.
    cargo_install_pinned wasm-bindgen "wasm-bindgen $WASM_BINDGEN_VERSION" wasm-bindgen-cli "$WASM_BINDGEN_VERSION"
    cargo_install_pinned trunk "trunk $TRUNK_VERSION" trunk "$TRUNK_VERSION" --locked
    node_tools_install
}

install_browser_engines() {
    apt_install_missing "${ENGINE_APT_PACKAGES[@]}"
    cargo_install_pinned geckodriver "geckodriver $GECKODRIVER_VERSION" geckodriver "$GECKODRIVER_VERSION" --locked
}

free_port() {
    python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

port_open() { (: </dev/tcp/127.0.0.1/"$1") 2>/dev/null; }

wait_for_port() { # port, seconds
    local deadline=$((SECONDS + $2))
    until port_open "$1"; do
        [ "$SECONDS" -lt "$deadline" ] || return 1
        sleep 0.1
    done
}

# The one registry of what a script starts in the background. stop_all, the EXIT trap set
# below, stops every process in the reverse order of their starting, also on failure or Ctrl+C,
# then removes the files registered with remove_on_exit. A process registered with a quit URL
# is asked to quit with a GET there first (one that owns a Mosquitto of its own, which a signal
# would orphan), then signalled.
STARTED_PIDS=()
STARTED_QUIT_URLS=()
TEMPORARY_PATHS=()
LAST_STARTED_PID=""

# Starts a command in the background, its output going to a file ("-": this script's output),
# and registers it. Not in a subshell, such as $(...): the registry would not see it.
run_in_background() { # [--quit URL] output command...
    local quit=""
    if [ "$1" = --quit ]; then
        quit=$2
        shift 2
    fi
    local output=$1
    shift
    if [ "$output" = - ]; then
        "$@" &
    else
        "$@" >"$output" 2>&1 &
    fi
    LAST_STARTED_PID=$!
    STARTED_PIDS+=("$LAST_STARTED_PID")
    STARTED_QUIT_URLS+=("$quit")
}

remove_on_exit() { TEMPORARY_PATHS+=("$@"); }

stop_all() { # also under set -e: nothing here may end it early
    local index pid
    for ((index = ${#STARTED_PIDS[@]} - 1; index >= 0; index--)); do
        pid=${STARTED_PIDS[index]}
        if [ -n "${STARTED_QUIT_URLS[index]}" ] && kill -0 "$pid" 2>/dev/null; then
            python3 -c 'import sys, urllib.request; urllib.request.urlopen(sys.argv[1], timeout=10).read()' \
                "${STARTED_QUIT_URLS[index]}" 2>/dev/null || true
        fi
        kill "$pid" 2>/dev/null || true
        wait "$pid" 2>/dev/null || true
    done
    STARTED_PIDS=()
    STARTED_QUIT_URLS=()
    [ ${#TEMPORARY_PATHS[@]} -eq 0 ] || rm -rf "${TEMPORARY_PATHS[@]}"
    TEMPORARY_PATHS=()
}
trap stop_all EXIT
trap 'exit 130' INT TERM

# Waits until `check...` passes while the process started last runs; if it ends first or
# `seconds` pass, shows its output and fails.
await_started() { # what, seconds, its output file, check command...
    local what=$1 deadline=$((SECONDS + $2)) output=$3
    shift 3
    until "$@"; do
        if ! kill -0 "$LAST_STARTED_PID" 2>/dev/null || [ "$SECONDS" -ge "$deadline" ]; then
            printf 'error: %s did not start; its output:\n' "$what" >&2
            cat "$output" >&2
            return 1
        fi
        sleep 0.1
    done
}

# crates/test-peers' binaries (test-mosquitto, test-ejabberd, hostile-broker, restart-stream), built here.
readonly TEST_PEERS_BIN=${CARGO_TARGET_DIR:-target}/debug
build_test_peers() { # cargo build arguments, e.g. --bin test-mosquitto
    cargo build --quiet -p test-peers "$@"
}

# The payload decoders' Worker as trunk builds it for the page (index.html), but a debug build:
# crates/payload-decoders' `decoder-worker` bin bound by wasm-bindgen for a Worker, into DIR as
# decoder-worker.js and decoder-worker_bg.wasm (for the browser tests, which have no trunk build).
build_decoder_module() { # DIR
    cargo build --quiet -p payload-decoders --bin decoder-worker --features worker \
        --target wasm32-unknown-unknown &&
        wasm-bindgen --target no-modules --no-typescript --out-dir "$1" \
            "${CARGO_TARGET_DIR:-target}/wasm32-unknown-unknown/debug/decoder-worker.wasm"
}

# Starts Mosquitto through test-mosquitto (crates/test-peers' one launcher, which build_test_peers
# builds) on the given TCP and WebSocket ports with mosquitto/mosquitto.conf's settings, plus
# further test-mosquitto arguments (--set LINE, --control-port N). Sets MOSQUITTO_LOG to the
# broker's log. Returns non-zero, with its output shown, if it did not start.
start_mosquitto() { # tcp port, ws port, test-mosquitto arguments...
    local tcp_port=$1 ws_port=$2 output
    shift 2
    output=$(mktemp)
    remove_on_exit "$output"
    run_in_background "$output" "$TEST_PEERS_BIN/test-mosquitto" --tcp-port "$tcp_port" \
        --ws-port "$ws_port" --config mosquitto/mosquitto.conf "$@"
    await_started "Mosquitto on ports $tcp_port and $ws_port" 15 "$output" grep -q '^ready ' "$output" ||
        return 1
    MOSQUITTO_LOG=$(sed -n 's/^ready .* log //p' "$output")
}

# A two-node ejabberd cluster on loopback through crates/test-peers' test-ejabberd (which
# build_test_peers builds): both nodes, their epmd and their files are its own, so stopping it
# (stop_all) stops them all; nothing daemonizes. Exports MQTT_TEST_CLUSTER_A_URL and
# MQTT_TEST_CLUSTER_B_URL (ws://127.0.0.1:<port>/mqtt), and MQTT_TEST_CLUSTER_CONTROL_URL, where
# GET /kill/a SIGKILLs node A and GET /start/a starts it again (also /kill/b, /start/b).
start_broker_cluster() {
    local control_port output ready
    control_port=$(free_port)
    output=$(mktemp)
    remove_on_exit "$output"
    run_in_background "$output" "$TEST_PEERS_BIN/test-ejabberd" --control-port "$control_port"
    await_started "the ejabberd cluster" 60 "$output" grep -q '^ready ' "$output" || return 1
    ready=$(grep '^ready ' "$output")
    # ready a <url> b <url> in <ms> ms
    read -r _ _ MQTT_TEST_CLUSTER_A_URL _ MQTT_TEST_CLUSTER_B_URL _ <<<"$ready"
    export MQTT_TEST_CLUSTER_A_URL MQTT_TEST_CLUSTER_B_URL
    export MQTT_TEST_CLUSTER_CONTROL_URL="http://127.0.0.1:$control_port"
    say "ejabberd cluster: node A $MQTT_TEST_CLUSTER_A_URL, node B $MQTT_TEST_CLUSTER_B_URL (started in ${ready##* in })"
}
