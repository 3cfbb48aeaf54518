//! WhatsApp's own notices written with a name in front of them, as if that
//! name had sent them:
//!
//! ```text
//! 12/01/2024, 10:00 - Anna ❤️: Messages and calls are end-to-end encrypted. No one outside of this chat, not even WhatsApp, can read or listen to them. Tap to learn more.
//! [12/01/2024, 10:00:00] Family: Anna changed the subject to “Plans”
//! ```
//!
//! The name is the chat's (the contact of a personal chat, or the group), not
//! a person who wrote something. iOS usually starts the text of such a line
//! with U+200E, which [`crate::whatsapp`] already reads as "the app talking";
//! these tables are for the lines without that mark (Android, and iOS exports
//! whose marks were lost on the way).
//!
//! A notice is recognised only as a **whole message** (one line, nothing
//! before or after it but spaces, invisible marks and a "Tap to learn more."
//! sentence), so a person's message that merely contains the words stays a
//! message. Three families, in the languages the rest of the parser knows
//! (English, Spanish, Portuguese, German, French, Italian, Dutch, Russian,
//! Turkish, Indonesian, Polish):
//!
//! * the end-to-end encryption notice: fixed texts, recognised whatever name
//!   stands in front;
//! * missed calls: fixed texts; the name in front is the caller, so the
//!   message keeps it (kind `other`, as for the marked iOS form);
//! * notices with names or quoted text inside (group created, subject or icon
//!   changed, security code changed, disappearing messages): recognised only
//!   when the name in front is the chat's name ([`crate::Summary::chat_name`]
//!   as known so far, e.g. from the encryption notice at the top) and has not
//!   written a message of its own, or when it is a name the notice itself is
//!   about ("Anna: Your security code with Anna changed."). A name inside a
//!   notice must look like a name (at most five words, none starting with a
//!   lowercase letter unless it is one word), so "I think Sam changed the
//!   subject to “cats”" is not a notice. These texts are English and German
//!   (security codes: every language above); other wordings stay text
//!   messages unless iOS marked them.

/// What a would-be message turned out to be.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Notice {
    /// The end-to-end encryption notice (the name in front is the chat's).
    Encryption,
    /// Another notice about the chat (the name in front is the chat's).
    Event,
    /// A missed call (the name in front is the caller's).
    MissedCall,
}

/// The end-to-end encryption notice: its first sentence, then the second
/// sentences it comes with (either may be all of it). WhatsApp's wording, per
/// language and app version.
const ENCRYPTION: &[(&str, &[&str])] = &[
    (
        "Messages and calls are end-to-end encrypted.",
        &[
            "No one outside of this chat, not even WhatsApp, can read or listen to them.",
            "Only people in this chat can read, listen to, or share them.",
        ],
    ),
    (
        "Messages to this group are now secured with end-to-end encryption.",
        &[],
    ),
    (
        "Messages you send to this group are now secured with end-to-end encryption.",
        &[],
    ),
    (
        "Messages you send to this chat and calls are now secured with end-to-end encryption.",
        &[],
    ),
    (
        "Los mensajes y las llamadas están cifrados de extremo a extremo.",
        &["Nadie fuera de este chat, ni siquiera WhatsApp, puede leerlos ni escucharlos."],
    ),
    (
        "As mensagens e as chamadas são protegidas com a criptografia de ponta a ponta e ficam somente entre você e os participantes desta conversa.",
        &["Nem mesmo o WhatsApp pode ler ou ouvi-las."],
    ),
    (
        "As mensagens e as chamadas são protegidas com a criptografia de ponta a ponta.",
        &[],
    ),
    (
        "As mensagens e chamadas são encriptadas ponto a ponto.",
        &["Ninguém fora desta conversa, nem mesmo o WhatsApp, pode ler ou ouvi-las."],
    ),
    (
        "Nachrichten und Anrufe sind Ende-zu-Ende-verschlüsselt.",
        &[
            "Niemand außerhalb dieses Chats kann sie lesen oder anhören, nicht einmal WhatsApp.",
            "Nur Personen in diesem Chat können sie lesen, anhören oder teilen.",
        ],
    ),
    (
        "Les messages et les appels sont chiffrés de bout en bout.",
        &["Aucun tiers, pas même WhatsApp, ne peut les lire ou les écouter."],
    ),
    (
        "I messaggi e le chiamate sono crittografati end-to-end.",
        &[
            "Nessuno al di fuori di questa chat, nemmeno WhatsApp, può leggerne o ascoltarne il contenuto.",
        ],
    ),
    (
        "Berichten en gesprekken worden end-to-end versleuteld.",
        &["Niemand buiten deze chat kan ze lezen of beluisteren, zelfs WhatsApp niet."],
    ),
    (
        "Сообщения и звонки защищены сквозным шифрованием.",
        &[
            "Третьи лица, включая WhatsApp, не могут прочитать ваши сообщения или прослушать звонки.",
            "Третьи лица, включая WhatsApp, не могут прочитать или прослушать их.",
            "Прочитать, прослушать или переслать их могут только участники этого чата.",
        ],
    ),
    (
        "Mesajlar ve aramalar uçtan uca şifrelidir.",
        &[
            "WhatsApp da dahil olmak üzere bu sohbetin dışında bulunan hiç kimse mesaj ve aramalarınızı okuyamaz ve dinleyemez.",
        ],
    ),
    (
        "Pesan dan panggilan terenkripsi secara end-to-end.",
        &[
            "Tidak seorang pun di luar chat ini, termasuk WhatsApp, yang dapat membaca atau mendengarkannya.",
        ],
    ),
    (
        "Wiadomości i połączenia są w pełni zaszyfrowane.",
        &["Nikt spoza czatu, nawet WhatsApp, nie może ich odczytać ani odsłuchać."],
    ),
];

