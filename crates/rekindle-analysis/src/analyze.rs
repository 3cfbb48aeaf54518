//! The whole-chat analysis. See README.md ("JSON shape") for every field.

use std::collections::BTreeMap;

use jiff::civil::{Date, DateTime};
use rayon::prelude::*;
use rekindle_chat::Message;
use serde::Serialize;

use crate::boundary::BoundaryKind;
use crate::changepoint::{binary_segmentation, default_penalty, segments};
use crate::classify::Horseman;
use crate::lexicon::Lexicons;
use crate::prepared::{Prepared, Row, Seen, local_seconds};

/// Who is who in the chat. Names as the export writes them.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Who {
    /// The user ("you" in the summary).
    pub me: Option<String>,
    /// The ex (named in the summary; "they" when unknown).
    pub ex: Option<String>,
}

/// Conflict-episode parameters (see README.md, "Conflict episodes"). Here a
/// message is negative when the `negative` flag or the rules alone say so.
#[derive(Debug, Clone, PartialEq)]
pub struct EpisodeOptions {
    /// Consecutive negative messages at most this far apart belong to one run.
    pub window_minutes: u32,
    /// ...and at most this many other messages between them.
    pub max_between: usize,
    /// ...and negative messages must be at least this share of the messages
    /// from the run's first to its last negative message.
    pub min_share: f64,
    /// A run needs at least this many negative messages...
    pub min_negative: usize,
    /// ...and at least this many from each of two people, unless the run is
    /// one-sided (below).
    pub min_each: usize,
    /// A run where only one person is hostile is an episode when that person
    /// wrote at least this many negative messages, at least
    /// `one_sided_min_marks` of them with a horseman marker (hostility, not
    /// sadness), and the other person answered inside the run.
    pub one_sided_min_negative: usize,
    pub one_sided_min_marks: usize,
    /// ...or wrote at least this many attacks (criticism, contempt).
    pub one_sided_min_attacks: usize,
    /// After one person set a boundary (ended it, asked for space or no
    /// contact, blocked), the other's attacks before the setter writes again
    /// (and within this many days) are an argument of their own.
    pub after_boundary_days: u32,
    /// After the last negative message, a repair or breakup message within
    /// this time ends the episode that way.
    pub cooldown_minutes: u32,
    /// No message for this long after the cool-down = ended in silence.
    pub silence_hours: u32,
    /// Messages before the start also searched for the topic.
    pub context_before: usize,
}

impl Default for EpisodeOptions {
    fn default() -> Self {
        EpisodeOptions {
            window_minutes: 30,
            max_between: 4,
            min_share: 0.4,
            min_negative: 3,
            min_each: 1,
            one_sided_min_negative: 4,
            one_sided_min_marks: 2,
            one_sided_min_attacks: 3,
            after_boundary_days: 14,
            cooldown_minutes: 30,
            silence_hours: 3,
            context_before: 5,
        }
    }
}

/// Options for [`analyze`].
#[derive(Debug, Clone, PartialEq)]
pub struct AnalysisOptions {
    /// The first message after a gap of at least this long starts a conversation.
    pub gap_minutes: u32,
    /// An answer from the other person within this time counts as a reply.
    pub reply_window_minutes: u32,
    /// A bid answered within this time can be "toward"/"against"; else "away".
    pub bid_window_minutes: u32,
    /// Only messages on or after this day.
    pub since: Option<Date>,
    /// Only messages on or before this day.
    pub until: Option<Date>,
    /// Late night = hour >= start or hour < end (wall clock). Default 23..5.
    pub late_night_start_hour: u8,
    pub late_night_end_hour: u8,
    pub episodes: EpisodeOptions,
    /// At most this many indices per evidence list (`count` is always exact).
    pub evidence_limit: usize,
    /// Include the per-message classification (`per_message`) in the output.
    pub per_message: bool,
}

impl Default for AnalysisOptions {
    fn default() -> Self {
        AnalysisOptions {
            gap_minutes: 360,
            reply_window_minutes: 24 * 60,
            bid_window_minutes: 180,
            since: None,
            until: None,
            late_night_start_hour: 23,
            late_night_end_hour: 5,
            episodes: EpisodeOptions::default(),
            evidence_limit: 500,
            per_message: false,
        }
    }
}

/// Message indices (into the slice given to [`analyze`]) behind a number.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct Evidence {
    /// How many messages there are (exact).
    pub count: usize,
    /// The first `evidence_limit` of them, in chat order.
    pub indices: Vec<usize>,
    /// `true` when `indices` holds fewer than `count`.
    pub truncated: bool,
}

impl Evidence {
    fn push(&mut self, i: usize, limit: usize) {
        self.count += 1;
        if self.indices.len() < limit {
            self.indices.push(i);
        } else {
            self.truncated = true;
        }
    }
}

/// The role of a person.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Role {
    Me,
    Ex,
    Other,
}

/// Counts for one person in one period (or in total).
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct Counts {
    pub messages: usize,
    pub words: usize,
    pub starts: usize,
    pub late_night: usize,
    /// Text messages that were scored.
    pub scored: usize,
    pub negative: usize,
    /// compound >= 0.05 and not negative.
    pub positive: usize,
    /// Mean VADER compound of the scored messages (`null` without any).
    pub tone_mean: Option<f64>,
    pub criticism: usize,
    pub contempt: usize,
    pub defensiveness: usize,
    pub stonewalling: usize,
    pub repairs: usize,
    pub bids: usize,
    pub bids_toward: usize,
    pub bids_away: usize,
    pub bids_against: usize,
    pub replies: usize,
    pub reply_median_minutes: Option<f64>,
    pub reply_p90_minutes: Option<f64>,
    #[serde(skip)]
    tone_sum: f64,
    #[serde(skip)]
    delays: Vec<f32>,
}

/// Reply delays of one person and how they changed.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct ReplyChange {
    /// Median reply delay in the first third of the chat's time span.
    pub early_median_minutes: Option<f64>,
    /// Median reply delay in the last third.
    pub late_median_minutes: Option<f64>,
    /// The person's slowest replies (at most [`SLOWEST_REPLIES`]), slowest first.
    pub slowest: Vec<Reply>,
}

/// At most this many of a person's slowest replies are kept as evidence.
pub const SLOWEST_REPLIES: usize = 25;

/// One reply: the message (index) and how long after the other person's
/// message it came.
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize)]
pub struct Reply {
    pub index: usize,
    pub minutes: f64,
}

/// Evidence lists of one person.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct PersonEvidence {
    pub starts: Evidence,
    pub late_night: Evidence,
    pub negative: Evidence,
    pub criticism: Evidence,
    pub contempt: Evidence,
    pub defensiveness: Evidence,
    pub stonewalling: Evidence,
    pub repairs: Evidence,
    pub bids: Evidence,
    pub bids_toward: Evidence,
    pub bids_away: Evidence,
    pub bids_against: Evidence,
    /// Messages per hour of day (24 lists, wall clock), as `Person::hours` counts them.
    pub hours: Vec<Evidence>,
}

/// One person in the chat.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Person {
    pub name: String,
    pub role: Role,
    pub totals: Counts,
    /// Messages per hour of day (0..24, wall clock).
    pub hours: [usize; 24],
    pub late_night_share: f64,
    pub reply_change: ReplyChange,
    pub evidence: PersonEvidence,
}

/// One month ("2024-03") or ISO week ("2024-W10").
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Period {
    pub key: String,
    /// First day of the period.
    pub start: String,
    pub messages: usize,
    /// Mean compound over the period's scored messages.
    pub tone_mean: Option<f64>,
    /// Conflict episodes that started in the period.
    pub conflicts: usize,
    /// Index of the first and last message in the period (`null` when empty).
    pub first: Option<usize>,
    pub last: Option<usize>,
    /// One entry per person, in the order of `people`.
    pub per_person: Vec<Counts>,
}

/// A change point in a monthly series.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TurningPoint {
    /// "volume" (messages per month), "tone" (mean compound per month) or
    /// "conflicts" (episodes per month).
    pub series: String,
    /// The month the new level starts.
    pub month: String,
    /// Position in `months`.
    pub month_index: usize,
    /// Mean of the series in the segment before and after.
    pub before: f64,
    pub after: f64,
    /// Messages of the first month of the new level (volume), its negative
    /// messages (tone) or the episodes' first messages (conflicts).
    pub evidence: Evidence,
}

/// How an episode ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Ending {
    Repair,
    Silence,
    Breakup,
    MovedOn,
}

/// A person and a number.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct NameCount {
    pub name: String,
    pub count: usize,
}

/// A horseman marker in an episode.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Mark {
    pub index: usize,
    pub person: String,
    pub kind: Horseman,
}

/// A conflict episode (definition in README.md).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Episode {
    pub id: usize,
    /// Index of the first negative message.
    pub start: usize,
    /// Index of the last message of the episode.
    pub end: usize,
    pub start_time: String,
    pub end_time: String,
    pub started_by: Option<String>,
    pub escalated_by: Option<String>,
    /// Only one person's messages were hostile.
    pub one_sided: bool,
    /// That person, when `one_sided`.
    pub one_sided_by: Option<String>,
    pub topics: Vec<String>,
    pub ended_by: Ending,
    /// Who sent the repair / breakup message.
    pub ended_by_person: Option<String>,
    /// Started within the late-night window.
    pub late_night: bool,
    /// Number of messages from start to end.
    pub messages: usize,
    pub negative: usize,
    pub positive: usize,
    /// positive / negative (Gottman's 5:1 in conflict).
    pub ratio: f64,
    pub negative_by: Vec<NameCount>,
    pub repairs_by: Vec<NameCount>,
    pub horsemen: Vec<Mark>,
    pub negative_messages: Vec<usize>,
    /// The messages counted in `positive`.
    pub positive_messages: Vec<usize>,
    pub repair_messages: Vec<usize>,
}

