#![cfg(not(target_arch = "wasm32"))]
//! The query bus's cache (seed 004: answers kept 60 s, dropped on every write),
//! through `Lab::query` and on its own.

mod common;

use chrono::Duration;
use futures::executor::block_on;
use serde_json::{json, Value};

use kiroku::cqrs::query_bus::{CacheStats, QueryCache, DEFAULT_TTL_MS};
use kiroku::event_sourcing::envelope::QueryEnvelope;
use kiroku::event_sourcing::memory_store::MemoryStore;
use kiroku::lab::Lab;

use common::{accept, command, new_lab, new_lab_with_clock, query, send};

// ---- helpers --------------------------------------------------------------------

fn list_orders() -> Value {
    json!({"query_type": "ListOrders", "filters": {}})
}

fn get_order(order_id: &str) -> Value {
    json!({"query_type": "GetOrder", "filters": {"order_id": order_id}})
}

fn as_of(mut envelope: Value, position: u64) -> Value {
    envelope["as_of"] = json!(position);
    envelope
}

fn create_order<S: kiroku::event_sourcing::store::EventStore>(lab: &Lab<S>, order_id: &str, customer_name: &str) {
    accept(lab, command("CreateOrder", order_id, json!({"customer_name": customer_name})));
}

/// Two orders: o-1 for 山田太郎 with a laptop, o-2 for 佐藤花子. Three events.
fn seeded() -> Lab<MemoryStore> {
    let lab = new_lab();
    seed(&lab);
    lab
}

fn seed<S: kiroku::event_sourcing::store::EventStore>(lab: &Lab<S>) {
    create_order(lab, "o-1", "山田太郎");
    accept(lab, command("AddItem", "o-1", json!({"product_name": "ノートPC", "quantity": 1, "unit_price_cents": 120000})));
    create_order(lab, "o-2", "佐藤花子");
    assert_eq!(lab.head(), 3);
}

#[track_caller]
fn ok<'a>(answer: &'a Value, cache: &str) -> &'a Value {
    assert_eq!(answer["status"], "ok", "{answer}");
    assert_eq!(answer["cache"], cache, "expected a cache {cache}: {answer}");
    &answer["data"]
}

fn customers(answer: &Value) -> Vec<String> {
    answer["data"]["orders"]
        .as_array()
        .unwrap_or_else(|| panic!("a list of orders: {answer}"))
        .iter()
        .map(|row| row["customer_name"].as_str().unwrap().to_owned())
        .collect()
}

fn stats(hits: u64, misses: u64, invalidated: u64, expired: u64, entries: usize) -> CacheStats {
    CacheStats { hits, misses, invalidated, expired, entries }
}

// ---- hits and misses ----------------------------------------------------------------

#[test]
fn a_new_lab_has_an_empty_cache_with_nothing_counted() {
    assert_eq!(new_lab().cache_stats(), CacheStats::default());
}

#[test]
fn the_same_query_twice_is_a_miss_then_a_hit_with_the_same_answer() {
    let lab = seeded();
    let first = query(&lab, list_orders());
    let second = query(&lab, list_orders());
    assert_eq!(ok(&first, "miss"), ok(&second, "hit"));
    assert_eq!((first["position"].as_u64(), second["position"].as_u64()), (Some(3), Some(3)));
    assert_eq!(customers(&second), vec!["山田太郎", "佐藤花子"]);
    assert_eq!(lab.cache_stats(), stats(1, 1, 0, 0, 1));
    ok(&query(&lab, list_orders()), "hit");
    assert_eq!(lab.cache_stats(), stats(2, 1, 0, 0, 1));
}

