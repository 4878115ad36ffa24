//! The schedule engine and 接種勧奨 through the real router: a person's schedule for staff,
//! checking a proposed vaccination, the recommendation rules with their permission, the job's
//! notices as residents see them (newest first, read state), the worklist with its CSV, and
//! the refusals around them (another municipality, missing permission, outside duties).

use axum::http::{Method, StatusCode};
use serde_json::{Value, json};
use sesshu_core::directory::{Directory, Residence};
use sesshu_domain::id::{MunicipalBusinessId, RecordId, VaccinationManagementId};
use sesshu_domain::person::{
    ChangeKind, ControlFlags, FeeExemption, KanaName, PersonName, Sex, SubjectCategory,
    TargetPerson,
};
use sesshu_domain::record::{
    DoseAmount, ImplementationCategory, Route, VaccinationKind, VaccinationRecord,
};
use sesshu_domain::{
    Gtin, InstitutionCode, MunicipalityCode, MyNumber, PmhKey, PmhPseudonym, SubjectNo,
};
use sesshu_local::CLIENT_ID;
use time::{Date, Duration};

use crate::helpers::{TestApp, spawn_app};

const CHIYODA: &str = "131016";
const OSAKA: &str = "271004";

fn admin(path: &str) -> String {
    format!("/api/admin/m/{CHIYODA}{path}")
}

fn today(app: &TestApp) -> Date {
    use sesshu_core::clock::Clock;
    sesshu_core::questionnaires::japan_date(app.clock.now())
}

struct Person {
    subject: SubjectNo,
    pseudonym: PmhPseudonym,
    pmh_key: PmhKey,
    my_number: String,
}

/// A person registered directly in Chiyoda, `days_old` days old, linked to Mynaportal.
async fn register(app: &TestApp, tag: &str, days_old: i64) -> Person {
    let code = MunicipalityCode::parse(CHIYODA).unwrap();
    let tenant = app.system.platform.tenant(&code).unwrap();
    let subject = sesshu_core::persons::subjects::allocate(&tenant, 1)
        .await
        .unwrap()
        .pop()
        .unwrap();
    let digits: String = tag
        .bytes()
        .map(|b| char::from(b'0' + b % 10))
        .chain(std::iter::repeat('3'))
        .take(11)
        .collect();
    let my_number = MyNumber::from_body(&digits).unwrap();
    let pmh_key = PmhKey::parse(&format!("KSCHED{tag}")).unwrap();
    let pseudonym = PmhPseudonym::parse(&format!("psn_sched_{tag}")).unwrap();
    let person = TargetPerson {
        subject_no: subject.clone(),
        municipality_code: code.clone(),
        my_number: my_number.clone(),
        pmh_key: Some(pmh_key.clone()),
        pmh_pseudonym: Some(pseudonym.clone()),
        name: PersonName::parse("予定　一郎").unwrap(),
        name_kana: KanaName::parse("ヨテイ　イチロウ").unwrap(),
        address: format!("東京都千代田区予定町2-{tag}"),
        birth_date: today(app) - Duration::days(days_old),
        sex: Sex::Male,
        guardian_name: Some(PersonName::parse("予定　花子").unwrap()),
        municipal_business_id: MunicipalBusinessId::parse(&format!("S{digits}")).unwrap(),
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
    Person {
        subject,
        pseudonym,
        pmh_key,
        my_number: my_number.expose_digits().to_owned(),
    }
}

async fn give(app: &TestApp, person: &Person, kind: VaccinationKind, gtin: &str, on: Date) {
    let tenant = app
        .system
        .platform
        .tenant(&MunicipalityCode::parse(CHIYODA).unwrap())
        .unwrap();
    let record = VaccinationRecord {
        record_id: RecordId::from_u64(on.to_julian_day() as u64 * 1_009),
        vaccination_management_id: VaccinationManagementId::parse("hib-1").unwrap(),
        vaccination_kind: kind,
        vaccinated_on: on,
        consent: true,
        institution_code: InstitutionCode::parse("0110113719").unwrap(),
        doctor_name: "医師 一郎".into(),
        place: "予定クリニック".into(),
        category: ImplementationCategory::Routine,
        dose_number: 1,
        gtin: Some(Gtin::parse(gtin).unwrap()),
        maker: "メーカー".into(),
        vaccine_generic_name: "乾燥ヘモフィルスb型ワクチン".into(),
        vaccine_common_name: "Hib".into(),
        vaccine_brand_name: "アクトヒブ".into(),
        lot_number: "H001A".into(),
        dose_amount_ml: DoseAmount::parse("0.5").unwrap(),
        site: "左上腕".into(),
        route: Route::Subcutaneous,
        vaccine_expiry: None,
        caution: false,
        special_circumstances: None,
        overseas: false,
        updated_at: time::OffsetDateTime::now_utc(),
        latest: true,
        deleted: false,
        subject_category: SubjectCategory::Routine,
        fee_exemption: FeeExemption::None,
    };
    sesshu_core::records::insert(&tenant, &person.subject, &record)
        .await
        .unwrap();
}

/// The Hib product of the schedule (a sample GTIN).
const HIB_GTIN: &str = "14912345000016";
/// 13 months old: MR stage 1 and varicella are due.
const TODDLER_DAYS: i64 = 400;

fn entry<'a>(schedule: &'a Value, series: &str) -> &'a Value {
    schedule["entries"]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["series"] == series)
        .unwrap_or_else(|| panic!("no {series} in {schedule}"))
}

