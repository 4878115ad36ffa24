//! Questionnaire templates: the publish checks (each finding names the place and the fix, in
//! both languages), versioning (a published version never changes; editing makes the next
//! draft) and the wire format.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use serde_json::{Value, json};
use sesshu_domain::questionnaire::texts::{Lang, TemplateTexts, required_keys};
use sesshu_domain::questionnaire::{
    Draft, ItemId, Place, Published, TemplateContent, TemplateError, TemplateErrorKind,
    validate_structure, validate_template,
};

/// A small valid template; tests break one thing at a time.
fn base() -> Value {
    json!({
        "vaccination_setting_id": "test_form",
        "vaccination_kinds": ["mr"],
        "sections": [
            {"id": "questions", "items": [
                {"id": "temperature", "type": "number", "unit": "℃", "min": 35.0, "max": 42.0, "step": 0.1, "required": true},
                {"id": "unwell", "type": "yes_no", "detail_when": "yes", "required": true},
                {"id": "under_care", "type": "yes_no", "required": true},
                {"id": "doctor_ok", "type": "yes_no", "required": true,
                 "show_when": {"item": "under_care", "equals": "yes"}},
                {"id": "kind", "type": "single_choice", "options": ["a", "b"]},
                {"id": "note", "type": "text", "max_chars": 100}
            ]},
            {"id": "consent", "items": [
                {"id": "consent", "type": "consent", "signers": ["guardian"], "required": true}
            ]},
            {"id": "doctor", "items": [
                {"id": "judgement", "type": "single_choice", "options": ["proceed", "postpone"], "required": true, "filled_by": "doctor"},
                {"id": "doctor_name", "type": "text", "max_chars": 100, "required": true, "filled_by": "doctor"}
            ]}
        ]
    })
}

fn content(v: Value) -> TemplateContent {
    serde_json::from_value(v).expect("template json")
}

/// Japanese texts for every key the template needs.
fn japanese_for(c: &TemplateContent) -> TemplateTexts {
    let mut ja = TemplateTexts::new(Lang::Ja);
    for (_, key) in required_keys(c) {
        ja.texts.insert(key.clone(), format!("文言 {key}"));
    }
    ja
}

fn item_mut(v: &mut Value, section: usize, item: usize) -> &mut Value {
    &mut v["sections"][section]["items"][item]
}

fn kinds(errors: &[TemplateError]) -> Vec<TemplateErrorKind> {
    errors.iter().map(|e| e.kind).collect()
}

fn at_item(id: &str) -> Place {
    Place::Item {
        id: ItemId::parse(id).unwrap(),
    }
}

/// The single finding of a template, checked for both languages.
fn only_error(v: Value) -> TemplateError {
    let errors = validate_structure(&content(v));
    assert_eq!(errors.len(), 1, "{errors:#?}");
    let e = errors.into_iter().next().unwrap();
    assert!(!e.en.is_empty() && !e.ja.is_empty());
    assert!(!e.en.ends_with('.'), "{}", e.en);
    e
}

#[test]
fn the_base_template_is_valid_and_publishes() {
    let c = content(base());
    assert_eq!(validate_structure(&c), vec![]);
    let published = Draft::new(c.clone()).publish(&japanese_for(&c)).unwrap();
    assert_eq!(published.version(), 1);
    assert_eq!(published.content(), &c);
}

#[test]
fn duplicate_item_ids_are_named() {
    let mut v = base();
    item_mut(&mut v, 0, 5)["id"] = json!("unwell");
    let e = only_error(v);
    assert_eq!(e.kind, TemplateErrorKind::DuplicateId);
    assert_eq!(e.place, at_item("unwell"));
    assert!(
        e.en.contains("`unwell` is used twice; rename one"),
        "{}",
        e.en
    );
    assert!(e.ja.contains("重複"), "{}", e.ja);
}

#[test]
fn duplicate_section_ids_and_empty_sections_are_errors() {
    let mut v = base();
    v["sections"][1]["id"] = json!("questions");
    v["sections"]
        .as_array_mut()
        .unwrap()
        .push(json!({"id": "empty", "items": []}));
    let errors = validate_structure(&content(v));
    assert_eq!(
        kinds(&errors),
        [
            TemplateErrorKind::DuplicateId,
            TemplateErrorKind::EmptySection
        ]
    );
}

#[test]
fn a_condition_on_a_missing_item_is_dangling() {
    let mut v = base();
    item_mut(&mut v, 0, 3)["show_when"] = json!({"item": "under_kare", "equals": "yes"});
    let e = only_error(v);
    assert_eq!(e.kind, TemplateErrorKind::UnknownConditionItem);
    assert_eq!(e.place, at_item("doctor_ok"));
    assert!(
        e.en.contains("`under_kare`, which is not on the form"),
        "{}",
        e.en
    );
}