/// The "Tap to learn more." sentences that may end a notice.
const TAP: &[&str] = &[
    "Tap to learn more.",
    "Tap for more info.",
    "Click to learn more.",
    "Learn more.",
    "Tap to change.",
    "Click to change.",
    "Tap to view.",
    "Click to view.",
    "Toca para obtener más información.",
    "Pulsa para obtener más información.",
    "Haz clic para obtener más información.",
    "Más información.",
    "Toque para saber mais.",
    "Saiba mais.",
    "Tippe, um mehr zu erfahren.",
    "Mehr erfahren.",
    "Appuyez pour en savoir plus.",
    "En savoir plus.",
    "Tocca per saperne di più.",
    "Scopri di più.",
    "Tik voor meer informatie.",
    "Meer informatie.",
    "Нажмите, чтобы узнать больше.",
    "Нажмите, чтобы узнать подробнее.",
    "Подробнее.",
    "Daha fazla bilgi edinmek için dokunun.",
    "Daha fazla bilgi.",
    "Ketuk untuk info selengkapnya.",
    "Pelajari selengkapnya.",
    "Stuknij, aby dowiedzieć się więcej.",
    "Dowiedz się więcej.",
];

/// Missed calls, as a whole message (exactly, or with a final ".").
const MISSED_CALLS: &[&str] = &[
    "Missed voice call",
    "Missed video call",
    "Missed group voice call",
    "Missed group video call",
    "Llamada perdida",
    "Llamada de voz perdida",
    "Videollamada perdida",
    "Chamada de voz perdida",
    "Chamada de vídeo perdida",
    "Videochamada perdida",
    "Verpasster Sprachanruf",
    "Verpasster Videoanruf",
    "Appel vocal manqué",
    "Appel vidéo manqué",
    "Chiamata vocale persa",
    "Videochiamata persa",
    "Gemist spraakgesprek",
    "Gemist videogesprek",
    "Gemiste spraakoproep",
    "Gemiste video-oproep",
    "Пропущенный аудиозвонок",
    "Пропущенный видеозвонок",
    "Cevapsız sesli arama",
    "Cevapsız görüntülü arama",
    "Panggilan suara tak terjawab",
    "Panggilan video tak terjawab",
    "Nieodebrane poł. głosowe",
    "Nieodebrane poł. wideo",
    "Nieodebrane połączenie",
];

