//! How long a therapist keeps a closed case before its content is purged.

use super::InvalidInput;

/// "Keep closed cases N years": a whole number of years from [`RetentionYears::MIN`] to
/// [`RetentionYears::MAX`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RetentionYears(i16);

impl RetentionYears {
    /// The shortest retention a therapist may choose, in years.
    pub const MIN: i16 = 1;
    /// The longest retention a therapist may choose, in years.
    pub const MAX: i16 = 50;
    /// The default (see the README's "Retention").
    pub const DEFAULT: i16 = 7;

    /// Parses the settings field; surrounding spaces are ignored.
    pub fn parse(input: &str) -> Result<Self, InvalidInput> {
        input
            .trim()
            .parse::<i16>()
            .ok()
            .filter(|years| (Self::MIN..=Self::MAX).contains(years))
            .map(Self)
            .ok_or_else(|| {
                InvalidInput::new(format!(
                    "Enter a whole number of years from {} to {}.",
                    Self::MIN,
                    Self::MAX
                ))
            })
    }

    /// The number of years.
    pub fn years(self) -> i16 {
        self.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn whole_years_in_range_are_accepted() {
        assert_eq!(RetentionYears::parse(" 1 ").map(RetentionYears::years), Ok(1));
        assert_eq!(RetentionYears::parse("7").map(RetentionYears::years), Ok(7));
        assert_eq!(RetentionYears::parse("50").map(RetentionYears::years), Ok(50));
    }

    #[test]
    fn anything_else_is_refused_with_the_range() {
        for input in ["", "0", "-3", "51", "2.5", "seven", "99999999"] {
            let message = RetentionYears::parse(input).unwrap_err().to_string();
            assert!(message.contains("from 1 to 50"), "{input:?}: {message}");
        }
    }
}
