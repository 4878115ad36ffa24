//! Autosave: every edit goes to this device's copy at once and to the server after a pause
//! (`PUT` with the version it builds on). A lost connection keeps the answers on the device and
//! sends them when the browser is back online; a `409 stale_version` (the draft changed
//! elsewhere, e.g. in another tab) reloads the version and sends the same answers again.
//!
//! A correction of a submitted form is only kept on the device: the server takes corrections
//! whole, when the person sends them.

use std::time::Duration;

use leptos::prelude::*;
use leptos::task::spawn_local;
use sesshu_app::questionnaire::FormModel;
use sesshu_domain::questionnaire::Lang as FormLang;
use sesshu_domain::questionnaire_api::SaveDraft;

use crate::api::{self, FormsError};
use crate::js;
use crate::local_copy;

/// How long typing must pause before a save: long enough not to send every keystroke, short
/// enough that closing the tab right after loses at most this much on the server (the device
/// copy is written at once anyway).
const PAUSE: Duration = Duration::from_millis(600);
/// How often to try again while offline (the browser's `online` event usually comes first).
const RETRY: Duration = Duration::from_secs(10);
/// Stale-version reloads in a row before giving up (another tab saving at the same time).
const MAX_STALE_RETRIES: u8 = 3;

/// Where the person's answers stand.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SaveState {
    /// Nothing changed since the form was opened.
    Idle,
    /// Changed; the save waits for typing to pause.
    Pending,
    Saving,
    /// The server has everything.
    Saved,
    /// No connection: kept on this device, sent when back online.
    Offline,
    /// Kept on this device: a correction, sent as a whole at the end.
    OnDevice,
    /// The server answered with an error; kept on this device, tried again on the next edit.
    Failed,
    /// The session ended; kept on this device until the person logs in again.
    LoggedOut,
    /// The server no longer takes changes (sent elsewhere, expired): the page reloads.
    Closed,
}

/// The autosave of one response. `Copy`.
#[derive(Clone, Copy)]
pub struct Saver {
    person: StoredValue<String>,
    id: StoredValue<String>,
    model: FormModel,
    /// The server version the answers build on.
    pub version: RwSignal<u64>,
    pub state: RwSignal<SaveState>,
    /// Editing a submitted form: keep on the device only.
    pub correcting: RwSignal<bool>,
    /// The edit count the server confirmed last.
    saved_edits: StoredValue<u64>,
    in_flight: RwSignal<bool>,
    timer: StoredValue<Option<TimeoutHandle>>,
    /// A language switch to send with the next save.
    lang_change: StoredValue<Option<FormLang>>,
}

impl Saver {
    /// The saver of response `id` of `person`, at server `version`.
    pub fn new(person: String, id: String, model: FormModel, version: u64) -> Self {
        Self {
            person: StoredValue::new(person),
            id: StoredValue::new(id),
            model,
            version: RwSignal::new(version),
            state: RwSignal::new(SaveState::Idle),
            correcting: RwSignal::new(false),
            saved_edits: StoredValue::new(model.edits_untracked()),
            in_flight: RwSignal::new(false),
            timer: StoredValue::new(None),
            lang_change: StoredValue::new(None),
        }
    }

    /// Starts following the person's edits, the browser's `online` event and a slow retry
    /// while offline; all stop when the form's view goes away.
    pub fn start(self) {
        Effect::new(move |previous: Option<u64>| {
            let edits = self.model.edits();
            if previous.is_some_and(|previous| previous != edits) {
                self.edited();
            }
            edits
        });
        let online = window_event_listener(leptos::ev::online, move |_| self.flush());
        let retry = set_interval_with_handle(
            move || {
                if self.state.get_untracked() == SaveState::Offline {
                    self.flush();
                }
            },
            RETRY,
        )
        .ok();
        on_cleanup(move || {
            online.remove();
            if let Some(retry) = retry {
                retry.clear();
            }
            self.cancel_timer();
        });
    }

    /// Whether the form's view is gone (the person left while a save was on its way): its
    /// state must not be read any more.
    fn gone(self) -> bool {
        self.state.is_disposed() || self.id.is_disposed()
    }

    /// Whether a save is on its way (reactive): sending waits for it.
    pub fn busy(self) -> bool {
        self.in_flight.get()
    }

    /// The answers came from this device's unsent copy: send them at once.
    pub fn resume_unsent(self) {
        self.saved_edits.set_value(u64::MAX);
        self.state.set(SaveState::Pending);
        if self.correcting.get_untracked() {
            self.state.set(SaveState::OnDevice);
        } else {
            self.schedule(Duration::ZERO);
        }
    }

    /// Whether the server lacks some of the answers (or a language switch).
    pub fn dirty(self) -> bool {
        self.model.edits_untracked() != self.saved_edits.get_value()
            || self.lang_change.with_value(Option::is_some)
    }

    fn edited(self) {
        self.keep_on_device();
        if self.correcting.get_untracked() {
            self.state.set(SaveState::OnDevice);
            return;
        }
        self.state.set(SaveState::Pending);
        self.schedule(PAUSE);
    }