/// Notices with names or quoted text in them, by a word each of them contains
/// (checked first, so ordinary messages cost one substring search per entry).
/// `{n}` is a name, `{q}` a quoted text ("…", “…”, „…“, «…»), `{r}` the rest of
/// the line (possibly nothing). See [`fill`].
const TEMPLATES: &[(&str, &[&str])] = &[
    (
        "created group",
        &["You created group {q}", "{n} created group {q}"],
    ),
    (
        "changed the subject",
        &[
            "You changed the subject to {q}",
            "{n} changed the subject to {q}",
            "You changed the subject from {q} to {q}",
            "{n} changed the subject from {q} to {q}",
            "A participant changed the subject to {q}",
        ],
    ),
    (
        "group's icon",
        &[
            "You changed this group's icon",
            "{n} changed this group's icon",
            "You deleted this group's icon",
            "{n} deleted this group's icon",
        ],
    ),
    (
        "group’s icon",
        &[
            "You changed this group’s icon",
            "{n} changed this group’s icon",
            "You deleted this group’s icon",
            "{n} deleted this group’s icon",
        ],
    ),
    (
        "group description",
        &[
            "You changed the group description",
            "{n} changed the group description",
            "A participant changed the group description.",
        ],
    ),
    (
        "disappearing messages",
        &[
            "You turned on disappearing messages.{r}",
            "{n} turned on disappearing messages.{r}",
            "You turned off disappearing messages.",
            "{n} turned off disappearing messages.",
        ],
    ),
    (
        "message timer",
        &[
            "You updated the message timer.",
            "{n} updated the message timer.",
        ],
    ),
    (
        "security code",
        &[
            "Your security code with {n} changed.",
            "{n}'s security code changed.",
            "{n}’s security code changed.",
        ],
    ),
    (
        "die Gruppe",
        &[
            "Du hast die Gruppe {q} erstellt.",
            "{n} hat die Gruppe {q} erstellt.",
        ],
    ),
    (
        "den Betreff",
        &[
            "Du hast den Betreff von {q} zu {q} geändert.",
            "{n} hat den Betreff von {q} zu {q} geändert.",
        ],
    ),
    (
        "Gruppenbild",
        &[
            "Du hast das Gruppenbild geändert.",
            "{n} hat das Gruppenbild geändert.",
        ],
    ),
    (
        "Sicherheitsnummer",
        &["Deine Sicherheitsnummer für {n} hat sich geändert."],
    ),
    (
        "código de seguridad",
        &["Cambió tu código de seguridad con {n}."],
    ),
    (
        "código de segurança",
        &[
            "Seu código de segurança com {n} mudou.",
            "O seu código de segurança partilhado com {n} mudou.",
        ],
    ),
    (
        "code de sécurité",
        &["Votre code de sécurité avec {n} a changé."],
    ),
    (
        "codice di sicurezza",
        &["Il tuo codice di sicurezza con {n} è cambiato."],
    ),
    (
        "beveiligingscode",
        &["Uw beveiligingscode voor {n} is gewijzigd."],
    ),
    (
        "код безопасности",
        &["Ваш код безопасности с контактом {n} изменился."],
    ),
    (
        "güvenlik kodu",
        &["{n} ile aranızdaki güvenlik kodu değişti."],
    ),
    (
        "Kode keamanan",
        &["Kode keamanan Anda dengan {n} telah berubah."],
    ),
    (
        "kod zabezpieczeń",
        &["Twój kod zabezpieczeń z użytkownikiem {n} zmienił się."],
    ),
];

/// Longest message looked at (the longest notice is about 250 bytes).
const MAX_NOTICE_BYTES: usize = 600;
/// Longest missed-call notice.
const MAX_CALL_BYTES: usize = 64;
/// Shortest encryption notice (its first sentence without the final ".").
const MIN_ENCRYPTION_BYTES: usize = 40;
/// Shortest text a template can match.
const MIN_TEMPLATE_BYTES: usize = 18;
/// Longest name or quoted text in a notice.
const MAX_FIELD_BYTES: usize = 300;

