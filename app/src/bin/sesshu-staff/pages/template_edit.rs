//! `/admin/templates/{setting}`: one vaccination setting's questionnaire: its versions, making a
//! draft from one, and editing the draft: item by item its wording (in any language), whether
//! it is required and when it is shown (the condition as JSON), then check (the domain's
//! publish checks, per item), preview on a phone-sized screen, and publish.

use crate::api::{self, ErrorKind, StaffError};
use crate::components::{Dialog, ErrorSlot, LiveStatus, RequirePermission, focus_by_id};
use crate::pages::template_preview::PhonePreview;
use crate::pages::templates::version_label;
use crate::session::use_current_staff;
use crate::shell::TEMPLATES;
use crate::text::{Msg, use_title, use_tx};
use leptos::prelude::*;
use leptos::task::spawn_local;
use leptos_router::hooks::use_params_map;
use sesshu_app::components::Loading;
use sesshu_app::i18n::Lang;
use sesshu_domain::questionnaire::texts::keys;
use sesshu_domain::questionnaire::{
    Condition, FilledBy, Item, ItemId, ItemKind, Lang as FormLang, Place, Signer, TemplateContent,
    TemplateTexts,
};
use sesshu_domain::questionnaire_api::{
    DraftUpdate, TemplateCheck, TemplateOrigin, TemplateSetting, TemplateVersionView,
};
use time::{OffsetDateTime, UtcOffset};

/// The page.
#[component]
pub fn TemplatePage() -> impl IntoView {
    use_title(Msg::TemplatesTitle);
    let params = use_params_map();
    let setting = Memo::new(move |_| params.read().get("setting").unwrap_or_default());
    view! {
        <RequirePermission any=TEMPLATES probe="questionnaire-templates">
            {move || view! { <TemplateDetail setting=setting.get() /> }}
        </RequirePermission>
    }
}

/// What the page shares: messages, and the way to load everything again.
#[derive(Clone, Copy)]
struct PageCtx {
    status: RwSignal<Option<Msg>>,
    error: RwSignal<Option<StaffError>>,
    reload: RwSignal<u32>,
}

impl PageCtx {
    fn reload_with(self, message: Msg) {
        self.error.set(None);
        self.status.set(Some(message));
        self.reload.update(|n| *n += 1);
    }
}

#[component]
fn TemplateDetail(
    /// The vaccination setting id, as in the address.
    setting: String,
) -> impl IntoView {
    let tx = use_tx();
    let staff = use_current_staff();
    let page = PageCtx {
        status: RwSignal::new(None),
        error: RwSignal::new(None),
        reload: RwSignal::new(0),
    };
    let setting = StoredValue::new(setting);
    let settings = LocalResource::new(move || {
        page.reload.track();
        let code = staff.code();
        async move { staff.observe(api::template_settings(&code).await) }
    });
    let draft = LocalResource::new(move || {
        page.reload.track();
        let code = staff.code();
        let setting = setting.get_value();
        async move { staff.observe(api::template_draft(&code, &setting).await) }
    });
    let this = move || -> Option<Result<Option<TemplateSetting>, StaffError>> {
        settings.get().map(|result| {
            result.map(|list| {
                list.settings
                    .into_iter()
                    .find(|s| setting.with_value(|id| s.setting.as_str() == id))
            })
        })
    };
    view! {
        <h1 tabindex="-1">
            {move || match this() {
                Some(Ok(Some(found))) => found.title_ja,
                _ => tx.t(Msg::TemplatesTitle).to_owned(),
            }}
        </h1>
        <p>
            <a href="/admin/templates">{move || tx.t(Msg::BackToTemplates)}</a>
        </p>
        <LiveStatus message=page.status />
        <ErrorSlot error=page.error />
        {move || match this() {
            None => view! { <Loading /> }.into_any(),
            Some(Err(error)) => {
                view! { <crate::components::ErrorNotice error /> }.into_any()
            }
            Some(Ok(None)) => view! {
                <p>{move || tx.t(Msg::ErrNotFoundBody)}</p>
            }
            .into_any(),
            Some(Ok(Some(found))) => {
                let has_draft = found.draft.is_some();
                let current = found.current_version;
                view! {
                    <Versions found page has_draft />
                    {(!has_draft).then(|| view! {
                        <CurrentVersion setting=setting.get_value() version=current />
                    })}
                }
                .into_any()
            }
        }}
        {move || match draft.get() {
            None => view! { <Loading /> }.into_any(),
            Some(Ok(view)) => view! { <DraftEditor view page /> }.into_any(),
            // No draft: the current version is shown above, read-only.
            Some(Err(error)) if error.kind() == ErrorKind::NotFound => ().into_any(),
            Some(Err(error)) => view! { <crate::components::ErrorNotice error /> }.into_any(),
        }}
    }
}

