//! The resident surface's questionnaire use cases: whose forms the session may fill in, what
//! they can fill in now, and the responses' life from draft to print.
//!
//! Every use case starts from a [`PersonAccess`]: the person behind an opaque handle, checked
//! on this request (still registered, not hidden by a control flag, and for a proxy still
//! their guardian and under 20). Anything else is `NotFound`, whatever the reason. The access
//! also says who acts, for the operation log: `resident:<subject_no>` for oneself,
//! `proxy:<pseudonym>` for a proxy, with the person's subject number as the subject.

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use hmac::{Hmac, Mac};
use sesshu_domain::person::{Sex, TargetPerson};
use sesshu_domain::questionnaire::{ItemKind, Lang, Signer};
use sesshu_domain::questionnaire_api::{
    ActorKind, CorrectResponse, DraftSaved, FillableQuestionnaire, PeopleList, PersonEntry,
    PersonQuestionnaires, PrintPerson, PrintView, Relation, ResponseStatus, ResponseSummary,
    ResponseView, SaveDraft, StartResponse,
};
use sha2::Sha256;
use time::{Date, OffsetDateTime};

use super::responses::{self, Change, StoredResponse, StoredStatus};
use super::templates::{self, TemplateVersion};
use super::{fillable, japan_date, proxy};
use crate::directory::Residence;
use crate::error::CoreError;
use crate::records;
use crate::resident::ResidentService;
use crate::session::ResidentSession;
use crate::tenancy::Tenant;

/// The persons a session may act on, self first, each once.
fn candidates(session: &ResidentSession) -> Vec<(Residence, Relation)> {
    let mut out: Vec<(Residence, Relation)> = session
        .residences
        .iter()
        .map(|r| (r.clone(), Relation::Own))
        .collect();
    for principal in &session.principals {
        if !out.iter().any(|(r, _)| r == principal) {
            out.push((principal.clone(), Relation::Proxy));
        }
    }
    out
}

/// The opaque handle of a person in this session: HMAC(session id, municipality + subject),
/// so it names no one and means nothing in another session.
pub fn handle(session: &ResidentSession, residence: &Residence) -> String {
    let Ok(mut mac) = Hmac::<Sha256>::new_from_slice(session.session_id.as_bytes()) else {
        return String::new();
    };
    mac.update(b"sesshu/person-handle/v1|");
    mac.update(residence.municipality.as_str().as_bytes());
    mac.update(b"|");
    mac.update(residence.subject_no.as_str().as_bytes());
    URL_SAFE_NO_PAD.encode(&mac.finalize().into_bytes()[..16])
}

/// A person the session may act on now, with who acts.
pub struct PersonAccess {
    pub tenant: Tenant,
    pub residence: Residence,
    pub person: TargetPerson,
    pub relation: Relation,
    /// The operation log's actor: `resident:<subject_no>` or `proxy:<pseudonym>`.
    pub actor: String,
    pub handle: String,
}

impl PersonAccess {
    pub fn actor_kind(&self) -> ActorKind {
        match self.relation {
            Relation::Own => ActorKind::Own,
            Relation::Proxy => ActorKind::Proxy,
        }
    }

    /// The subject number the operation log names.
    pub fn subject(&self) -> &str {
        self.residence.subject_no.as_str()
    }

    fn change(&self, expected_version: u64, at: OffsetDateTime) -> Change {
        Change {
            expected_version,
            actor: self.actor_kind(),
            at,
            today: japan_date(at),
        }
    }
}

/// Loads and checks one candidate; `None` when the session may not act on it now.
async fn access(
    service: &ResidentService,
    session: &ResidentSession,
    residence: &Residence,
    relation: Relation,
    today: Date,
) -> Result<Option<PersonAccess>, CoreError> {
    let tenant = service.platform().tenant(&residence.municipality)?;
    let Some((person, _)) = crate::persons::get(&tenant, &residence.subject_no).await? else {
        return Ok(None);
    };
    if person.control_flags.hides_from_resident() {
        return Ok(None);
    }
    let actor = match relation {
        Relation::Own => format!("resident:{}", residence.subject_no.as_str()),
        Relation::Proxy => {
            let digest = session.proxy_name_digest.as_deref().unwrap_or("");
            if !proxy::may_act_for(&person, &session.session_id, digest, today) {
                return Ok(None);
            }
            format!(
                "proxy:{}",
                session.pseudonym.as_ref().map_or("unknown", |p| p.as_str())
            )
        }
    };
    Ok(Some(PersonAccess {
        tenant,
        residence: residence.clone(),
        person,
        relation,
        actor,
        handle: handle(session, residence),
    }))
}

