//! `/admin/recommendation-rules`: the municipality's 接種勧奨ルール. The rules as a list; one
//! rule at a time in an editor (which vaccinations and statuses trigger it, days before the
//! period opens, reminders for overdue doses, the quiet period, the texts in Japanese and
//! English with placeholders to insert); check the draft on the server (each problem next to
//! its field and in a summary), preview it (sample values, or what the next run would send one
//! person and why not), save it against the version read. Below, the job's recent runs.

use crate::api::{self, ErrorKind, StaffError};
use crate::components::{
    ErrorNotice, ErrorSlot, LiveStatus, PageHeading, RequirePermission, focus_by_id,
};
use crate::session::use_current_staff;
use crate::shell::RECOMMENDATIONS;
use crate::text::{
    Msg, format_rule_counts, format_rules_version, held_back_label, japan_time, trigger_summary,
    use_title, use_tx,
};
use leptos::prelude::*;
use leptos::task::spawn_local;
use sesshu_app::components::Loading;
use sesshu_app::i18n::Lang;
use sesshu_domain::recommendation::{NoticeText, Rule, RuleError, RuleSet, Trigger};
use sesshu_domain::schedule::SeriesCategory;
use sesshu_domain::schedule_api::{
    PreviewRequest, PreviewResult, RuleSetUpdate, RuleSetView, RunReport, SeriesOption,
};

/// The page.
#[component]
pub fn RecommendationRulesPage() -> impl IntoView {
    use_title(Msg::RecoRulesTitle);
    view! {
        <RequirePermission any=RECOMMENDATIONS probe="recommendation-rules">
            <RecommendationRules />
        </RequirePermission>
    }
}

#[component]
fn RecommendationRules() -> impl IntoView {
    let tx = use_tx();
    let staff = use_current_staff();
    let reload = RwSignal::new(0u32);
    let rules = LocalResource::new(move || {
        reload.track();
        let code = staff.code();
        async move { staff.observe(api::recommendation_rules(&code).await) }
    });
    view! {
        <PageHeading msg=Msg::RecoRulesTitle />
        <p class="lead">{move || tx.t(Msg::RecoRulesLead)}</p>
        {move || match rules.get() {
            None => view! { <Loading /> }.into_any(),
            Some(Err(error)) => view! { <ErrorNotice error /> }.into_any(),
            Some(Ok(view)) => view! { <Editor view reload /> }.into_any(),
        }}
        <Runs />
    }
}

/// What the editor's parts share.
#[derive(Clone, Copy)]
struct EditorCtx {
    draft: RwSignal<RuleSet>,
    version: RwSignal<u64>,
    dirty: RwSignal<bool>,
    /// The rule being edited (its position).
    selected: RwSignal<Option<usize>>,
    /// The server's last verdict on the draft (check or refused save); `None` until asked.
    problems: RwSignal<Option<Vec<RuleError>>>,
    series: StoredValue<Vec<SeriesOption>>,
    placeholders: StoredValue<Vec<String>>,
}

impl EditorCtx {
    /// Changes the draft; a change makes the last verdict out of date.
    fn change(self, f: impl FnOnce(&mut RuleSet)) {
        self.draft.update(f);
        self.dirty.set(true);
    }

    fn series_name(self, id: &str, lang: Lang) -> String {
        self.series.with_value(|list| {
            list.iter().find(|s| s.id == id).map_or_else(
                || id.to_owned(),
                |s| match lang {
                    Lang::Ja => s.name_ja.clone(),
                    Lang::En => s.name_en.clone(),
                },
            )
        })
    }

    /// The messages of the problems at `field` (or under it, e.g. `series[2]` under `series`)
    /// of the rule at `position` (`None`: the set itself), in `lang`.
    fn messages_at(self, position: Option<usize>, field: &str, lang: Lang) -> Option<String> {
        let key = position.map(|at| self.draft.with_untracked(|d| rule_key(d, at)));
        self.problems.with(|problems| {
            let found: Vec<String> = problems
                .iter()
                .flatten()
                .filter(|e| {
                    let rule_matches = match (&key, &e.rule) {
                        (None, None) => true,
                        (Some((id, number)), Some(rule)) => rule == id || rule == number,
                        _ => false,
                    };
                    rule_matches && field_matches(&e.field, field)
                })
                .map(|e| match lang {
                    Lang::Ja => e.ja.clone(),
                    Lang::En => e.en.clone(),
                })
                .collect();
            (!found.is_empty()).then(|| found.join(" / "))
        })
    }
}

/// The names a problem may give the rule at `at`: its id, or `#<position>`.
fn rule_key(set: &RuleSet, at: usize) -> (String, String) {
    let id = set.rules.get(at).map(|r| r.id.clone()).unwrap_or_default();
    (id, format!("#{}", at + 1))
}

/// Whether a problem's `field` is `wanted` or a part of it (`series[2]` of `series`,
/// `texts.ja` of `texts.ja.title`: a missing language shows at its title).
fn field_matches(field: &str, wanted: &str) -> bool {
    field == wanted
        || field
            .strip_prefix(wanted)
            .is_some_and(|rest| rest.starts_with('['))
        || wanted
            .strip_suffix(".title")
            .is_some_and(|language| field == language)
}