async fn run_job(app: &TestApp) {
    app.system
        .recommendations
        .run(&MunicipalityCode::parse(CHIYODA).unwrap())
        .await
        .unwrap()
        .expect("no run was going");
}

/// Rules: one per series given, each firing when it is due.
async fn save_due_rules(app: &TestApp, cookie: &str, series: &[&str]) {
    let view = app
        .get(&admin("/recommendation-rules"), Some(cookie))
        .await
        .json();
    let mut set = view["rule_set"].clone();
    let template = set["rules"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["trigger"]["kind"] == "due_now")
        .unwrap()
        .clone();
    let rules: Vec<Value> = series
        .iter()
        .map(|s| {
            let mut rule = template.clone();
            rule["id"] = json!(format!("DUE-{s}"));
            rule["categories"] = json!([]);
            rule["series"] = json!([s]);
            rule["quiet_days"] = json!(0);
            rule
        })
        .collect();
    set["rules"] = json!(rules);
    let saved = app
        .put_json(
            &admin("/recommendation-rules"),
            Some(cookie),
            json!({ "version": view["version"], "rule_set": set }),
        )
        .await;
    assert_eq!(
        saved.status,
        StatusCode::OK,
        "{}",
        String::from_utf8_lossy(&saved.body)
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn staff_see_a_persons_schedule_with_statuses_reasons_dates_and_history() {
    let app = spawn_app().await;
    let cookie = app.staff_login(CHIYODA, "admin").await;
    let person = register(&app, "01", TODDLER_DAYS).await;
    give(
        &app,
        &person,
        VaccinationKind::Hib,
        HIB_GTIN,
        today(&app) - Duration::days(300),
    )
    .await;

    let response = app
        .get(
            &admin(&format!("/persons/{}/schedule", person.subject.as_str())),
            Some(&cookie),
        )
        .await;

    assert_eq!(
        response.status,
        StatusCode::OK,
        "{}",
        String::from_utf8_lossy(&response.body)
    );
    let schedule = response.json();
    assert_eq!(schedule["on"], sesshu_domain::iso_date::format(today(&app)));
    let mr = entry(&schedule, "mr_1");
    assert_eq!(mr["status"]["code"], "due_now");
    assert_eq!(mr["reason"]["code"], "within_eligible_period");
    assert_eq!(mr["reason"]["ja"], "接種できる期間です");
    assert!(mr["name_ja"].as_str().unwrap().contains("麻しん風しん"));
    assert_eq!(mr["next_dose"]["dose_number"], 1);
    assert!(mr["next_dose"]["earliest"].is_string() && mr["next_dose"]["latest"].is_string());
    assert_eq!(entry(&schedule, "hib")["doses_counted"], 1);
    assert_eq!(schedule["history"][0]["source"], "gtin");
    assert_eq!(schedule["history"][0]["vaccine"], "hib");

    let logged = app
        .audit_entries_eventually(CHIYODA, &cookie, "schedule.read", 1)
        .await;
    assert_eq!(logged[0]["subjects"][0], person.subject.as_str());
    assert!(
        logged[0]["fields"]
            .as_array()
            .unwrap()
            .contains(&json!("vaccination_records"))
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_check_refuses_a_dose_too_early_and_one_within_the_minimum_interval() {
    let app = spawn_app().await;
    let cookie = app.staff_login(CHIYODA, "admin").await;
    let newborn = register(&app, "02", 30).await;
    let infant = register(&app, "03", 100).await;
    give(
        &app,
        &infant,
        VaccinationKind::Hib,
        HIB_GTIN,
        today(&app) - Duration::days(10),
    )
    .await;
    let check = |person: &Person, body: Value| {
        let mut body = body;
        body["subject_no"] = json!(person.subject.as_str());
        body["date"] = json!(sesshu_domain::iso_date::format(today(&app)));
        let (app, cookie) = (&app, cookie.clone());
        async move {
            app.post_json(&admin("/schedule/check"), Some(&cookie), body)
                .await
        }
    };

    let too_early = check(&newborn, json!({ "vaccine": "hib" })).await;
    assert_eq!(too_early.status, StatusCode::OK);
    let verdict = too_early.json();
    assert_eq!(verdict["allowed"], false);
    assert!(
        verdict["reasons"]
            .as_array()
            .unwrap()
            .iter()
            .any(|r| r["reason"]["code"] == "not_yet_eligible" && r["earliest"].is_string()),
        "{verdict}"
    );

    let too_soon = check(&infant, json!({ "gtin": HIB_GTIN })).await.json();
    assert_eq!(too_soon["allowed"], false);
    assert!(
        too_soon["reasons"]
            .as_array()
            .unwrap()
            .iter()
            .any(|r| r["reason"]["code"] == "interval_not_met"),
        "{too_soon}"
    );

    let later = app
        .post_json(
            &admin("/schedule/check"),
            Some(&cookie),
            json!({
                "subject_no": infant.subject.as_str(),
                "vaccine": "hib",
                "date": sesshu_domain::iso_date::format(today(&app) + Duration::days(30)),
            }),
        )
        .await
        .json();
    assert_eq!(later["allowed"], true, "{later}");

    let unknown = check(&infant, json!({ "gtin": "4912345000019" })).await;
    assert_eq!(
        unknown.status,
        StatusCode::BAD_REQUEST,
        "{}",
        String::from_utf8_lossy(&unknown.body)
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_worklist_filters_by_vaccination_status_and_age_and_exports_csv_without_my_number() {
    let app = spawn_app().await;
    let cookie = app.staff_login(CHIYODA, "admin").await;
    let toddler = register(&app, "04", TODDLER_DAYS).await;
    run_job(&app).await;

    let page = app
        .get(
            &admin("/worklist?vaccination=mr_1&status=never"),
            Some(&cookie),
        )
        .await;
    assert_eq!(
        page.status,
        StatusCode::OK,
        "{}",
        String::from_utf8_lossy(&page.body)
    );
    let page = page.json();
    assert_eq!(page["run_on"], sesshu_domain::iso_date::format(today(&app)));
    let rows = page["rows"].as_array().unwrap();
    let row = rows
        .iter()
        .find(|r| r["subject_no"] == toddler.subject.as_str())
        .unwrap_or_else(|| panic!("the toddler is missing: {page}"));
    assert_eq!(row["status"], "due_now");
    assert_eq!(row["doses_counted"], 0);
    assert_eq!(row["age"], 1);
    assert!(rows.iter().all(|r| r["doses_counted"] == 0));

    let older = app
        .get(
            &admin("/worklist?vaccination=mr_1&status=never&age_from=2&age_to=3"),
            Some(&cookie),
        )
        .await
        .json();
    assert!(
        older["rows"]
            .as_array()
            .unwrap()
            .iter()
            .all(|r| r["subject_no"] != toddler.subject.as_str() && r["age"].as_u64().unwrap() >= 2)
    );
    let bad = app
        .get(
            &admin("/worklist?vaccination=mr_9&status=never"),
            Some(&cookie),
        )
        .await;
    assert_eq!(bad.status, StatusCode::BAD_REQUEST);

    let csv = app
        .get(
            &admin("/worklist.csv?vaccination=mr_1&status=never"),
            Some(&cookie),
        )
        .await;
    assert_eq!(
        csv.status,
        StatusCode::OK,
        "{}",
        String::from_utf8_lossy(&csv.body)
    );
    let (text, _, bad_bytes) = encoding_rs::SHIFT_JIS.decode(&csv.body);
    assert!(!bad_bytes);
    assert!(
        text.starts_with("予防接種対象者番号,自治体業務ID,氏名,"),
        "{text}"
    );
    assert!(text.contains(toddler.subject.as_str()));
    assert!(
        !text.contains(&toddler.my_number),
        "no My Number in the worklist"
    );
    assert!(!text.contains("個人番号"));

    let utf8 = app
        .get(
            &admin("/worklist.csv?vaccination=mr_1&status=never&encoding=utf8"),
            Some(&cookie),
        )
        .await;
    assert!(
        utf8.body
            .starts_with("\u{feff}予防接種対象者番号".as_bytes())
    );

    app.clock.advance(6 * 60);
    let stale = app
        .get(
            &admin("/worklist.csv?vaccination=mr_1&status=never"),
            Some(&cookie),
        )
        .await;
    assert_eq!(stale.status, StatusCode::FORBIDDEN);
    assert_eq!(stale.json()["code"], "reauthentication_required");
}

impl TestApp {
    async fn login_person(&self, person: &Person) -> String {
        let (cookie, _) = self
            .login_with_token(
                |nonce| {
                    self.system.mynaportal.issue_id_token(
                        CLIENT_ID,
                        &person.pseudonym,
                        Some(&person.pmh_key),
                        Some(nonce),
                        self.clock_now(),
                    )
                },
                None,
            )
            .await
            .unwrap_or_else(|status| panic!("login failed with {status}"));
        cookie
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn residents_see_their_notices_newest_first_and_mark_them_read() {
    let app = spawn_app().await;
    let cookie = app.staff_login(CHIYODA, "admin").await;
    let toddler = register(&app, "05", TODDLER_DAYS).await;
    save_due_rules(&app, &cookie, &["mr_1"]).await;
    run_job(&app).await;
    app.clock.advance(60);
    save_due_rules(&app, &cookie, &["mr_1", "varicella"]).await;
    run_job(&app).await;
    let delivered = app.system.notifications.received_by(&toddler.pseudonym);
    assert_eq!(delivered.len(), 2, "each notice reached Mynaportal once");

    let resident = app.login_person(&toddler).await;
    let list = app
        .get("/api/resident/notifications", Some(&resident))
        .await;
    assert_eq!(list.status, StatusCode::OK);
    let list = list.json();
    assert_eq!(list["unread"], 2);
    let notices = list["notices"].as_array().unwrap();
    assert_eq!(notices.len(), 2);
    assert!(
        notices[0]["title_ja"].as_str().unwrap().contains("水痘"),
        "newest first: {list}"
    );
    assert!(
        notices[1]["title_ja"]
            .as_str()
            .unwrap()
            .contains("麻しん風しん")
    );
    assert!(notices[0]["created_at"].as_str() > notices[1]["created_at"].as_str());
    assert_eq!(notices[0]["municipality"]["code"], CHIYODA);

    let id = notices[1]["id"].as_str().unwrap();
    let read = app
        .request(
            Method::POST,
            &format!("/api/resident/notifications/{id}/read"),
            Some(&resident),
            &[("x-requested-with", "sesshu")],
            None,
        )
        .await;
    assert_eq!(read.status, StatusCode::NO_CONTENT);
    let after = app
        .get("/api/resident/notifications", Some(&resident))
        .await
        .json();
    assert_eq!(after["unread"], 1);
    assert_eq!(after["notices"][1]["read"], true);
    assert_eq!(after["notices"][0]["read"], false);

    // The same notices through the person's handle, and the schedule beside them.
    let people = app
        .get("/api/resident/people", Some(&resident))
        .await
        .json();
    let handle = people["people"][0]["handle"].as_str().unwrap().to_owned();
    let by_handle = app
        .get(
            &format!("/api/resident/people/{handle}/notifications"),
            Some(&resident),
        )
        .await
        .json();
    assert_eq!(by_handle["notices"], after["notices"]);
    let schedule = app
        .get("/api/resident/schedule", Some(&resident))
        .await
        .json();
    let entries = schedule["people"][0]["entries"].as_array().unwrap();
    assert!(
        entries
            .iter()
            .any(|e| e["series"] == "mr_1" && e["status"]["code"] == "due_now")
    );
    assert!(entries.iter().all(|e| e["status"]["code"] != "complete"));

    // Staff see the delivery of each notice.
    let staff_view = app
        .get(
            &admin(&format!("/persons/{}/notices", toddler.subject.as_str())),
            Some(&cookie),
        )
        .await
        .json();
    assert!(
        staff_view
            .as_array()
            .unwrap()
            .iter()
            .all(|n| n["delivery"]["state"] == "delivered")
    );
    let runs = app
        .get(&admin("/recommendation-runs"), Some(&cookie))
        .await
        .json();
    assert_eq!(runs[0]["rules"][1]["rule_id"], "DUE-varicella");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn another_municipality_gets_404_for_schedules_and_notices() {
    let app = spawn_app().await;
    let osaka_admin = app.staff_login(OSAKA, "admin").await;
    let toddler = register(&app, "06", TODDLER_DAYS).await;
    let path = format!("/persons/{}/schedule", toddler.subject.as_str());

    for path in [
        path,
        format!("/persons/{}/notices", toddler.subject.as_str()),
        "/worklist?vaccination=mr_1&status=never".to_owned(),
        "/recommendation-rules".to_owned(),
    ] {
        let cross = app.get(&admin(&path), Some(&osaka_admin)).await;
        assert_eq!(cross.status, StatusCode::NOT_FOUND, "{path}");
    }
    let check = app
        .post_json(
            &admin("/schedule/check"),
            Some(&osaka_admin),
            json!({ "subject_no": toddler.subject.as_str(), "vaccine": "mr", "date": "2026-04-01" }),
        )
        .await;
    assert_eq!(check.status, StatusCode::NOT_FOUND);

    // A resident of Chiyoda cannot mark a notice id of another municipality.
    let cookie = app.staff_login(CHIYODA, "admin").await;
    save_due_rules(&app, &cookie, &["mr_1"]).await;
    run_job(&app).await;
    let resident = app.login_person(&toddler).await;
    let list = app
        .get("/api/resident/notifications", Some(&resident))
        .await
        .json();
    let id = list["notices"][0]["id"].as_str().unwrap();
    let foreign = id.replacen(CHIYODA, OSAKA, 1);
    let read = app
        .request(
            Method::POST,
            &format!("/api/resident/notifications/{foreign}/read"),
            Some(&resident),
            &[("x-requested-with", "sesshu")],
            None,
        )
        .await;
    assert_eq!(read.status, StatusCode::NOT_FOUND);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn only_the_recommendations_permission_edits_rules_and_changes_are_checked_and_logged() {
    let app = spawn_app().await;
    let officer = app.staff_login(CHIYODA, "officer1").await;
    let denied = app
        .get(&admin("/recommendation-rules"), Some(&officer))
        .await;
    assert_eq!(denied.status, StatusCode::FORBIDDEN);
    let denied_put = app
        .put_json(&admin("/recommendation-rules"), Some(&officer), json!({}))
        .await;
    assert!(
        matches!(
            denied_put.status,
            StatusCode::FORBIDDEN | StatusCode::UNPROCESSABLE_ENTITY
        ),
        "{}",
        denied_put.status
    );

    let cookie = app.staff_login(CHIYODA, "admin").await;
    let view = app
        .get(&admin("/recommendation-rules"), Some(&cookie))
        .await
        .json();
    assert_eq!(view["is_default"], true);
    let mut set = view["rule_set"].clone();
    set["rules"][0]["texts"]["en"]["body"] = json!("Hello {name}");
    set["rules"][1]["texts"]
        .as_object_mut()
        .unwrap()
        .remove("ja");
    let refused = app
        .put_json(
            &admin("/recommendation-rules"),
            Some(&cookie),
            json!({ "version": 0, "rule_set": set }),
        )
        .await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    let body = refused.json();
    assert_eq!(body["code"], "invalid_rules");
    let errors = body["errors"].as_array().unwrap();
    assert!(errors.iter().any(|e| e["code"] == "unknown_placeholder"
        && e["field"] == "texts.en.body"
        && e["ja"].is_string()));
    assert!(errors.iter().any(|e| e["code"] == "missing_language"));

    let mut set = view["rule_set"].clone();
    set["rules"][0]["quiet_days"] = json!(10);
    let saved = app
        .put_json(
            &admin("/recommendation-rules"),
            Some(&cookie),
            json!({ "version": 0, "rule_set": set }),
        )
        .await;
    assert_eq!(saved.status, StatusCode::OK);
    assert_eq!(saved.json()["version"], 1);
    let stale = app
        .put_json(
            &admin("/recommendation-rules"),
            Some(&cookie),
            json!({ "version": 0, "rule_set": set }),
        )
        .await;
    assert_eq!(stale.status, StatusCode::CONFLICT);
    let logged = app
        .audit_entries_eventually(CHIYODA, &cookie, "recommendation.rules_update", 3)
        .await;
    let allowed: Vec<&Value> = logged
        .iter()
        .filter(|e| e["outcome"] == "allowed")
        .collect();
    assert_eq!(allowed.len(), 1);
    assert_eq!(allowed[0]["fields"], json!(["rule:A-UPCOMING"]));

    // Preview: a sample, and a person's notices without storing or sending anything.
    let sample = app
        .post_json(
            &admin("/recommendation-rules/preview"),
            Some(&cookie),
            json!({ "rule_id": "A-DUE" }),
        )
        .await
        .json();
    assert_eq!(sample["sample"], true);
    assert!(
        !sample["notices"][0]["body_ja"]
            .as_str()
            .unwrap()
            .contains('{')
    );
    let toddler = register(&app, "07", TODDLER_DAYS).await;
    let preview = app
        .post_json(
            &admin("/recommendation-rules/preview"),
            Some(&cookie),
            json!({ "rule_id": "A-DUE", "subject_no": toddler.subject.as_str() }),
        )
        .await
        .json();
    assert_eq!(preview["sample"], false);
    assert!(
        preview["notices"]
            .as_array()
            .unwrap()
            .iter()
            .any(|n| n["series"] == "mr_1" && n["held_back"].is_null()),
        "{preview}"
    );
    assert!(
        app.system
            .notifications
            .received_by(&toddler.pseudonym)
            .is_empty()
    );

    // An officer for older people may not read a child's schedule.
    let elderly = app.staff_login(CHIYODA, "officer2").await;
    let outside = app
        .get(
            &admin(&format!("/persons/{}/schedule", toddler.subject.as_str())),
            Some(&elderly),
        )
        .await;
    assert_eq!(outside.status, StatusCode::FORBIDDEN);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn openapi_documents_the_schedule_and_notification_endpoints() {
    let app = spawn_app().await;
    let doc = app.get("/api/openapi.json", None).await.json();
    for path in [
        "/api/admin/m/{code}/persons/{subject_no}/schedule",
        "/api/admin/m/{code}/schedule/check",
        "/api/admin/m/{code}/recommendation-rules",
        "/api/admin/m/{code}/recommendation-rules/preview",
        "/api/admin/m/{code}/worklist",
        "/api/admin/m/{code}/worklist.csv",
        "/api/resident/schedule",
        "/api/resident/notifications",
        "/api/resident/notifications/{id}/read",
        "/api/resident/people/{person}/notifications",
    ] {
        assert!(doc["paths"][path].is_object(), "{path} is not documented");
    }
    // The questionnaire and staff documents are still there beside them.
    assert!(doc["paths"]["/api/resident/records"].is_object());
}
