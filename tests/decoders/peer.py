#!/usr/bin/env python3
"""The Python side of tests/app_decoders.rs (paho-mqtt 1.x, cbor2, msgpack, protobuf with
classes protoc generates: proto_vectors.py), run by scripts/test on the test broker during the
browser tests:

- publishes, retained, a CBOR reading (cbor2), a MessagePack reading (msgpack) and bytes that
  are not CBOR, under decoders/python/, for the browser to decode;
- decodes each message the app publishes under decoders/app/ with cbor2 (a topic ending /cbor)
  or msgpack (/msgpack) and publishes its verdict to decoders/verdict/<format>: `ok` when it
  is APP_VALUE (what the test writes as JSON), otherwise `wrong: ` and what it found. It prints
  each verdict too;
- decodes the numbered messages the periodic publish and the load test send under
  decoders/numbered/<run>/<format> (tests/app_decoded_views.rs), each of which must be
  {"n": a whole number from 1, "text": NUMBERED_TEXT} with "ts" (a whole number) as well or not,
  and publishes `ok, <count> so far` (the distinct numbers seen) to decoders/verdict/<run>/<format>,
  or `wrong: ` and what it found, which stays;
- on decoders/request/series, publishes SERIES, one CBOR reading after another, to
  decoders/python/series, for a chart of a decoded field;
- publishes, retained, a demo.Telemetry (tests/decoders/proto, two files, one importing the
  other) under decoders/python/protobuf, and judges the app's decoders/app/protobuf
  on decoders/verdict/protobuf/app (below the app's rule decoders/+/protobuf);
- likewise in Avro (fastavro, avro_vectors.py: tests/decoders/avro): a demo.Telemetry holding
  the report before it under decoders/python/avro, and the app's decoders/app/avro judged on
  decoders/verdict/avro/app;
- on decoders/sparkplug/go, publishes as edge node plant/edge1 (device pump) an NBIRTH, an
  NDATA whose metrics have aliases only, a DBIRTH and a DDATA likewise, in that order; and
  judges what the app publishes as edge node tank/edge9: an NBIRTH (seq 0, with a bdSeq metric)
  then an NDATA (seq 1), verdict on decoders/verdict/sparkplug after the NDATA.

  peer.py HOST PORT
"""
import json
import sys
from decimal import Decimal

import cbor2
import msgpack
from paho.mqtt import client as mqtt_client

import avro_vectors
import proto_vectors

READING = {"temperature": 21.5, "unit": "C", "ok": True, "samples": [1, -2, 300000]}
APP_VALUE = {"name": "from the app", "values": [1, 2.5, -3], "on": False, "none": None}

NUMBERED_TEXT = "from the app, numbered"
SERIES = [{"temperature": t, "unit": "C"} for t in (20, 22.5, 21)]

RETAINED = {
    "decoders/python/cbor": cbor2.dumps(READING),
    "decoders/python/msgpack": msgpack.packb(READING, use_bin_type=True),
    # An array of three items with only two: not CBOR.
    "decoders/python/bad": bytes([0x83, 0x01, 0x02]),
    "decoders/python/protobuf": proto_vectors.protobuf_messages()["telemetry"].SerializeToString(),
    "decoders/python/avro": avro_vectors.encode("nested")[1],
}

# What the app writes as JSON and encodes as Avro's demo.Telemetry (the reading's ok and the
# previous report left to their defaults).
APP_AVRO = {
    "device": "from the app",
    "readings": [{"sensor": "a", "value": 2.5, "unit": "CELSIUS", "ok": True}],
    "counters": {"n": 3},
    "error": "none",
    "id": b"\x00\x01\x02\x03",
    "price": Decimal("1.50"),
    "previous": None,
}

# What the app writes as JSON and encodes as demo.Telemetry.
APP_TELEMETRY = proto_vectors.telemetry.Telemetry(
    device="from the app",
    readings=[proto_vectors.common.Reading(sensor="a", value=2.5, unit=proto_vectors.common.KELVIN)],
    counters={"n": 3},
    error="none",
)

SPARKPLUG = [
    ("spBv1.0/plant/NBIRTH/edge1", "nbirth"),
    ("spBv1.0/plant/NDATA/edge1", "ndata"),
    ("spBv1.0/plant/DBIRTH/edge1/pump", "dbirth"),
    ("spBv1.0/plant/DDATA/edge1/pump", "ddata"),
]


def sparkplug_verdict(state, topic, data):
    """Judges the app's Sparkplug B publishing as edge node tank/edge9."""
    payload = proto_vectors.Payload()
    payload.ParseFromString(data)
    if topic.endswith("/NBIRTH/edge9"):
        bd_seq = [m for m in payload.metrics if m.name == "bdSeq"]
        state["birth"] = (
            payload.seq == 0
            and len(bd_seq) == 1
            and any(m.name == "Level" and m.alias == 7 for m in payload.metrics)
        ) or f"wrong birth: {payload}"
        return None
    if topic.endswith("/NDATA/edge9"):
        birth = state.get("birth")
        if birth is not True:
            return f"wrong: {birth}"
        metric = payload.metrics[0] if payload.metrics else None
        if payload.seq == 1 and metric and metric.alias == 7 and metric.double_value == 0.5:
            return "ok"
        return f"wrong data: {payload}"
    return None


