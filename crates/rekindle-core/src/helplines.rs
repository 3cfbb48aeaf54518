//! The help-lines data file (data/helplines.json): parsed and filtered here,
//! shipped inside the binary so help is there without any network.

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct HelpLine {
    /// ISO country code, or "*" for services that cover every country.
    pub country: String,
    pub service: String,
    pub phone: Option<String>,
    pub text: Option<String>,
    pub chat: Option<String>,
    /// The service's own website, where a person can confirm the number.
    #[serde(default)]
    pub site: Option<String>,
    pub hours: String,
    /// danger, crisis, violence, accountability, alcohol
    #[serde(rename = "for")]
    pub topics: Vec<String>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct HelpLines {
    pub about: String,
    pub verified: String,
    /// The day the list was last compared with the services' own details (YYYY-MM-DD).
    #[serde(default)]
    pub dated: String,
    /// Each country code's name in plain words ("GB" is "United Kingdom").
    #[serde(default)]
    pub country_names: std::collections::BTreeMap<String, String>,
    pub services: Vec<HelpLine>,
}

pub const BUILT_IN: &str = include_str!("../../../data/helplines.json");

impl HelpLines {
    pub fn built_in() -> HelpLines {
        serde_json::from_str(BUILT_IN).unwrap_or(HelpLines {
            about: String::new(),
            verified: String::new(),
            dated: String::new(),
            country_names: Default::default(),
            services: Vec::new(),
        })
    }

    /// The countries with their own entries, sorted.
    pub fn countries(&self) -> Vec<String> {
        let mut c: Vec<String> = self
            .services
            .iter()
            .map(|s| s.country.clone())
            .filter(|c| c != "*")
            .collect();
        c.sort();
        c.dedup();
        c
    }

    /// A country code's name as people say it; the code itself when the file does not name it,
    /// and "Any country" for the services that cover every country.
    pub fn country_name<'a>(&'a self, code: &'a str) -> &'a str {
        if code == "*" {
            return "Any country";
        }
        self.country_names
            .get(code)
            .map(String::as_str)
            .unwrap_or(code)
    }

    /// Services for a country (plus the international ones) and a topic.
    /// Without a country, every country's services are listed.
    pub fn select(&self, country: Option<&str>, topic: &str) -> Vec<&HelpLine> {
        self.services
            .iter()
            .filter(|s| s.topics.iter().any(|t| t == topic))
            .filter(|s| country.is_none_or(|c| s.country == c || s.country == "*"))
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_shipped_file_parses_and_covers_every_topic_everywhere() {
        let h: HelpLines = serde_json::from_str(BUILT_IN).expect("data/helplines.json must parse");
        assert!(h.services.len() >= 10);
        for country in h.countries() {
            for topic in ["crisis", "violence", "accountability", "alcohol"] {
                assert!(
                    !h.select(Some(&country), topic).is_empty(),
                    "{country} {topic}"
                );
            }
        }
        // Every service can actually be reached somehow.
        assert!(
            h.services
                .iter()
                .all(|s| s.phone.is_some() || s.text.is_some() || s.chat.is_some())
        );
        // Every country has a name, every service a site where its number can be confirmed,
        // and the list is dated.
        for country in h.countries() {
            assert_ne!(h.country_name(&country), country, "{country} has no name");
        }
        assert_eq!(h.country_name("GB"), "United Kingdom");
        assert!(h.services.iter().all(|s| s.site.is_some()));
        assert!(jiff::civil::Date::strptime("%Y-%m-%d", &h.dated).is_ok());
        assert!(!h.verified.contains("not independently"));
        assert!(
            h.select(Some("US"), "danger")
                .iter()
                .any(|s| s.phone.as_deref() == Some("911"))
        );
    }
}
