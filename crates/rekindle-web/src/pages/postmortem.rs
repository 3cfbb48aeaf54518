//! Step 1's evidence: what the chat shows, with every number open to the
//! messages behind it, and a finding turned into a problem in one click.

use askama::Template;
use axum::extract::Path;
use axum::http::StatusCode;
use axum::response::Response;
use rekindle_analysis::{Analysis, Ending, Horseman, Message, Role, summarize};
use rekindle_app::postmortem::{self, FINDING_SHOWN, Finding};
use rekindle_core::FormErrors;

use super::{Chrome, method_error, not_found_page, render, store_error, with_vault};
use crate::charts;
use crate::security::RawForm;
use std::sync::Arc;

use crate::state::{AppState, Inner, PostmortemCache};

pub struct EpisodeRow {
    pub id: usize,
    pub date: String,
    pub topics: String,
    pub messages: usize,
    pub how: String,
}

/// One month of the chat, for the tables beside the charts.
pub struct MonthRow {
    pub key: String,
    /// Finding keys: its messages, its arguments, horsemen and repairs.
    pub messages_key: String,
    pub arguments_key: String,
    pub horsemen_key: String,
    pub repairs_key: String,
    /// Messages per person in `names` order, and in all.
    pub messages: Vec<usize>,
    pub total: usize,
    /// Average tone, "0.12" or "—".
    pub tone: String,
    /// Per person: (share "12 %" or "—", negative messages, finding key).
    pub negative: Vec<(String, usize, String)>,
    /// Per person: median reply ("12 min" or "—").
    pub replies: Vec<String>,
    pub arguments: usize,
    pub horsemen: usize,
    pub repairs: usize,
}

/// One week with messages.
pub struct WeekRow {
    pub start: String,
    pub key: String,
    pub messages: Vec<usize>,
    pub total: usize,
}

/// One person's replies.
pub struct ReplyRow {
    pub name: String,
    pub median: String,
    pub early: String,
    pub late: String,
    /// How it changed, in words ("slower", "quicker", "about the same").
    pub change: String,
    pub slowest: usize,
    pub slowest_key: String,
}

#[derive(Template)]
#[template(path = "postmortem.html")]
struct PostmortemPage {
    chrome: Chrome,
    empty: bool,
    /// The chat read, when the user has several ("WhatsApp “Alex”, 1,204 messages").
    reading: Option<String>,
    analysed: usize,
    /// The chat's estimated share of negative messages, "2 %" (how `negative` was decided).
    negative_share: String,
    summary: Vec<String>,
    names: Vec<String>,
    months: Vec<MonthRow>,
    weeks: Vec<WeekRow>,
    volume_svg: String,
    weekly_svg: String,
    negative_svg: String,
    replies_svg: String,
    hours_svg: String,
    arguments_svg: String,
    horsemen_svg: String,
    /// (hour, [(count, finding key)] per person)
    hour_rows: Vec<(usize, Vec<(usize, String)>)>,
    reply_rows: Vec<ReplyRow>,
    /// Inside arguments: (warm messages, harsh messages, "0.4"), when there were arguments.
    ratio: Option<(usize, usize, String)>,
    /// (month, what changed, finding key)
    /// (month, what changed, finding key, series: volume / tone / conflicts),
    /// each told beside its own chart
    turning: Vec<(String, String, String, String)>,
    /// The tone changed somewhere (dashed lines on the negative chart).
    tone_turns: bool,
    /// (horseman, [(count, finding key)] per person in `names`)
    horsemen_rows: Vec<(String, Vec<(usize, String)>)>,
    /// (measure, [(count, finding key)] per person in `names`)
    number_rows: Vec<(String, Vec<(usize, String)>)>,
    /// (topic, messages, finding key, arguments)
    topic_rows: Vec<(String, usize, String, usize)>,
    episodes: Vec<EpisodeRow>,
    /// Boundaries, newest first: (sentence, finding key, set by the ex and
    /// asks something of the user: offer "record their answer").
    boundaries: Vec<(String, String, bool)>,
    /// Signs of danger the import found in this chat, newest first, and
    /// whether one waits for the user's answer.
    danger: Vec<DangerLine>,
    danger_pending: bool,
}

/// What the cached analysis depends on: the chat, how many messages it has,
/// who is who, and the version of the user's word lists (built in, the data
/// folder's files, the changes kept in the vault: `rekindle_app::topics`).
fn cache_key(chat: &rekindle_store::chats::ChatInfo, lists_version: &str) -> u64 {
    use std::hash::{Hash, Hasher};
    let mut h = std::collections::hash_map::DefaultHasher::new();
    (chat.id, chat.messages, &chat.me, &chat.ex).hash(&mut h);
    lists_version.hash(&mut h);
    h.finish()
}

/// Messages of the analysed chat a page shows: `(index, message)` by index.
type Shown = Vec<(usize, Message)>;