/// A boundary one person set in the chat (see `boundary.rs`).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Boundary {
    /// Index of the message.
    pub index: usize,
    /// Its time (civil, as in the export).
    pub time: String,
    /// Who set it.
    pub person: String,
    /// That person's role.
    pub role: Role,
    pub kind: BoundaryKind,
    /// Messages the other person(s) sent after it before the one who set it
    /// replied (all of them when they never did). The setter's own messages
    /// before the other person's first one continue the boundary.
    pub unanswered_after: usize,
    /// Those messages (first `evidence_limit`).
    pub unanswered: Evidence,
}

/// Episodes per topic.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TopicEpisodes {
    pub topic: String,
    /// Episode ids.
    pub episodes: Vec<usize>,
}

/// How many episodes ended which way.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct Endings {
    pub repair: usize,
    pub silence: usize,
    pub breakup: usize,
    pub moved_on: usize,
}

/// Totals over all episodes.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct ConflictSummary {
    pub count: usize,
    pub late_night_starts: usize,
    pub endings: Endings,
    pub positive: usize,
    pub negative: usize,
    /// positive / negative over all episodes (`null` without any negative).
    pub ratio: Option<f64>,
    pub started_by: Vec<NameCount>,
    pub escalated_by: Vec<NameCount>,
    /// Episodes in which the person sent at least one repair message.
    pub repaired_by: Vec<NameCount>,
    /// Most frequent first.
    pub by_topic: Vec<TopicEpisodes>,
}

/// A topic over the whole chat.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TopicStat {
    pub topic: String,
    pub messages: Evidence,
    /// Episodes in which the topic came up.
    pub episodes: usize,
}

/// One classified message (only with `per_message`).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct MessageTone {
    pub index: usize,
    pub compound: f64,
    pub negative: bool,
    pub horsemen: Vec<Horseman>,
    pub repair: bool,
    pub topics: Vec<String>,
}

/// The settings the analysis ran with.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Settings {
    pub gap_minutes: u32,
    pub reply_window_minutes: u32,
    pub bid_window_minutes: u32,
    pub since: Option<String>,
    pub until: Option<String>,
    pub late_night_start_hour: u8,
    pub late_night_end_hour: u8,
    pub episode_window_minutes: u32,
    pub episode_max_between: usize,
    pub episode_min_share: f64,
    pub episode_min_negative: usize,
    pub episode_min_each: usize,
    pub episode_cooldown_minutes: u32,
    pub episode_silence_hours: u32,
    /// The share of negative messages the `negative` flags were decided at:
    /// estimated from the whole chat (see `base_rate`), one of `base_rate::GRID`
    /// (the 5 % default without a learned model).
    pub negative_share: f64,
}

/// The result of [`analyze`]; its JSON is `rekindle analyze --json`.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Analysis {
    /// Shape version; bumped on any incompatible change.
    pub version: u32,
    pub settings: Settings,
    /// Messages given.
    pub messages: usize,
    /// Messages inside since/until.
    pub analysed: usize,
    pub first: Option<String>,
    pub last: Option<String>,
    pub people: Vec<Person>,
    /// Every calendar month from the first to the last message (empty ones included).
    pub months: Vec<Period>,
    /// ISO weeks that have messages.
    pub weeks: Vec<Period>,
    pub turning_points: Vec<TurningPoint>,
    pub conflicts: Vec<Episode>,
    pub conflict_summary: ConflictSummary,
    pub topics: Vec<TopicStat>,
    /// Where someone ended it, asked for no contact or space, or blocked the
    /// other; in chat order.
    pub boundaries: Vec<Boundary>,
    /// Per-message classification, only when asked for.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub per_message: Option<Vec<MessageTone>>,
}

impl Analysis {
    /// The person with the role, if any.
    pub fn person(&self, role: Role) -> Option<&Person> {
        self.people.iter().find(|p| p.role == role)
    }
}

fn month_key(dt: &DateTime) -> i32 {
    i32::from(dt.year()) * 12 + i32::from(dt.month()) - 1
}

fn month_label(k: i32) -> String {
    format!("{:04}-{:02}", k.div_euclid(12), k.rem_euclid(12) + 1)
}

fn week_key(dt: &DateTime) -> i32 {
    let iso = dt.date().iso_week_date();
    i32::from(iso.year()) * 60 + i32::from(iso.week())
}

/// "2024-W07" and the Monday it starts on.
fn week_label(dt: &DateTime) -> (String, String) {
    let d = dt.date();
    let iso = d.iso_week_date();
    let off = i64::from(d.weekday().to_monday_zero_offset());
    let monday = d.checked_sub(jiff::Span::new().days(off)).unwrap_or(d);
    (
        format!("{:04}-W{:02}", iso.year(), iso.week()),
        monday.to_string(),
    )
}

fn quantile(v: &mut [f32], q: f64) -> Option<f64> {
    if v.is_empty() {
        return None;
    }
    let k = (((v.len() - 1) as f64) * q).round() as usize;
    let k = k.min(v.len() - 1);
    let (_, x, _) = v.select_nth_unstable_by(k, f32::total_cmp);
    Some((f64::from(*x) * 10.0).round() / 10.0)
}

impl Counts {
    fn finish(&mut self) {
        self.tone_mean = (self.scored > 0).then(|| self.tone_sum / self.scored as f64);
        self.reply_median_minutes = quantile(&mut self.delays, 0.5);
        self.reply_p90_minutes = quantile(&mut self.delays, 0.9);
        self.delays = Vec::new();
    }
}

struct Acc {
    key: String,
    start: String,
    messages: usize,
    tone_sum: f64,
    scored: usize,
    conflicts: usize,
    first: Option<usize>,
    last: Option<usize>,
    per: Vec<Counts>,
}

impl Acc {
    fn new(key: String, start: String, people: usize) -> Acc {
        Acc {
            key,
            start,
            messages: 0,
            tone_sum: 0.0,
            scored: 0,
            conflicts: 0,
            first: None,
            last: None,
            per: vec![Counts::default(); people],
        }
    }
    fn finish(mut self) -> Period {
        for c in &mut self.per {
            c.finish();
        }
        Period {
            key: self.key,
            start: self.start,
            messages: self.messages,
            tone_mean: (self.scored > 0).then(|| self.tone_sum / self.scored as f64),
            conflicts: self.conflicts,
            first: self.first,
            last: self.last,
            per_person: self.per,
        }
    }
}

/// What happened at one position (for the per-person / per-period counters).
#[derive(Clone, Copy, PartialEq, Eq)]
enum Ev {
    Start,
    LateNight,
    Negative,
    Horse(Horseman),
    Repair,
    Bid,
    BidToward,
    BidAway,
    BidAgainst,
}

/// Analyse a chat. `messages` in chat order; every index in the result points into it.
/// Classifies every message first (on all cores); see [`Prepared`] to keep that
/// work, or to classify while parsing.
pub fn analyze(
    messages: &[Message],
    who: &Who,
    opts: &AnalysisOptions,
    lexicons: &Lexicons,
) -> Analysis {
    analyze_prepared(&Prepared::from_messages(messages, lexicons), who, opts)
}

