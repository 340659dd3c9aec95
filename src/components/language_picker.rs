use yew::prelude::*;

use crate::components::on_value;
use crate::i18n::{use_i18n, Key, Locale};

#[derive(Properties, PartialEq)]
pub struct LanguagePickerProps {
    pub locale: Locale,
    pub onchange: Callback<Locale>,
}

/// The header's language menu; each language is listed by its own name.
#[component]
pub fn LanguagePicker(props: &LanguagePickerProps) -> Html {
    let i18n = use_i18n();
    let onchange = props.onchange.clone();
    let onchange = on_value::<Event>(move |tag| {
        if let Some(locale) = Locale::matching(&tag) {
            onchange.emit(locale);
        }
    });
    html! {
        <select class="language" aria-label={i18n.t(Key::Language)} {onchange}>
            { for Locale::ALL.iter().map(|locale| html! {
                <option value={locale.tag()} lang={locale.tag()}
                    selected={*locale == props.locale}>{ locale.name() }</option>
            }) }
        </select>
    }
}