const JAPAN: UtcOffset = match UtcOffset::from_hms(9, 0, 0) {
    Ok(offset) => offset,
    Err(_) => UtcOffset::UTC,
};

/// `2026-04-01 09:05` in Japan's time (where every municipality is).
fn japan_time(at: OffsetDateTime) -> String {
    let t = at.to_offset(JAPAN);
    format!(
        "{:04}-{:02}-{:02} {:02}:{:02}",
        t.year(),
        u8::from(t.month()),
        t.day(),
        t.hour(),
        t.minute()
    )
}

/// The versions of the setting, with the way to start a draft from one.
#[component]
fn Versions(
    /// The setting.
    found: TemplateSetting,
    /// The page.
    page: PageCtx,
    /// Whether a draft exists already (only one at a time).
    has_draft: bool,
) -> impl IntoView {
    let tx = use_tx();
    let staff = use_current_staff();
    let pending = RwSignal::new(false);
    let setting = found.setting.to_string();
    let current = found.current_version;
    let rows = found
        .versions
        .into_iter()
        .map(|version| {
            let setting = setting.clone();
            let number = version.version;
            let make_draft = move |_| {
                if pending.get_untracked() {
                    return;
                }
                pending.set(true);
                let code = staff.code();
                let setting = setting.clone();
                spawn_local(async move {
                    let result =
                        staff.observe(api::create_template_draft(&code, &setting, number).await);
                    pending.set(false);
                    match result {
                        Ok(_) => page.reload_with(Msg::DraftCreated),
                        Err(error) => page.error.set(Some(error)),
                    }
                });
            };
            let origin = match version.origin {
                TemplateOrigin::Shipped => Msg::OriginShipped,
                TemplateOrigin::Municipality => Msg::OriginMunicipality,
            };
            view! {
                <tr>
                    <th scope="row">
                        {move || version_label(tx.lang(), number)}
                        {(number == current).then(|| view! {
                            " " <span class="tag">{move || tx.t(Msg::ColCurrent)}</span>
                        })}
                    </th>
                    <td>{move || tx.t(origin)}</td>
                    <td class="num">{version.validity_days}</td>
                    <td>{version.published_at.map(japan_time).unwrap_or_else(|| "—".to_owned())}</td>
                    <td class="cell-actions">
                        {(!has_draft).then(|| view! {
                            <button
                                type="button"
                                class="button button--secondary button--small"
                                disabled=move || pending.get()
                                on:click=make_draft.clone()
                            >
                                {move || tx.t(Msg::DraftFrom)}
                                <span class="visually-hidden">{move || format!(" ({})", version_label(tx.lang(), number))}</span>
                            </button>
                        })}
                    </td>
                </tr>
            }
        })
        .collect_view();
    view! {
        <section aria-labelledby="versions-title">
            <h2 id="versions-title">{move || tx.t(Msg::VersionsTitle)}</h2>
            <div class="table-wrap">
                <table class="table">
                    <thead>
                        <tr>
                            <th scope="col">{move || tx.t(Msg::ColVersion)}</th>
                            <th scope="col">{move || tx.t(Msg::ColOrigin)}</th>
                            <th scope="col" class="num">{move || tx.t(Msg::ColValidity)}</th>
                            <th scope="col">{move || tx.t(Msg::ColPublishedAt)}</th>
                            <th scope="col"><span class="visually-hidden">{move || tx.t(Msg::EditItem)}</span></th>
                        </tr>
                    </thead>
                    <tbody>{rows}</tbody>
                </table>
            </div>
        </section>
    }
}