/// Is `body` — the whole text after "Name: ", without the invisible marks at
/// its start — one of WhatsApp's notices? `sender` is the name in front;
/// `the_chat` says it is the chat's name (as known so far) and has not written
/// a message of its own (in a personal chat the contact's name is the chat's,
/// and the contact talks: their lines are notices only when the text names them).
pub(crate) fn classify(body: &str, sender: &str, the_chat: bool) -> Option<Notice> {
    let t = match body.as_bytes().last() {
        Some(b) if b.is_ascii_graphic() => body,
        _ => body.trim_end_matches(|c: char| c.is_whitespace() || is_mark(c)),
    };
    let bytes = t.as_bytes();
    let first = usize::from(*bytes.first()?);
    if t.len() < 10 || t.len() > MAX_NOTICE_BYTES {
        return None;
    }
    // The fixed texts cannot contain a line break, so no need to look for one here.
    if t.len() <= MAX_CALL_BYTES && CALL_FIRST_BYTES[first] {
        // Exactly one of them (a final "." allowed).
        let call = t.strip_suffix('.').unwrap_or(t);
        if MISSED_CALLS
            .iter()
            .any(|c| c.len() == call.len() && *c == call)
        {
            return Some(Notice::MissedCall);
        }
    }
    if t.len() >= MIN_ENCRYPTION_BYTES && ENCRYPTION_FIRST_BYTES[first] && is_encryption(t) {
        return Some(Notice::Encryption);
    }
    // Most messages stop here: too short, or written by someone who is neither the
    // chat nor named in the text.
    if t.len() < MIN_TEMPLATE_BYTES
        || !(the_chat || contains(bytes, sender.as_bytes()))
        || memchr::memchr(b'\n', bytes).is_some()
    {
        return None;
    }
    let mut fields = Fields::default();
    for (word, patterns) in TEMPLATES {
        if !contains(bytes, word.as_bytes()) {
            continue;
        }
        for p in *patterns {
            fields.n = 0;
            if fill(t, p, &mut fields) && (the_chat || fields.get().contains(&sender)) {
                return Some(Notice::Event);
            }
        }
    }
    None
}

/// Which bytes the texts of a list start with.
const fn first_bytes(list: &[&str]) -> [bool; 256] {
    let mut table = [false; 256];
    let mut i = 0;
    while i < list.len() {
        if let Some(&b) = list[i].as_bytes().first() {
            table[b as usize] = true;
        }
        i += 1;
    }
    table
}

const CALL_FIRST_BYTES: [bool; 256] = first_bytes(MISSED_CALLS);

const ENCRYPTION_FIRST_BYTES: [bool; 256] = {
    let mut table = [false; 256];
    let mut i = 0;
    while i < ENCRYPTION.len() {
        if let Some(&b) = ENCRYPTION[i].0.as_bytes().first() {
            table[b as usize] = true;
        }
        i += 1;
    }
    table
};

/// Is `t` (trimmed, one line) the end-to-end encryption notice?
pub(crate) fn is_encryption(t: &str) -> bool {
    ENCRYPTION.iter().any(|(first, seconds)| {
        let Some(rest) = strip_phrase(t, first) else {
            return false;
        };
        let rest = skip_spaces(rest);
        ends_here(rest)
            || seconds
                .iter()
                .filter_map(|s| strip_phrase(rest, s))
                .any(|r| ends_here(skip_spaces(r)))
    })
}

/// Nothing left, or only a "Tap to learn more." sentence.
fn ends_here(rest: &str) -> bool {
    rest.is_empty()
        || TAP
            .iter()
            .any(|tap| strip_phrase(rest, tap).is_some_and(|r| skip_spaces(r).is_empty()))
}

/// Is `needle` in `hay`? (Both are short: a first-byte scan beats building a
/// substring searcher for every message.)
fn contains(hay: &[u8], needle: &[u8]) -> bool {
    let Some((&first, rest)) = needle.split_first() else {
        return true;
    };
    memchr::memchr_iter(first, hay).any(|i| hay.get(i + 1..).is_some_and(|h| h.starts_with(rest)))
}

/// The invisible marks WhatsApp puts around its text.
fn is_mark(c: char) -> bool {
    matches!(
        c,
        '\u{200b}'
            | '\u{200e}'
            | '\u{200f}'
            | '\u{061c}'
            | '\u{feff}'
            | '\u{202a}'..='\u{202e}'
            | '\u{2066}'..='\u{2069}'
    )
}

fn is_space(c: char) -> bool {
    matches!(c, ' ' | '\u{a0}' | '\u{202f}') || is_mark(c)
}