/// The position of the rule a problem names, if it names one of `set`.
fn rule_position(set: &RuleSet, rule: &str) -> Option<usize> {
    set.rules.iter().position(|r| r.id == rule).or_else(|| {
        rule.strip_prefix('#')
            .and_then(|n| n.parse::<usize>().ok())
            .and_then(|n| n.checked_sub(1))
            .filter(|at| *at < set.rules.len())
    })
}

/// The input a problem's field is shown at.
fn input_of(field: &str) -> &'static str {
    let base = field.split('[').next().unwrap_or(field);
    match base {
        "name_ja" => "rule-name-ja",
        "name_en" => "rule-name-en",
        "series" => "rule-targets",
        "trigger.days_before" => "rule-days-before",
        "trigger.every_days" => "rule-every-days",
        "trigger.max_times" => "rule-max-times",
        "quiet_days" => "rule-quiet-days",
        "texts.ja.body" => "rule-ja-body",
        "texts.en.title" | "texts.en" => "rule-en-title",
        "texts.en.body" => "rule-en-body",
        "contact.ja" => "rules-contact-ja",
        "contact.en" => "rules-contact-en",
        "texts.ja.title" | "texts.ja" => "rule-ja-title",
        _ => "rules-check",
    }
}

/// A number field's value; a value that is not a number becomes one no range admits, so the
/// server's check reports it at its field in words rather than the page guessing.
fn number_of<T: std::str::FromStr + Bounded>(text: &str) -> T {
    text.trim().parse().unwrap_or(T::MAX)
}

/// The largest value of the number types the rules use.
trait Bounded {
    const MAX: Self;
}

impl Bounded for u16 {
    const MAX: Self = u16::MAX;
}

impl Bounded for u8 {
    const MAX: Self = u8::MAX;
}

/// The byte index of the character that starts at UTF-16 offset `units` (the end if past it).
fn byte_at_utf16(text: &str, units: u32) -> usize {
    let mut seen = 0u32;
    for (at, c) in text.char_indices() {
        if seen >= units {
            return at;
        }
        seen += c.len_utf16() as u32;
    }
    text.len()
}

/// `text` with `insert` put at UTF-16 offset `caret`, and the caret after it.
fn insert_at(text: &str, caret: u32, insert: &str) -> (String, u32) {
    let at = byte_at_utf16(text, caret);
    let mut out = String::with_capacity(text.len() + insert.len());
    out.push_str(&text[..at]);
    out.push_str(insert);
    out.push_str(&text[at..]);
    let before: u32 = text[..at].chars().map(|c| c.len_utf16() as u32).sum();
    (
        out,
        before + insert.chars().map(|c| c.len_utf16() as u32).sum::<u32>(),
    )
}

#[component]
fn Editor(
    /// The rules as loaded.
    view: RuleSetView,
    /// Bumped to load the rules again (after someone else saved).
    reload: RwSignal<u32>,
) -> impl IntoView {
    let tx = use_tx();
    let staff = use_current_staff();
    let ctx = EditorCtx {
        draft: RwSignal::new(view.rule_set.clone()),
        version: RwSignal::new(view.version),
        dirty: RwSignal::new(false),
        selected: RwSignal::new(None),
        problems: RwSignal::new(None),
        series: StoredValue::new(view.series.clone()),
        placeholders: StoredValue::new(view.placeholders.clone()),
    };
    let is_default = RwSignal::new(view.is_default);
    let status = RwSignal::new(None::<Msg>);
    let error = RwSignal::new(None::<StaffError>);
    let stale = RwSignal::new(false);
    let pending = RwSignal::new(false);

    let check = move |_| {
        if pending.get_untracked() {
            return;
        }
        pending.set(true);
        error.set(None);
        status.set(None);
        let draft = ctx.draft.get_untracked();
        spawn_local(async move {
            let result =
                staff.observe(api::validate_recommendation_rules(&staff.code(), &draft).await);
            pending.set(false);
            match result {
                Ok(check) => {
                    ctx.problems.set(Some(check.errors));
                    request_animation_frame(|| focus_by_id("rules-check"));
                }
                Err(failure) => error.set(Some(failure)),
            }
        });
    };
    let save = move |_| {
        if pending.get_untracked() {
            return;
        }
        pending.set(true);
        error.set(None);
        status.set(None);
        let body = RuleSetUpdate {
            version: ctx.version.get_untracked(),
            rule_set: ctx.draft.get_untracked(),
        };
        spawn_local(async move {
            let result = staff.observe(api::save_recommendation_rules(&staff.code(), &body).await);
            pending.set(false);
            match result {
                Ok(saved) => {
                    ctx.version.set(saved.version);
                    is_default.set(saved.is_default);
                    ctx.dirty.set(false);
                    ctx.problems.set(None);
                    status.set(Some(Msg::RulesSaved));
                }
                Err(failure) if failure.kind() == ErrorKind::Conflict => {
                    stale.set(true);
                    request_animation_frame(|| focus_by_id("rules-stale"));
                }
                Err(failure) if !failure.rule_errors().is_empty() => {
                    ctx.problems.set(Some(failure.rule_errors().to_vec()));
                    request_animation_frame(|| focus_by_id("rules-check"));
                }
                Err(failure) => error.set(Some(failure)),
            }
        });
    };

    view! {
        <p>
            <strong>{move || format_rules_version(tx.lang(), ctx.version.get())}</strong>
            <Show when=move || is_default.get()>
                " " {move || tx.t(Msg::RulesDefault)}
            </Show>
        </p>
        <RuleList ctx />
        {move || ctx.selected.get().map(|at| view! { <RuleEditor ctx at /> })}
        <ContactFields ctx />
        <Show when=move || stale.get()>
            <section class="notice notice--error" id="rules-stale" tabindex="-1" role="alert">
                <h2 class="notice__title">{move || tx.t(Msg::StaleRulesTitle)}</h2>
                <p>{move || tx.t(Msg::StaleRulesBody)}</p>
                <div class="button-row">
                    <button type="button" class="button button--primary" on:click=move |_| reload.update(|n| *n += 1)>
                        {move || tx.t(Msg::Reload)}
                    </button>
                </div>
            </section>
        </Show>
        <CheckSummary ctx />
        <ErrorSlot error />
        <LiveStatus message=status />
        <Show when=move || ctx.dirty.get()>
            <p class="status-note">{move || tx.t(Msg::DraftUnsaved)}</p>
        </Show>
        <div class="button-row">
            <button type="button" class="button button--secondary" disabled=move || pending.get() on:click=check>
                {move || tx.t(Msg::ValidateButton)}
            </button>
            <button type="button" class="button button--primary" disabled=move || pending.get() on:click=save>
                {move || tx.t(if pending.get() { Msg::Working } else { Msg::SaveRules })}
            </button>
        </div>
    }
}