#[test]
fn a_condition_on_a_later_item_is_an_error() {
    let mut v = base();
    item_mut(&mut v, 0, 1)["show_when"] = json!({"item": "under_care", "equals": "no"});
    let e = only_error(v);
    assert_eq!(e.kind, TemplateErrorKind::ConditionOnLaterItem);
    assert_eq!(e.place, at_item("unwell"));
    assert!(e.en.contains("move `under_care` before it"), "{}", e.en);
}

#[test]
fn a_condition_on_the_item_itself_is_an_error() {
    let mut v = base();
    item_mut(&mut v, 0, 2)["show_when"] = json!({"item": "under_care", "equals": "no"});
    let errors = validate_structure(&content(v));
    assert_eq!(
        kinds(&errors),
        [
            TemplateErrorKind::ConditionOnItself,
            TemplateErrorKind::NeverShown
        ]
    );
    assert_eq!(errors[0].place, at_item("under_care"));
    assert_eq!(errors[1].place, at_item("doctor_ok"), "its follow-up");
}

#[test]
fn conditions_going_round_in_a_circle_are_one_cycle_error() {
    let mut v = base();
    // under_care → doctor_ok → under_care
    item_mut(&mut v, 0, 2)["show_when"] = json!({"item": "doctor_ok", "equals": "yes"});
    let errors = validate_structure(&content(v));
    assert_eq!(
        kinds(&errors),
        [TemplateErrorKind::ConditionCycle],
        "{errors:#?}"
    );
    assert_eq!(errors[0].place, at_item("under_care"));
    assert!(
        errors[0]
            .en
            .contains("`under_care` → `doctor_ok` → `under_care`"),
        "{}",
        errors[0].en
    );
}

#[test]
fn a_condition_on_an_option_code_that_does_not_exist_is_named_with_the_valid_codes() {
    let mut v = base();
    item_mut(&mut v, 0, 3)["show_when"] = json!({"item": "under_care", "equals": "maybe"});
    let e = only_error(v);
    assert_eq!(e.kind, TemplateErrorKind::UnknownConditionOption);
    assert!(e.en.contains("(yes, no)"), "{}", e.en);
}

#[test]
fn a_required_item_whose_condition_contradicts_itself_can_never_be_shown() {
    let mut v = base();
    item_mut(&mut v, 0, 3)["show_when"] = json!({"all": [
        {"item": "under_care", "equals": "yes"},
        {"item": "under_care", "equals": "no"}
    ]});
    let e = only_error(v);
    assert_eq!(e.kind, TemplateErrorKind::NeverShown);
    assert!(
        e.en.contains("it is required but can never be shown"),
        "{}",
        e.en
    );
}

#[test]
fn an_item_depending_on_an_item_that_is_never_shown_is_never_shown_too() {
    let mut v = base();
    item_mut(&mut v, 0, 3)["show_when"] = json!({"item": "under_care", "equals": "nope"});
    item_mut(&mut v, 0, 4)["show_when"] = json!({"item": "doctor_ok", "equals": "yes"});
    let errors = validate_structure(&content(v));
    assert_eq!(
        kinds(&errors),
        [
            TemplateErrorKind::UnknownConditionOption,
            TemplateErrorKind::NeverShown
        ]
    );
    assert_eq!(errors[1].place, at_item("kind"));
}

#[test]
fn two_different_options_of_a_multiple_choice_item_can_be_wanted_at_once() {
    let mut v = base();
    item_mut(&mut v, 0, 4)["type"] = json!("multiple_choice");
    item_mut(&mut v, 0, 5)["show_when"] = json!({"all": [
        {"item": "kind", "equals": "a"},
        {"item": "kind", "equals": "b"}
    ]});
    assert_eq!(validate_structure(&content(v.clone())), vec![]);
    // …but not of a single-choice item.
    item_mut(&mut v, 0, 4)["type"] = json!("single_choice");
    assert_eq!(only_error(v).kind, TemplateErrorKind::NeverShown);
}

#[test]
fn any_is_shown_when_one_branch_can_hold() {
    let mut v = base();
    item_mut(&mut v, 0, 5)["show_when"] = json!({"any": [
        {"all": [{"item": "kind", "equals": "a"}, {"item": "kind", "equals": "b"}]},
        {"item": "unwell", "equals": "yes"}
    ]});
    assert_eq!(validate_structure(&content(v)), vec![]);
}

#[test]
fn empty_any_or_all_groups_are_errors() {
    let mut v = base();
    item_mut(&mut v, 0, 5)["show_when"] = json!({"any": []});
    assert_eq!(only_error(v).kind, TemplateErrorKind::EmptyCondition);
}

