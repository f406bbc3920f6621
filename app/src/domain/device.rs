//! A short, bounded name for the device a session was started on ("Firefox on Linux"),
//! made from the browser's User-Agent at sign-in. Only the label is kept, never the header:
//! it is built from a fixed list of browser and system names, so it is always short and
//! never carries text the browser chose.

use serde::{Deserialize, Serialize};

/// The most characters a label can have (the column's limit).
pub const MAX_DEVICE_CHARS: usize = 60;

/// Browser families, most specific first (Edge and Opera also say "Chrome", Chrome also
/// says "Safari").
const BROWSERS: &[(&str, &str)] = &[
    ("Edg/", "Edge"),
    ("EdgA/", "Edge"),
    ("EdgiOS/", "Edge"),
    ("OPR/", "Opera"),
    ("SamsungBrowser/", "Samsung Internet"),
    ("Firefox/", "Firefox"),
    ("FxiOS/", "Firefox"),
    ("CriOS/", "Chrome"),
    ("Chromium/", "Chromium"),
    ("Chrome/", "Chrome"),
    ("Safari/", "Safari"),
];

/// Operating systems, most specific first (Android also says "Linux", iOS "like Mac OS X").
const SYSTEMS: &[(&str, &str)] = &[
    ("Android", "Android"),
    ("iPhone", "iOS"),
    ("iPad", "iPadOS"),
    ("CrOS", "ChromeOS"),
    ("Windows", "Windows"),
    ("Macintosh", "macOS"),
    ("Mac OS X", "macOS"),
    ("Linux", "Linux"),
];

/// What a session's device is called on the account page.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DeviceLabel(String);

impl DeviceLabel {
    /// Names the browser and system of a User-Agent roughly; unknown parts read as
    /// "Unknown browser" / "unknown system".
    pub fn from_user_agent(user_agent: &str) -> Self {
        let find = |list: &[(&str, &'static str)]| {
            list.iter().find(|(marker, _)| user_agent.contains(marker)).map(|(_, name)| *name)
        };
        let browser = find(BROWSERS).unwrap_or("Unknown browser");
        let system = find(SYSTEMS).unwrap_or("unknown system");
        Self(format!("{browser} on {system}"))
    }

    /// A label read back from the database (cut to the limit; empty reads as unknown).
    pub fn stored(text: &str) -> Self {
        if text.trim().is_empty() {
            return Self("Unknown device".to_owned());
        }
        Self(text.chars().take(MAX_DEVICE_CHARS).collect())
    }

    /// The label's text.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn label(user_agent: &str) -> String {
        DeviceLabel::from_user_agent(user_agent).as_str().to_owned()
    }

    #[test]
    fn common_browsers_are_named_roughly() {
        assert_eq!(
            label("Mozilla/5.0 (X11; Linux x86_64; rv:133.0) Gecko/20100101 Firefox/133.0"),
            "Firefox on Linux"
        );
        assert_eq!(
            label(
                "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) \
                 Chrome/131.0.0.0 Safari/537.36 Edg/131.0.0.0"
            ),
            "Edge on Windows"
        );
        assert_eq!(
            label(
                "Mozilla/5.0 (iPhone; CPU iPhone OS 18_1 like Mac OS X) AppleWebKit/605.1.15 \
                 (KHTML, like Gecko) Version/18.1 Mobile/15E148 Safari/604.1"
            ),
            "Safari on iOS"
        );
        assert_eq!(
            label(
                "Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) \
                 Chrome/131.0.0.0 Mobile Safari/537.36"
            ),
            "Chrome on Android"
        );
        assert_eq!(
            label(
                "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) \
                 Version/18.1 Safari/605.1.15"
            ),
            "Safari on macOS"
        );
    }

    #[test]
    fn anything_else_is_unknown_and_never_echoed() {
        assert_eq!(label(""), "Unknown browser on unknown system");
        let hostile = format!("<script>{}</script>", "x".repeat(5000));
        assert_eq!(label(&hostile), "Unknown browser on unknown system");
    }

    #[test]
    fn every_label_fits_its_column() {
        for (_, browser) in BROWSERS {
            for (_, system) in SYSTEMS {
                assert!(format!("{browser} on {system}").chars().count() <= MAX_DEVICE_CHARS);
            }
        }
        assert_eq!(DeviceLabel::stored(&"y".repeat(500)).as_str().chars().count(), MAX_DEVICE_CHARS);
        assert_eq!(DeviceLabel::stored("").as_str(), "Unknown device");
    }
}