/// [`analyze`] on a chat already classified; indices point into the messages
/// the [`Prepared`] was built from.
pub fn analyze_prepared(chat: &Prepared, who: &Who, opts: &AnalysisOptions) -> Analysis {
    let rows = chat.rows.as_slice();
    let limit = opts.evidence_limit;
    // 1. Messages in range, in time order (stable).
    let since = opts
        .since
        .map(|d| local_seconds(&d.to_datetime(jiff::civil::Time::midnight())));
    let until = opts
        .until
        .map(|d| local_seconds(&d.to_datetime(jiff::civil::Time::midnight())) + 86_400);
    let (mut order, secs): (Vec<usize>, Vec<i64>) = rayon::join(
        || {
            if since.is_none() && until.is_none() {
                // Every message: no filter to run (a filtered parallel collect
                // gathers its pieces in a list and copies them once more).
                return (0..rows.len()).collect();
            }
            (0..rows.len())
                .into_par_iter()
                .filter(|&i| {
                    let t = rows[i].local_seconds();
                    since.is_none_or(|s| t >= s) && until.is_none_or(|u| t < u)
                })
                .collect()
        },
        || rows.par_iter().map(Row::epoch_seconds).collect(),
    );
    if !order.windows(2).all(|w| secs[w[0]] <= secs[w[1]]) {
        order.sort_by_key(|&i| (secs[i], i));
    }
    let n = order.len();

    // 2. People.
    let mut counts = vec![0usize; chat.names.len()];
    for &i in &order {
        if let Some(c) = rows[i].sender().and_then(|s| counts.get_mut(s)) {
            *c += 1;
        }
    }
    let mut names: Vec<(&str, usize)> = chat
        .names
        .iter()
        .zip(counts)
        .filter(|(_, c)| *c > 0)
        .map(|(n, c)| (n.as_str(), c))
        .collect();
    names.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(b.0)));
    let mut people: Vec<(String, Role)> = Vec::new();
    let me = who.me.as_deref();
    let mut ex = who.ex.as_deref();
    if ex.is_none() && me.is_some() && names.len() == 2 {
        ex = names.iter().map(|(n, _)| *n).find(|n| Some(*n) != me);
    }
    if let Some(m) = me {
        people.push((m.to_string(), Role::Me));
    }
    if let Some(e) = ex
        && Some(e) != me
    {
        people.push((e.to_string(), Role::Ex));
    }
    for (name, _) in &names {
        if !people.iter().any(|(p, _)| p == name) {
            people.push((name.to_string(), Role::Other));
        }
    }
    // Sender id -> person; a `who` name nobody wrote under has no id.
    let pid: Vec<Option<usize>> = chat
        .names
        .iter()
        .map(|n| people.iter().position(|(p, _)| p == n))
        .collect();
    let np = people.len();
    let person_of = |i: usize| rows[i].sender().and_then(|s| pid.get(s).copied().flatten());

    // 3. What the classifier saw, in time order.
    let cls = InOrder {
        rows,
        order: &order,
        mock: &[],
    };
    let topic_count = chat.topics.len();

    let late = |h: u8| {
        let (s, e) = (opts.late_night_start_hour, opts.late_night_end_hour);
        if s <= e {
            h >= s && h < e
        } else {
            h >= s || h < e
        }
    };

    // 4. Bids and their answers (run beside the episodes, which do not read them).
    let bid_window = i64::from(opts.bid_window_minutes) * 60;
    let bids = || {
        let mut bid_answer: Vec<Option<Ev>> = vec![None; n];
        for k in 0..n {
            let Some(c) = &cls.at(k) else { continue };
            if !c.bid {
                continue;
            }
            let Some(p) = person_of(order[k]) else {
                continue;
            };
            // The next message by someone else; a later bid by the same person first
            // means this one merges into it.
            let mut answer = Ev::BidAway;
            let mut merged = false;
            for j in (k + 1)..n {
                let i = order[j];
                if secs[i] - secs[order[k]] > bid_window {
                    break;
                }
                let q = person_of(i);
                if q == Some(p) {
                    if cls.at(j).is_some_and(|c| c.bid) {
                        merged = true;
                        break;
                    }
                    continue;
                }
                if q.is_none() {
                    continue;
                }
                answer = match &cls.at(j) {
                    Some(r) if r.negative || r.horsemen & 0b0111 != 0 => Ev::BidAgainst,
                    Some(r) if r.horsemen == Horseman::Stonewalling.bit() => Ev::BidAway,
                    _ => Ev::BidToward,
                };
                break;
            }
            if !merged {
                bid_answer[k] = Some(answer);
            }
        }
        bid_answer
    };

    // 5. Per message: who, what happened, and the reply delay. The three passes
    // below need it; computing it in each is cheaper than storing it.
    let first_t = order.first().map(|&i| secs[i]).unwrap_or(0);
    let last_t = order.last().map(|&i| secs[i]).unwrap_or(0);
    let span = (last_t - first_t).max(1);
    let gap = i64::from(opts.gap_minutes) * 60;
    let reply_window = i64::from(opts.reply_window_minutes) * 60;
    let hour_of = |i: usize| (rows[i].local_seconds().rem_euclid(86_400) / 3600) as usize;
    let events =
        |bid_answer: &[Option<Ev>], k: usize, evs: &mut Vec<Ev>| -> Option<(usize, Option<f32>)> {
            let i = order[k];
            let p = person_of(i)?;
            let prev = k.checked_sub(1).map(|j| order[j]);
            evs.clear();
            if prev.is_none_or(|j| secs[i] - secs[j] >= gap) {
                evs.push(Ev::Start);
            }
            if late(hour_of(i) as u8) {
                evs.push(Ev::LateNight);
            }
            let mut delay = None;
            if let Some(j) = prev
                && let Some(q) = person_of(j)
                && q != p
            {
                let d = secs[i] - secs[j];
                if (0..=reply_window).contains(&d) && d < gap {
                    delay = Some(d as f32 / 60.0);
                }
            }
            if let Some(c) = cls.at(k) {
                if c.negative {
                    evs.push(Ev::Negative);
                }
                for h in Horseman::ALL {
                    if c.horsemen & h.bit() != 0 {
                        evs.push(Ev::Horse(h));
                    }
                }
                if c.repair {
                    evs.push(Ev::Repair);
                }
            }
            if let Some(a) = bid_answer.get(k).copied().flatten() {
                evs.push(Ev::Bid);
                evs.push(a);
            }
            Some((p, delay))
        };
    let words_of = |i: usize| {
        let row = &rows[i];
        if row.is_text() { row.words() } else { 0 }
    };

    // 6. Months or weeks (a pass each, so that the four passes below share two
    // cores evenly)...
    let by_period = |weekly: bool, bid_answer: &[Option<Ev>]| {
        let mut periods: BTreeMap<i32, Acc> = BTreeMap::new();
        let mut evs: Vec<Ev> = Vec::with_capacity(12);
        // Key of the previous message's day (messages come in time order).
        let mut day_key: Option<(i64, i32)> = None;
        let mut this_period = None;
        for (k, &i) in order.iter().enumerate() {
            let row = &rows[i];
            let day = row.local_seconds().div_euclid(86_400);
            let key = match day_key {
                Some((d, key)) if d == day => key,
                _ => {
                    let time = row.time();
                    let key = if weekly {
                        week_key(&time)
                    } else {
                        month_key(&time)
                    };
                    day_key = Some((day, key));
                    key
                }
            };
            let period = current(&mut periods, &mut this_period, key, || {
                if weekly {
                    let (label, start) = week_label(&row.time());
                    Acc::new(label, start, np)
                } else {
                    Acc::new(month_label(key), format!("{}-01", month_label(key)), np)
                }
            });
            period.messages += 1;
            period.first.get_or_insert(i);
            period.last = Some(i);
            let c = cls.at(k);
            if let Some(c) = &c {
                period.tone_sum += c.compound;
                period.scored += 1;
            }
            let Some((p, delay)) = events(bid_answer, k, &mut evs) else {
                continue;
            };
            bump(&mut period.per[p], words_of(i), c.as_ref(), &evs, delay);
        }
        if let Some((k, acc)) = this_period {
            periods.insert(k, acc);
        }
        periods
    };

    // ...persons and topics (another)...
    let by_person = |bid_answer: &[Option<Ev>]| {
        let mut topic_ev: Vec<Evidence> = vec![Evidence::default(); topic_count];
        let mut per_message = opts.per_message.then(Vec::new);
        let mut persons: Vec<Person> = people
            .iter()
            .map(|(name, role)| Person {
                name: name.clone(),
                role: *role,
                totals: Counts::default(),
                hours: [0; 24],
                late_night_share: 0.0,
                reply_change: ReplyChange::default(),
                evidence: PersonEvidence {
                    hours: vec![Evidence::default(); 24],
                    ..PersonEvidence::default()
                },
            })
            .collect();
        let mut slowest: Vec<Vec<Reply>> = vec![Vec::new(); np];
        let mut early: Vec<Vec<f32>> = vec![Vec::new(); np];
        let mut late_d: Vec<Vec<f32>> = vec![Vec::new(); np];
        let mut evs: Vec<Ev> = Vec::with_capacity(12);
        for (k, &i) in order.iter().enumerate() {
            let c = cls.at(k);
            if let Some(c) = &c {
                for (t, ev) in topic_ev.iter_mut().enumerate() {
                    if c.topics & (1u64 << t) != 0 {
                        ev.push(i, limit);
                    }
                }
                if let Some(pm) = per_message.as_mut() {
                    pm.push(MessageTone {
                        index: i,
                        compound: c.compound,
                        negative: c.negative,
                        horsemen: Horseman::from_bits(c.horsemen),
                        repair: c.repair,
                        topics: topic_names(c.topics, &chat.topics),
                    });
                }
            }
            let Some((p, delay)) = events(bid_answer, k, &mut evs) else {
                continue;
            };
            let person = &mut persons[p];
            let hour = hour_of(i);
            person.hours[hour] += 1;
            if let Some(e) = person.evidence.hours.get_mut(hour) {
                e.push(i, limit);
            }
            if let Some(d) = delay {
                keep_slowest(&mut slowest[p], i, d);
                let pos = (secs[i] - first_t) as f64 / span as f64;
                if pos < 1.0 / 3.0 {
                    early[p].push(d);
                } else if pos >= 2.0 / 3.0 {
                    late_d[p].push(d);
                }
            }
            for ev in &evs {
                let e = &mut person.evidence;
                let list = match ev {
                    Ev::Start => &mut e.starts,
                    Ev::LateNight => &mut e.late_night,
                    Ev::Negative => &mut e.negative,
                    Ev::Horse(Horseman::Criticism) => &mut e.criticism,
                    Ev::Horse(Horseman::Contempt) => &mut e.contempt,
                    Ev::Horse(Horseman::Defensiveness) => &mut e.defensiveness,
                    Ev::Horse(Horseman::Stonewalling) => &mut e.stonewalling,
                    Ev::Repair => &mut e.repairs,
                    Ev::Bid => &mut e.bids,
                    Ev::BidToward => &mut e.bids_toward,
                    Ev::BidAway => &mut e.bids_away,
                    Ev::BidAgainst => &mut e.bids_against,
                };
                list.push(i, limit);
            }
            bump(&mut person.totals, words_of(i), c.as_ref(), &evs, delay);
        }
        // Finished here, beside the other passes: the medians of a long chat's
        // reply delays are the slowest part.
        for (p, (person, replies)) in persons.iter_mut().zip(slowest).enumerate() {
            person.reply_change.slowest = replies;
            person.totals.finish();
            person.late_night_share = if person.totals.messages > 0 {
                person.totals.late_night as f64 / person.totals.messages as f64
            } else {
                0.0
            };
            person.reply_change.early_median_minutes = quantile(&mut early[p], 0.5);
            person.reply_change.late_median_minutes = quantile(&mut late_d[p], 0.5);
        }
        (persons, topic_ev, per_message)
    };

    // ...and the conflict episodes, the three at once.
    // Where each boundary is in `order` (one pass), and who set it.
    let boundary_at: Vec<(usize, usize, BoundaryKind)> = if chat.boundaries.is_empty() {
        Vec::new()
    } else {
        let mut set: Vec<(usize, BoundaryKind)> = chat
            .boundaries
            .iter()
            .map(|&(i, kind)| (i as usize, kind))
            .collect();
        set.sort_unstable_by_key(|&(i, _)| i);
        let is_boundary = |j: usize| set.binary_search_by_key(&j, |&(i, _)| i).is_ok();
        order
            .iter()
            .enumerate()
            .filter_map(|(k, &i)| {
                let at = set.binary_search_by_key(&i, |&(j, _)| j).ok()?;
                Some((k, person_of(i)?, set.get(at)?.1))
            })
            // A break-up said in play is no boundary, for the episodes
            // (no "attacks after a boundary") as for `boundaries[]`.
            .filter(|&(k, p, kind)| {
                !(matches!(kind, BoundaryKind::Ended | BoundaryKind::Blocked)
                    && joke_ending(chat, &order, k, p, &person_of, &is_boundary))
            })
            .collect()
    };
    let episodes = || {
        find_episodes(
            rows,
            &order,
            &secs,
            &cls,
            &person_of,
            &boundary_at,
            &people,
            opts,
            &chat.topics,
            &late,
        )
    };
    // The episodes are the longest pass; the bids, persons, months and weeks
    // run beside them, and whichever thread is free first takes the next.
    let (conflicts, ((persons, topic_ev, per_message), (mut months, mut weeks))) =
        rayon::join(episodes, || {
            let bid_answer = bids();
            rayon::join(
                || by_person(&bid_answer),
                || {
                    rayon::join(
                        || by_period(false, &bid_answer),
                        || by_period(true, &bid_answer),
                    )
                },
            )
        });

    // Continuous months.
    if let (Some(&a), Some(&b)) = (months.keys().next(), months.keys().next_back()) {
        for k in a..=b {
            months
                .entry(k)
                .or_insert_with(|| Acc::new(month_label(k), format!("{}-01", month_label(k)), np));
        }
    }
    for e in &conflicts {
        let start = rows[e.start].time();
        let mk = month_key(&start);
        if let Some(m) = months.get_mut(&mk) {
            m.conflicts += 1;
        }
        let wk = week_key(&start);
        if let Some(w) = weeks.get_mut(&wk) {
            w.conflicts += 1;
        }
    }
    let months: Vec<Period> = months.into_values().map(Acc::finish).collect();
    let weeks: Vec<Period> = weeks.into_values().map(Acc::finish).collect();

    let turning_points = turning_points(&months, &conflicts, rows, &cls, &order, &secs, limit);
    let conflict_summary = summarize_conflicts(&conflicts, &people);
    let topics = topic_ev
        .into_iter()
        .zip(&chat.topics)
        .map(|(messages, name)| TopicStat {
            topic: name.clone(),
            messages,
            episodes: conflicts
                .iter()
                .filter(|e| e.topics.iter().any(|x| x == name))
                .count(),
        })
        .collect();

    let boundaries = find_boundaries(chat, &order, &boundary_at, &person_of, &people, limit);

    Analysis {
        version: 2,
        settings: Settings {
            gap_minutes: opts.gap_minutes,
            reply_window_minutes: opts.reply_window_minutes,
            bid_window_minutes: opts.bid_window_minutes,
            since: opts.since.map(|d| d.to_string()),
            until: opts.until.map(|d| d.to_string()),
            late_night_start_hour: opts.late_night_start_hour,
            late_night_end_hour: opts.late_night_end_hour,
            episode_window_minutes: opts.episodes.window_minutes,
            episode_max_between: opts.episodes.max_between,
            episode_min_share: opts.episodes.min_share,
            episode_min_negative: opts.episodes.min_negative,
            episode_min_each: opts.episodes.min_each,
            episode_cooldown_minutes: opts.episodes.cooldown_minutes,
            episode_silence_hours: opts.episodes.silence_hours,
            negative_share: chat.negative_share,
        },
        messages: rows.len(),
        analysed: n,
        first: order.first().map(|&i| rows[i].time().to_string()),
        last: order.last().map(|&i| rows[i].time().to_string()),
        people: persons,
        months,
        weeks,
        turning_points,
        conflicts,
        conflict_summary,
        topics,
        boundaries,
        per_message,
    }
}

