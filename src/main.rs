fn main() {
    mqtt_web_client::register_service_worker();
    yew::Renderer::<mqtt_web_client::App>::new().render();
}
