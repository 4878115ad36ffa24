use crate::i18n::{Lang, Msg, use_i18n};
use leptos::prelude::*;

/// The language switch: one toggle button per language, the current one `aria-pressed`. Each
/// button is labelled in its own language (and marked with `lang`), so a person who cannot read
/// the current language still finds theirs.
#[component]
pub fn LanguageSwitch() -> impl IntoView {
    let i18n = use_i18n();
    let options = Lang::ALL
        .into_iter()
        .map(|lang| {
            view! {
                <button
                    type="button"
                    class="lang-switch__option"
                    lang=lang.code()
                    aria-pressed=move || if i18n.lang() == lang { "true" } else { "false" }
                    on:click=move |_| i18n.set_lang(lang)
                >
                    {lang.endonym()}
                </button>
            }
        })
        .collect_view();
    view! {
        <div class="lang-switch" role="group" aria-label=move || i18n.t(Msg::LanguageLabel)>
            {options}
        </div>
    }
}
