//! 接種勧奨 on the embedded store: the rules repository with its checks, and the job —
//! idempotent generation (a second run produces nothing new), delivery with retry and backoff
//! (a failure, then delivered once), suppression by control flags, waiting for the Mynaportal
//! link, the person's 勧奨情報 (item 37) and the worklist index.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::collections::HashSet;
use std::sync::{Arc, Mutex};

use async_trait::async_trait;
use sesshu_core::clock::FixedClock;
use sesshu_core::directory::{Directory, Residence};
use sesshu_core::ports::{Mynaportal, NotifyError, PortalNotice};
use sesshu_core::recommendations::job::{Job, JobConfig};
use sesshu_core::recommendations::worklist::{self, AgeFilter, ListKind};
use sesshu_core::recommendations::{notices, rules};
use sesshu_core::tenancy::{Platform, TableOpener, Tenant};
use sesshu_core::{CoreError, persons, records};
use sesshu_crypto::LocalKeyring;
use sesshu_domain::dto::MunicipalityRef;
use sesshu_domain::id::{MunicipalBusinessId, RecordId, VaccinationManagementId};
use sesshu_domain::person::{
    ChangeKind, ControlFlags, FeeExemption, KanaName, PersonName, Sex, SubjectCategory,
    TargetPerson,
};
use sesshu_domain::recommendation::{RuleSet, Trigger};
use sesshu_domain::record::{
    DoseAmount, ImplementationCategory, Route, VaccinationKind, VaccinationRecord,
};
use sesshu_domain::schedule_api::DeliveryState;
use sesshu_domain::{InstitutionCode, MunicipalityCode, MyNumber, PmhKey, PmhPseudonym, SubjectNo};
use sesshu_store::EmbeddedTables;
use time::{Date, Duration, OffsetDateTime};

const CODE: &str = "131016";

/// A Mynaportal that records each notice id once and fails while told to.
#[derive(Default)]
struct Inbox {
    received: Mutex<Vec<PortalNotice>>,
    ids: Mutex<HashSet<String>>,
    failing: Mutex<bool>,
    calls: Mutex<u32>,
}

#[async_trait]
impl Mynaportal for Inbox {
    async fn notify(&self, notice: &PortalNotice) -> Result<(), NotifyError> {
        *self.calls.lock().unwrap() += 1;
        if *self.failing.lock().unwrap() {
            return Err(NotifyError::Unavailable);
        }
        if self.ids.lock().unwrap().insert(notice.notice_id.clone()) {
            self.received.lock().unwrap().push(notice.clone());
        }
        Ok(())
    }
}

struct World {
    tenant: Tenant,
    platform: Arc<Platform>,
    inbox: Arc<Inbox>,
    job: Job,
    municipality: MunicipalityRef,
    /// Now, in real time: the embedded store judges expiry by the real clock.
    now: OffsetDateTime,
    _dir: tempfile::TempDir,
}

async fn world() -> World {
    let dir = tempfile::tempdir_in(env!("CARGO_TARGET_TMPDIR")).unwrap();
    let tables = Arc::new(EmbeddedTables::new(dir.path().join("tables")));
    let opener: TableOpener = Arc::new(move |name: &str| tables.table(name));
    let keyring = Arc::new(LocalKeyring::open_or_create(&dir.path().join("master.key")).unwrap());
    let now = OffsetDateTime::now_utc();
    let platform = Arc::new(Platform::new(opener, keyring, Arc::new(FixedClock::at(now))).unwrap());
    let tenant = platform
        .tenant(&MunicipalityCode::parse(CODE).unwrap())
        .unwrap();
    let municipality = MunicipalityRef {
        code: CODE.into(),
        name_ja: "千代田区".into(),
        name_en: "Chiyoda City".into(),
    };
    let directory = Directory::new(platform.directory_store().clone());
    directory.put_municipality(&municipality).await.unwrap();
    let inbox = Arc::new(Inbox::default());
    let job = Job {
        directory,
        mynaportal: inbox.clone(),
        config: JobConfig::default(),
    };
    World {
        tenant,
        platform,
        inbox,
        job,
        municipality,
        now,
        _dir: dir,
    }
}

impl World {
    fn today(&self) -> Date {
        sesshu_core::questionnaires::japan_date(self.now)
    }