fn skip_spaces(s: &str) -> &str {
    s.trim_start_matches(is_space)
}

/// `text` after `phrase` at its start, or `None`. A space in `phrase` matches
/// any of the spaces WhatsApp writes (U+0020, U+00A0, U+202F), and a final "."
/// of `phrase` may be missing when `text` ends there.
#[inline]
fn strip_phrase<'t>(text: &'t str, phrase: &str) -> Option<&'t str> {
    // Byte by byte: outside the spaces both are UTF-8, so equal bytes are equal characters.
    let (t, p) = (text.as_bytes(), phrase.as_bytes());
    let (mut i, mut j) = (0, 0);
    while let Some(&pb) = p.get(j) {
        if pb == b' ' {
            i += match t.get(i..) {
                Some([b' ', ..]) => 1,
                Some([0xC2, 0xA0, ..]) => 2,
                Some([0xE2, 0x80, 0xAF, ..]) => 3,
                _ => return None,
            };
        } else {
            match t.get(i) {
                Some(&tb) if tb == pb => i += 1,
                None if pb == b'.' && j + 1 == p.len() => break,
                _ => return None,
            }
        }
        j += 1;
    }
    text.get(i..)
}

/// The names and quoted texts a template matched (quotes removed).
#[derive(Default)]
struct Fields<'t> {
    v: [&'t str; 3],
    n: usize,
}

impl<'t> Fields<'t> {
    fn get(&self) -> &[&'t str] {
        &self.v[..self.n]
    }
    fn push(&mut self, s: &'t str) -> bool {
        match self.v.get_mut(self.n) {
            Some(slot) => {
                *slot = s;
                self.n += 1;
                true
            }
            None => false,
        }
    }
}

const OPEN_QUOTES: &[char] = &['"', '“', '„', '«', '”'];
const CLOSE_QUOTES: &[char] = &['"', '”', '“', '»'];

/// Longest name in a notice.
const MAX_NAME_BYTES: usize = 100;

/// A contact name, as opposed to the start of a sentence ("I think Sam"): at
/// most five words, and when there are several, none starts with a lowercase
/// letter. ("mom" is a name; "Anna de la Cruz" is missed — then the line stays
/// a text message, as it was before these tables.)
fn looks_like_a_name(s: &str) -> bool {
    let (mut words, mut lowercase) = (0, false);
    for w in s.split(is_space).filter(|w| !w.is_empty()) {
        words += 1;
        lowercase |= w.chars().next().is_some_and(char::is_lowercase);
    }
    words == 1 || ((2..=5).contains(&words) && !lowercase)
}

/// Does `cand` fit placeholder `kind`? Returns what to remember of it.
fn field(kind: u8, cand: &str) -> Option<&str> {
    if cand.len() > MAX_FIELD_BYTES {
        return None;
    }
    match kind {
        b'n' => {
            let ok = !cand.is_empty()
                && cand.len() <= MAX_NAME_BYTES
                && !cand.starts_with(is_space)
                && !cand.ends_with(is_space)
                && !cand.contains(OPEN_QUOTES)
                && !cand.contains(CLOSE_QUOTES)
                && looks_like_a_name(cand);
            ok.then_some(cand)
        }
        b'q' => {
            let inner = cand.strip_prefix(OPEN_QUOTES)?;
            inner.strip_suffix(CLOSE_QUOTES)
        }
        // The rest of the line: nothing, or a space and more.
        b'r' => (cand.is_empty() || cand.starts_with(is_space)).then_some(""),
        _ => None,
    }
}