/// Analyses the stored chat (off the async workers: a long history takes a
/// moment), or takes the analysis made for the same chat; then reads from
/// the vault the messages `pick` chooses, under the same lock as the check
/// that the analysis is of the chat as stored now.
async fn analysed(
    state: &AppState,
    pick: impl Fn(&Analysis) -> Vec<usize> + Send + 'static,
) -> Result<Option<(PostmortemCache, Shown)>, Response> {
    let worker = state.clone();
    tokio::task::spawn_blocking(move || {
        let data_dir = worker.data_dir().map(|d| d.path().to_path_buf());
        // A chat changed while it was analysed (an import in another tab) is
        // analysed again; the third time the lock is held throughout.
        for attempt in 0..3 {
            let mut inner = worker.lock();
            let Some(info) = postmortem::analysed_chat(inner.vault()?).map_err(method_error)?
            else {
                return Ok(None);
            };
            let lists = rekindle_app::topics::lists(inner.vault()?, data_dir.as_deref())
                .map_err(method_error)?;
            let key = cache_key(&info, &lists.version);
            let mut cached = inner
                .postmortem
                .as_ref()
                .filter(|(k, _)| *k == key)
                .map(|(_, c)| c.clone());
            if cached.is_none() {
                let lex = lists.lexicons();
                // From the chat's snapshot when current (made at import), else
                // classified now and the snapshot stored for next time.
                let prepared = postmortem::prepare_chat_cached(inner.vault()?, &info, &lex)
                    .map_err(method_error)?;
                if attempt < 2 {
                    drop(inner);
                    let result: PostmortemCache = Arc::new(prepared.analyse());
                    let mut inner = worker.lock();
                    // Not if the vault was locked meanwhile: it goes with the key.
                    if inner.vault.is_some() {
                        inner.postmortem = Some((key, result));
                    }
                    // Then check again that it is of the chat as stored now.
                    continue;
                }
                let result: PostmortemCache = Arc::new(prepared.analyse());
                inner.postmortem = Some((key, result.clone()));
                cached = Some(result);
            }
            let Some(cached) = cached else {
                continue;
            };
            let wanted = pick(&cached.analysis);
            let shown = if wanted.is_empty() {
                Vec::new()
            } else {
                cached
                    .messages(inner.vault()?, &wanted)
                    .map_err(method_error)?
            };
            return Ok(Some((cached, shown)));
        }
        // Not reached: the last attempt returns.
        Err(store_error(&rekindle_store::StoreError::Corrupt))
    })
    .await
    .map_err(|_| store_error(&rekindle_store::StoreError::Corrupt))?
}

/// The analysis kept for the chat the post-mortem reads, when it is still of
/// that chat as stored now; never analyses (the outlook reads it if at hand).
pub(crate) fn kept_analysis(
    inner: &mut Inner,
    data_dir: Option<&std::path::Path>,
) -> Result<Option<PostmortemCache>, Response> {
    let Some(info) = postmortem::analysed_chat(inner.vault()?).map_err(method_error)? else {
        return Ok(None);
    };
    let lists = rekindle_app::topics::lists(inner.vault()?, data_dir).map_err(method_error)?;
    let key = cache_key(&info, &lists.version);
    Ok(inner
        .postmortem
        .as_ref()
        .filter(|(k, _)| *k == key)
        .map(|(_, c)| c.clone()))
}

/// [`analysed`], with "no chat stored" as the not-found page.
async fn analysed_chat(
    state: &AppState,
    pick: impl Fn(&Analysis) -> Vec<usize> + Send + 'static,
) -> Result<(PostmortemCache, Shown), Response> {
    analysed(state, pick).await?.ok_or_else(not_found_page)
}

/// The message at `index` among those read.
fn shown(messages: &Shown, index: usize) -> Option<&Message> {
    messages
        .binary_search_by_key(&index, |(i, _)| *i)
        .ok()
        .and_then(|k| messages.get(k))
        .map(|(_, m)| m)
}

fn ending(e: Ending) -> &'static str {
    match e {
        Ending::Repair => "ended with a repair or apology",
        Ending::Silence => "ended in silence",
        Ending::Breakup => "ended with talk of breaking up",
        Ending::MovedOn => "faded as the talk moved on",
    }
}

/// Which chat the page reads, when there is more than one to choose from.
/// One sign of danger on the post-mortem: what it is, and the message itself
/// (found again in the chat by its time and writer; the sign keeps no text).
struct DangerLine {
    line: String,
    message: Option<String>,
}

