//! What kind of account a person has.

use serde::{Deserialize, Serialize};

/// The two kinds of account: therapists own cases, clients belong to one case.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    /// A practitioner with a caseload.
    Therapist,
    /// A partner's own account.
    Client,
}

impl Role {
    /// The name stored in the database.
    pub fn as_str(self) -> &'static str {
        match self {
            Role::Therapist => "therapist",
            Role::Client => "client",
        }
    }

    /// Reads a stored role name.
    pub fn from_stored(value: &str) -> Option<Self> {
        match value {
            "therapist" => Some(Role::Therapist),
            "client" => Some(Role::Client),
            _ => None,
        }
    }

    /// Where this role lands after signing in.
    pub fn home_path(self) -> &'static str {
        match self {
            Role::Therapist => "/caseload",
            Role::Client => "/homework",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stored_names_round_trip() {
        for role in [Role::Therapist, Role::Client] {
            assert_eq!(Role::from_stored(role.as_str()), Some(role));
        }
        assert_eq!(Role::from_stored("admin"), None);
    }

    #[test]
    fn each_role_has_its_own_home() {
        assert_eq!(Role::Therapist.home_path(), "/caseload");
        assert_eq!(Role::Client.home_path(), "/homework");
    }
}
