//! The post-mortem over a real vault: the analysis kept without messages
//! equals the one over every message in memory, and the messages a page
//! reads from the store are the ones the full vector held at those indices.
#![allow(clippy::unwrap_used)]

mod common;

use rekindle_analysis::{Analysis, Horseman, Lexicons, Message};
use rekindle_app::postmortem::{
    Finding, StoredAnalysis, analyse_stored, analysed_chat, chat_messages, problem_from_episode,
    quoted_messages, run, with_context,
};
use rekindle_store::{SqliteVault, Store};

fn vault(tmp: &tempfile::TempDir, name: &str) -> SqliteVault {
    common::fast_vault(&tmp.path().join(name)).1
}

/// A WhatsApp export with arguments, repairs, late nights and many messages
/// in the same minute (ties in time, ordered by row).
fn chat_text(n: usize) -> String {
    const LINES: &[&str] = &[
        "you never listen to me",
        "whatever, you always do this",
        "you're so selfish, what is wrong with you",
        "leave me alone",
        "sorry, my bad, I love you",
        "good morning, want to get coffee later?",
        "did you pay the rent? money is tight",
        "k.",
        "your mother called again about the weekend",
        "I had too many drinks last night",
        "look at this!",
        "you are pathetic",
    ];
    let mut out = String::new();
    for i in 0..n {
        let day = 1 + (i / 40) % 28;
        let month = 1 + (i / (40 * 28)) % 12;
        let hour = (i / 3) % 24;
        let minute = (i / 2) % 60;
        let who = if (i * 7 / 3) % 2 == 0 { "Sam" } else { "Alex" };
        let text = LINES[(i * 5 + i / 7) % LINES.len()];
        out.push_str(&format!(
            "{day:02}/{month:02}/2023, {hour:02}:{minute:02} - {who}: {text} #{i}\n"
        ));
    }
    out
}

fn imported(tmp: &tempfile::TempDir, name: &str, text: &str) -> SqliteVault {
    let mut v = vault(tmp, name);
    common::import_text(&mut v, text);
    v
}

/// Every finding of an analysis.
fn findings(a: &Analysis) -> Vec<Finding> {
    let mut out = Vec::new();
    for p in 0..a.people.len() {
        out.extend([
            Finding::Starts(p),
            Finding::LateNight(p),
            Finding::Negative(p),
            Finding::Repairs(p),
            Finding::Bids(p),
        ]);
        out.extend(
            Horseman::ALL
                .into_iter()
                .map(|kind| Finding::Horseman { person: p, kind }),
        );
    }
    out.extend((0..a.turning_points.len()).map(Finding::Turning));
    out.extend((0..a.topics.len()).map(Finding::Topic));
    for p in 0..a.people.len() {
        out.push(Finding::SlowReplies(p));
        out.extend((0..24).map(|hour| Finding::Hour { person: p, hour }));
    }
    for k in 0..a.months.len() {
        out.extend([
            Finding::Month(k),
            Finding::MonthHorsemen(k),
            Finding::MonthRepairs(k),
            Finding::MonthArguments(k),
        ]);
        out.extend((0..a.people.len()).map(|person| Finding::MonthNegative { month: k, person }));
    }
    out.extend((0..a.weeks.len()).map(Finding::Week));
    out.extend([
        Finding::InArguments { harsh: true },
        Finding::InArguments { harsh: false },
    ]);
    out
}

/// What the old full-vector path showed for `indices`.
fn from_vector(all: &[Message], indices: &[usize]) -> Vec<(usize, Message)> {
    let mut idx = indices.to_vec();
    idx.sort_unstable();
    idx.dedup();
    idx.into_iter()
        .filter_map(|i| all.get(i).map(|m| (i, m.clone())))
        .collect()
}

