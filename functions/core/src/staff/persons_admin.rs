//! The admin surface's work on target persons: search, detail, entry, edit, control flags,
//! deletion, history and duplicates. Permission first, then the department's duties, before
//! any personal data is returned; people outside the duties are left out of result lists and
//! refused (and logged) when asked for directly.

use sesshu_domain::person::TargetPerson;
use sesshu_domain::person_input::{PersonFields, PersonInput};
use sesshu_domain::staff::{self as dto, Permission, StaffPerson};
use sesshu_domain::staff_persons::{
    ControlFlagsUpdate, DuplicatePair, PersonHistoryEntry, PersonListItem, PersonRecordView,
    PersonSaved, PersonSearch, PersonSearchPage, PersonUpdate,
};
use sesshu_domain::{MyNumber, SubjectNo};
use time::format_description::well_known::Rfc3339;
use time::{Date, OffsetDateTime};

use super::StaffContext;
use crate::error::CoreError;
use crate::persons::search::{self, SearchBy};
use crate::persons::{self, duplicates, edit, history, pmh_queue};

const PAGE: usize = 20;
/// What the form shows in the My Number field: sending it back unchanged keeps the number.
pub const MY_NUMBER_MASK: &str = "************";

fn in_duties(ctx: &StaffContext, person: &TargetPerson, today: Date) -> bool {
    let mine = ctx.duties();
    dto::person_duties(person, today)
        .iter()
        .any(|duty| mine.contains(duty))
}

/// The person, if the caller may view persons and the person is within their duties.
pub(crate) async fn scoped(
    ctx: &StaffContext,
    subject_no: &str,
    today: Date,
) -> Result<(TargetPerson, u64), CoreError> {
    ctx.require(Permission::ViewPersons)?;
    let subject_no = SubjectNo::parse(subject_no).map_err(|_| CoreError::NotFound)?;
    let (person, version) = persons::get(&ctx.tenant, &subject_no)
        .await?
        .ok_or(CoreError::NotFound)?;
    if !in_duties(ctx, &person, today) {
        return Err(CoreError::Forbidden("outside_duties".into()));
    }
    Ok((person, version))
}

fn invalid_search() -> CoreError {
    CoreError::Invalid(
        "search by one of: subject number, 自治体業務ID, My Number, or kana and/or birth date"
            .into(),
    )
}

fn given(value: &Option<String>) -> Option<&str> {
    value.as_deref().map(str::trim).filter(|v| !v.is_empty())
}

/// What a search asks for, validated with the form's own rules.
fn search_by(ctx: &StaffContext, request: &PersonSearch) -> Result<SearchBy, CoreError> {
    use sesshu_domain::person_input::parse;
    let field_error =
        |e: sesshu_domain::person_input::FieldError| CoreError::InvalidFields(vec![e]);
    if let Some(subject) = given(&request.subject_no) {
        return SubjectNo::parse(&sesshu_domain::person_input::normalize::code(subject))
            .map(SearchBy::Subject)
            .map_err(|_| CoreError::Invalid("the subject number is 10 digits".into()));
    }
    if let Some(id) = given(&request.municipal_business_id) {
        return parse::municipal_business_id(id)
            .map(SearchBy::BusinessId)
            .map_err(field_error);
    }
    if let Some(number) = given(&request.my_number) {
        ctx.require(Permission::ViewMyNumber)?;
        if !ctx.account.can_view_my_number {
            return Err(CoreError::Forbidden("my_number_not_granted".into()));
        }
        let number: MyNumber = parse::my_number(number).map_err(field_error)?;
        return Ok(SearchBy::MyNumber(number));
    }
    let kana = given(&request.name_kana)
        .map(|k| parse::name_kana(k).map_err(field_error))
        .transpose()?;
    let birth = given(&request.birth_date)
        .map(|b| parse::birth_date(b, None).map_err(field_error))
        .transpose()?;
    match (kana, birth) {
        (Some(kana), Some(birth)) => Ok(SearchBy::KanaAndBirth(kana.as_str().to_owned(), birth)),
        (Some(kana), None) => Ok(SearchBy::Kana(kana.as_str().to_owned())),
        (None, Some(birth)) => Ok(SearchBy::Birth(birth)),
        (None, None) => Err(invalid_search()),
    }
}

