//! The saved profiles: pick one to load into the connection form, or delete it.

use yew::prelude::*;

use super::on_value;
use crate::i18n::{use_i18n, Key};
use crate::settings::ConnectionSettings;

#[derive(Properties, PartialEq)]
pub struct ProfilePickerProps {
    pub ids: AttrValue,
    pub profiles: Vec<(String, ConnectionSettings)>,
    pub onload: Callback<ConnectionSettings>,
    pub ondelete: Callback<String>,
}

#[component]
pub fn ProfilePicker(props: &ProfilePickerProps) -> Html {
    let i18n = use_i18n();
    // The profile last picked, which Delete removes.
    let picked = use_state(String::new);
    if props.profiles.is_empty() {
        return Html::default();
    }
    let onchange = {
        let picked = picked.clone();
        let profiles = props.profiles.clone();
        let onload = props.onload.clone();
        on_value::<Event>(move |name| {
            if let Some((_, settings)) = profiles.iter().find(|(n, _)| *n == name) {
                onload.emit(settings.clone());
            }
            picked.set(name);
        })
    };
    let ondelete = {
        let picked = picked.clone();
        let ondelete = props.ondelete.clone();
        Callback::from(move |_: MouseEvent| {
            if !picked.is_empty() {
                ondelete.emit((*picked).clone());
                picked.set(String::new());
            }
        })
    };
    let id = format!("{}-profile", props.ids);
    html! {
        <div class="field with-button">
            <label for={id.clone()}>{ i18n.t(Key::Profile) }</label>
            <select {id} {onchange}>
                <option value="" selected={picked.is_empty()}>{ i18n.t(Key::ProfileLoad) }</option>
                { for props.profiles.iter().map(|(name, _)| html! {
                    <option value={name.clone()} selected={*name == *picked}>{ name.clone() }</option>
                }) }
            </select>
            <button type="button" onclick={ondelete}>{ i18n.t(Key::ProfileDelete) }</button>
        </div>
    }
}
