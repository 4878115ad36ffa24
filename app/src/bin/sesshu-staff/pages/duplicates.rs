use crate::api::{self, StaffError};
use crate::components::{ErrorNotice, ErrorSlot, LiveStatus, PageHeading, RequirePermission};
use crate::session::use_current_staff;
use crate::shell::{EDIT_PERSONS, PERSONS};
use crate::text::{Msg, duty_label, format_pair, sex_label, use_title, use_tx};
use leptos::prelude::*;
use leptos::task::spawn_local;
use sesshu_app::api::encode_path_segment;
use sesshu_app::components::Loading;
use sesshu_domain::staff::StaffPerson;
use sesshu_domain::staff_persons::DuplicatePair;

/// `/admin/duplicates`: pairs with the same kana and birth date but different My Numbers, side
/// by side (stacked on a phone); each person opens, and a pair of different people is marked
/// as checked.
#[component]
pub fn DuplicatesPage() -> impl IntoView {
    use_title(Msg::DuplicatesTitle);
    view! {
        <RequirePermission any=PERSONS probe="duplicates">
            <Duplicates />
        </RequirePermission>
    }
}

#[component]
fn Duplicates() -> impl IntoView {
    let tx = use_tx();
    let staff = use_current_staff();
    let version = RwSignal::new(0u32);
    let pairs = LocalResource::new(move || {
        version.track();
        let code = staff.code();
        async move { staff.observe(api::duplicates(&code).await) }
    });
    let status = RwSignal::new(None::<Msg>);
    view! {
        <PageHeading msg=Msg::DuplicatesTitle />
        <p class="lead">{move || tx.t(Msg::DuplicatesLead)}</p>
        <LiveStatus message=status />
        {move || match pairs.get() {
            None => view! { <Loading /> }.into_any(),
            Some(Err(error)) => view! { <ErrorNotice error /> }.into_any(),
            Some(Ok(list)) if list.is_empty() => {
                view! { <p>{move || tx.t(Msg::NoDuplicates)}</p> }.into_any()
            }
            Some(Ok(list)) => view! {
                <ul class="card-list">
                    {list
                        .into_iter()
                        .enumerate()
                        .map(|(index, pair)| view! { <Pair index pair status version /> })
                        .collect_view()}
                </ul>
            }
            .into_any(),
        }}
    }
}

/// One pair, its two people side by side, and the "different people" button for editors.
#[component]
fn Pair(
    /// Its position in the list, for ids.
    index: usize,
    /// The two people.
    pair: DuplicatePair,
    /// The page's status line.
    status: RwSignal<Option<Msg>>,
    /// Bumped to reload the list.
    version: RwSignal<u32>,
) -> impl IntoView {
    let tx = use_tx();
    let staff = use_current_staff();
    let pending = RwSignal::new(false);
    let error = RwSignal::new(None::<StaffError>);
    let first = pair.first.subject_no.clone();
    let second = pair.second.subject_no.clone();
    let title_id = format!("pair-{index}-title");
    let dismiss = move |_| {
        if pending.get_untracked() {
            return;
        }
        pending.set(true);
        error.set(None);
        let (first, second) = (first.clone(), second.clone());
        spawn_local(async move {
            let result =
                staff.observe(api::dismiss_duplicate(&staff.code(), &first, &second).await);
            pending.set(false);
            match result {
                Ok(()) => {
                    status.set(Some(Msg::Dismissed));
                    version.update(|n| *n += 1);
                }
                Err(failure) => error.set(Some(failure)),
            }
        });
    };
    let number = index + 1;
    view! {
        <li class="card">
            <h2 class="card__title" id=title_id>
                {move || format_pair(tx.lang(), number)}
            </h2>
            <div class="pair">
                <PersonCard heading=Msg::FirstPerson person=pair.first />
                <PersonCard heading=Msg::SecondPerson person=pair.second />
            </div>
            <ErrorSlot error />
            <Show when=move || staff.has_any(EDIT_PERSONS)>
                <div class="button-row">
                    <button
                        type="button"
                        class="button button--secondary"
                        disabled=move || pending.get()
                        on:click=dismiss.clone()
                    >
                        {move || tx.t(if pending.get() { Msg::Working } else { Msg::Dismiss })}
                        <span class="visually-hidden">{move || format!(" {}", format_pair(tx.lang(), number))}</span>
                    </button>
                </div>
            </Show>
        </li>
    }
}

/// One person of a pair, as facts, with a link to their page.
#[component]
fn PersonCard(
    /// "First" or "second".
    heading: Msg,
    /// The person (My Number masked).
    person: StaffPerson,
) -> impl IntoView {
    let tx = use_tx();
    let StaffPerson {
        subject_no,
        name,
        name_kana,
        birth_date,
        sex,
        address,
        guardian_name,
        municipal_business_id,
        duties,
        ..
    } = person;
    let href = format!("/admin/persons/{}", encode_path_segment(&subject_no));
    let row = |label: Msg, value: String| {
        view! {
            <div class="facts__row">
                <dt>{move || tx.t(label)}</dt>
                <dd>{value}</dd>
            </div>
        }
    };
    let link_name = name.clone();
    view! {
        <section class="pair__person">
            <h3>{move || tx.t(heading)}</h3>
            <dl class="facts">
                {row(Msg::LabelSubjectNo, subject_no.clone())}
                {row(Msg::LabelName, name)}
                {row(Msg::LabelNameKana, name_kana)}
                {row(Msg::LabelBirthDate, birth_date)}
                <div class="facts__row">
                    <dt>{move || tx.t(Msg::LabelSex)}</dt>
                    <dd>{move || sex_label(tx.lang(), &sex)}</dd>
                </div>
                {row(Msg::LabelAddress, address)}
                <div class="facts__row">
                    <dt>{move || tx.t(Msg::LabelGuardian)}</dt>
                    <dd>{move || guardian_name.clone().unwrap_or_else(|| tx.t(Msg::Blank).to_owned())}</dd>
                </div>
                {row(Msg::LabelBusinessId, municipal_business_id)}
                <div class="facts__row">
                    <dt>{move || tx.t(Msg::LabelDuties)}</dt>
                    <dd>
                        {move || {
                            let lang = tx.lang();
                            duties.iter().map(|d| duty_label(lang, *d)).collect::<Vec<_>>().join(" / ")
                        }}
                    </dd>
                </div>
            </dl>
            <p>
                <a href=href>
                    {move || tx.t(Msg::OpenPerson)}
                    <span class="visually-hidden">{format!(" {link_name}")}</span>
                </a>
            </p>
        </section>
    }
}
