//! Plain-language summary: kind, factual sentences, no verdict on blame.

use crate::analyze::{Analysis, Boundary, Person, Role, TurningPoint};
use crate::boundary::BoundaryKind;

const MONTHS: [&str; 12] = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
];

/// "2024-03" as "March 2024" (the key itself when it is not a month).
pub fn month_name(key: &str) -> String {
    let parsed = key
        .split_once('-')
        .and_then(|(y, m)| Some((y, m.parse::<usize>().ok()?)));
    match parsed {
        Some((y, m)) if (1..=12).contains(&m) => format!("{} {y}", MONTHS[m - 1]),
        _ => key.to_string(),
    }
}

/// A friendly topic name.
pub fn topic_label(topic: &str) -> String {
    match topic {
        "drinking" => "drinking".into(),
        "jealousy_trust" => "jealousy and trust".into(),
        "money" => "money".into(),
        "time_together" => "time together".into(),
        "family_friends" => "family and friends".into(),
        "work" => "work".into(),
        "intimacy" => "intimacy".into(),
        "phone_social_media" => "phones and social media".into(),
        other => other.replace('_', " "),
    }
}

fn cap(s: &str) -> String {
    let mut c = s.chars();
    match c.next() {
        Some(f) => f.to_uppercase().collect::<String>() + c.as_str(),
        None => String::new(),
    }
}

fn pct(a: usize, b: usize) -> usize {
    if b == 0 {
        0
    } else {
        ((a as f64) * 100.0 / b as f64).round() as usize
    }
}

struct Names<'a> {
    a: &'a Analysis,
}

impl Names<'_> {
    /// "you" for me, the name for the ex (or "they"), else the name.
    fn subject(&self, p: &Person) -> String {
        match p.role {
            Role::Me => "you".into(),
            Role::Ex if p.name.is_empty() => "they".into(),
            _ => p.name.clone(),
        }
    }
    fn possessive(&self, p: &Person) -> String {
        match p.role {
            Role::Me => "your".into(),
            _ => format!("{}'s", p.name),
        }
    }
    /// The two people the summary is about: me and ex when known, else the two busiest.
    fn pair(&self) -> Vec<&Person> {
        let mut v: Vec<&Person> = self
            .a
            .people
            .iter()
            .filter(|p| p.role != Role::Other)
            .collect();
        for p in &self.a.people {
            if v.len() >= 2 {
                break;
            }
            if !v.iter().any(|q| q.name == p.name) {
                v.push(p);
            }
        }
        v.truncate(2);
        v
    }
}

fn times(before: f64, after: f64) -> Option<String> {
    if before <= 0.0 || after <= 0.0 {
        return None;
    }
    let r = after / before;
    Some(if r >= 1.0 {
        if (1.8..2.3).contains(&r) {
            "about twice as frequent".into()
        } else if (2.6..3.4).contains(&r) {
            "about three times as frequent".into()
        } else {
            format!("about {r:.1} times as frequent")
        }
    } else if (0.4..0.6).contains(&r) {
        "about half as frequent".into()
    } else {
        format!("less frequent (about {:.0}% of before)", r * 100.0)
    })
}

