//! The words of email: what an email is for, where it is in its delivery, and how a
//! therapist hears about submissions.

use super::stored_enum;

stored_enum! {
    /// What an email is for.
    pub enum EmailKind {
        /// An invitation to join.
        Invitation => "invitation", "Invitation";
        /// A neutral "there is an update on one of your cases" to the therapist.
        CaseUpdate => "case_update", "Case update";
        /// A consultation follow-up written by the therapist.
        FollowUp => "follow_up", "Follow-up";
        /// An automatic reminder to a client (due, overdue, check-in).
        Reminder => "reminder", "Reminder";
        /// An automatic notice (homework assigned, partner shared, a comment, a digest).
        Notification => "notification", "Notification";
        /// A calendar invitation for a chosen consultation time.
        Calendar => "calendar", "Calendar invitation";
        /// A link to choose a new password (its secret minted when it is sent).
        PasswordReset => "password_reset", "Password reset";
        /// About the recipient's own account: a sign-up confirmation or notice, or the
        /// operator's invitation to a new therapist.
        Account => "account", "Account";
    }
}

stored_enum! {
    /// What a single-use account link (sent by email) lets its holder do.
    pub enum AccountLinkPurpose {
        /// Confirm the email of a therapist who signed up.
        ConfirmEmail => "confirm_email", "Confirm email";
        /// Set the name and password of a therapist the operator invited.
        SetPassword => "set_password", "Set password";
    }
}

stored_enum! {
    /// Where an email is in its delivery.
    pub enum EmailStatus {
        /// Waiting to be sent (or to be retried).
        Pending => "pending", "Waiting to send";
        /// Claimed by a worker that is sending it.
        Sending => "sending", "Sending";
        /// Accepted by the SMTP server.
        Sent => "sent", "Sent";
        /// Given up on.
        Failed => "failed", "Not delivered";
    }
}

stored_enum! {
    /// How a therapist hears about submissions.
    pub enum Digest {
        /// One email per submission.
        Immediate => "immediate", "One email per submission";
        /// One summary a day.
        Daily => "daily", "One summary a day";
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stored_names_round_trip() {
        for kind in EmailKind::ALL {
            assert_eq!(EmailKind::parse(kind.as_str()), Ok(*kind));
        }
        for status in EmailStatus::ALL {
            assert_eq!(EmailStatus::parse(status.as_str()), Ok(*status));
        }
        for digest in Digest::ALL {
            assert_eq!(Digest::parse(digest.as_str()), Ok(*digest));
        }
        assert!(Digest::parse("hourly").is_err());
    }
}