/// The version residents use, read-only, with its preview: what a draft would start from.
#[component]
fn CurrentVersion(
    /// The setting.
    setting: String,
    /// The version in use.
    version: u32,
) -> impl IntoView {
    let tx = use_tx();
    let staff = use_current_staff();
    let loaded = LocalResource::new(move || {
        let code = staff.code();
        let setting = setting.clone();
        async move { staff.observe(api::template_version(&code, &setting, version).await) }
    });
    let preview = RwSignal::new(false);
    view! {
        <section aria-labelledby="current-title">
            <h2 id="current-title">
                {move || format!("{}（{}）", tx.t(Msg::CurrentContent), version_label(tx.lang(), version))}
            </h2>
            <p class="notice">{move || tx.t(Msg::ReadOnlyVersion)}</p>
            {move || match loaded.get() {
                None => view! { <Loading /> }.into_any(),
                Some(Err(error)) => view! { <crate::components::ErrorNotice error /> }.into_any(),
                Some(Ok(view)) => match serde_json::from_value::<TemplateContent>(view.template) {
                    Ok(content) => {
                        let content = RwSignal::new(content);
                        let texts = RwSignal::new(view.texts);
                        view! {
                            <div class="button-row">
                                <button
                                    type="button"
                                    class="button button--secondary"
                                    aria-expanded=move || preview.get().to_string()
                                    on:click=move |_| preview.update(|open| *open = !*open)
                                >
                                    {move || tx.t(if preview.get() { Msg::ClosePreview } else { Msg::PreviewButton })}
                                </button>
                            </div>
                            <Show when=move || preview.get()>
                                <PhonePreview content texts />
                            </Show>
                        }
                        .into_any()
                    }
                    Err(_) => view! { <p>{move || tx.t(Msg::ErrServerBody)}</p> }.into_any(),
                },
            }}
        </section>
    }
}

/// The draft being edited, as signals.
#[derive(Clone, Copy)]
pub struct DraftCtx {
    pub setting: StoredValue<String>,
    pub version: u32,
    pub revision: RwSignal<u64>,
    pub content: RwSignal<TemplateContent>,
    pub texts: RwSignal<Vec<TemplateTexts>>,
    pub validity: RwSignal<String>,
    pub dirty: RwSignal<bool>,
    /// The language whose wording is edited.
    pub text_lang: RwSignal<FormLang>,
    pub selected: RwSignal<Option<ItemId>>,
    pub check: RwSignal<Option<TemplateCheck>>,
}

impl DraftCtx {
    /// The text of `key` in `lang` ("" when absent).
    pub fn text(self, lang: FormLang, key: &str) -> String {
        self.texts.with(|bundles| text_in(bundles, lang, key))
    }

    /// Sets (or, when blank, removes) the text of `key` in the edited language.
    fn set_text(self, key: &str, value: String) {
        let lang = self.text_lang.get_untracked();
        self.texts
            .update(|bundles| put_text(bundles, lang, key, value));
        self.dirty.set(true);
    }

    /// Changes the item `id` in the content.
    fn change_item(self, id: &ItemId, change: impl FnOnce(&mut Item)) {
        self.content.update(|content| {
            if let Some(item) = content
                .sections
                .iter_mut()
                .flat_map(|s| s.items.iter_mut())
                .find(|i| &i.id == id)
            {
                change(item);
            }
        });
        self.dirty.set(true);
    }

    fn update_body(self) -> Option<DraftUpdate> {
        Some(DraftUpdate {
            revision: self.revision.get_untracked(),
            content: self.content.get_untracked(),
            texts: self.texts.get_untracked(),
            validity_days: self.validity.get_untracked().trim().parse().ok()?,
        })
    }
}

/// The text of `key` in `lang` among `bundles`, "" when absent.
pub fn text_in(bundles: &[TemplateTexts], lang: FormLang, key: &str) -> String {
    bundles
        .iter()
        .find(|b| b.lang == lang)
        .and_then(|b| b.texts.get(key).cloned())
        .unwrap_or_default()
}

/// Sets `key` in `lang`'s bundle (made when missing); blank text removes the key, so the
/// language falls back to Japanese there.
fn put_text(bundles: &mut Vec<TemplateTexts>, lang: FormLang, key: &str, value: String) {
    let index = match bundles.iter().position(|b| b.lang == lang) {
        Some(index) => index,
        None => {
            bundles.push(TemplateTexts::new(lang));
            bundles.len() - 1
        }
    };
    if value.trim().is_empty() {
        bundles[index].texts.remove(key);
    } else {
        bundles[index].texts.insert(key.to_owned(), value);
    }
}

/// A condition in a line: `convulsion = yes`, `(a = x or b = y)`.
fn condition_summary(condition: &Condition) -> String {
    match condition {
        Condition::Answer { item, equals } => format!("{item} = {equals}"),
        Condition::Any { any } => format!(
            "({})",
            any.iter()
                .map(condition_summary)
                .collect::<Vec<_>>()
                .join(" or ")
        ),
        Condition::All { all } => format!(
            "({})",
            all.iter()
                .map(condition_summary)
                .collect::<Vec<_>>()
                .join(" and ")
        ),
    }
}

fn kind_label(kind: &ItemKind) -> Msg {
    match kind {
        ItemKind::YesNo { .. } => Msg::KindYesNo,
        ItemKind::SingleChoice { .. } => Msg::KindSingle,
        ItemKind::MultipleChoice { .. } => Msg::KindMultiple,
        ItemKind::Number { .. } => Msg::KindNumber,
        ItemKind::Date => Msg::KindDate,
        ItemKind::Text { .. } => Msg::KindText,
        ItemKind::Consent { .. } => Msg::KindConsent,
    }
}

