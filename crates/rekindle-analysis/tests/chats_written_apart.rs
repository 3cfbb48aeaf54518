//! The conversations in tests/data/chats, chats2 … chats19, written by
//! people who never saw the rules: arguments (one-sided or not, and who was
//! harsh) and boundaries (who, what, how many messages went unanswered) come
//! out as the writer expected.
#![allow(clippy::unwrap_used)]

#[path = "support/chat_readings.rs"]
mod chat_readings;

use rekindle_analysis::Lexicons;

/// Per chat of `dir`: (file, arguments as expected — as a list and each in
/// its place, chat_readings.rs — and boundaries as expected).
fn readings(dir: &str) -> Vec<(String, bool, bool)> {
    let dir = format!("{}/tests/data/{dir}", env!("CARGO_MANIFEST_DIR"));
    chat_readings::read_dir(&dir, &Lexicons::built_in())
        .into_iter()
        .map(|r| {
            (
                r.file,
                r.arguments_listed && r.arguments_placed,
                r.boundaries,
            )
        })
        .collect()
}

/// The chats of a set whose reading must stay right: those named, or all but
/// those named.
enum Chats<'a> {
    Only(&'a [&'a str]),
    AllBut(&'a [&'a str]),
}

impl Chats<'_> {
    fn include(&self, file: &str) -> bool {
        match self {
            Chats::Only(names) => names.contains(&file),
            Chats::AllBut(names) => !names.contains(&file),
        }
    }
}

/// A set of `chats` chats keeps at least `floor` readings right, the
/// arguments of the chats `arguments` names and the boundaries of those
/// `boundaries` names.
fn keeps_its_readings(dir: &str, chats: usize, floor: usize, arguments: Chats, boundaries: Chats) {
    let r = readings(dir);
    assert_eq!(r.len(), chats);
    let right: usize = r
        .iter()
        .map(|(_, a, b)| usize::from(*a) + usize::from(*b))
        .sum();
    assert!(right >= floor, "{right} of {}", 2 * chats);
    for (file, a, b) in &r {
        if arguments.include(file) {
            assert!(a, "{file}: arguments");
        }
        if boundaries.include(file) {
            assert!(b, "{file}: boundaries");
        }
    }
}

#[test]
fn every_chat_of_the_first_set_reads_as_its_writer_expected() {
    let r = readings("chats");
    assert_eq!(r.len(), 8);
    for (file, arguments, boundaries) in r {
        assert!(arguments, "{file}: arguments");
        assert!(boundaries, "{file}: boundaries");
    }
}

/// The second set (session 10, tests/data/chats2/README.md): first run 9 of 24
/// readings (after adjudicating two unanswered counts), 13 after session 10,
/// 15 with the learned horsemen layer, 16 with attacks after a boundary
/// (session 11), 20 with teasing, attacks after an ending, "give me till
/// saturday" and "real grown up", 21 with the learned boundary layer
/// (session 12), 22 with shared vents (session 13). Its odd files
/// (alphabetically) were read to find defects, the even ones are held out.
/// The readings right today must stay right; the floor counts them.
#[test]
fn the_second_set_keeps_the_readings_it_gets_right() {
    keeps_its_readings(
        "chats2",
        12,
        22,
        Chats::Only(&[
            "banter_quoted_insult_and_sarcasm_uk.txt",
            "ex_harsh_after_missed_birthday_then_blocked_uk.txt",
            "user_contempt_then_ex_ends_and_blocks_aus.txt",
            "ex_lied_then_accountable_apology_kind_goodbye_us.txt",
            "mutual_fights_twice_then_space_respected_aus.txt",
            "user_harsh_then_accountable_apology_indian.txt",
            "user_jealous_harsh_then_space_ignored_us.txt",
            "slow_fade_then_no_contact_uk.txt",
            "space_respected_then_mutual_ending_long_distance_indian.txt",
            "landlord_rage_then_real_fight_same_sex_aus.txt",
        ]),
        Chats::AllBut(&[]),
    );
}

/// The third set (session 11, tests/data/chats3/README.md; held out until
/// session 12, a tuning set since session 13). First run of the shipped code 9
/// of 16 readings, 10 with the learned horsemen layer, 11 with attacks after a
/// boundary, 14 with session 13's boundary phrases and the "who asked" guard.
/// The readings right today must stay right.
#[test]
fn the_third_set_keeps_the_readings_it_gets_right() {
    keeps_its_readings(
        "chats3",
        8,
        14,
        Chats::AllBut(&[
            "ex_one_sided_contempt_user_apologises_uk.txt",
            "two_fights_mixed_harshness_us.txt",
        ]),
        Chats::AllBut(&[]),
    );
}

