//! The user's topic word lists over a real vault: kept as versions of one
//! item, merged with the data folder's old `lexicons/` files, carried by the
//! export, and used by the next post-mortem of the stored chat.
#![allow(clippy::unwrap_used)]

mod common;

use jiff::Timestamp;
use rekindle_app::postmortem::analyse_stored;
use rekindle_app::topics::{self, TOPIC_WORDS, TopicSource};
use rekindle_store::Store;

fn at(s: i64) -> Timestamp {
    Timestamp::from_second(1_780_000_000 + s).unwrap()
}

fn words(w: &[&str]) -> Vec<String> {
    w.iter().map(|s| s.to_string()).collect()
}

/// Messages the stored chat's post-mortem counts for `topic`.
fn counted(v: &dyn Store, data_dir: &std::path::Path, topic: &str) -> usize {
    let lex = topics::lexicons(v, Some(data_dir)).unwrap();
    let a = analyse_stored(v, &lex).unwrap().unwrap().analysis;
    a.topics
        .iter()
        .find(|t| t.topic == topic)
        .map(|t| t.messages.count)
        .unwrap_or(0)
}

#[test]
fn changes_are_versions_of_one_item_and_the_next_analysis_counts_with_them() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("data");
    let (_dd, mut v) = common::fast_vault(&dir);
    common::import_text(
        &mut v,
        "1/13/24, 9:00 PM - A: karaoke again tonight?\n\
         1/13/24, 9:01 PM - B: you and your karaoke, and the landlord wants the money\n\
         1/13/24, 9:02 PM - A: one glass of wine, promise\n\
         1/14/24, 9:00 AM - B: the xbox is broken\n",
    );
    let untouched = topics::lists(&v, Some(&dir)).unwrap();
    assert!(
        untouched
            .topics
            .iter()
            .all(|t| t.source == TopicSource::BuiltIn)
    );
    assert_eq!(counted(&v, &dir, "drinking"), 1);

    // The older way: a file in the data folder's lexicons/ still counts.
    std::fs::create_dir_all(dir.join("lexicons")).unwrap();
    std::fs::write(dir.join("lexicons/money.txt"), "landlord\n").unwrap();
    let with_file = topics::lists(&v, Some(&dir)).unwrap();
    assert_ne!(with_file.version, untouched.version);
    assert_eq!(
        with_file.find("money").unwrap().from_files,
        words(&["landlord"])
    );

    let c = topics::add_words(&mut v, Some(&dir), "drinking", &words(&["karaoke"]), at(1)).unwrap();
    assert_eq!(
        (c.topic.as_str(), c.words.clone()),
        ("drinking", words(&["karaoke"]))
    );
    assert_eq!(counted(&v, &dir, "drinking"), 3);
    // A word from the file and a built-in one taken out, in the vault.
    topics::remove_words(
        &mut v,
        Some(&dir),
        "money",
        &words(&["landlord", "money"]),
        at(2),
    )
    .unwrap();
    assert_eq!(counted(&v, &dir, "money"), 0);
    topics::new_topic(&mut v, Some(&dir), "Gaming", &words(&["xbox"]), at(3)).unwrap();
    assert_eq!(counted(&v, &dir, "gaming"), 1);
    // A refused change stores nothing.
    let e = topics::add_words(&mut v, Some(&dir), "drinking", &words(&["dr*"]), at(4)).unwrap_err();
    assert!(e.to_string().contains("at least 3 letters"), "{e}");

    let items = v.items(TOPIC_WORDS).unwrap();
    assert_eq!(items.len(), 1, "one item");
    assert_eq!(items[0].versions.len(), 3, "one version per change");
    let current = topics::lists(&v, Some(&dir)).unwrap();
    let money = current.find("money").unwrap();
    assert_eq!(money.removed, words(&["landlord", "money"]));
    assert!(money.from_files.is_empty());

    // The export carries the lists; restored elsewhere (no folder) they are the same.
    let doc = v.export().unwrap();
    let (_dd2, mut w) = common::fast_vault(&tmp.path().join("other"));
    w.restore(&doc).unwrap();
    let restored = topics::lists(&w, None).unwrap();
    assert_eq!(restored.find("gaming").unwrap().words, words(&["xbox"]));
    assert!(
        restored
            .find("drinking")
            .unwrap()
            .words
            .contains(&"karaoke".to_string())
    );
    // Without the folder's file its word is simply not there to remove.
    assert_eq!(restored.find("money").unwrap().removed, words(&["money"]));
}