/// One page of people matching the search, within the caller's duties.
pub async fn search(
    ctx: &StaffContext,
    request: &PersonSearch,
    today: Date,
) -> Result<PersonSearchPage, CoreError> {
    ctx.require(Permission::ViewPersons)?;
    let by = search_by(ctx, request)?;
    let (subjects, next) = search::subjects(&ctx.tenant, &by, request.cursor.clone(), PAGE).await?;
    let people = persons::get_many(&ctx.tenant, &subjects).await?;
    let mut items = Vec::with_capacity(people.len());
    for (person, _) in people.into_iter().flatten() {
        // An index entry left by an interrupted change must not show someone else.
        let matches = match &by {
            SearchBy::Kana(kana) => person.name_kana.as_str() == kana,
            SearchBy::Birth(birth) => person.birth_date == *birth,
            SearchBy::KanaAndBirth(kana, birth) => {
                person.name_kana.as_str() == kana && person.birth_date == *birth
            }
            _ => true,
        };
        if !matches || !in_duties(ctx, &person, today) {
            continue;
        }
        let (pmh, _) = pmh_queue::status_of(&ctx.tenant, &person).await?;
        items.push(list_item(&person, pmh));
    }
    Ok(PersonSearchPage { items, next })
}

fn list_item(
    person: &TargetPerson,
    pmh: sesshu_domain::staff_persons::PmhStatus,
) -> PersonListItem {
    PersonListItem {
        subject_no: person.subject_no.as_str().to_owned(),
        name: person.name.as_str().to_owned(),
        name_kana: person.name_kana.as_str().to_owned(),
        birth_date: sesshu_domain::iso_date::format(person.birth_date),
        sex: sex_code(person),
        municipal_business_id: person.municipal_business_id.as_str().to_owned(),
        pmh,
        control_flags: person.control_flags,
    }
}

fn sex_code(person: &TargetPerson) -> String {
    match person.sex {
        sesshu_domain::person::Sex::Male => "male",
        sesshu_domain::person::Sex::Female => "female",
    }
    .to_owned()
}

/// The staff view of a person: My Number masked.
pub fn staff_person(person: &TargetPerson, today: Date) -> StaffPerson {
    StaffPerson {
        subject_no: person.subject_no.as_str().to_owned(),
        name: person.name.as_str().to_owned(),
        name_kana: person.name_kana.as_str().to_owned(),
        birth_date: sesshu_domain::iso_date::format(person.birth_date),
        sex: sex_code(person),
        address: person.address.clone(),
        guardian_name: person.guardian_name.as_ref().map(|n| n.as_str().to_owned()),
        municipal_business_id: person.municipal_business_id.as_str().to_owned(),
        my_number_masked: MY_NUMBER_MASK.to_owned(),
        duties: dto::person_duties(person, today),
    }
}

fn snake<T: serde::Serialize>(value: &T) -> String {
    serde_json::to_value(value)
        .ok()
        .and_then(|v| v.as_str().map(str::to_owned))
        .unwrap_or_default()
}

/// Everything the detail page and the edit form need.
pub async fn detail(
    ctx: &StaffContext,
    subject_no: &str,
    today: Date,
) -> Result<PersonRecordView, CoreError> {
    let (person, version) = scoped(ctx, subject_no, today).await?;
    let (pmh, pmh_failure) = pmh_queue::status_of(&ctx.tenant, &person).await?;
    let mut fields = PersonFields::from_person(&person);
    fields.my_number = MY_NUMBER_MASK.to_owned();
    let possible_duplicates = search::same_kana_and_birth(
        &ctx.tenant,
        person.name_kana.as_str(),
        person.birth_date,
        &person.subject_no,
    )
    .await?
    .into_iter()
    .map(|s| s.as_str().to_owned())
    .collect();
    Ok(PersonRecordView {
        person: staff_person(&person, today),
        fields,
        other_management_no: person.other_management_no.clone(),
        subject_category: snake(&person.subject_category),
        fee_exemption: snake(&person.fee_exemption),
        control_flags: person.control_flags,
        pmh,
        pmh_failure,
        link_file_name: person.link.as_ref().map(|l| l.file_name.clone()),
        link_at: person
            .link
            .as_ref()
            .and_then(|l| l.linked_at.format(&Rfc3339).ok()),
        possible_duplicates,
        version,
    })
}

fn validated(fields: &PersonFields, today: Date) -> Result<PersonInput, CoreError> {
    fields.validate_on(today).map_err(CoreError::InvalidFields)
}

/// Registers a person from the entry form.
pub async fn create(
    ctx: &StaffContext,
    fields: &PersonFields,
    today: Date,
    at: OffsetDateTime,
) -> Result<PersonSaved, CoreError> {
    ctx.require(Permission::EditPersons)?;
    let input = validated(fields, today)?;
    let (person, twins) = edit::create(&ctx.tenant, &input, None, &ctx.account.user_id, at).await?;
    if !in_duties(ctx, &person, today) {
        // Registered (the clerk had the right), but they will not see it: say so plainly.
        tracing::info!("a person outside the registering department's duties was created");
    }
    Ok(PersonSaved {
        subject_no: person.subject_no.as_str().to_owned(),
        version: 1,
        possible_duplicates: twins.iter().map(|s| s.as_str().to_owned()).collect(),
    })
}