#[test]
fn conditions_cannot_refer_to_numbers_text_or_dates() {
    let mut v = base();
    item_mut(&mut v, 0, 5)["show_when"] = json!({"item": "temperature", "equals": "high"});
    assert_eq!(
        only_error(v).kind,
        TemplateErrorKind::ConditionOnUnsupportedItem
    );
}

#[test]
fn a_residents_question_cannot_depend_on_the_doctors_answer() {
    let mut v = base();
    v["sections"][2]["items"]
        .as_array_mut()
        .unwrap()
        .push(json!({"id": "ask_again", "type": "yes_no",
                     "show_when": {"item": "judgement", "equals": "postpone"}}));
    assert_eq!(
        only_error(v.clone()).kind,
        TemplateErrorKind::ConditionOnDoctorItem
    );
    // A doctor's item may depend on the doctor's answers.
    v["sections"][2]["items"][2]["filled_by"] = json!("doctor");
    assert_eq!(validate_structure(&content(v)), vec![]);
}

#[test]
fn choices_need_options() {
    let mut v = base();
    item_mut(&mut v, 0, 4)["options"] = json!(["a"]);
    let e = only_error(v.clone());
    assert_eq!(e.kind, TemplateErrorKind::TooFewOptions);
    assert!(e.en.contains("add at least 2"), "{}", e.en);
    item_mut(&mut v, 0, 4)["options"] = json!(["a", "b", "a"]);
    assert_eq!(only_error(v).kind, TemplateErrorKind::DuplicateOption);
}

#[test]
fn number_ranges_and_steps_must_make_sense() {
    let mut v = base();
    item_mut(&mut v, 0, 0)["min"] = json!(42.0);
    item_mut(&mut v, 0, 0)["max"] = json!(35.0);
    assert_eq!(only_error(v.clone()).kind, TemplateErrorKind::InvalidRange);
    item_mut(&mut v, 0, 0)["min"] = json!(35.0);
    item_mut(&mut v, 0, 0)["max"] = json!(42.0);
    item_mut(&mut v, 0, 0)["step"] = json!(0);
    assert_eq!(only_error(v.clone()).kind, TemplateErrorKind::InvalidStep);
    item_mut(&mut v, 0, 0)["step"] = json!(0.3);
    let e = only_error(v);
    assert_eq!(
        e.kind,
        TemplateErrorKind::InvalidStep,
        "7.0 is not a multiple of 0.3"
    );
}

#[test]
fn text_limits_must_be_between_1_and_2000() {
    let mut v = base();
    item_mut(&mut v, 0, 5)["max_chars"] = json!(0);
    assert_eq!(
        only_error(v.clone()).kind,
        TemplateErrorKind::InvalidTextLimit
    );
    item_mut(&mut v, 0, 1)["detail_max_chars"] = json!(5000);
    item_mut(&mut v, 0, 5)["max_chars"] = json!(100);
    assert_eq!(only_error(v).kind, TemplateErrorKind::InvalidTextLimit);
}

#[test]
fn the_consent_must_exist_once_and_be_the_residents_always_shown_required_item() {
    let mut v = base();
    v["sections"][1]["items"] = json!([{"id": "just_text", "type": "text", "max_chars": 10}]);
    assert_eq!(
        only_error(v.clone()).kind,
        TemplateErrorKind::MissingConsent
    );

    let mut v = base();
    v["sections"][1]["items"].as_array_mut().unwrap().push(
        json!({"id": "consent2", "type": "consent", "signers": ["guardian"], "required": true}),
    );
    assert_eq!(only_error(v).kind, TemplateErrorKind::MoreThanOneConsent);

    for (field, value, fix) in [
        ("required", json!(false), "make it required"),
        ("filled_by", json!("doctor"), "set filled_by to resident"),
        ("signers", json!([]), "list who may sign"),
        (
            "show_when",
            json!({"item": "unwell", "equals": "no"}),
            "remove its condition",
        ),
    ] {
        let mut v = base();
        v["sections"][1]["items"][0][field] = value;
        let e = only_error(v);
        assert_eq!(e.kind, TemplateErrorKind::ConsentMisconfigured, "{field}");
        assert!(e.en.contains(fix), "{field}: {}", e.en);
    }
}

#[test]
fn a_template_must_serve_a_vaccination_once_each() {
    let mut v = base();
    v["vaccination_kinds"] = json!([]);
    assert_eq!(
        only_error(v.clone()).kind,
        TemplateErrorKind::NoVaccinationKinds
    );
    v["vaccination_kinds"] = json!(["mr", "mr"]);
    assert_eq!(
        only_error(v).kind,
        TemplateErrorKind::DuplicateVaccinationKind
    );
}