/// Does all of `t` match `pattern` (then an optional "Tap to learn more.")?
/// Literal parts compare as in [`strip_phrase`]; a placeholder takes the
/// shortest text that lets the rest match.
fn fill<'t>(t: &'t str, pattern: &str, fields: &mut Fields<'t>) -> bool {
    let Some(open) = pattern.find('{') else {
        return strip_phrase(t, pattern).is_some_and(|r| ends_here(skip_spaces(r)));
    };
    if open > 0 {
        return match strip_phrase(t, &pattern[..open]) {
            Some(rest) => fill(rest, &pattern[open..], fields),
            None => false,
        };
    }
    let (Some(&kind), Some(after)) = (pattern.as_bytes().get(1), pattern.get(3..)) else {
        return false;
    };
    if after.is_empty() {
        return match field(kind, t) {
            Some(f) => kind == b'r' || fields.push(f),
            None => false,
        };
    }
    let saved = fields.n;
    for (i, _) in t.char_indices().skip(1) {
        if i > MAX_FIELD_BYTES {
            break;
        }
        let Some(f) = field(kind, &t[..i]) else {
            continue;
        };
        if fields.push(f) && fill(&t[i..], after, fields) {
            return true;
        }
        fields.n = saved;
    }
    false
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn phrases_compare_spaces_loosely_and_allow_a_missing_final_dot() {
        assert_eq!(
            strip_phrase("Mehr\u{a0}erfahren.", "Mehr erfahren."),
            Some("")
        );
        assert_eq!(strip_phrase("Mehr erfahren", "Mehr erfahren."), Some(""));
        assert_eq!(strip_phrase("Mehr erfahren!", "Mehr erfahren."), None);
        assert_eq!(strip_phrase("ab c", "ab"), Some(" c"));
    }

    #[test]
    fn templates_fill_names_and_quotes() {
        let mut f = Fields::default();
        assert!(fill(
            "Anna changed the subject from “a” to \"b: c\"",
            "{n} changed the subject from {q} to {q}",
            &mut f
        ));
        assert_eq!(f.get(), ["Anna", "a", "b: c"]);
        f.n = 0;
        assert!(!fill(
            "I can't believe Anna changed the subject to cats",
            "{n} changed the subject to {q}",
            &mut f
        ));
        f.n = 0;
        assert!(!fill(
            "I think Anna changed the subject to “cats”",
            "{n} changed the subject to {q}",
            &mut f
        ));
        f.n = 0;
        assert!(fill(
            "+44 7700 900123 changed the subject to “cats”",
            "{n} changed the subject to {q}",
            &mut f
        ));
        f.n = 0;
        assert!(fill(
            "Anna turned on disappearing messages. New messages will disappear from this chat 7 days after they’re sent, except when kept. Tap to change.",
            "{n} turned on disappearing messages.{r}",
            &mut f
        ));
        f.n = 0;
        assert!(!fill(
            "Anna turned on disappearing messages.lol",
            "{n} turned on disappearing messages.{r}",
            &mut f
        ));
    }

    #[test]
    fn every_table_entry_is_recognised() {
        for (first, seconds) in ENCRYPTION {
            assert!(is_encryption(first), "{first}");
            for s in *seconds {
                let full = format!("{first} {s}");
                assert!(is_encryption(&full), "{full}");
                for tap in TAP {
                    let t = format!("{full} {tap}");
                    assert!(is_encryption(&t), "{t}");
                }
            }
        }
        for (first, _) in ENCRYPTION {
            assert!(first.len() > MIN_ENCRYPTION_BYTES, "{first}");
        }
        for c in MISSED_CALLS {
            assert!(c.len() <= MAX_CALL_BYTES, "{c}");
            assert_eq!(classify(c, "Sam", false), Some(Notice::MissedCall), "{c}");
        }
        for (word, patterns) in TEMPLATES {
            for p in *patterns {
                assert!(p.contains(word), "{p} lacks {word}");
                // The shortest text it matches: one character per name, two quotes per
                // quoted text, nothing for the rest, and maybe no final ".".
                let shortest = p.len() - 3 * p.matches('{').count()
                    + p.matches("{n}").count()
                    + 2 * p.matches("{q}").count()
                    - usize::from(p.ends_with('.'));
                assert!(shortest >= MIN_TEMPLATE_BYTES, "{p}");
                // And it is found (as the chat's notice, and with the name it is about).
                let sample = p
                    .replace("{n}", "Anna")
                    .replace("{q}", "“Plans”")
                    .replace("{r}", " New messages will disappear.");
                assert_eq!(
                    classify(&sample, "Chat", true),
                    Some(Notice::Event),
                    "{sample}"
                );
                assert_eq!(classify(&sample, "Chat", false), None, "{sample}");
                if p.contains("{n}") {
                    assert_eq!(
                        classify(&sample, "Anna", false),
                        Some(Notice::Event),
                        "{sample}"
                    );
                }
            }
        }
    }
}
