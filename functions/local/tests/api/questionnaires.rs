//! Questionnaires (予診票) through the real router: proxies filling in their children's forms,
//! who may reach whose forms, the life of a response (autosave, pruning, concurrency, submit,
//! correct, withdraw, use, expiry), print data, the operation log, and the staff's template
//! versions.

use axum::http::{Method, StatusCode};
use serde_json::{Value, json};
use sesshu_core::directory::{Directory, Residence};
use sesshu_core::questionnaires::responses;
use sesshu_domain::id::MunicipalBusinessId;
use sesshu_domain::person::{
    ChangeKind, ControlFlags, FeeExemption, KanaName, PersonName, Sex, SubjectCategory,
    TargetPerson,
};
use sesshu_domain::questionnaire::{
    AnswerValue, Answers, ConsentAnswer, FilledBy, ItemKind, Published, Signer, YesNo,
    visible_items,
};
use sesshu_domain::{MunicipalityCode, MyNumber, PmhKey, PmhPseudonym, SubjectNo};
use sesshu_local::CLIENT_ID;
use sesshu_simulators::mynaportal::ProxyClaims;
use time::{Date, Duration};

use crate::helpers::{TestApp, spawn_app};

const CHIYODA: &str = "131016";
const OSAKA: &str = "271004";
const GUARDIAN: &str = "試験　花子";

fn csrf() -> [(&'static str, &'static str); 2] {
    [
        ("content-type", "application/json"),
        ("x-requested-with", "sesshu"),
    ]
}

/// A synthetic person registered directly in a municipality (and in the directory), with a
/// pseudonym a test can log in with.
struct Registered {
    subject: SubjectNo,
    pseudonym: PmhPseudonym,
    pmh_key: PmhKey,
}

async fn register(
    app: &TestApp,
    municipality: &str,
    tag: &str,
    name: &str,
    birth_date: Date,
    guardian: Option<&str>,
) -> Registered {
    let code = MunicipalityCode::parse(municipality).unwrap();
    let tenant = app.system.platform.tenant(&code).unwrap();
    let subject = sesshu_core::persons::subjects::allocate(&tenant, 1)
        .await
        .unwrap()
        .pop()
        .unwrap();
    let digits: String = tag
        .bytes()
        .map(|b| char::from(b'0' + b % 10))
        .chain(std::iter::repeat('7'))
        .take(11)
        .collect();
    let pmh_key = PmhKey::parse(&format!("KQTEST{}{tag}", municipality)).unwrap();
    let pseudonym = PmhPseudonym::parse(&format!("psn_qtest_{municipality}_{tag}")).unwrap();
    let person = TargetPerson {
        subject_no: subject.clone(),
        municipality_code: code.clone(),
        my_number: MyNumber::from_body(&digits).unwrap(),
        pmh_key: Some(pmh_key.clone()),
        pmh_pseudonym: Some(pseudonym.clone()),
        name: PersonName::parse(name).unwrap(),
        name_kana: KanaName::parse("シケン　タロウ").unwrap(),
        address: format!("東京都千代田区試験町1-{tag}"),
        birth_date,
        sex: Sex::Male,
        guardian_name: guardian.map(|g| PersonName::parse(g).unwrap()),
        municipal_business_id: MunicipalBusinessId::parse(&format!("Q{digits}")).unwrap(),
        change_kind: ChangeKind::New,
        moved_out_on: None,
        other_management_no: None,
        control_flags: ControlFlags::default(),
        subject_category: SubjectCategory::Routine,
        fee_exemption: FeeExemption::None,
        link: None,
    };
    sesshu_core::persons::register(&tenant, &person)
        .await
        .unwrap();
    Directory::new(app.system.platform.directory_store().clone())
        .record_residence(
            &pmh_key,
            &Residence {
                municipality: code,
                subject_no: subject.clone(),
            },
        )
        .await
        .unwrap();
    Registered {
        subject,
        pseudonym,
        pmh_key,
    }
}

fn today(app: &TestApp) -> Date {
    use sesshu_core::clock::Clock;
    sesshu_core::questionnaires::japan_date(app.clock.now())
}

/// A family in Chiyoda: a guardian (a target person herself), her baby, her grown-up son who
/// still names her as guardian, and a neighbour's baby.
struct Family {
    guardian: Registered,
    baby: Registered,
    adult: Registered,
    neighbour: Registered,
}

async fn family(app: &TestApp) -> Family {
    let today = today(app);
    Family {
        guardian: register(
            app,
            CHIYODA,
            "01",
            GUARDIAN,
            today - Duration::days(35 * 365),
            None,
        )
        .await,
        // 14 months old: MR stage 1 and the infant series are due.
        baby: register(
            app,
            CHIYODA,
            "02",
            "試験　蓮",
            today - Duration::days(427),
            Some("試験 花子"),
        )
        .await,
        adult: register(
            app,
            CHIYODA,
            "03",
            "試験　大輔",
            today - Duration::days(25 * 365),
            Some(GUARDIAN),
        )
        .await,
        neighbour: register(
            app,
            CHIYODA,
            "04",
            "隣人　陽太",
            today - Duration::days(427),
            Some("隣人　一郎"),
        )
        .await,
    }
}

