//! WhatsApp's own notices written with the chat's name in front of them, as
//! if it had sent them, are system lines, not a person's messages; a person's
//! message that merely contains the same words stays a message.
#![allow(clippy::unwrap_used)]

use rekindle_chat::{Message, MessageKind, ParseOptions, Summary, parse_to_vec};

use MessageKind::*;

fn parse(s: &str) -> (Vec<Message>, Summary) {
    let (m, s2) =
        parse_to_vec(s.as_bytes(), &ParseOptions::default()).unwrap_or_else(|e| panic!("{e}\n{s}"));
    assert_eq!(s2.skipped_count, 0, "{:?}", s2.skipped);
    (m, s2)
}

fn senders(s: &Summary) -> Vec<(&str, usize)> {
    s.per_sender.iter().map(|(n, c)| (n.as_str(), *c)).collect()
}

fn kinds(m: &[Message]) -> Vec<(Option<&str>, MessageKind)> {
    m.iter().map(|x| (x.sender.as_deref(), x.kind)).collect()
}

const E2E: &str = "Messages and calls are end-to-end encrypted. No one outside of this chat, not even WhatsApp, can read or listen to them.";

#[test]
fn android_encryption_notice_with_the_chat_name_in_front_is_not_a_person() {
    let chat = format!(
        "12/01/2024, 10:00 - Family 🏠: {E2E} Tap to learn more.\n\
         12/01/2024, 10:01 - Robin: morning all\n\
         12/01/2024, 10:02 - Kim: hi!\n\
         12/01/2024, 10:03 - Robin: 🙂\n"
    );
    let (m, s) = parse(&chat);
    assert_eq!(m.len(), 4);
    assert_eq!(m[0].sender, None);
    assert_eq!(m[0].kind, System);
    assert_eq!(m[0].text, format!("{E2E} Tap to learn more."));
    assert_eq!(senders(&s), [("Robin", 2), ("Kim", 1)]);
    assert_eq!(s.chat_name.as_deref(), Some("Family 🏠"));
}

#[test]
fn android_encryption_notice_in_a_personal_chat_counts_only_real_messages() {
    // The example: the contact's name (with an emoji) where a sender would stand.
    let chat = format!(
        "12/01/2024, 10:00 - Anna ❤️: {E2E} Tap to learn more.\n\
         12/01/2024, 10:05 - Anna ❤️: are you up?\n\
         12/01/2024, 10:06 - Sam: yes\n"
    );
    let (m, s) = parse(&chat);
    assert_eq!(
        kinds(&m),
        [(None, System), (Some("Anna ❤️"), Text), (Some("Sam"), Text)]
    );
    assert_eq!(senders(&s), [("Anna ❤️", 1), ("Sam", 1)]);
    assert_eq!(s.chat_name.as_deref(), Some("Anna ❤️"));
}

#[test]
fn ios_encryption_notice_with_and_without_its_invisible_marks() {
    for (lead, mark) in [
        ("", "\u{200e}"),
        ("\u{200e}", "\u{200e}"),
        ("", ""),
        ("\u{200e}", ""),
    ] {
        let chat = format!(
            "{lead}[12/01/2024, 10:00:00] Anna ❤️: {mark}{E2E}\n\
             [12/01/2024, 10:00:30] Sam: hello\n"
        );
        let (m, s) = parse(&chat);
        assert_eq!(kinds(&m), [(None, System), (Some("Sam"), Text)], "{chat:?}");
        assert_eq!(m[0].text, E2E, "{chat:?}");
        assert_eq!(senders(&s), [("Sam", 1)], "{chat:?}");
        assert_eq!(s.chat_name.as_deref(), Some("Anna ❤️"), "{chat:?}");
    }
}

#[test]
fn encryption_notice_variants_and_tap_sentences() {
    for notice in [
        E2E.to_string(),
        format!("{E2E} Tap to learn more."),
        format!("{E2E} Tap to learn more"),
        format!("{E2E}\u{a0}Tap to learn more."),
        "Messages and calls are end-to-end encrypted. Only people in this chat can read, listen to, or share them. Learn more.".to_string(),
        "Messages and calls are end-to-end encrypted.".to_string(),
        "Messages to this group are now secured with end-to-end encryption. Tap for more info.".to_string(),
        "Messages you send to this chat and calls are now secured with end-to-end encryption. Tap for more info.".to_string(),
    ] {
        let chat = format!("12/01/2024, 10:00 - Group: {notice}  \n12/01/2024, 10:01 - Sam: ok\n");
        let (m, s) = parse(&chat);
        assert_eq!(kinds(&m), [(None, System), (Some("Sam"), Text)], "{notice}");
        assert_eq!(senders(&s), [("Sam", 1)], "{notice}");
    }
}

