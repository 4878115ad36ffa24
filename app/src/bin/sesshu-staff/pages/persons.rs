use crate::api::{self, StaffError};
use crate::components::{
    ErrorSlot, FieldErrors, PageHeading, RequirePermission, TextField, field_error, focus_by_id,
    focus_first_error,
};
use crate::pages::person_form::PersonFormState;
use crate::session::use_current_staff;
use crate::shell::{EDIT_PERSONS, PERSONS};
use crate::text::{Msg, format_results, pmh_label, pmh_tag, sex_label, use_title, use_tx};
use leptos::ev::SubmitEvent;
use leptos::prelude::*;
use leptos::task::spawn_local;
use sesshu_app::api::encode_path_segment;
use sesshu_app::components::Loading;
use sesshu_domain::person::ControlFlags;
use sesshu_domain::person_input::PersonField;
use sesshu_domain::staff_persons::{PersonListItem, PersonSearch};

/// `/admin/persons`: finds people by subject number, 自治体業務ID, My Number (for those who
/// may) or kana and/or birth date, a page at a time; each opens its detail. Also the way to
/// register someone new.
#[component]
pub fn PersonsPage() -> impl IntoView {
    use_title(Msg::PersonsTitle);
    view! {
        <RequirePermission any=PERSONS>
            <Persons />
        </RequirePermission>
    }
}

/// What was searched and how far the pages went.
#[derive(Debug, Clone, Default, PartialEq)]
struct Shown {
    items: Vec<PersonListItem>,
    /// 1 for the first page.
    page: u32,
    next: Option<String>,
}

/// The search with only the filled-in fields, trimmed; `None` when nothing is filled in.
fn search_of(fields: [(&str, String); 5]) -> Option<PersonSearch> {
    let given = |value: &str| Some(value.trim().to_owned()).filter(|v| !v.is_empty());
    let [subject, business, my_number, kana, birth] = fields.map(|(_, value)| given(&value));
    let search = PersonSearch {
        subject_no: subject,
        municipal_business_id: business,
        my_number,
        name_kana: kana,
        birth_date: birth,
        cursor: None,
    };
    (search != PersonSearch::default()).then_some(search)
}

