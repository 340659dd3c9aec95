use web_sys::HtmlSelectElement;
use yew::prelude::*;

use crate::components::on_value;
use crate::i18n::fetched::LoadFailure;
use crate::i18n::{use_i18n, Key, Locale};

#[derive(Properties, PartialEq)]
pub struct LanguagePickerProps {
    pub locale: Locale,
    pub onchange: Callback<Locale>,
    /// The language last chosen, if its texts could not be had.
    #[prop_or_default]
    pub failure: Option<LoadFailure>,
}

/// The header's language menu; each language is listed by its own name. A language whose
/// texts could not be fetched is said so beside it.
#[component]
pub fn LanguagePicker(props: &LanguagePickerProps) -> Html {
    let i18n = use_i18n();
    let menu = use_node_ref();
    {
        // The menu shows the language shown, not one that failed: choosing that one again
        // is then a change, which tries it again.
        let menu = menu.clone();
        use_effect_with((props.locale, props.failure), move |(locale, _)| {
            if let Some(menu) = menu.cast::<HtmlSelectElement>() {
                menu.set_value(locale.tag());
            }
        });
    }
    let onchange = props.onchange.clone();
    let onchange = on_value::<Event>(move |tag| {
        if let Some(locale) = Locale::matching(&tag) {
            onchange.emit(locale);
        }
    });
    html! {
        <>
        <select ref={menu} class="language" aria-label={i18n.t(Key::Language)} {onchange}>
            { for Locale::ALL.iter().map(|locale| html! {
                <option value={locale.tag()} lang={locale.tag()}
                    selected={*locale == props.locale}>{ locale.name() }</option>
            }) }
        </select>
        if let Some(failure) = props.failure {
            <p class="error language-failure" role="alert">{ i18n.text(&failure.text()) }</p>
        }
        </>
    }
}
