//! Pages only one role may open. Anyone else is sent to sign in (and back afterwards), or
//! to their own home.

use crate::{auth::use_auth, domain::Role, error::AppError};
use leptos::{either::EitherOf3, prelude::*};
use leptos_router::{components::Redirect, hooks::use_location};

/// Shows `children` only to a signed-in person with `role`.
#[component]
pub fn RequireRole(
    /// Who may see the page.
    role: Role,
    /// The page.
    children: ChildrenFn,
) -> impl IntoView {
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
                            Ok(Some(user)) if user.role == role => Ok(EitherOf3::A(children())),
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

/// Percent-encodes a value for a query string.
fn encode_query_value(value: &str) -> String {
    value
        .bytes()
        .map(|byte| match byte {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' | b'/' => {
                (byte as char).to_string()
            }
            other => format!("%{other:02X}"),
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::encode_query_value;

    #[test]
    fn encodes_query_characters() {
        assert_eq!(
            encode_query_value("/caseload?page=2&q=a b"),
            "/caseload%3Fpage%3D2%26q%3Da%20b"
        );
    }
}
