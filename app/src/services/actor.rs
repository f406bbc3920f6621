//! Who is acting: the signed-in account behind a request.

use super::request_context;
use crate::{domain::Role, entities::users, error::AppError};

/// The signed-in account a service acts for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Actor {
    /// The account's id.
    pub user_id: i32,
    /// What kind of account it is.
    pub role: Role,
}

impl Actor {
    /// The actor an account acts as.
    pub fn of(account: &users::Model) -> Self {
        Actor { user_id: account.id, role: account.role }
    }

    /// Refuses (403) an actor whose role is not `role` (noted for the audit trail).
    pub fn require_role(&self, role: Role) -> Result<(), AppError> {
        if self.role == role {
            Ok(())
        } else {
            request_context::note_refusal(403);
            Err(AppError::Forbidden)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn role_check_refuses_the_other_role() {
        let client = Actor { user_id: 1, role: Role::Client };
        assert_eq!(client.require_role(Role::Therapist), Err(AppError::Forbidden));
        assert_eq!(client.require_role(Role::Client), Ok(()));
    }
}