    /// Registers a person born `days_old` days ago; `linked` gives them a Mynaportal pseudonym.
    async fn person(&self, n: u32, days_old: i64, linked: bool) -> TargetPerson {
        let subject = persons::subjects::allocate(&self.tenant, 1)
            .await
            .unwrap()
            .pop()
            .unwrap();
        let digits = format!("{:011}", 20_000_000_000u64 + u64::from(n) * 7_919);
        let pmh_key = PmhKey::parse(&format!("KRECTEST{n:04}")).unwrap();
        let person = TargetPerson {
            subject_no: subject.clone(),
            municipality_code: self.tenant.code.clone(),
            my_number: MyNumber::from_body(&digits).unwrap(),
            pmh_key: Some(pmh_key.clone()),
            pmh_pseudonym: linked.then(|| PmhPseudonym::parse(&format!("psn_rec_{n}")).unwrap()),
            name: PersonName::parse("試験　太郎").unwrap(),
            name_kana: KanaName::parse("シケン　タロウ").unwrap(),
            address: format!("東京都千代田区試験町1-{n}"),
            birth_date: self.today() - Duration::days(days_old),
            sex: Sex::Male,
            guardian_name: Some(PersonName::parse("試験　花子").unwrap()),
            municipal_business_id: MunicipalBusinessId::parse(&format!("R{digits}")).unwrap(),
            change_kind: ChangeKind::New,
            moved_out_on: None,
            other_management_no: None,
            control_flags: ControlFlags::default(),
            subject_category: SubjectCategory::Routine,
            fee_exemption: FeeExemption::None,
            link: None,
        };
        persons::register(&self.tenant, &person).await.unwrap();
        Directory::new(self.platform.directory_store().clone())
            .record_residence(
                &pmh_key,
                &Residence {
                    municipality: self.tenant.code.clone(),
                    subject_no: subject,
                },
            )
            .await
            .unwrap();
        person
    }

    /// One rule only: MR stage 1 is due (a 13-month-old without MR is due; nothing else).
    async fn only_mr_due_rule(&self) {
        let mut set = RuleSet::defaults().unwrap();
        set.rules.retain(|r| r.id == "A-DUE");
        set.rules[0].categories.clear();
        set.rules[0].series = vec!["mr_1".into()];
        set.rules[0].trigger = Trigger::DueNow;
        rules::save(&self.tenant, &set, 0, "officer1", self.now)
            .await
            .unwrap();
    }

    async fn run(&self, at: OffsetDateTime) -> sesshu_domain::schedule_api::RunReport {
        self.job
            .run(&self.tenant, &self.municipality, at)
            .await
            .unwrap()
            .report
    }

    async fn notices_of(&self, subject: &SubjectNo) -> Vec<notices::StoredNotice> {
        notices::list(&self.tenant, subject)
            .await
            .unwrap()
            .into_iter()
            .map(|(n, _)| n)
            .collect()
    }
}

fn mr_dose(on: Date) -> VaccinationRecord {
    VaccinationRecord {
        record_id: RecordId::from_u64(on.to_julian_day() as u64 * 31),
        vaccination_management_id: VaccinationManagementId::parse("mr-1").unwrap(),
        vaccination_kind: VaccinationKind::Mr,
        vaccinated_on: on,
        consent: true,
        institution_code: InstitutionCode::parse("0110113719").unwrap(),
        doctor_name: "医師".into(),
        place: "試験クリニック".into(),
        category: ImplementationCategory::Routine,
        dose_number: 1,
        gtin: None,
        maker: "メーカー".into(),
        vaccine_generic_name: "乾燥弱毒生麻しん風しん混合ワクチン".into(),
        vaccine_common_name: "MR".into(),
        vaccine_brand_name: "ミールビック".into(),
        lot_number: "A123B".into(),
        dose_amount_ml: DoseAmount::parse("0.5").unwrap(),
        site: "左上腕".into(),
        route: Route::Subcutaneous,
        vaccine_expiry: None,
        caution: false,
        special_circumstances: None,
        overseas: false,
        updated_at: OffsetDateTime::now_utc(),
        latest: true,
        deleted: false,
        subject_category: SubjectCategory::Routine,
        fee_exemption: FeeExemption::None,
    }
}

const MR_DUE_AGE_DAYS: i64 = 400;

