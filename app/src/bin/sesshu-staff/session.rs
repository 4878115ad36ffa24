//! The staff sessions as the whole bundle sees them: one state per surface, asked of the server
//! when a surface's page first needs it, replaced on login and re-authentication, and cleared on
//! logout or whenever a request finds the session gone.

use crate::api::{self, ErrorKind, StaffError, Surface};
use leptos::prelude::*;
use leptos::task::spawn_local;
use sesshu_domain::staff::{Permission, StaffSession};

/// Where a surface's session stands.
#[derive(Debug, Clone, PartialEq)]
pub enum SessionState {
    /// Not asked yet.
    Unknown,
    /// The server is being asked.
    Checking,
    /// Logged in; `at_ms` is when the server said so (browser clock), to turn its "seconds from
    /// now" into a time of day.
    LoggedIn {
        session: Box<StaffSession>,
        at_ms: f64,
    },
    /// Nobody is logged in; `why` lets the login page say why the person is there.
    LoggedOut { why: LoggedOutBecause },
    /// The check itself failed (network, server).
    Failed(StaffError),
}

/// Why nobody is logged in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LoggedOutBecause {
    /// Nobody was.
    NoSession,
    /// A session existed and ended: it expired, or was ended elsewhere.
    Ended,
    /// The person logged out here.
    LoggedOut,
    /// The person ended all their sessions.
    LoggedOutEverywhere,
}

/// Both surfaces' sessions, in context. `Copy`, so closures in views can capture it.
#[derive(Clone, Copy)]
pub struct Sessions {
    admin: RwSignal<SessionState>,
    clinic: RwSignal<SessionState>,
}

impl Sessions {
    fn signal(self, surface: Surface) -> RwSignal<SessionState> {
        match surface {
            Surface::Admin => self.admin,
            Surface::Clinic => self.clinic,
        }
    }

    /// The state (reactive).
    pub fn state(self, surface: Surface) -> SessionState {
        self.signal(surface).get()
    }

    /// The state, without subscribing.
    pub fn state_untracked(self, surface: Surface) -> SessionState {
        self.signal(surface).get_untracked()
    }

    /// The logged-in session, if any (reactive).
    pub fn current(self, surface: Surface) -> Option<(StaffSession, f64)> {
        self.signal(surface).with(|state| match state {
            SessionState::LoggedIn { session, at_ms } => {
                Some((StaffSession::clone(session), *at_ms))
            }
            _ => None,
        })
    }

    /// Asks the server once; later calls do nothing until the state is reset.
    pub fn ensure_loaded(self, surface: Surface) {
        let signal = self.signal(surface);
        if signal.with_untracked(|state| !matches!(state, SessionState::Unknown)) {
            return;
        }
        signal.set(SessionState::Checking);
        spawn_local(async move {
            let state = match api::session(surface).await {
                Ok(session) => SessionState::LoggedIn {
                    session: Box::new(session),
                    at_ms: now_ms(),
                },
                Err(error) if error.kind() == ErrorKind::SessionGone => SessionState::LoggedOut {
                    why: LoggedOutBecause::NoSession,
                },
                Err(error) => SessionState::Failed(error),
            };
            signal.set(state);
        });
    }

    /// Asks the server again (after a failed check).
    pub fn reload(self, surface: Surface) {
        self.signal(surface).set(SessionState::Unknown);
        self.ensure_loaded(surface);
    }

    /// Records a session the server just issued or renewed (login, re-authentication).
    pub fn logged_in(self, surface: Surface, session: StaffSession) {
        self.signal(surface).set(SessionState::LoggedIn {
            session: Box::new(session),
            at_ms: now_ms(),
        });
    }

    /// Records that nobody is logged in, and why.
    pub fn logged_out(self, surface: Surface, why: LoggedOutBecause) {
        self.signal(surface).set(SessionState::LoggedOut { why });
    }

    /// Marks the session ended if `result` says it is gone, and passes `result` on.
    pub fn observe<T>(
        self,
        surface: Surface,
        result: Result<T, StaffError>,
    ) -> Result<T, StaffError> {
        if let Err(error) = &result
            && error.kind() == ErrorKind::SessionGone
        {
            self.logged_out(surface, LoggedOutBecause::Ended);
        }
        result
    }
}

/// Puts both surfaces' sessions in context, not yet asked.
pub fn provide_sessions() -> Sessions {
    let sessions = Sessions {
        admin: RwSignal::new(SessionState::Unknown),
        clinic: RwSignal::new(SessionState::Unknown),
    };
    provide_context(sessions);
    sessions
}

/// The sessions in context; a fresh pair if none was provided.
pub fn use_sessions() -> Sessions {
    use_context::<Sessions>().unwrap_or_else(provide_sessions)
}

/// The logged-in staff user of the page being shown: the pages under a surface's shell are only
/// mounted while its session is known, so they read it from here.
#[derive(Clone, Copy)]
pub struct CurrentStaff {
    pub surface: Surface,
    sessions: Sessions,
}

impl CurrentStaff {
    pub fn new(surface: Surface, sessions: Sessions) -> Self {
        Self { surface, sessions }
    }

    /// The session (reactive); `None` only in the moment the shell is being taken down.
    pub fn session(self) -> Option<StaffSession> {
        self.sessions
            .current(self.surface)
            .map(|(session, _)| session)
    }

    /// The session's municipality code, for object routes (not reactive: it cannot change
    /// while logged in).
    pub fn code(self) -> String {
        self.sessions
            .signal(self.surface)
            .with_untracked(|state| match state {
                SessionState::LoggedIn { session, .. } => session.municipality.code.clone(),
                _ => String::new(),
            })
    }

    /// Whether the role grants any of `permissions` (reactive).
    pub fn has_any(self, permissions: &[Permission]) -> bool {
        self.sessions
            .signal(self.surface)
            .with(|state| match state {
                SessionState::LoggedIn { session, .. } => allows(session, permissions),
                _ => false,
            })
    }

    /// Whether the user may see and search by My Number: the role's right and their own flag
    /// (reactive). The server also wants a fresh re-authentication to show one.
    pub fn may_view_my_number(self) -> bool {
        self.sessions
            .signal(self.surface)
            .with(|state| match state {
                SessionState::LoggedIn { session, .. } => {
                    session.can_view_my_number
                        && session.permissions.contains(&Permission::ViewMyNumber)
                }
                _ => false,
            })
    }

    /// See [`Sessions::observe`].
    pub fn observe<T>(self, result: Result<T, StaffError>) -> Result<T, StaffError> {
        self.sessions.observe(self.surface, result)
    }

    /// Records a renewed session (after re-authentication).
    pub fn renewed(self, session: StaffSession) {
        self.sessions.logged_in(self.surface, session);
    }
}

/// Whether `session` holds any of `permissions`; an empty list means any staff user.
pub fn allows(session: &StaffSession, permissions: &[Permission]) -> bool {
    permissions.is_empty() || permissions.iter().any(|p| session.permissions.contains(p))
}

/// The logged-in staff user, as provided by the shell.
pub fn use_current_staff() -> CurrentStaff {
    use_context::<CurrentStaff>()
        .unwrap_or_else(|| CurrentStaff::new(Surface::Admin, use_sessions()))
}

/// Milliseconds since the epoch, from the browser's clock.
pub fn now_ms() -> f64 {
    crate::js::Date::now()
}