/// The fourth set (session 12, tests/data/chats4/README.md; held out in
/// session 12, a tuning set since session 13). First run, on the code of
/// session 12 after its rule changes: 7 of 16 readings; 10 with session 13's
/// boundary phrases, 11 with its sarcastic idioms, 12 with session 14's
/// (mocked apologies, passive aggression), 13 with session 15's joke endings
/// (every chat's boundaries right), 14 with its idioms ("so you finally
/// decided to show up"). The readings right today must stay right.
#[test]
fn the_fourth_set_keeps_the_readings_it_gets_right() {
    keeps_its_readings(
        "chats4",
        8,
        14,
        Chats::Only(&[
            "ex_harsh_user_apologises_then_space_kenyan.txt",
            "inlaw_fight_user_harsh_scottish.txt",
            "repeated_fights_with_sarcasm_us.txt",
            "jealousy_mutual_then_ex_ends_us.txt",
            "slow_cold_fade_no_fight_singapore.txt",
            "user_pressure_after_no_contact_welsh.txt",
        ]),
        Chats::AllBut(&[]),
    );
}

/// The fifth set (session 13, tests/data/chats5/README.md; all held out: none
/// is read to write rules, only which readings are right). First run 11 of 20
/// readings, before and after session 13's boundary phrases; 12 with session
/// 14's readings (variant RD). The readings right today must stay right.
#[test]
fn the_fifth_set_keeps_the_readings_it_gets_right() {
    keeps_its_readings(
        "chats5",
        10,
        12,
        Chats::Only(&[
            "blocked_after_too_many_messages_south_africa.txt",
            "break_to_think_then_ends_it_kindly_same_sex_canada.txt",
            "coparenting_logistics_one_heated_exchange_ex_harsh_uk.txt",
            "ex_contempt_over_forgotten_birthday_user_defends_then_apologises_us.txt",
        ]),
        Chats::AllBut(&[
            "banter_i_hate_you_couple_fine_same_sex_us.txt",
            "two_fights_user_harsh_first_ex_harsh_later_philippines.txt",
        ]),
    );
}

/// The sixth set (session 14, tests/data/chats6/README.md; a tuning set from
/// the start, written to resemble the kinds of chat chats5 holds). First run
/// 10 of 20 readings; 12 with session 14's reading changes (mocked apologies,
/// time-limited requests, a boundary is no attack). The readings right today
/// must stay right.
#[test]
fn the_sixth_set_keeps_the_readings_it_gets_right() {
    keeps_its_readings(
        "chats6",
        10,
        12,
        Chats::Only(&[
            "chores_fight_both_sarcastic_then_repair_us.txt",
            "ex_mocks_user_apologies_ghana.txt",
            "no_contact_respected_malaysia.txt",
            "slow_fade_then_text_breakup_sweden.txt",
            "venting_about_family_together_jamaica.txt",
        ]),
        Chats::AllBut(&[
            "joke_breakups_happy_couple_one_real_spat_scotland.txt",
            "user_jealous_harsh_ex_calm_brazil.txt",
            "user_stonewalls_ex_tries_pakistan.txt",
        ]),
    );
}

/// The seventh set (session 15, tests/data/chats7/README.md; a tuning set
/// from the start, ten situations of the kinds chats5 gets wrong). First run 8
/// of 20 readings; 9 with joke blocks, 11 with unanswered attacks and the
/// idioms (variant RB), 12 with "i need to be alone" (RB2). The readings right
/// today must stay right.
#[test]
fn the_seventh_set_keeps_the_readings_it_gets_right() {
    keeps_its_readings(
        "chats7",
        10,
        12,
        Chats::Only(&[
            "drunk_texts_at_night_user_harsh_germany.txt",
            "ex_asks_for_time_user_keeps_texting_philippines.txt",
            "ex_goes_silent_after_fight_user_reaches_out_nigeria.txt",
            "user_ends_it_ex_angry_after_france.txt",
        ]),
        Chats::AllBut(&[
            "banter_turns_into_real_argument_ireland.txt",
            "user_ends_it_ex_angry_after_france.txt",
        ]),
    );
}

