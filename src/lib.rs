//! The browser app: a Yew single-page MQTT client on top of `mqtt_core`.