/// The signs of danger the import found in the chat, as sentences (newest
/// first, at most ten) with their messages, and whether one waits for the
/// user's answer.
fn danger_lines(vault: &dyn rekindle_store::Store, id: i64) -> (Vec<DangerLine>, bool) {
    let signs = rekindle_app::danger::for_chat(vault, id).unwrap_or_default();
    let pending = rekindle_app::danger::signs(vault)
        .map(|all| {
            let facts: Vec<_> = all.into_iter().map(|(_, f)| f).collect();
            rekindle_core::safety::pending_danger(&facts).is_some()
        })
        .unwrap_or(false);
    let lines = signs
        .iter()
        .rev()
        .take(10)
        .map(|s| {
            let what = match s.kind {
                rekindle_core::safety::ChatDangerKind::Threat => "wrote what reads as a threat",
                rekindle_core::safety::ChatDangerKind::Violence => {
                    "wrote that they were hurt, or are afraid of the other"
                }
            };
            DangerLine {
                line: format!(
                    "{}: {} {what}.",
                    s.time.strftime("%-d %B %Y, %H:%M"),
                    s.person
                ),
                message: rekindle_app::danger::message_of(vault, id, s).unwrap_or_default(),
            }
        })
        .collect();
    (lines, pending)
}

fn reading_line(vault: &dyn rekindle_store::Store, id: i64) -> Option<String> {
    let chats = vault.chats().ok()?;
    if chats.len() < 2 {
        return None;
    }
    let chat = chats.into_iter().find(|c| c.id == id)?;
    let format = chat
        .format
        .parse::<rekindle_chat::Format>()
        .map(|f| f.display_name())
        .unwrap_or("Chat");
    let title = chat.title.map(|t| format!(" “{t}”")).unwrap_or_default();
    Some(format!("{format}{title}, {} messages", chat.messages))
}

