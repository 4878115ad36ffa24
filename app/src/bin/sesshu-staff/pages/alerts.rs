use crate::api::{self, StaffError};
use crate::components::{DateTime, ErrorNotice, ErrorSlot, PageHeading, RequirePermission};
use crate::session::use_current_staff;
use crate::shell::ALERTS;
use crate::text::{Msg, alert_label, use_title, use_tx};
use leptos::prelude::*;
use leptos::task::spawn_local;
use sesshu_app::components::Loading;
use sesshu_domain::staff::{Alert, OutboxMessage, Permission};

/// `/admin/alerts`: intrusion-detection alerts, each acknowledged once looked into; and, for
/// user administrators, the notices sent to administrators (the outbox).
#[component]
pub fn AlertsPage() -> impl IntoView {
    use_title(Msg::AlertsTitle);
    let staff = use_current_staff();
    let may_see_outbox = Memo::new(move |_| staff.has_any(&[Permission::ManageUsers]));
    view! {
        <RequirePermission any=ALERTS probe="alerts">
            <Alerts />
            <Show when=move || may_see_outbox.get()>
                <Outbox />
            </Show>
        </RequirePermission>
    }
}

#[component]
fn Alerts() -> impl IntoView {
    let tx = use_tx();
    let staff = use_current_staff();
    let version = RwSignal::new(0u32);
    let alerts = LocalResource::new(move || {
        version.track();
        let code = staff.code();
        async move { staff.observe(api::alerts(&code).await) }
    });
    let error = RwSignal::new(None::<StaffError>);
    let pending = RwSignal::new(None::<String>);
    let acknowledge = move |alert_id: String| {
        if pending.with_untracked(Option::is_some) {
            return;
        }
        pending.set(Some(alert_id.clone()));
        error.set(None);
        spawn_local(async move {
            let result = staff.observe(api::acknowledge_alert(&staff.code(), &alert_id).await);
            pending.set(None);
            match result {
                Ok(_) => version.update(|v| *v += 1),
                Err(failure) => error.set(Some(failure)),
            }
        });
    };
    view! {
        <PageHeading msg=Msg::AlertsTitle />
        <p class="lead">{move || tx.t(Msg::AlertsLead)}</p>
        <ErrorSlot error />
        {move || match alerts.get() {
            None => view! { <Loading /> }.into_any(),
            Some(Err(error)) => view! { <ErrorNotice error /> }.into_any(),
            Some(Ok(list)) if list.is_empty() => view! { <p>{move || tx.t(Msg::NoAlerts)}</p> }.into_any(),
            Some(Ok(list)) => {
                let rows = newest_first(list)
                    .into_iter()
                    .map(|alert| {
                        let Alert { alert_id, at, kind, message_ja, message_en, user_id, acknowledged_by } = alert;
                        let busy_id = alert_id.clone();
                        let busy = move || pending.with(|p| p.as_deref() == Some(busy_id.as_str()));
                        let at_text = at.clone();
                        let open = acknowledged_by.is_none();
                        view! {
                            <tr class:row--alert=open>
                                <td class="nowrap"><DateTime value=at /></td>
                                <td>{move || alert_label(tx.lang(), kind)}</td>
                                <td>{move || tx.pick(&message_ja, &message_en).to_owned()}</td>
                                <td class="code">{user_id.unwrap_or_default()}</td>
                                <td>
                                    {match acknowledged_by {
                                        Some(by) => view! {
                                            <span class="tag">{move || tx.t(Msg::AcknowledgedBy)}</span>
                                            " " <span class="code">{by}</span>
                                        }
                                        .into_any(),
                                        None => view! {
                                            <span class="tag tag--attention">{move || tx.t(Msg::Unacknowledged)}</span>
                                            " "
                                            <button
                                                type="button"
                                                class="button button--secondary button--small"
                                                disabled=busy
                                                on:click=move |_| acknowledge(alert_id.clone())
                                            >
                                                {move || tx.t(Msg::Acknowledge)}
                                                <span class="visually-hidden">
                                                    {move || format!(" {} {}", alert_label(tx.lang(), kind), at_text)}
                                                </span>
                                            </button>
                                        }
                                        .into_any(),
                                    }}
                                </td>
                            </tr>
                        }
                    })
                    .collect_view();
                view! {
                    <div class="table-wrap" role="region" aria-labelledby="alerts-caption" tabindex="0">
                        <table class="table">
                            <caption id="alerts-caption">{move || tx.t(Msg::AlertsTitle)}</caption>
                            <thead>
                                <tr>
                                    <th scope="col">{move || tx.t(Msg::ColAt)}</th>
                                    <th scope="col">{move || tx.t(Msg::ColKind)}</th>
                                    <th scope="col">{move || tx.t(Msg::ColMessage)}</th>
                                    <th scope="col">{move || tx.t(Msg::ColUser)}</th>
                                    <th scope="col">{move || tx.t(Msg::ColStatus)}</th>
                                </tr>
                            </thead>
                            <tbody>{rows}</tbody>
                        </table>
                    </div>
                }
                .into_any()
            }
        }}
    }
}