/// The stored analysis and what it reads equal the analysis of every
/// message and those messages, for every page that shows messages.
fn assert_same_as_full_vector(store: &dyn Store, s: &StoredAnalysis) {
    let lex = Lexicons::built_in();
    let chat = analysed_chat(store).unwrap().unwrap();
    let (all, who) = chat_messages(store, &chat).unwrap();
    let old = run(&all, &who, &lex);
    assert_eq!(
        serde_json::to_string(&s.analysis).unwrap(),
        serde_json::to_string(&old).unwrap()
    );
    let a = &s.analysis;
    let total = all.len();
    assert_eq!(a.messages, total);
    let read = |indices: &[usize]| {
        let got = s.messages(store, indices).unwrap();
        assert_eq!(got, from_vector(&all, indices), "{indices:?}");
        got
    };
    // Finding pages: the first 25 behind each number, two either side.
    let mut shown_any = 0;
    for f in findings(a) {
        let (_, idx) = f.messages(a).unwrap();
        let rows = with_context(&idx[..idx.len().min(25)], 2, total);
        let indices: Vec<usize> = rows.iter().map(|(i, _)| *i).collect();
        assert_eq!(read(&indices).len(), indices.len(), "{}", f.key());
        shown_any += indices.len();
    }
    assert!(shown_any > 100, "the chat has findings to show");
    // Argument pages and the problem made from one, evidence attached.
    assert!(!a.conflicts.is_empty(), "the chat has arguments");
    let everything: Vec<(usize, Message)> = all.iter().cloned().enumerate().collect();
    for e in &a.conflicts {
        let range: Vec<usize> = (e.start.saturating_sub(3)..=(e.end + 3).min(total - 1)).collect();
        read(&range);
        let quoted = read(&quoted_messages(a, e.id));
        let form = problem_from_episode(s, e.id, &quoted).unwrap();
        let old_form = problem_from_episode(s, e.id, &everything).unwrap();
        assert_eq!(form.evidence, old_form.evidence);
        assert_eq!(form.title, old_form.title);
        assert_eq!(form.links, old_form.links);
        // Linked, not quoted into the text: each link finds its message
        // again in the store, and keeps a quote of it.
        assert!(!form.evidence.contains("\n- "));
        let links = rekindle_core::method::problem::parse_links(&form.links).unwrap();
        assert_eq!(links.len(), quoted.len().min(3));
        for (l, (_, m)) in links.iter().zip(&quoted) {
            assert_eq!(l.chat, s.chat_id());
            let stored = store.messages_at(l.chat, &[l.position]).unwrap();
            assert_eq!(stored[0].1.text, m.text);
            assert!(m.text.starts_with(l.quote.trim_end_matches('…')));
        }
    }
    // Every kind of finding can be made a problem, its first messages linked.
    for f in findings(a) {
        let (_, idx) = f.messages(a).unwrap();
        if idx.is_empty() {
            continue;
        }
        let first: Vec<usize> = idx.iter().copied().take(10).collect();
        let form = rekindle_app::postmortem::problem_from_finding(s, f, &read(&first))
            .unwrap_or_else(|| panic!("{}", f.key()));
        let links = rekindle_core::method::problem::parse_links(&form.links).unwrap();
        assert_eq!(links.len(), first.len(), "{}", f.key());
        assert!(!form.title.is_empty() && form.title.chars().count() <= 120);
        let problem = form
            .validate(jiff::civil::date(2026, 1, 1))
            .map(|_| ())
            .map_err(|e| e.0.iter().map(|x| x.field).collect::<Vec<_>>());
        // Only the severity is left for the person to choose.
        assert_eq!(problem, Err(vec!["severity"]), "{}", f.key());
    }
    // Context cut at both ends, past the end, nothing.
    let edges = with_context(&[0, total - 1], 2, total);
    assert_eq!(
        edges.iter().map(|(i, _)| *i).collect::<Vec<_>>(),
        [0, 1, 2, total - 3, total - 2, total - 1]
    );
    read(&edges.iter().map(|(i, _)| *i).collect::<Vec<_>>());
    read(&[total - 1, 0, total, total + 5, usize::MAX]);
    assert!(read(&[]).is_empty());
    assert!(read(&[total]).is_empty());
}

#[test]
fn stored_analysis_reads_the_messages_the_full_vector_held() {
    let tmp = tempfile::tempdir().unwrap();
    let v = imported(&tmp, "a", &chat_text(1_500));
    let s = analyse_stored(&v, &Lexicons::built_in()).unwrap().unwrap();
    assert_same_as_full_vector(&v, &s);
}