/// The rules as a table, each with its edit button.
#[component]
fn RuleList(ctx: EditorCtx) -> impl IntoView {
    let tx = use_tx();
    let rows = move || {
        let lang = tx.lang();
        ctx.draft.with(|set| {
            set.rules
                .iter()
                .enumerate()
                .map(|(at, rule)| {
                    let targets = targets_of(ctx, rule, lang);
                    let name = match lang {
                        Lang::Ja => rule.name_ja.clone(),
                        Lang::En => rule.name_en.clone(),
                    };
                    let trigger = trigger_summary(lang, rule.trigger);
                    let enabled = rule.enabled;
                    let id = rule.id.clone();
                    let button_id = format!("rule-edit-{at}");
                    let label = format!("{} {}", tx.t(Msg::EditRuleButton), rule.id);
                    view! {
                        <tr>
                            <th scope="row" class="code">{id}</th>
                            <td>{name}</td>
                            <td>{trigger}</td>
                            <td>{targets}</td>
                            <td>
                                {if enabled {
                                    tx.t(Msg::Yes).to_owned()
                                } else {
                                    tx.t(Msg::RuleOff).to_owned()
                                }}
                            </td>
                            <td>
                                <button
                                    type="button"
                                    id=button_id
                                    class="button button--secondary button--small"
                                    aria-label=label
                                    aria-pressed=move || (ctx.selected.get() == Some(at)).to_string()
                                    on:click=move |_| {
                                        ctx.selected.set(Some(at));
                                        request_animation_frame(|| focus_by_id("rule-editor-title"));
                                    }
                                >
                                    {tx.t(Msg::EditRuleButton)}
                                </button>
                            </td>
                        </tr>
                    }
                })
                .collect_view()
        })
    };
    view! {
        <section aria-labelledby="rules-list-title">
            <h2 id="rules-list-title">{move || tx.t(Msg::RulesListTitle)}</h2>
            <div class="table-wrap" role="region" aria-labelledby="rules-caption" tabindex="0">
                <table class="table">
                    <caption id="rules-caption">{move || tx.t(Msg::RulesListTitle)}</caption>
                    <thead>
                        <tr>
                            <th scope="col">{move || tx.t(Msg::LabelRuleId)}</th>
                            <th scope="col">{move || tx.t(Msg::ColRuleName)}</th>
                            <th scope="col">{move || tx.t(Msg::ColTrigger)}</th>
                            <th scope="col">{move || tx.t(Msg::ColTargets)}</th>
                            <th scope="col">{move || tx.t(Msg::ColEnabled)}</th>
                            <th scope="col"><span class="visually-hidden">{move || tx.t(Msg::EditRuleButton)}</span></th>
                        </tr>
                    </thead>
                    <tbody>{rows}</tbody>
                </table>
            </div>
        </section>
    }
}

fn category_msg(category: SeriesCategory) -> Msg {
    match category {
        SeriesCategory::A => Msg::SeriesCatA,
        SeriesCategory::B => Msg::SeriesCatB,
        SeriesCategory::Voluntary => Msg::SeriesVoluntary,
    }
}

/// What a rule covers, in words: its categories, then its single vaccinations.
fn targets_of(ctx: EditorCtx, rule: &Rule, lang: Lang) -> String {
    rule.categories
        .iter()
        .map(|c| category_msg(*c).text(lang).to_owned())
        .chain(rule.series.iter().map(|s| ctx.series_name(s, lang)))
        .collect::<Vec<_>>()
        .join(match lang {
            Lang::Ja => "、",
            Lang::En => ", ",
        })
}

/// Which kind of trigger the editor shows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum TriggerKind {
    Upcoming,
    DueNow,
    Overdue,
}

