use super::*;
use crate::domain::money::Currency;
use proptest::prelude::*;

const TWD: Currency = Currency::Twd;

fn twd(minor: i64) -> Money {
    Money::new(minor, TWD)
}

const VERIFIED: WalletStanding = WalletStanding {
    id_verified: true,
    frozen: false,
};

#[test]
fn a_top_up_then_a_payment_then_a_release_moves_the_money_to_the_seller() {
    let (buyer, seller) = (UserId(1), UserId(2));
    let mut ledger = Ledger::new(TWD);
    ledger.top_up(buyer, twd(1_000)).unwrap();
    let hold = ledger.pay(buyer, seller, twd(600), VERIFIED).unwrap();
    assert_eq!(ledger.balance(Account::Available(buyer)), 400);
    assert_eq!(ledger.balance(Account::Held(hold)), 600);
    ledger.settle(hold, Settlement::Release).unwrap();
    assert_eq!(ledger.balance(Account::Held(hold)), 0);
    assert_eq!(ledger.balance(Account::Available(seller)), 600);
    assert_eq!(ledger.balance(Account::Clearing), -1_000);
    assert_eq!(ledger.hold(hold).unwrap().state, HoldState::Posted);
}

#[test]
fn a_hold_settles_once_whichever_way() {
    let (buyer, seller) = (UserId(1), UserId(2));
    let mut ledger = Ledger::new(TWD);
    ledger.top_up(buyer, twd(500)).unwrap();
    let hold = ledger.pay(buyer, seller, twd(500), VERIFIED).unwrap();
    ledger.settle(hold, Settlement::Refund).unwrap();
    assert_eq!(ledger.balance(Account::Available(buyer)), 500);
    for how in [Settlement::Refund, Settlement::Release] {
        assert_eq!(ledger.settle(hold, how), Err(WalletRefusal::AlreadySettled));
    }
    assert_eq!(ledger.balance(Account::Available(seller)), 0);
    assert_eq!(ledger.balance(Account::Available(buyer)), 500);
}

#[test]
fn members_cannot_spend_what_they_do_not_have_and_amounts_are_positive() {
    let user = UserId(1);
    let mut ledger = Ledger::new(TWD);
    ledger.top_up(user, twd(100)).unwrap();
    assert_eq!(
        ledger.withdraw(user, twd(101), VERIFIED),
        Err(WalletRefusal::Insufficient)
    );
    assert_eq!(
        ledger.pay(user, UserId(2), twd(101), VERIFIED),
        Err(WalletRefusal::Insufficient)
    );
    for bad in [0, -5, MAX_AMOUNT + 1] {
        assert_eq!(ledger.top_up(user, twd(bad)), Err(WalletRefusal::BadAmount));
    }
    assert_eq!(
        ledger.top_up(user, Money::new(100, Currency::Usd)),
        Err(WalletRefusal::WrongCurrency)
    );
    assert_eq!(ledger.balance(Account::Available(user)), 100);
}

#[test]
fn withdrawing_needs_a_verified_identity_and_a_frozen_wallet_only_tops_up_and_withdraws() {
    let unverified = WalletStanding::default();
    let frozen = WalletStanding {
        id_verified: true,
        frozen: true,
    };
    assert_eq!(may(Action::TopUp, unverified), Ok(()));
    assert_eq!(
        may(Action::Withdraw, unverified),
        Err(WalletRefusal::IdentityNeeded)
    );
    assert_eq!(may(Action::Pay, unverified), Ok(()));
    assert_eq!(may(Action::TopUp, frozen), Ok(()));
    assert_eq!(may(Action::Withdraw, frozen), Ok(()));
    assert_eq!(may(Action::Pay, frozen), Err(WalletRefusal::Frozen));
}

#[test]
fn idempotency_keys_are_short_plain_tokens() {
    assert!(check_key("5f0c7a1e-9b3d-4c2a-8e61-0d2f4b7a9c13"));
    assert!(check_key("0123456789abcdef"));
    assert!(!check_key("short"));
    assert!(!check_key(&"k".repeat(KEY_MAX + 1)));
    assert!(!check_key("0123456789abcdef 0123"));
    assert!(!check_key("0123456789abcdef<script>"));
}