#[tokio::test]
async fn running_the_job_twice_produces_and_delivers_each_notice_once() {
    let world = world().await;
    world.only_mr_due_rule().await;
    let due = world.person(1, MR_DUE_AGE_DAYS, true).await;
    let vaccinated = world.person(2, MR_DUE_AGE_DAYS, true).await;
    records::insert(
        &world.tenant,
        &vaccinated.subject_no,
        &mr_dose(world.today() - Duration::days(10)),
    )
    .await
    .unwrap();

    let first = world.run(world.now).await;
    let second = world.run(world.now + Duration::minutes(5)).await;

    assert_eq!(first.persons, 2);
    assert_eq!((first.rules[0].created, first.rules[0].delivered), (1, 1));
    assert_eq!((second.rules[0].created, second.rules[0].delivered), (0, 0));
    let stored = world.notices_of(&due.subject_no).await;
    assert_eq!(stored.len(), 1);
    assert_eq!(stored[0].delivery.state, DeliveryState::Delivered);
    assert_eq!(stored[0].rule_id, "A-DUE");
    assert!(
        stored[0].title_ja.contains("麻しん風しん"),
        "{}",
        stored[0].title_ja
    );
    assert!(stored[0].body_ja.contains("千代田区"));
    assert!(!stored[0].body_ja.contains('{'), "every placeholder filled");
    assert!(world.notices_of(&vaccinated.subject_no).await.is_empty());
    let received = world.inbox.received.lock().unwrap().clone();
    assert_eq!(received.len(), 1);
    assert_eq!(received[0].pseudonym.as_str(), "psn_rec_1");
    assert_eq!(*world.inbox.calls.lock().unwrap(), 1, "nothing sent twice");

    // Item 37: the rule and the day of the recommendation, with the person.
    let recommendation = notices::recommendation(&world.tenant, &due.subject_no)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(recommendation.rule_id, "A-DUE");
    assert_eq!(recommendation.recommended_on, world.today());
}

#[tokio::test]
async fn a_failed_delivery_is_retried_after_its_backoff_and_delivered_once() {
    let world = world().await;
    world.only_mr_due_rule().await;
    let due = world.person(1, MR_DUE_AGE_DAYS, true).await;
    *world.inbox.failing.lock().unwrap() = true;

    let failed = world.run(world.now).await;
    assert_eq!((failed.rules[0].created, failed.rules[0].failed), (1, 1));
    let notice = world.notices_of(&due.subject_no).await.remove(0);
    assert_eq!(notice.delivery.state, DeliveryState::Failed);
    assert_eq!(notice.delivery.reason.as_deref(), Some("unavailable"));
    assert_eq!(notice.delivery.attempts, 1);
    assert_eq!(
        notice.delivery.next_attempt_at,
        Some(world.now + Duration::hours(1))
    );

    *world.inbox.failing.lock().unwrap() = false;
    // Before the backoff has passed nothing is tried.
    let early = world.run(world.now + Duration::minutes(30)).await;
    assert_eq!(early.rules[0].delivered, 0);
    assert_eq!(*world.inbox.calls.lock().unwrap(), 1);

    let retried = world.run(world.now + Duration::hours(2)).await;
    assert_eq!(
        (retried.rules[0].created, retried.rules[0].delivered),
        (0, 1)
    );
    let again = world.run(world.now + Duration::hours(3)).await;
    assert_eq!(again.rules[0].delivered, 0);
    let notice = world.notices_of(&due.subject_no).await.remove(0);
    assert_eq!(notice.delivery.state, DeliveryState::Delivered);
    assert_eq!(notice.delivery.attempts, 2);
    assert_eq!(world.inbox.received.lock().unwrap().len(), 1);
    assert_eq!(*world.inbox.calls.lock().unwrap(), 2);
}

#[tokio::test]
async fn a_control_flag_suppresses_delivery_and_keeps_the_notice_as_suppressed() {
    let world = world().await;
    world.only_mr_due_rule().await;
    let hidden = world.person(1, MR_DUE_AGE_DAYS, true).await;
    persons::set_control_flags(
        &world.tenant,
        &hidden.subject_no,
        ControlFlags {
            non_disclosure: true,
            ..ControlFlags::default()
        },
    )
    .await
    .unwrap();

    let report = world.run(world.now).await;

    assert_eq!(
        (
            report.rules[0].created,
            report.rules[0].suppressed,
            report.rules[0].delivered
        ),
        (1, 1, 0)
    );
    let notice = world.notices_of(&hidden.subject_no).await.remove(0);
    assert_eq!(notice.delivery.state, DeliveryState::Suppressed);
    assert_eq!(notice.delivery.reason.as_deref(), Some("control_flag"));
    assert_eq!(*world.inbox.calls.lock().unwrap(), 0);
    assert!(
        notices::recommendation(&world.tenant, &hidden.subject_no)
            .await
            .unwrap()
            .is_none(),
        "a suppressed notice is no recommendation"
    );
    // Lifting the flag later does not send the stale notice.
    persons::set_control_flags(&world.tenant, &hidden.subject_no, ControlFlags::default())
        .await
        .unwrap();
    world.run(world.now + Duration::hours(2)).await;
    assert_eq!(*world.inbox.calls.lock().unwrap(), 0);
}

