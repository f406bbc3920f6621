//! Building URLs for links.

/// Percent-encodes a value for a query string (`/` is kept, for readable `next=` paths).
pub fn encode_query_value(value: &str) -> String {
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
        assert_eq!(encode_query_value("/caseload?page=2&q=a b"), "/caseload%3Fpage%3D2%26q%3Da%20b");
        assert_eq!(encode_query_value("Zoë"), "Zo%C3%AB");
    }
}
