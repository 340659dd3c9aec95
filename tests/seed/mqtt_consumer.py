"""The seed's consumer (paho-mqtt 1.x), pointed at a local broker: subscribes to /python/mqtt
and prints `Message body: <payload>, Topic: <topic>` for each message."""
import sys

from paho.mqtt import client as mqtt_client

TOPIC = "/python/mqtt"
CLIENT_ID = "python-mqtt-consumer"


def connect_mqtt(host, port):
    def on_connect(client, userdata, flags, rc):
        if rc == 0:
            print("Connected to MQTT Broker!", flush=True)
            client.subscribe(TOPIC)
        else:
            print(f"Failed to connect, return code {rc}", flush=True)

    client = mqtt_client.Client(CLIENT_ID)
    client.on_connect = on_connect
    client.connect(host, port)
    return client


def subscribe(client):
    def on_message(client, userdata, msg):
        print(f"Message body: {msg.payload.decode()}, Topic: {msg.topic}", flush=True)

    client.on_message = on_message


def run():
    host = sys.argv[1] if len(sys.argv) > 1 else "127.0.0.1"
    port = int(sys.argv[2]) if len(sys.argv) > 2 else 1883
    client = connect_mqtt(host, port)
    subscribe(client)
    client.loop_forever()


if __name__ == "__main__":
    run()
