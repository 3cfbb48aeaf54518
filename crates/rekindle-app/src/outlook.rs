//! The honest outlook over the store: gathers the cheap stored facts (the
//! record, the readiness answers, the safety facts, their words and
//! boundaries, the problems and plans) and hands them to
//! [`rekindle_core::method::outlook`]. The chat's post-mortem is read only
//! when the caller already has it (the web app's kept analysis, or
//! `rekindle outlook --chat`): analysing a long chat takes seconds.

use jiff::civil::Date;
use jiff::tz::TimeZone;
use rekindle_analysis::{Analysis, topic_label};
use rekindle_core::method::checkin::Outcome;
use rekindle_core::method::outlook::{
    ChatFacts, ChatTopic, CommitmentFacts, Outlook, OutlookInput, ProblemFacts, SentLetter, outlook,
};
use rekindle_store::Store;

use crate::method::{self, MethodError};

/// A topic must have come up in at least this many arguments to be named.
const MIN_ARGUMENTS: usize = 2;

/// The topics argued about most in a post-mortem, most first.
pub fn chat_topics(a: &Analysis) -> Vec<ChatTopic> {
    let mut topics: Vec<ChatTopic> = a
        .conflict_summary
        .by_topic
        .iter()
        .filter(|t| t.episodes.len() >= MIN_ARGUMENTS)
        .map(|t| ChatTopic {
            label: topic_label(&t.topic),
            category: crate::postmortem::category_for_topic(&t.topic),
            arguments: t.episodes.len(),
        })
        .collect();
    topics.sort_by_key(|t| std::cmp::Reverse(t.arguments));
    topics
}

/// Everything the outlook reads. `chat` is the post-mortem of the chat the
/// post-mortem reads ([`crate::postmortem::analysed_chat`]), when at hand.
pub fn input(
    store: &dyn Store,
    tz: &TimeZone,
    today: Date,
    chat: Option<&Analysis>,
) -> Result<OutlookInput, MethodError> {
    let safety = crate::safety::facts(store, tz)?;
    let readiness = method::readiness(store)?;
    let commitments = method::commitments(store, today)?
        .into_iter()
        .map(|c| CommitmentFacts {
            last_lapse: c
                .checkins
                .iter()
                .filter(|(_, ci)| ci.outcome == Outcome::Lapsed)
                .map(|(d, _)| *d)
                .max(),
            readiness: readiness
                .iter()
                .rev()
                .find(|r| r.plan_id == c.plan_id)
                .cloned(),
            title: c.commitment.title,
            summary: c.summary,
        })
        .collect();
    let problems = method::problems(store)?
        .into_iter()
        .map(|p| ProblemFacts {
            answered: p.answered(),
            has_condition: p
                .plan
                .as_ref()
                .is_some_and(|pl| !pl.condition.trim().is_empty()),
            title: p.problem.title,
            category: p.problem.category,
            whose: p.problem.whose,
        })
        .collect();
    let letter = crate::letter::letters(store)?
        .into_iter()
        .rev()
        .find_map(|(_, l)| {
            l.sent_on.map(|sent_on| SentLetter {
                sent_on,
                reply: l.reply.as_deref().map(|r| r == "yes"),
            })
        });
    let chat = match (chat, crate::postmortem::analysed_chat(store)?) {
        (_, None) => ChatFacts::None,
        (Some(a), Some(_)) => ChatFacts::Read {
            topics: chat_topics(a),
        },
        (None, Some(info)) => ChatFacts::NotRead {
            messages: info.messages,
        },
    };
    Ok(OutlookInput {
        today,
        safety,
        commitments,
        problems,
        self_check: method::self_checks(store)?.pop(),
        their_words: method::ex_answers(store)?,
        letter,
        confirmations: crate::share::confirmations(store)?.len(),
        chat,
    })
}

/// The honest outlook for what is stored.
pub fn gather(
    store: &dyn Store,
    tz: &TimeZone,
    today: Date,
    chat: Option<&Analysis>,
) -> Result<Outlook, MethodError> {
    Ok(outlook(&input(store, tz, today, chat)?))
}