/// The persons whose forms the session may fill in: oneself (in each municipality) and the
/// children one acts for. Hidden persons are left out.
pub async fn people(
    service: &ResidentService,
    session: &ResidentSession,
    at: OffsetDateTime,
) -> Result<(PeopleList, Vec<PersonAccess>), CoreError> {
    let today = japan_date(at);
    let mut list = PeopleList::default();
    let mut accesses = Vec::new();
    for (residence, relation) in candidates(session) {
        if let Some(access) = access(service, session, &residence, relation, today).await? {
            list.people.push(entry(service, &access).await?);
            accesses.push(access);
        }
    }
    Ok((list, accesses))
}

async fn entry(service: &ResidentService, access: &PersonAccess) -> Result<PersonEntry, CoreError> {
    Ok(PersonEntry {
        handle: access.handle.clone(),
        relation: access.relation,
        name: access.person.name.as_str().to_owned(),
        name_kana: access.person.name_kana.as_str().to_owned(),
        birth_date: access.person.birth_date,
        municipality: service
            .municipality_ref(&access.residence.municipality)
            .await?,
    })
}

/// The person behind `handle`, checked now; `NotFound` for anything else.
pub async fn resolve(
    service: &ResidentService,
    session: &ResidentSession,
    handle_text: &str,
    at: OffsetDateTime,
) -> Result<PersonAccess, CoreError> {
    let today = japan_date(at);
    let Some((residence, relation)) = candidates(session).into_iter().find(|(r, _)| {
        crate::digest::constant_time_eq(handle(session, r).as_bytes(), handle_text.as_bytes())
    }) else {
        return Err(CoreError::NotFound);
    };
    access(service, session, &residence, relation, today)
        .await?
        .ok_or(CoreError::NotFound)
}

fn summary(
    response: &StoredResponse,
    version: u64,
    template: Option<&TemplateVersion>,
    lang: Lang,
    today: Date,
) -> ResponseSummary {
    ResponseSummary {
        id: response.id.clone(),
        setting: response.setting.clone(),
        template_version: response.template_version,
        title: template.map_or_else(
            || response.setting.as_str().to_owned(),
            |t| t.title_in(lang),
        ),
        lang: response.lang,
        status: response.status_on(today),
        version,
        created_at: response.created_at,
        updated_at: response.updated_at,
        submitted_at: response.submitted_at,
        expires_on: response.expires_on,
        validity_days: response.validity_days,
    }
}

async fn template_of(
    access: &PersonAccess,
    response: &StoredResponse,
) -> Result<TemplateVersion, CoreError> {
    templates::version(&access.tenant, &response.setting, response.template_version)
        .await?
        .ok_or_else(|| CoreError::Corrupt("a response's template version is missing".into()))
}

/// What the person can fill in now, and every response they have.
pub async fn questionnaires(
    service: &ResidentService,
    access: &PersonAccess,
    lang: Lang,
    at: OffsetDateTime,
) -> Result<PersonQuestionnaires, CoreError> {
    let today = japan_date(at);
    let stored = responses::list(&access.tenant, &access.residence.subject_no).await?;
    let mut current = Vec::new();
    for setting in templates::settings() {
        current.push(templates::current(&access.tenant, &setting).await?);
    }
    let fillable = if access.person.moved_out_on.is_some() {
        // The municipality the person left issues no more forms.
        Vec::new()
    } else {
        let history = records::list(&access.tenant, &access.residence.subject_no).await?;
        let due = fillable::due_vaccinations(&access.person, today, &history)?;
        let served = fillable::fillable_settings(
            current.iter().map(|t| {
                (
                    t.setting(),
                    t.published.content().vaccination_kinds.as_slice(),
                )
            }),
            &due,
        );
        served
            .into_iter()
            .filter_map(|(setting, vaccinations)| {
                let template = current.iter().find(|t| t.setting() == &setting)?;
                Some(FillableQuestionnaire {
                    version: template.version(),
                    title: template.title_in(lang),
                    vaccinations,
                    open_draft: stored
                        .iter()
                        .find(|(r, _)| r.setting == setting && r.status == StoredStatus::Draft)
                        .map(|(r, _)| r.id.clone()),
                    setting,
                })
            })
            .collect()
    };
    let mut summaries = Vec::with_capacity(stored.len());
    for (response, version) in &stored {
        let template = match current
            .iter()
            .find(|t| t.setting() == &response.setting && t.version() == response.template_version)
        {
            Some(t) => Some(t.clone()),
            None => {
                templates::version(&access.tenant, &response.setting, response.template_version)
                    .await?
            }
        };
        summaries.push(summary(response, *version, template.as_ref(), lang, today));
    }
    Ok(PersonQuestionnaires {
        person: entry(service, access).await?,
        basis: "schedule".to_owned(),
        fillable,
        responses: summaries,
    })
}