/// A labelled text input or textarea whose error is the server's words for that field.
#[component]
fn RuleField(
    /// The input's id.
    id: &'static str,
    /// The label.
    label: Msg,
    /// The value, two-way bound.
    value: RwSignal<String>,
    /// A textarea rather than a one-line input.
    #[prop(optional)]
    area: bool,
    /// `inputmode`, e.g. `numeric`.
    #[prop(optional)]
    inputmode: Option<&'static str>,
    /// A hint below the label.
    #[prop(optional)]
    hint: Option<Msg>,
    /// What is wrong, in the current language.
    error: Signal<Option<String>>,
    /// Called when the field takes focus (the placeholder buttons insert there).
    #[prop(optional)]
    on_focus: Option<Callback<()>>,
    /// The language of the text typed in it, when it is not the page's.
    #[prop(optional)]
    lang: Option<&'static str>,
) -> impl IntoView {
    let tx = use_tx();
    let hint_id = format!("{id}-hint");
    let error_id = format!("{id}-error");
    let described = {
        let hint_id = hint_id.clone();
        let error_id = error_id.clone();
        move || {
            let mut ids = Vec::new();
            if hint.is_some() {
                ids.push(hint_id.clone());
            }
            if error.with(Option::is_some) {
                ids.push(error_id.clone());
            }
            (!ids.is_empty()).then(|| ids.join(" "))
        }
    };
    let focus = move |_| {
        if let Some(on_focus) = on_focus {
            on_focus.run(());
        }
    };
    let input = if area {
        view! {
            <textarea
                class="field__input field__input--area"
                id=id
                name=id
                rows="5"
                lang=lang
                aria-invalid=move || error.with(Option::is_some).then_some("true")
                aria-describedby=described
                prop:value=move || value.get()
                on:input:target=move |ev| value.set(ev.target().value())
                on:focus=focus
            ></textarea>
        }
        .into_any()
    } else {
        view! {
            <input
                class="field__input"
                id=id
                name=id
                type="text"
                autocomplete="off"
                inputmode=inputmode
                lang=lang
                aria-invalid=move || error.with(Option::is_some).then_some("true")
                aria-describedby=described
                prop:value=move || value.get()
                on:input:target=move |ev| value.set(ev.target().value())
                on:focus=focus
            />
        }
        .into_any()
    };
    view! {
        <div class="field" class:field--invalid=move || error.with(Option::is_some)>
            <div class="field__head">
                <label class="field__label" for=id>{move || tx.t(label)}</label>
            </div>
            {hint.map(|hint| view! { <p class="field__hint" id=hint_id.clone()>{move || tx.t(hint)}</p> })}
            {move || error.get().map(|text| view! { <p class="field__error" id=error_id.clone()>{text}</p> })}
            {input}
        </div>
    }
}