pub async fn page(state: AppState) -> Response {
    let result = match analysed(&state, |_| Vec::new()).await {
        Ok(r) => r,
        Err(r) => return r,
    };
    let mut inner = state.lock();
    let chrome = Chrome::for_page(&inner, "What the chat shows", "w");
    let reading = match (&result, inner.vault()) {
        (Some((data, _)), Ok(vault)) => reading_line(vault, data.chat_id()),
        _ => None,
    };
    let (danger, danger_pending) = match (&result, inner.vault()) {
        (Some((data, _)), Ok(vault)) => danger_lines(vault, data.chat_id()),
        _ => (Vec::new(), false),
    };
    drop(inner);
    let Some((data, _)) = result else {
        return render(
            StatusCode::OK,
            &PostmortemPage {
                chrome,
                empty: true,
                reading: None,
                analysed: 0,
                negative_share: String::new(),
                summary: vec![],
                names: vec![],
                months: vec![],
                weeks: vec![],
                volume_svg: String::new(),
                weekly_svg: String::new(),
                negative_svg: String::new(),
                replies_svg: String::new(),
                hours_svg: String::new(),
                arguments_svg: String::new(),
                horsemen_svg: String::new(),
                hour_rows: vec![],
                reply_rows: vec![],
                ratio: None,
                turning: vec![],
                tone_turns: false,
                horsemen_rows: vec![],
                number_rows: vec![],
                topic_rows: vec![],
                episodes: vec![],
                boundaries: vec![],
                danger: vec![],
                danger_pending: false,
            },
        );
    };
    let a = &data.analysis;
    // The user first, then the ex, then anyone else.
    let mut order: Vec<usize> = (0..a.people.len()).collect();
    order.sort_by_key(|&i| match a.people[i].role {
        Role::Me => 0,
        Role::Ex => 1,
        Role::Other => 2,
    });
    let names: Vec<String> = order
        .iter()
        .take(2)
        .map(|&i| a.people[i].name.clone())
        .collect();
    let people: Vec<usize> = order.iter().take(2).copied().collect();
    let charts = time_charts(a, &people, &names);
    let turning = a
        .turning_points
        .iter()
        .enumerate()
        .map(|(i, t)| {
            let what = match t.series.as_str() {
                "volume" => format!(
                    "messages went from about {:.0} to {:.0} a month",
                    t.before, t.after
                ),
                "tone" => format!(
                    "the average tone went from {:.2} to {:.2}",
                    t.before, t.after
                ),
                _ => format!(
                    "arguments went from {:.1} to {:.1} a month",
                    t.before, t.after
                ),
            };
            (t.month.clone(), what, format!("t-{i}"), t.series.clone())
        })
        .collect();
    let count = |f: Finding| (f.messages(a).map(|x| x.0).unwrap_or(0), f.key());
    // One row per measure, one column per person: three columns fit a phone.
    let row = |label: &str, f: &dyn Fn(usize) -> Finding| {
        let cells: Vec<(usize, String)> = people.iter().map(|&p| count(f(p))).collect();
        (label.to_string(), cells)
    };
    let mut horsemen_rows: Vec<(String, Vec<(usize, String)>)> = Horseman::ALL
        .into_iter()
        .map(|kind| {
            let label = match kind {
                Horseman::Criticism => "Criticism",
                Horseman::Contempt => "Contempt",
                Horseman::Defensiveness => "Defensiveness",
                Horseman::Stonewalling => "Stonewalling",
            };
            row(label, &|person| Finding::Horseman { person, kind })
        })
        .collect();
    if horsemen_rows
        .iter()
        .all(|(_, c)| c.iter().all(|x| x.0 == 0))
    {
        horsemen_rows.clear();
    }
    let number_rows: Vec<(String, Vec<(usize, String)>)> = vec![
        row("Conversations started", &Finding::Starts),
        row("Messages late at night", &Finding::LateNight),
        row("Messages that read as negative", &Finding::Negative),
        row("Apologies and repairs", &Finding::Repairs),
        row("Small bids for attention", &Finding::Bids),
    ];
    let topic_rows: Vec<(String, usize, String, usize)> = a
        .topics
        .iter()
        .enumerate()
        .filter(|(_, t)| t.messages.count > 0)
        .map(|(i, t)| {
            (
                t.topic.replace(['_', '-'], " "),
                t.messages.count,
                Finding::Topic(i).key(),
                t.episodes,
            )
        })
        .collect();
    let episodes = a
        .conflicts
        .iter()
        .rev()
        .take(50)
        .map(|e| EpisodeRow {
            id: e.id,
            date: e
                .start_time
                .get(..16)
                .unwrap_or(&e.start_time)
                .replace('T', " "),
            topics: if e.topics.is_empty() {
                "no clear topic".into()
            } else {
                e.topics.join(", ").replace('_', " ")
            },
            messages: e.messages,
            how: format!(
                "{}{}",
                match (&e.one_sided_by, a.person(rekindle_analysis::Role::Me)) {
                    (Some(p), Some(me)) if *p == me.name => {
                        "you were harsh; they stayed calm or apologised; ".to_string()
                    }
                    (Some(_), Some(_)) =>
                        "they were harsh; you stayed calm or apologised; ".to_string(),
                    (Some(p), None) => format!("only {p} was harsh; "),
                    (None, _) => e
                        .escalated_by
                        .as_ref()
                        .map(|p| format!("escalated by {p}; "))
                        .unwrap_or_default(),
                },
                ending(e.ended_by)
            ),
        })
        .collect();
    let boundaries = a
        .boundaries
        .iter()
        .enumerate()
        .rev()
        .take(10)
        .map(|(i, b)| {
            let me = b.role == rekindle_analysis::Role::Me;
            let who = if me {
                "You".to_string()
            } else {
                b.person.clone()
            };
            let what = rekindle_app::postmortem::boundary_phrase(b.kind);
            let day = b.time.get(..10).unwrap_or(&b.time);
            let mut s = format!("{day}: {who} {what}.");
            if b.unanswered_after > 0 {
                s.push_str(&format!(
                    " After it, {} {} message{} that got no reply.",
                    if me { "they sent" } else { "you sent" },
                    b.unanswered_after,
                    if b.unanswered_after == 1 { "" } else { "s" }
                ));
            }
            let asks = b.role == rekindle_analysis::Role::Ex
                && b.kind != rekindle_analysis::BoundaryKind::Ended;
            (s, Finding::Boundary(i).key(), asks)
        })
        .collect();
    let page = PostmortemPage {
        chrome,
        boundaries,
        danger,
        danger_pending,
        empty: false,
        reading,
        analysed: a.analysed,
        negative_share: percent(a.settings.negative_share),
        summary: summarize(a),
        months: charts.months,
        weeks: charts.weeks,
        volume_svg: charts.volume,
        weekly_svg: charts.weekly,
        negative_svg: charts.negative,
        replies_svg: charts.replies,
        hours_svg: charts.hours,
        arguments_svg: charts.arguments,
        horsemen_svg: charts.horsemen,
        hour_rows: charts.hour_rows,
        reply_rows: charts.reply_rows,
        ratio: (a.conflict_summary.count > 0).then(|| {
            let s = &a.conflict_summary;
            (
                s.positive,
                s.negative,
                s.ratio
                    .map(|r| format!("{r:.1}"))
                    .unwrap_or_else(|| "—".into()),
            )
        }),
        names,
        turning,
        tone_turns: a.turning_points.iter().any(|t| t.series == "tone"),
        horsemen_rows,
        number_rows,
        topic_rows,
        episodes,
    };
    render(StatusCode::OK, &page)
}

/// The charts over time and the tables beside them.
struct TimeCharts {
    months: Vec<MonthRow>,
    weeks: Vec<WeekRow>,
    volume: String,
    weekly: String,
    negative: String,
    replies: String,
    hours: String,
    arguments: String,
    horsemen: String,
    hour_rows: Vec<(usize, Vec<(usize, String)>)>,
    reply_rows: Vec<ReplyRow>,
}

