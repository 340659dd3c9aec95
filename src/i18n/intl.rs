//! Numbers, plural categories and times by the browser's `Intl`, one formatter of each kind
//! kept for the language last used. Off the browser (the native tests) there is no `Intl`:
//! numbers are written plainly and every count takes the `other` form.

use super::Locale;

#[cfg(target_arch = "wasm32")]
mod browser {
    use std::cell::RefCell;

    use js_sys::{Array, Function, Intl, Object, Reflect};
    use wasm_bindgen::JsValue;

    use super::Locale;

    struct Formatters {
        locale: Locale,
        number: Function,
        plural: Intl::PluralRules,
        time: Function,
    }

    thread_local! {
        static FORMATTERS: RefCell<Option<Formatters>> = const { RefCell::new(None) };
    }

    fn options(pairs: &[(&str, JsValue)]) -> Object {
        let object = Object::new();
        for (name, value) in pairs {
            let _ = Reflect::set(&object, &JsValue::from_str(name), value);
        }
        object
    }

    fn make(locale: Locale) -> Formatters {
        let locales = Array::of1(&JsValue::from_str(locale.tag()));
        let two_digits = || JsValue::from_str("2-digit");
        let time = Intl::DateTimeFormat::new(
            &locales,
            &options(&[
                ("hour", two_digits()),
                ("minute", two_digits()),
                ("second", two_digits()),
                ("fractionalSecondDigits", JsValue::from_f64(3.0)),
                ("hourCycle", JsValue::from_str("h23")),
            ]),
        );
        Formatters {
            locale,
            number: Intl::NumberFormat::new(&locales, &Object::new()).format(),
            plural: Intl::PluralRules::new(&locales, &Object::new()),
            time: time.format(),
        }
    }

    fn with<T>(locale: Locale, use_them: impl FnOnce(&Formatters) -> T) -> T {
        FORMATTERS.with(|cell| {
            let mut cell = cell.borrow_mut();
            if cell.as_ref().is_none_or(|f| f.locale != locale) {
                *cell = Some(make(locale));
            }
            use_them(cell.as_ref().unwrap())
        })
    }

    fn call(function: &Function, value: &JsValue) -> String {
        function
            .call1(&JsValue::UNDEFINED, value)
            .ok()
            .and_then(|text| text.as_string())
            .unwrap_or_default()
    }

    pub fn format_number(locale: Locale, value: f64) -> String {
        with(locale, |f| call(&f.number, &JsValue::from_f64(value)))
    }

    pub fn plural_category(locale: Locale, count: f64) -> String {
        with(locale, |f| String::from(f.plural.select(count)))
    }

    pub fn format_time(locale: Locale, epoch_millis: u64) -> String {
        let date = js_sys::Date::new(&JsValue::from_f64(epoch_millis as f64));
        with(locale, |f| call(&f.time, &date))
    }
}

#[cfg(target_arch = "wasm32")]
pub use browser::{format_number, format_time, plural_category};

#[cfg(not(target_arch = "wasm32"))]
pub fn format_number(_: Locale, value: f64) -> String {
    value.to_string()
}

#[cfg(not(target_arch = "wasm32"))]
pub fn plural_category(_: Locale, _: f64) -> String {
    "other".into()
}

#[cfg(not(target_arch = "wasm32"))]
pub fn format_time(_: Locale, epoch_millis: u64) -> String {
    format!("{epoch_millis} ms")
}