    /// Writes the answers to this device at once: the tab may be closed any moment.
    fn keep_on_device(self) {
        let answers = self.model.answers_untracked();
        let base = self.version.get_untracked();
        let correcting = self.correcting.get_untracked();
        self.id.with_value(|id| {
            local_copy::update(id, |copy| {
                copy.base_version = base;
                copy.unsaved = Some(answers);
                copy.correcting = correcting;
            });
        });
    }

    /// Remembers the section on screen, so the form reopens there.
    pub fn remember_section(self, index: usize) {
        self.id
            .with_value(|id| local_copy::update(id, |copy| copy.section = Some(index)));
    }

    /// Switches the form's language: remembered here, sent with the next save of a draft.
    pub fn change_lang(self, lang: FormLang) {
        self.id
            .with_value(|id| local_copy::update(id, |copy| copy.lang = Some(lang)));
        local_copy::set_preferred_lang(lang);
        if !self.correcting.get_untracked() {
            self.lang_change.set_value(Some(lang));
            self.flush();
        }
    }

    fn schedule(self, after: Duration) {
        self.cancel_timer();
        let handle = set_timeout_with_handle(move || self.flush(), after).ok();
        self.timer.set_value(handle);
    }

    fn cancel_timer(self) {
        if let Some(handle) = self.timer.get_value() {
            handle.clear();
        }
        self.timer.set_value(None);
    }

    /// Saves now, unless a save is on its way (which saves again when it ends if needed).
    pub fn flush(self) {
        self.cancel_timer();
        if self.correcting.get_untracked() || self.in_flight.get_untracked() || !self.dirty() {
            return;
        }
        spawn_local(async move {
            // The outcome is in `state`; the page shows it.
            let _ = self.save().await;
        });
    }

    /// Saves the current answers (reloading the version on `stale_version`) and reports how it
    /// went; used by autosave and right before sending.
    pub async fn save(self) -> Result<(), FormsError> {
        self.cancel_timer();
        self.in_flight.set(true);
        self.state.set(SaveState::Saving);
        let result = self.save_with_retries().await;
        if self.gone() {
            return result;
        }
        self.in_flight.set(false);
        match &result {
            Ok(()) if self.dirty() => {
                // Typed on while the save was on its way.
                self.state.set(SaveState::Pending);
                self.schedule(PAUSE);
            }
            Ok(()) => self.state.set(SaveState::Saved),
            Err(error) => self.state.set(state_after(error)),
        }
        result
    }

    async fn save_with_retries(self) -> Result<(), FormsError> {
        let person = self.person.get_value();
        let id = self.id.get_value();
        let mut stale = 0;
        loop {
            let sent_edits = self.model.edits_untracked();
            let lang = self.lang_change.get_value();
            let body = SaveDraft {
                version: self.version.get_untracked(),
                lang,
                answers: self.model.answers_untracked(),
            };
            let result = if js::online() {
                api::save(&person, &id, &body).await
            } else {
                Err(FormsError::Network)
            };
            if self.gone() {
                return result.map(|_| ());
            }
            match result {
                Ok(saved) => {
                    self.version.set(saved.version);
                    self.saved_edits.set_value(sent_edits);
                    if self.lang_change.get_value() == lang {
                        self.lang_change.set_value(None);
                    }
                    let all_saved = !self.dirty();
                    local_copy::update(&id, |copy| {
                        copy.base_version = saved.version;
                        if all_saved {
                            copy.unsaved = None;
                        }
                    });
                    return Ok(());
                }
                Err(error) if error.is_stale() && stale < MAX_STALE_RETRIES => {
                    stale += 1;
                    let view = api::response(&person, &id, None).await?;
                    if self.gone() {
                        return Err(FormsError::Network);
                    }
                    if !view.editable {
                        return Err(FormsError::Conflict("not_editable".to_owned()));
                    }
                    self.version.set(view.summary.version);
                }
                Err(error) => return Err(error),
            }
        }
    }
}

/// What a failed save means for the person.
fn state_after(error: &FormsError) -> SaveState {
    match error {
        FormsError::Network => SaveState::Offline,
        FormsError::Unauthenticated => SaveState::LoggedOut,
        FormsError::Conflict(code) if code != "stale_version" => SaveState::Closed,
        FormsError::NotFound => SaveState::Closed,
        _ => SaveState::Failed,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn failed_saves_tell_the_person_what_happened_to_their_answers() {
        assert_eq!(state_after(&FormsError::Network), SaveState::Offline);
        assert_eq!(
            state_after(&FormsError::Unauthenticated),
            SaveState::LoggedOut
        );
        assert_eq!(
            state_after(&FormsError::Conflict("expired".to_owned())),
            SaveState::Closed
        );
        assert_eq!(
            state_after(&FormsError::Conflict("stale_version".to_owned())),
            SaveState::Failed
        );
    }
}