LOADS = {
    "cbor": cbor2.loads,
    "msgpack": lambda data: msgpack.unpackb(data, raw=False),
}


def whole(value):
    # bool is an int in Python; JSON's true is not a number.
    return isinstance(value, int) and not isinstance(value, bool)


def numbered_problem(value):
    if not isinstance(value, dict) or set(value) not in ({"n", "text"}, {"n", "text", "ts"}):
        return f"not the numbered shape: {value!r}"
    if not whole(value["n"]) or value["n"] < 1 or value["text"] != NUMBERED_TEXT:
        return f"wrong fields: {value!r}"
    if "ts" in value and not whole(value["ts"]):
        return f"ts not a whole number: {value!r}"
    return None


def main(host, port):
    # Per decoders/numbered/<run>/<format>: the numbers seen, or the first problem.
    numbered = {}

    def judge_numbered(client, message):
        _, _, run, format_name = message.topic.split("/")
        seen = numbered.setdefault(message.topic, set())
        if isinstance(seen, str) or format_name not in LOADS:
            return
        try:
            value = LOADS[format_name](message.payload)
            problem = numbered_problem(value)
        except Exception as error:
            problem = f"{message.payload.hex()} does not decode: {error}"
        if problem is None:
            seen.add(value["n"])
            verdict = f"ok, {len(seen)} so far"
        else:
            numbered[message.topic] = verdict = f"wrong: {problem}"
        print(f"{message.topic}: {verdict}", flush=True)
        client.publish(f"decoders/verdict/{run}/{format_name}", verdict, qos=1)

    def on_connect(client, userdata, flags, rc):
        if rc != 0:
            print(f"Failed to connect, return code {rc}", flush=True)
            return
        for topic, payload in RETAINED.items():
            client.publish(topic, payload, qos=1, retain=True)
        client.subscribe([("decoders/app/+", 1), ("decoders/numbered/+/+", 1),
                          ("decoders/request/series", 1), ("decoders/sparkplug/go", 1),
                          ("spBv1.0/tank/#", 1)])
        print("Connected and published", flush=True)

    sparkplug_state = {}

    def on_message(client, userdata, message):
        if message.topic.startswith("decoders/numbered/"):
            return judge_numbered(client, message)
        if message.topic == "decoders/request/series":
            for reading in SERIES:
                client.publish("decoders/python/series", cbor2.dumps(reading), qos=1)
            return
        if message.topic == "decoders/sparkplug/go":
            for topic, name in SPARKPLUG:
                data = proto_vectors.sparkplug_messages()[name].SerializeToString()
                client.publish(topic, data, qos=1)
            print("Published the Sparkplug B messages", flush=True)
            return
        if message.topic.startswith("spBv1.0/tank/"):
            try:
                verdict = sparkplug_verdict(sparkplug_state, message.topic, message.payload)
            except Exception as error:
                verdict = f"wrong: {message.payload.hex()} does not parse: {error}"
            if verdict is not None:
                print(f"{message.topic}: {verdict}", flush=True)
                client.publish("decoders/verdict/sparkplug", verdict, qos=1)
            return
        format_name = message.topic.rsplit("/", 1)[-1]
        if format_name == "avro":
            try:
                value = avro_vectors.decode("demo.Telemetry", message.payload)
                verdict = "ok" if value == APP_AVRO else f"wrong: {value!r}"
            except Exception as error:
                verdict = f"wrong: {message.payload.hex()} does not read: {error}"
            print(f"{message.topic}: {verdict}", flush=True)
            client.publish("decoders/verdict/avro/app", verdict, qos=1)
            return
        if format_name == "protobuf":
            try:
                value = proto_vectors.telemetry.Telemetry()
                value.ParseFromString(message.payload)
                verdict = "ok" if value == APP_TELEMETRY else f"wrong: {value}"
            except Exception as error:
                verdict = f"wrong: {message.payload.hex()} does not parse: {error}"
            print(f"{message.topic}: {verdict}", flush=True)
            client.publish("decoders/verdict/protobuf/app", verdict, qos=1)
            return
        loads = LOADS.get(format_name)
        if loads is None:
            return
        try:
            value = loads(message.payload)
            # JSON text tells False from 0 and 1 from 1.0, as == does not.
            same = json.dumps(value, sort_keys=True) == json.dumps(APP_VALUE, sort_keys=True)
            verdict = "ok" if same else f"wrong: {value!r}"
        except Exception as error:
            verdict = f"wrong: {message.payload.hex()} does not decode: {error}"
        print(f"{message.topic}: {verdict}", flush=True)
        client.publish(f"decoders/verdict/{format_name}", verdict, qos=1)

    client = mqtt_client.Client("python-decoders-peer")
    client.on_connect = on_connect
    client.on_message = on_message
    client.connect(host, port)
    client.loop_forever()


if __name__ == "__main__":
    main(sys.argv[1], int(sys.argv[2]))