/// Months with fewer scored messages from a person show no share for them:
/// two harsh words out of five would read as a 40 % month.
const SHARE_MIN_MESSAGES: usize = 10;
/// Months with fewer replies from a person show no median for them.
const MEDIAN_MIN_REPLIES: usize = 3;

fn minutes_or_dash(m: Option<f64>) -> String {
    m.map(postmortem::minutes_words)
        .unwrap_or_else(|| "—".into())
}

/// `people`: indices into `a.people` of the two people drawn, `names` theirs.
fn time_charts(a: &Analysis, people: &[usize], names: &[String]) -> TimeCharts {
    fn counts(m: &rekindle_analysis::Period, p: usize) -> Option<&rekindle_analysis::Counts> {
        m.per_person.get(p)
    }
    let months: Vec<MonthRow> = a
        .months
        .iter()
        .enumerate()
        .map(|(k, m)| MonthRow {
            key: m.key.clone(),
            messages_key: Finding::Month(k).key(),
            arguments_key: Finding::MonthArguments(k).key(),
            horsemen_key: Finding::MonthHorsemen(k).key(),
            repairs_key: Finding::MonthRepairs(k).key(),
            messages: people
                .iter()
                .map(|&p| counts(m, p).map(|c| c.messages).unwrap_or(0))
                .collect(),
            total: m.messages,
            tone: m
                .tone_mean
                .map(|v| format!("{v:.2}"))
                .unwrap_or_else(|| "—".into()),
            negative: people
                .iter()
                .map(|&p| {
                    let c = counts(m, p);
                    let (neg, scored) = c.map(|c| (c.negative, c.scored)).unwrap_or((0, 0));
                    let share = if scored >= SHARE_MIN_MESSAGES {
                        percent(neg as f64 / scored as f64)
                    } else {
                        "—".into()
                    };
                    (
                        share,
                        neg,
                        Finding::MonthNegative {
                            month: k,
                            person: p,
                        }
                        .key(),
                    )
                })
                .collect(),
            replies: people
                .iter()
                .map(|&p| {
                    minutes_or_dash(
                        counts(m, p)
                            .filter(|c| c.replies >= MEDIAN_MIN_REPLIES)
                            .and_then(|c| c.reply_median_minutes),
                    )
                })
                .collect(),
            arguments: m.conflicts,
            horsemen: Finding::MonthHorsemen(k)
                .messages(a)
                .map(|x| x.0)
                .unwrap_or(0),
            repairs: m.per_person.iter().map(|c| c.repairs).sum(),
        })
        .collect();
    let Some(axis) = a
        .months
        .first()
        .and_then(|m| charts::MonthAxis::new(&m.key, a.months.len()))
    else {
        return TimeCharts {
            months,
            weeks: Vec::new(),
            volume: String::new(),
            weekly: String::new(),
            negative: String::new(),
            replies: String::new(),
            hours: String::new(),
            arguments: String::new(),
            horsemen: String::new(),
            hour_rows: Vec::new(),
            reply_rows: Vec::new(),
        };
    };
    let month_bars: Vec<charts::Stack> = months
        .iter()
        .enumerate()
        .map(|(k, m)| charts::Stack {
            at: k as f64,
            width: 1.0,
            parts: m.messages.clone(),
            label: postmortem::month_words(&m.key),
            href: Some(format!("/w/f/{}", m.messages_key)),
        })
        .collect();
    let volume = charts::stacked_bars(
        "chart-volume",
        "Messages per month, per person; each bar opens that month's messages",
        &axis,
        &month_bars,
        names,
        "messages",
    );
    let weeks: Vec<WeekRow> = a
        .weeks
        .iter()
        .enumerate()
        .map(|(k, w)| WeekRow {
            start: w.start.clone(),
            key: Finding::Week(k).key(),
            messages: people
                .iter()
                .map(|&p| w.per_person.get(p).map(|c| c.messages).unwrap_or(0))
                .collect(),
            total: w.messages,
        })
        .collect();
    let week_bars: Vec<charts::Stack> = weeks
        .iter()
        .filter_map(|w| {
            Some(charts::Stack {
                at: axis.at_date(&w.start)?.max(0.0),
                width: 7.0 / 30.5,
                parts: w.messages.clone(),
                label: format!("Week of {}", postmortem::day_words(&w.start)),
                href: Some(format!("/w/f/{}", w.key)),
            })
        })
        .collect();
    let weekly = charts::stacked_bars(
        "chart-weekly",
        "Messages per week, per person; each bar opens that week's messages",
        &axis,
        &week_bars,
        names,
        "messages",
    );
    let mark = |series: &str| -> Vec<(usize, String)> {
        a.turning_points
            .iter()
            .filter(|t| t.series == series)
            .map(|t| {
                (
                    t.month_index,
                    format!("A change around {}", postmortem::month_words(&t.month)),
                )
            })
            .collect()
    };
    let person_lines = |point: &dyn Fn(usize, usize, &str) -> Option<charts::Point>| {
        people
            .iter()
            .enumerate()
            .map(|(slot, &p)| charts::Line {
                class: if slot == 0 { "p0" } else { "p1" },
                points: (0..a.months.len())
                    .map(|k| point(k, p, names.get(slot).map(String::as_str).unwrap_or("")))
                    .collect(),
            })
            .collect::<Vec<_>>()
    };
    let drawn = |lines: Vec<charts::Line>| {
        lines
            .iter()
            .any(|l| l.points.iter().any(Option::is_some))
            .then_some(lines)
    };
    let negative_lines = drawn(person_lines(&|k, p, name| {
        let m = a.months.get(k)?;
        let c = m.per_person.get(p)?;
        (c.scored >= SHARE_MIN_MESSAGES).then(|| charts::Point {
            value: c.negative as f64 / c.scored as f64,
            tip: format!(
                "{}: {} of {name}'s messages read as negative ({} of {})",
                postmortem::month_words(&m.key),
                percent(c.negative as f64 / c.scored as f64),
                c.negative,
                c.scored
            ),
            href: (c.negative > 0).then(|| {
                format!(
                    "/w/f/{}",
                    Finding::MonthNegative {
                        month: k,
                        person: p
                    }
                    .key()
                )
            }),
        })
    }));
    let negative = negative_lines.map(|lines| charts::month_lines(
        "chart-negative",
        "Share of each person's messages that read as negative, month by month; dashed lines mark where the tone changed",
        &axis,
        &lines,
        charts::Scale::Share,
        &mark("tone"),
    )).unwrap_or_default();
    let reply_lines = drawn(person_lines(&|k, p, name| {
        let m = a.months.get(k)?;
        let c = m.per_person.get(p)?;
        let median = c
            .reply_median_minutes
            .filter(|_| c.replies >= MEDIAN_MIN_REPLIES)?;
        Some(charts::Point {
            value: median.max(1.0),
            tip: format!(
                "{}: {name} usually replied within {} (the median of {} replies)",
                postmortem::month_words(&m.key),
                postmortem::minutes_words(median),
                c.replies
            ),
            href: None,
        })
    }));
    let replies = reply_lines.map(|lines| charts::month_lines(
        "chart-replies",
        "How long each person usually took to reply (the median), month by month, on a scale from a minute to a day",
        &axis,
        &lines,
        charts::Scale::Minutes,
        &[],
    )).unwrap_or_default();
    let hours_of: Vec<[usize; 24]> = people.iter().map(|&p| a.people[p].hours).collect();
    let hours = charts::hour_bars(
        "chart-hours",
        "Messages by hour of the day, per person; each bar opens those messages",
        &hours_of,
        names,
        &|slot, hour| {
            format!(
                "/w/f/{}",
                Finding::Hour {
                    person: people.get(slot).copied().unwrap_or(slot),
                    hour
                }
                .key()
            )
        },
    );
    let hour_rows = (0..24)
        .map(|h| {
            (
                h,
                people
                    .iter()
                    .map(|&p| {
                        (
                            a.people[p].hours[h],
                            Finding::Hour { person: p, hour: h }.key(),
                        )
                    })
                    .collect(),
            )
        })
        .collect();
    let argument_bars: Vec<charts::Stack> = months
        .iter()
        .enumerate()
        .map(|(k, m)| charts::Stack {
            at: k as f64,
            width: 1.0,
            parts: vec![m.arguments],
            label: postmortem::month_words(&m.key),
            href: Some(format!("/w/f/{}", m.arguments_key)),
        })
        .collect();
    let any_arguments = !a.conflicts.is_empty();
    let arguments = charts::stacked_bars(
        "chart-arguments",
        "Arguments per month; each bar opens the harsh messages of that month's arguments",
        &axis,
        &argument_bars,
        &[],
        "arguments",
    );
    let arguments = if any_arguments {
        arguments
    } else {
        String::new()
    };
    let series = |class: &'static str,
                  what: &str,
                  value: &dyn Fn(&MonthRow) -> usize,
                  key: &dyn Fn(&MonthRow) -> String| {
        charts::Line {
            class,
            points: months
                .iter()
                .map(|m| {
                    let n = value(m);
                    Some(charts::Point {
                        value: n as f64,
                        tip: format!("{}: {n} {what}", postmortem::month_words(&m.key)),
                        href: (n > 0).then(|| format!("/w/f/{}", key(m))),
                    })
                })
                .collect(),
        }
    };
    let any_repairs = months.iter().any(|m| m.repairs > 0);
    let horsemen = charts::month_lines(
        "chart-horsemen",
        "Messages in arguments with criticism, contempt, defensiveness or stonewalling, and apologies or repair attempts, month by month",
        &axis,
        &[
            series(
                "q",
                "messages in arguments with criticism, contempt, defensiveness or stonewalling",
                &|m| m.horsemen,
                &|m| m.horsemen_key.clone(),
            ),
            series("r", "apologies or repair attempts", &|m| m.repairs, &|m| {
                m.repairs_key.clone()
            }),
        ],
        charts::Scale::Count,
        &mark("conflicts"),
    );
    let horsemen = if any_arguments || any_repairs {
        horsemen
    } else {
        String::new()
    };
    let reply_rows = people
        .iter()
        .map(|&p| {
            let person = &a.people[p];
            let rc = &person.reply_change;
            let change = match (rc.early_median_minutes, rc.late_median_minutes) {
                (Some(e), Some(l)) if l > 1.5 * e.max(1.0) => "slower",
                (Some(e), Some(l)) if e > 1.5 * l.max(1.0) => "quicker",
                (Some(_), Some(_)) => "about the same",
                _ => "—",
            };
            ReplyRow {
                name: person.name.clone(),
                median: minutes_or_dash(person.totals.reply_median_minutes),
                early: minutes_or_dash(rc.early_median_minutes),
                late: minutes_or_dash(rc.late_median_minutes),
                change: change.to_string(),
                slowest: rc.slowest.len(),
                slowest_key: Finding::SlowReplies(p).key(),
            }
        })
        .collect();
    TimeCharts {
        months,
        weeks,
        volume,
        weekly,
        negative,
        replies,
        hours,
        arguments,
        horsemen,
        hour_rows,
        reply_rows,
    }
}