async fn view(
    access: &PersonAccess,
    response: &StoredResponse,
    version: u64,
    lang: Option<Lang>,
    today: Date,
) -> Result<ResponseView, CoreError> {
    let template = template_of(access, response).await?;
    let lang = lang.unwrap_or(response.lang);
    let status = response.status_on(today);
    Ok(ResponseView {
        summary: summary(response, version, Some(&template), lang, today),
        answers: response.answers.clone(),
        editable: status == ResponseStatus::Draft,
        correctable: status == ResponseStatus::Submitted,
        withdrawable: matches!(status, ResponseStatus::Draft | ResponseStatus::Submitted),
        history: responses::history(&access.tenant, &access.residence.subject_no, &response.id)
            .await?,
        texts: template.texts_in(lang),
        languages: template.languages(),
        template: template.published,
    })
}

/// Starts a draft of a fillable setting, or returns its open draft (`false`: not created).
pub async fn start(
    service: &ResidentService,
    access: &PersonAccess,
    request: &StartResponse,
    at: OffsetDateTime,
) -> Result<(ResponseView, bool), CoreError> {
    let today = japan_date(at);
    let subject = &access.residence.subject_no;
    if let Some((response, version)) =
        responses::open_draft(&access.tenant, subject, &request.setting).await?
    {
        return Ok((view(access, &response, version, None, today).await?, false));
    }
    let fillable = questionnaires(service, access, Lang::Ja, at)
        .await?
        .fillable;
    let Some(setting) = fillable.iter().find(|f| f.setting == request.setting) else {
        return Err(CoreError::StateConflict {
            code: "not_fillable",
            message: "この予診票は今は記入できません。記入できる予診票の一覧から選んでください / this questionnaire cannot be filled in now: choose one from the list",
        });
    };
    let template = templates::version(&access.tenant, &setting.setting, setting.version)
        .await?
        .ok_or(CoreError::NotFound)?;
    let (response, version) = responses::create(
        &access.tenant,
        subject,
        &setting.setting,
        template.version(),
        template.validity_days,
        request.lang,
        access.actor_kind(),
        at,
        today,
    )
    .await?;
    Ok((view(access, &response, version, None, today).await?, true))
}

async fn load(access: &PersonAccess, id: &str) -> Result<(StoredResponse, u64), CoreError> {
    responses::get(&access.tenant, &access.residence.subject_no, id)
        .await?
        .ok_or(CoreError::NotFound)
}

/// One response with its form, texts in `lang` (the response's own language by default).
pub async fn response(
    access: &PersonAccess,
    id: &str,
    lang: Option<Lang>,
    at: OffsetDateTime,
) -> Result<ResponseView, CoreError> {
    let (response, version) = load(access, id).await?;
    view(access, &response, version, lang, japan_date(at)).await
}

/// Autosaves a draft.
pub async fn save(
    access: &PersonAccess,
    id: &str,
    request: &SaveDraft,
    at: OffsetDateTime,
) -> Result<DraftSaved, CoreError> {
    let (response, _) = load(access, id).await?;
    let template = template_of(access, &response).await?;
    responses::save_draft(
        &access.tenant,
        &access.residence.subject_no,
        id,
        template.published.content(),
        request.lang,
        &request.answers,
        access.change(request.version, at),
    )
    .await
}