#[test]
fn different_filters_and_query_types_are_different_entries() {
    let lab = seeded();
    let envelopes = [
        list_orders(),
        json!({"query_type": "ListOrders", "filters": {"customer_name": "佐藤"}}),
        json!({"query_type": "ListOrders", "filters": {"status": "cancelled"}}),
        get_order("o-1"),
        get_order("o-2"),
    ];
    let first: Vec<Value> = envelopes.iter().map(|envelope| query(&lab, envelope.clone())).collect();
    for answer in &first {
        ok(answer, "miss");
    }
    assert_eq!(lab.cache_stats(), stats(0, 5, 0, 0, 5));
    for (envelope, earlier) in envelopes.iter().zip(&first) {
        let again = query(&lab, envelope.clone());
        assert_eq!(ok(&again, "hit"), &earlier["data"], "{envelope} is answered from its own entry");
    }
    assert_eq!(customers(&first[1]), vec!["佐藤花子"]);
    assert_eq!(customers(&first[2]), Vec::<String>::new());
    assert_ne!(first[3]["data"], first[4]["data"]);
    assert_eq!(lab.cache_stats(), stats(5, 5, 0, 0, 5));
}

#[test]
fn filters_written_in_another_key_order_are_the_same_entry() {
    let lab = seeded();
    ok(&query(&lab, json!({"query_type": "ListOrders", "filters": {"status": "draft", "customer_name": "山田"}})), "miss");
    ok(&query(&lab, json!({"query_type": "ListOrders", "filters": {"customer_name": "山田", "status": "draft"}})), "hit");
}

#[test]
fn an_invalid_query_is_not_stored() {
    let lab = seeded();
    let answer = query(&lab, json!({"query_type": "GetOrder", "filters": {"order": "o-1"}}));
    assert_eq!(answer["status"], "invalid", "{answer}");
    assert_eq!(lab.cache_stats().entries, 0);
    assert_eq!(query(&lab, json!({"query_type": "GetOrder", "filters": {"order": "o-1"}}))["status"], "invalid", "still invalid, not a cached answer");
}

// ---- writes -------------------------------------------------------------------------

#[test]
fn an_accepted_command_drops_the_answers_at_the_head_and_the_next_answer_shows_the_write() {
    let lab = seeded();
    ok(&query(&lab, list_orders()), "miss");
    ok(&query(&lab, get_order("o-2")), "miss");
    assert_eq!(lab.cache_stats().entries, 2);
    create_order(&lab, "o-3", "鈴木一郎");
    assert_eq!(lab.cache_stats(), stats(0, 2, 2, 0, 0), "both head answers were invalidated");
    let after = query(&lab, list_orders());
    ok(&after, "miss");
    assert_eq!(after["position"], 4);
    assert_eq!(customers(&after), vec!["山田太郎", "佐藤花子", "鈴木一郎"], "the answer reflects the write");
    ok(&query(&lab, list_orders()), "hit");
    assert_eq!(lab.cache_stats(), stats(1, 3, 2, 0, 1));
}

#[test]
fn a_write_to_another_aggregate_also_drops_the_head_answers() {
    let lab = seeded();
    ok(&query(&lab, list_orders()), "miss");
    accept(&lab, command("CreateAccount", "acc-1", json!({"owner": "山田太郎", "initial_balance": 0})));
    ok(&query(&lab, list_orders()), "miss");
    assert_eq!(lab.cache_stats().invalidated, 1);
}

#[test]
fn a_refused_command_does_not_drop_any_answer() {
    let lab = seeded();
    let before = query(&lab, list_orders());
    ok(&before, "miss");
    let refused = [
        send(&lab, command("ConfirmOrder", "o-2", json!({}))),
        send(&lab, command("AddItem", "o-1", json!({"product_name": "ノートPC", "quantity": 0, "unit_price_cents": 1}))),
        send(&lab, json!({"command_type": "CreateOrder", "aggregate_id": "o-1", "data": {"customer_name": "x"}, "expected_version": 0})),
        send(&lab, command("PayOrder", "o-1", json!({}))),
    ];
    let statuses: Vec<&Value> = refused.iter().map(|result| &result["status"]).collect();
    assert_eq!(statuses, vec!["rejected", "invalid", "conflict", "invalid"]);
    assert!(lab.switch_user("customer-yamada"));
    assert_eq!(send(&lab, command("ShipOrder", "o-1", json!({})))["error"]["code"], "forbidden");
    assert_eq!(lab.head(), 3, "the log did not grow");
    let after = query(&lab, list_orders());
    assert_eq!(ok(&after, "hit"), &before["data"]);
    assert_eq!(lab.cache_stats(), stats(1, 1, 0, 0, 1));
}