/// The chat's boundaries inside the range, with the messages that went
/// unanswered after each. The stretches counted for one person's boundaries
/// overlap only in that person's own follow-ups, so the work stays about one
/// pass per person.
fn find_boundaries(
    chat: &Prepared,
    order: &[usize],
    boundary_at: &[(usize, usize, BoundaryKind)],
    person_of: &dyn Fn(usize) -> Option<usize>,
    people: &[(String, Role)],
    limit: usize,
) -> Vec<Boundary> {
    let mut out = Vec::new();
    for &(pos, p, kind) in boundary_at {
        let Some(&i) = order.get(pos) else { continue };
        let Some((name, role)) = people.get(p) else {
            continue;
        };
        let mut unanswered = Evidence::default();
        let mut last_own = chat.rows[i].time();
        for &j in order.iter().skip(pos + 1) {
            match person_of(j) {
                // Their own follow-up in the same sitting, before anyone
                // answered, continues the boundary; hours later it reopens
                // the talk (what the other writes then answers them). Once
                // the other person has written, it is a reply.
                Some(q) if q == p && unanswered.count == 0 => {
                    let t = chat.rows[j].time();
                    if crate::boundary::reopens(last_own, t) {
                        break;
                    }
                    last_own = t;
                }
                Some(q) if q == p => break,
                Some(_) => unanswered.push(j, limit),
                None => {}
            }
        }
        out.push(Boundary {
            index: i,
            time: chat.rows[i].time().to_string(),
            person: name.clone(),
            role: *role,
            kind,
            unanswered_after: unanswered.count,
            unanswered,
        });
    }
    out
}

/// Most words a break-up message can have and still be read as a joke.
const JOKE_ENDING_MAX_WORDS: usize = 12;
/// Seconds within which the banter around a joke break-up is answered.
const JOKE_SITTING_SECONDS: i64 = 10 * 60;
/// Messages after a break-up read for its sitting (bounds the work per
/// boundary in a chat that never pauses for ten minutes).
const JOKE_SITTING_MESSAGES: usize = 12;

/// A break-up or block said in play, not meant (session 15): "that's it,
/// we're over, I'm keeping the dog" between people who are fine. The writers
/// label these no boundary; what tells them apart from a real ending is the
/// exchange, not the words, which are the same:
/// - the message is short: at most twelve words (a real ending explains
///   itself: every labelled ending or block in the tuning chats but two has
///   more; "u know what, i'm done. we're over gabriel" ends a fight and is
///   answered in anger, "I asked you to stop. I've blocked you now. Please
///   respect it." is not carried on). Mock horsemen come before jokes too
///   ("u cannae even keep a basil plant alive" → "Wow. We're done"), so the
///   messages before it are not read;
/// - the other person answers within minutes, and not just "ok": no horseman,
///   no apology (affection is fine: "love u too eejit, home in 10"), no
///   boundary of their own, at least three words or a laugh or kiss ("you say
///   that every week", "ok bye x"). Its words may read negative ("you ate the
///   last of my pineapple lumps didn't you");
/// - the banter goes on: the answer is playful, or the one who said it writes
///   again in the same sitting, without an apology or a boundary ("and every
///   week I'm lying", "bye x see you at dinner"). Mock insults may follow
///   ("we don't even HAVE a dog you clown");
/// - no one sets another boundary or apologises in that sitting (a real
///   ending is often followed by "i'm sorry, i've made up my mind").
///
/// A short real ending ("we're done.") answered "ok", "what??", or with hurt,
/// stays one. The safety gate (`boundary::Scan`) keeps every break-up: there
/// the user says "that is not what it meant", which errs on the side of the ex.
fn joke_ending(
    chat: &Prepared,
    order: &[usize],
    pos: usize,
    setter: usize,
    person_of: &dyn Fn(usize) -> Option<usize>,
    is_boundary: &dyn Fn(usize) -> bool,
) -> bool {
    let Some(row) = order.get(pos).and_then(|&i| chat.rows.get(i)) else {
        return false;
    };
    if row.words() > JOKE_ENDING_MAX_WORDS {
        return false;
    }
    // An apology, unless it is affection in play ("love u too eejit").
    let sorry = |c: &Seen| c.repair && !c.playful;
    let mut last_time = row.local_seconds();
    let (mut answer_ok, mut playful, mut setter_went_on) = (false, false, false);
    for (n, &j) in order
        .iter()
        .enumerate()
        .skip(pos + 1)
        .take(JOKE_SITTING_MESSAGES)
    {
        let Some(r) = chat.rows.get(j) else { break };
        let t = r.local_seconds();
        if t - last_time > JOKE_SITTING_SECONDS {
            break;
        }
        last_time = t;
        let Some(q) = person_of(j) else { continue };
        let Some(c) = r.seen() else { continue };
        if is_boundary(j) {
            return false;
        }
        if n == pos + 1 {
            // The first message after it must be the other person's answer,
            // without a horseman or an apology.
            if q == setter || sorry(&c) || c.horsemen != 0 || !(r.words() >= 3 || c.playful) {
                return false;
            }
            answer_ok = true;
            playful = c.playful;
        } else if q == setter && !sorry(&c) {
            setter_went_on = true;
        } else if q != setter && sorry(&c) {
            return false;
        }
    }
    answer_ok && (playful || setter_went_on)
}

/// The accumulator for `key`. The current month's (or week's) is kept out of
/// the map, so the per-message loop does not search the map for every message.
fn current<'a>(
    map: &mut BTreeMap<i32, Acc>,
    cur: &'a mut Option<(i32, Acc)>,
    key: i32,
    make: impl FnOnce() -> Acc,
) -> &'a mut Acc {
    if cur.as_ref().is_none_or(|(k, _)| *k != key)
        && let Some((k, acc)) = cur.take()
    {
        map.insert(k, acc);
    }
    let (_, acc) = cur.get_or_insert_with(|| (key, map.remove(&key).unwrap_or_else(make)));
    acc
}

/// Fewer arguments than this: no turning points in the argument series.
const MIN_CONFLICTS_FOR_TREND: usize = 6;

/// Is a change in a monthly series big enough to tell someone about? A
/// change point in a sparse chat ("from about 0 to 1 message a month") is
/// statistics, not news.
fn matters(series: &str, before: f64, after: f64) -> bool {
    let change = (after - before).abs();
    match series {
        "volume" => change >= 5.0 && change >= 0.3 * before.max(after),
        "tone" => change >= 0.08,
        _ => change >= 0.5,
    }
}

/// What [`crate::exchange`] reads at position `k` of the time order.
fn exchange_basic(
    cls: &InOrder<'_>,
    secs: &[i64],
    person_of: &dyn Fn(usize) -> Option<usize>,
    k: usize,
) -> crate::exchange::Basic {
    let Some(&i) = cls.order.get(k) else {
        return crate::exchange::Basic::default();
    };
    let row = &cls.rows[i];
    let words = if row.is_text() { row.words() } else { 0 };
    crate::exchange::Basic::of(
        cls.at(k).as_ref(),
        row.level(),
        words,
        person_of(i),
        secs[i],
    )
}

