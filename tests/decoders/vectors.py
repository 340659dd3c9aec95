#!/usr/bin/env python3
"""Independent CBOR and MessagePack encoders and decoders for crates/payload-decoders'
tests: Python's cbor2 and msgpack (installed by scripts/lib.sh's python_decoders_install).

  vectors.py encode   prints one line per test value, `FORMAT NAME HEX`, the value as
                      Python encodes it (the Rust test decodes each and compares it with
                      its own idea of NAME)
  vectors.py check    reads `FORMAT NAME HEX` lines on standard input (the same values as
                      the Rust encoders write them), decodes each and compares it with
                      NAME's value here; prints `checked N` and exits 1 on any mismatch

The names are the contract between the two sides; each side states the values itself.
"""
import sys

import cbor2
import msgpack

CBOR = {
    "null": (None, {}),
    "true": (True, {}),
    "false": (False, {}),
    "small": (17, {}),
    "negative": (-1000, {}),
    "u64_max": (2**64 - 1, {}),
    "cbor_min": (-(2**64), {}),
    "float": (-2.25, {}),
    # canonical=True writes the shortest float that keeps the value: a half float here.
    "half_float": (1.5, {"canonical": True}),
    "text": ("héllo, 世界", {}),
    "bytes": (b"\x00\x01\xfe\xff", {}),
    "array": ([1, "two", [3.5, None]], {}),
    "map": ({"temperature": 21.5, "unit": "C", "ok": True}, {}),
    "int_keys": ({1: "one", -2: b"\x02"}, {}),
    "tag": (cbor2.CBORTag(1234, "tagged"), {}),
    "undefined": (cbor2.undefined, {}),
    "simple": (cbor2.CBORSimpleValue(99), {}),
    "nested": ({"a": [{"b": [[], {}]}]}, {}),
}

MSGPACK = {
    "null": (None, {}),
    "true": (True, {}),
    "small": (17, {}),
    "negative": (-1000, {}),
    "u64_max": (2**64 - 1, {}),
    "i64_min": (-(2**63), {}),
    "float": (-2.25, {}),
    "single_float": (0.5, {"use_single_float": True}),
    "text": ("héllo, 世界", {}),
    "bytes": (b"\x00\x01\xfe\xff", {}),
    "array": ([1, "two", [3.5, None]], {}),
    "map": ({"temperature": 21.5, "unit": "C", "ok": True}, {}),
    "int_keys": ({1: "one", -2: b"\x02"}, {}),
    "ext": (msgpack.ExtType(5, b"\x01\x02\x03"), {}),
    "nested": ({"a": [{"b": [[], {}]}]}, {}),
}

FORMATS = {
    "cbor": (CBOR, lambda value, options: cbor2.dumps(value, **options), cbor2.loads),
    "msgpack": (
        MSGPACK,
        lambda value, options: msgpack.packb(value, use_bin_type=True, **options),
        lambda data: msgpack.unpackb(data, raw=False, strict_map_key=False),
    ),
}


def same(a, b):
    """Equality that tells True from 1 and floats from ints, as the Rust side does."""
    if type(a) is not type(b):
        return False
    if isinstance(a, dict):
        return len(a) == len(b) and all(k in b and same(v, b[k]) for k, v in a.items())
    if isinstance(a, (list, tuple)):
        return len(a) == len(b) and all(same(x, y) for x, y in zip(a, b))
    if isinstance(a, cbor2.CBORTag):
        return a.tag == b.tag and same(a.value, b.value)
    return a == b


def encode():
    for format_name, (values, dumps, _) in FORMATS.items():
        for name, (value, options) in values.items():
            print(format_name, name, dumps(value, options).hex())


def check():
    checked = 0
    failures = []
    for line in sys.stdin:
        if not line.strip():
            continue
        format_name, name, data = line.split()
        values, _, loads = FORMATS[format_name]
        expected = values[name][0]
        try:
            decoded = loads(bytes.fromhex(data))
        except Exception as error:  # what the Rust encoder wrote must decode
            failures.append(f"{format_name} {name}: {data} does not decode: {error}")
            continue
        if not same(decoded, expected):
            failures.append(f"{format_name} {name}: {data} decodes to {decoded!r}, not {expected!r}")
        checked += 1
    for failure in failures:
        print(failure, file=sys.stderr)
    print(f"checked {checked}")
    sys.exit(1 if failures or checked == 0 else 0)


if __name__ == "__main__":
    {"encode": encode, "check": check}[sys.argv[1]]()