// ---- as_of ----------------------------------------------------------------------------

#[test]
fn an_answer_as_of_a_past_position_stays_cached_after_writes_and_does_not_change() {
    let lab = seeded();
    let then = query(&lab, as_of(list_orders(), 2));
    ok(&then, "miss");
    assert_eq!(then["position"], 2);
    assert_eq!(customers(&then), vec!["山田太郎"]);
    ok(&query(&lab, list_orders()), "miss");
    create_order(&lab, "o-3", "鈴木一郎");
    accept(&lab, command("ConfirmOrder", "o-1", json!({})));
    assert_eq!(lab.cache_stats().invalidated, 1, "only the head answer was dropped");
    assert_eq!(lab.cache_stats().entries, 1, "the past answer is still held");
    let later = query(&lab, as_of(list_orders(), 2));
    assert_eq!(ok(&later, "hit"), &then["data"], "the same answer as before the writes");
    assert_eq!(later["position"], 2);
}

#[test]
fn answers_as_of_different_positions_are_different_entries() {
    let lab = seeded();
    let one = query(&lab, as_of(list_orders(), 1));
    let two = query(&lab, as_of(list_orders(), 2));
    ok(&one, "miss");
    ok(&two, "miss");
    assert_eq!(customers(&one), vec!["山田太郎"]);
    assert_eq!(one["data"]["orders"][0]["total_cents"], 0, "no item yet at position 1: {one}");
    assert_ne!(one["data"], two["data"]);
    assert_eq!(ok(&query(&lab, as_of(list_orders(), 1)), "hit"), &one["data"]);
    assert_eq!(ok(&query(&lab, as_of(list_orders(), 2)), "hit"), &two["data"]);
    assert_eq!(lab.cache_stats().entries, 2);
}

#[test]
fn a_past_answer_and_the_head_answer_are_different_entries() {
    let lab = seeded();
    ok(&query(&lab, as_of(list_orders(), 2)), "miss");
    let head = query(&lab, list_orders());
    ok(&head, "miss");
    assert_eq!(customers(&head), vec!["山田太郎", "佐藤花子"], "the head is not answered from the past");
}

#[test]
fn asking_as_of_the_head_is_the_same_entry_as_asking_at_the_head() {
    let lab = seeded();
    ok(&query(&lab, list_orders()), "miss");
    let at_head = query(&lab, as_of(list_orders(), 3));
    ok(&at_head, "hit");
    assert_eq!(at_head["position"], 3);
}

// ---- time to live ----------------------------------------------------------------------

#[test]
fn the_cache_keeps_answers_for_60_seconds() {
    assert_eq!(DEFAULT_TTL_MS, 60_000);
    assert_eq!(QueryCache::default().ttl_ms, 60_000);
}

#[test]
fn a_head_answer_older_than_60_seconds_is_a_miss_counted_as_expired() {
    let (lab, clock) = new_lab_with_clock();
    seed(&lab);
    let first = query(&lab, list_orders());
    ok(&first, "miss");
    clock.advance(Duration::seconds(30));
    ok(&query(&lab, list_orders()), "hit");
    assert_eq!(lab.cache_stats().expired, 0);
    clock.advance(Duration::seconds(40));
    let late = query(&lab, list_orders());
    assert_eq!(ok(&late, "miss"), &first["data"], "answered afresh, the same since nothing was written");
    assert_eq!(lab.cache_stats(), stats(1, 2, 0, 1, 1));
    ok(&query(&lab, list_orders()), "hit");
}

#[test]
fn an_answer_does_not_live_longer_for_being_read() {
    let (lab, clock) = new_lab_with_clock();
    seed(&lab);
    ok(&query(&lab, list_orders()), "miss");
    for _ in 0..5 {
        clock.advance(Duration::seconds(10));
        ok(&query(&lab, list_orders()), "hit");
    }
    clock.advance(Duration::seconds(15));
    ok(&query(&lab, list_orders()), "miss");
    assert_eq!(lab.cache_stats().expired, 1);
}