#[component]
fn Persons() -> impl IntoView {
    let tx = use_tx();
    let staff = use_current_staff();
    let subject = RwSignal::new(String::new());
    let business = RwSignal::new(String::new());
    let my_number = RwSignal::new(String::new());
    let kana = RwSignal::new(String::new());
    let birth = RwSignal::new(String::new());
    let errors: FieldErrors = RwSignal::new(Vec::new());
    // The server's field errors (e.g. a kana with letters), shown at the field.
    let field_state = PersonFormState::new(&Default::default());
    let applied = RwSignal::new(None::<PersonSearch>);
    let shown = RwSignal::new(None::<Shown>);
    let loading = RwSignal::new(false);
    let error = RwSignal::new(None::<StaffError>);

    // Paging replaces the list and its buttons: focus then goes to the results' heading, so
    // keyboard and screen-reader users continue there rather than at the top of the page.
    let fetch = move |search: PersonSearch, page: u32, paging: bool| {
        loading.set(true);
        error.set(None);
        field_state.clear_errors();
        spawn_local(async move {
            let result = staff.observe(api::search_persons(&staff.code(), &search).await);
            loading.set(false);
            match result {
                Ok(found) => {
                    shown.set(Some(Shown {
                        items: found.items,
                        page,
                        next: found.next,
                    }));
                    if paging {
                        request_animation_frame(|| focus_by_id("results-title"));
                    }
                }
                Err(failure) => {
                    field_state.show_failure(&failure);
                    error.set(Some(failure));
                }
            }
        });
    };
    let search = move |ev: SubmitEvent| {
        ev.prevent_default();
        let may_my_number = staff.may_view_my_number();
        let Some(query) = search_of([
            ("subject", subject.get_untracked()),
            ("business", business.get_untracked()),
            (
                "my_number",
                if may_my_number {
                    my_number.get_untracked()
                } else {
                    String::new()
                },
            ),
            ("kana", kana.get_untracked()),
            ("birth", birth.get_untracked()),
        ]) else {
            let list = vec![("search-subject", Msg::SearchNeedsOne)];
            focus_first_error(&list);
            errors.set(list);
            return;
        };
        errors.set(Vec::new());
        applied.set(Some(query.clone()));
        fetch(query, 1, false);
    };
    let next_page = move |_| {
        let (Some(query), Some(current)) = (applied.get_untracked(), shown.get_untracked()) else {
            return;
        };
        if let Some(cursor) = current.next {
            fetch(
                PersonSearch {
                    cursor: Some(cursor),
                    ..query
                },
                current.page + 1,
                true,
            );
        }
    };
    let first_page = move |_| {
        if let Some(query) = applied.get_untracked() {
            fetch(query, 1, true);
        }
    };

    view! {
        <PageHeading msg=Msg::PersonsTitle />
        <p class="lead">{move || tx.t(Msg::PersonsLead)}</p>
        <Show when=move || staff.has_any(EDIT_PERSONS)>
            <p>
                <a class="button button--secondary" href="/admin/persons/new">
                    {move || tx.t(Msg::NewPersonButton)}
                </a>
            </p>
        </Show>
        <section class="card" aria-labelledby="search-title">
            <h2 id="search-title">{move || tx.t(Msg::SearchTitle)}</h2>
            <form class="form form--grid" novalidate on:submit=search>
                <TextField
                    id="search-subject"
                    label=Msg::LabelSubjectNo
                    value=subject
                    inputmode="numeric"
                    autocomplete="off"
                    hint=Msg::HintSubjectNo
                    error=field_error(errors, "search-subject")
                />
                <TextField
                    id="person-business-id"
                    label=Msg::LabelBusinessId
                    value=business
                    autocomplete="off"
                    error_text=field_state.error(PersonField::MunicipalBusinessId)
                />
                <Show when=move || staff.may_view_my_number()>
                    <TextField
                        id="person-my-number"
                        label=Msg::LabelMyNumber
                        value=my_number
                        inputmode="numeric"
                        autocomplete="off"
                        hint=Msg::HintMyNumberSearch
                        error_text=field_state.error(PersonField::MyNumber)
                    />
                </Show>
                <TextField
                    id="person-name-kana"
                    label=Msg::LabelNameKana
                    value=kana
                    autocomplete="off"
                    hint=Msg::HintNameKana
                    error_text=field_state.error(PersonField::NameKana)
                />
                <TextField
                    id="person-birth-date"
                    label=Msg::LabelBirthDate
                    value=birth
                    autocomplete="off"
                    hint=Msg::HintBirthDate
                    error_text=field_state.error(PersonField::BirthDate)
                />
                <div class="button-row form__wide">
                    <button type="submit" class="button button--primary" disabled=move || loading.get()>
                        {move || tx.t(if loading.get() { Msg::Working } else { Msg::Search })}
                    </button>
                </div>
            </form>
        </section>
        <ErrorSlot error />
        <section aria-labelledby="results-title">
            <h2 id="results-title" tabindex="-1">{move || tx.t(Msg::ResultsTitle)}</h2>
            {move || match shown.get() {
                None if loading.get() => view! { <Loading /> }.into_any(),
                None => ().into_any(),
                Some(Shown { items, .. }) if items.is_empty() => {
                    view! { <p role="status">{move || tx.t(Msg::NoResults)}</p> }.into_any()
                }
                Some(Shown { items, page, next }) => {
                    let count = items.len();
                    let more = next.is_some();
                    view! {
                        <p class="table-count" role="status">
                            {move || format_results(tx.lang(), page, count)}
                        </p>
                        <ResultTable items />
                        <div class="button-row">
                            {(page > 1).then(|| view! {
                                <button type="button" class="button button--secondary" disabled=move || loading.get() on:click=first_page>
                                    {move || tx.t(Msg::FirstPage)}
                                </button>
                            })}
                            {more.then(|| view! {
                                <button type="button" class="button button--secondary" disabled=move || loading.get() on:click=next_page>
                                    {move || tx.t(if loading.get() { Msg::Loading } else { Msg::NextPage })}
                                </button>
                            })}
                        </div>
                    }
                    .into_any()
                }
            }}
        </section>
    }
}

