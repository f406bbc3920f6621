//! Configuration from environment variables, each with a sensible default. A bad value stops
//! start-up with one line naming the variable.

use app::{
    services::{sealing::SealingKey, sessions::SessionPolicy, throttle::TrustedProxies},
    state::SecuritySettings,
};
use std::{collections::HashMap, fmt, net::SocketAddr, path::PathBuf};

/// One documented setting: its variable, default and meaning (printed by `--help`).
pub struct Setting {
    /// The environment variable.
    pub name: &'static str,
    /// Its default, as text.
    pub default: &'static str,
    /// What it does.
    pub meaning: &'static str,
}

/// Every setting the server reads, in `--help` order.
pub const SETTINGS: &[Setting] = &[
    Setting { name: "DATABASE_URL", default: "sqlite://data/babysteps.db", meaning: "Database: a SQLite file (created on first run) or postgres://user@host/db" },
    Setting { name: "LISTEN_ADDR", default: "127.0.0.1:3000", meaning: "Address and port the server listens on" },
    Setting { name: "PUBLIC_BASE_URL", default: "http://<LISTEN_ADDR>", meaning: "The address people use to reach the app (links in emails); https turns on Secure cookies and HSTS" },
    Setting { name: "SITE_ROOT", default: "target/site", meaning: "Folder with the built browser bundle (pkg/) and static files" },
    Setting { name: "SESSION_IDLE_MINUTES", default: "30", meaning: "A session unused for this long ends" },
    Setting { name: "SESSION_ABSOLUTE_HOURS", default: "12", meaning: "A session ends this long after sign-in, however busy" },
    Setting { name: "MAX_REQUEST_KB", default: "2048", meaning: "A request body larger than this many KiB is refused with 413" },
    Setting { name: "REQUEST_TIMEOUT_SECS", default: "30", meaning: "A request not answered within this many seconds gets 503" },
    Setting { name: "MAX_CONCURRENT_REQUESTS", default: "128", meaning: "Requests handled at once; more wait their turn (within the timeout)" },
    Setting { name: "SMTP_HOST", default: "(none)", meaning: "SMTP server for outgoing email; without it, email waits in the outbox" },
    Setting { name: "SMTP_PORT", default: "587 (465 with tls, 25 with none)", meaning: "SMTP port" },
    Setting { name: "SMTP_TLS", default: "starttls", meaning: "none, starttls or tls" },
    Setting { name: "SMTP_USERNAME", default: "(none)", meaning: "SMTP user name, if the server needs one" },
    Setting { name: "SMTP_PASSWORD", default: "(none)", meaning: "SMTP password, if the server needs one" },
    Setting { name: "SMTP_FROM", default: "Babysteps <no-reply@localhost>", meaning: "The From address of outgoing email" },
    Setting { name: "SIGN_UP", default: "open", meaning: "open: anyone may sign up as a therapist (confirmed by email); invite: only `server invite-therapist EMAIL` creates therapist accounts" },
    Setting { name: "DAILY_EMAIL_LIMIT", default: "200", meaning: "Emails one therapist account may queue to clients in 24 hours; beyond it, inviting and follow-ups are refused" },
    Setting { name: "TRUSTED_PROXIES", default: "(none)", meaning: "Comma-separated CIDRs of reverse proxies whose X-Forwarded-For names the client (for sign-in throttling); otherwise the TCP peer counts" },
    Setting { name: "SEALING_KEY", default: "(none: the key file)", meaning: "The key that seals second-factor secrets in the database: 32 bytes in base64 (`openssl rand -base64 32`); keep it apart from database backups" },
    Setting { name: "SEALING_KEY_FILE", default: "sealing.key beside the SQLite file (data/sealing.key with PostgreSQL)", meaning: "Without SEALING_KEY, the file holding that key; made (readable by the server's user only) on first start. Losing it stops codes from authenticator apps working (recovery codes still do)" },
    Setting { name: "RUST_LOG", default: "info", meaning: "Log filter (tracing-subscriber syntax)" },
];

/// A setting that could not be used, named so the person can fix it.
#[derive(Debug, PartialEq, Eq)]
pub struct ConfigError {
    /// The environment variable at fault.
    pub variable: &'static str,
    /// What is wrong with it.
    pub problem: String,
}

impl fmt::Display for ConfigError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.variable, self.problem)
    }
}

impl std::error::Error for ConfigError {}