#[test]
fn encryption_notice_in_every_supported_language() {
    let notices = [
        "Los mensajes y las llamadas están cifrados de extremo a extremo. Nadie fuera de este chat, ni siquiera WhatsApp, puede leerlos ni escucharlos. Toca para obtener más información.",
        "As mensagens e as chamadas são protegidas com a criptografia de ponta a ponta e ficam somente entre você e os participantes desta conversa. Nem mesmo o WhatsApp pode ler ou ouvi-las.",
        "As mensagens e chamadas são encriptadas ponto a ponto. Ninguém fora desta conversa, nem mesmo o WhatsApp, pode ler ou ouvi-las. Toque para saber mais.",
        "Nachrichten und Anrufe sind Ende-zu-Ende-verschlüsselt. Niemand außerhalb dieses Chats kann sie lesen oder anhören, nicht einmal WhatsApp. Tippe, um mehr zu erfahren.",
        "Nachrichten und Anrufe sind Ende-zu-Ende-verschlüsselt. Nur Personen in diesem Chat können sie lesen, anhören oder teilen. Mehr\u{a0}erfahren",
        "Les messages et les appels sont chiffrés de bout en bout. Aucun tiers, pas même WhatsApp, ne peut les lire ou les écouter. Appuyez pour en savoir plus.",
        "I messaggi e le chiamate sono crittografati end-to-end. Nessuno al di fuori di questa chat, nemmeno WhatsApp, può leggerne o ascoltarne il contenuto. Tocca per saperne di più.",
        "Berichten en gesprekken worden end-to-end versleuteld. Niemand buiten deze chat kan ze lezen of beluisteren, zelfs WhatsApp niet. Tik voor meer informatie.",
        "Сообщения и звонки защищены сквозным шифрованием. Третьи лица, включая WhatsApp, не могут прочитать или прослушать их. Нажмите, чтобы узнать больше.",
        "Mesajlar ve aramalar uçtan uca şifrelidir. WhatsApp da dahil olmak üzere bu sohbetin dışında bulunan hiç kimse mesaj ve aramalarınızı okuyamaz ve dinleyemez. Daha fazla bilgi edinmek için dokunun.",
        "Pesan dan panggilan terenkripsi secara end-to-end. Tidak seorang pun di luar chat ini, termasuk WhatsApp, yang dapat membaca atau mendengarkannya. Ketuk untuk info selengkapnya.",
        "Wiadomości i połączenia są w pełni zaszyfrowane. Nikt spoza czatu, nawet WhatsApp, nie może ich odczytać ani odsłuchać. Stuknij, aby dowiedzieć się więcej.",
    ];
    for notice in notices {
        // Android with the chat's name in front, and iOS (marked and unmarked).
        for chat in [
            format!("12.01.24, 10:00 - Grupo Ñ: {notice}\n12.01.24, 10:01 - Zoë: hola\n"),
            format!(
                "[12.01.24, 10:00:00] Grupo Ñ: \u{200e}{notice}\n[12.01.24, 10:01:00] Zoë: hola\n"
            ),
            format!("[12.01.24, 10:00:00] Grupo Ñ: {notice}\n[12.01.24, 10:01:00] Zoë: hola\n"),
        ] {
            let (m, s) = parse(&chat);
            assert_eq!(kinds(&m), [(None, System), (Some("Zoë"), Text)], "{chat}");
            assert_eq!(m[0].text, notice);
            assert_eq!(senders(&s), [("Zoë", 1)], "{chat}");
            assert_eq!(s.chat_name.as_deref(), Some("Grupo Ñ"), "{chat}");
        }
    }
}