/// The exchange model's features of every message (by message index), as the
/// episodes read them: for `examples/exchange_dump.rs`, which writes the
/// table the model is fitted on.
#[doc(hidden)]
pub fn exchange_table(
    chat: &Prepared,
    opts: &AnalysisOptions,
) -> Vec<Option<[f32; crate::exchange::FEATURES]>> {
    let rows = chat.rows.as_slice();
    let secs: Vec<i64> = rows.iter().map(Row::epoch_seconds).collect();
    let mut order: Vec<usize> = (0..rows.len()).collect();
    order.sort_by_key(|&i| (secs[i], i));
    let person_of = |i: usize| rows[i].sender();
    let plain = InOrder {
        rows,
        order: &order,
        mock: &[],
    };
    let window = i64::from(opts.episodes.window_minutes) * 60;
    let mock = mocking_streaks(&plain, &secs, &person_of, chat.names.len(), window);
    let cls = InOrder {
        rows,
        order: &order,
        mock: &mock,
    };
    let at = |k: usize| exchange_basic(&cls, &secs, &person_of, k);
    let mut out = vec![None; rows.len()];
    for (k, &i) in order.iter().enumerate() {
        out[i] = crate::exchange::features(&at, order.len(), k);
    }
    out
}

/// What the classifier saw at each position of the time order.
struct InOrder<'a> {
    rows: &'a [Row],
    order: &'a [usize],
    /// Positions read as contempt in the conflict episodes because they carry
    /// on a mocking streak ([`mocking_streaks`]); empty elsewhere.
    mock: &'a [bool],
}

impl InOrder<'_> {
    fn at(&self, k: usize) -> Option<Seen> {
        let mut seen = self
            .order
            .get(k)
            .and_then(|&i| self.rows.get(i))
            .and_then(Row::seen)?;
        if self.mock.get(k).copied().unwrap_or(false) {
            seen.horsemen |= Horseman::Contempt.bit();
        }
        Some(seen)
    }
}

/// VADER compound from which a message reads warm on its surface: the words
/// sarcasm is made of ("no really, I love being the only adult here").
const MOCK_SURFACE: f64 = 0.3;

/// Messages that carry on a mocking streak (session 13, variant SS3): once a
/// person mocks (a contempt marker in a message that is not playful), their
/// later messages, each within `window` of the last, that read warm on the
/// surface, are no repair and not playful, and answer the other's apology are
/// mockery too: after "oh wow, thanks SO much", "I'm sorry" → "great. can't
/// wait for you to ignore those too". Irony, once set up, keeps its key. The
/// streak ends with the person's own repair or playful message, or anyone's
/// playful answer (teasing); a neutral message ("ok", "see you at 8") is no
/// mockery and does not extend it; an answer to an ordinary message is taken
/// as meant ("power's out again 🙄" → "do you have tokens?" → "whole area, I'm
/// charging my phone in the car like a survivalist").
fn mocking_streaks(
    cls: &InOrder<'_>,
    secs: &[i64],
    person_of: &dyn Fn(usize) -> Option<usize>,
    people: usize,
    window: i64,
) -> Vec<bool> {
    let order = cls.order;
    let mut mock = vec![false; order.len()];
    // Per person: the time of the streak's last message, while it lasts.
    let mut streak: Vec<Option<i64>> = vec![None; people];
    // The message before: (writer, whether it was a repair).
    let mut before: Option<(usize, bool)> = None;
    for (k, &i) in order.iter().enumerate() {
        let (Some(p), Some(c)) = (person_of(i), cls.at(k)) else {
            before = None;
            continue;
        };
        let prev = before.replace((p, c.repair));
        let t = secs[i];
        let warm_answer = c.playful && !c.repair && !is_attack(&c);
        if warm_answer {
            // Play from anyone ends every streak: teasing, not mockery.
            streak.iter_mut().for_each(|s| *s = None);
            continue;
        }
        if c.repair {
            streak[p] = None;
            continue;
        }
        if c.horsemen & Horseman::Contempt.bit() != 0 {
            streak[p] = Some(t);
            continue;
        }
        let Some(last) = streak[p] else {
            continue;
        };
        if t - last > window {
            streak[p] = None;
            continue;
        }
        // Warm words in answer to the other's apology, from someone mocking.
        let answers_apology = matches!(prev, Some((q, true)) if q != p);
        if c.compound >= MOCK_SURFACE && answers_apology {
            mock[k] = true;
            streak[p] = Some(t);
        } else if hostile(&c) {
            streak[p] = Some(t);
        }
    }
    mock
}

/// The names of the topic bits set in `bits`.
fn topic_names(bits: u64, names: &[String]) -> Vec<String> {
    names
        .iter()
        .enumerate()
        .filter(|(t, _)| bits & (1u64 << t) != 0)
        .map(|(_, n)| n.clone())
        .collect()
}

/// Keeps the [`SLOWEST_REPLIES`] slowest replies seen so far, slowest first
/// (on a tie the earlier reply first). Most replies are quicker than the
/// last one kept and cost one comparison.
fn keep_slowest(kept: &mut Vec<Reply>, index: usize, minutes: f32) {
    let minutes = (f64::from(minutes) * 10.0).round() / 10.0;
    if kept.len() >= SLOWEST_REPLIES && kept.last().is_some_and(|r| r.minutes >= minutes) {
        return;
    }
    let at = kept.partition_point(|r| r.minutes >= minutes);
    kept.insert(at, Reply { index, minutes });
    kept.truncate(SLOWEST_REPLIES);
}

fn bump(c: &mut Counts, words: usize, cls: Option<&Seen>, evs: &[Ev], delay: Option<f32>) {
    c.messages += 1;
    c.words += words;
    if let Some(x) = cls {
        c.scored += 1;
        c.tone_sum += x.compound;
        if !x.negative && x.compound >= 0.05 {
            c.positive += 1;
        }
    }
    if let Some(d) = delay {
        c.replies += 1;
        c.delays.push(d);
    }
    for ev in evs {
        match ev {
            Ev::Start => c.starts += 1,
            Ev::LateNight => c.late_night += 1,
            Ev::Negative => c.negative += 1,
            Ev::Horse(Horseman::Criticism) => c.criticism += 1,
            Ev::Horse(Horseman::Contempt) => c.contempt += 1,
            Ev::Horse(Horseman::Defensiveness) => c.defensiveness += 1,
            Ev::Horse(Horseman::Stonewalling) => c.stonewalling += 1,
            Ev::Repair => c.repairs += 1,
            Ev::Bid => c.bids += 1,
            Ev::BidToward => c.bids_toward += 1,
            Ev::BidAway => c.bids_away += 1,
            Ev::BidAgainst => c.bids_against += 1,
        }
    }
}