/// How the SMTP connection is secured.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SmtpTls {
    /// Plain text (only for a relay on the same machine or a test server).
    None,
    /// Upgrade with STARTTLS.
    StartTls,
    /// TLS from the first byte.
    Tls,
}

/// SMTP settings, present only when `SMTP_HOST` is set.
#[derive(Clone, PartialEq, Eq)]
pub struct SmtpConfig {
    /// Server host name.
    pub host: String,
    /// Server port.
    pub port: u16,
    /// Transport security.
    pub tls: SmtpTls,
    /// Credentials, if any.
    pub credentials: Option<(String, String)>,
    /// The From address.
    pub from: String,
}

impl fmt::Debug for SmtpConfig {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SmtpConfig")
            .field("host", &self.host)
            .field("port", &self.port)
            .field("tls", &self.tls)
            .field("credentials", &self.credentials.as_ref().map(|(user, _)| (user, "..")))
            .field("from", &self.from)
            .finish()
    }
}

/// How much one request may ask of the server.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RequestLimits {
    /// The largest request body, in bytes.
    pub max_body_bytes: usize,
    /// How long a request may take, waiting for its turn included.
    pub timeout: std::time::Duration,
    /// How many requests are handled at once.
    pub max_concurrent: usize,
}

/// Who may create a therapist account.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SignUpMode {
    /// Anyone, through the sign-up page (confirmed by email).
    Open,
    /// Only the operator, with `server invite-therapist EMAIL`.
    Invite,
}

/// Where the key that seals second-factor secrets comes from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SealingKeySource {
    /// `SEALING_KEY`: the key itself.
    Given(SealingKey),
    /// `SEALING_KEY_FILE` (or its default): read, or made on first start.
    File(PathBuf),
}

/// The server's whole configuration.
#[derive(Debug, Clone)]
pub struct Config {
    /// Where the data lives.
    pub database_url: String,
    /// Where to listen.
    pub listen_addr: SocketAddr,
    /// How people reach the app, without a trailing slash.
    pub public_base_url: String,
    /// The built site (pkg/ and static files).
    pub site_root: PathBuf,
    /// Session timeouts and cookie flags.
    pub security: SecuritySettings,
    /// Outgoing email, if configured.
    pub smtp: Option<SmtpConfig>,
    /// Body size, time and concurrency limits for requests.
    pub limits: RequestLimits,
    /// Who may create a therapist account.
    pub sign_up: SignUpMode,
    /// Emails one therapist account may queue to clients in 24 hours.
    pub daily_email_limit: u32,
    /// Reverse proxies whose `X-Forwarded-For` is believed.
    pub trusted_proxies: TrustedProxies,
    /// The key that seals second-factor secrets at rest.
    pub sealing_key: SealingKeySource,
}

impl Config {
    /// Reads the configuration from the process environment.
    pub fn from_env() -> Result<Self, ConfigError> {
        Self::from_vars(&std::env::vars().collect())
    }

