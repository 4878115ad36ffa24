use crate::components::PageHeading;
use crate::session::{allows, use_current_staff};
use crate::shell::ADMIN_PAGES;
use crate::text::{Msg, duty_label, use_title, use_tx};
use leptos::prelude::*;
use sesshu_domain::staff::StaffSession;

/// `/admin`: who is logged in, and the pages their role opens, each with what it is for.
#[component]
pub fn AdminHomePage() -> impl IntoView {
    use_title(Msg::AdminHomeTitle);
    let tx = use_tx();
    let staff = use_current_staff();
    view! {
        <PageHeading msg=Msg::AdminHomeTitle />
        {move || staff.session().map(|session| {
            let tasks: Vec<_> = ADMIN_PAGES
                .iter()
                .filter(|(_, _, needs)| allows(&session, needs))
                .map(|(href, msg, _)| (*href, *msg, description(*msg)))
                .collect();
            view! {
                <Who session />
                <section aria-labelledby="home-tasks">
                    <h2 id="home-tasks">{move || tx.t(Msg::HomeTasks)}</h2>
                    <ul class="task-list">
                        {tasks
                            .into_iter()
                            .map(|(href, title, description)| view! {
                                <li class="task-list__item">
                                    <a class="task-card" href=href>
                                        <span class="task-card__title">{move || tx.t(title)}</span>
                                        <span class="task-card__desc">{move || tx.t(description)}</span>
                                    </a>
                                </li>
                            })
                            .collect_view()}
                    </ul>
                </section>
            }
        })}
    }
}

/// `/clinic`: who is logged in; the clinic's work pages come later.
#[component]
pub fn ClinicHomePage() -> impl IntoView {
    use_title(Msg::ClinicHomeTitle);
    let tx = use_tx();
    let staff = use_current_staff();
    view! {
        <PageHeading msg=Msg::ClinicHomeTitle />
        {move || staff.session().map(|session| view! { <Who session /> })}
        <p>{move || tx.t(Msg::ClinicComing)}</p>
    }
}

/// What each admin page is for, on the home page.
fn description(page: Msg) -> Msg {
    match page {
        Msg::NavUsers => Msg::HomeUsersDesc,
        Msg::NavRequests => Msg::HomeRequestsDesc,
        Msg::NavRoles => Msg::HomeRolesDesc,
        Msg::NavAudit => Msg::HomeAuditDesc,
        Msg::NavAlerts => Msg::HomeAlertsDesc,
        Msg::NavPersons => Msg::HomePersonsDesc,
        Msg::NavImports => Msg::HomeImportsDesc,
        Msg::NavDuplicates => Msg::HomeDuplicatesDesc,
        Msg::NavPmh => Msg::HomePmhDesc,
        Msg::NavExports => Msg::HomeExportsDesc,
        Msg::NavTemplates => Msg::HomeTemplatesDesc,
        Msg::NavWorklist => Msg::HomeWorklistDesc,
        Msg::NavRecoRules => Msg::HomeRecoRulesDesc,
        _ => Msg::HomeReviewDesc,
    }
}

/// The logged-in user as a card: name, institution, role, municipality, duties, My Number right.
#[component]
fn Who(
    /// The session.
    session: StaffSession,
) -> impl IntoView {
    let tx = use_tx();
    let StaffSession {
        name,
        municipality,
        institution_name,
        role_name_ja,
        role_name_en,
        duties,
        can_view_my_number,
        ..
    } = session;
    let has_duties = !duties.is_empty();
    view! {
        <p class="lead">{move || tx.t(Msg::HomeWelcome)}</p>
        <section class="card" aria-labelledby="home-who">
            <h2 id="home-who">{move || tx.t(Msg::LoggedInAs)}</h2>
            <dl class="facts">
                <div class="facts__row">
                    <dt>{move || tx.t(Msg::LabelName)}</dt>
                    <dd>{name}</dd>
                </div>
                <div class="facts__row">
                    <dt>{move || tx.t(Msg::LabelInstitution)}</dt>
                    <dd>{institution_name}</dd>
                </div>
                <div class="facts__row">
                    <dt>{move || tx.t(Msg::LabelRole)}</dt>
                    <dd>{move || tx.pick(&role_name_ja, &role_name_en).to_owned()}</dd>
                </div>
                <div class="facts__row">
                    <dt>{move || tx.t(Msg::LabelMunicipality)}</dt>
                    <dd>{move || tx.pick(&municipality.name_ja, &municipality.name_en).to_owned()}</dd>
                </div>
                {has_duties.then(|| view! {
                    <div class="facts__row">
                        <dt>{move || tx.t(Msg::LabelDuties)}</dt>
                        <dd>
                            {move || {
                                let lang = tx.lang();
                                duties.iter().map(|d| duty_label(lang, *d)).collect::<Vec<_>>().join(" / ")
                            }}
                        </dd>
                    </div>
                })}
                <div class="facts__row">
                    <dt>{move || tx.t(Msg::LabelMyNumberRight)}</dt>
                    <dd>{move || tx.t(if can_view_my_number { Msg::Yes } else { Msg::No })}</dd>
                </div>
            </dl>
        </section>
    }
}
