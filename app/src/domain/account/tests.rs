use super::*;
use proptest::prelude::*;

#[test]
fn usernames() {
    assert_eq!(check_username(" Mei_88 "), Ok("mei_88".into()));
    assert_eq!(check_username(""), Err(Problem::Required));
    assert_eq!(check_username("ab"), Err(Problem::TooShort { min: 3 }));
    assert_eq!(
        check_username(&"a".repeat(21)),
        Err(Problem::TooLong { max: 20 })
    );
    assert_eq!(check_username("mei chen"), Err(Problem::InvalidChars));
    assert_eq!(check_username("梅子甜點"), Err(Problem::InvalidChars));
    assert_eq!(check_username("9lives"), Err(Problem::MustStartWithLetter));
    assert_eq!(check_username("_mei"), Err(Problem::MustStartWithLetter));
}

#[test]
fn standing_follows_status_and_time() {
    assert_eq!(Standing::from_status("active", None, 5), Standing::Active);
    assert_eq!(
        Standing::from_status("suspended", Some(10), 5),
        Standing::Suspended { until: 10 }
    );
    assert_eq!(
        Standing::from_status("suspended", Some(10), 10),
        Standing::Active
    );
    assert_eq!(
        Standing::from_status("suspended", None, 5),
        Standing::Suspended { until: i64::MAX }
    );
    assert_eq!(
        Standing::from_status("blacklisted", Some(10), 50),
        Standing::Blacklisted
    );
    assert!(Standing::Active.may_trade() && Standing::Active.may_move_money(false));
    assert!(!Standing::Active.may_move_money(true));
    assert!(!Standing::Suspended { until: 10 }.may_trade());
    assert!(!Standing::Blacklisted.may_move_money(false));
}

#[test]
fn intros() {
    assert_eq!(
        check_intro("  Hi!\r\nI sell books.  "),
        Ok("Hi!\nI sell books.".into())
    );
    assert_eq!(check_intro(""), Ok(String::new()));
    assert_eq!(
        check_intro(&"字".repeat(500)).map(|s| s.chars().count()),
        Ok(500)
    );
    assert_eq!(
        check_intro(&"字".repeat(501)),
        Err(Problem::TooLong { max: 500 })
    );
    assert_eq!(check_intro("bell\u{7}"), Err(Problem::InvalidChars));
}

#[test]
fn nicknames() {
    assert_eq!(check_nickname("  梅子   甜點 "), Ok("梅子 甜點".into()));
    assert_eq!(check_nickname("준호"), Ok("준호".into()));
    assert_eq!(check_nickname("x"), Err(Problem::TooShort { min: 2 }));
    assert_eq!(check_nickname("   "), Err(Problem::Required));
    assert_eq!(check_nickname("ad\u{202E}min"), Err(Problem::InvalidChars));
    assert_eq!(check_nickname("a\u{0007}b"), Err(Problem::InvalidChars));
    assert_eq!(
        check_nickname(&"字".repeat(21)),
        Err(Problem::TooLong { max: 20 })
    );
}

#[test]
fn passwords() {
    assert_eq!(check_password("s3cret!pw"), Ok(()));
    assert_eq!(
        check_password("短密碼1!"),
        Err(Problem::TooShort { min: 8 })
    );
    assert_eq!(
        check_password("密碼很長很長的1!"),
        Ok(()),
        "letters of any script count"
    );
    assert_eq!(check_password("12345678!"), Err(Problem::NeedsLetter));
    assert_eq!(check_password("password!"), Err(Problem::NeedsDigit));
    assert_eq!(check_password("password1"), Err(Problem::NeedsSymbol));
    assert_eq!(
        check_password("pass word1"),
        Err(Problem::NeedsSymbol),
        "a space is no symbol"
    );
    assert_eq!(
        check_password(&format!("a1!{}", "x".repeat(62))),
        Err(Problem::TooLong { max: 64 })
    );
    assert_eq!(check_password(""), Err(Problem::Required));
}