#[test]
fn card_numbers_are_digits_that_pass_the_luhn_check() {
    assert_eq!(
        card_number("4242 4242 4242 4242").as_deref(),
        Some("4242424242424242")
    );
    assert_eq!(
        card_number("4000-0000-0000-0002").as_deref(),
        Some("4000000000000002")
    );
    assert_eq!(card_number("4242 4242 4242 4241"), None);
    assert_eq!(card_number("4242"), None);
    assert_eq!(card_number("4242 4242 4242 424x"), None);
    assert_eq!(card_number(&"4".repeat(20)), None);
}

/// One step of a random session with the wallet.
#[derive(Debug, Clone)]
enum Op {
    TopUp {
        user: usize,
        amount: i64,
    },
    /// A top-up the provider declined or failed: nothing moves.
    TopUpRefused,
    Withdraw {
        user: usize,
        amount: i64,
        verified: bool,
    },
    Pay {
        buyer: usize,
        seller: usize,
        amount: i64,
        frozen: bool,
    },
    Settle {
        hold: usize,
        release: bool,
    },
}

const MEMBERS: usize = 4;

fn op() -> impl Strategy<Value = Op> {
    let user = 0..MEMBERS;
    let amount = prop_oneof![1i64..2_000, Just(0), -10i64..0, Just(MAX_AMOUNT + 1)];
    prop_oneof![
        (user.clone(), amount.clone()).prop_map(|(user, amount)| Op::TopUp { user, amount }),
        Just(Op::TopUpRefused),
        (user.clone(), amount.clone(), any::<bool>()).prop_map(|(user, amount, verified)| {
            Op::Withdraw {
                user,
                amount,
                verified,
            }
        }),
        (user.clone(), user, amount, any::<bool>()).prop_map(|(buyer, seller, amount, frozen)| {
            Op::Pay {
                buyer,
                seller,
                amount,
                frozen,
            }
        }),
        (0usize..12, any::<bool>()).prop_map(|(hold, release)| Op::Settle { hold, release }),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    /// Whatever members do, and whatever fails: every balance but the
    /// clearing account's stays ≥ 0, the ledger sums to zero, every hold
    /// holds its amount until it settles and nothing after, and a settled
    /// hold never settles again.
    #[test]
    fn no_sequence_breaks_the_ledger(ops in proptest::collection::vec(op(), 1..60)) {
        let users: Vec<UserId> = (1..=MEMBERS as i64).map(UserId).collect();
        let mut ledger = Ledger::new(TWD);
        let mut settled: HashMap<HoldId, usize> = HashMap::new();
        for op in ops {
            let before = ledger.clone();
            let outcome = match op {
                Op::TopUp { user, amount } => ledger.top_up(users[user], twd(amount)),
                Op::TopUpRefused => Ok(()),
                Op::Withdraw { user, amount, verified } => ledger.withdraw(
                    users[user],
                    twd(amount),
                    WalletStanding { id_verified: verified, frozen: false },
                ),
                Op::Pay { buyer, seller, amount, frozen } => ledger
                    .pay(
                        users[buyer],
                        users[seller],
                        twd(amount),
                        WalletStanding { id_verified: true, frozen },
                    )
                    .map(|_| ()),
                Op::Settle { hold, release } => {
                    let id = HoldId(hold as i64 + 1);
                    let how = if release { Settlement::Release } else { Settlement::Refund };
                    let done = ledger.settle(id, how);
                    if done.is_ok() {
                        *settled.entry(id).or_insert(0) += 1;
                    }
                    done
                }
            };
            if outcome.is_err() {
                // A refusal changes nothing at all.
                prop_assert_eq!(
                    sorted(before.balances()),
                    sorted(ledger.balances())
                );
            }
            prop_assert_eq!(ledger.balances().map(|(_, b)| b).sum::<i64>(), 0);
            for (account, balance) in ledger.balances() {
                prop_assert!(
                    account.may_go_negative() || balance >= 0,
                    "{account:?} at {balance}"
                );
            }
            for hold in ledger.holds() {
                let held = ledger.balance(Account::Held(hold.id));
                match hold.state {
                    HoldState::Pending => prop_assert_eq!(held, hold.amount.minor),
                    _ => prop_assert_eq!(held, 0),
                }
            }
            prop_assert!(settled.values().all(|n| *n == 1));
        }
    }
}

fn sorted(balances: impl Iterator<Item = (Account, i64)>) -> Vec<(String, i64)> {
    let mut all: Vec<(String, i64)> = balances.map(|(a, b)| (format!("{a:?}"), b)).collect();
    all.sort();
    all
}