/// Logs in as `who`, as a proxy naming `name` and `principals` when given.
async fn login_person(
    app: &TestApp,
    who: &Registered,
    proxy: Option<(&str, &[&Registered])>,
) -> String {
    let claims = proxy.map(|(name, principals)| ProxyClaims {
        name: name.to_owned(),
        principals: principals
            .iter()
            .map(|p| (p.pseudonym.clone(), Some(p.pmh_key.clone())))
            .collect(),
    });
    let (cookie, _) = app
        .login_with_token(
            |nonce| {
                app.system.mynaportal.issue_id_token_with(
                    CLIENT_ID,
                    &who.pseudonym,
                    Some(&who.pmh_key),
                    Some(nonce),
                    app.clock_now(),
                    claims.as_ref(),
                )
            },
            None,
        )
        .await
        .unwrap_or_else(|status| panic!("login failed with {status}"));
    cookie
}

/// `GET /api/resident/people`.
async fn people_of(app: &TestApp, cookie: &str) -> Vec<Value> {
    let response = app.get("/api/resident/people", Some(cookie)).await;
    assert_eq!(response.status, StatusCode::OK);
    response.json()["people"].as_array().unwrap().clone()
}

/// A JSON request with the CSRF header.
async fn send_json(
    app: &TestApp,
    method: Method,
    uri: &str,
    cookie: &str,
    body: Value,
) -> crate::helpers::TestResponse {
    app.request(method, uri, Some(cookie), &csrf(), Some(body.to_string()))
        .await
}

fn handle_of(people: &[Value], relation: &str, name: &str) -> String {
    people
        .iter()
        .find(|p| p["relation"] == relation && p["name"] == name)
        .unwrap_or_else(|| panic!("no {relation} entry for the person in {people:?}"))["handle"]
        .as_str()
        .unwrap()
        .to_owned()
}

/// Answers every resident item the form shows, the harmless way ("no", the first option, the
/// lowest number, today), until the shown items are all answered; the consent signed by
/// `signer`.
fn fill_in(template: &Published, signer: Signer, today: Date) -> Answers {
    let mut answers = Answers::new();
    loop {
        let mut added = false;
        for item in visible_items(template.content(), &answers) {
            if item.filled_by != FilledBy::Resident || answers.get(&item.id).is_some() {
                continue;
            }
            let value = match &item.kind {
                ItemKind::YesNo { detail_when, .. } => {
                    if *detail_when == Some(YesNo::No) {
                        AnswerValue::YesNo {
                            answer: YesNo::No,
                            detail: Some("特になし".into()),
                        }
                    } else {
                        AnswerValue::yes_no(YesNo::No)
                    }
                }
                ItemKind::SingleChoice { options } => AnswerValue::Choice(options[0].clone()),
                ItemKind::MultipleChoice { options } => {
                    AnswerValue::Choices(vec![options[0].clone()])
                }
                ItemKind::Number { min, .. } => AnswerValue::Number(*min),
                ItemKind::Date => AnswerValue::Date(today),
                ItemKind::Text { .. } => AnswerValue::Text("なし".into()),
                ItemKind::Consent { signers } => AnswerValue::Consent(ConsentAnswer {
                    agreed: true,
                    signer: if signers.contains(&signer) {
                        signer
                    } else {
                        signers[0]
                    },
                    signer_name: GUARDIAN.into(),
                    relationship: Some("母".into()),
                }),
            };
            answers.insert(item.id.clone(), value);
            added = true;
        }
        if !added {
            return answers;
        }
    }
}

fn template_of(view: &Value) -> Published {
    serde_json::from_value(view["template"].clone()).unwrap()
}

/// A proxy session for the family's guardian, the baby's handle and a started infant form.
/// Mynaportal spells her name with an ASCII space and municipal data with a full-width one.
async fn baby_form(app: &TestApp, family: &Family) -> (String, String, Value) {
    let cookie = login_person(app, &family.guardian, Some(("試験 花子", &[&family.baby]))).await;
    let people = people_of(app, &cookie).await;
    let baby = handle_of(&people, "proxy", "試験　蓮");
    let started = send_json(
        app,
        Method::POST,
        &format!("/api/resident/people/{baby}/responses"),
        &cookie,
        json!({"setting": "infant_general", "lang": "ja"}),
    )
    .await;
    assert_eq!(
        started.status,
        StatusCode::CREATED,
        "{}",
        String::from_utf8_lossy(&started.body)
    );
    (cookie, baby, started.json())
}

fn response_uri(person: &str, id: &str, tail: &str) -> String {
    format!("/api/resident/people/{person}/responses/{id}{tail}")
}

