use super::*;
use proptest::prelude::*;

const T0: i64 = 1_000_000;

fn connected() -> CallTimes {
    CallTimes {
        answered_at: Some(T0 + 5_000),
        ..CallTimes::ringing(T0)
    }
}

#[test]
fn only_the_callee_answers_or_declines() {
    let ringing = CallTimes::ringing(T0);
    for action in [Action::Answer, Action::Decline] {
        assert_eq!(
            decide(ringing, Some(Role::Caller), action, T0 + 1),
            Err(CallRefusal::NotYours),
            "{action:?}"
        );
    }
    assert_eq!(
        decide(ringing, Some(Role::Callee), Action::Answer, T0 + 1),
        Ok(Change::Answered { at: T0 + 1 })
    );
    assert_eq!(
        decide(ringing, Some(Role::Callee), Action::Decline, T0 + 1),
        Ok(Change::Ended {
            at: T0 + 1,
            outcome: Outcome::Declined
        })
    );
}

#[test]
fn hanging_up_while_it_rings_cancels_or_declines() {
    let ringing = CallTimes::ringing(T0);
    let outcome = |role| match decide(ringing, Some(role), Action::HangUp, T0 + 1) {
        Ok(Change::Ended { outcome, .. }) => Some(outcome),
        _ => None,
    };
    assert_eq!(outcome(Role::Caller), Some(Outcome::Missed));
    assert_eq!(outcome(Role::Callee), Some(Outcome::Declined));
}

#[test]
fn either_member_hangs_up_a_connected_call_and_its_duration_counts_from_the_answer() {
    for role in [Role::Caller, Role::Callee] {
        let change = decide(connected(), Some(role), Action::HangUp, T0 + 65_000).unwrap();
        assert_eq!(
            change,
            Change::Ended {
                at: T0 + 65_000,
                outcome: Outcome::Completed
            }
        );
        assert_eq!(change.apply(connected()).duration_ms(), Some(60_000));
    }
}

#[test]
fn a_call_fails_only_once_answered() {
    let ringing = CallTimes::ringing(T0);
    assert_eq!(
        decide(ringing, Some(Role::Caller), Action::Fail, T0 + 1),
        Err(CallRefusal::Gone)
    );
    assert_eq!(
        decide(connected(), Some(Role::Callee), Action::Fail, T0 + 30_000),
        Ok(Change::Ended {
            at: T0 + 30_000,
            outcome: Outcome::Failed
        })
    );
}

#[test]
fn a_call_nobody_answers_is_missed_at_the_timeout_not_before() {
    let ringing = CallTimes::ringing(T0);
    assert_eq!(
        decide(ringing, None, Action::Expire, T0 + RING_TIMEOUT_MS - 1),
        Err(CallRefusal::NotDue)
    );
    assert_eq!(
        decide(ringing, None, Action::Expire, T0 + RING_TIMEOUT_MS),
        Ok(Change::Ended {
            at: T0 + RING_TIMEOUT_MS,
            outcome: Outcome::Missed
        })
    );
    // Members cannot expire a call; the server does nothing else.
    assert_eq!(
        decide(
            ringing,
            Some(Role::Caller),
            Action::Expire,
            T0 + RING_TIMEOUT_MS
        ),
        Err(CallRefusal::NotYours)
    );
    assert_eq!(
        decide(ringing, None, Action::HangUp, T0 + 1),
        Err(CallRefusal::NotYours)
    );
}

#[test]
fn a_forgotten_connected_call_ends_after_the_longest_call() {
    let call = connected();
    let answered = call.answered_at.unwrap();
    assert_eq!(
        decide(call, None, Action::Expire, answered + MAX_CALL_MS - 1),
        Err(CallRefusal::NotDue)
    );
    let change = decide(call, None, Action::Expire, answered + MAX_CALL_MS).unwrap();
    assert_eq!(change.apply(call).duration_ms(), Some(MAX_CALL_MS));
}

#[test]
fn the_callee_is_polite() {
    assert_eq!(polite(1, 2), 2);
    assert_eq!(polite(2, 1), 1);
}

#[test]
fn signals_are_bounded() {
    assert_eq!(check_description("offer", "v=0"), Ok(()));
    assert_eq!(check_description("answer", &"a".repeat(MAX_SDP)), Ok(()));
    assert_eq!(
        check_description("offer", &"a".repeat(MAX_SDP + 1)),
        Err(SignalRefusal::TooLong)
    );
    assert_eq!(
        check_description("rollback", ""),
        Err(SignalRefusal::BadType)
    );
    assert_eq!(
        check_candidate(&"c".repeat(MAX_CANDIDATE), Some("0")),
        Ok(())
    );
    assert_eq!(
        check_candidate(&"c".repeat(MAX_CANDIDATE + 1), None),
        Err(SignalRefusal::TooLong)
    );
    assert_eq!(
        check_candidate("", Some(&"m".repeat(65))),
        Err(SignalRefusal::TooLong)
    );
}

