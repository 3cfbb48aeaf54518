//! A model of the exchange: how tense each message's stretch of the
//! conversation is, read from what the classifier saw in it and around it
//! (who answers whom, how fast, how curtly, with what warmth), not from one
//! message's words.
//!
//! Why (session 16): most real arguments in text are quiet ("Fine." "Noted."
//! "ok so we're doing this again"), and a run of negative messages misses
//! them; banter and shared grief, loud in their words, are no argument. The
//! labelled chats of the tuning sets (tests/data, see QUALITY_LOG.md) teach a
//! logistic model over 33 features of a hostile message and of the six
//! messages either side of it in the same sitting. A run of hostile messages
//! whose mean tension is under [`ARGUMENT_TENSION`] is no argument
//! (`analyze::find_episodes`). `examples/train_exchange.py` fits the weights
//! from `examples/exchange_dump.rs`'s table; nothing new is read from the
//! text (everything comes from the rows the classifier already wrote).

use crate::prepared::Seen;

use crate::analyze::SAME_SITTING_SECONDS;

/// Messages read on each side of a message.
pub(crate) const SIDE: usize = 6;
/// Words at or under which a message without warmth is curt ("Fine.", "ok").
const CURT_WORDS: usize = 3;
/// Words from which a message is long (a hurt paragraph).
const LONG_WORDS: usize = 30;

/// Mean tension of a run's hostile messages from which the run is an argument
/// (the highest that keeps every labelled argument of the tuning chats and
/// passes every test; QUALITY_LOG.md, session 16, variant EX3).
pub(crate) const ARGUMENT_TENSION: f32 = 0.10;

/// Number of features.
pub const FEATURES: usize = 33;

/// What one position of the time order contributes to its neighbours' features.
#[derive(Clone, Copy, Default)]
pub(crate) struct Basic {
    /// A message with text the classifier read, by someone.
    pub read: bool,
    pub person: usize,
    pub level: f32,
    pub heated: f32,
    pub attack: f32,
    pub defensive: f32,
    pub stonewall: f32,
    pub playful: f32,
    pub repair: f32,
    pub compound: f32,
    pub curt: f32,
    pub long: f32,
    pub addresses_you: f32,
    pub names_else: f32,
    pub time: i64,
}

impl Basic {
    pub(crate) fn of(
        seen: Option<&Seen>,
        level: u8,
        words: usize,
        person: Option<usize>,
        time: i64,
    ) -> Basic {
        let (Some(c), Some(person)) = (seen, person) else {
            return Basic {
                time,
                ..Basic::default()
            };
        };
        let bit = |b: crate::Horseman| f32::from(u8::from(c.horsemen & b.bit() != 0));
        let flag = |b: bool| f32::from(u8::from(b));
        Basic {
            read: true,
            person,
            level: f32::from(level.min(15)) / 15.0,
            heated: flag(c.heated),
            attack: bit(crate::Horseman::Criticism).max(bit(crate::Horseman::Contempt)),
            defensive: bit(crate::Horseman::Defensiveness),
            stonewall: bit(crate::Horseman::Stonewalling),
            playful: flag(c.playful),
            repair: flag(c.repair),
            compound: c.compound as f32,
            curt: flag(words <= CURT_WORDS && !c.playful),
            long: flag(words >= LONG_WORDS),
            addresses_you: flag(c.addresses_you),
            names_else: flag(c.names_someone_else),
            time,
        }
    }
}

/// The features of position `k` of `len` positions (see [`FEATURES`]), each
/// position read through `at`; `None` for a position the classifier did not
/// read. Neighbours are read on demand: only hostile messages are asked about,
/// and a million-message chat keeps no table of them.
pub(crate) fn features(
    at: &dyn Fn(usize) -> Basic,
    len: usize,
    k: usize,
) -> Option<[f32; FEATURES]> {
    if k >= len {
        return None;
    }
    let me = at(k);
    if !me.read {
        return None;
    }
    let mut f = [0f32; FEATURES];
    f[0] = 1.0;
    f[1] = me.level;
    f[2] = me.heated;
    f[3] = me.attack;
    f[4] = me.defensive;
    f[5] = me.stonewall;
    f[6] = me.playful;
    f[7] = me.repair;
    f[8] = me.compound;
    f[9] = me.curt;
    f[10] = me.long;
    f[11] = me.addresses_you;
    f[12] = me.names_else;
    let (before, pause_before) = sitting_side(at, len, k, me, false);
    let (after, pause_after) = sitting_side(at, len, k, me, true);
    f[13] = pause_before;
    f[14] = pause_after;
    for (first, side) in [(15, &before), (22, &after)] {
        // Means over the neighbours there are: a short sitting of five
        // hostile messages is as tense as a long one (its length is f[31]).
        let mean =
            |g: fn(&Basic) -> f32| side.iter().map(g).sum::<f32>() / side.len().max(1) as f32;
        f[first] = mean(|b| b.level);
        f[first + 1] = mean(|b| b.heated);
        f[first + 2] = mean(|b| b.attack + b.defensive + b.stonewall);
        f[first + 3] = mean(|b| b.playful);
        f[first + 4] = mean(|b| b.curt);
        f[first + 5] = mean(|b| b.compound);
        f[first + 6] = mean(|b| b.repair);
    }
    let around = || before.iter().chain(after.iter());
    let per_side = |sum: f32| sum / (before.len() + after.len()).max(1) as f32;
    f[29] = per_side(
        around()
            .filter(|b| b.person != me.person)
            .map(|b| b.heated)
            .sum(),
    );
    f[30] = per_side(
        around()
            .filter(|b| b.person == me.person)
            .map(|b| b.heated)
            .sum(),
    );
    f[31] = (before.len() + after.len()) as f32 / (2 * SIDE) as f32;
    f[32] = per_side(around().map(|b| b.names_else).sum());
    Some(f)
}

