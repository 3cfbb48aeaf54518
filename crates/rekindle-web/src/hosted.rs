//! Hosted mode: many accounts on one server. What the web layer needs to
//! know about it: the accounts database and the operator's configuration.

/// The operator's configuration of a hosted server.
#[derive(Clone, Debug)]
pub struct HostedConfig {
    /// Host names (with port when not the default) the server answers to;
    /// anything else gets 403 (DNS rebinding, stray virtual hosts).
    pub allowed_hosts: Vec<String>,
    /// The public origin(s), e.g. `https://rekindle.example.org`, for the
    /// cross-site check of form posts.
    pub allowed_origins: Vec<String>,
}

/// Where a browser without a hosted session is sent.
pub const SIGN_IN: &str = "/signin";

pub struct Hosted {
    pub config: HostedConfig,
}