#[test]
fn an_answer_as_of_a_past_position_never_expires() {
    let (lab, clock) = new_lab_with_clock();
    seed(&lab);
    let then = query(&lab, as_of(list_orders(), 2));
    ok(&then, "miss");
    clock.advance(Duration::hours(2));
    assert_eq!(ok(&query(&lab, as_of(list_orders(), 2)), "hit"), &then["data"]);
    assert_eq!(lab.cache_stats().expired, 0);
}

// ---- turning the cache off, reset ----------------------------------------------------

#[test]
fn with_the_cache_off_every_query_is_a_miss_and_nothing_is_stored() {
    let lab = seeded();
    ok(&query(&lab, list_orders()), "miss");
    ok(&query(&lab, as_of(list_orders(), 2)), "miss");
    lab.set_cache_enabled(false);
    assert_eq!(lab.cache_stats().entries, 0, "turning it off empties it");
    for _ in 0..3 {
        let answer = query(&lab, list_orders());
        assert_eq!(customers(&answer), vec!["山田太郎", "佐藤花子"]);
        ok(&answer, "miss");
        ok(&query(&lab, as_of(list_orders(), 2)), "miss");
    }
    assert_eq!(lab.cache_stats().entries, 0, "nothing was stored");
    assert_eq!(lab.cache_stats().hits, 0);
    lab.set_cache_enabled(true);
    ok(&query(&lab, list_orders()), "miss");
    ok(&query(&lab, list_orders()), "hit");
    assert_eq!(lab.cache_stats().entries, 1);
}

#[test]
fn reset_empties_the_cache() {
    let lab = seeded();
    ok(&query(&lab, list_orders()), "miss");
    ok(&query(&lab, as_of(list_orders(), 2)), "miss");
    ok(&query(&lab, list_orders()), "hit");
    block_on(lab.reset()).unwrap();
    assert_eq!(lab.cache_stats().entries, 0);
    let after = query(&lab, list_orders());
    ok(&after, "miss");
    assert_eq!(after["position"], 0);
    assert_eq!(customers(&after), Vec::<String>::new(), "no answer from before the reset");
    // A past answer from the old log is gone too: the new log's position 2 is another story.
    create_order(&lab, "o-9", "別人");
    create_order(&lab, "o-8", "他人");
    create_order(&lab, "o-7", "誰か");
    let past = query(&lab, as_of(list_orders(), 2));
    ok(&past, "miss");
    assert_eq!(customers(&past), vec!["別人", "他人"]);
}

#[test]
fn turning_the_cache_off_survives_a_reset() {
    let lab = seeded();
    lab.set_cache_enabled(false);
    block_on(lab.reset()).unwrap();
    create_order(&lab, "o-1", "山田太郎");
    ok(&query(&lab, list_orders()), "miss");
    ok(&query(&lab, list_orders()), "miss");
    assert_eq!(lab.cache_stats().entries, 0, "the cache is still off");
}

// ---- QueryCache on its own -----------------------------------------------------------

fn envelope(value: Value) -> QueryEnvelope {
    QueryEnvelope::parse(&value).expect("a valid query")
}

#[test]
fn the_key_of_a_head_answer_ignores_the_position_asked_for() {
    let plain = envelope(list_orders());
    let at_head = envelope(as_of(list_orders(), 7));
    assert_eq!(QueryCache::key(&plain, None), QueryCache::key(&at_head, None));
    assert_ne!(QueryCache::key(&plain, None), QueryCache::key(&plain, Some(7)), "a past position is part of the key");
    assert_ne!(QueryCache::key(&plain, Some(6)), QueryCache::key(&plain, Some(7)));
    assert_eq!(QueryCache::key(&plain, Some(6)), QueryCache::key(&at_head, Some(6)), "as_of itself is not: the position is");
}

