//! The signed-in person, shared by every page through context.

use crate::api::page_data::{page_data, PageData};

use crate::{
    api::auth::{current_user, SignOut, SignedInUser},
    components::form::form_action,
    error::AppError,
};
use leptos::prelude::*;

/// Who is signed in, the sign-out action, and a way for pages to say "the session changed".
#[derive(Clone, Copy)]
pub struct AuthContext {
    /// Signs out (from the header, on every page).
    pub sign_out: ServerAction<SignOut>,
    /// Who is signed in; refetched after sign-out and whenever a page reports a change.
    pub user: PageData<Option<SignedInUser>>,
    changes: RwSignal<u32>,
}

impl AuthContext {
    /// Refetches the signed-in person each time an action with this `version` completes
    /// (sign-in, sign-up, accepting an invitation). Pages own those actions, inside the
    /// router, so a form submitted before hydration finds its error in the URL.
    pub fn refresh_after(&self, version: RwSignal<usize>) {
        let changes = self.changes;
        Effect::new(move |_| {
            if version.get() > 0 {
                changes.update(|n| *n += 1);
            }
        });
    }
}

/// Creates the auth context and provides it to the component tree.
pub fn provide_auth() {
    let sign_out = form_action::<SignOut>();
    let changes = RwSignal::new(0_u32);
    let user = page_data(move || (sign_out.version().get(), changes.get()), |_| current_user());
    provide_context(AuthContext { sign_out, user, changes });
}

/// The auth context provided by [`provide_auth`].
pub fn use_auth() -> Result<AuthContext, AppError> {
    use_context::<AuthContext>().ok_or(AppError::Internal)
}