/// The findings in plain, kind sentences.
pub fn summarize(a: &Analysis) -> Vec<String> {
    let mut out = Vec::new();
    if a.analysed == 0 {
        out.push("There are no messages to look at in this period.".into());
        return out;
    }
    let names = Names { a };
    out.extend(boundary_sentences(a));
    let pair = names.pair();
    let (first_m, last_m) = (
        a.months
            .first()
            .map(|m| month_name(&m.key))
            .unwrap_or_default(),
        a.months
            .last()
            .map(|m| month_name(&m.key))
            .unwrap_or_default(),
    );
    out.push(format!(
        "There are {} messages from {first_m} to {last_m}.",
        a.analysed
    ));
    if pair.len() == 2 {
        let total: usize = pair.iter().map(|p| p.totals.messages).sum();
        out.push(format!(
            "{} wrote {}% of them and {} {}%.",
            cap(&names.subject(pair[0])),
            pct(pair[0].totals.messages, total),
            names.subject(pair[1]),
            pct(pair[1].totals.messages, total)
        ));
        out.push(format!(
            "{} started {} conversations, {} started {}.",
            cap(&names.subject(pair[0])),
            pair[0].totals.starts,
            names.subject(pair[1]),
            pair[1].totals.starts
        ));
    }
    let tp = |series: &str| -> Option<&TurningPoint> {
        a.turning_points
            .iter()
            .filter(|t| t.series == series)
            .max_by(|x, y| {
                (x.after - x.before)
                    .abs()
                    .total_cmp(&(y.after - y.before).abs())
            })
    };
    if let Some(t) = tp("volume") {
        out.push(format!(
            "Things changed around {}: from about {:.0} messages a month to about {:.0}.",
            month_name(&t.month),
            t.before,
            t.after
        ));
    }
    if let Some(t) = tp("tone") {
        let dir = if t.after < t.before {
            "more negative"
        } else {
            "warmer"
        };
        out.push(format!(
            "The tone became {dir} from {}.",
            month_name(&t.month)
        ));
    }
    for p in &pair {
        if let (Some(e), Some(l)) = (
            p.reply_change.early_median_minutes,
            p.reply_change.late_median_minutes,
        ) && e > 0.0
            && (l / e >= 1.5 || l / e <= 1.0 / 1.5)
            && (l - e).abs() >= 1.0
        {
            let verb = if l > e { "slowed" } else { "got faster" };
            out.push(format!(
                "{} replies {verb}: from a typical {} to {}.",
                cap(&names.possessive(p)),
                minutes(e),
                minutes(l)
            ));
        }
    }
    let cs = &a.conflict_summary;
    if cs.count == 0 {
        out.push("No arguments (runs of hostile messages) were found.".into());
    } else {
        let one_sided = a.conflicts.iter().filter(|e| e.one_sided).count();
        let mut s = if one_sided == 0 {
            format!(
                "There were {} arguments (runs of hostile messages from both of you).",
                cs.count
            )
        } else {
            format!(
                "There were {} arguments (runs of hostile messages); in {one_sided} of them only one of you was harsh.",
                cs.count
            )
        };
        if let Some(t) = cs.by_topic.first() {
            let k = t.episodes.len();
            if k * 2 > cs.count {
                s.push_str(&format!(
                    " Most were about {} ({k} of {}).",
                    topic_label(&t.topic),
                    cs.count
                ));
            } else {
                s.push_str(&format!(
                    " The topic that came up most was {} ({k} of {}).",
                    topic_label(&t.topic),
                    cs.count
                ));
            }
        }
        out.push(s);
        if let Some(t) = tp("conflicts")
            && let Some(f) = times(t.before, t.after)
        {
            out.push(format!("They became {f} from {}.", month_name(&t.month)));
        }
        if cs.late_night_starts > 0 {
            out.push(format!(
                "{} of {} started late at night (after {}).",
                cs.late_night_starts,
                cs.count,
                hour_name(a.settings.late_night_start_hour)
            ));
        }
        if pair.len() == 2 {
            let rep = |p: &Person| {
                cs.repaired_by
                    .iter()
                    .find(|x| x.name == p.name)
                    .map(|x| x.count)
                    .unwrap_or(0)
            };
            out.push(format!(
                "{} apologised or tried to repair in {}; {} did in {}.",
                cap(&names.subject(pair[0])),
                rep(pair[0]),
                names.subject(pair[1]),
                rep(pair[1])
            ));
        }
        let e = &cs.endings;
        let mut parts = Vec::new();
        if e.repair > 0 {
            parts.push(format!("{} with a repair or apology", e.repair));
        }
        if e.silence > 0 {
            parts.push(format!("{} in silence", e.silence));
        }
        if e.breakup > 0 {
            parts.push(format!("{} with talk of breaking up", e.breakup));
        }
        if e.moved_on > 0 {
            parts.push(format!("{} by moving on to other things", e.moved_on));
        }
        if !parts.is_empty() {
            out.push(format!("They ended: {}.", parts.join(", ")));
        }
        if let Some(r) = cs.ratio {
            out.push(format!(
                "During arguments there were {r:.1} warm messages for every negative one; couples who stay together tend to keep about 5 to 1."
            ));
        }
    }
    if pair.len() == 2 {
        for (p, q) in [(pair[0], pair[1]), (pair[1], pair[0])] {
            let made = p.totals.bids;
            if made >= 5 {
                out.push(format!(
                    "Of {} {} small bids for attention, {} turned toward {}%.",
                    names.possessive(p),
                    made,
                    names.subject(q),
                    pct(p.totals.bids_toward, made)
                ));
            }
        }
    }
    for p in &pair {
        if p.totals.messages >= 20 && p.late_night_share >= 0.15 {
            out.push(format!(
                "{}% of {} messages were sent late at night.",
                (p.late_night_share * 100.0).round(),
                names.possessive(p)
            ));
        }
    }
    out
}

/// "2024-03-03T21:04:00" -> "3 March 2024".
fn day_name(time: &str) -> String {
    let date = time.split('T').next().unwrap_or(time);
    let mut it = date.split('-');
    match (
        it.next(),
        it.next().and_then(|m| m.parse::<usize>().ok()),
        it.next().and_then(|d| d.parse::<u32>().ok()),
    ) {
        (Some(y), Some(m), Some(d)) if (1..=12).contains(&m) => {
            format!("{d} {} {y}", MONTHS[m - 1])
        }
        _ => date.to_string(),
    }
}

/// The last boundary each person set, first of all: the most important thing
/// the chat can say to someone who wants to reach out.
fn boundary_sentences(a: &Analysis) -> Vec<String> {
    let mut last: Vec<&Boundary> = Vec::new();
    for b in a.boundaries.iter().rev() {
        if !last.iter().any(|x| x.person == b.person) {
            last.push(b);
        }
    }
    last.reverse();
    last.iter()
        .map(|b| {
            let me = b.role == Role::Me;
            let who = if me {
                "you".to_string()
            } else {
                b.person.clone()
            };
            let what = match b.kind {
                BoundaryKind::Ended => "ended the relationship",
                BoundaryKind::NoContact => "asked for no contact",
                BoundaryKind::Space => "asked for space",
                BoundaryKind::Blocked => "said they had blocked the other",
            };
            let what = if me && b.kind == BoundaryKind::Blocked {
                "said you had blocked them"
            } else {
                what
            };
            let mut s = format!("On {} {who} {what}.", day_name(&b.time));
            if b.unanswered_after > 0 {
                let other = if me { "they" } else { "you" };
                let plural = if b.unanswered_after == 1 { "" } else { "s" };
                s.push_str(&format!(
                    " After it, {other} sent {} message{plural} that got no reply.",
                    b.unanswered_after
                ));
            }
            cap(&s)
        })
        .collect()
}

fn minutes(m: f64) -> String {
    if m < 1.0 {
        "under a minute".into()
    } else if m < 90.0 {
        format!("{m:.0} minutes")
    } else {
        format!("{:.1} hours", m / 60.0)
    }
}

fn hour_name(h: u8) -> String {
    match h {
        0 => "midnight".into(),
        12 => "noon".into(),
        h if h < 12 => format!("{h} am"),
        h => format!("{} pm", h - 12),
    }
}
