use crate::api;
use crate::components::{ErrorNotice, PageHeading, RequirePermission};
use crate::session::use_current_staff;
use crate::shell::TEMPLATES;
use crate::text::{Msg, use_title, use_tx};
use leptos::prelude::*;
use sesshu_app::api::encode_path_segment;
use sesshu_app::components::Loading;
use sesshu_domain::questionnaire_api::TemplateSetting;

/// `/admin/templates/{setting}`: one setting's versions and draft.
pub fn template_href(setting: &str) -> String {
    format!("/admin/templates/{}", encode_path_segment(setting))
}

/// `/admin/templates`: every vaccination setting's questionnaire, the version residents use,
/// and whether a draft is being edited.
#[component]
pub fn TemplatesPage() -> impl IntoView {
    use_title(Msg::TemplatesTitle);
    view! {
        <RequirePermission any=TEMPLATES probe="questionnaire-templates">
            <Templates />
        </RequirePermission>
    }
}

#[component]
fn Templates() -> impl IntoView {
    let tx = use_tx();
    let staff = use_current_staff();
    let settings = LocalResource::new(move || {
        let code = staff.code();
        async move { staff.observe(api::template_settings(&code).await) }
    });
    view! {
        <PageHeading msg=Msg::TemplatesTitle />
        <p class="lead">{move || tx.t(Msg::TemplatesLead)}</p>
        {move || match settings.get() {
            None => view! { <Loading /> }.into_any(),
            Some(Err(error)) => view! { <ErrorNotice error /> }.into_any(),
            Some(Ok(list)) => view! {
                <div class="table-wrap">
                    <table class="table">
                        <thead>
                            <tr>
                                <th scope="col">{move || tx.t(Msg::ColSetting)}</th>
                                <th scope="col">{move || tx.t(Msg::ColCurrent)}</th>
                                <th scope="col">{move || tx.t(Msg::ColDraft)}</th>
                            </tr>
                        </thead>
                        <tbody>
                            {list.settings.into_iter().map(|setting| view! { <SettingRow setting /> }).collect_view()}
                        </tbody>
                    </table>
                </div>
            }
            .into_any(),
        }}
    }
}

/// One setting: its title as a link, the version in use, the draft's version if any.
#[component]
fn SettingRow(
    /// The setting.
    setting: TemplateSetting,
) -> impl IntoView {
    let tx = use_tx();
    let href = template_href(setting.setting.as_str());
    let draft = setting.draft.as_ref().map(|d| d.version);
    view! {
        <tr>
            <th scope="row">
                <a href=href>{setting.title_ja.clone()}</a>
                <span class="cell-sub code">{setting.setting.to_string()}</span>
            </th>
            <td>{move || version_label(tx.lang(), setting.current_version)}</td>
            <td>
                {move || match draft {
                    Some(version) => version_label(tx.lang(), version),
                    None => tx.t(Msg::NoDraft).to_owned(),
                }}
            </td>
        </tr>
    }
}

/// `第2版` / `version 2`.
pub fn version_label(lang: sesshu_app::i18n::Lang, version: u32) -> String {
    match lang {
        sesshu_app::i18n::Lang::Ja => format!("第{version}版"),
        sesshu_app::i18n::Lang::En => format!("version {version}"),
    }
}