/// The draft: its validity, the wording language, the sections and items with their editors,
/// and the actions.
#[component]
fn DraftEditor(
    /// The draft as loaded.
    view: TemplateVersionView,
    /// The page.
    page: PageCtx,
) -> impl IntoView {
    let tx = use_tx();
    let staff = use_current_staff();
    let content = match serde_json::from_value::<TemplateContent>(view.template.clone()) {
        Ok(content) => content,
        Err(_) => {
            return view! {
                <section class="notice notice--error">
                    <p>{move || tx.t(Msg::ErrServerBody)}</p>
                </section>
            }
            .into_any();
        }
    };
    let draft = DraftCtx {
        setting: StoredValue::new(view.setting.to_string()),
        version: view.version,
        revision: RwSignal::new(view.revision),
        content: RwSignal::new(content),
        texts: RwSignal::new(view.texts.clone()),
        validity: RwSignal::new(view.validity_days.to_string()),
        dirty: RwSignal::new(false),
        text_lang: RwSignal::new(FormLang::Ja),
        selected: RwSignal::new(None),
        check: RwSignal::new(None),
    };
    let working = RwSignal::new(false);
    let preview = RwSignal::new(false);
    let publish_open = RwSignal::new(false);
    let delete_armed = RwSignal::new(false);

    // Saves when there is something to save; then runs `then`.
    let save_then = move |then: Option<Box<dyn FnOnce() + Send + Sync>>| {
        if working.get_untracked() {
            return;
        }
        let code = staff.code();
        let setting = draft.setting.get_value();
        let needs_save = draft.dirty.get_untracked();
        let Some(body) = draft.update_body() else {
            focus_by_id("tpl-validity");
            return;
        };
        working.set(true);
        spawn_local(async move {
            if needs_save {
                match staff.observe(api::update_template_draft(&code, &setting, &body).await) {
                    Ok(saved) => {
                        draft.revision.set(saved.revision);
                        draft.dirty.set(false);
                        page.error.set(None);
                        page.status.set(Some(Msg::DraftSaved));
                    }
                    Err(error) => {
                        working.set(false);
                        page.error.set(Some(error));
                        return;
                    }
                }
            }
            working.set(false);
            // The page may have been left while saving; then there is nothing to go on with.
            if let Some(then) = then
                && !draft.revision.is_disposed()
            {
                then();
            }
        });
    };
    let validate = move || {
        let code = staff.code();
        let setting = draft.setting.get_value();
        working.set(true);
        spawn_local(async move {
            let result = staff.observe(api::validate_template_draft(&code, &setting).await);
            working.set(false);
            match result {
                Ok(check) => {
                    draft.check.set(Some(check));
                    request_animation_frame(|| focus_by_id("tpl-check"));
                }
                Err(error) => page.error.set(Some(error)),
            }
        });
    };
    let publish = move |_| {
        publish_open.set(false);
        save_then(Some(Box::new(move || {
            let code = staff.code();
            let setting = draft.setting.get_value();
            let revision = draft.revision.get_untracked();
            working.set(true);
            spawn_local(async move {
                let result =
                    staff.observe(api::publish_template_draft(&code, &setting, revision).await);
                working.set(false);
                match result {
                    Ok(_) => page.reload_with(Msg::PublishDone),
                    // Refused by the checks: show them item by item.
                    Err(error) if error.kind() == ErrorKind::Invalid => {
                        page.error.set(Some(error));
                        validate();
                    }
                    Err(error) => page.error.set(Some(error)),
                }
            });
        })));
    };
    let delete = move |_| {
        if !delete_armed.get_untracked() {
            delete_armed.set(true);
            return;
        }
        let code = staff.code();
        let setting = draft.setting.get_value();
        let revision = draft.revision.get_untracked();
        working.set(true);
        spawn_local(async move {
            let result = staff.observe(api::delete_template_draft(&code, &setting, revision).await);
            working.set(false);
            match result {
                Ok(()) => page.reload_with(Msg::DraftDeleted),
                Err(error) => page.error.set(Some(error)),
            }
        });
    };
    // The list depends on the structure only (sections and item ids), so editing a text, the
    // required mark or a condition does not rebuild it under the person's cursor.
    let structure = Memo::new(move |_| {
        draft.content.with(|content| {
            content
                .sections
                .iter()
                .map(|s| {
                    (
                        s.id.clone(),
                        s.items.iter().map(|i| i.id.clone()).collect::<Vec<_>>(),
                    )
                })
                .collect::<Vec<_>>()
        })
    });
    let sections = move || {
        structure
            .get()
            .into_iter()
            .map(|(section_id, item_ids)| {
                let title_key = keys::section(&section_id);
                let heading_id = format!("tpl-section-{section_id}");
                let labelled_by = heading_id.clone();
                let input_id = format!("tpl-section-title-{section_id}");
                let items = item_ids
                    .into_iter()
                    .map(|id| view! { <ItemRow draft id /> })
                    .collect_view();
                view! {
                    <section class="card tpl-section" aria-labelledby=labelled_by>
                        <h3 id=heading_id>
                            {move || tx.t(Msg::SectionHeading)} " "
                            <span class="code">{section_id.to_string()}</span>
                        </h3>
                        <TextInput draft id=input_id label=Msg::LabelSectionTitle key=title_key />
                        <ul class="tpl-items">{items}</ul>
                    </section>
                }
            })
            .collect_view()
    };
    view! {
        <section class="tpl-draft" aria-labelledby="draft-title">
            <h2 id="draft-title">
                {move || format!("{}（{}）", tx.t(Msg::DraftOf), version_label(tx.lang(), draft.version))}
            </h2>
            <p>{move || tx.t(Msg::DraftLead)}</p>
            <p class="status-note" role="status">
                {move || draft.dirty.get().then(|| tx.t(Msg::DraftUnsaved))}
            </p>
            <div class="form form--grid">
                <div class="field">
                    <label class="field__label" for="tpl-validity">{move || tx.t(Msg::LabelValidityDays)}</label>
                    <input
                        class="field__input"
                        id="tpl-validity"
                        type="text"
                        inputmode="numeric"
                        prop:value=move || draft.validity.get()
                        on:input:target=move |ev| {
                            draft.validity.set(ev.target().value());
                            draft.dirty.set(true);
                        }
                    />
                </div>
                <div class="field">
                    <label class="field__label" for="tpl-lang">{move || tx.t(Msg::LabelTextLang)}</label>
                    <p class="field__hint" id="tpl-lang-hint">{move || tx.t(Msg::HintTextLang)}</p>
                    <select
                        class="field__input field__input--select"
                        id="tpl-lang"
                        aria-describedby="tpl-lang-hint"
                        on:change:target=move |ev| {
                            if let Some(lang) = FormLang::from_code(&ev.target().value()) {
                                draft.text_lang.set(lang);
                            }
                        }
                    >
                        {FormLang::ALL
                            .into_iter()
                            .map(|lang| view! {
                                <option value=lang.code() lang=lang.code() prop:selected=move || draft.text_lang.get() == lang>
                                    {lang.endonym()}
                                </option>
                            })
                            .collect_view()}
                    </select>
                </div>
            </div>
            <div class="card">
                <TextInput draft id="tpl-title".to_owned() label=Msg::LabelFormTitle key=keys::TITLE.to_owned() />
                <TextInput draft id="tpl-intro".to_owned() label=Msg::LabelIntro key=keys::INTRO.to_owned() area=true />
            </div>
            {sections}
            <div class="button-row tpl-actions">
                <button type="button" class="button button--primary" disabled=move || working.get() on:click=move |_| save_then(None)>
                    {move || tx.t(Msg::SaveDraftButton)}
                </button>
                <button type="button" class="button button--secondary" disabled=move || working.get() on:click=move |_| save_then(Some(Box::new(validate)))>
                    {move || tx.t(Msg::ValidateButton)}
                </button>
                <button type="button" class="button button--secondary" aria-expanded=move || preview.get().to_string() on:click=move |_| preview.update(|open| *open = !*open)>
                    {move || tx.t(if preview.get() { Msg::ClosePreview } else { Msg::PreviewButton })}
                </button>
                <button type="button" class="button button--primary" disabled=move || working.get() on:click=move |_| publish_open.set(true)>
                    {move || tx.t(Msg::PublishButton)}
                </button>
                <button type="button" class="button button--danger" disabled=move || working.get() on:click=delete>
                    {move || tx.t(if delete_armed.get() { Msg::DeleteDraftConfirm } else { Msg::DeleteDraftButton })}
                </button>
            </div>
            <CheckResult draft />
            <Show when=move || preview.get()>
                <PhonePreview content=draft.content texts=draft.texts />
            </Show>
            <Dialog open=publish_open.into() on_close=Callback::new(move |()| publish_open.set(false)) labelled_by="publish-title">
                <h2 id="publish-title">{move || tx.t(Msg::PublishTitle)}</h2>
                <p>{move || format!("{}: {}", tx.t(Msg::ColVersion), version_label(tx.lang(), draft.version))}</p>
                <p>{move || tx.t(Msg::PublishBody)}</p>
                <div class="button-row">
                    <button type="button" class="button button--primary" on:click=publish>
                        {move || tx.t(Msg::PublishButton)}
                    </button>
                    <button type="button" class="button button--secondary" on:click=move |_| publish_open.set(false)>
                        {move || tx.t(Msg::Cancel)}
                    </button>
                </div>
            </Dialog>
        </section>
    }
    .into_any()
}