#[test]
fn emails() {
    let any: Vec<String> = vec![];
    assert_eq!(
        check_email(" Mei@Example.COM ", &any),
        Ok("Mei@example.com".into())
    );
    assert_eq!(check_email("mei", &any), Err(Problem::InvalidFormat));
    assert_eq!(
        check_email("mei@localhost", &any),
        Err(Problem::InvalidFormat)
    );
    assert_eq!(
        check_email("@example.com", &any),
        Err(Problem::InvalidFormat)
    );
    assert_eq!(
        check_email("a b@example.com", &any),
        Err(Problem::InvalidFormat)
    );
    assert_eq!(
        check_email("mei@-bad.com", &any),
        Err(Problem::InvalidFormat)
    );
    assert_eq!(check_email("", &any), Err(Problem::Required));

    let campus = vec!["school.edu".to_string()];
    assert_eq!(
        check_email("kim@school.edu", &campus),
        Ok("kim@school.edu".into())
    );
    assert_eq!(
        check_email("kim@mail.school.edu", &campus),
        Ok("kim@mail.school.edu".into())
    );
    assert_eq!(
        check_email("kim@evilschool.edu", &campus),
        Err(Problem::DomainNotAllowed)
    );
    assert_eq!(
        check_email("kim@gmail.com", &campus),
        Err(Problem::DomainNotAllowed)
    );
}

#[test]
fn sign_up_reports_every_field() {
    let errors = check_sign_up("9", "", "nope", "short", &[]).unwrap_err();
    let fields: Vec<Field> = errors.iter().map(|e| e.field).collect();
    assert_eq!(
        fields,
        vec![
            Field::Username,
            Field::Nickname,
            Field::Email,
            Field::Password
        ]
    );
    let ok = check_sign_up("Mei", "梅子", "mei@example.com", "s3cret!pw", &[]).unwrap();
    assert_eq!(
        ok,
        NewAccount {
            username: "mei".into(),
            nickname: "梅子".into(),
            email: "mei@example.com".into()
        }
    );
}

#[test]
fn problems_serialise_for_the_browser() {
    let e = FieldError {
        field: Field::Password,
        problem: Problem::TooShort { min: 8 },
    };
    assert_eq!(
        serde_json::to_string(&e).unwrap(),
        r#"{"field":"password","problem":{"problem":"too_short","min":8}}"#
    );
}

proptest! {
    #[test]
    fn accepted_passwords_meet_every_rule(pw in ".{0,80}") {
        if check_password(&pw).is_ok() {
            let n = pw.chars().count();
            prop_assert!((8..=64).contains(&n));
            prop_assert!(pw.chars().any(char::is_alphabetic));
            prop_assert!(pw.chars().any(|c| c.is_ascii_digit()));
        }
    }

    #[test]
    fn accepted_usernames_are_stable(name in "[A-Za-z][A-Za-z0-9_]{2,19}") {
        let stored = check_username(&name).unwrap();
        prop_assert_eq!(check_username(&stored), Ok(stored.clone()));
    }
}

#[test]
fn only_plain_local_paths_are_followed_after_log_in() {
    for ok in [
        "/",
        "/admin",
        "/l/42?tab=bids",
        "/search?q=%E6%AA%AF",
        "/search?q=檯燈",
    ] {
        assert_eq!(local_path(Some(ok)), ok);
    }
    for bad in [
        "https://evil.example",
        "//evil.example",
        "/\\evil.example",
        "/\t/evil.example",
        "/\n",
        "/\r\nSet-Cookie: x=1",
        "/a b",
        "/\u{85}/evil.example",
        "/\u{2028}",
        "evil",
        "",
    ] {
        assert_eq!(local_path(Some(bad)), "/", "{bad:?}");
    }
    assert_eq!(local_path(None), "/");
}

proptest! {
    #[test]
    fn a_followed_path_never_names_another_host(
        chars in proptest::collection::vec(
            prop_oneof![
                Just('/'), Just('\\'), Just('\t'), Just('\n'), Just(' '),
                Just('\u{85}'), Just('a'), Just('.'), Just(':'), Just('%'),
            ],
            0..12,
        )
    ) {
        let next: String = chars.into_iter().collect();
        let path = local_path(Some(&next));
        prop_assert!(path == "/" || path == next);
        prop_assert!(path.starts_with('/'));
        prop_assert!(!path[1..].starts_with(['/', '\\']));
        prop_assert!(path.chars().all(|c| !c.is_control() && !c.is_whitespace() && c != '\\'));
    }
}