/// One rule in the editor. Its fields are kept here and written into the draft as they change.
#[component]
fn RuleEditor(
    ctx: EditorCtx,
    /// The rule's position in the draft.
    at: usize,
) -> impl IntoView {
    let tx = use_tx();
    let Some(rule) = ctx.draft.with_untracked(|d| d.rules.get(at).cloned()) else {
        return ().into_any();
    };
    let text = |lang: &str| {
        rule.texts.get(lang).cloned().unwrap_or(NoticeText {
            title: String::new(),
            body: String::new(),
        })
    };
    let (ja, en) = (text("ja"), text("en"));
    let name_ja = RwSignal::new(rule.name_ja.clone());
    let name_en = RwSignal::new(rule.name_en.clone());
    let enabled = RwSignal::new(rule.enabled);
    let categories = RwSignal::new(rule.categories.clone());
    let series = RwSignal::new(rule.series.clone());
    let (kind, days_before, every_days, max_times) = match rule.trigger {
        Trigger::Upcoming { days_before } => (TriggerKind::Upcoming, days_before, 30, 3),
        Trigger::DueNow => (TriggerKind::DueNow, 14, 30, 3),
        Trigger::Overdue {
            every_days,
            max_times,
        } => (TriggerKind::Overdue, 14, every_days, max_times),
    };
    let kind = RwSignal::new(kind);
    let days_before = RwSignal::new(days_before.to_string());
    let every_days = RwSignal::new(every_days.to_string());
    let max_times = RwSignal::new(max_times.to_string());
    let quiet_days = RwSignal::new(rule.quiet_days.to_string());
    let ja_title = RwSignal::new(ja.title);
    let ja_body = RwSignal::new(ja.body);
    let en_title = RwSignal::new(en.title);
    let en_body = RwSignal::new(en.body);
    let rule_id = rule.id.clone();

    // Every change of a field is written into the draft, so check, preview and save always
    // send what is on the screen.
    Effect::new(move |first: Option<()>| {
        let trigger = match kind.get() {
            TriggerKind::Upcoming => Trigger::Upcoming {
                days_before: number_of(&days_before.get()),
            },
            TriggerKind::DueNow => Trigger::DueNow,
            TriggerKind::Overdue => Trigger::Overdue {
                every_days: number_of(&every_days.get()),
                max_times: number_of(&max_times.get()),
            },
        };
        let mut texts = std::collections::BTreeMap::new();
        texts.insert(
            "ja".to_owned(),
            NoticeText {
                title: ja_title.get(),
                body: ja_body.get(),
            },
        );
        texts.insert(
            "en".to_owned(),
            NoticeText {
                title: en_title.get(),
                body: en_body.get(),
            },
        );
        let updated = (
            name_ja.get(),
            name_en.get(),
            enabled.get(),
            categories.get(),
            series.get(),
            trigger,
            number_of::<u16>(&quiet_days.get()),
            texts,
        );
        if first.is_none() {
            return;
        }
        ctx.change(|draft| {
            if let Some(rule) = draft.rules.get_mut(at) {
                (
                    rule.name_ja,
                    rule.name_en,
                    rule.enabled,
                    rule.categories,
                    rule.series,
                    rule.trigger,
                    rule.quiet_days,
                    rule.texts,
                ) = updated;
            }
        });
    });

    let error = move |field: &'static str| {
        Signal::derive(move || ctx.messages_at(Some(at), field, tx.lang()))
    };
    let last_text = RwSignal::new("rule-ja-body");
    let focused = move |id: &'static str| Callback::new(move |()| last_text.set(id));
    let signal_of = move |id: &str| match id {
        "rule-ja-title" => ja_title,
        "rule-en-title" => en_title,
        "rule-en-body" => en_body,
        _ => ja_body,
    };
    let insert = move |placeholder: String| {
        let id = last_text.get_untracked();
        let value = signal_of(id);
        let current = value.get_untracked();
        let caret = crate::js::caret_of(id)
            .unwrap_or_else(|| current.chars().map(|c| c.len_utf16() as u32).sum());
        let (text, after) = insert_at(&current, caret, &placeholder);
        value.set(text);
        request_animation_frame(move || crate::js::put_caret(id, after));
    };
    let placeholder_buttons = ctx.placeholders.with_value(|list| {
        list.iter()
            .map(|p| {
                let shown = p.clone();
                let inserted = p.clone();
                let about = placeholder_msg(p);
                view! {
                    <li class="placeholder">
                        <button
                            type="button"
                            class="button button--secondary button--small code"
                            aria-describedby=format!("ph-{}", p.trim_matches(['{', '}']))
                            on:click=move |_| insert(inserted.clone())
                        >
                            {shown}
                        </button>
                        " "
                        <span id=format!("ph-{}", p.trim_matches(['{', '}']))>
                            {move || about.map(|m| tx.t(m)).unwrap_or_default()}
                        </span>
                    </li>
                }
            })
            .collect_view()
    });
    let series_boxes = ctx.series.with_value(|list| {
        list.iter()
            .map(|option| {
                let id = option.id.clone();
                let checked_id = id.clone();
                let (name_ja, name_en) = (option.name_ja.clone(), option.name_en.clone());
                view! {
                    <label class="choice">
                        <input
                            type="checkbox"
                            prop:checked=move || series.with(|s| s.contains(&checked_id))
                            on:change:target=move |ev| {
                                let on = ev.target().checked();
                                let id = id.clone();
                                series.update(|s| {
                                    s.retain(|x| *x != id);
                                    if on {
                                        s.push(id);
                                    }
                                });
                            }
                        />
                        {move || tx.pick(&name_ja, &name_en).to_owned()}
                    </label>
                }
            })
            .collect_view()
    });
    let category_boxes = [
        SeriesCategory::A,
        SeriesCategory::B,
        SeriesCategory::Voluntary,
    ]
    .into_iter()
    .map(|category| {
        view! {
            <label class="choice">
                <input
                    type="checkbox"
                    prop:checked=move || categories.with(|c| c.contains(&category))
                    on:change:target=move |ev| {
                        let on = ev.target().checked();
                        categories.update(|c| {
                            c.retain(|x| *x != category);
                            if on {
                                c.push(category);
                            }
                        });
                    }
                />
                {move || tx.t(category_msg(category))}
            </label>
        }
    })
    .collect_view();
    let trigger_radio = move |this: TriggerKind, label: Msg| {
        view! {
            <label class="choice">
                <input
                    type="radio"
                    name="rule-trigger"
                    prop:checked=move || kind.get() == this
                    on:change=move |_| kind.set(this)
                />
                {move || tx.t(label)}
            </label>
        }
    };
    let targets_error = error("series");
    let id_error = error("id");
    view! {
        <section class="card rule-editor" aria-labelledby="rule-editor-title">
            <h2 id="rule-editor-title" tabindex="-1">
                {move || tx.t(Msg::RuleEditorTitle)} ": " <span class="code">{rule_id.clone()}</span>
            </h2>
            {move || id_error.get().map(|text| view! { <p class="field__error">{text}</p> })}
            <div class="form">
                <RuleField id="rule-name-ja" label=Msg::LabelRuleNameJa value=name_ja error=error("name_ja") />
                <RuleField id="rule-name-en" label=Msg::LabelRuleNameEn value=name_en error=error("name_en") lang="en" />
                <label class="choice">
                    <input type="checkbox" id="rule-enabled" bind:checked=enabled />
                    {move || tx.t(Msg::LabelRuleEnabled)}
                </label>
                <fieldset
                    class="choices"
                    id="rule-targets"
                    tabindex="-1"
                    aria-describedby="rule-targets-hint"
                    class:field--invalid=move || targets_error.with(Option::is_some)
                >
                    <legend>{move || tx.t(Msg::TargetsLegend)}</legend>
                    <p class="field__hint" id="rule-targets-hint">{move || tx.t(Msg::TargetsHint)}</p>
                    {move || targets_error.get().map(|text| view! { <p class="field__error">{text}</p> })}
                    {category_boxes}
                    <details class="rule-series">
                        <summary>{move || tx.t(Msg::SeriesLegend)}</summary>
                        <div class="rule-series__list">{series_boxes}</div>
                    </details>
                </fieldset>
                <fieldset class="choices">
                    <legend>{move || tx.t(Msg::TriggerLegend)}</legend>
                    {trigger_radio(TriggerKind::Upcoming, Msg::TriggerUpcoming)}
                    {trigger_radio(TriggerKind::DueNow, Msg::TriggerDueNow)}
                    {trigger_radio(TriggerKind::Overdue, Msg::TriggerOverdue)}
                </fieldset>
                <Show when=move || kind.get() == TriggerKind::Upcoming>
                    <RuleField id="rule-days-before" label=Msg::LabelDaysBefore value=days_before inputmode="numeric" error=error("trigger.days_before") />
                </Show>
                <Show when=move || kind.get() == TriggerKind::Overdue>
                    <RuleField id="rule-every-days" label=Msg::LabelEveryDays value=every_days inputmode="numeric" error=error("trigger.every_days") />
                    <RuleField id="rule-max-times" label=Msg::LabelMaxTimes value=max_times inputmode="numeric" error=error("trigger.max_times") />
                </Show>
                <RuleField id="rule-quiet-days" label=Msg::LabelQuietDays value=quiet_days inputmode="numeric" hint=Msg::HintQuietDays error=error("quiet_days") />
                <section class="placeholders" aria-labelledby="placeholders-title">
                    <h3 id="placeholders-title">{move || tx.t(Msg::PlaceholdersTitle)}</h3>
                    <p>{move || tx.t(Msg::PlaceholdersLead)}</p>
                    <ul class="placeholder-list">{placeholder_buttons}</ul>
                </section>
                <fieldset class="texts">
                    <legend>{move || tx.t(Msg::TextsLegendJa)}</legend>
                    <RuleField id="rule-ja-title" label=Msg::LabelNoticeTitleJa value=ja_title error=error("texts.ja.title") on_focus=focused("rule-ja-title") lang="ja" />
                    <RuleField id="rule-ja-body" label=Msg::LabelNoticeBodyJa value=ja_body area=true error=error("texts.ja.body") on_focus=focused("rule-ja-body") lang="ja" />
                </fieldset>
                <fieldset class="texts">
                    <legend>{move || tx.t(Msg::TextsLegendEn)}</legend>
                    <RuleField id="rule-en-title" label=Msg::LabelNoticeTitleEn value=en_title error=error("texts.en.title") on_focus=focused("rule-en-title") lang="en" />
                    <RuleField id="rule-en-body" label=Msg::LabelNoticeBodyEn value=en_body area=true error=error("texts.en.body") on_focus=focused("rule-en-body") lang="en" />
                </fieldset>
            </div>
            <Preview ctx at />
        </section>
    }
    .into_any()
}

