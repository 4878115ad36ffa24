use crate::api::FetchError;
use crate::components::{ErrorPanel, Loading, LoginLink};
use crate::i18n::{Lang, Msg, use_i18n, use_page_title};
use crate::session::use_session;
use leptos::prelude::*;
use sesshu_domain::dto::ResidentSession;

/// `/`: a welcome with the way to the records when logged in; otherwise what this service is
/// and the login button.
#[component]
pub fn HomePage() -> impl IntoView {
    use_page_title(Msg::ServiceName);
    let session = use_session();
    move || match session.state() {
        None => view! { <Loading /> }.into_any(),
        Some(Ok(session)) => view! { <Welcome session /> }.into_any(),
        Some(Err(FetchError::Unauthenticated)) => view! { <Intro /> }.into_any(),
        // The service can still be explained when the session check failed for another reason.
        Some(Err(error)) => view! {
            <Intro />
            <ErrorPanel error />
        }
        .into_any(),
    }
}

/// What the service is, and the login button (for someone not logged in).
#[component]
fn Intro() -> impl IntoView {
    let i18n = use_i18n();
    view! {
        <h1>{move || i18n.t(Msg::ServiceName)}</h1>
        <p class="lead">{move || i18n.t(Msg::HomeIntro)}</p>
        <p>{move || i18n.t(Msg::HomeHowTo)}</p>
        <div class="actions">
            <LoginLink />
        </div>
    }
}

/// The logged-in resident's start: where their records come from, and the way to them.
#[component]
fn Welcome(
    /// The resident's session.
    session: ResidentSession,
) -> impl IntoView {
    let i18n = use_i18n();
    let municipalities = move || {
        let lang = i18n.lang();
        session
            .municipalities
            .iter()
            .map(|m| match lang {
                Lang::Ja => m.name_ja.clone(),
                Lang::En => m.name_en.clone(),
            })
            .collect::<Vec<_>>()
            .join(if lang == Lang::Ja { "、" } else { ", " })
    };
    view! {
        <h1>{move || i18n.t(Msg::WelcomeTitle)}</h1>
        <p class="lead">{move || i18n.t(Msg::WelcomeBody)}</p>
        <dl class="facts">
            <div class="facts__row">
                <dt>{move || i18n.t(Msg::RecordsHeldBy)}</dt>
                <dd>{municipalities}</dd>
            </div>
        </dl>
        <div class="actions">
            <a class="button button--primary button--block" href="/records">
                {move || i18n.t(Msg::ViewRecords)}
            </a>
        </div>
    }
}
