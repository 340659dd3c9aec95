#!/usr/bin/env python3
"""An independent Avro encoder and decoder for crates/payload-decoders' tests and for peer.py:
`fastavro` (installed by scripts/lib.sh's python_decoders_install) with the schemas of
tests/decoders/avro/ (telemetry.avsc uses common.avsc's demo.Reading).

  avro_vectors.py encode   prints one line per test datum, `NAME TYPE HEX`, the datum as
                           fastavro writes it (schemaless: one datum, no container header)
  avro_vectors.py check    reads `NAME TYPE HEX` lines on standard input (the same data as the
                           Rust encoder writes them), reads each and compares it with NAME's
                           datum here; prints `checked N` and exits 1 on a mismatch

The names are the contract between the two sides; each side states the data itself.
"""
import io
import json
import os
import sys
from decimal import Decimal

import fastavro

HERE = os.path.dirname(os.path.abspath(__file__))


def schema(type_name):
    """The test files' record of this full name, parsed with the named types it uses (the
    parsed schema of the file that defines it, which fastavro's writer and reader take as is).
    """
    named, parsed = {}, {}
    for name in ("common.avsc", "telemetry.avsc"):
        with open(os.path.join(HERE, "avro", name)) as file:
            top = fastavro.parse_schema(json.load(file), named)
        parsed[top["name"]] = top
    return parsed[type_name]


def telemetry(device, previous=None):
    return {
        "device": device,
        "readings": [
            {"sensor": "t1", "value": 21.5, "unit": "KELVIN", "ok": True},
            {"sensor": "héllo", "value": -0.25, "unit": "CELSIUS", "ok": False},
        ],
        "counters": {"n": 3, "big": 2**40, "low": -(2**63)},
        "error": None,
        "id": b"\x01\x02\x03\x04",
        "price": Decimal("12.34"),
        "previous": previous,
    }


DATA = {
    "reading": ("demo.Reading", {"sensor": "a", "value": 1.5, "unit": "CELSIUS", "ok": True}),
    "telemetry": ("demo.Telemetry", telemetry("pump-1")),
    "nested": (
        "demo.Telemetry",
        telemetry("now", {**telemetry("before"), "error": "late", "price": Decimal("-0.50")}),
    ),
}


def encode(name):
    type_name, datum = DATA[name]
    out = io.BytesIO()
    fastavro.schemaless_writer(out, schema(type_name), datum)
    return type_name, out.getvalue()


def decode(type_name, data):
    parsed = schema(type_name)
    reader = io.BytesIO(data)
    datum = fastavro.schemaless_reader(reader, parsed, parsed)
    if reader.read():
        raise ValueError("bytes follow the datum")
    return datum


def main(mode):
    if mode == "encode":
        for name in DATA:
            type_name, data = encode(name)
            print(name, type_name, data.hex())
        return 0
    checked, wrong = 0, 0
    for line in sys.stdin:
        name, type_name, hex_data = line.split()
        expected_type, expected = DATA[name]
        found = decode(type_name, bytes.fromhex(hex_data))
        if type_name != expected_type or found != expected:
            print(f"{name}: read {found!r}, expected {expected!r}", file=sys.stderr)
            wrong += 1
        checked += 1
    print(f"checked {checked}")
    return 1 if wrong else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1]))
