"""The seed's producer (paho-mqtt 1.x), pointed at a local broker: publishes `Message num: N`
to /python/mqtt every second and prints each message, or ERROR when the publish fails."""
import sys
import time

from paho.mqtt import client as mqtt_client

TOPIC = "/python/mqtt"
CLIENT_ID = "python-mqtt-producer"


def connect_mqtt(host, port):
    def on_connect(client, userdata, flags, rc):
        if rc == 0:
            print("Connected to MQTT Broker!", flush=True)
        else:
            print(f"Failed to connect, return code {rc}", flush=True)

    client = mqtt_client.Client(CLIENT_ID)
    client.on_connect = on_connect
    client.connect(host, port)
    return client


def publish(client, interval):
    msg_count = 0
    while True:
        time.sleep(interval)
        msg = f"Message num: {msg_count}"
        status = client.publish(TOPIC, msg)[0]
        print(msg if status == 0 else "ERROR", flush=True)
        msg_count += 1


def run():
    host = sys.argv[1] if len(sys.argv) > 1 else "127.0.0.1"
    port = int(sys.argv[2]) if len(sys.argv) > 2 else 1883
    interval = float(sys.argv[3]) if len(sys.argv) > 3 else 1.0
    client = connect_mqtt(host, port)
    client.loop_start()
    publish(client, interval)


if __name__ == "__main__":
    run()