/// Messages whose stored time cannot be read are left out of the analysis
/// (at both ends of the time order here): indices still find the right rows.
#[test]
fn unreadable_times_do_not_shift_the_messages_read() {
    let tmp = tempfile::tempdir().unwrap();
    let v = imported(&tmp, "a", &chat_text(400));
    let mut doc = v.export().unwrap();
    let messages = &mut doc.chats[0].messages;
    let template = messages[10].clone();
    for (n, ms) in [(1u8, -1_000_000_000_000_000i64), (2, 1_000_000_000_000_000)] {
        let mut m = template.clone();
        m.local_ms = ms;
        m.text = format!("unreadable time {n}");
        m.key = format!("{n:02x}{}", &template.key[2..]);
        messages.push(m);
    }
    let mut restored = vault(&tmp, "b");
    restored.restore(&doc).unwrap();
    let chat = analysed_chat(&restored).unwrap().unwrap();
    assert_eq!(chat.messages, 402);
    let s = analyse_stored(&restored, &Lexicons::built_in())
        .unwrap()
        .unwrap();
    assert_eq!(s.analysis.messages, 400);
    assert_same_as_full_vector(&restored, &s);
}

/// An empty vault has nothing to analyse.
#[test]
fn no_chat_no_analysis() {
    let tmp = tempfile::tempdir().unwrap();
    let v = vault(&tmp, "a");
    assert!(analyse_stored(&v, &Lexicons::built_in()).unwrap().is_none());
}

/// The analysis from a chat's stored snapshot is the one from classifying
/// every message (skipped positions included); a grown chat or other word
/// lists make it again; a damaged snapshot is classified anew, not trusted.
#[test]
fn the_snapshot_gives_the_same_analysis_and_follows_the_chat() {
    use rekindle_app::postmortem::{prepare_chat, prepare_chat_cached, refresh_snapshot};
    let tmp = tempfile::tempdir().unwrap();
    let mut v = imported(&tmp, "a", &chat_text(1_200));
    let lex = Lexicons::built_in();
    let chat = analysed_chat(&v).unwrap().unwrap();
    assert!(v.chat_snapshot(chat.id).unwrap().is_none());
    refresh_snapshot(&mut v, chat.id, &lex).unwrap();
    let (key, data) = v.chat_snapshot(chat.id).unwrap().unwrap();
    assert!(data.len() >= 1_200 * 20, "a row per message");
    let json = |s: &StoredAnalysis| serde_json::to_value(&s.analysis).unwrap();
    let fresh = prepare_chat(&v, &chat, &lex).unwrap().analyse();
    let cached = prepare_chat_cached(&mut v, &chat, &lex).unwrap().analyse();
    assert_eq!(json(&fresh), json(&cached));
    assert_same_as_full_vector(&v, &cached);
    // Served from the snapshot: a snapshot edited by hand to hold another
    // chat's rows would show; here, an empty chat's rows under the same key.
    let other = imported(&tmp, "b", &chat_text(10));
    let small_chat = analysed_chat(&other).unwrap().unwrap();
    let mut small = other;
    refresh_snapshot(&mut small, small_chat.id, &lex).unwrap();
    let (_, small_data) = small.chat_snapshot(small_chat.id).unwrap().unwrap();
    v.save_chat_snapshot(chat.id, &key, &small_data).unwrap();
    let served = prepare_chat_cached(&mut v, &chat, &lex).unwrap().analyse();
    assert_eq!(served.analysis.messages, 10, "read from the snapshot");
    // Damaged bytes under the right key: classified again, and repaired.
    v.save_chat_snapshot(chat.id, &key, &data[..data.len() / 2])
        .unwrap();
    let repaired = prepare_chat_cached(&mut v, &chat, &lex).unwrap().analyse();
    assert_eq!(json(&repaired), json(&fresh));
    assert_eq!(v.chat_snapshot(chat.id).unwrap().unwrap().1, data);
    // More messages: another key, made again.
    common::import_text(&mut v, &chat_text(1_300));
    let grown = analysed_chat(&v).unwrap().unwrap();
    assert_eq!(grown.messages, 1_300);
    let after = prepare_chat_cached(&mut v, &grown, &lex).unwrap().analyse();
    assert_eq!(after.analysis.messages, 1_300);
    assert_ne!(v.chat_snapshot(chat.id).unwrap().unwrap().0, key);
    // Other word lists: another key too.
    let more = Lexicons::with_user_files(Lexicons::built_in(), &[("cats", "cat\nkitten\n")]);
    let with_cats = prepare_chat_cached(&mut v, &grown, &more)
        .unwrap()
        .analyse();
    assert!(with_cats.analysis.topics.iter().any(|t| t.topic == "cats"));
}