#[allow(clippy::too_many_arguments)]
fn find_episodes(
    rows: &[Row],
    order: &[usize],
    secs: &[i64],
    cls: &InOrder<'_>,
    person_of: &dyn Fn(usize) -> Option<usize>,
    boundaries: &[(usize, usize, BoundaryKind)],
    people: &[(String, Role)],
    opts: &AnalysisOptions,
    topic_names: &[String],
    late: &dyn Fn(u8) -> bool,
) -> Vec<Episode> {
    let eo = &opts.episodes;
    let window = i64::from(eo.window_minutes) * 60;
    let cooldown = i64::from(eo.cooldown_minutes) * 60;
    let silence = i64::from(eo.silence_hours) * 3600;
    let t = |k: usize| secs[order[k]];
    // How an argument without a repair or breakup ended at position `last`:
    // nothing written for `silence_hours`, or the talk moved on.
    let quiet_ending = |last: usize| {
        let next = last + 1;
        if next >= order.len() || t(next) - t(last) >= silence {
            Ending::Silence
        } else {
            Ending::MovedOn
        }
    };
    let mock = mocking_streaks(cls, secs, person_of, people.len(), window);
    let cls = &InOrder {
        rows: cls.rows,
        order: cls.order,
        mock: &mock,
    };
    // Episodes count a message as negative when the learned layer (at the
    // chat's own share of negatives) or the rules alone say so: the rules read
    // every chat the same way, so an argument does not vanish from the
    // timeline because the rest of the chat was calm (which lowers the
    // estimated share and so raises the learned threshold).
    // An apology or repair without a horseman marker is never hostility, even
    // when its words are sad ("i'm so sorry, i messed up"): counting it would
    // make the person who apologised a side of the argument.
    // A boundary is no attack (session 14): "I need you to stop contacting
    // me" is negative in its words, but counting it made the person who set
    // it the harsh side of the argument they were setting it in. It counts
    // only with an attack in it ("we're done, you pathetic liar").
    // `boundaries` is in chat order (positions ascending).
    let is_boundary = |k: usize| boundaries.binary_search_by_key(&k, |&(b, _, _)| b).is_ok();
    let basic = |k: usize| exchange_basic(cls, secs, person_of, k);
    let neg: Vec<usize> = (0..order.len())
        .filter(|&k| {
            cls.at(k)
                .is_some_and(|c| hostile(&c) && (is_attack(&c) || !is_boundary(k)))
                && person_of(order[k]).is_some()
        })
        .collect();
    let mut out = Vec::new();
    let mut a = 0;
    let mut taken_until: Option<usize> = None; // positions <= this belong to an episode
    let mut spans: Vec<(usize, usize)> = Vec::new(); // positions of each episode
    let mut sided: Vec<Option<usize>> = Vec::new(); // its one harsh side, if one-sided
    let episode = |id, first, end, ender, ending, one_sided_by| {
        build_episode(
            id,
            first,
            end,
            ender,
            ending,
            one_sided_by,
            rows,
            order,
            cls,
            person_of,
            people,
            eo.context_before,
            topic_names,
            late,
        )
    };
    // An apology or repair (without a marker) by someone other than `p`: one
    // person attacking while the other keeps apologising is one run, however
    // many apologies come between the attacks.
    let apology_by_other = |m: usize, p: Option<usize>| {
        person_of(order[m]) != p && cls.at(m).is_some_and(|c| c.repair && c.horsemen == 0)
    };
    let between = |j: usize, k: usize| {
        let p = person_of(order[j]);
        if p != person_of(order[k]) {
            return k - j - 1;
        }
        (j + 1..k).filter(|&m| !apology_by_other(m, p)).count()
    };
    while a < neg.len() {
        let mut b = a + 1;
        while b < neg.len()
            && t(neg[b]) - t(neg[b - 1]) <= window
            && between(neg[b - 1], neg[b]) <= eo.max_between
        {
            b += 1;
        }
        let run = &neg[a..b];
        a = b;
        let (Some(&first), Some(&last_neg)) = (run.first(), run.last()) else {
            continue;
        };
        if taken_until.is_some_and(|u| first <= u) {
            continue;
        }
        // Per person: hostile messages, those with a horseman marker, attacks.
        let mut per = vec![0usize; people.len()];
        let mut marked = vec![0usize; people.len()];
        let mut attacks = vec![0usize; people.len()];
        for &k in run {
            if let (Some(p), Some(c)) = (person_of(order[k]), cls.at(k)) {
                per[p] += 1;
                marked[p] += usize::from(c.horsemen != 0);
                attacks[p] += usize::from(is_attack(&c));
            }
        }
        // The share of hostile messages leaves out the apologies of those
        // who wrote none of them.
        let apologies = (first..=last_neg)
            .filter(|&m| {
                let p = person_of(order[m]);
                p.is_none_or(|p| per.get(p).is_none_or(|n| *n == 0))
                    && cls.at(m).is_some_and(|c| c.repair && c.horsemen == 0)
            })
            .count();
        let share = run.len() as f64 / (last_neg - first + 1 - apologies).max(1) as f64;
        if run.len() < eo.min_negative || share < eo.min_share {
            continue;
        }
        if shared_vent(run, first, last_neg, cls) {
            continue;
        }
        // Both wrote negative messages: an argument. Only one did: an
        // argument when it is hostility the other person was there for.
        let writers: Vec<usize> = (0..people.len())
            .filter(|&p| per[p] >= eo.min_each.max(1))
            .collect();
        let harsh: Vec<usize> = (0..people.len()).filter(|&p| per[p] > 0).collect();
        if writers.len() < 2
            && !(harsh.len() == 1
                && one_sided_hostility(
                    harsh[0], &per, &marked, &attacks, first, last_neg, order, person_of, eo,
                ))
        {
            continue;
        }
        // It is one-sided when only one person was harsh: attacked (a marker)
        // or was negative more than once. A stray negative word from the one
        // who kept apologising ("i get why you're angry") does not make them a side.
        let sides: Vec<usize> = harsh
            .iter()
            .copied()
            .filter(|&p| marked[p] >= 1 || per[p] >= 2)
            .collect();
        let one_sided_by = match sides[..] {
            [h] => Some(h),
            _ => None,
        };
        if answered_playfully(first, last_neg, &sides, cls, person_of, &|k| {
            k < order.len() && t(k) - t(last_neg) <= window
        }) {
            continue;
        }
        // A run inside a warm or calm exchange is no argument (session 16,
        // `crate::exchange`): banter, grief and a shared vent have hostile
        // words around which the conversation stays easy. Checked last: it
        // reads the most (each hostile message's neighbours).
        let tension: f32 = run
            .iter()
            .map(|&k| crate::exchange::tension(&basic, order.len(), k))
            .sum::<f32>()
            / run.len() as f32;
        if tension < crate::exchange::ARGUMENT_TENSION {
            continue;
        }
        // How it ended.
        let mut ending = None;
        let mut end = last_neg;
        let mut ender: Option<usize> = None;
        if let Some(k) = (first..=last_neg).find(|&k| cls.at(k).is_some_and(|c| c.breakup)) {
            ending = Some(Ending::Breakup);
            ender = Some(k);
        }
        let mut tail = last_neg;
        if ending.is_none() {
            if cls.at(last_neg).is_some_and(|c| c.repair) {
                ending = Some(Ending::Repair);
                ender = Some(last_neg);
            } else {
                let mut k = last_neg + 1;
                while k < order.len() && t(k) - t(last_neg) <= cooldown {
                    tail = k;
                    if let Some(c) = &cls.at(k) {
                        if c.breakup {
                            ending = Some(Ending::Breakup);
                            end = k;
                            ender = Some(k);
                            break;
                        }
                        if c.repair {
                            ending = Some(Ending::Repair);
                            end = k;
                            ender = Some(k);
                            break;
                        }
                    }
                    k += 1;
                }
            }
        }
        let ending = ending.unwrap_or_else(|| quiet_ending(tail));
        taken_until = Some(end);
        spans.push((first, end));
        sided.push(one_sided_by);
        out.push(episode(out.len(), first, end, ender, ending, one_sided_by));
    }
    for (first, last, p) in
        attacks_after_boundaries(order, secs, cls, person_of, boundaries, &spans, eo)
    {
        let ending = quiet_ending(last);
        // The same person's one-sided argument that the boundary interrupted,
        // in the same sitting (two hours, as a boundary's own follow-ups):
        // one argument goes on ("its honestly pathetic" → "i'm gonna sleep at
        // my brother's tonight" → "so ur just gonna ignore me now. real
        // mature"), not a second one of a message.
        let goes_on = (0..spans.len()).find(|&e| {
            let end = spans[e].1;
            end < first && t(first) - t(end) <= SAME_SITTING_SECONDS && sided[e] == Some(p)
        });
        if let Some(e) = goes_on {
            let start = spans[e].0;
            spans[e].1 = last;
            out[e] = episode(e, start, last, None, ending, Some(p));
            continue;
        }
        spans.push((first, last));
        sided.push(Some(p));
        out.push(episode(out.len(), first, last, None, ending, Some(p)));
    }
    for (first, last, w) in withdrawals(order, secs, rows, cls, person_of, people.len(), &spans) {
        out.push(episode(
            out.len(),
            first,
            last,
            None,
            quiet_ending(last),
            Some(w),
        ));
    }
    out.sort_by_key(|e| e.start_time.clone());
    for (id, e) in out.iter_mut().enumerate() {
        e.id = id;
    }
    out
}

/// Longest pause inside a withdrawal (between any two messages).
const WITHDRAWAL_GAP_SECONDS: i64 = 2 * 86_400;
/// Most words of a curt reply ("No", "Then don't", "At Max's").
const CURT_WORDS: usize = 3;

/// Stonewalling over hours or days (session 15, from chats9's tuning chat of a
/// man who shuts down after a lay-off): one person (`w`) answers the other's
/// messages with a shut door ("There's nothing to talk about", "I said I'm
/// fine. Can we drop it") and curt replies ("No", "👍", "Then don't", "Ok")
/// while the other keeps writing. The runs above cannot see it: it is not
/// negative enough within any half hour. A withdrawal starts at `w`'s first
/// stonewalling or curt negative reply and lasts while `w` writes only curt
/// (three words or fewer, not warm) or stonewalling messages, no pause is
/// longer than two days, and the other does not attack (then it is a fight).
/// It ends before `w` talks again: an apology, a warm or playful message, or
/// more than three words that shut no door. It is an argument, one-sided by
/// `w`, when `w` shut the door at least twice, the other wrote at least four
/// messages and at least twice as many as `w` (a cold "k" and "going to
/// daz's" among a partner's five messages about a cancelled train is not yet
/// it), it lasted an hour or more, and it overlaps no argument found already.
/// As (first, last position, person).
fn withdrawals(
    order: &[usize],
    secs: &[i64],
    rows: &[Row],
    cls: &InOrder<'_>,
    person_of: &dyn Fn(usize) -> Option<usize>,
    people: usize,
    spans: &[(usize, usize)],
) -> Vec<(usize, usize, usize)> {
    let t = |k: usize| secs[order[k]];
    let words = |k: usize| rows.get(order[k]).map_or(0, Row::words);
    let shut = |c: &Seen| c.horsemen & Horseman::Stonewalling.bit() != 0;
    let curt = |k: usize, c: &Seen| words(k) <= CURT_WORDS && !c.playful && !c.repair;
    let mut out = Vec::new();
    // One pass: a stretch belongs to whoever starts it, and is read once.
    let mut k = 0;
    while k < order.len() {
        let Some(w) = person_of(order[k]).filter(|&p| p < people) else {
            k += 1;
            continue;
        };
        let Some(first) = cls.at(k).filter(|c| shut(c) || (curt(k, c) && c.heated)) else {
            k += 1;
            continue;
        };
        let (mut last_w, mut own, mut others) = (k, 1usize, 0usize);
        let mut doors = usize::from(shut(&first));
        let mut j = k + 1;
        while j < order.len() && t(j) - t(j - 1) <= WITHDRAWAL_GAP_SECONDS {
            let Some(c) = cls.at(j) else {
                j += 1;
                continue;
            };
            match person_of(order[j]) {
                Some(p) if p == w => {
                    if !shut(&c) && !curt(j, &c) {
                        break;
                    }
                    own += 1;
                    doors += usize::from(shut(&c));
                    last_w = j;
                }
                Some(_) => {
                    if is_attack(&c) {
                        break;
                    }
                    others += 1;
                }
                None => {}
            }
            j += 1;
        }
        // The arguments found already are looked through last, and only for a
        // stretch that is a withdrawal otherwise: a long chat has thousands of
        // both, and most stretches are one curt "ok".
        let overlaps = || spans.iter().any(|&(a, b)| a <= last_w && k <= b);
        if doors >= 2 && others >= 4 && others >= 2 * own && t(last_w) - t(k) >= 3600 && !overlaps()
        {
            out.push((k, last_w, w));
        }
        // A stretch is read once, whole: starting again inside it would
        // make the pass quadratic on a terse writer's long runs of "ok".
        k = last_w + 1;
    }
    out
}

/// An argument and the attacks after a boundary set inside it are one sitting
/// within this many seconds (as `boundary::reopens`); the exchange model's
/// windows stop at a longer pause too.
pub(crate) const SAME_SITTING_SECONDS: i64 = 2 * 3600;

