//! Seeds a hosted database for bench/hosted.sh: N accounts, each with an
//! imported chat of M messages and a D-day record of daily check-ins, then
//! writes the load generator's target files (reads, check-in writes,
//! sign-ins), spread over the given app processes.
//!
//! ```text
//! hosted_seed --database URL --app-role ROLE --host NAME --addrs A,B \
//!     --accounts 100 --messages 10000 --days 90 --out DIR
//! hosted_seed --write-chat FILE --messages 1000000   # only writes a chat export
//! ```
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::time::Instant;

use jiff::{Span, Timestamp};
use rekindle_core::method::checkin::CheckInForm;
use rekindle_core::method::plan::PlanForm;
use rekindle_core::method::problem::ProblemForm;
use rekindle_store_pg::{HostedDb, HostedOptions};
use serde_json::json;

fn arg(args: &[String], name: &str, default: &str) -> String {
    args.iter()
        .position(|a| a == name)
        .and_then(|i| args.get(i + 1).cloned())
        .unwrap_or_else(|| default.to_string())
}

/// A WhatsApp export of `n` messages between two people over many months.
fn chat(n: usize, seed: usize) -> String {
    const LINES: &[&str] = &[
        "are you home yet?",
        "running late, sorry",
        "I miss you",
        "you never listen to me",
        "can we talk tonight?",
        "I'm tired of this",
        "thank you for dinner, it was lovely",
        "why do you always do that",
        "ok",
        "love you",
        "whatever",
        "I had a few drinks with the team",
        "you promised you wouldn't drink tonight",
        "sorry, you're right",
        "good morning :)",
        "I can't do this anymore",
        "let's go for a walk on Sunday",
        "fine.",
    ];
    let mut out = String::with_capacity(n * 48);
    let start = jiff::civil::date(2024, 1, 1).at(8, 0, 0, 0);
    for i in 0..n {
        let at = start
            .checked_add(Span::new().minutes((i as i64) * 37))
            .unwrap();
        let who = if (i + seed).is_multiple_of(3) {
            "Sam"
        } else {
            "Alex"
        };
        let text = LINES[(i * 7 + seed) % LINES.len()];
        out.push_str(&format!(
            "{:02}/{:02}/{}, {:02}:{:02} - {who}: {text}\n",
            at.day(),
            at.month(),
            at.year(),
            at.hour(),
            at.minute()
        ));
    }
    out
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let file = arg(&args, "--write-chat", "");
    if !file.is_empty() {
        let messages: usize = arg(&args, "--messages", "1000000").parse().unwrap();
        std::fs::write(&file, chat(messages, 0)).unwrap();
        return;
    }
    let url = arg(&args, "--database", "");
    let role = arg(&args, "--app-role", "rekindle_app");
    let host = arg(&args, "--host", "rekindle.bench");
    let addrs: Vec<String> = arg(&args, "--addrs", "127.0.0.1:8081")
        .split(',')
        .map(str::to_string)
        .collect();
    let accounts: usize = arg(&args, "--accounts", "100").parse().unwrap();
    let messages: usize = arg(&args, "--messages", "10000").parse().unwrap();
    let days: i64 = arg(&args, "--days", "90").parse().unwrap();
    let out = std::path::PathBuf::from(arg(&args, "--out", "target/bench-hosted"));
    std::fs::create_dir_all(&out).unwrap();

    let db = HostedDb::connect(
        &url,
        &HostedOptions {
            pool_size: 4,
            app_role: role,
            hash_concurrency: 2,
        },
    )
    .expect("connect (run `rekindle host init` first)");
    let tz = jiff::tz::TimeZone::system();
    let today = rekindle_core::method::checkin::local_day(Timestamp::now(), &tz);
    let day = |n: i64| today.checked_sub(Span::new().days(n)).unwrap();
    let at = |d: jiff::civil::Date| {
        tz.to_ambiguous_timestamp(d.at(12, 0, 0, 0))
            .compatible()
            .unwrap()
    };
    let no_risk: Vec<(String, String)> = rekindle_core::safety::SCREEN
        .iter()
        .map(|q| (q.key.to_string(), "no".to_string()))
        .collect();

    let (mut reads, mut writes, mut signins) = (Vec::new(), Vec::new(), Vec::new());
    let started = Instant::now();
    for i in 0..accounts {
        let name = format!("bench{i:04}");
        let password = format!("bench account {i} walks by the river at dawn");
        let invite = db.invite(None, Timestamp::now()).unwrap();
        let signed = db
            .sign_up(&invite, &name, &password, Timestamp::now())
            .unwrap();
        let mut store = db
            .open(&signed.session_token, Timestamp::now())
            .unwrap()
            .expect("the new session opens")
            .store;
        rekindle_app::safety::take_screen(&mut store, &no_risk, &tz, day(days), at(day(days)))
            .unwrap();
        rekindle_app::import::import(
            &mut store,
            chat(messages, i).as_bytes(),
            &Default::default(),
            &Default::default(),
            Timestamp::now(),
            &mut |_, _| {},
        )
        .unwrap();
        let problem = ProblemForm {
            title: "Drinking at parties".into(),
            category: "substance".into(),
            whose: "mine".into(),
            frequency: "often".into(),
            severity: "4".into(),
            ..ProblemForm::default()
        };
        let pid = rekindle_app::method::save_problem(
            &mut store,
            None,
            &problem,
            day(days),
            at(day(days)),
        )
        .unwrap();
        let plan = PlanForm {
            prevention: "I will not drink".into(),
            commitment_title: "No alcohol".into(),
            kind: "daily".into(),
            ..PlanForm::default()
        };
        let plan_id =
            rekindle_app::method::save_plan(&mut store, pid, &plan, day(days), at(day(days)))
                .unwrap();
        for n in (1..=days).rev() {
            let form = CheckInForm {
                outcome: if n % 13 == 0 { "lapsed" } else { "kept" }.into(),
                ..CheckInForm::default()
            };
            rekindle_app::method::check_in(&mut store, plan_id, &form, day(n), at(day(n))).unwrap();
        }
        let addr = &addrs[i % addrs.len()];
        let cookie = format!("{}={}", rekindle_web::hosted::COOKIE, signed.session_token);
        let get = |path: &str| {
            json!({"addr": addr, "method": "GET", "path": path,
                   "headers": [["Host", host], ["Cookie", cookie]]})
        };
        reads.push(get("/"));
        reads.push(get("/t"));
        let post = |path: &str, cookie: Option<&str>, body: String| {
            let mut headers = vec![
                json!(["Host", host]),
                json!(["Content-Type", "application/x-www-form-urlencoded"]),
                json!(["Origin", format!("https://{host}")]),
                json!(["Sec-Fetch-Site", "same-origin"]),
            ];
            if let Some(c) = cookie {
                headers.push(json!(["Cookie", c]));
            }
            json!({"addr": addr, "method": "POST", "path": path, "headers": headers, "body": body})
        };
        writes.push(post(
            &format!("/t/{plan_id}"),
            Some(&cookie),
            serde_urlencoded::to_string([("csrf", signed.csrf.as_str()), ("outcome", "kept")])
                .unwrap(),
        ));
        signins.push(post(
            "/signin",
            None,
            serde_urlencoded::to_string([("username", name.as_str()), ("password", &password)])
                .unwrap(),
        ));
        if (i + 1) % 10 == 0 {
            eprintln!(
                "seeded {} accounts in {:.1} s",
                i + 1,
                started.elapsed().as_secs_f64()
            );
        }
    }
    for (file, targets) in [
        ("reads.json", &reads),
        ("writes.json", &writes),
        ("signins.json", &signins),
    ] {
        std::fs::write(out.join(file), serde_json::to_vec(targets).unwrap()).unwrap();
    }
    println!(
        "seeded {accounts} accounts ({messages} messages, {days} days each) in {:.1} s",
        started.elapsed().as_secs_f64()
    );
}