#[derive(Template)]
#[template(path = "evidence.html")]
struct EvidencePage {
    chrome: Chrome,
    id: usize,
    heading: String,
    /// (time, sender, text, marks, negative, mine)
    messages: Vec<(String, String, String, String, bool, bool)>,
}

pub async fn evidence(state: AppState, Path(id): Path<String>) -> Response {
    let Ok(id) = id.parse::<usize>() else {
        return not_found_page();
    };
    let (data, messages) = match analysed_chat(&state, move |a| episode_messages(a, id)).await {
        Ok(r) => r,
        Err(r) => return r,
    };
    let a = &data.analysis;
    let Some(e) = a.conflicts.iter().find(|e| e.id == id) else {
        return not_found_page();
    };
    let me = a.person(Role::Me).map(|p| p.name.clone());
    let rows = messages
        .iter()
        .map(|(i, m)| {
            let i = *i;
            let marks: Vec<String> = e
                .horsemen
                .iter()
                .filter(|h| h.index == i)
                .map(|h| {
                    serde_json::to_value(h.kind)
                        .ok()
                        .and_then(|v| v.as_str().map(str::to_string))
                        .unwrap_or_default()
                })
                .chain(e.repair_messages.contains(&i).then(|| "repair".to_string()))
                .collect();
            (
                m.time.strftime("%Y-%m-%d %H:%M").to_string(),
                m.sender.clone().unwrap_or_default(),
                m.text.clone(),
                marks.join(", "),
                e.negative_messages.contains(&i),
                m.sender.is_some() && m.sender == me,
            )
        })
        .collect();
    let inner = state.lock();
    render(
        StatusCode::OK,
        &EvidencePage {
            chrome: Chrome::for_page(&inner, "Messages", "w"),
            id,
            heading: format!(
                "An argument on {}.",
                e.start_time.get(..10).unwrap_or(&e.start_time)
            ),
            messages: rows,
        },
    )
}