    /// Reads the configuration from the given variables (testable without touching the
    /// process environment).
    pub fn from_vars(vars: &HashMap<String, String>) -> Result<Self, ConfigError> {
        let get = |name: &str| vars.get(name).map(|v| v.trim().to_owned()).filter(|v| !v.is_empty());

        let database_url = get("DATABASE_URL").unwrap_or_else(|| "sqlite://data/babysteps.db".to_owned());
        if !(database_url.starts_with("sqlite:")
            || database_url.starts_with("postgres://")
            || database_url.starts_with("postgresql://"))
        {
            return Err(ConfigError {
                variable: "DATABASE_URL",
                problem: "must start with sqlite:// or postgres://".to_owned(),
            });
        }

        let listen_addr = match get("LISTEN_ADDR") {
            None => SocketAddr::from(([127, 0, 0, 1], 3000)),
            Some(value) => value.parse().map_err(|_| ConfigError {
                variable: "LISTEN_ADDR",
                problem: format!("{value:?} is not an address like 127.0.0.1:3000"),
            })?,
        };

        let public_base_url = match get("PUBLIC_BASE_URL") {
            None => format!("http://{listen_addr}"),
            Some(value) => {
                let trimmed = value.trim_end_matches('/').to_owned();
                let rest = trimmed.strip_prefix("https://").or_else(|| trimmed.strip_prefix("http://"));
                if rest.is_none_or(|host| host.is_empty() || host.contains(char::is_whitespace)) {
                    return Err(ConfigError {
                        variable: "PUBLIC_BASE_URL",
                        problem: format!("{value:?} is not an http:// or https:// address"),
                    });
                }
                trimmed
            }
        };

        let site_root = PathBuf::from(
            get("SITE_ROOT").or_else(|| get("LEPTOS_SITE_ROOT")).unwrap_or_else(|| "target/site".to_owned()),
        );

        let idle_minutes = positive_number(&get, "SESSION_IDLE_MINUTES", 30, 24 * 60)?;
        let absolute_hours = positive_number(&get, "SESSION_ABSOLUTE_HOURS", 12, 24 * 30)?;
        let sessions = SessionPolicy {
            idle_timeout: chrono::Duration::minutes(idle_minutes),
            absolute_timeout: chrono::Duration::hours(absolute_hours),
        };
        let security = SecuritySettings { sessions, secure_cookies: public_base_url.starts_with("https://") };

        let smtp = smtp_config(&get)?;

        let limits = RequestLimits {
            max_body_bytes: positive_number(&get, "MAX_REQUEST_KB", 2048, 100 * 1024)? as usize * 1024,
            timeout: std::time::Duration::from_secs(
                positive_number(&get, "REQUEST_TIMEOUT_SECS", 30, 3600)? as u64
            ),
            max_concurrent: positive_number(&get, "MAX_CONCURRENT_REQUESTS", 128, 100_000)? as usize,
        };

        let sign_up = match get("SIGN_UP").as_deref() {
            None | Some("open") => SignUpMode::Open,
            Some("invite") => SignUpMode::Invite,
            Some(other) => {
                return Err(ConfigError {
                    variable: "SIGN_UP",
                    problem: format!("{other:?} is not one of open, invite"),
                })
            }
        };
        let daily_email_limit = positive_number(&get, "DAILY_EMAIL_LIMIT", 200, 1_000_000)? as u32;
        let trusted_proxies = TrustedProxies::parse(&get("TRUSTED_PROXIES").unwrap_or_default())
            .map_err(|problem| ConfigError { variable: "TRUSTED_PROXIES", problem })?;
        let sealing_key = match (get("SEALING_KEY"), get("SEALING_KEY_FILE")) {
            (Some(text), _) => SealingKeySource::Given(
                SealingKey::from_text(&text)
                    .map_err(|problem| ConfigError { variable: "SEALING_KEY", problem })?,
            ),
            (None, Some(path)) => SealingKeySource::File(PathBuf::from(path)),
            (None, None) => SealingKeySource::File(default_key_file(&database_url)),
        };

        Ok(Self {
            database_url,
            listen_addr,
            public_base_url,
            site_root,
            security,
            smtp,
            limits,
            sign_up,
            daily_email_limit,
            trusted_proxies,
            sealing_key,
        })
    }

    /// The public origin (`scheme://host[:port]`, no path), for the cross-origin check.
    pub fn public_origin(&self) -> String {
        let after_scheme = self.public_base_url.find("://").map_or(0, |i| i + 3);
        match self.public_base_url[after_scheme..].find('/') {
            Some(slash) => self.public_base_url[..after_scheme + slash].to_owned(),
            None => self.public_base_url.clone(),
        }
    }

    /// True when the app is served over https.
    pub fn is_https(&self) -> bool {
        self.public_base_url.starts_with("https://")
    }
}

/// `sealing.key` in the SQLite database's folder; `data/sealing.key` otherwise.
fn default_key_file(database_url: &str) -> PathBuf {
    let folder = crate::sqlite_path(database_url)
        .map(|path| std::path::Path::new(path).parent().map(std::path::Path::to_path_buf).unwrap_or_default())
        .unwrap_or_else(|| PathBuf::from("data"));
    folder.join("sealing.key")
}

fn positive_number(
    get: &impl Fn(&str) -> Option<String>,
    variable: &'static str,
    default: i64,
    max: i64,
) -> Result<i64, ConfigError> {
    match get(variable) {
        None => Ok(default),
        Some(value) => match value.parse::<i64>() {
            Ok(number) if (1..=max).contains(&number) => Ok(number),
            _ => Err(ConfigError {
                variable,
                problem: format!("{value:?} is not a whole number from 1 to {max}"),
            }),
        },
    }
}