#[test]
fn group_notices_with_the_group_name_in_front() {
    // An iOS group export whose U+200E marks were lost: every notice has the group's name in front.
    let chat = format!(
        "[12/01/2024, 10:00:00] Book club: {E2E}\n\
         [12/01/2024, 10:00:01] Book club: You created group “Book club”\n\
         [12/01/2024, 10:00:02] Book club: Anna changed the subject from “Books” to “Book club”\n\
         [12/01/2024, 10:00:03] Book club: Anna changed this group's icon\n\
         [12/01/2024, 10:00:04] Book club: Your security code with Kim changed. Tap to learn more.\n\
         [12/01/2024, 10:00:05] Book club: Anna turned on disappearing messages. New messages will disappear from this chat 7 days after they’re sent, except when kept. Tap to change.\n\
         [12/01/2024, 10:00:06] Book club: You turned off disappearing messages.\n\
         [12/01/2024, 10:00:07] Book club: Kim changed the group description\n\
         [12/01/2024, 10:01:00] Anna: welcome!\n\
         [12/01/2024, 10:02:00] Kim: thanks\n"
    );
    let (m, s) = parse(&chat);
    assert_eq!(m.len(), 10);
    for x in &m[..8] {
        assert_eq!((x.sender.as_deref(), x.kind), (None, System), "{x:?}");
    }
    assert_eq!(
        m[2].text,
        "Anna changed the subject from “Books” to “Book club”"
    );
    assert_eq!(senders(&s), [("Anna", 1), ("Kim", 1)]);
    assert_eq!(s.chat_name.as_deref(), Some("Book club"));
}

#[test]
fn group_notices_without_an_encryption_line_first() {
    // The group's name is not known from an encryption notice: a notice is still
    // recognised when the name in front is the one it is about.
    let (m, s) = parse(
        "[12/01/2024, 10:00:01] Book club: You created group “Book club”\n\
         [12/01/2024, 10:00:02] Book club: Anna changed this group's icon\n\
         [12/01/2024, 10:01:00] Anna: welcome!\n",
    );
    assert_eq!(
        kinds(&m),
        [(None, System), (None, System), (Some("Anna"), Text)]
    );
    assert_eq!(senders(&s), [("Anna", 1)]);
    // A personal chat: the security notice names the contact who stands in front.
    let (m, s) = parse(
        "12/01/2024, 10:00 - Anna: Your security code with Anna changed. Tap to learn more.\n\
         12/01/2024, 10:01 - Anna: hi\n",
    );
    assert_eq!(kinds(&m), [(None, System), (Some("Anna"), Text)]);
    assert_eq!(senders(&s), [("Anna", 1)]);
}

#[test]
fn german_and_other_language_notices_with_a_name_in_front() {
    let (m, s) = parse(
        "12.01.24, 10:00 - Familie: Nachrichten und Anrufe sind Ende-zu-Ende-verschlüsselt. Niemand außerhalb dieses Chats kann sie lesen oder anhören, nicht einmal WhatsApp. Tippe, um mehr zu erfahren.\n\
         12.01.24, 10:00 - Familie: Du hast die Gruppe „Familie“ erstellt.\n\
         12.01.24, 10:01 - Familie: Anna hat den Betreff von „Fam“ zu „Familie“ geändert.\n\
         12.01.24, 10:02 - Familie: Anna hat das Gruppenbild geändert.\n\
         12.01.24, 10:03 - Familie: Deine Sicherheitsnummer für Kim hat sich geändert. Tippe, um mehr zu erfahren.\n\
         12.01.24, 10:04 - Familie: Cambió tu código de seguridad con Kim. Toca para obtener más información.\n\
         12.01.24, 10:05 - Familie: Votre code de sécurité avec Kim a changé. Appuyez pour en savoir plus.\n\
         12.01.24, 10:06 - Familie: Ваш код безопасности с контактом Ким изменился. Подробнее\n\
         12.01.24, 10:10 - Anna: Hallo!\n",
    );
    assert_eq!(m.len(), 9);
    for x in &m[..8] {
        assert_eq!((x.sender.as_deref(), x.kind), (None, System), "{x:?}");
    }
    assert_eq!(senders(&s), [("Anna", 1)]);
}

#[test]
fn android_sender_less_notices_stay_system_lines() {
    // What Android writes without any name in front (unchanged), including a
    // German quoted subject with a colon in it.
    let (m, s) = parse(
        "12.01.24, 10:00 - Nachrichten und Anrufe sind Ende-zu-Ende-verschlüsselt. Niemand außerhalb dieses Chats kann sie lesen oder anhören, nicht einmal WhatsApp. Tippe, um mehr zu erfahren.\n\
         12.01.24, 10:01 - Anna hat den Betreff von „Plan: A“ zu „Plan: B“ geändert.\n\
         12.01.24, 10:02 - Your security code with Kim changed. Tap to learn more.\n\
         12.01.24, 10:03 - Anna: hallo\n",
    );
    assert_eq!(
        kinds(&m),
        [
            (None, System),
            (None, System),
            (None, System),
            (Some("Anna"), Text)
        ]
    );
    assert_eq!(senders(&s), [("Anna", 1)]);
}