/// What a placeholder stands for.
fn placeholder_msg(placeholder: &str) -> Option<Msg> {
    Some(match placeholder.trim_matches(['{', '}']) {
        "vaccination" => Msg::PhVaccination,
        "opens_on" => Msg::PhOpensOn,
        "latest" => Msg::PhLatest,
        "municipality" => Msg::PhMunicipality,
        "contact" => Msg::PhContact,
        _ => return None,
    })
}

/// The contact line `{contact}` becomes, per language.
#[component]
fn ContactFields(ctx: EditorCtx) -> impl IntoView {
    let tx = use_tx();
    let initial = |lang: &str| {
        ctx.draft
            .with_untracked(|d| d.contact.get(lang).cloned().unwrap_or_default())
    };
    let ja = RwSignal::new(initial("ja"));
    let en = RwSignal::new(initial("en"));
    Effect::new(move |first: Option<()>| {
        let (ja, en) = (ja.get(), en.get());
        if first.is_none() {
            return;
        }
        ctx.change(|draft| {
            draft.contact.insert("ja".to_owned(), ja);
            draft.contact.insert("en".to_owned(), en);
        });
    });
    let error =
        move |field: &'static str| Signal::derive(move || ctx.messages_at(None, field, tx.lang()));
    view! {
        <section class="card" aria-labelledby="contact-title">
            <h2 id="contact-title">{move || tx.t(Msg::ContactTitle)} " " <span class="code">"{contact}"</span></h2>
            <div class="form">
                <RuleField id="rules-contact-ja" label=Msg::LabelContactJa value=ja error=error("contact.ja") lang="ja" />
                <RuleField id="rules-contact-en" label=Msg::LabelContactEn value=en error=error("contact.en") lang="en" />
            </div>
        </section>
    }
}