/// A text of the template in the edited language, as a labelled input.
#[component]
fn TextInput(
    draft: DraftCtx,
    /// The input's id.
    id: String,
    /// What the text is.
    label: Msg,
    /// The text key.
    key: String,
    /// A multi-line field.
    #[prop(optional)]
    area: bool,
) -> impl IntoView {
    let tx = use_tx();
    let placeholder_key = key.clone();
    // What a reader sees where the language lacks the text: the Japanese.
    let placeholder = move || {
        (draft.text_lang.get() != FormLang::Ja).then(|| draft.text(FormLang::Ja, &placeholder_key))
    };
    let label_for = id.clone();
    // Built again only when the edited language changes: while typing, the input is not
    // written back to (which would disturb a Japanese IME's composition).
    let input = move || {
        let lang = draft.text_lang.get();
        let initial = draft
            .texts
            .with_untracked(|bundles| text_in(bundles, lang, &key));
        let key = key.clone();
        let set = move |text: String| draft.set_text(&key, text);
        let placeholder = placeholder.clone();
        if area {
            view! {
                <textarea
                    class="field__input field__input--area"
                    id=id.clone()
                    rows="3"
                    lang=lang.code()
                    placeholder=placeholder
                    prop:value=initial
                    on:input:target=move |ev| set(ev.target().value())
                ></textarea>
            }
            .into_any()
        } else {
            view! {
                <input
                    class="field__input"
                    id=id.clone()
                    type="text"
                    lang=lang.code()
                    placeholder=placeholder
                    prop:value=initial
                    on:input:target=move |ev| set(ev.target().value())
                />
            }
            .into_any()
        }
    };
    view! {
        <div class="field">
            <label class="field__label" for=label_for>{move || tx.t(label)}</label>
            {input}
        </div>
    }
}