#[tokio::test]
async fn a_pending_notice_is_suppressed_when_a_flag_is_set_before_delivery() {
    let world = world().await;
    world.only_mr_due_rule().await;
    let person = world.person(1, MR_DUE_AGE_DAYS, true).await;
    *world.inbox.failing.lock().unwrap() = true;
    world.run(world.now).await;
    persons::set_control_flags(
        &world.tenant,
        &person.subject_no,
        ControlFlags {
            viewing_suspended: true,
            ..ControlFlags::default()
        },
    )
    .await
    .unwrap();
    *world.inbox.failing.lock().unwrap() = false;

    world.run(world.now + Duration::hours(2)).await;

    let notice = world.notices_of(&person.subject_no).await.remove(0);
    assert_eq!(notice.delivery.state, DeliveryState::Suppressed);
    assert!(world.inbox.received.lock().unwrap().is_empty());
}

#[tokio::test]
async fn a_person_without_a_mynaportal_link_waits_and_is_notified_after_linking() {
    let world = world().await;
    world.only_mr_due_rule().await;
    let person = world.person(1, MR_DUE_AGE_DAYS, false).await;

    let waiting = world.run(world.now).await;
    assert_eq!(waiting.rules[0].not_linked, 1);
    let notice = world.notices_of(&person.subject_no).await.remove(0);
    assert_eq!(notice.delivery.state, DeliveryState::Pending);
    assert_eq!(notice.delivery.reason.as_deref(), Some("not_linked"));

    // The resident logs in through Mynaportal for the first time: the pseudonym is linked.
    Directory::new(world.platform.directory_store().clone())
        .link_pseudonym(
            &PmhPseudonym::parse("psn_first_login").unwrap(),
            person.pmh_key.as_ref().unwrap(),
        )
        .await
        .unwrap();
    let delivered = world.run(world.now + Duration::minutes(1)).await;

    assert_eq!(
        (delivered.rules[0].created, delivered.rules[0].delivered),
        (0, 1)
    );
    let received = world.inbox.received.lock().unwrap().clone();
    assert_eq!(received[0].pseudonym.as_str(), "psn_first_login");
}

#[tokio::test]
async fn the_worklist_lists_who_never_had_a_vaccination_they_are_due() {
    let world = world().await;
    world.only_mr_due_rule().await;
    let due = world.person(1, MR_DUE_AGE_DAYS, true).await;
    let vaccinated = world.person(2, MR_DUE_AGE_DAYS, true).await;
    records::insert(
        &world.tenant,
        &vaccinated.subject_no,
        &mr_dose(world.today() - Duration::days(10)),
    )
    .await
    .unwrap();
    let report = world.run(world.now).await;
    assert!(report.worklist_entries > 0);

    let all_ages = AgeFilter {
        from: None,
        to: None,
        today: world.today(),
    };
    let (entries, next) = worklist::page(
        &world.tenant,
        &report.run_id,
        "mr_1",
        ListKind::Never,
        all_ages,
        None,
        50,
    )
    .await
    .unwrap();
    let subjects: Vec<&SubjectNo> = entries.iter().map(|(s, _)| s).collect();
    assert_eq!(subjects, vec![&due.subject_no]);
    assert_eq!(entries[0].1.status, "due_now");
    assert_eq!(next, None);
    let older_only = AgeFilter {
        from: Some(2),
        ..all_ages
    };
    let (none, _) = worklist::page(
        &world.tenant,
        &report.run_id,
        "mr_1",
        ListKind::Never,
        older_only,
        None,
        50,
    )
    .await
    .unwrap();
    assert!(none.is_empty(), "the age filter applies");
}

#[tokio::test]
async fn saving_rules_refuses_problems_and_a_stale_version() {
    let world = world().await;
    let current = rules::current(&world.tenant).await.unwrap();
    assert!(current.is_default());
    let mut broken = current.rule_set.clone();
    broken.rules[0].texts.get_mut("ja").unwrap().title = "{name}さんへ".into();
    match rules::save(&world.tenant, &broken, 0, "admin", world.now).await {
        Err(CoreError::InvalidRules(errors)) => {
            assert_eq!(errors.len(), 1);
            assert_eq!(errors[0].code, "unknown_placeholder");
        }
        other => panic!("expected invalid rules, got {other:?}"),
    }
    let version = rules::save(&world.tenant, &current.rule_set, 0, "admin", world.now)
        .await
        .unwrap();
    assert_eq!(version, 1);
    assert!(matches!(
        rules::save(&world.tenant, &current.rule_set, 0, "admin", world.now).await,
        Err(CoreError::StateConflict {
            code: "stale_version",
            ..
        })
    ));
    assert_eq!(rules::current(&world.tenant).await.unwrap().version, 1);
}