fn smtp_config(get: &impl Fn(&str) -> Option<String>) -> Result<Option<SmtpConfig>, ConfigError> {
    let Some(host) = get("SMTP_HOST") else {
        return Ok(None);
    };
    let tls = match get("SMTP_TLS").as_deref() {
        None | Some("starttls") => SmtpTls::StartTls,
        Some("tls") => SmtpTls::Tls,
        Some("none") => SmtpTls::None,
        Some(other) => {
            return Err(ConfigError {
                variable: "SMTP_TLS",
                problem: format!("{other:?} is not one of none, starttls, tls"),
            });
        }
    };
    let default_port = match tls {
        SmtpTls::None => 25,
        SmtpTls::StartTls => 587,
        SmtpTls::Tls => 465,
    };
    let port = match get("SMTP_PORT") {
        None => default_port,
        Some(value) => value.parse::<u16>().ok().filter(|port| *port > 0).ok_or_else(|| ConfigError {
            variable: "SMTP_PORT",
            problem: format!("{value:?} is not a port number"),
        })?,
    };
    let credentials = match (get("SMTP_USERNAME"), get("SMTP_PASSWORD")) {
        (Some(user), Some(password)) => Some((user, password)),
        (None, None) => None,
        (Some(_), None) => {
            return Err(ConfigError {
                variable: "SMTP_PASSWORD",
                problem: "is needed with SMTP_USERNAME".to_owned(),
            })
        }
        (None, Some(_)) => {
            return Err(ConfigError {
                variable: "SMTP_USERNAME",
                problem: "is needed with SMTP_PASSWORD".to_owned(),
            })
        }
    };
    let from = get("SMTP_FROM").unwrap_or_else(|| "Babysteps <no-reply@localhost>".to_owned());
    if !from.contains('@') {
        return Err(ConfigError { variable: "SMTP_FROM", problem: format!("{from:?} has no email address") });
    }
    Ok(Some(SmtpConfig { host, port, tls, credentials, from }))
}