/// One item: its id, type, required mark, condition and question, and its editor when chosen.
#[component]
fn ItemRow(draft: DraftCtx, id: ItemId) -> impl IntoView {
    let tx = use_tx();
    let item = {
        let id = id.clone();
        move || draft.content.with(|content| content.item(&id).cloned())
    };
    let Some(initial) = item() else {
        return ().into_any();
    };
    let question_key = keys::item(&id);
    let open = {
        let id = id.clone();
        move || draft.selected.get().as_ref() == Some(&id)
    };
    let toggle = {
        let id = id.clone();
        move |_| {
            let id = id.clone();
            draft.selected.update(|selected| {
                *selected = if selected.as_ref() == Some(&id) {
                    None
                } else {
                    Some(id)
                }
            });
        }
    };
    let summary = {
        let item = item.clone();
        move || {
            item().map(|item| {
                let condition = item
                    .show_when
                    .as_ref()
                    .map(condition_summary)
                    .unwrap_or_else(|| tx.t(Msg::ConditionAlways).to_owned());
                let required = if item.required {
                    tx.t(Msg::ColRequired)
                } else {
                    ""
                };
                let doctor = if item.filled_by == FilledBy::Doctor {
                    tx.t(Msg::DoctorItem)
                } else {
                    ""
                };
                (tx.t(kind_label(&item.kind)), required, doctor, condition)
            })
        }
    };
    let editor_id = format!("tpl-item-{id}");
    let row_id = format!("tpl-row-{id}");
    let id_text = id.to_string();
    view! {
        <li class="tpl-item" id=row_id>
            <div class="tpl-item__head">
                <div>
                    <p class="tpl-item__question">{move || draft.text(draft.text_lang.get(), &question_key)}</p>
                    <p class="tpl-item__meta">
                        <span class="code">{id_text.clone()}</span>
                        {move || summary().map(|(kind, required, doctor, condition)| view! {
                            <span class="tag">{kind}</span>
                            {(!required.is_empty()).then(|| view! { <span class="tag tag--attention">{required}</span> })}
                            {(!doctor.is_empty()).then(|| view! { <span class="tag tag--muted">{doctor}</span> })}
                            <span>{move || tx.t(Msg::ColCondition)} ": " <span class="code">{condition.clone()}</span></span>
                        })}
                    </p>
                </div>
                <button
                    type="button"
                    class="button button--secondary button--small"
                    aria-expanded={
                        let open = open.clone();
                        move || open().to_string()
                    }
                    aria-controls=editor_id.clone()
                    on:click=toggle
                >
                    {
                        let open = open.clone();
                        move || tx.t(if open() { Msg::CloseItem } else { Msg::EditItem })
                    }
                    <span class="visually-hidden">{format!(" {id_text}")}</span>
                </button>
            </div>
            <div id=editor_id>
                <Show when=open.clone()>
                    <ItemEditor draft item=initial.clone() />
                </Show>
            </div>
        </li>
    }
    .into_any()
}