#[test]
fn outcomes_read_back_as_stored() {
    for outcome in [
        Outcome::Completed,
        Outcome::Missed,
        Outcome::Declined,
        Outcome::Failed,
    ] {
        assert_eq!(Outcome::parse(outcome.as_str()), Some(outcome));
    }
    assert_eq!(Outcome::parse("cancelled"), None);
}

#[test]
fn ice_servers_from_configuration() {
    assert_eq!(parse_ice_servers("[]"), Ok(vec![]));
    let servers = parse_ice_servers(
        r#"[{"urls":"stun:stun.example.org:3478"},
            {"urls":["turn:turn.example.org?transport=udp","turns:turn.example.org"],
             "username":"u","credential":"p"}]"#,
    )
    .unwrap();
    assert_eq!(servers[0].urls, ["stun:stun.example.org:3478"]);
    assert_eq!(servers[0].username, None);
    assert_eq!(servers[1].urls.len(), 2);
    assert_eq!(servers[1].credential.as_deref(), Some("p"));
    // What the browser gets back is RTCIceServer's shape.
    assert_eq!(
        serde_json::to_string(&servers[0]).unwrap(),
        r#"{"urls":["stun:stun.example.org:3478"]}"#
    );
    for bad in [
        "{}",
        r#"[{"urls":[]}]"#,
        r#"[{"urls":"http://example.org"}]"#,
        r#"[{"urls":"turn:turn.example.org"}]"#,
        r#"[{"urls":"stun:x","password":"p"}]"#,
    ] {
        assert!(parse_ice_servers(bad).is_err(), "{bad}");
    }
}

fn any_action() -> impl Strategy<Value = (Option<Role>, Action, i64)> {
    let role = prop_oneof![
        Just(None),
        Just(Some(Role::Caller)),
        Just(Some(Role::Callee))
    ];
    let action = prop_oneof![
        Just(Action::Answer),
        Just(Action::Decline),
        Just(Action::HangUp),
        Just(Action::Fail),
        Just(Action::Expire),
    ];
    (role, action, 0..MAX_CALL_MS / 1000)
}

proptest! {
    /// Whatever happens in whatever order: an ended call stays as it ended,
    /// only the callee's answer connects it, a completed or failed call was
    /// answered, a missed or declined one was not, and times never run
    /// backwards.
    #[test]
    fn the_call_machine_holds_its_invariants(steps in prop::collection::vec(any_action(), 0..12)) {
        let mut call = CallTimes::ringing(T0);
        let mut now = T0;
        for (role, action, wait) in steps {
            now += wait;
            let before = call;
            match decide(call, role, action, now) {
                Ok(change) => {
                    prop_assert!(before.is_open());
                    if let Change::Answered { .. } = change {
                        prop_assert_eq!(role, Some(Role::Callee));
                        prop_assert_eq!(before.answered_at, None);
                    }
                    if action == Action::Expire {
                        prop_assert_eq!(role, None);
                        prop_assert!(now >= before.due_at().unwrap());
                    }
                    call = change.apply(before);
                }
                Err(_) => prop_assert_eq!(call, before),
            }
        }
        if let Some((ended, outcome)) = call.ended {
            prop_assert!(ended >= call.started_at);
            match outcome {
                Outcome::Completed | Outcome::Failed => {
                    let answered = call.answered_at.unwrap();
                    prop_assert!(answered >= call.started_at && ended >= answered);
                }
                Outcome::Missed | Outcome::Declined => prop_assert_eq!(call.answered_at, None),
            }
            prop_assert_eq!(call.duration_ms().is_some(), outcome == Outcome::Completed);
            prop_assert!(call.duration_ms().unwrap_or(0) >= 0);
            prop_assert_eq!(call.due_at(), None);
        }
    }

    /// A ringing call always ends: by the server at the latest when it is due.
    #[test]
    fn every_open_call_can_be_ended_by_the_server(answered in prop::option::of(0..RING_TIMEOUT_MS)) {
        let call = CallTimes { answered_at: answered.map(|a| T0 + a), ..CallTimes::ringing(T0) };
        let due = call.due_at().unwrap();
        prop_assert!(decide(call, None, Action::Expire, due).is_ok());
        prop_assert_eq!(decide(call, None, Action::Expire, due - 1), Err(CallRefusal::NotDue));
    }
}