/// The messages an argument's page shows: three either side of it.
fn episode_messages(a: &Analysis, id: usize) -> Vec<usize> {
    let Some(e) = a.conflicts.iter().find(|e| e.id == id) else {
        return Vec::new();
    };
    let from = e.start.saturating_sub(3);
    let to = (e.end + 3).min(a.messages.saturating_sub(1));
    (from..=to).collect()
}

/// The messages a finding's page shows, `(index, counted)`: the first
/// [`FINDING_SHOWN`] behind the number, each with two either side.
fn finding_rows(f: Finding, a: &Analysis) -> Vec<(usize, bool)> {
    let Some((_, indices)) = f.messages(a) else {
        return Vec::new();
    };
    let shown = indices.len().min(FINDING_SHOWN);
    postmortem::with_context(&indices[..shown], 2, a.messages)
}

/// One message on a finding's page.
pub struct FindingRow {
    pub time: String,
    pub sender: String,
    pub text: String,
    /// One of the messages behind the number (the others are context).
    pub counted: bool,
    /// Said with it instead of "counted" ("replied after 14 h").
    pub note: Option<String>,
    pub mine: bool,
    /// Messages left out before this one.
    pub gap: bool,
}

#[derive(Template)]
#[template(path = "finding.html")]
struct FindingPage {
    chrome: Chrome,
    key: String,
    heading: String,
    count: usize,
    shown: usize,
    /// Fewer are listed than counted (the analysis lists the first 500 of a kind).
    partial: bool,
    messages: Vec<FindingRow>,
}