/// The notices sent to administrators, newest first.
#[component]
fn Outbox() -> impl IntoView {
    let tx = use_tx();
    let staff = use_current_staff();
    let outbox = LocalResource::new(move || {
        let code = staff.code();
        async move { staff.observe(api::outbox(&code).await) }
    });
    view! {
        <section aria-labelledby="outbox-title">
            <h2 id="outbox-title">{move || tx.t(Msg::OutboxTitle)}</h2>
            <p>{move || tx.t(Msg::OutboxLead)}</p>
            {move || match outbox.get() {
                None => view! { <Loading /> }.into_any(),
                Some(Err(error)) => view! { <ErrorNotice error /> }.into_any(),
                Some(Ok(list)) if list.is_empty() => view! { <p>{move || tx.t(Msg::NoOutbox)}</p> }.into_any(),
                Some(Ok(mut list)) => {
                    list.sort_by(|a, b| b.at.cmp(&a.at));
                    view! {
                        <ul class="card-list">
                            {list
                                .into_iter()
                                .map(|message| {
                                    let OutboxMessage { at, to, subject, body, .. } = message;
                                    view! {
                                        <li class="card">
                                            <h3 class="card__title">{subject}</h3>
                                            <dl class="facts">
                                                <div class="facts__row">
                                                    <dt>{move || tx.t(Msg::ColAt)}</dt>
                                                    <dd><DateTime value=at /></dd>
                                                </div>
                                                <div class="facts__row">
                                                    <dt>{move || tx.t(Msg::LabelTo2)}</dt>
                                                    <dd class="code">{to.join(", ")}</dd>
                                                </div>
                                            </dl>
                                            <p class="prewrap">{body}</p>
                                        </li>
                                    }
                                })
                                .collect_view()}
                        </ul>
                    }
                    .into_any()
                }
            }}
        </section>
    }
}

/// Unacknowledged alerts first, then newest first.
fn newest_first(mut list: Vec<Alert>) -> Vec<Alert> {
    list.sort_by(|a, b| {
        a.acknowledged_by
            .is_some()
            .cmp(&b.acknowledged_by.is_some())
            .then_with(|| b.at.cmp(&a.at))
    });
    list
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]

    use super::*;
    use sesshu_domain::staff::AlertKind;

    fn alert(id: &str, at: &str, acknowledged: bool) -> Alert {
        Alert {
            alert_id: id.to_owned(),
            at: at.to_owned(),
            kind: AlertKind::FailedLoginBurst,
            message_ja: "ログイン失敗".to_owned(),
            message_en: "failed logins".to_owned(),
            user_id: None,
            acknowledged_by: acknowledged.then(|| "admin".to_owned()),
        }
    }

    #[test]
    fn open_alerts_come_first_then_the_newest() {
        let list = vec![
            alert("old-open", "2026-04-01T00:00:00Z", false),
            alert("new-done", "2026-04-03T00:00:00Z", true),
            alert("new-open", "2026-04-02T00:00:00Z", false),
        ];
        let ids: Vec<_> = newest_first(list).into_iter().map(|a| a.alert_id).collect();
        assert_eq!(ids, ["new-open", "old-open", "new-done"]);
    }
}