#[test]
fn missed_calls_keep_the_caller_with_or_without_the_mark() {
    // As for iOS's marked form, a missed call is kind `other` and keeps the caller.
    let (m, s) = parse(
        "[12/01/2024, 10:00:00] Alex: \u{200e}Missed voice call\n\
         [12/01/2024, 10:00:01] Alex: Missed video call\n\
         12/01/2024, 10:00 - Alex: Verpasster Sprachanruf\n\
         12/01/2024, 10:01 - Sam: Llamada perdida\n",
    );
    assert_eq!(
        kinds(&m),
        [
            (Some("Alex"), Other),
            (Some("Alex"), Other),
            (Some("Alex"), Other),
            (Some("Sam"), Other)
        ]
    );
    assert_eq!(senders(&s), [("Alex", 3), ("Sam", 1)]);
}

#[test]
fn deleted_and_media_placeholders_keep_their_sender() {
    // Unchanged behaviour: these are a person's (deleted or media) messages.
    let (m, s) = parse(
        "12/01/2024, 10:00 - Sam: <Media omitted>\n\
         12/01/2024, 10:01 - Sam: This message was deleted\n\
         12/01/2024, 10:02 - Alex: You deleted this message\n\
         [12/01/2024, 10:03:00] Alex: \u{200e}image omitted\n",
    );
    assert_eq!(
        kinds(&m),
        [
            (Some("Sam"), Media),
            (Some("Sam"), Deleted),
            (Some("Alex"), Deleted),
            (Some("Alex"), Media)
        ]
    );
    assert_eq!(senders(&s), [("Alex", 2), ("Sam", 2)]);
}

#[test]
fn messages_that_contain_notice_words_stay_messages() {
    let chat = format!(
        "12/01/2024, 10:00 - Family: {E2E}\n\
         12/01/2024, 10:01 - Robin: I read that {E2E}\n\
         12/01/2024, 10:02 - Robin: {E2E} Isn't that nice?\n\
         12/01/2024, 10:03 - Kim: Messages and calls are end-to-end encrypted.\n\
         so nobody else can read this\n\
         12/01/2024, 10:04 - Kim: I can't believe Anna changed the subject to “cats”\n\
         12/01/2024, 10:05 - Kim: Missed voice call again, sorry!\n\
         12/01/2024, 10:06 - Robin: You created group “x” yesterday?\n\
         12/01/2024, 10:07 - Robin: Did your security code with Kim change?\n\
         12/01/2024, 10:08 - Kim: messages and calls are end-to-end encrypted. No one outside of this chat, not even WhatsApp, can read or listen to them.\n"
    );
    let (m, s) = parse(&chat);
    assert_eq!(m.len(), 9);
    assert_eq!(m[0].kind, System);
    for x in &m[1..] {
        assert_eq!(x.kind, Text, "{x:?}");
        assert!(x.sender.is_some(), "{x:?}");
    }
    assert_eq!(
        m[3].text,
        "Messages and calls are end-to-end encrypted.\nso nobody else can read this"
    );
    assert_eq!(senders(&s), [("Kim", 4), ("Robin", 4)]);
}

#[test]
fn a_personal_chat_contact_writing_notice_words_is_still_a_person() {
    // In a personal chat the contact's name is the chat's name, so their messages are
    // the ones that could be mistaken: only a whole notice in WhatsApp's words is one.
    let chat = format!(
        "12/01/2024, 10:00 - Anna: {E2E}\n\
         12/01/2024, 10:01 - Anna: I think Sam changed the subject to “cats”\n\
         12/01/2024, 10:02 - Anna: lol you turned on disappearing messages. why\n\
         12/01/2024, 10:03 - Anna: Your security code with the bank changed. Call them\n\
         12/01/2024, 10:04 - Anna: the group's icon changed\n"
    );
    let (m, s) = parse(&chat);
    assert_eq!(m[0].kind, System);
    for x in &m[1..] {
        assert_eq!((x.sender.as_deref(), x.kind), (Some("Anna"), Text), "{x:?}");
    }
    assert_eq!(senders(&s), [("Anna", 4)]);
}