/// A WhatsApp export in time order: several messages a minute, a notice
/// without a sender, media, phone numbers (for redaction) and `extra` lines
/// appended as given.
fn chat_in_order(n: usize, extra: &[&str]) -> String {
    const LINES: &[&str] = &[
        "you never listen to me",
        "sorry, my bad, I love you",
        "<Media omitted>",
        "call me on +44 7700 900123 when you can",
        "leave me alone",
        "did you pay the rent? money is tight",
    ];
    let mut out =
        String::from("01/01/2023, 00:00 - Messages and calls are end-to-end encrypted.\n");
    for i in 0..n {
        let (day, hour, minute) = (1 + i / 600, (i / 25) % 24, (i % 25) / 3);
        let who = if i % 3 == 0 { "Sam" } else { "Alex" };
        let text = LINES[(i * 5 + i / 7) % LINES.len()];
        out.push_str(&format!(
            "{day:02}/01/2023, {hour:02}:{minute:02} - {who}: {text} {i}\n"
        ));
    }
    for line in extra {
        out.push_str(line);
        out.push('\n');
    }
    out
}

/// The snapshot made while the messages are stored is, byte for byte, the
/// one made by reading the chat back; it is made that way only when the
/// chat holds exactly the messages stored, in their order, and read back
/// otherwise (an export out of time order, repeated messages, a chat that
/// grows).
#[test]
fn the_snapshot_made_while_storing_is_the_one_read_back() {
    use rekindle_app::import::{Roles, SnapshotMade, import, import_parts_with_snapshot};
    use rekindle_app::postmortem::refresh_snapshot;
    let tmp = tempfile::tempdir().unwrap();
    let lex = Lexicons::built_in();
    let at = jiff::Timestamp::from_second(1_780_000_000).unwrap();
    let mut n = 0;
    // Imports `texts` one after the other both ways; the last import's
    // snapshot and how it was made.
    let mut both_ways = |texts: &[&str], redact: bool| -> SnapshotMade {
        n += 1;
        let roles = Roles {
            redact,
            ..Roles::default()
        };
        let mut streamed = vault(&tmp, &format!("s{n}"));
        let mut read_back = vault(&tmp, &format!("r{n}"));
        let mut made = SnapshotMade::No;
        for text in texts {
            let opts = Default::default();
            let report = import_parts_with_snapshot(
                &mut streamed,
                &[text.as_bytes()],
                &opts,
                &roles,
                at,
                &mut |_, _| {},
                &lex,
            )
            .unwrap();
            made = report.snapshot;
            let plain = import(
                &mut read_back,
                text.as_bytes(),
                &opts,
                &roles,
                at,
                &mut |_, _| {},
            )
            .unwrap();
            assert_eq!(plain.snapshot, SnapshotMade::No);
            refresh_snapshot(&mut read_back, plain.counts.chat_id, &lex).unwrap();
        }
        let chat = analysed_chat(&streamed).unwrap().unwrap();
        let other = analysed_chat(&read_back).unwrap().unwrap();
        let (a, b) = (
            streamed.chat_snapshot(chat.id).unwrap().unwrap(),
            read_back.chat_snapshot(other.id).unwrap().unwrap(),
        );
        assert_eq!(a.0, b.0, "{made:?}: the snapshots' keys");
        assert!(a.1 == b.1, "{made:?}: the snapshots differ");
        made
    };
    let in_order = chat_in_order(2_000, &[]);
    assert_eq!(both_ways(&[&in_order], false), SnapshotMade::WhileStoring);
    assert_eq!(both_ways(&[&in_order], true), SnapshotMade::WhileStoring);
    // Times that go back (chat_text wraps its hours within a day).
    assert_eq!(both_ways(&[&chat_text(400)], false), SnapshotMade::ReadBack);
    // The same line twice is two messages (the second is "the second such").
    let last = "05/01/2023, 23:59 - Sam: goodnight";
    let repeated = chat_in_order(300, &[last, last]);
    assert_eq!(both_ways(&[&repeated], false), SnapshotMade::WhileStoring);
    // The same export again stores nothing new.
    assert_eq!(
        both_ways(&[&repeated, &repeated], false),
        SnapshotMade::ReadBack
    );
    // The chat grows: the second import adds to what the first stored.
    let first_half = chat_in_order(150, &[]);
    let grown = chat_in_order(300, &[]);
    assert_eq!(
        both_ways(&[&first_half, &grown], false),
        SnapshotMade::ReadBack
    );
}
