#![cfg(not(target_arch = "wasm32"))]
//! Timeline checkpoints: the read models at any position, reached from the nearest
//! checkpoint by a short fold, are the read models a fold of the whole log up to
//! that position gives (a property, checked at random positions of random demo
//! histories); and the lab keeps one checkpoint every `CHECKPOINT_EVERY` events.
//! Folded with the stream numbers a log gives, with none, or with another log's,
//! the read models are the same.

mod common;

use futures::executor::block_on;
use proptest::prelude::*;
use serde_json::json;

use kiroku::event_sourcing::memory_store::MemoryStore;
use kiroku::event_sourcing::log::EventLog;
use kiroku::event_sourcing::recorded::StreamNumber;
use kiroku::lab::{demo_start, DemoHistory, Lab, CHECKPOINT_EVERY};
use kiroku::read_models::{ModelSet, ReadModels};

use common::{accept, command, fresh_fold, log_of, typed, TestEnv};

/// A lab holding a demo history of `events` events made from `seed`.
fn demo_lab(seed: u64, events: usize) -> Lab<MemoryStore> {
    let lab = Lab::new(MemoryStore::new(), Box::new(TestEnv::new()));
    block_on(lab.load_demo(seed, events)).expect("a demo history loads");
    lab
}

/// Every read model's rows, as the panels and queries see them.
fn tables(models: &ReadModels) -> serde_json::Value {
    serde_json::to_value(models.tables()).unwrap()
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 5, ..ProptestConfig::default() })]

    #[test]
    fn checkpoint_plus_a_short_fold_equals_the_full_fold(
        seed in 0u64..1_000,
        picks in proptest::collection::vec(0.0f64..=1.0, 6),
    ) {
        let lab = demo_lab(seed, (CHECKPOINT_EVERY * 3 + 500) as usize);
        let head = lab.head();
        let log = log_of(&lab);
        for pick in picks {
            let position = (pick * head as f64) as u64;
            prop_assert_eq!(tables(&lab.read_models_at(position)), tables(&fresh_fold(&log, position)), "at {}", position);
        }
    }
}

#[test]
fn read_models_folded_with_the_logs_stream_numbers_equal_those_folded_without() {
    let bare = DemoHistory::generate(11, 3_000, demo_start());
    let mut log = EventLog::new();
    log.append_all(bare.clone()).expect("the demo history follows on");
    assert!(log.all().iter().all(|event| event.stream_number.is_some()));
    let head = bare.len() as u64;
    let (numbered, unnumbered) = (typed(log.all().to_vec()), typed(bare));
    // Every event with the number of another stream of its type, as from another log.
    let mut misnumbered = numbered.clone();
    for (event, _) in &mut misnumbered {
        event.stream_number = event.stream_number.map(|number| StreamNumber::nth(number.index() as u32 / 2));
    }
    let expected = tables(&fresh_fold(&unnumbered, head));
    assert_eq!(tables(&fresh_fold(&numbered, head)), expected);
    assert_eq!(tables(&fresh_fold(&misnumbered, head)), expected);
    // A fold that starts from the numbered models and goes on with misnumbered events.
    let mut models = fresh_fold(&numbered, head / 2);
    for (recorded, event) in &misnumbered[head as usize / 2..] {
        models.apply(recorded, event);
    }
    assert_eq!(tables(&models), expected);
}

#[test]
fn checkpoint_edges_equal_the_full_fold() {
    let lab = demo_lab(3, (CHECKPOINT_EVERY * 2 + 10) as usize);
    let head = lab.head();
    let log = log_of(&lab);
    for position in [0, 1, CHECKPOINT_EVERY - 1, CHECKPOINT_EVERY, CHECKPOINT_EVERY + 1, 2 * CHECKPOINT_EVERY, head - 2, head - 1, head] {
        assert_eq!(tables(&lab.read_models_at(position)), tables(&fresh_fold(&log, position)), "at {position}");
    }
}

