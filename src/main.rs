fn main() {
    yew::Renderer::<mqtt_web_client::App>::new().render();
}
