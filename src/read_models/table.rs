//! A generic table view of a read model, for the UI: a title, column names and
//! rows of JSON cells. Each row has a `key` that names the same row at every
//! position (an order id, a SKU, a date, an actor and a position…), so the UI can
//! highlight the rows that changed between two positions.

use serde::Serialize;
use serde_json::Value;

use crate::domain::order::LineItem;

/// One read model shown as a table.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Table {
    /// The read model's projector name: `order_summary`.
    pub name: &'static str,
    /// For people: `Order summary`.
    pub title: &'static str,
    pub columns: Vec<&'static str>,
    pub rows: Vec<TableRow>,
}

/// One row: its stable key and one cell per column. Money cells are plain integers
/// (minor units); list cells are short summary strings.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TableRow {
    pub key: String,
    pub cells: Vec<Value>,
}

impl TableRow {
    pub fn new(key: impl Into<String>, cells: Vec<Value>) -> Self {
        TableRow { key: key.into(), cells }
    }
}

impl Table {
    /// The row with this key, if there is one.
    pub fn row(&self, key: &str) -> Option<&TableRow> {
        self.rows.iter().find(|row| row.key == key)
    }

    /// The index of a column by its name.
    pub fn column(&self, name: &str) -> Option<usize> {
        self.columns.iter().position(|column| *column == name)
    }

    /// One cell, by row key and column name.
    pub fn cell(&self, key: &str, column: &str) -> Option<&Value> {
        let at = self.column(column)?;
        self.row(key)?.cells.get(at)
    }

    /// The keys of the rows, in order.
    pub fn keys(&self) -> Vec<&str> {
        self.rows.iter().map(|row| row.key.as_str()).collect()
    }
}

/// `ノートPC×1, マウス×2`: the lines of an order in one short string.
pub fn lines_summary(items: &[LineItem]) -> String {
    items.iter().map(|item| format!("{}×{}", item.product_name, item.quantity)).collect::<Vec<_>>().join(", ")
}