#[tokio::test]
async fn a_parent_as_proxy_fills_saves_and_submits_the_childs_infant_form() {
    let app = spawn_app().await;
    let family = family(&app).await;
    let cookie = login_person(&app, &family.guardian, Some((GUARDIAN, &[&family.baby]))).await;
    let people = people_of(&app, &cookie).await;
    assert_eq!(people.len(), 2, "herself and her baby: {people:?}");
    handle_of(&people, "self", GUARDIAN);
    let baby = handle_of(&people, "proxy", "試験　蓮");
    assert!(
        !people.iter().any(|p| p["handle"]
            .as_str()
            .unwrap()
            .contains(family.baby.subject.as_str())),
        "handles never carry subject numbers"
    );

    let list = app
        .get(
            &format!("/api/resident/people/{baby}/questionnaires?lang=en"),
            Some(&cookie),
        )
        .await;
    assert_eq!(list.status, StatusCode::OK);
    let list = list.json();
    assert_eq!(list["basis"], "schedule");
    let infant = list["fillable"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["setting"] == "infant_general")
        .expect("a 14-month-old can fill in the infant form");
    assert!(
        infant["vaccinations"]
            .as_array()
            .unwrap()
            .iter()
            .any(|v| v["kind"] == "mr"),
        "MR stage 1 is due at 14 months: {infant}"
    );
    assert!(
        !list["fillable"]
            .as_array()
            .unwrap()
            .iter()
            .any(|f| f["setting"] == "influenza_elderly"),
        "a baby gets no elderly form"
    );

    let started = send_json(
        &app,
        Method::POST,
        &format!("/api/resident/people/{baby}/responses"),
        &cookie,
        json!({"setting": "infant_general", "lang": "en"}),
    )
    .await;
    assert_eq!(started.status, StatusCode::CREATED);
    let started = started.json();
    assert_eq!(started["status"], "draft");
    assert_eq!(started["template_version"], 1);
    assert_eq!(started["texts"]["lang"], "en");
    assert_eq!(started["history"][0]["actor"], "proxy");
    let id = started["id"].as_str().unwrap().to_owned();

    let again = send_json(
        &app,
        Method::POST,
        &format!("/api/resident/people/{baby}/responses"),
        &cookie,
        json!({"setting": "infant_general", "lang": "en"}),
    )
    .await;
    assert_eq!(again.status, StatusCode::OK, "the open draft is returned");
    assert_eq!(again.json()["id"], id.as_str());

    let answers = fill_in(&template_of(&started), Signer::Guardian, today(&app));
    let saved = send_json(
        &app,
        Method::PUT,
        &response_uri(&baby, &id, ""),
        &cookie,
        json!({"version": started["version"], "answers": answers}),
    )
    .await;
    assert_eq!(
        saved.status,
        StatusCode::OK,
        "{}",
        String::from_utf8_lossy(&saved.body)
    );
    let version = saved.json()["version"].clone();
    let submitted = send_json(
        &app,
        Method::POST,
        &response_uri(&baby, &id, "/submit"),
        &cookie,
        json!({"version": version}),
    )
    .await;
    assert_eq!(
        submitted.status,
        StatusCode::OK,
        "{}",
        String::from_utf8_lossy(&submitted.body)
    );
    let submitted = submitted.json();
    assert_eq!(submitted["status"], "submitted");
    assert_eq!(submitted["validity_days"], 60);
    let expected = today(&app) + Duration::days(60);
    assert_eq!(
        submitted["expires_on"],
        sesshu_domain::iso_date::format(expected)
    );
    assert!(submitted["submitted_at"].is_string());

    let view = app
        .get(&response_uri(&baby, &id, "?lang=vi"), Some(&cookie))
        .await
        .json();
    assert_eq!(view["status"], "submitted");
    assert_eq!(view["texts"]["lang"], "vi");
    assert_eq!(view["editable"], false);
    assert_eq!(view["correctable"], true);
    let events: Vec<&str> = view["history"]
        .as_array()
        .unwrap()
        .iter()
        .map(|h| h["event"].as_str().unwrap())
        .collect();
    assert_eq!(events, ["created", "saved", "submitted"]);

    // The parent's own list knows nothing of the baby's form.
    let own = handle_of(&people, "self", GUARDIAN);
    let mine = app
        .get(
            &format!("/api/resident/people/{own}/questionnaires"),
            Some(&cookie),
        )
        .await
        .json();
    assert!(mine["responses"].as_array().unwrap().is_empty());
    assert_eq!(
        app.get(&response_uri(&own, &id, ""), Some(&cookie))
            .await
            .status,
        StatusCode::NOT_FOUND,
        "a response is reachable only under its own person"
    );
}