/// Attacks (criticism, contempt) by one person while a boundary the other set
/// goes unanswered (from the boundary until the setter writes again after the
/// other has written, within `after_boundary_days`), outside the episodes found
/// so far (`spans`): one argument per such stretch, from its first attack to
/// its last, as (first, last position, person). Someone told "we're done" who
/// answers "good luck finding someone else who puts up with the sulking" has
/// started an argument, answered or not. After an ending or a block the
/// stretches go on past the setter's later messages (one argument each) for
/// the whole `after_boundary_days`: "pathetic" in answer to "i've left the key
/// on the side" is an attack on someone who has left.
fn attacks_after_boundaries(
    order: &[usize],
    secs: &[i64],
    cls: &InOrder<'_>,
    person_of: &dyn Fn(usize) -> Option<usize>,
    boundaries: &[(usize, usize, BoundaryKind)],
    spans: &[(usize, usize)],
    eo: &EpisodeOptions,
) -> Vec<(usize, usize, usize)> {
    let t = |k: usize| secs[order[k]];
    let horizon = i64::from(eo.after_boundary_days) * 86_400;
    let mut taken: Vec<(usize, usize)> = spans.to_vec();
    let mut out = Vec::new();
    for &(b, setter, kind) in boundaries {
        // After an ending or a block the relationship stays over: the setter
        // writing about the keys reopens no talk, it only closes one stretch.
        let lasting = matches!(kind, BoundaryKind::Ended | BoundaryKind::Blocked);
        let mut found: Option<(usize, usize, usize)> = None;
        let mut answered = false;
        for (k, &i) in order.iter().enumerate().skip(b + 1) {
            if t(k) - t(b) > horizon {
                break;
            }
            let Some(p) = person_of(i) else {
                continue;
            };
            if p == setter {
                // Their own follow-up before any answer continues the boundary.
                if answered {
                    if !lasting {
                        break;
                    }
                    if let Some((first, last, p)) = found.take() {
                        taken.push((first, last));
                        out.push((first, last, p));
                    }
                    answered = false;
                }
                continue;
            }
            answered = true;
            let attack = cls.at(k).is_some_and(|c| is_attack(&c));
            if attack && !taken.iter().any(|&(x, y)| x <= k && k <= y) {
                found = Some(found.map_or((k, k, p), |(first, _, p)| (first, k, p)));
            }
        }
        if let Some((first, last, p)) = found {
            taken.push((first, last));
            out.push((first, last, p));
        }
    }
    out
}

/// Teasing, not an argument: a run with one harsh side (`sides`) at
/// `first..=last_neg` was answered playfully by the person it would be aimed
/// at ("i hate you. bring crisps" → "😂 getting u two bags"): a playful
/// message by someone else inside the run or as the first message after it
/// (`follows` says whether position `k` is close enough). A playful message is
/// never an attack, an apology or a repair ("sorry babe x" is no laugh), and a
/// run that holds a breakup is an argument whatever follows it. Runs with two
/// harsh sides are left alone: where both are harsh, laughter from both is as
/// often scorn as play, and teasing both ways is read line by line already
/// ("ur an idiot lol" is no contempt).
fn answered_playfully(
    first: usize,
    last_neg: usize,
    sides: &[usize],
    cls: &InOrder<'_>,
    person_of: &dyn Fn(usize) -> Option<usize>,
    follows: &dyn Fn(usize) -> bool,
) -> bool {
    let end = if follows(last_neg + 1) {
        last_neg + 1
    } else {
        last_neg
    };
    if (first..=last_neg).any(|k| cls.at(k).is_some_and(|c| c.breakup)) {
        return false;
    }
    let playful_by = |p: usize| {
        (first..=end).any(|k| {
            person_of(cls.order[k]) == Some(p)
                && cls
                    .at(k)
                    .is_some_and(|c| c.playful && !c.repair && !is_attack(&c))
        })
    };
    let [side] = sides else {
        return false;
    };
    (first..=end)
        .filter_map(|k| person_of(cls.order[k]))
        .any(|p| p != *side && playful_by(p))
}

/// A shared vent, not an argument (session 13, variant SV): the hostile
/// messages of the run speak of someone else ("he's a snake", "my boss", "the
/// landlord") — at least two of them and at least half, naming someone outside
/// the couple and not the reader — at most one speaks to the reader ("you"),
/// and no one apologises or ends it inside it. Two people furious together at
/// a boss are on the same side; a fight between them says "you", and an
/// apology shows that someone took it as meant for them ("oh she lives 😂" to a
/// girlfriend who keeps saying sorry is mockery of her, in the third person).
fn shared_vent(run: &[usize], first: usize, last_neg: usize, cls: &InOrder<'_>) -> bool {
    let (mut to_reader, mut about_others) = (0usize, 0usize);
    for &k in run {
        if let Some(c) = cls.at(k) {
            if c.addresses_you {
                to_reader += 1;
            } else if c.names_someone_else {
                about_others += 1;
            }
        }
    }
    let apology_or_ending =
        (first..=last_neg).any(|m| cls.at(m).is_some_and(|c| c.repair || c.breakup));
    to_reader <= 1 && about_others >= 2 && about_others * 2 >= run.len() && !apology_or_ending
}

/// Criticism or contempt.
fn is_attack(c: &Seen) -> bool {
    c.horsemen & (Horseman::Criticism.bit() | Horseman::Contempt.bit()) != 0
}

/// What conflict episodes count as a hostile message: negative (the flag or the
/// rules alone), an attack (criticism, contempt: "oh wow, what a hero 🙄"
/// reads warm to VADER) or defensiveness (session 15: "That's not fair, you
/// know why I'm working like this" answering "There's always something you
/// can't do" is one side of a fight, as Gottman counts it, whatever its
/// words' tone), unless it is a repair without any horseman marker.
fn hostile(c: &Seen) -> bool {
    let marked = c.horsemen
        & (Horseman::Criticism.bit() | Horseman::Contempt.bit() | Horseman::Defensiveness.bit())
        != 0;
    (c.heated || marked) && !(c.repair && c.horsemen == 0)
}

/// A run with one hostile person is an argument when it is hostility (enough
/// negative messages carrying a horseman marker), not one person's sadness, and
/// the other person was there (wrote inside the run).
#[allow(clippy::too_many_arguments)]
fn one_sided_hostility(
    harsh: usize,
    per: &[usize],
    marked: &[usize],
    attacks: &[usize],
    first: usize,
    last_neg: usize,
    order: &[usize],
    person_of: &dyn Fn(usize) -> Option<usize>,
    eo: &EpisodeOptions,
) -> bool {
    let other_answered =
        (first..=last_neg).any(|k| person_of(order[k]).is_some_and(|p| p != harsh));
    per[harsh] >= eo.one_sided_min_negative
        && marked[harsh] >= eo.one_sided_min_marks
        && other_answered
        || attacks[harsh] >= eo.one_sided_min_attacks
}

#[allow(clippy::too_many_arguments)]
fn build_episode(
    id: usize,
    first: usize,
    end: usize,
    ender: Option<usize>,
    ending: Ending,
    one_sided_by: Option<usize>,
    rows: &[Row],
    order: &[usize],
    cls: &InOrder<'_>,
    person_of: &dyn Fn(usize) -> Option<usize>,
    people: &[(String, Role)],
    context_before: usize,
    topic_names: &[String],
    late: &dyn Fn(u8) -> bool,
) -> Episode {
    let name = |p: Option<usize>| p.and_then(|p| people.get(p)).map(|(n, _)| n.clone());
    let mut negative = 0;
    let mut positive = 0;
    let mut neg_by = vec![0usize; people.len()];
    let mut rep_by = vec![0usize; people.len()];
    let mut marks = Vec::new();
    let mut negative_messages = Vec::new();
    let mut positive_messages = Vec::new();
    let mut repair_messages = Vec::new();
    let mut escalated = None;
    let mut most_negative: Option<(f64, usize)> = None;
    for (k, &i) in order.iter().enumerate().take(end + 1).skip(first) {
        let Some(c) = &cls.at(k) else { continue };
        let p = person_of(i);
        // In a one-sided argument only the harsh side escalates (the other's
        // sad "I'm worried about you" is not an escalation).
        let may_escalate = one_sided_by.is_none_or(|h| p == Some(h));
        if hostile(c) {
            negative += 1;
            negative_messages.push(i);
            if let Some(p) = p {
                neg_by[p] += 1;
            }
            if may_escalate && most_negative.is_none_or(|(v, _)| c.compound < v) {
                most_negative = Some((c.compound, k));
            }
        } else if c.compound >= 0.05 || c.repair {
            positive += 1;
            positive_messages.push(i);
        }
        if c.repair {
            repair_messages.push(i);
            if let Some(p) = p {
                rep_by[p] += 1;
            }
        }
        for h in Horseman::ALL {
            if c.horsemen & h.bit() != 0 {
                if escalated.is_none()
                    && may_escalate
                    && matches!(h, Horseman::Criticism | Horseman::Contempt)
                {
                    escalated = Some(k);
                }
                if let Some(n) = name(p) {
                    marks.push(Mark {
                        index: i,
                        person: n,
                        kind: h,
                    });
                }
            }
        }
    }
    let escalated_k = escalated.or(most_negative.map(|(_, k)| k));
    // Topics: the episode plus a little context before it.
    let mut topic_counts = vec![0usize; topic_names.len()];
    let mut in_negative = 0u64;
    for c in (first.saturating_sub(context_before)..=end).filter_map(|k| cls.at(k)) {
        if c.heated {
            in_negative |= c.topics;
        }
        for (t, n) in topic_counts.iter_mut().enumerate() {
            if c.topics & (1u64 << t) != 0 {
                *n += 1;
            }
        }
    }
    // A topic counts when it comes up twice, or once in a negative message.
    for (t, n) in topic_counts.iter_mut().enumerate() {
        if *n < 2 && in_negative & (1u64 << t) == 0 {
            *n = 0;
        }
    }
    let mut topics: Vec<(usize, usize)> = topic_counts
        .iter()
        .enumerate()
        .filter(|(_, n)| **n > 0)
        .map(|(t, n)| (t, *n))
        .collect();
    topics.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
    let to_nc = |v: &[usize]| -> Vec<NameCount> {
        v.iter()
            .enumerate()
            .filter(|(_, c)| **c > 0)
            .map(|(p, c)| NameCount {
                name: people[p].0.clone(),
                count: *c,
            })
            .collect()
    };
    let si = order[first];
    let ei = order[end];
    Episode {
        id,
        start: si,
        end: ei,
        start_time: rows[si].time().to_string(),
        end_time: rows[ei].time().to_string(),
        // One-sided: the person who was harsh started it, even where the
        // run opens with the other's sad "oh no, i totally forgot".
        started_by: name(one_sided_by.or(person_of(si))),
        escalated_by: escalated_k
            .and_then(|k| name(person_of(order[k])))
            .or_else(|| name(one_sided_by)),
        one_sided: one_sided_by.is_some(),
        one_sided_by: name(one_sided_by),
        topics: topics
            .into_iter()
            .filter_map(|(t, _)| topic_names.get(t).cloned())
            .collect(),
        ended_by: ending,
        ended_by_person: match ending {
            Ending::Repair | Ending::Breakup => ender.and_then(|k| name(person_of(order[k]))),
            _ => None,
        },
        late_night: late(rows[si].time().hour() as u8),
        messages: end - first + 1,
        negative,
        positive,
        ratio: if negative > 0 {
            positive as f64 / negative as f64
        } else {
            0.0
        },
        negative_by: to_nc(&neg_by),
        repairs_by: to_nc(&rep_by),
        horsemen: marks,
        negative_messages,
        positive_messages,
        repair_messages,
    }
}

