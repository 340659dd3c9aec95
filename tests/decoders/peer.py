#!/usr/bin/env python3
"""The Python side of tests/app_decoders.rs (paho-mqtt 1.x, cbor2, msgpack), run by scripts/test
on the test broker during the browser tests:

- publishes, retained, a CBOR reading (cbor2), a MessagePack reading (msgpack) and bytes that
  are not CBOR, under decoders/python/, for the browser to decode;
- decodes each message the app publishes under decoders/app/ with cbor2 (a topic ending /cbor)
  or msgpack (/msgpack) and publishes its verdict to decoders/verdict/<format>: `ok` when it
  is APP_VALUE (what the test writes as JSON), otherwise `wrong: ` and what it found. It prints
  each verdict too.

  peer.py HOST PORT
"""
import json
import sys

import cbor2
import msgpack
from paho.mqtt import client as mqtt_client

READING = {"temperature": 21.5, "unit": "C", "ok": True, "samples": [1, -2, 300000]}
APP_VALUE = {"name": "from the app", "values": [1, 2.5, -3], "on": False, "none": None}

RETAINED = {
    "decoders/python/cbor": cbor2.dumps(READING),
    "decoders/python/msgpack": msgpack.packb(READING, use_bin_type=True),
    # An array of three items with only two: not CBOR.
    "decoders/python/bad": bytes([0x83, 0x01, 0x02]),
}


def main(host, port):
    def on_connect(client, userdata, flags, rc):
        if rc != 0:
            print(f"Failed to connect, return code {rc}", flush=True)
            return
        for topic, payload in RETAINED.items():
            client.publish(topic, payload, qos=1, retain=True)
        client.subscribe("decoders/app/+", qos=1)
        print("Connected and published", flush=True)

    def on_message(client, userdata, message):
        format_name = message.topic.rsplit("/", 1)[-1]
        loads = {
            "cbor": cbor2.loads,
            "msgpack": lambda data: msgpack.unpackb(data, raw=False),
        }.get(format_name)
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