#[test]
fn the_key_tells_query_types_filters_and_projections_apart() {
    let keys = [
        QueryCache::key(&envelope(list_orders()), None),
        QueryCache::key(&envelope(json!({"query_type": "ListOrders", "filters": {"status": "draft"}})), None),
        QueryCache::key(&envelope(json!({"query_type": "ListOrders", "filters": {}, "projection": "order_summary"})), None),
        QueryCache::key(&envelope(get_order("o-1")), None),
        QueryCache::key(&envelope(get_order("o-2")), None),
    ];
    let mut unique = keys.to_vec();
    unique.sort_unstable();
    unique.dedup();
    assert_eq!(unique.len(), keys.len(), "{keys:?}");
    assert_eq!(
        QueryCache::key(&envelope(list_orders()), None),
        QueryCache::key(&envelope(json!({"query_type": "ListOrders"})), None),
        "absent filters are empty filters"
    );
}

#[test]
fn get_counts_hits_and_misses_and_put_stores() {
    let mut cache = QueryCache::default();
    assert_eq!(cache.get("k", 0), None);
    cache.put("k".to_owned(), json!({"a": 1}), 0, false);
    assert_eq!(cache.get("k", 1_000), Some(json!({"a": 1})));
    assert_eq!(cache.get("other", 1_000), None);
    assert_eq!(cache.stats(), stats(1, 2, 0, 0, 1));
}

#[test]
fn log_grew_drops_head_answers_and_keeps_pinned_ones() {
    let mut cache = QueryCache::default();
    cache.put("head-a".to_owned(), json!(1), 0, false);
    cache.put("head-b".to_owned(), json!(2), 0, false);
    cache.put("past".to_owned(), json!(3), 0, true);
    cache.log_grew();
    assert_eq!(cache.stats(), stats(0, 0, 2, 0, 1));
    assert_eq!(cache.get("head-a", 0), None);
    assert_eq!(cache.get("past", 0), Some(json!(3)));
    cache.log_grew();
    assert_eq!(cache.stats().invalidated, 2, "nothing more to drop");
    assert_eq!(cache.get("past", 0), Some(json!(3)));
}

#[test]
fn an_entry_expires_after_the_ttl_unless_pinned() {
    let mut cache = QueryCache::default();
    cache.put("head".to_owned(), json!(1), 1_000, false);
    cache.put("past".to_owned(), json!(2), 1_000, true);
    assert_eq!(cache.get("head", 1_000 + DEFAULT_TTL_MS - 1), Some(json!(1)), "just inside the ttl");
    assert_eq!(cache.get("head", 1_000 + DEFAULT_TTL_MS + 1), None, "past the ttl");
    assert_eq!(cache.stats().expired, 1);
    assert_eq!(cache.stats().entries, 1, "the expired entry is dropped");
    assert_eq!(cache.get("head", 1_000 + DEFAULT_TTL_MS + 2), None);
    assert_eq!(cache.stats().expired, 1, "counted once");
    assert_eq!(cache.get("past", 1_000 + 100 * DEFAULT_TTL_MS), Some(json!(2)));
}

#[test]
fn a_shorter_ttl_is_honoured() {
    let mut cache = QueryCache::default();
    cache.ttl_ms = 10;
    cache.put("k".to_owned(), json!(1), 0, false);
    assert_eq!(cache.get("k", 9), Some(json!(1)));
    assert_eq!(cache.get("k", 11), None);
}

#[test]
fn a_disabled_cache_stores_and_finds_nothing() {
    let mut cache = QueryCache::default();
    cache.enabled = false;
    cache.put("k".to_owned(), json!(1), 0, true);
    assert_eq!(cache.get("k", 0), None);
    assert_eq!(cache.stats().entries, 0);
    assert_eq!(cache.stats().hits, 0);
}

#[test]
fn clear_drops_everything_pinned_or_not() {
    let mut cache = QueryCache::default();
    cache.put("head".to_owned(), json!(1), 0, false);
    cache.put("past".to_owned(), json!(2), 0, true);
    cache.clear();
    assert_eq!(cache.stats(), stats(0, 0, 2, 0, 0));
    assert_eq!(cache.get("past", 0), None);
}