#[test]
fn publishing_needs_every_japanese_text_and_names_the_missing_keys_where_they_belong() {
    let c = content(base());
    let mut ja = japanese_for(&c);
    ja.texts.remove("option.kind.b");
    ja.texts.insert("section.doctor".into(), "  ".into());
    let errors = Draft::new(c).publish(&ja).unwrap_err();
    assert_eq!(
        kinds(&errors),
        [
            TemplateErrorKind::MissingJapaneseText,
            TemplateErrorKind::MissingJapaneseText
        ]
    );
    assert_eq!(errors[0].place, at_item("kind"));
    assert!(
        errors[0]
            .en
            .contains("`option.kind.b` is missing; write it")
    );
    assert!(errors[0].ja.contains("option.kind.b"));
    assert!(matches!(errors[1].place, Place::Section { .. }));
}

#[test]
fn publishing_with_texts_of_another_language_is_refused() {
    let c = content(base());
    let mut en = japanese_for(&c);
    en.lang = Lang::En;
    let errors = validate_template(&c, &en).unwrap_err();
    assert_eq!(kinds(&errors), [TemplateErrorKind::NotJapanese]);
}

#[test]
fn editing_a_published_version_makes_the_next_versions_draft_and_leaves_it_alone() {
    let c = content(base());
    let ja = japanese_for(&c);
    let v1: Published = Draft::new(c).publish(&ja).unwrap();
    let mut draft = v1.new_draft();
    assert_eq!(draft.version(), 2);
    draft.content.sections[0].items.remove(5);
    let v2 = draft.publish(&ja).unwrap();
    assert_eq!(v2.version(), 2);
    assert_eq!(v1.content().sections[0].items.len(), 6, "v1 unchanged");
    assert_eq!(v2.content().sections[0].items.len(), 5);
}

#[test]
fn a_draft_that_fails_validation_stays_a_draft() {
    let mut v = base();
    item_mut(&mut v, 0, 4)["options"] = json!([]);
    let c = content(v);
    let draft = Draft::new(c.clone());
    assert!(draft.publish(&japanese_for(&c)).is_err());
    assert_eq!(draft.version(), 1);
}

#[test]
fn templates_carry_their_version_and_status_on_the_wire() {
    let c = content(base());
    let published = Draft::new(c.clone()).publish(&japanese_for(&c)).unwrap();
    let json = serde_json::to_value(&published).unwrap();
    assert_eq!(json["status"], "published");
    assert_eq!(json["version"], 1);
    assert_eq!(json["sections"][0]["items"][0]["type"], "number");
    assert_eq!(json["sections"][0]["items"][0]["min"], 35);
    assert_eq!(json["sections"][0]["items"][0]["step"], 0.1);
    let back: Published = serde_json::from_value(json.clone()).unwrap();
    assert_eq!(back, published);
    // A published document cannot be read as a draft, nor the other way round.
    assert!(serde_json::from_value::<Draft>(json).is_err());
    let draft_json = serde_json::to_value(published.new_draft()).unwrap();
    assert_eq!(draft_json["status"], "draft");
    assert_eq!(draft_json["version"], 2);
    assert!(serde_json::from_value::<Published>(draft_json).is_err());
}

#[test]
fn a_stored_published_template_with_a_broken_structure_does_not_load() {
    let mut v = base();
    v["version"] = json!(3);
    v["status"] = json!("published");
    item_mut(&mut v, 0, 3)["show_when"] = json!({"item": "gone", "equals": "yes"});
    let err = serde_json::from_value::<Published>(v.clone())
        .unwrap_err()
        .to_string();
    assert!(err.contains("`gone`, which is not on the form"), "{err}");
    // As a draft it loads, to be fixed in the editor.
    v["status"] = json!("draft");
    assert!(serde_json::from_value::<Draft>(v).is_ok());
}

#[test]
fn version_zero_and_malformed_ids_do_not_load() {
    let mut v = base();
    v["version"] = json!(0);
    v["status"] = json!("draft");
    assert!(serde_json::from_value::<Draft>(v.clone()).is_err());
    v["version"] = json!(1);
    item_mut(&mut v, 0, 0)["id"] = json!("Temperature");
    assert!(serde_json::from_value::<Draft>(v).is_err());
}

#[test]
fn unknown_fields_in_a_condition_are_refused() {
    let mut v = base();
    item_mut(&mut v, 0, 3)["show_when"] =
        json!({"item": "under_care", "equals": "yes", "negate": true});
    assert!(serde_json::from_value::<TemplateContent>(v).is_err());
}