/// The ninth set (session 15, tests/data/chats9/README.md; a tuning set from
/// the start, written from chats8's brief by another writer). First run 11 of
/// 20 readings (12 with arguments as a list); 13 with variant RB2, 14 with
/// withdrawals (WD), 15 with defensiveness as hostility (DH). The readings
/// right today must stay right.
#[test]
fn the_ninth_set_keeps_the_readings_it_gets_right() {
    keeps_its_readings(
        "chats9",
        10,
        15,
        Chats::Only(&[
            "cheating_breakup_no_contact_block_sao_paulo.txt",
            "harsh_about_his_friends_then_space_austin.txt",
            "harsh_over_missed_parents_dinner_lisbon.txt",
            "moving_in_fights_then_breakup_melbourne.txt",
            "shutting_down_after_layoff_berlin.txt",
            "space_then_gentle_breakup_cape_town.txt",
        ]),
        Chats::AllBut(&["joke_breakups_and_roasting_dublin.txt"]),
    );
}

/// The eighth set (session 15, tests/data/chats8/README.md; held out: a writer
/// who read only the prompt chose the ten situations; none is read to write
/// rules, only which readings are right). First run, on session 15's code
/// with joke endings: 8 of 20 readings (arguments 2 of 10: 4 of the 20
/// labelled arguments found in place; boundaries 6 of 10). The readings right
/// today must stay right.
#[test]
fn the_eighth_set_keeps_the_readings_it_gets_right() {
    keeps_its_readings(
        "chats8",
        10,
        8,
        Chats::Only(&[
            "furious_at_landlord_over_deposit_dublin.txt",
            "long_distance_countdown_toronto.txt",
        ]),
        Chats::Only(&[
            "ex_belittling_career_change_chicago.txt",
            "furious_at_landlord_over_deposit_dublin.txt",
            "long_distance_countdown_toronto.txt",
            "mutual_fight_then_breakup_austin.txt",
            "mutual_fights_about_moving_in_berlin.txt",
            "silent_treatment_after_cousins_wedding_nairobi.txt",
        ]),
    );
}

/// The tenth set (session 16, tests/data/chats10/README.md; held out: written
/// from a fresh brief — arguments of many shapes, most of them quiet — by a
/// writer who read only the prompt; only which readings are right is looked
/// at). First run, on session 15's code: 8 of 20 readings, none of its 13
/// labelled arguments found in place; 9 with the exchange model (EX3). The
/// readings right today must stay right.
#[test]
fn the_tenth_set_keeps_the_readings_it_gets_right() {
    keeps_its_readings(
        "chats10",
        10,
        9,
        Chats::Only(&["father_dying_in_hospice_glasgow.txt"]),
        Chats::AllBut(&[
            "jealousy_voice_notes_then_breakup_sao_paulo.txt",
            "slow_burn_missed_concert_then_space_krakow.txt",
        ]),
    );
}

/// The eleventh set (session 16, tests/data/chats11/README.md; tuning: the
/// same brief as chats10, another writer). First run 10 of 20 readings (4 of
/// its 11 labelled arguments found in place); 12 with the exchange model
/// (EX3), which it helped fit. The readings right today must stay right.
#[test]
fn the_eleventh_set_keeps_the_readings_it_gets_right() {
    keeps_its_readings(
        "chats11",
        10,
        12,
        Chats::Only(&[
            "cold_fine_noted_after_sunday_lunch_wales.txt",
            "father_in_law_stroke_and_funeral_pakistan.txt",
            "ielts_practice_and_nonstop_teasing_vietnam.txt",
            "long_hurt_message_short_replies_santiago_chile.txt",
        ]),
        Chats::AllBut(&[
            "drinking_missed_pickup_voice_notes_space_sweden.txt",
            "left_on_read_then_he_ends_it_egypt.txt",
        ]),
    );
}

/// The twelfth set (session 21, tests/data/chats12/README.md; held out: a
/// writer who read only its brief, tests/data/chats12_prompt.md). First run 12
/// of 20 readings (3 of its 9 arguments found in place). The readings right
/// today must stay right.
#[test]
fn the_twelfth_set_keeps_the_readings_it_gets_right() {
    keeps_its_readings(
        "chats12",
        10,
        12,
        Chats::Only(&[
            "both_furious_at_landlord_over_boiler_and_mould_london.txt",
            "long_hurt_message_met_with_short_defensive_replies_detroit.txt",
            "mother_dies_in_hanoi_grief_and_support_melbourne.txt",
        ]),
        Chats::AllBut(&["mother_dies_in_hanoi_grief_and_support_melbourne.txt"]),
    );
}