fn summarize_conflicts(eps: &[Episode], people: &[(String, Role)]) -> ConflictSummary {
    let mut s = ConflictSummary {
        count: eps.len(),
        ..ConflictSummary::default()
    };
    let mut started = vec![0usize; people.len()];
    let mut escalated = vec![0usize; people.len()];
    let mut repaired = vec![0usize; people.len()];
    let idx = |n: &Option<String>| {
        n.as_ref()
            .and_then(|n| people.iter().position(|(p, _)| p == n))
    };
    let mut topics: Vec<TopicEpisodes> = Vec::new();
    for e in eps {
        s.late_night_starts += usize::from(e.late_night);
        match e.ended_by {
            Ending::Repair => s.endings.repair += 1,
            Ending::Silence => s.endings.silence += 1,
            Ending::Breakup => s.endings.breakup += 1,
            Ending::MovedOn => s.endings.moved_on += 1,
        }
        s.positive += e.positive;
        s.negative += e.negative;
        if let Some(p) = idx(&e.started_by) {
            started[p] += 1;
        }
        if let Some(p) = idx(&e.escalated_by) {
            escalated[p] += 1;
        }
        for r in &e.repairs_by {
            if let Some(p) = people.iter().position(|(n, _)| *n == r.name) {
                repaired[p] += 1;
            }
        }
        for t in &e.topics {
            match topics.iter_mut().find(|x| x.topic == *t) {
                Some(x) => x.episodes.push(e.id),
                None => topics.push(TopicEpisodes {
                    topic: t.clone(),
                    episodes: vec![e.id],
                }),
            }
        }
    }
    topics.sort_by_key(|t| std::cmp::Reverse(t.episodes.len()));
    s.by_topic = topics;
    s.ratio = (s.negative > 0).then(|| s.positive as f64 / s.negative as f64);
    let nc = |v: Vec<usize>| -> Vec<NameCount> {
        v.into_iter()
            .enumerate()
            .map(|(p, count)| NameCount {
                name: people[p].0.clone(),
                count,
            })
            .collect()
    };
    s.started_by = nc(started);
    s.escalated_by = nc(escalated);
    s.repaired_by = nc(repaired);
    s
}

fn turning_points(
    months: &[Period],
    conflicts: &[Episode],
    rows: &[Row],
    cls: &InOrder<'_>,
    order: &[usize],
    secs: &[i64],
    limit: usize,
) -> Vec<TurningPoint> {
    let mut out = Vec::new();
    if months.len() < 4 {
        return out;
    }
    let volume: Vec<f64> = months.iter().map(|m| m.messages as f64).collect();
    let overall_tone = {
        let (s, n) = months.iter().fold((0.0, 0usize), |(s, n), m| {
            let scored: usize = m.per_person.iter().map(|c| c.scored).sum();
            (s + m.tone_mean.unwrap_or(0.0) * scored as f64, n + scored)
        });
        if n > 0 { s / n as f64 } else { 0.0 }
    };
    // Months with few scored messages take the overall mean (no signal).
    let tone: Vec<f64> = months
        .iter()
        .map(|m| {
            let scored: usize = m.per_person.iter().map(|c| c.scored).sum();
            if scored >= 10 {
                m.tone_mean.unwrap_or(overall_tone)
            } else {
                overall_tone
            }
        })
        .collect();
    let confl: Vec<f64> = months.iter().map(|m| m.conflicts as f64).collect();
    // Message index -> position in time order (sorted by time, then index).
    let pos_of = |i: usize| {
        let key = (*secs.get(i)?, i);
        order
            .binary_search_by_key(&key, |&j| (secs.get(j).copied().unwrap_or(i64::MAX), j))
            .ok()
    };
    // The month (position in `months`) each episode started in.
    let conflict_months: Vec<Option<usize>> = conflicts
        .iter()
        .map(|e| {
            let key = month_label(month_key(&rows[e.start].time()));
            months.iter().position(|x| x.key == key)
        })
        .collect();
    for (name, series) in [("volume", &volume), ("tone", &tone), ("conflicts", &confl)] {
        // A handful of arguments makes every one of them a "change".
        if name == "conflicts" && conflicts.len() < MIN_CONFLICTS_FOR_TREND {
            continue;
        }
        let pts = binary_segmentation(series, 2, default_penalty(series), 3);
        let segs = segments(series, &pts);
        for (j, &p) in pts.iter().enumerate() {
            let (Some(before), Some(after)) = (segs.get(j), segs.get(j + 1)) else {
                continue;
            };
            if !matters(name, before.mean, after.mean) {
                continue;
            }
            let m = &months[p];
            let mut ev = Evidence::default();
            match name {
                "volume" => {
                    if let (Some(a), Some(b)) = (m.first, m.last)
                        && let (Some(ka), Some(kb)) = (pos_of(a), pos_of(b))
                    {
                        for &i in &order[ka..=kb] {
                            ev.push(i, limit);
                        }
                    }
                }
                "tone" => {
                    if let (Some(a), Some(b)) = (m.first, m.last)
                        && let (Some(ka), Some(kb)) = (pos_of(a), pos_of(b))
                    {
                        for (k, &i) in order.iter().enumerate().take(kb + 1).skip(ka) {
                            if cls.at(k).is_some_and(|c| c.negative) {
                                ev.push(i, limit);
                            }
                        }
                    }
                }
                _ => {
                    for (e, k) in conflicts.iter().zip(&conflict_months) {
                        if k.is_some_and(|k| k >= after.start && k < after.end) {
                            ev.push(e.start, limit);
                        }
                    }
                }
            }
            out.push(TurningPoint {
                series: name.to_string(),
                month: m.key.clone(),
                month_index: p,
                before: before.mean,
                after: after.mean,
                evidence: ev,
            });
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slowest_replies_are_kept_slowest_first_earlier_on_a_tie() {
        let mut kept = Vec::new();
        for i in 0..100usize {
            keep_slowest(&mut kept, i, (i % 40) as f32);
        }
        assert_eq!(kept.len(), SLOWEST_REPLIES);
        assert_eq!((kept[0].index, kept[0].minutes), (39, 39.0));
        assert_eq!((kept[1].index, kept[1].minutes), (79, 39.0));
        assert!(kept.windows(2).all(|w| w[0].minutes >= w[1].minutes));
    }

    #[test]
    fn hours_and_slow_replies_point_at_their_messages() {
        let text = "1/13/24, 9:00 PM - A: hi\n\
                    1/13/24, 9:05 PM - B: hey\n\
                    1/13/24, 11:05 PM - A: sorry, was out\n\
                    1/14/24, 8:00 AM - B: morning\n\
                    1/14/24, 8:01 AM - A: morning!\n";
        let Ok((messages, _)) =
            rekindle_chat::parse_to_vec(text.as_bytes(), &rekindle_chat::ParseOptions::default())
        else {
            panic!("parse")
        };
        let a = analyze(
            &messages,
            &Who::default(),
            &AnalysisOptions::default(),
            &crate::Lexicons::built_in(),
        );
        let person = |n: &str| a.people.iter().find(|p| p.name == n).expect("person");
        let (pa, pb) = (person("A"), person("B"));
        assert_eq!(pa.evidence.hours.len(), 24);
        assert_eq!(pa.evidence.hours[21].indices, vec![0]);
        assert_eq!(pa.evidence.hours[23].indices, vec![2]);
        assert_eq!(pb.evidence.hours[8].indices, vec![3]);
        for p in &a.people {
            for (h, e) in p.evidence.hours.iter().enumerate() {
                assert_eq!(e.count, p.hours[h]);
            }
        }
        // A answered B after 2 hours and after a minute; B after 5 minutes
        // (the morning message starts a new conversation: no reply).
        let minutes: Vec<(usize, f64)> = pa
            .reply_change
            .slowest
            .iter()
            .map(|r| (r.index, r.minutes))
            .collect();
        assert_eq!(minutes, vec![(2, 120.0), (4, 1.0)]);
        assert_eq!(pb.reply_change.slowest.len(), 1);
        assert_eq!(pb.reply_change.slowest[0].index, 1);
    }

    #[test]
    fn only_changes_worth_telling() {
        assert!(!matters("volume", 0.4, 3.0), "a sparse chat");
        assert!(!matters("volume", 100.0, 110.0), "10%");
        assert!(matters("volume", 16_863.0, 6_748.0));
        assert!(matters("volume", 2.0, 30.0));
        assert!(!matters("tone", 0.21, 0.18));
        assert!(matters("tone", 0.25, 0.05));
        assert!(!matters("conflicts", 0.1, 0.3));
        assert!(matters("conflicts", 0.2, 2.0));
    }
}
