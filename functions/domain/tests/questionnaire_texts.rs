//! Template texts: one bundle per language keyed by item id and option code, with Japanese
//! wherever a language lacks a key.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use sesshu_domain::questionnaire::defaults::shipped;
use sesshu_domain::questionnaire::texts::{
    Lang, TemplateTexts, keys, missing_keys, required_keys, resolve, unused_keys,
};
use sesshu_domain::questionnaire::{ItemId, OptionCode, Place};

fn infant() -> (
    sesshu_domain::questionnaire::Published,
    TemplateTexts,
    TemplateTexts,
) {
    let s = shipped("infant_general").unwrap();
    (
        s.template().unwrap(),
        s.texts(Lang::Ja).unwrap().unwrap(),
        s.texts(Lang::Vi).unwrap().unwrap(),
    )
}

#[test]
fn a_language_lacking_a_key_shows_that_key_in_japanese() {
    let (template, ja, mut vi) = infant();
    let key = keys::item(&ItemId::parse("transfusion").unwrap());
    vi.texts.remove(&key);
    let resolved = resolve(template.content(), Some(&vi), &ja);
    assert_eq!(resolved.lang, Lang::Vi);
    assert_eq!(resolved.get(&key), ja.get(&key));
    assert_eq!(resolved.fallen_back, vec![key.clone()]);
    assert_eq!(missing_keys(template.content(), &vi), vec![key]);
    // Everything else stays Vietnamese.
    assert_eq!(resolved.get(keys::YES), Some("Có"));
}

#[test]
fn a_blank_text_counts_as_missing() {
    let (template, ja, mut vi) = infant();
    vi.texts.insert(keys::TITLE.into(), " ".into());
    let resolved = resolve(template.content(), Some(&vi), &ja);
    assert_eq!(resolved.get(keys::TITLE), ja.get(keys::TITLE));
    assert_eq!(resolved.fallen_back, vec![keys::TITLE.to_owned()]);
}

#[test]
fn a_language_without_any_file_is_all_japanese() {
    let (template, ja, _) = infant();
    let resolved = resolve(template.content(), None, &ja);
    assert_eq!(resolved.lang, Lang::Ja);
    assert!(resolved.fallen_back.is_empty());
    for (_, key) in required_keys(template.content()) {
        assert_eq!(resolved.get(&key), ja.get(&key), "{key}");
    }
}

#[test]
fn every_required_key_belongs_to_a_place_in_the_template() {
    let (template, _, _) = infant();
    let keys = required_keys(template.content());
    let rotavirus = keys::option(
        &ItemId::parse("vaccines_today").unwrap(),
        &OptionCode::parse("rotavirus").unwrap(),
    );
    let place = keys
        .iter()
        .find(|(_, k)| *k == rotavirus)
        .map(|(p, _)| p.clone());
    assert_eq!(
        place,
        Some(Place::Item {
            id: ItemId::parse("vaccines_today").unwrap()
        })
    );
    assert!(
        keys.iter()
            .any(|(p, k)| *p == Place::Template && k == "signer.guardian")
    );
    assert!(
        !keys.iter().any(|(_, k)| k == "signer.proxy"),
        "a child's form has no proxy"
    );
    assert!(keys.iter().any(|(_, k)| k == "item.convulsion.detail"));
    assert!(!keys.iter().any(|(_, k)| k == "item.transfusion.detail"));
}

#[test]
fn leftover_keys_are_reported_as_unused() {
    let (template, _, mut vi) = infant();
    vi.texts.insert("item.removed_question".into(), "x".into());
    assert_eq!(
        unused_keys(template.content(), &vi),
        vec!["item.removed_question".to_owned()]
    );
}

#[test]
fn text_files_name_their_language_with_a_bcp47_tag() {
    let json = r#"{"lang": "zh-Hans", "texts": {"title": "标题"}}"#;
    let texts: TemplateTexts = serde_json::from_str(json).unwrap();
    assert_eq!(texts.lang, Lang::ZhHans);
    assert!(serde_json::from_str::<TemplateTexts>(r#"{"lang": "zh", "texts": {}}"#).is_err());
}
