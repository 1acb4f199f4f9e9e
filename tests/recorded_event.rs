#![cfg(not(target_arch = "wasm32"))]
//! The recorded event's JSON shape (CONTRACT §1), with `data` kept as its JSON text.

use chrono::{TimeZone, Utc};
use kiroku::domain::order::OrderEvent;
use kiroku::event_sourcing::aggregate::DomainEvent;
use kiroku::event_sourcing::json_text::JsonText;
use kiroku::event_sourcing::recorded::{EventMetadata, RecordedEvent, StreamNumber};
use serde_json::json;

fn recorded(data: JsonText) -> RecordedEvent {
    RecordedEvent {
        event_id: "e-1".into(),
        stream_id: "Order-o-1".into(),
        stream_type: "Order".into(),
        stream_version: 1,
        position: 1,
        event_type: "ItemAdded".into(),
        schema_version: 1,
        data,
        metadata: EventMetadata {
            correlation_id: "c-1".into(),
            causation_id: "c-1".into(),
            recorded_at: Utc.with_ymd_and_hms(2026, 11, 22, 10, 0, 0).unwrap(),
            actor: "clerk-sato".into(),
        },
        checksum: None,
        stream_number: None,
    }
}

#[test]
fn data_is_written_out_as_a_json_object_and_reads_back_the_same() {
    let item = json!({"product_name": "ノートPC", "quantity": 1, "unit_price_cents": 120000});
    let event = recorded(item.clone().into());
    let written = serde_json::to_value(&event).unwrap();
    assert_eq!(written["data"], item, "data is the object itself, not a string holding it");
    let text = serde_json::to_string(&event).unwrap();
    assert!(text.contains(r#""data":{"#), "{text}");
    let back: RecordedEvent = serde_json::from_str(&text).unwrap();
    assert_eq!(back, event);
    let from_value: RecordedEvent = serde_json::from_value(written).unwrap();
    assert_eq!(from_value, event);
}

#[test]
fn data_are_equal_when_they_are_the_same_json_whatever_the_spacing_and_key_order() {
    let compact = JsonText::from_json(r#"{"quantity":1,"sku":"SKU-PC"}"#.to_owned()).unwrap();
    let spaced = JsonText::from_json("{ \"sku\": \"SKU-PC\",\n  \"quantity\": 1 }".to_owned()).unwrap();
    assert_eq!(compact, spaced);
    let other = JsonText::from_json(r#"{"quantity":2,"sku":"SKU-PC"}"#.to_owned()).unwrap();
    assert_ne!(compact, other);
    assert_eq!(compact.to_value(), json!({"sku": "SKU-PC", "quantity": 1}));
}

#[test]
fn text_that_is_not_one_json_value_is_refused() {
    for bad in [r#"{"quantity": 1"#, r#"{"a": 1} {"b": 2}"#, "", "{'a': 1}"] {
        assert!(JsonText::from_json(bad.to_owned()).is_err(), "{bad:?} is refused");
    }
    let mut event = serde_json::to_string(&recorded(JsonText::empty())).unwrap();
    event = event.replace(r#""data":{}"#, r#""data":{"quantity":}"#);
    assert!(serde_json::from_str::<RecordedEvent>(&event).is_err(), "an event whose data is broken is refused");
}

#[test]
fn a_typed_event_reads_from_spaced_data_as_from_compact_data() {
    let spaced = JsonText::from_json("{\n  \"product_name\" : \"マウス\",\n  \"quantity\" : 2,\n  \"unit_price_cents\" : 3000\n}".to_owned()).unwrap();
    let event = OrderEvent::from_recorded("ItemAdded", 1, &spaced).unwrap();
    assert_eq!(event.to_data(), spaced);
    assert_eq!(event.to_data().json(), r#"{"product_name":"マウス","quantity":2,"unit_price_cents":3000}"#);
}

#[test]
fn the_aggregate_id_is_the_stream_id_after_its_type_and_dash_and_the_whole_stream_id_otherwise() {
    let in_stream = |stream_type: &str, stream_id: &str| {
        let mut event = recorded(json!({}).into());
        event.stream_type = stream_type.into();
        event.stream_id = stream_id.into();
        event.aggregate_id().to_owned()
    };
    assert_eq!(in_stream("Order", "Order-o-1"), "o-1");
    assert_eq!(in_stream("Inventory", "Inventory-SKU-001"), "SKU-001", "a type of 8 bytes or more");
    assert_eq!(in_stream("Order", "Order-"), "", "an empty id");
    assert_eq!(in_stream("Order", "Order"), "Order", "no dash");
    assert_eq!(in_stream("Order", "Ordex-o-1"), "Ordex-o-1", "another type before the dash");
    assert_eq!(in_stream("Order", "order-o-1"), "order-o-1", "the type's case differs");
    assert_eq!(in_stream("Order", "Orders-o-1"), "Orders-o-1", "no dash right after the type");
    assert_eq!(in_stream("注文", "注文-o-1"), "o-1", "a type that is not ASCII");
    assert_eq!(in_stream("Account", "Acc"), "Acc", "shorter than the type");
}

#[test]
fn a_numbered_event_reads_the_same_aggregate_id_as_an_unnumbered_one() {
    for (stream_type, stream_id) in [("Order", "Order-o-1"), ("Inventory", "Inventory-SKU-001"), ("注文", "注文-o-1"), ("Order", "Order-")] {
        let mut event = recorded(json!({}).into());
        event.stream_type = stream_type.into();
        event.stream_id = stream_id.into();
        let unnumbered = event.aggregate_id().to_owned();
        event.stream_number = Some(StreamNumber::nth(3));
        assert_eq!(event.aggregate_id(), unnumbered, "{stream_id}");
        assert_eq!(event.aggregate_key().id(), unnumbered, "{stream_id}");
    }
}