/// The results as a table; the name links to the detail.
#[component]
fn ResultTable(
    /// The people of this page.
    items: Vec<PersonListItem>,
) -> impl IntoView {
    let tx = use_tx();
    let rows = items
        .into_iter()
        .map(|item| {
            let PersonListItem {
                subject_no,
                name,
                name_kana,
                birth_date,
                sex,
                municipal_business_id,
                pmh,
                control_flags,
            } = item;
            let href = format!("/admin/persons/{}", encode_path_segment(&subject_no));
            view! {
                <tr>
                    <th scope="row">
                        <a class="cell-main" href=href>{name}</a>
                        <span class="cell-sub code">{subject_no}</span>
                    </th>
                    <td>{name_kana}</td>
                    <td class="nowrap">{birth_date}</td>
                    <td>{move || sex_label(tx.lang(), &sex)}</td>
                    <td class="code">{municipal_business_id}</td>
                    <td>
                        <span class=pmh_tag(pmh)>{move || pmh_label(tx.lang(), pmh)}</span>
                    </td>
                    <td><FlagTags flags=control_flags /></td>
                </tr>
            }
        })
        .collect_view();
    view! {
        <div class="table-wrap" role="region" aria-labelledby="results-caption" tabindex="0">
            <table class="table">
                <caption id="results-caption">{move || tx.t(Msg::ResultsTitle)}</caption>
                <thead>
                    <tr>
                        <th scope="col">{move || tx.t(Msg::LabelName)}</th>
                        <th scope="col">{move || tx.t(Msg::LabelNameKana)}</th>
                        <th scope="col">{move || tx.t(Msg::LabelBirthDate)}</th>
                        <th scope="col">{move || tx.t(Msg::LabelSex)}</th>
                        <th scope="col">{move || tx.t(Msg::LabelBusinessId)}</th>
                        <th scope="col">{move || tx.t(Msg::ColPmh)}</th>
                        <th scope="col">{move || tx.t(Msg::LabelControlFlags)}</th>
                    </tr>
                </thead>
                <tbody>{rows}</tbody>
            </table>
        </div>
    }
}

/// The flags that are set, as tags ("none" when none is): those hiding the person from the
/// resident stand out.
#[component]
pub fn FlagTags(
    /// The person's flags.
    flags: ControlFlags,
) -> impl IntoView {
    let tx = use_tx();
    let set: Vec<(Msg, &'static str)> = [
        (
            flags.non_disclosure,
            Msg::FlagNonDisclosure,
            "tag tag--attention",
        ),
        (
            flags.viewing_suspended,
            Msg::FlagViewingSuspended,
            "tag tag--attention",
        ),
        (flags.recovery, Msg::FlagRecovery, "tag tag--muted"),
    ]
    .into_iter()
    .filter(|(on, _, _)| *on)
    .map(|(_, msg, class)| (msg, class))
    .collect();
    if set.is_empty() {
        return view! { <span>{move || tx.t(Msg::NoFlags)}</span> }.into_any();
    }
    view! {
        <ul class="tag-list tag-list--inline">
            {set
                .into_iter()
                .map(|(msg, class)| view! { <li class=class>{move || tx.t(msg)}</li> })
                .collect_view()}
        </ul>
    }
    .into_any()
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]

    use super::*;

    fn fields(values: [&str; 5]) -> [(&'static str, String); 5] {
        let names = ["subject", "business", "my_number", "kana", "birth"];
        let mut out = names.map(|n| (n, String::new()));
        for (slot, value) in out.iter_mut().zip(values) {
            slot.1 = value.to_owned();
        }
        out
    }

    #[test]
    fn a_search_needs_at_least_one_filled_field() {
        assert_eq!(search_of(fields(["", " ", "", "", ""])), None);
    }

    #[test]
    fn a_search_sends_only_the_filled_fields_trimmed() {
        let search = search_of(fields(["", "", "", " チヨダ ", "2023-05-15"])).unwrap();
        assert_eq!(search.name_kana.as_deref(), Some("チヨダ"));
        assert_eq!(search.birth_date.as_deref(), Some("2023-05-15"));
        assert_eq!(search.subject_no, None);
        assert_eq!(search.cursor, None);
    }
}