/// Up to [`SIDE`] read neighbours of position `k` (`me`) in its sitting,
/// walking back or forward until a pause of more than
/// [`SAME_SITTING_SECONDS`], and the pause to the next position that way
/// (log-minutes scaled to 0..1; 1 at the chat's edge).
fn sitting_side(
    at: &dyn Fn(usize) -> Basic,
    len: usize,
    k: usize,
    me: Basic,
    forward: bool,
) -> (Vec<Basic>, f32) {
    let next = |j: usize| {
        if forward {
            (j + 1 < len).then_some(j + 1)
        } else {
            j.checked_sub(1)
        }
    };
    // Seconds from `a` to `b` in the walking direction.
    let apart = |a: &Basic, b: &Basic| {
        if forward {
            b.time - a.time
        } else {
            a.time - b.time
        }
    };
    let pause = next(k).map_or(1.0, |j| {
        (apart(&me, &at(j)).max(0) as f32 / 60.0).ln_1p().min(8.0) / 8.0
    });
    let mut side = Vec::with_capacity(SIDE);
    let (mut j, mut last) = (k, me);
    while side.len() < SIDE {
        let Some(n) = next(j) else { break };
        let b = at(n);
        if apart(&last, &b) > SAME_SITTING_SECONDS {
            break;
        }
        if b.read {
            side.push(b);
        }
        (j, last) = (n, b);
    }
    (side, pause)
}

/// The fitted weights, in feature order (examples/train_exchange.py).
const WEIGHTS: [f32; FEATURES] = [
    -2.345, 0.762, -0.763, 0.400, 0.649, 0.924, -0.364, -0.374, 1.502, -0.069, -0.320, 0.816,
    -0.506, 0.118, 0.500, 0.570, 0.041, 1.539, -0.339, -0.206, 0.275, 0.054, 0.505, -0.061, 2.252,
    -1.325, -0.864, 0.241, 0.268, -0.729, 0.786, 1.790, -0.129,
];

/// The probability that the writer of a chat would put position `k` inside an argument.
pub(crate) fn tension(at: &dyn Fn(usize) -> Basic, len: usize, k: usize) -> f32 {
    let Some(f) = features(at, len, k) else {
        return 0.0;
    };
    let z: f32 = f.iter().zip(WEIGHTS.iter()).map(|(a, b)| a * b).sum();
    1.0 / (1.0 + (-z).exp())
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    /// A message as the model sees it: person, minutes into the chat, and what it is.
    fn msg(person: usize, minute: i64, heated: bool, attack: bool, playful: bool) -> Basic {
        Basic {
            read: true,
            person,
            level: if heated { 0.6 } else { 0.1 },
            heated: f32::from(u8::from(heated)),
            attack: f32::from(u8::from(attack)),
            playful: f32::from(u8::from(playful)),
            compound: if heated { -0.5 } else { 0.3 },
            time: minute * 60,
            ..Basic::default()
        }
    }

    fn tension_of(chat: &[Basic], k: usize) -> f32 {
        tension(&|j| chat[j], chat.len(), k)
    }

    #[test]
    fn a_short_sitting_is_as_tense_in_its_neighbours_as_a_long_one() {
        let short: Vec<Basic> = (0..5)
            .map(|m| msg(m as usize % 2, m, true, true, false))
            .collect();
        let f = features(&|j| short[j], short.len(), 4).unwrap();
        assert_eq!(f[16], 1.0, "every neighbour before is hostile");
        assert!(
            (f[31] - 4.0 / 12.0).abs() < 1e-6,
            "four neighbours of twelve"
        );
    }

    #[test]
    fn a_pause_of_hours_ends_the_window() {
        let mut chat: Vec<Basic> = (0..4).map(|m| msg(0, m, true, true, false)).collect();
        chat.push(msg(1, 4 + 3 * 60, false, false, false));
        let f = features(&|j| chat[j], chat.len(), 4).unwrap();
        assert_eq!(f[15..22], [0.0; 7], "nothing before the pause is read");
        assert!(f[13] > 0.6, "a pause of three hours before it: {}", f[13]);
    }

    #[test]
    fn hostility_answered_with_laughter_is_less_tense_than_hostility_answered_in_kind() {
        // The same jab, in both directions: once answered with laughter and
        // kisses, once with more hostility.
        for (a, b) in [(0, 1), (1, 0)] {
            let mut banter = vec![msg(a, 0, true, true, false)];
            let mut fight = banter.clone();
            for m in 1..8 {
                let who = if m % 2 == 1 { b } else { a };
                banter.push(msg(who, m, false, false, true));
                fight.push(msg(who, m, true, m % 2 == 0, false));
            }
            let (calm, tense) = (tension_of(&banter, 0), tension_of(&fight, 0));
            assert!(calm < tense, "banter {calm} fight {tense}");
            assert!(tense >= ARGUMENT_TENSION, "{tense}");
        }
    }

    #[test]
    fn an_unread_position_has_no_features() {
        let chat = [Basic::default(), msg(0, 1, true, true, false)];
        assert!(features(&|j| chat[j], chat.len(), 0).is_none());
        assert!(features(&|j| chat[j], chat.len(), 5).is_none());
        assert!(features(&|j| chat[j], chat.len(), 1).is_some());
    }
}