#[tokio::test]
async fn a_guardian_cannot_reach_a_non_child_or_someone_elses_child() {
    let app = spawn_app().await;
    let family = family(&app).await;
    let cookie = login_person(
        &app,
        &family.guardian,
        Some((GUARDIAN, &[&family.baby, &family.adult, &family.neighbour])),
    )
    .await;
    let people = people_of(&app, &cookie).await;
    let names: Vec<&str> = people.iter().map(|p| p["name"].as_str().unwrap()).collect();
    assert_eq!(
        names,
        [GUARDIAN, "試験　蓮"],
        "the 25-year-old and the neighbour's child are not accepted"
    );

    // The neighbour's own guardian gets a handle; it means nothing in our session.
    let neighbours_parent = register(
        &app,
        CHIYODA,
        "05",
        "隣人　一郎",
        today(&app) - Duration::days(40 * 365),
        None,
    )
    .await;
    let theirs = login_person(
        &app,
        &neighbours_parent,
        Some(("隣人　一郎", &[&family.neighbour])),
    )
    .await;
    let their_people = people_of(&app, &theirs).await;
    let neighbour = handle_of(&their_people, "proxy", "隣人　陽太");
    let (status, body) = {
        let r = app
            .get(
                &format!("/api/resident/people/{neighbour}/questionnaires"),
                Some(&cookie),
            )
            .await;
        (r.status, r.json())
    };
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert_eq!(body["code"], "not_found");
    let write = send_json(
        &app,
        Method::POST,
        &format!("/api/resident/people/{neighbour}/responses"),
        &cookie,
        json!({"setting": "infant_general", "lang": "ja"}),
    )
    .await;
    assert_eq!(write.status, StatusCode::NOT_FOUND);

    // Without a proxy login the guardian reaches only herself.
    let plain = login_person(&app, &family.guardian, None).await;
    assert_eq!(people_of(&app, &plain).await.len(), 1);

    // The baby logging in on their own (a child session) never reaches the parent.
    let child = login_person(&app, &family.baby, None).await;
    let child_people = people_of(&app, &child).await;
    assert_eq!(child_people.len(), 1);
    assert_eq!(child_people[0]["relation"], "self");
    let parents_handle = handle_of(&people, "self", GUARDIAN);
    assert_eq!(
        app.get(
            &format!("/api/resident/people/{parents_handle}/questionnaires"),
            Some(&child)
        )
        .await
        .status,
        StatusCode::NOT_FOUND
    );

    // Nothing about the refused persons is in the log as allowed.
    let admin = app.staff_login(CHIYODA, "admin").await;
    let entries = app
        .audit_entries_eventually(CHIYODA, &admin, "resident.", 1)
        .await;
    for refused in [&family.adult.subject, &family.neighbour.subject] {
        assert!(
            !entries.iter().any(|e| e["actor"]
                .as_str()
                .unwrap()
                .starts_with("proxy:psn_qtest_131016_01")
                && e["subjects"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .any(|s| s == refused.as_str())),
            "a refused person was logged as reached"
        );
    }
}

#[tokio::test]
async fn a_proxy_is_refused_as_soon_as_the_municipality_records_another_guardian() {
    let app = spawn_app().await;
    let family = family(&app).await;
    let (cookie, baby, started) = baby_form(&app, &family).await;
    let id = started["id"].as_str().unwrap().to_owned();
    // The municipality records another guardian: the next request is refused.
    let tenant = app
        .system
        .platform
        .tenant(&MunicipalityCode::parse(CHIYODA).unwrap())
        .unwrap();
    let (mut person, version) = sesshu_core::persons::get(&tenant, &family.baby.subject)
        .await
        .unwrap()
        .unwrap();
    person.guardian_name = Some(PersonName::parse("別人　次郎").unwrap());
    let input = sesshu_domain::person_input::PersonInput::from_person(&person);
    let update = sesshu_core::persons::edit::update(
        &tenant,
        &family.baby.subject,
        &input,
        version,
        "staff:test",
        time::OffsetDateTime::now_utc(),
    )
    .await;
    update.unwrap();
    assert_eq!(
        app.get(&response_uri(&baby, &id, ""), Some(&cookie))
            .await
            .status,
        StatusCode::NOT_FOUND
    );
    assert!(
        !people_of(&app, &cookie)
            .await
            .iter()
            .any(|p| p["relation"] == "proxy")
    );
}

#[tokio::test]
async fn a_resident_of_one_municipality_cannot_reach_a_form_of_another() {
    let app = spawn_app().await;
    let family = family(&app).await;
    let (_, baby, started) = baby_form(&app, &family).await;
    let id = started["id"].as_str().unwrap().to_owned();
    let osaka_child = register(
        &app,
        OSAKA,
        "06",
        "大阪　花",
        today(&app) - Duration::days(427),
        Some("大阪　母"),
    )
    .await;
    let osaka = login_person(&app, &osaka_child, None).await;
    let own = people_of(&app, &osaka).await;
    assert_eq!(own.len(), 1);
    assert_eq!(own[0]["municipality"]["code"], OSAKA);
    let own = own[0]["handle"].as_str().unwrap().to_owned();
    for uri in [
        response_uri(&own, &id, ""),
        response_uri(&own, &id, "/print"),
        response_uri(&baby, &id, ""),
    ] {
        assert_eq!(
            app.get(&uri, Some(&osaka)).await.status,
            StatusCode::NOT_FOUND,
            "{uri}"
        );
    }
    let withdraw = send_json(
        &app,
        Method::POST,
        &response_uri(&own, &id, "/withdraw"),
        &osaka,
        json!({"version": 1}),
    )
    .await;
    assert_eq!(withdraw.status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn saving_prunes_hidden_doctor_and_unknown_answers_and_a_stale_version_conflicts() {
    let app = spawn_app().await;
    let family = family(&app).await;
    let (cookie, baby, started) = baby_form(&app, &family).await;
    let id = started["id"].as_str().unwrap().to_owned();
    let answers = json!({
        "convulsion": {"yes_no": {"answer": "no"}},
        "convulsion_fever": {"yes_no": {"answer": "yes"}},
        "judgement": {"choice": "proceed"},
        "temperature": {"number": 36.5}
    });
    let saved = send_json(
        &app,
        Method::PUT,
        &response_uri(&baby, &id, ""),
        &cookie,
        json!({"version": started["version"], "answers": answers}),
    )
    .await;
    assert_eq!(
        saved.status,
        StatusCode::OK,
        "{}",
        String::from_utf8_lossy(&saved.body)
    );
    let saved = saved.json();
    let kept: Vec<&String> = saved["answers"].as_object().unwrap().keys().collect();
    assert_eq!(kept, ["convulsion", "temperature"]);
    let mut removed: Vec<&str> = saved["removed"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r.as_str().unwrap())
        .collect();
    removed.sort();
    assert_eq!(removed, ["convulsion_fever", "judgement"]);
    let stored = app
        .get(&response_uri(&baby, &id, ""), Some(&cookie))
        .await
        .json();
    assert!(stored["answers"].get("convulsion_fever").is_none());

    let stale = send_json(
        &app,
        Method::PUT,
        &response_uri(&baby, &id, ""),
        &cookie,
        json!({"version": started["version"], "answers": {}}),
    )
    .await;
    assert_eq!(stale.status, StatusCode::CONFLICT);
    assert_eq!(stale.json()["code"], "stale_version");
    let after = app
        .get(&response_uri(&baby, &id, ""), Some(&cookie))
        .await
        .json();
    assert_eq!(
        after["version"], saved["version"],
        "the stale save changed nothing"
    );
}

#[tokio::test]
async fn submitting_lists_the_missing_required_items_without_values() {
    let app = spawn_app().await;
    let family = family(&app).await;
    let (cookie, baby, started) = baby_form(&app, &family).await;
    let id = started["id"].as_str().unwrap().to_owned();
    let saved = send_json(
        &app,
        Method::PUT,
        &response_uri(&baby, &id, ""),
        &cookie,
        json!({"version": started["version"], "answers": {"temperature": {"number": 36.55}}}),
    )
    .await
    .json();
    let refused = send_json(
        &app,
        Method::POST,
        &response_uri(&baby, &id, "/submit"),
        &cookie,
        json!({"version": saved["version"]}),
    )
    .await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    let body = refused.json();
    assert_eq!(body["code"], "invalid_answers");
    let items = body["items"].as_array().unwrap();
    let of = |id: &str| items.iter().find(|i| i["item"] == id).cloned();
    assert_eq!(of("temperature").unwrap()["kind"], "off_step");
    assert_eq!(of("consent").unwrap()["kind"], "required");
    assert_eq!(of("convulsion").unwrap()["kind"], "required");
    assert!(
        of("convulsion_fever").is_none(),
        "a hidden follow-up is not required"
    );
    assert!(
        items
            .iter()
            .all(|i| i["ja"].is_string() && i["en"].is_string())
    );
    assert!(
        !String::from_utf8_lossy(&refused.body).contains("36.55"),
        "no value echoed"
    );
    let still = app
        .get(&response_uri(&baby, &id, ""), Some(&cookie))
        .await
        .json();
    assert_eq!(still["status"], "draft");
}

async fn submitted_baby_form(app: &TestApp, family: &Family) -> (String, String, String, Value) {
    let (cookie, baby, started) = baby_form(app, family).await;
    let id = started["id"].as_str().unwrap().to_owned();
    let answers = fill_in(&template_of(&started), Signer::Guardian, today(app));
    let saved = send_json(
        app,
        Method::PUT,
        &response_uri(&baby, &id, ""),
        &cookie,
        json!({"version": started["version"], "answers": answers}),
    )
    .await
    .json();
    let submitted = send_json(
        app,
        Method::POST,
        &response_uri(&baby, &id, "/submit"),
        &cookie,
        json!({"version": saved["version"]}),
    )
    .await;
    assert_eq!(submitted.status, StatusCode::OK);
    (cookie, baby, id, submitted.json())
}

#[tokio::test]
async fn a_submitted_form_is_corrected_and_withdrawn_until_the_clinic_uses_it() {
    let app = spawn_app().await;
    let family = family(&app).await;
    let (cookie, baby, id, submitted) = submitted_baby_form(&app, &family).await;
    let view = app
        .get(&response_uri(&baby, &id, ""), Some(&cookie))
        .await
        .json();
    let mut answers = view["answers"].clone();
    answers["temperature"] = json!({"number": 37.2});
    let corrected = send_json(
        &app,
        Method::POST,
        &response_uri(&baby, &id, "/correct"),
        &cookie,
        json!({"version": submitted["version"], "answers": answers}),
    )
    .await;
    assert_eq!(
        corrected.status,
        StatusCode::OK,
        "{}",
        String::from_utf8_lossy(&corrected.body)
    );
    let corrected = corrected.json();
    assert_eq!(corrected["status"], "submitted");
    assert_eq!(
        corrected["expires_on"], submitted["expires_on"],
        "a correction does not extend the form"
    );
    assert_eq!(corrected["submitted_at"], submitted["submitted_at"]);
    let mut broken = answers.clone();
    broken.as_object_mut().unwrap().remove("consent");
    let refused = send_json(
        &app,
        Method::POST,
        &response_uri(&baby, &id, "/correct"),
        &cookie,
        json!({"version": corrected["version"], "answers": broken}),
    )
    .await;
    assert_eq!(
        refused.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "a correction is checked like a submission"
    );

    // The clinic uses it.
    let tenant = app
        .system
        .platform
        .tenant(&MunicipalityCode::parse(CHIYODA).unwrap())
        .unwrap();
    let now = {
        use sesshu_core::clock::Clock;
        app.clock.now()
    };
    let (used, _) = responses::mark_used(&tenant, &family.baby.subject, &id, now, today(&app))
        .await
        .unwrap();
    assert_eq!(used.status, responses::StoredStatus::Used);
    let again = responses::mark_used(&tenant, &family.baby.subject, &id, now, today(&app)).await;
    assert!(
        matches!(
            again,
            Err(sesshu_core::CoreError::StateConflict {
                code: "already_used",
                ..
            })
        ),
        "a used form is used once"
    );
    let view = app
        .get(&response_uri(&baby, &id, ""), Some(&cookie))
        .await
        .json();
    assert_eq!(view["status"], "used");
    assert_eq!(view["correctable"], false);
    assert_eq!(view["withdrawable"], false);
    assert_eq!(
        view["history"].as_array().unwrap().last().unwrap()["actor"],
        "clinic"
    );
    for (tail, body) in [
        (
            "/correct",
            json!({"version": view["version"], "answers": answers}),
        ),
        ("/withdraw", json!({"version": view["version"]})),
    ] {
        let refused = send_json(
            &app,
            Method::POST,
            &response_uri(&baby, &id, tail),
            &cookie,
            body,
        )
        .await;
        assert_eq!(refused.status, StatusCode::CONFLICT, "{tail}");
        assert_eq!(refused.json()["code"], "already_used");
    }

    // A second form of the same setting is withdrawn before use.
    let second = send_json(
        &app,
        Method::POST,
        &format!("/api/resident/people/{baby}/responses"),
        &cookie,
        json!({"setting": "infant_general", "lang": "ja"}),
    )
    .await;
    assert_eq!(
        second.status,
        StatusCode::CREATED,
        "a new draft after the used one"
    );
    let second = second.json();
    let withdrawn = send_json(
        &app,
        Method::POST,
        &response_uri(&baby, second["id"].as_str().unwrap(), "/withdraw"),
        &cookie,
        json!({"version": second["version"]}),
    )
    .await;
    assert_eq!(withdrawn.status, StatusCode::OK);
    assert_eq!(withdrawn.json()["status"], "withdrawn");
    let drafts_used = responses::mark_used(
        &tenant,
        &family.baby.subject,
        second["id"].as_str().unwrap(),
        now,
        today(&app),
    )
    .await;
    assert!(drafts_used.is_err(), "a withdrawn form cannot be used");
}

#[tokio::test]
async fn an_expired_form_is_read_only() {
    let app = spawn_app().await;
    let family = family(&app).await;
    let (_, _, id, submitted) = submitted_baby_form(&app, &family).await;
    app.clock.advance(61 * 86_400);
    // The session ended meanwhile; log in again (handles are per session).
    let cookie = login_person(&app, &family.guardian, Some((GUARDIAN, &[&family.baby]))).await;
    let baby = handle_of(&people_of(&app, &cookie).await, "proxy", "試験　蓮");
    let view = app
        .get(&response_uri(&baby, &id, ""), Some(&cookie))
        .await
        .json();
    assert_eq!(view["status"], "expired");
    assert_eq!(view["correctable"], false);
    for (tail, body) in [
        (
            "/correct",
            json!({"version": submitted["version"], "answers": view["answers"]}),
        ),
        ("/withdraw", json!({"version": submitted["version"]})),
    ] {
        let refused = send_json(
            &app,
            Method::POST,
            &response_uri(&baby, &id, tail),
            &cookie,
            body,
        )
        .await;
        assert_eq!(refused.status, StatusCode::CONFLICT);
        assert_eq!(refused.json()["code"], "expired");
    }
    let tenant = app
        .system
        .platform
        .tenant(&MunicipalityCode::parse(CHIYODA).unwrap())
        .unwrap();
    let now = {
        use sesshu_core::clock::Clock;
        app.clock.now()
    };
    assert!(
        responses::mark_used(&tenant, &family.baby.subject, &id, now, today(&app))
            .await
            .is_err(),
        "a clinic cannot use an expired form"
    );
}

#[tokio::test]
async fn the_print_view_has_the_japanese_form_and_the_header_data() {
    let app = spawn_app().await;
    let family = family(&app).await;
    let (cookie, baby, id, _) = submitted_baby_form(&app, &family).await;
    let print = app
        .get(&response_uri(&baby, &id, "/print"), Some(&cookie))
        .await;
    assert_eq!(print.status, StatusCode::OK);
    let print = print.json();
    assert_eq!(print["texts"]["lang"], "ja");
    assert_eq!(print["person"]["name"], "試験　蓮");
    assert_eq!(print["person"]["guardian_name"], GUARDIAN);
    assert_eq!(print["person"]["age_years"], 1);
    assert!(
        print["person"]["address"]
            .as_str()
            .unwrap()
            .contains("試験町")
    );
    assert_eq!(print["response"]["status"], "submitted");
    assert_eq!(print["municipality"]["code"], CHIYODA);
    assert!(print["template"]["sections"].is_array());

    let admin = app.staff_login(CHIYODA, "admin").await;
    let entries = app
        .audit_entries_eventually(CHIYODA, &admin, "resident.questionnaire.print", 1)
        .await;
    assert_eq!(entries.len(), 1);
    assert!(
        entries[0]["fields"]
            .as_array()
            .unwrap()
            .iter()
            .any(|f| f == "person_print_data")
    );
}

#[tokio::test]
async fn a_control_flag_hides_the_persons_questionnaires() {
    let app = spawn_app().await;
    let family = family(&app).await;
    let (cookie, baby, started) = baby_form(&app, &family).await;
    let id = started["id"].as_str().unwrap().to_owned();
    let tenant = app
        .system
        .platform
        .tenant(&MunicipalityCode::parse(CHIYODA).unwrap())
        .unwrap();
    sesshu_core::persons::set_control_flags(
        &tenant,
        &family.baby.subject,
        ControlFlags {
            non_disclosure: true,
            ..ControlFlags::default()
        },
    )
    .await
    .unwrap();
    assert!(
        !people_of(&app, &cookie)
            .await
            .iter()
            .any(|p| p["relation"] == "proxy"),
        "a hidden person is not listed"
    );
    for uri in [
        format!("/api/resident/people/{baby}/questionnaires"),
        response_uri(&baby, &id, ""),
        response_uri(&baby, &id, "/print"),
    ] {
        assert_eq!(
            app.get(&uri, Some(&cookie)).await.status,
            StatusCode::NOT_FOUND,
            "{uri}"
        );
    }
    let save = send_json(
        &app,
        Method::PUT,
        &response_uri(&baby, &id, ""),
        &cookie,
        json!({"version": started["version"], "answers": {}}),
    )
    .await;
    assert_eq!(save.status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn proxied_actions_are_logged_with_both_identities_and_no_names_or_answers() {
    let app = spawn_app().await;
    let family = family(&app).await;
    let (cookie, baby, id, _) = submitted_baby_form(&app, &family).await;
    app.get(&response_uri(&baby, &id, ""), Some(&cookie)).await;
    let admin = app.staff_login(CHIYODA, "admin").await;
    let proxy = format!("proxy:{}", family.guardian.pseudonym.as_str());
    for action in [
        "resident.questionnaire.start",
        "resident.questionnaire.save",
        "resident.questionnaire.submit",
        "resident.questionnaire.read",
    ] {
        let entries = app
            .audit_entries_eventually(CHIYODA, &admin, action, 1)
            .await;
        assert!(!entries.is_empty(), "{action} is logged");
        for entry in &entries {
            assert_eq!(entry["actor"], proxy.as_str(), "{action}: the proxy acts");
            assert_eq!(
                entry["subjects"],
                json!([family.baby.subject.as_str()]),
                "{action}: for the baby"
            );
            assert_eq!(entry["outcome"], "allowed");
        }
    }
    let page = app
        .get(
            &format!("/api/admin/m/{CHIYODA}/audit?action=resident."),
            Some(&admin),
        )
        .await;
    let text = String::from_utf8_lossy(&page.body);
    for personal in [GUARDIAN, "試験　蓮", "試験 花子", "特になし", "シケン"] {
        assert!(
            !text.contains(personal),
            "the log holds no names or answers"
        );
    }
}

// --- staff: templates ----------------------------------------------------------------------

fn templates(path: &str) -> String {
    format!("/api/admin/m/{CHIYODA}/questionnaire-templates{path}")
}

#[tokio::test]
async fn staff_draft_edit_check_and_publish_a_new_template_version() {
    let app = spawn_app().await;
    let officer = app.staff_login(CHIYODA, "officer1").await;
    let list = app.get(&templates(""), Some(&officer)).await;
    assert_eq!(list.status, StatusCode::OK);
    let list = list.json();
    let infant = list["settings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["setting"] == "infant_general")
        .unwrap()
        .clone();
    assert_eq!(infant["current_version"], 1);
    assert_eq!(infant["versions"][0]["origin"], "shipped");
    assert!(infant["draft"].is_null());

    let created = app
        .post_json(
            &templates("/infant_general/draft"),
            Some(&officer),
            json!({"from_version": 1}),
        )
        .await;
    assert_eq!(
        created.status,
        StatusCode::CREATED,
        "{}",
        String::from_utf8_lossy(&created.body)
    );
    let draft = created.json();
    assert_eq!(draft["version"], 2);
    assert_eq!(draft["status"], "draft");
    let twice = app
        .post_json(
            &templates("/infant_general/draft"),
            Some(&officer),
            json!({"from_version": 1}),
        )
        .await;
    assert_eq!(twice.status, StatusCode::CONFLICT);
    assert_eq!(twice.json()["code"], "draft_exists");

    // Break it: a question whose condition refers to an item that does not exist.
    let mut content = draft["template"].clone();
    content.as_object_mut().unwrap().remove("version");
    content.as_object_mut().unwrap().remove("status");
    let mut broken = content.clone();
    broken["sections"][0]["items"]
        .as_array_mut()
        .unwrap()
        .push(json!({"id": "new_question", "type": "yes_no", "show_when": {"item": "no_such_item", "equals": "yes"}}));
    let texts = draft["texts"].clone();
    let put = app
        .put_json(
            &templates("/infant_general/draft"),
            Some(&officer),
            json!({"revision": draft["revision"], "content": broken, "texts": texts, "validity_days": 30}),
        )
        .await;
    assert_eq!(
        put.status,
        StatusCode::OK,
        "{}",
        String::from_utf8_lossy(&put.body)
    );
    let revision = put.json()["revision"].clone();
    let check = app
        .post_json(
            &templates("/infant_general/draft/validate"),
            Some(&officer),
            json!({}),
        )
        .await
        .json();
    assert_eq!(check["valid"], false);
    let kinds: Vec<&str> = check["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["kind"].as_str().unwrap())
        .collect();
    assert!(kinds.contains(&"unknown_condition_item"), "{kinds:?}");
    assert!(kinds.contains(&"missing_japanese_text"), "{kinds:?}");
    assert!(check["errors"][0]["ja"].is_string());
    assert!(
        check["missing_texts"]["en"]
            .as_array()
            .unwrap()
            .iter()
            .any(|k| k == "item.new_question")
    );
    let refused = app
        .post_json(
            &templates("/infant_general/draft/publish"),
            Some(&officer),
            json!({"revision": revision}),
        )
        .await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(refused.json()["code"], "invalid_template");
    assert!(!refused.json()["errors"].as_array().unwrap().is_empty());

    // Fix it (condition on an earlier item, Japanese text) and publish.
    let mut fixed = content.clone();
    fixed["sections"][0]["items"]
        .as_array_mut()
        .unwrap()
        .push(json!({"id": "new_question", "type": "yes_no"}));
    let mut texts = texts.clone();
    for bundle in texts.as_array_mut().unwrap() {
        if bundle["lang"] == "ja" {
            bundle["texts"]["item.new_question"] = json!("新しい質問です");
        }
    }
    let stale = app
        .put_json(
            &templates("/infant_general/draft"),
            Some(&officer),
            json!({"revision": draft["revision"], "content": fixed, "texts": texts, "validity_days": 30}),
        )
        .await;
    assert_eq!(stale.status, StatusCode::CONFLICT);
    assert_eq!(stale.json()["code"], "stale_version");
    let put = app
        .put_json(
            &templates("/infant_general/draft"),
            Some(&officer),
            json!({"revision": revision, "content": fixed, "texts": texts, "validity_days": 30}),
        )
        .await;
    assert_eq!(put.status, StatusCode::OK);
    let published = app
        .post_json(
            &templates("/infant_general/draft/publish"),
            Some(&officer),
            json!({"revision": put.json()["revision"]}),
        )
        .await;
    assert_eq!(
        published.status,
        StatusCode::OK,
        "{}",
        String::from_utf8_lossy(&published.body)
    );
    let published = published.json();
    assert_eq!(published["version"], 2);
    assert_eq!(published["status"], "published");
    assert_eq!(published["origin"], "municipality");

    let list = app.get(&templates(""), Some(&officer)).await.json();
    let infant = list["settings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["setting"] == "infant_general")
        .unwrap()
        .clone();
    assert_eq!(infant["current_version"], 2);
    assert!(infant["draft"].is_null());
    let v2 = app
        .get(&templates("/infant_general/versions/2"), Some(&officer))
        .await
        .json();
    assert_eq!(v2["validity_days"], 30);
    assert_eq!(
        app.get(&templates("/infant_general/versions/3"), Some(&officer))
            .await
            .status,
        StatusCode::NOT_FOUND
    );

    // Residents of this municipality now answer version 2 and get its validity; Osaka keeps the default.
    let family = family(&app).await;
    let (cookie, baby, started) = baby_form(&app, &family).await;
    assert_eq!(started["template_version"], 2);
    assert_eq!(started["validity_days"], 30);
    assert!(started["texts"]["texts"]["item.new_question"].is_string());
    let _ = (cookie, baby);
    let osaka_officer = app.staff_login(OSAKA, "officer1").await;
    let osaka = app
        .get(
            &format!("/api/admin/m/{OSAKA}/questionnaire-templates"),
            Some(&osaka_officer),
        )
        .await
        .json();
    assert!(
        osaka["settings"]
            .as_array()
            .unwrap()
            .iter()
            .all(|s| s["current_version"] == 1)
    );

    let entries = app
        .audit_entries_eventually(
            CHIYODA,
            &app.staff_login(CHIYODA, "admin").await,
            "template.",
            6,
        )
        .await;
    let actions: Vec<&str> = entries
        .iter()
        .map(|e| e["action"].as_str().unwrap())
        .collect();
    for action in [
        "template.list",
        "template.draft_create",
        "template.draft_update",
        "template.validate",
        "template.publish",
    ] {
        assert!(actions.contains(&action), "{action} in {actions:?}");
    }
}

#[tokio::test]
async fn staff_without_the_template_permission_are_refused() {
    let app = spawn_app().await;
    let admin = app.staff_login(CHIYODA, "admin").await;
    let changed = app
        .put_json(
            &format!("/api/admin/m/{CHIYODA}/users/officer2"),
            Some(&admin),
            json!({ "role_id": "viewer", "institution_id": "D-ELDER", "can_view_my_number": false }),
        )
        .await;
    assert_eq!(changed.status, StatusCode::OK);
    let viewer = app.staff_login(CHIYODA, "officer2").await;
    for (method, path, body) in [
        (Method::GET, templates(""), None),
        (Method::GET, templates("/infant_general/versions/1"), None),
        (
            Method::POST,
            templates("/infant_general/draft"),
            Some(json!({"from_version": 1})),
        ),
    ] {
        let response = app
            .request(
                method.clone(),
                &path,
                Some(&viewer),
                &csrf(),
                body.map(|b| b.to_string()),
            )
            .await;
        assert_eq!(response.status, StatusCode::FORBIDDEN, "{method} {path}");
    }
    let entries = app
        .audit_entries_eventually(CHIYODA, &admin, "template.", 3)
        .await;
    assert!(
        entries
            .iter()
            .all(|e| e["outcome"] == "denied"
                && e["reason"] == "missing_permission:manage_templates")
    );
    // Another municipality's templates are not found for a permitted user either.
    let officer = app.staff_login(CHIYODA, "officer1").await;
    assert_eq!(
        app.get(
            &format!("/api/admin/m/{OSAKA}/questionnaire-templates"),
            Some(&officer)
        )
        .await
        .status,
        StatusCode::NOT_FOUND
    );
}

#[tokio::test]
async fn openapi_documents_the_questionnaire_endpoints() {
    let app = spawn_app().await;
    let doc = app.get("/api/openapi.json", None).await.json();
    let paths = doc["paths"].as_object().unwrap();
    for path in [
        "/api/resident/people",
        "/api/resident/people/{person}/questionnaires",
        "/api/resident/people/{person}/responses/{id}/submit",
        "/api/resident/people/{person}/responses/{id}/print",
        "/api/admin/m/{code}/questionnaire-templates",
        "/api/admin/m/{code}/questionnaire-templates/{setting}/draft/publish",
    ] {
        assert!(paths.contains_key(path), "{path} missing from OpenAPI");
    }
}
