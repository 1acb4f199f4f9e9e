#![cfg(not(target_arch = "wasm32"))]
//! The dual-write problem, and the transactional outbox that solves it: two tabs
//! (labs) on one store and one broker.

mod common;

use std::rc::Rc;

use common::*;
use futures::executor::block_on;
use kiroku::event_sourcing::memory_store::MemoryStore;
use kiroku::lab::Lab;
use kiroku::messaging::broker::{Broker, MemoryBroker, Message};
use kiroku::messaging::{Delivery, DeliveryMode};
use serde_json::json;

struct Tabs {
    a: Rc<Lab<Shared>>,
    b: Rc<Lab<Shared>>,
}

/// Two labs on one storage, both subscribed to one broker.
fn two_tabs(mode: DeliveryMode, crash_between: bool) -> Tabs {
    let storage = Rc::new(MemoryStore::new());
    let broker = MemoryBroker::new();
    let a = Rc::new(Lab::new(Shared(Rc::clone(&storage)), Box::new(TestEnv::with_prefix("a-"))));
    let b = Rc::new(Lab::new(Shared(Rc::clone(&storage)), Box::new(TestEnv::with_prefix("b-"))));
    for (lab, name) in [(&a, "tab-a"), (&b, "tab-b")] {
        let receiver = Rc::clone(lab);
        broker.subscribe(Rc::new(move |message: &Message| {
            receiver.receive(message);
        }));
        lab.connect_broker(Rc::new(broker.clone()) as Rc<dyn Broker>, name);
        lab.set_delivery(Delivery { mode, crash_between, poll_interval_ms: 1000, batch_size: 10 });
    }
    Tabs { a, b }
}

fn three_commands(lab: &Lab<Shared>) {
    accept(lab, command("CreateOrder", "o-1", json!({"customer_name": "山田太郎"})));
    accept(lab, command("AddItem", "o-1", json!({"product_name": "ノートPC", "quantity": 1, "unit_price_cents": 120000})));
    accept(lab, command("ConfirmOrder", "o-1", json!({})));
}

#[test]
fn the_naive_path_publishes_at_once_when_nothing_crashes() {
    let tabs = two_tabs(DeliveryMode::Naive, false);
    three_commands(&tabs.a);
    let (a, b) = (tabs.a.broker_status(), tabs.b.broker_status());
    assert_eq!(a.publisher.published, 3);
    assert_eq!(b.inbox.delivered, 3, "the other tab received every event");
    assert_eq!(b.recent[0].event_type, "OrderConfirmed");
    assert_eq!(b.recent[0].sent_by, "tab-a");
    assert_eq!(a.inbox.delivered, 3, "the sending tab is a subscriber too");
}

#[test]
fn a_crash_between_append_and_publish_loses_every_message_on_the_naive_path() {
    let tabs = two_tabs(DeliveryMode::Naive, true);
    three_commands(&tabs.a);
    assert_eq!(tabs.a.head(), 3, "the events are in the log");
    let (a, b) = (tabs.a.broker_status(), tabs.b.broker_status());
    assert_eq!(a.publisher.lost, 3);
    assert_eq!(a.publisher.published, 0);
    assert_eq!(b.inbox.delivered, 0, "but no other tab ever hears of them");
    assert_eq!(block_on(tabs.a.publish_pending()).unwrap(), 0, "and nothing is left to publish later");
}

#[test]
fn the_outbox_publishes_on_the_next_poll_and_then_forgets() {
    let tabs = two_tabs(DeliveryMode::Outbox, false);
    three_commands(&tabs.a);
    assert_eq!(tabs.b.broker_status().inbox.delivered, 0, "nothing is sent before the publisher polls");
    assert_eq!(block_on(tabs.a.publish_pending()).unwrap(), 3);
    assert_eq!(tabs.b.broker_status().inbox.delivered, 3);
    assert_eq!(block_on(tabs.a.publish_pending()).unwrap(), 0, "published messages leave the outbox");
    assert_eq!(tabs.a.broker_status().publisher.pending, 0);
}

#[test]
fn the_poll_publishes_at_most_a_batch() {
    let tabs = two_tabs(DeliveryMode::Outbox, false);
    tabs.a.set_delivery(Delivery { batch_size: 2, ..tabs.a.delivery() });
    three_commands(&tabs.a);
    assert_eq!(block_on(tabs.a.publish_pending()).unwrap(), 2);
    assert_eq!(tabs.a.broker_status().publisher.pending, 1);
    assert_eq!(block_on(tabs.a.publish_pending()).unwrap(), 1);
}

#[test]
fn a_crash_between_publish_and_mark_loses_nothing_delivers_twice_and_consumers_deduplicate() {
    let tabs = two_tabs(DeliveryMode::Outbox, true);
    three_commands(&tabs.a);
    block_on(tabs.a.publish_pending()).unwrap();
    assert_eq!(tabs.a.broker_status().publisher.pending, 3, "the crash came before the mark: all still waiting");
    block_on(tabs.a.publish_pending()).unwrap();
    assert_eq!(tabs.a.broker_status().publisher.pending, 0, "the second run marked them");
    let (a, b) = (tabs.a.broker_status(), tabs.b.broker_status());
    assert_eq!((a.publisher.published, a.publisher.republished, a.publisher.lost), (3, 3, 0));
    assert_eq!(b.inbox.delivered, 3, "each event processed once");
    assert_eq!(b.inbox.deduplicated, 3, "and each second delivery dropped");
    assert!(b.recent.iter().any(|received| received.duplicate && received.attempt == 2));
}

#[test]
fn an_inbox_processes_a_message_once_however_often_it_arrives() {
    let tabs = two_tabs(DeliveryMode::Naive, false);
    accept(&tabs.a, command("CreateOrder", "o-1", json!({"customer_name": "山田太郎"})));
    let message = Message { event: tabs.a.event_at(1).unwrap(), sent_by: "elsewhere".into(), attempt: 1 };
    assert!(!tabs.b.receive(&message), "already delivered once by the broker");
    assert!(!tabs.b.receive(&message));
    assert_eq!(tabs.b.broker_status().inbox.delivered, 1);
    assert_eq!(tabs.b.broker_status().inbox.deduplicated, 2);
}