/// The server's verdict on the draft: every problem, where it is, with the way to its field.
#[component]
fn CheckSummary(ctx: EditorCtx) -> impl IntoView {
    let tx = use_tx();
    move || {
        ctx.problems.get().map(|problems| {
            let lang = tx.lang();
            let ok = problems.is_empty();
            let items = problems
                .into_iter()
                .map(|problem| {
                    let position = problem
                        .rule
                        .as_deref()
                        .and_then(|rule| ctx.draft.with_untracked(|d| rule_position(d, rule)));
                    let place = match &problem.rule {
                        Some(rule) => format!("{} {rule}", tx.t(Msg::LabelRuleId)),
                        None => tx.t(Msg::RuleSetLevel).to_owned(),
                    };
                    let message = match lang {
                        Lang::Ja => problem.ja.clone(),
                        Lang::En => problem.en.clone(),
                    };
                    let target = input_of(&problem.field);
                    let go = move |_| {
                        if let Some(at) = position {
                            ctx.selected.set(Some(at));
                        }
                        request_animation_frame(move || focus_by_id(target));
                    };
                    view! {
                        <li>
                            <strong>{place}</strong> " (" <span class="code">{problem.field.clone()}</span> "): "
                            {message} " "
                            <button type="button" class="button button--secondary button--small" on:click=go>
                                {move || tx.t(Msg::GoToField)}
                            </button>
                        </li>
                    }
                })
                .collect_view();
            let (class, verdict) = if ok {
                ("notice notice--success", Msg::RulesValid)
            } else {
                ("notice notice--error", Msg::RulesInvalid)
            };
            view! {
                <section class=class id="rules-check" tabindex="-1" aria-labelledby="rules-check-title">
                    <h2 class="notice__title" id="rules-check-title">{move || tx.t(Msg::CheckTitle)}</h2>
                    <p>{move || tx.t(verdict)}</p>
                    <ul class="rule-problems">{items}</ul>
                </section>
            }
        })
    }
}

/// The rule's notices for sample values, or what the next run would send one person.
#[component]
fn Preview(ctx: EditorCtx, at: usize) -> impl IntoView {
    let tx = use_tx();
    let staff = use_current_staff();
    let subject = RwSignal::new(String::new());
    let result = RwSignal::new(None::<PreviewResult>);
    let error = RwSignal::new(None::<StaffError>);
    let pending = RwSignal::new(false);
    let no_error = Signal::derive(|| None);
    let run = move |_| {
        if pending.get_untracked() {
            return;
        }
        let draft = ctx.draft.get_untracked();
        let Some(rule_id) = draft.rules.get(at).map(|r| r.id.clone()) else {
            return;
        };
        let subject_no = Some(subject.get_untracked().trim().to_owned()).filter(|s| !s.is_empty());
        let body = PreviewRequest {
            rule_id,
            rule_set: Some(draft),
            subject_no,
            on: None,
        };
        pending.set(true);
        error.set(None);
        spawn_local(async move {
            let answer = staff.observe(api::preview_recommendation(&staff.code(), &body).await);
            pending.set(false);
            match answer {
                Ok(preview) => {
                    result.set(Some(preview));
                    request_animation_frame(|| focus_by_id("preview-result"));
                }
                Err(failure) if !failure.rule_errors().is_empty() => {
                    result.set(None);
                    ctx.problems.set(Some(failure.rule_errors().to_vec()));
                    request_animation_frame(|| focus_by_id("rules-check"));
                }
                Err(failure) => {
                    result.set(None);
                    error.set(Some(failure));
                }
            }
        });
    };
    view! {
        <section class="rule-preview" aria-labelledby="preview-title">
            <h3 id="preview-title">{move || tx.t(Msg::PreviewSectionTitle)}</h3>
            <RuleField
                id="preview-subject"
                label=Msg::LabelPreviewSubject
                value=subject
                inputmode="numeric"
                hint=Msg::HintPreviewSubject
                error=no_error
            />
            <div class="button-row">
                <button type="button" class="button button--secondary" disabled=move || pending.get() on:click=run>
                    {move || tx.t(if pending.get() { Msg::Working } else { Msg::PreviewButton })}
                </button>
            </div>
            <ErrorSlot error />
            {move || result.get().map(|preview| view! { <PreviewShown ctx preview /> })}
        </section>
    }
}

#[component]
fn PreviewShown(ctx: EditorCtx, preview: PreviewResult) -> impl IntoView {
    let tx = use_tx();
    let lead = if preview.sample {
        Msg::PreviewSample
    } else {
        Msg::PreviewForPerson
    };
    let empty = preview.notices.is_empty() && !preview.sample;
    let notices = preview
        .notices
        .into_iter()
        .map(|notice| {
            let series = notice.series.clone();
            let held = notice.held_back.clone();
            view! {
                <li class="preview-notice">
                    <p class="preview-notice__meta">
                        {move || ctx.series_name(&series, tx.lang())} " · " <span class="code">{notice.occasion.clone()}</span> " · "
                        {match held {
                            Some(reason) => view! {
                                <span class="tag tag--attention">
                                    {move || tx.t(Msg::HeldBack)} ": " {move || held_back_label(tx.lang(), &reason)}
                                </span>
                            }
                            .into_any(),
                            None => view! { <span class="tag">{move || tx.t(Msg::WillSend)}</span> }.into_any(),
                        }}
                    </p>
                    <div class="preview-notice__text" lang="ja">
                        <p class="preview-notice__lang">{move || tx.t(Msg::LangJa)}</p>
                        <p><strong>{notice.title_ja.clone()}</strong></p>
                        <p>{notice.body_ja.clone()}</p>
                    </div>
                    <div class="preview-notice__text" lang="en">
                        <p class="preview-notice__lang">{move || tx.t(Msg::LangEn)}</p>
                        <p><strong>{notice.title_en.clone()}</strong></p>
                        <p>{notice.body_en.clone()}</p>
                    </div>
                </li>
            }
        })
        .collect_view();
    view! {
        <div id="preview-result" tabindex="-1" class="preview-result">
            <p>{move || tx.t(lead)}</p>
            {empty.then(|| view! { <p>{move || tx.t(Msg::PreviewNone)}</p> })}
            <ul class="preview-notices">{notices}</ul>
        </div>
    }
}