/// The editor of one item: its wording in the edited language, required, and the condition.
#[component]
fn ItemEditor(draft: DraftCtx, item: Item) -> impl IntoView {
    let tx = use_tx();
    let id = item.id.clone();
    let base = format!("tpl-{id}");
    let mut texts: Vec<(String, Msg, String, bool)> = vec![(
        format!("{base}-q"),
        Msg::LabelQuestion,
        keys::item(&id),
        true,
    )];
    match &item.kind {
        ItemKind::YesNo {
            detail_when: Some(_),
            ..
        } => texts.push((
            format!("{base}-detail"),
            Msg::LabelDetailPrompt,
            keys::detail(&id),
            false,
        )),
        ItemKind::SingleChoice { options } | ItemKind::MultipleChoice { options } => {
            for option in options {
                texts.push((
                    format!("{base}-opt-{option}"),
                    Msg::LabelOptionText,
                    keys::option(&id, option),
                    false,
                ));
            }
        }
        ItemKind::Consent { signers } => {
            texts.push((
                format!("{base}-agree"),
                Msg::LabelAgreeText,
                keys::agree(&id),
                false,
            ));
            texts.push((
                format!("{base}-disagree"),
                Msg::LabelDisagreeText,
                keys::disagree(&id),
                false,
            ));
            texts.push((
                format!("{base}-signer"),
                Msg::LabelSignerNameText,
                keys::signer_name(&id),
                false,
            ));
            if signers.contains(&Signer::Proxy) {
                texts.push((
                    format!("{base}-relationship"),
                    Msg::LabelRelationshipText,
                    keys::relationship(&id),
                    false,
                ));
            }
        }
        _ => {}
    }
    let text_fields = texts
        .into_iter()
        .map(|(input_id, label, key, area)| {
            let suffix = key
                .strip_prefix(&format!("option.{id}."))
                .map(|code| format!(" ({code})"));
            view! {
                <div class="tpl-text">
                    <TextInput draft id=input_id label key area />
                    {suffix.map(|s| view! { <p class="field__hint code">{s}</p> })}
                </div>
            }
        })
        .collect_view();
    let required_id = format!("{base}-required");
    let condition_id = format!("{base}-condition");
    let condition_hint = format!("{condition_id}-hint");
    let condition_error = RwSignal::new(false);
    let initial_condition = item
        .show_when
        .as_ref()
        .and_then(|c| serde_json::to_string(c).ok())
        .unwrap_or_default();
    let required = item.required;
    let doctor = item.filled_by == FilledBy::Doctor;
    let set_required = {
        let id = id.clone();
        move |on: bool| draft.change_item(&id, |item| item.required = on)
    };
    let set_condition = {
        let id = id.clone();
        move |text: String| {
            let parsed = if text.trim().is_empty() {
                Ok(None)
            } else {
                serde_json::from_str::<Condition>(&text).map(Some)
            };
            match parsed {
                Ok(condition) => {
                    condition_error.set(false);
                    draft.change_item(&id, |item| item.show_when = condition);
                }
                Err(_) => condition_error.set(true),
            }
        }
    };
    let described = {
        let condition_id = condition_id.clone();
        move || {
            if condition_error.get() {
                format!("{condition_hint} {condition_id}-error")
            } else {
                condition_hint.clone()
            }
        }
    };
    view! {
        <div class="tpl-editor">
            {text_fields}
            <label class="choice">
                <input
                    type="checkbox"
                    id=required_id
                    prop:checked=required
                    on:change:target=move |ev| set_required(ev.target().checked())
                />
                {move || tx.t(Msg::LabelRequiredItem)}
            </label>
            {(!doctor).then(|| {
                let error_id = format!("{condition_id}-error");
                let hint_id = format!("{condition_id}-hint");
                view! {
                    <div class="field" class:field--invalid=move || condition_error.get()>
                        <label class="field__label" for=condition_id.clone()>{move || tx.t(Msg::LabelCondition)}</label>
                        <p class="field__hint" id=hint_id>{move || tx.t(Msg::HintCondition)}</p>
                        <Show when=move || condition_error.get()>
                            <p class="field__error" id=error_id.clone()>
                                {move || tx.t(Msg::ConditionUnreadable)}
                            </p>
                        </Show>
                        <textarea
                            class="field__input field__input--area code"
                            id=condition_id.clone()
                            rows="3"
                            spellcheck="false"
                            aria-invalid=move || condition_error.get().then_some("true")
                            aria-describedby=described.clone()
                            prop:value=initial_condition.clone()
                            on:input:target=move |ev| set_condition(ev.target().value())
                        ></textarea>
                    </div>
                }
            })}
        </div>
    }
}

