//! Notices (接種勧奨) as a list of disclosures: the title with "未読" in words while unread,
//! whose notice it is and when it was sent; opening one shows its text and marks it read on
//! the server.

use leptos::prelude::*;
use leptos::task::spawn_local;
use sesshu_app::components::Loading;
use sesshu_app::i18n::format_date;
use sesshu_domain::schedule_api::ResidentNotice;

use crate::api::{self, FormsError};
use crate::components::ErrorNotice;
use crate::text::{Msg, unread_count, use_tx};

/// A notice with whose it is: the person's handle (for marking it read) and, on the page of
/// everyone's notices, their name.
#[derive(Debug, Clone)]
pub struct PersonNotice {
    pub handle: String,
    pub name: Option<String>,
    pub notice: ResidentNotice,
}

/// Notices newest first across persons (the API sorts each person's list; this merges them).
pub fn newest_first(mut notices: Vec<PersonNotice>) -> Vec<PersonNotice> {
    notices.sort_by(|a, b| {
        b.notice
            .created_at
            .cmp(&a.notice.created_at)
            .then_with(|| a.notice.id.cmp(&b.notice.id))
    });
    notices
}

/// The section "お知らせ" on one person's page.
#[component]
pub fn PersonNotices(
    /// The person's session handle.
    handle: String,
) -> impl IntoView {
    let tx = use_tx();
    let list = LocalResource::new(move || {
        let handle = handle.clone();
        async move {
            api::notices(&handle).await.map(|list| {
                list.notices
                    .into_iter()
                    .map(|notice| PersonNotice {
                        handle: handle.clone(),
                        name: None,
                        notice,
                    })
                    .collect::<Vec<_>>()
            })
        }
    });
    view! {
        <section class="qn-block" aria-labelledby="notices-title">
            <h2 id="notices-title">{move || tx.t(Msg::NoticesTitle)}</h2>
            {move || match list.get() {
                None => view! { <Loading /> }.into_any(),
                Some(Err(error)) => view! { <ErrorNotice error /> }.into_any(),
                Some(Ok(notices)) => view! { <NoticeList notices /> }.into_any(),
            }}
        </section>
    }
}

/// The notices with the unread count above them, or a sentence when there are none.
#[component]
pub fn NoticeList(
    /// Newest first.
    notices: Vec<PersonNotice>,
) -> impl IntoView {
    let tx = use_tx();
    if notices.is_empty() {
        return view! { <p>{move || tx.t(Msg::NoNotices)}</p> }.into_any();
    }
    let items: Vec<(PersonNotice, RwSignal<bool>)> = notices
        .into_iter()
        .map(|n| {
            let read = RwSignal::new(n.notice.read);
            (n, read)
        })
        .collect();
    let flags: Vec<RwSignal<bool>> = items.iter().map(|(_, read)| *read).collect();
    let unread = move || flags.iter().filter(|read| !read.get()).count();
    view! {
        <p class="notice-count" role="status">{move || unread_count(tx.lang(), unread())}</p>
        <ul class="notice-list">
            {items.into_iter().map(|(item, read)| view! { <NoticeCard item read /> }).collect_view()}
        </ul>
    }
    .into_any()
}

/// One notice: a button that opens its text (and marks it read), and what it is about.
#[component]
fn NoticeCard(
    /// The notice and whose it is.
    item: PersonNotice,
    /// Whether it is read; set once the server has marked it.
    read: RwSignal<bool>,
) -> impl IntoView {
    let tx = use_tx();
    let open = RwSignal::new(false);
    let failure = RwSignal::new(None::<FormsError>);
    let PersonNotice {
        handle,
        name,
        notice,
    } = item;
    let ResidentNotice {
        id,
        municipality,
        recommended_on,
        title_ja,
        body_ja,
        title_en,
        body_en,
        ..
    } = notice;
    // Ids are `<municipality>-<notice id>` (no characters that need escaping in an id).
    let body_id = format!("notice-{id}");
    let toggle = move |_| {
        let opening = !open.get_untracked();
        open.set(opening);
        if !opening || read.get_untracked() {
            return;
        }
        failure.set(None);
        let (handle, id) = (handle.clone(), id.clone());
        spawn_local(async move {
            match api::mark_read(&handle, &id).await {
                Ok(()) => read.set(true),
                Err(error) => failure.set(Some(error)),
            }
        });
    };
    view! {
        <li class="card notice-card" class:notice-card--unread=move || !read.get()>
            <h3 class="notice-card__heading">
                <button
                    type="button"
                    class="notice-card__toggle"
                    aria-expanded=move || open.get().to_string()
                    aria-controls=body_id.clone()
                    on:click=toggle
                >
                    <Show when=move || !read.get()>
                        <span class="tag tag--unread">{move || tx.t(Msg::Unread)}</span>
                        " "
                    </Show>
                    <span class="notice-card__title">{move || tx.pick(&title_ja, &title_en).to_owned()}</span>
                </button>
            </h3>
            <p class="notice-card__meta">
                {name.map(|name| view! {
                    <span>{move || tx.t(Msg::LabelNoticeFor)} " " {name}</span>
                })}
                <span>{move || tx.t(Msg::LabelSentOn)} " " {move || format_date(tx.lang(), recommended_on)}</span>
                <span>{move || tx.pick(&municipality.name_ja, &municipality.name_en).to_owned()}</span>
            </p>
            <div class="notice-card__body" id=body_id hidden=move || !open.get()>
                <p>{move || tx.pick(&body_ja, &body_en).to_owned()}</p>
                {move || failure.get().map(|_| view! {
                    <p class="notice-card__failure" role="alert">{move || tx.t(Msg::MarkReadFailed)}</p>
                })}
            </div>
        </li>
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]

    use super::*;
    use sesshu_domain::dto::MunicipalityRef;
    use time::macros::{date, datetime};

    fn notice(id: &str, at: time::OffsetDateTime) -> PersonNotice {
        PersonNotice {
            handle: "h".to_owned(),
            name: None,
            notice: ResidentNotice {
                id: id.to_owned(),
                municipality: MunicipalityRef {
                    code: "131016".to_owned(),
                    name_ja: "千代田区".to_owned(),
                    name_en: "Chiyoda".to_owned(),
                },
                recommended_on: date!(2026 - 04 - 01),
                created_at: at,
                title_ja: "t".to_owned(),
                body_ja: "b".to_owned(),
                title_en: "t".to_owned(),
                body_en: "b".to_owned(),
                read: false,
            },
        }
    }

    #[test]
    fn notices_of_several_persons_are_merged_newest_first() {
        let merged = newest_first(vec![
            notice("a", datetime!(2026-04-01 0:00 UTC)),
            notice("b", datetime!(2026-05-01 0:00 UTC)),
            notice("c", datetime!(2026-04-15 0:00 UTC)),
        ]);
        let ids: Vec<_> = merged.iter().map(|n| n.notice.id.as_str()).collect();
        assert_eq!(ids, ["b", "c", "a"]);
    }
}
