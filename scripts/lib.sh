# Shared by scripts/serve, scripts/test and scripts/build: installs what is missing, at pinned
# versions, and runs a Mosquitto that is stopped whatever happens. Sourced, not run.

readonly WASM_BINDGEN_VERSION=0.2.130 # must equal the `wasm-bindgen` pin in Cargo.toml
readonly TRUNK_VERSION=0.21.14        # the newest trunk that builds with the pinned rustc
readonly APT_PACKAGES=(mosquitto mosquitto-clients chromium chromium-driver)
readonly PAHO_REQUIREMENT='paho-mqtt<2'

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

node_tools_install() {
    command -v npm >/dev/null || apt_install_missing nodejs npm
    if [ ! -x tools/node_modules/.bin/wasm-opt ]; then
        say "installing binaryen (wasm-opt) from npm"
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

python_paho_install() {
    python3 -c 'import paho.mqtt, sys; sys.exit(paho.mqtt.__version__ >= "2")' 2>/dev/null && return 0
    say "installing $PAHO_REQUIREMENT (the seed's Python producer and consumer)"
    python3 -m pip install --quiet --disable-pip-version-check "$PAHO_REQUIREMENT" ||
        die "pip could not install '$PAHO_REQUIREMENT'"
}

install_web_tools() {
    rust_toolchain_install
    # wasm-bindgen-cli's lock file wants a crate release the registry lacks, so no --locked.
    cargo_install_pinned wasm-bindgen "wasm-bindgen $WASM_BINDGEN_VERSION" wasm-bindgen-cli "$WASM_BINDGEN_VERSION"
    cargo_install_pinned trunk "trunk $TRUNK_VERSION" trunk "$TRUNK_VERSION" --locked
    node_tools_install
}

free_port() {
    python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

wait_for_port() { # port, seconds
    local deadline=$((SECONDS + $2))
    until (: </dev/tcp/127.0.0.1/"$1") 2>/dev/null; do
        [ "$SECONDS" -lt "$deadline" ] || return 1
        sleep 0.1
    done
}

BROKER_PID=""
BROKER_DIR=""
BROKER_TCP_PORT=""
BROKER_WS_PORT=""

stop_broker() {
    if [ -n "$BROKER_PID" ]; then
        kill "$BROKER_PID" 2>/dev/null && wait "$BROKER_PID" 2>/dev/null
        BROKER_PID=""
    fi
    [ -z "$BROKER_DIR" ] || rm -rf "$BROKER_DIR"
    BROKER_DIR=""
}

broker_config() { # tcp port, ws port
    sed -e "s/@TCP_PORT@/$1/" -e "s/@WS_PORT@/$2/" mosquitto/mosquitto.conf
}

# Starts Mosquitto with mosquitto/mosquitto.conf's settings on the given ports (TCP, WebSocket).
# Mosquitto refuses to start with only a WebSocket listener, hence the TCP one.
start_broker() {
    local tcp_port=$1 ws_port=$2
    BROKER_TCP_PORT=$tcp_port
    BROKER_WS_PORT=$ws_port
    BROKER_DIR=$(mktemp -d)
    broker_config "$tcp_port" "$ws_port" >"$BROKER_DIR/mosquitto.conf"
    /usr/sbin/mosquitto -c "$BROKER_DIR/mosquitto.conf" >"$BROKER_DIR/log" 2>&1 &
    BROKER_PID=$!
    if ! wait_for_port "$tcp_port" 10 || ! wait_for_port "$ws_port" 10; then
        printf 'error: Mosquitto did not start on ports %s and %s; its log:\n' "$tcp_port" "$ws_port" >&2
        cat "$BROKER_DIR/log" >&2
        stop_broker
        exit 1
    fi
}

HOSTILE_PID=""
HOSTILE_LOG=""

stop_hostile_broker() {
    if [ -n "$HOSTILE_PID" ]; then
        kill "$HOSTILE_PID" 2>/dev/null && wait "$HOSTILE_PID" 2>/dev/null
        HOSTILE_PID=""
    fi
    [ -z "$HOSTILE_LOG" ] || rm -f "$HOSTILE_LOG"
    HOSTILE_LOG=""
}

# Builds and starts the scripted hostile WebSocket broker of crates/test-peers on the given
# port (the browser tests connect to ws://127.0.0.1:<port>/<case>). Returns non-zero on failure.
start_hostile_broker() {
    local port=$1
    cargo build --quiet -p test-peers --bin hostile-broker || return 1
    HOSTILE_LOG=$(mktemp)
    "${CARGO_TARGET_DIR:-target}/debug/hostile-broker" "$port" >"$HOSTILE_LOG" 2>&1 &
    HOSTILE_PID=$!
    if ! wait_for_port "$port" 10; then
        printf 'error: the hostile broker did not start on port %s; its log:\n' "$port" >&2
        cat "$HOSTILE_LOG" >&2
        stop_hostile_broker
        return 1
    fi
}