/// The result of the publish checks: each problem where it is (with the way to its item) in
/// the UI language, and per language the wording that would show in Japanese.
#[component]
fn CheckResult(draft: DraftCtx) -> impl IntoView {
    let tx = use_tx();
    move || {
        draft.check.get().map(|check| {
            let lang = tx.lang();
            let errors = check
                .errors
                .into_iter()
                .map(|error| {
                    let message = match lang {
                        Lang::Ja => error.ja.clone(),
                        Lang::En => error.en.clone(),
                    };
                    let (place, item) = match &error.place {
                        Place::Template => (tx.t(Msg::CheckAtTemplate).to_owned(), None),
                        Place::Section { id } => {
                            (format!("{} {id}", tx.t(Msg::SectionHeading)), None)
                        }
                        Place::Item { id } => (format!("{} {id}", tx.t(Msg::ColItem)), Some(id.clone())),
                    };
                    let open = item.map(|id| {
                        let target = format!("tpl-row-{id}");
                        move |_| {
                            draft.selected.set(Some(id.clone()));
                            let target = target.clone();
                            request_animation_frame(move || focus_by_id(&target));
                        }
                    });
                    view! {
                        <li>
                            <strong>{place}</strong> ": " {message}
                            {open.map(|open| view! {
                                " "
                                <button type="button" class="button button--secondary button--small" on:click=open>
                                    {move || tx.t(Msg::EditItem)}
                                </button>
                            })}
                        </li>
                    }
                })
                .collect_view();
            let missing = check
                .missing_texts
                .into_iter()
                .filter(|(_, keys)| !keys.is_empty())
                .map(|(lang, keys)| {
                    let name = FormLang::from_code(&lang).map_or(lang.clone(), |l| l.endonym().to_owned());
                    view! {
                        <li>
                            <strong>{name}</strong> ": "
                            <span class="code">{keys.join(", ")}</span>
                        </li>
                    }
                })
                .collect_view();
            let (class, verdict) = if check.valid {
                ("notice notice--success", Msg::CheckValid)
            } else {
                ("notice notice--error", Msg::CheckInvalid)
            };
            view! {
                <section class=class id="tpl-check" tabindex="-1" aria-labelledby="tpl-check-title">
                    <h2 class="notice__title" id="tpl-check-title">{move || tx.t(Msg::CheckTitle)}</h2>
                    <p>{move || tx.t(verdict)}</p>
                    <ul class="tpl-errors">{errors}</ul>
                    <h3>{move || tx.t(Msg::MissingTextsTitle)}</h3>
                    <ul class="tpl-missing">{missing}</ul>
                </section>
            }
        })
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]

    use super::*;

    #[test]
    fn conditions_read_in_one_line() {
        let condition: Condition = serde_json::from_str(
            r#"{"any": [{"item": "v", "equals": "bcg"}, {"all": [{"item": "a", "equals": "yes"}, {"item": "b", "equals": "no"}]}]}"#,
        )
        .unwrap();
        assert_eq!(
            condition_summary(&condition),
            "(v = bcg or (a = yes and b = no))"
        );
    }

    #[test]
    fn blank_wording_falls_back_to_japanese() {
        let mut bundles = vec![TemplateTexts::new(FormLang::Ja)];
        put_text(&mut bundles, FormLang::En, "title", "Form".to_owned());
        assert_eq!(text_in(&bundles, FormLang::En, "title"), "Form");
        put_text(&mut bundles, FormLang::En, "title", "  ".to_owned());
        assert_eq!(text_in(&bundles, FormLang::En, "title"), "");
        assert_eq!(bundles.len(), 2);
    }

    #[test]
    fn times_are_shown_in_japan() {
        let at = time::macros::datetime!(2026-03-31 15:05 UTC);
        assert_eq!(japan_time(at), "2026-04-01 00:05");
    }
}
