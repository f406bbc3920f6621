//! Pages only one role, or only a signed-in person, may open. Anyone else is sent to sign
//! in (and back afterwards), or to their own home.

use crate::{auth::use_auth, components::url::encode_query_value, domain::Role, error::AppError};
use leptos::{either::EitherOf3, prelude::*};
use leptos_router::{components::Redirect, hooks::use_location};

/// Shows `children` only to a signed-in person with `role` (any role when `None` is given
/// through [`RequireSignedIn`]).
///
/// On the server Leptos builds `children` up to three times per response (its `<Suspense>`
/// walks them to find what they load) and throws the extra copies away. Make a page's
/// resources in the page component, outside `RequireRole`, and hand them in, so each loads
/// once per page view.
#[component]
pub fn RequireRole(
    /// Who may see the page.
    role: Role,
    /// The page.
    children: ChildrenFn,
) -> impl IntoView {
    guarded(Some(role), children)
}

/// Shows `children` to anyone signed in, of either role (see [`RequireRole`] about where
/// to make the page's resources).
#[component]
pub fn RequireSignedIn(
    /// The page.
    children: ChildrenFn,
) -> impl IntoView {
    guarded(None, children)
}

fn guarded(role: Option<Role>, children: ChildrenFn) -> impl IntoView {
    use_auth().map(|auth| {
    let location = use_location();
        view! {
        <Suspense fallback=|| view! { <p class="loading">"Loading…"</p> }>
            {
                let children = children.clone();
                move || {
                    let children = children.clone();
                    Suspend::new(async move {
                        match auth.user.await {
                            Ok(Some(user)) if role.is_none_or(|role| user.role == role) => Ok(EitherOf3::A(children())),
                            Ok(Some(user)) => Ok(EitherOf3::B(view! { <Redirect path=user.role.home_path()/> })),
                            Ok(None) | Err(AppError::Unauthenticated) => {
                                let here = format!(
                                    "{}{}",
                                    location.pathname.get_untracked(),
                                    location.search.get_untracked()
                                );
                                let path = format!("/sign-in?next={}", encode_query_value(&here));
                                Ok(EitherOf3::C(view! { <Redirect path=path/> }))
                            }
                            Err(error) => Err(error),
                        }
                    })
                }
            }
        </Suspense>
        }
    })
}