/// The thirteenth and fourteenth sets (session 22, tests/data/chats13 and
/// chats14; held out: writers who read only tests/data/chats13_prompt.md and
/// chats14_prompt.md, the twelfth set's brief with new places), used once, by
/// variant CX (QUALITY_LOG.md). First run 12 of 20 readings each (2 of 9 and 5
/// of 11 arguments found in place; 19 of 20 boundaries right). The readings
/// right today must stay right.
#[test]
fn the_thirteenth_set_keeps_the_readings_it_gets_right() {
    keeps_its_readings(
        "chats13",
        10,
        12,
        Chats::Only(&[
            "fathers_last_weeks_and_funeral_no_conflict_halifax.txt",
            "old_goat_and_bossyboots_teasing_no_conflict_brisbane.txt",
        ]),
        Chats::AllBut(&[]),
    );
}

#[test]
fn the_fourteenth_set_keeps_the_readings_it_gets_right() {
    keeps_its_readings(
        "chats14",
        10,
        12,
        Chats::Only(&[
            "affectionate_teasing_and_mock_insults_no_conflict_hobart.txt",
            "cold_fight_after_missed_birthday_dinner_then_breakup_tallinn.txt",
            "fight_about_texting_then_sarcasm_then_blocked_porto.txt",
        ]),
        Chats::AllBut(&["passive_aggressive_remarks_then_fight_moved_to_phone_call_kampala.txt"]),
    );
}

/// The fifteenth to seventeenth sets (session 22, tuning: writers who read
/// only tests/data/chats15_prompt.md to chats17_prompt.md, a brief without
/// examples of cold wording). First run 10, 13 and 13 of 20 readings; 5 of
/// their 29 arguments found in place, 49 of 50 boundaries right. The readings
/// right today must stay right.
#[test]
fn the_fifteenth_set_keeps_the_readings_it_gets_right() {
    keeps_its_readings(
        "chats15",
        10,
        10,
        Chats::Only(&[
            "both_furious_at_landlord_over_water_and_deposit_guadalajara.txt",
            "grief_far_from_home_his_mother_dies_in_batangas_dubai.txt",
        ]),
        Chats::AllBut(&[
            "bucks_trip_fight_moves_to_phone_then_she_cuts_contact_perth.txt",
            "cold_polite_fight_over_flat_then_weeks_apart_aarhus.txt",
        ]),
    );
}

#[test]
fn the_sixteenth_set_keeps_the_readings_it_gets_right() {
    keeps_its_readings(
        "chats16",
        10,
        13,
        Chats::Only(&[
            "both_angry_at_landlord_over_rent_and_water_karachi.txt",
            "fathers_death_and_support_no_conflict_dar_es_salaam.txt",
            "fight_about_texting_during_night_shifts_lisbon.txt",
        ]),
        Chats::AllBut(&[]),
    );
}

#[test]
fn the_seventeenth_set_keeps_the_readings_it_gets_right() {
    keeps_its_readings(
        "chats17",
        10,
        13,
        Chats::Only(&[
            "affectionate_teasing_and_mock_insults_no_conflict_kumasi.txt",
            "both_angry_at_landlord_over_mould_and_rent_rise_sydney.txt",
            "father_stroke_and_death_grief_no_conflict_zurich.txt",
        ]),
        Chats::AllBut(&[]),
    );
}

/// The eighteenth and nineteenth sets (session 22, held out: writers who read
/// only tests/data/chats18_prompt.md and chats19_prompt.md, the fifteenth set's
/// brief with new places). First run of main 11 and 9 of 20 readings (2 of 9 and
/// 3 of 10 arguments found in place). **Unused by any variant**: the next change
/// of the readings can be judged on them. The readings right today must stay right.
#[test]
fn the_eighteenth_set_keeps_the_readings_it_gets_right() {
    keeps_its_readings(
        "chats18",
        10,
        11,
        Chats::Only(&[
            "affectionate_teasing_no_conflict_graz.txt",
            "mother_dies_grief_no_conflict_kigali.txt",
        ]),
        Chats::AllBut(&["sarcasm_phone_call_then_no_contact_pittsburgh.txt"]),
    );
}

#[test]
fn the_nineteenth_set_keeps_the_readings_it_gets_right() {
    keeps_its_readings(
        "chats19",
        10,
        9,
        Chats::Only(&[
            "banter_about_her_art_turns_into_real_hurt_arequipa.txt",
            "father_stroke_and_funeral_grief_no_conflict_colombo.txt",
            "slow_burn_over_two_days_then_no_contact_derry.txt",
        ]),
        Chats::AllBut(&[
            "father_stroke_and_funeral_grief_no_conflict_colombo.txt",
            "long_hurt_message_short_defensive_replies_then_phone_fight_basel.txt",
            "slow_burn_over_two_days_then_no_contact_derry.txt",
            "teasing_and_mock_insults_no_real_conflict_lusaka.txt",
        ]),
    );
}
