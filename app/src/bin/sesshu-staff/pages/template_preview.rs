//! The draft as a resident would see it, in a 360 px phone frame: every section in turn with
//! the real fields (`sesshu_app::questionnaire`, the forms bundle's), in any language, and the
//! conditions working as the person answers. Nothing typed here goes anywhere.

use crate::text::{Msg, use_tx};
use leptos::prelude::*;
use sesshu_app::questionnaire::FormModel;
use sesshu_app::questionnaire::fields::SectionFields;
use sesshu_domain::questionnaire::texts::{keys, resolve};
use sesshu_domain::questionnaire::{Answers, Lang as FormLang, TemplateContent, TemplateTexts};

/// The phone-sized preview of `content` with `texts`.
#[component]
pub fn PhonePreview(
    /// The draft's content (as edited, saved or not).
    content: RwSignal<TemplateContent>,
    /// The draft's texts.
    texts: RwSignal<Vec<TemplateTexts>>,
) -> impl IntoView {
    let tx = use_tx();
    let lang = RwSignal::new(FormLang::Ja);
    let ui = Signal::derive(move || tx.lang());
    // Built again when the draft or the language changes; answers start empty each time.
    let screen = move || {
        let lang = lang.get();
        let content = content.get();
        let resolved = texts.with(|bundles| {
            let ja = bundles
                .iter()
                .find(|b| b.lang == FormLang::Ja)
                .cloned()
                .unwrap_or_else(|| TemplateTexts::new(FormLang::Ja));
            let wanted = bundles.iter().find(|b| b.lang == lang);
            resolve(&content, wanted, &ja)
        });
        let sections = content.sections.len();
        let model = FormModel::new(content, resolved, Answers::new());
        let shown = move || model.shown_sections();
        view! {
            <div class="phone__screen" lang=lang.code()>
                <p class="phone__title">{move || model.text(keys::TITLE)}</p>
                <p>{move || model.text(keys::INTRO)}</p>
                {(0..sections)
                    .map(|index| {
                        let visible = move || shown().contains(&index);
                        view! {
                            <Show when=visible>
                                <section class="phone__section">
                                    <h3>{move || model.text(&model.section_key(index))}</h3>
                                    <SectionFields model index ui_lang=ui />
                                </section>
                            </Show>
                        }
                    })
                    .collect_view()}
            </div>
        }
    };
    view! {
        <section class="tpl-preview" aria-labelledby="tpl-preview-title">
            <h2 id="tpl-preview-title">{move || tx.t(Msg::PreviewTitle)}</h2>
            <p>{move || tx.t(Msg::PreviewNote)}</p>
            <div class="field">
                <label class="field__label" for="tpl-preview-lang">{move || tx.t(Msg::PreviewLang)}</label>
                <select
                    class="field__input field__input--select"
                    id="tpl-preview-lang"
                    on:change:target=move |ev| {
                        if let Some(chosen) = FormLang::from_code(&ev.target().value()) {
                            lang.set(chosen);
                        }
                    }
                >
                    {FormLang::ALL
                        .into_iter()
                        .map(|option| view! {
                            <option value=option.code() lang=option.code() prop:selected=move || lang.get() == option>
                                {option.endonym()}
                            </option>
                        })
                        .collect_view()}
                </select>
            </div>
            <div class="phone">{screen}</div>
        </section>
    }
}