/// Submits a draft.
pub async fn submit(
    access: &PersonAccess,
    id: &str,
    version: u64,
    at: OffsetDateTime,
) -> Result<ResponseSummary, CoreError> {
    let (response, _) = load(access, id).await?;
    let template = template_of(access, &response).await?;
    let (response, version) = responses::submit(
        &access.tenant,
        &access.residence.subject_no,
        id,
        template.published.content(),
        access.change(version, at),
    )
    .await?;
    Ok(summary(
        &response,
        version,
        Some(&template),
        response.lang,
        japan_date(at),
    ))
}

/// Corrects a submitted form.
pub async fn correct(
    access: &PersonAccess,
    id: &str,
    request: &CorrectResponse,
    at: OffsetDateTime,
) -> Result<ResponseSummary, CoreError> {
    let (response, _) = load(access, id).await?;
    let template = template_of(access, &response).await?;
    let (response, version) = responses::correct(
        &access.tenant,
        &access.residence.subject_no,
        id,
        template.published.content(),
        &request.answers,
        access.change(request.version, at),
    )
    .await?;
    Ok(summary(
        &response,
        version,
        Some(&template),
        response.lang,
        japan_date(at),
    ))
}

/// Withdraws a draft or a submitted form.
pub async fn withdraw(
    access: &PersonAccess,
    id: &str,
    version: u64,
    at: OffsetDateTime,
) -> Result<ResponseSummary, CoreError> {
    let (response, version) = responses::withdraw(
        &access.tenant,
        &access.residence.subject_no,
        id,
        access.change(version, at),
    )
    .await?;
    let template =
        templates::version(&access.tenant, &response.setting, response.template_version).await?;
    Ok(summary(
        &response,
        version,
        template.as_ref(),
        response.lang,
        japan_date(at),
    ))
}

/// Full years and the months after them, on `on`.
fn age_years_months(birth: Date, on: Date) -> (u32, u32) {
    if on < birth {
        return (0, 0);
    }
    let mut months = (on.year() - birth.year()) * 12 + i32::from(u8::from(on.month()))
        - i32::from(u8::from(birth.month()));
    if on.day() < birth.day() {
        months -= 1;
    }
    let months = u32::try_from(months.max(0)).unwrap_or(0);
    (months / 12, months % 12)
}

/// What a printed form needs, in Japanese.
pub async fn print(
    service: &ResidentService,
    access: &PersonAccess,
    id: &str,
    at: OffsetDateTime,
) -> Result<PrintView, CoreError> {
    let today = japan_date(at);
    let (response, version) = load(access, id).await?;
    let template = template_of(access, &response).await?;
    let guardian_signs = template.published.content().items().any(|item| {
        matches!(&item.kind, ItemKind::Consent { signers } if signers.contains(&Signer::Guardian))
    });
    let person = &access.person;
    let (age_years, age_months) = age_years_months(person.birth_date, today);
    Ok(PrintView {
        response: summary(&response, version, Some(&template), Lang::Ja, today),
        answers: response.answers.clone(),
        history: responses::history(&access.tenant, &access.residence.subject_no, &response.id)
            .await?,
        texts: template.texts_in(Lang::Ja),
        person: PrintPerson {
            name: person.name.as_str().to_owned(),
            name_kana: person.name_kana.as_str().to_owned(),
            birth_date: person.birth_date,
            sex: match person.sex {
                Sex::Male => "male",
                Sex::Female => "female",
            }
            .to_owned(),
            age_years,
            age_months,
            guardian_name: if guardian_signs {
                person.guardian_name.as_ref().map(|g| g.as_str().to_owned())
            } else {
                None
            },
            address: Some(person.address.clone()),
        },
        municipality: service
            .municipality_ref(&access.residence.municipality)
            .await?,
        template: template.published,
        printed_at: at,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::date;

    #[test]
    fn ages_count_full_months() {
        assert_eq!(
            age_years_months(date!(2024 - 02 - 10), date!(2025 - 05 - 09)),
            (1, 2)
        );
        assert_eq!(
            age_years_months(date!(2024 - 02 - 10), date!(2025 - 05 - 10)),
            (1, 3)
        );
        assert_eq!(
            age_years_months(date!(2024 - 02 - 10), date!(2024 - 02 - 10)),
            (0, 0)
        );
        assert_eq!(
            age_years_months(date!(2024 - 02 - 10), date!(2023 - 01 - 01)),
            (0, 0)
        );
    }
}