/// Saves the edit form. A My Number left as the mask keeps the stored number.
pub async fn update(
    ctx: &StaffContext,
    subject_no: &str,
    update: &PersonUpdate,
    today: Date,
    at: OffsetDateTime,
) -> Result<PersonSaved, CoreError> {
    ctx.require(Permission::EditPersons)?;
    let (person, _) = scoped(ctx, subject_no, today).await?;
    let mut fields = update.fields.clone();
    if fields.my_number.trim() == MY_NUMBER_MASK || fields.my_number.trim().is_empty() {
        fields.my_number = person.my_number.expose_digits().to_owned();
    } else {
        // Changing a My Number is re-identifying a person: only those who may see it.
        ctx.require(Permission::ViewMyNumber)?;
        if !ctx.account.can_view_my_number {
            return Err(CoreError::Forbidden("my_number_not_granted".into()));
        }
    }
    let input = validated(&fields, today)?;
    let version = edit::update(
        &ctx.tenant,
        &person.subject_no,
        &input,
        update.version,
        &ctx.account.user_id,
        at,
    )
    .await?;
    Ok(PersonSaved {
        subject_no: person.subject_no.as_str().to_owned(),
        version,
        possible_duplicates: Vec::new(),
    })
}

/// Sets control flags (e.g. 不開示): hides or shows the person on the resident surface.
pub async fn set_control_flags(
    ctx: &StaffContext,
    subject_no: &str,
    update: &ControlFlagsUpdate,
    today: Date,
    at: OffsetDateTime,
) -> Result<PersonSaved, CoreError> {
    ctx.require(Permission::EditPersons)?;
    let (person, _) = scoped(ctx, subject_no, today).await?;
    let version = edit::set_control_flags(
        &ctx.tenant,
        &person.subject_no,
        update.control_flags,
        update.version,
        &ctx.account.user_id,
        at,
    )
    .await?;
    Ok(PersonSaved {
        subject_no: person.subject_no.as_str().to_owned(),
        version,
        possible_duplicates: Vec::new(),
    })
}

/// Deletes a person (the municipality's own only; the tenant comes from the session).
pub async fn delete(
    ctx: &StaffContext,
    subject_no: &str,
    version: u64,
    today: Date,
    at: OffsetDateTime,
) -> Result<(), CoreError> {
    ctx.require(Permission::EditPersons)?;
    let (person, _) = scoped(ctx, subject_no, today).await?;
    edit::delete(
        &ctx.tenant,
        &person.subject_no,
        version,
        at,
        persons::RECORD_RETENTION_DAYS,
    )
    .await
}

/// The person's change history, newest first.
pub async fn history(
    ctx: &StaffContext,
    subject_no: &str,
    today: Date,
) -> Result<Vec<PersonHistoryEntry>, CoreError> {
    let (person, _) = scoped(ctx, subject_no, today).await?;
    history::list(&ctx.tenant, &person.subject_no).await
}

/// Open possible-duplicate pairs within the caller's duties, side by side.
pub async fn duplicate_pairs(
    ctx: &StaffContext,
    today: Date,
) -> Result<Vec<DuplicatePair>, CoreError> {
    ctx.require(Permission::ViewPersons)?;
    let (pairs, _) = duplicates::open_pairs(&ctx.tenant, None, 100).await?;
    let mut shown = Vec::new();
    for (a, b) in pairs {
        let people = persons::get_many(&ctx.tenant, &[a, b]).await?;
        if let [Some((first, _)), Some((second, _))] = people.as_slice()
            && in_duties(ctx, first, today)
            && in_duties(ctx, second, today)
        {
            shown.push(DuplicatePair {
                first: staff_person(first, today),
                second: staff_person(second, today),
            });
        }
    }
    Ok(shown)
}

/// Marks a pair as reviewed.
pub async fn dismiss_duplicate(
    ctx: &StaffContext,
    first: &str,
    second: &str,
    today: Date,
) -> Result<(), CoreError> {
    ctx.require(Permission::EditPersons)?;
    let (a, _) = scoped(ctx, first, today).await?;
    let (b, _) = scoped(ctx, second, today).await?;
    duplicates::dismiss(&ctx.tenant, &a.subject_no, &b.subject_no).await
}