/// The job's latest runs with their counts.
#[component]
fn Runs() -> impl IntoView {
    let tx = use_tx();
    let staff = use_current_staff();
    let runs = LocalResource::new(move || {
        let code = staff.code();
        async move { staff.observe(api::recommendation_runs(&code).await) }
    });
    view! {
        <section class="card" aria-labelledby="runs-title">
            <h2 id="runs-title">{move || tx.t(Msg::RunsTitle)}</h2>
            {move || match runs.get() {
                None => view! { <Loading /> }.into_any(),
                Some(Err(error)) => view! { <ErrorNotice error /> }.into_any(),
                Some(Ok(list)) if list.is_empty() => {
                    view! { <p>{move || tx.t(Msg::NoRuns)}</p> }.into_any()
                }
                Some(Ok(list)) => view! { <RunTable runs=list /> }.into_any(),
            }}
        </section>
    }
}

#[component]
fn RunTable(runs: Vec<RunReport>) -> impl IntoView {
    let tx = use_tx();
    let rows = runs
        .into_iter()
        .map(|run| {
            let per_rule = run.rules.clone();
            view! {
                <tr>
                    <th scope="row" class="nowrap">{run.on.to_string()}</th>
                    <td class="nowrap">{japan_time(run.finished_at)}</td>
                    <td>{run.persons}</td>
                    <td>{run.errors}</td>
                    <td>{run.worklist_entries}</td>
                    <td>
                        <ul class="plain-list">
                            {move || per_rule
                                .iter()
                                .map(|counts| view! { <li>{format_rule_counts(tx.lang(), counts)}</li> })
                                .collect_view()}
                        </ul>
                    </td>
                </tr>
            }
        })
        .collect_view();
    view! {
        <div class="table-wrap" role="region" aria-labelledby="runs-caption" tabindex="0">
            <table class="table">
                <caption id="runs-caption">{move || tx.t(Msg::RunsTitle)}</caption>
                <thead>
                    <tr>
                        <th scope="col">{move || tx.t(Msg::ColRunOn)}</th>
                        <th scope="col">{move || tx.t(Msg::ColFinishedAt)}</th>
                        <th scope="col">{move || tx.t(Msg::ColPersons)}</th>
                        <th scope="col">{move || tx.t(Msg::ColRunErrors)}</th>
                        <th scope="col">{move || tx.t(Msg::ColWorklistEntries)}</th>
                        <th scope="col">{move || tx.t(Msg::ColPerRule)}</th>
                    </tr>
                </thead>
                <tbody>{rows}</tbody>
            </table>
        </div>
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]

    use super::*;

    #[test]
    fn placeholders_go_in_at_the_caret_counted_in_utf16() {
        // 𠮷 is two UTF-16 units: the caret after it is 3 (あ + 𠮷).
        assert_eq!(
            insert_at("あ𠮷い", 3, "{latest}"),
            ("あ𠮷{latest}い".to_owned(), 11)
        );
        assert_eq!(insert_at("", 0, "{contact}"), ("{contact}".to_owned(), 9));
        assert_eq!(insert_at("ab", 99, "{x}").0, "ab{x}");
    }

    #[test]
    fn problems_are_shown_at_their_field_and_its_parts() {
        assert!(field_matches("series[2]", "series"));
        assert!(field_matches("texts.ja", "texts.ja.title"));
        assert!(field_matches("quiet_days", "quiet_days"));
        assert!(!field_matches("texts.ja.body", "texts.ja.title"));
        assert_eq!(input_of("series[0]"), "rule-targets");
        assert_eq!(input_of("texts.en.body"), "rule-en-body");
        assert_eq!(input_of("rules"), "rules-check");
    }

    #[test]
    fn problems_find_their_rule_by_id_or_position() {
        let set = RuleSet::defaults().unwrap();
        let second = set.rules[1].id.clone();
        assert_eq!(rule_position(&set, &second), Some(1));
        assert_eq!(rule_position(&set, "#1"), Some(0));
        assert_eq!(rule_position(&set, "#0"), None);
        assert_eq!(rule_position(&set, "#999"), None);
    }

    #[test]
    fn numbers_that_are_not_numbers_fall_outside_every_range() {
        assert_eq!(number_of::<u16>(" 14 "), 14);
        assert_eq!(number_of::<u16>("abc"), u16::MAX);
        assert_eq!(number_of::<u8>("-1"), u8::MAX);
    }
}