#[test]
fn the_lab_keeps_a_checkpoint_every_so_many_events_and_as_commands_arrive() {
    let lab = demo_lab(5, (CHECKPOINT_EVERY * 2 + 100) as usize);
    let held = |lab: &Lab<MemoryStore>| lab.measure(&json!({"kind": "memory"})).unwrap()["checkpoints"].as_u64().unwrap();
    // A log loaded at once takes its checkpoints as it is folded.
    assert_eq!(held(&lab), 2);
    assert_eq!(lab.measure(&json!({"kind": "memory"})).unwrap()["checkpoints_due"], 2);
    // Commands that take the log past the next checkpoint add one.
    accept(&lab, command("CreateAccount", "cp", json!({"owner": "Mika", "initial_balance": 0})));
    while lab.head() < CHECKPOINT_EVERY * 3 + 1 {
        accept(&lab, command("DepositMoney", "cp", json!({"amount": 1})));
    }
    assert_eq!(held(&lab), 3);
    let log = log_of(&lab);
    let position = CHECKPOINT_EVERY * 3 - 7;
    assert_eq!(tables(&lab.read_models_at(position)), tables(&fresh_fold(&log, position)));
}

#[test]
fn a_new_log_drops_the_old_checkpoints() {
    let lab = demo_lab(5, (CHECKPOINT_EVERY * 2 + 100) as usize);
    block_on(lab.load_demo(6, 500)).unwrap();
    assert_eq!(lab.measure(&json!({"kind": "memory"})).unwrap()["checkpoints"], 0);
    let log = log_of(&lab);
    assert_eq!(tables(&lab.read_models_at(300)), tables(&fresh_fold(&log, 300)));
}

#[test]
fn scrubbing_forward_back_and_jumping_reads_the_models_at_and_before_each_position() {
    let lab = demo_lab(9, (CHECKPOINT_EVERY + 300) as usize);
    let head = lab.head();
    let log = log_of(&lab);
    let path = [10, 11, 12, 11, 10, CHECKPOINT_EVERY * 4 / 5, CHECKPOINT_EVERY + 1, CHECKPOINT_EVERY, 0, 1, head - 1, head, head - 2, head];
    for position in path {
        let (at, before) = lab.with_read_models_around(position, ModelSet::ALL, |at, before| (tables(at), tables(before)));
        assert_eq!(at, tables(&fresh_fold(&log, position)), "at {position}");
        assert_eq!(before, tables(&fresh_fold(&log, position.saturating_sub(1))), "before {position}");
    }
    // A new log: nothing kept from the old one is shown.
    block_on(lab.load_demo(10, 500)).unwrap();
    let log = log_of(&lab);
    let at = lab.with_read_models_around(12, ModelSet::ALL, |at, _| tables(at));
    assert_eq!(at, tables(&fresh_fold(&log, 12)));
}

#[test]
fn a_model_set_names_the_read_models_among_the_panels() {
    let set = ModelSet::named(["write_model", "order_summary", "event", "inventory", "no_such_panel"]);
    let mut models = ReadModels::default();
    let shown: Vec<&str> = models.lanes_mut().iter().enumerate().filter(|(at, _)| set.contains(*at)).map(|(_, lane)| lane.name()).collect();
    assert_eq!(shown, ["order_summary", "inventory"]);
    assert_eq!(ModelSet::named([]), ModelSet::NONE);
}

#[test]
fn scrubbing_with_some_read_models_shown_brings_those_to_each_position_and_only_those() {
    let lab = demo_lab(11, (CHECKPOINT_EVERY + 300) as usize);
    let head = lab.head();
    let log = log_of(&lab);
    let shown = ModelSet::named(["order_summary", "account_balances"]);
    let pick = |models: &ReadModels| {
        let tables = tables(models);
        json!([tables[0].clone(), tables[5].clone()])
    };
    let path = [10, 11, 12, 11, CHECKPOINT_EVERY / 2, CHECKPOINT_EVERY + 1, CHECKPOINT_EVERY, 0, head - 1, head, head - 2];
    for position in path {
        let (at, before, lagging) = lab.with_read_models_around(position, shown, |at, before| {
            (pick(at), pick(before), at.inventory.checkpoint)
        });
        assert_eq!(at, pick(&fresh_fold(&log, position)), "at {position}");
        assert_eq!(before, pick(&fresh_fold(&log, position.saturating_sub(1))), "before {position}");
        if position % CHECKPOINT_EVERY > 1 && position < head {
            assert!(lagging < position, "inventory is not shown, so it is not folded to {position} (it stands at {lagging})");
        }
    }
    // Showing another panel brings its read model there too.
    let position = CHECKPOINT_EVERY / 2;
    let inventory = lab.with_read_models_around(position, ModelSet::named(["inventory"]), |at, _| tables(at)[7].clone());
    assert_eq!(inventory, tables(&fresh_fold(&log, position))[7]);
}