/// The messages behind one number of the page, each with two messages of
/// context either side.
pub async fn finding(state: AppState, Path(key): Path<String>) -> Response {
    let Some(f) = Finding::parse(&key) else {
        return not_found_page();
    };
    let (data, messages) = match analysed_chat(&state, move |a| {
        finding_rows(f, a).into_iter().map(|(i, _)| i).collect()
    })
    .await
    {
        Ok(r) => r,
        Err(r) => return r,
    };
    let a = &data.analysis;
    let (Some(heading), Some((count, indices))) = (f.describe(a), f.messages(a)) else {
        return not_found_page();
    };
    let shown_count = indices.len().min(FINDING_SHOWN);
    let me = a.person(Role::Me).map(|p| p.name.clone());
    let mut prev: Option<usize> = None;
    let rows = finding_rows(f, a)
        .into_iter()
        .filter_map(|(i, counted)| {
            let m = shown(&messages, i)?;
            let gap = prev.is_some_and(|p| i > p + 1);
            prev = Some(i);
            Some(FindingRow {
                time: m.time.strftime("%Y-%m-%d %H:%M").to_string(),
                sender: m.sender.clone().unwrap_or_default(),
                text: m.text.clone(),
                counted,
                note: if counted { f.note(a, i) } else { None },
                mine: m.sender.is_some() && m.sender == me,
                gap,
            })
        })
        .collect();
    let inner = state.lock();
    render(
        StatusCode::OK,
        &FindingPage {
            chrome: Chrome::for_page(&inner, "Messages", "w"),
            key: f.key(),
            heading,
            count,
            shown: shown_count,
            partial: indices.len() < count.min(FINDING_SHOWN),
            messages: rows,
        },
    )
}

/// One click: the problem form opens filled from an argument (`episode`)
/// or any other finding (`finding`, its key), the first messages behind it
/// linked; nothing is saved until the person saves the form.
pub async fn make_problem(state: AppState, RawForm(pairs): RawForm) -> Response {
    let value = |name: &str| {
        pairs
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.clone())
    };
    let form = if let Some(id) = value("episode").and_then(|v| v.parse::<usize>().ok()) {
        let (data, messages) =
            match analysed_chat(&state, move |a| postmortem::quoted_messages(a, id)).await {
                Ok(r) => r,
                Err(r) => return r,
            };
        postmortem::problem_from_episode(&data, id, &messages)
    } else if let Some(f) = value("finding").as_deref().and_then(Finding::parse) {
        let (data, messages) = match analysed_chat(&state, move |a| {
            f.messages(a)
                .map(|(_, v)| v.into_iter().take(postmortem::EVIDENCE_LINKED).collect())
                .unwrap_or_default()
        })
        .await
        {
            Ok(r) => r,
            Err(r) => return r,
        };
        postmortem::problem_from_finding(&data, f, &messages)
    } else {
        None
    };
    let Some(form) = form else {
        return not_found_page();
    };
    with_vault(&state, |inner| {
        Ok(super::method::problem_form_page(
            inner,
            form,
            FormErrors::default(),
        ))
    })
    .unwrap_or_else(|r| r)
}

#[derive(Template)]
#[template(path = "linked.html")]
struct LinkedPage {
    chrome: Chrome,
    id: i64,
    title: String,
    rows: Vec<postmortem::LinkedRow>,
    /// Some links could only show their quote.
    from_quotes: bool,
}

/// The messages a problem links to, read again from the vault with two
/// messages either side; a link whose chat is gone shows its kept quote.
pub async fn problem_messages(state: AppState, Path(id): Path<String>) -> Response {
    let Ok(id) = id.parse::<i64>() else {
        return not_found_page();
    };
    with_vault(&state, |inner| {
        let view = rekindle_app::method::problem(inner.vault()?, id).map_err(method_error)?;
        let rows =
            postmortem::open_links(inner.vault()?, &view.problem.links, 2).map_err(method_error)?;
        Ok(render(
            StatusCode::OK,
            &LinkedPage {
                chrome: Chrome::for_page(inner, "Messages", "p"),
                id,
                title: view.problem.title.clone(),
                from_quotes: rows.iter().any(|r| r.from_quote),
                rows,
            },
        ))
    })
    .unwrap_or_else(|r| r)
}

/// A share as a person would say it: "1.5 %" below 10 %, else "20 %".
fn percent(share: f64) -> String {
    let p = 100.0 * share;
    if p < 10.0 {
        format!("{:.1} %", p).replace(".0 %", " %")
    } else {
        format!("{p:.0} %")
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn shares_read_as_people_say_them() {
        assert_eq!(super::percent(0.05), "5 %");
        assert_eq!(super::percent(0.015), "1.5 %");
        assert_eq!(super::percent(0.2), "20 %");
        assert_eq!(super::percent(0.065), "6.5 %");
    }
}
