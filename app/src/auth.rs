//! The signed-in person, shared by every page through context.

use crate::{
    api::auth::{current_user, SignedInUser, SignIn, SignOut, SignUp},
    error::AppError,
};
use leptos::prelude::*;

/// The sign-in, sign-up and sign-out actions and the current user they keep fresh.
#[derive(Clone, Copy)]
pub struct AuthContext {
    /// Signs in.
    pub sign_in: ServerAction<SignIn>,
    /// Creates a therapist account.
    pub sign_up: ServerAction<SignUp>,
    /// Signs out.
    pub sign_out: ServerAction<SignOut>,
    /// Who is signed in; refetched after each action.
    pub user: Resource<Result<Option<SignedInUser>, AppError>>,
}

/// Creates the auth context and provides it to the component tree.
pub fn provide_auth() -> AuthContext {
    let sign_in = ServerAction::<SignIn>::new();
    let sign_up = ServerAction::<SignUp>::new();
    let sign_out = ServerAction::<SignOut>::new();
    let user = Resource::new(
        move || (sign_in.version().get(), sign_up.version().get(), sign_out.version().get()),
        |_| current_user(),
    );
    let context = AuthContext { sign_in, sign_up, sign_out, user };
    provide_context(context);
    context
}

/// The auth context provided by [`provide_auth`].
pub fn use_auth() -> Result<AuthContext, AppError> {
    use_context::<AuthContext>().ok_or(AppError::Internal)
}