/// The text printed by `server --help`.
pub fn help_text() -> String {
    let mut text = [
        "Babysteps server",
        "",
        "Usage:",
        "  server                         start the server",
        "  server invite-therapist EMAIL  create a therapist account for EMAIL and email them a link",
        "                                 (single-use, 7 days) to choose their name and password;",
        "                                 without SMTP_HOST the link is printed, for you to pass on",
        "  server backup PATH             write a consistent copy of the SQLite database to PATH (a new",
        "                                 file) while the server runs; on PostgreSQL use pg_dump",
        "  server --help                  print this help",
        "",
        "Configuration comes from environment variables:",
        "",
        "",
    ]
    .join("\n");
    for setting in SETTINGS {
        text.push_str(&format!(
            "  {:<24} {}\n  {:<24} default: {}\n\n",
            setting.name, setting.meaning, "", setting.default
        ));
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    fn vars(pairs: &[(&str, &str)]) -> HashMap<String, String> {
        pairs.iter().map(|(k, v)| ((*k).to_owned(), (*v).to_owned())).collect()
    }

    #[test]
    fn defaults_need_no_settings() {
        let config = Config::from_vars(&HashMap::new()).unwrap();
        assert_eq!(config.database_url, "sqlite://data/babysteps.db");
        assert_eq!(config.listen_addr.to_string(), "127.0.0.1:3000");
        assert_eq!(config.public_base_url, "http://127.0.0.1:3000");
        assert!(!config.security.secure_cookies);
        assert_eq!(config.security.sessions, SessionPolicy::default());
        assert!(config.smtp.is_none());
        assert_eq!(
            config.limits,
            RequestLimits {
                max_body_bytes: 2 * 1024 * 1024,
                timeout: std::time::Duration::from_secs(30),
                max_concurrent: 128
            }
        );
    }

    #[test]
    fn sign_up_limit_and_proxies_are_read() {
        let defaults = Config::from_vars(&HashMap::new()).unwrap();
        assert_eq!((defaults.sign_up, defaults.daily_email_limit), (SignUpMode::Open, 200));
        assert_eq!(defaults.trusted_proxies, TrustedProxies::default());
        let config = Config::from_vars(&vars(&[
            ("SIGN_UP", "invite"),
            ("DAILY_EMAIL_LIMIT", "25"),
            ("TRUSTED_PROXIES", "10.0.0.0/8, fd00::/8"),
        ]))
        .unwrap();
        assert_eq!((config.sign_up, config.daily_email_limit), (SignUpMode::Invite, 25));
        assert!(config.trusted_proxies.contains("10.1.2.3".parse().unwrap()));
    }

    #[test]
    fn the_sealing_key_is_given_or_kept_in_a_file() {
        let defaults = Config::from_vars(&HashMap::new()).unwrap();
        assert_eq!(defaults.sealing_key, SealingKeySource::File(PathBuf::from("data/sealing.key")));
        let beside =
            Config::from_vars(&vars(&[("DATABASE_URL", "sqlite:///srv/bs/app.db?mode=rwc")])).unwrap();
        assert_eq!(beside.sealing_key, SealingKeySource::File(PathBuf::from("/srv/bs/sealing.key")));
        let postgres = Config::from_vars(&vars(&[("DATABASE_URL", "postgres://db/bs")])).unwrap();
        assert_eq!(postgres.sealing_key, SealingKeySource::File(PathBuf::from("data/sealing.key")));
        let file = Config::from_vars(&vars(&[("SEALING_KEY_FILE", "/run/secrets/bs.key")])).unwrap();
        assert_eq!(file.sealing_key, SealingKeySource::File(PathBuf::from("/run/secrets/bs.key")));
        let key = SealingKey::generate();
        let text = key.to_text();
        let given = Config::from_vars(&vars(&[("SEALING_KEY", text.as_str())])).unwrap();
        assert_eq!(given.sealing_key, SealingKeySource::Given(key.clone()));
        assert!(!format!("{given:?}").contains(&text));
    }

    #[test]
    fn https_turns_on_secure_cookies() {
        let config = Config::from_vars(&vars(&[("PUBLIC_BASE_URL", "https://care.example.org/")])).unwrap();
        assert!(config.security.secure_cookies);
        assert_eq!(config.public_base_url, "https://care.example.org");
    }

    #[test]
    fn origin_drops_the_path() {
        let config =
            Config::from_vars(&vars(&[("PUBLIC_BASE_URL", "https://care.example.org/app")])).unwrap();
        assert_eq!(config.public_origin(), "https://care.example.org");
    }

    #[test]
    fn bad_values_name_their_variable() {
        for (name, value) in [
            ("DATABASE_URL", "mysql://x"),
            ("LISTEN_ADDR", "everywhere"),
            ("PUBLIC_BASE_URL", "care.example.org"),
            ("SESSION_IDLE_MINUTES", "0"),
            ("SESSION_ABSOLUTE_HOURS", "many"),
            ("MAX_REQUEST_KB", "0"),
            ("REQUEST_TIMEOUT_SECS", "-5"),
            ("MAX_CONCURRENT_REQUESTS", "lots"),
            ("SIGN_UP", "closed"),
            ("DAILY_EMAIL_LIMIT", "0"),
            ("TRUSTED_PROXIES", "10.0.0.0/40"),
            ("SEALING_KEY", "too short"),
        ] {
            let error = Config::from_vars(&vars(&[(name, value)])).unwrap_err();
            assert_eq!(error.variable, name);
            assert!(error.to_string().starts_with(name));
        }
    }

    #[test]
    fn smtp_is_parsed_and_checked() {
        let config = Config::from_vars(&vars(&[
            ("SMTP_HOST", "127.0.0.1"),
            ("SMTP_PORT", "1025"),
            ("SMTP_TLS", "none"),
        ]))
        .unwrap();
        let smtp = config.smtp.unwrap();
        assert_eq!((smtp.port, smtp.tls), (1025, SmtpTls::None));
        let error = Config::from_vars(&vars(&[("SMTP_HOST", "mail"), ("SMTP_TLS", "maybe")])).unwrap_err();
        assert_eq!(error.variable, "SMTP_TLS");
        let error = Config::from_vars(&vars(&[("SMTP_HOST", "mail"), ("SMTP_USERNAME", "me")])).unwrap_err();
        assert_eq!(error.variable, "SMTP_PASSWORD");
    }

    #[test]
    fn smtp_password_is_not_printed() {
        let config = Config::from_vars(&vars(&[
            ("SMTP_HOST", "mail"),
            ("SMTP_USERNAME", "me"),
            ("SMTP_PASSWORD", "hunter2hunter2"),
        ]))
        .unwrap();
        assert!(!format!("{config:?}").contains("hunter2"));
    }

    #[test]
    fn help_lists_every_setting() {
        let help = help_text();
        for setting in SETTINGS {
            assert!(help.contains(setting.name));
        }
    }
}
