//! What kind of account a person has.

use super::stored_enum;

stored_enum! {
    /// The two kinds of account: therapists own cases, clients belong to one case.
    pub enum Role {
        /// A practitioner with a caseload.
        Therapist => "therapist", "Therapist";
        /// A partner's own account.
        Client => "client", "Client";
    }
}

impl Role {
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
        for role in Role::ALL {
            assert_eq!(Role::parse(role.as_str()), Ok(*role));
        }
        assert!(Role::parse("admin").is_err());
    }

    #[test]
    fn each_role_has_its_own_home() {
        assert_eq!(Role::Therapist.home_path(), "/caseload");
        assert_eq!(Role::Client.home_path(), "/homework");
    }
}
