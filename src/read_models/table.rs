//! A generic table view of a read model, for the UI: a title, column names and
//! rows of JSON cells. Each row has a `key` that names the same row at every
//! position (an order id, a SKU, a date, an actor and a position…), so the UI can
//! highlight the rows that changed between two positions.

use serde::Serialize;
use serde_json::Value;

use crate::domain::order::LineItem;
use crate::domain::Event;
use crate::event_sourcing::projection::Projection;

use super::rows::Rows;

/// One read model shown as a table.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Table {
    /// The read model's projector name: `order_summary`.
    pub name: &'static str,
    /// For people: `Order summary`.
    pub title: &'static str,
    pub columns: Vec<&'static str>,
    /// The columns whose integers are not counts (see [`Numbers`]).
    #[serde(skip)]
    pub numbers: NumberColumns,
    pub rows: Vec<TableRow>,
}

/// What a column's integers are, so that a panel can show them as people read them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Numbers {
    /// Counts and quantities (`1,069`): any column a table does not name otherwise.
    Count,
    /// Money in minor units (`¥13,190,040`).
    Money,
    /// Positions in the log, written as the timeline writes them (`54320`).
    Position,
}

/// The columns of a table whose integers are not counts, by name.
pub type NumberColumns = &'static [(&'static str, Numbers)];

/// What the integers of the column named `column` are.
fn numbers_in(numbers: NumberColumns, column: &str) -> Numbers {
    numbers.iter().find(|(name, _)| *name == column).map_or(Numbers::Count, |(_, numbers)| *numbers)
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

    /// What the integers of a column are, by its name.
    pub fn numbers(&self, column: &str) -> Numbers {
        numbers_in(self.numbers, column)
    }

    /// The keys of the rows, in order.
    pub fn keys(&self) -> Vec<&str> {
        self.rows.iter().map(|row| row.key.as_str()).collect()
    }
}

/// A whole number with thousands separators: `100,000`.
pub fn thousands(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, digit) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i) % 3 == 0 {
            out.push(',');
        }
        out.push(digit);
    }
    out
}

/// Minor units as yen: `120000` → `¥120,000` (how a summary cell writes money).
pub fn money(minor_units: i64) -> String {
    let sign = if minor_units < 0 { "-" } else { "" };
    format!("{sign}¥{}", thousands(minor_units.unsigned_abs()))
}

/// `ノートPC×1, マウス×2`: the lines of an order in one short string.
pub fn lines_summary(items: &[LineItem]) -> String {
    items.iter().map(|item| format!("{}×{}", item.product_name, item.quantity)).collect::<Vec<_>>().join(", ")
}

/// How many entries a list cell of a table names: its latest ones.
pub const LATEST_SHOWN: usize = 5;

/// A list cell: the latest [`LATEST_SHOWN`] of `count` entries, oldest first, after
/// how many came before them (`243 earlier, o-1 shipped ¥100, …`). A cell stays short
/// however long its list grows: a customer's 250 orders in one cell made the page lay
/// out ~6,000 characters a row on every step of a scrub.
pub fn latest_entries<T>(count: usize, newest_first: impl Iterator<Item = T>, separator: &str, show: impl Fn(T) -> String) -> String {
    let mut shown: Vec<String> = newest_first.take(LATEST_SHOWN).map(show).collect();
    let earlier = count.saturating_sub(shown.len());
    if earlier > 0 {
        shown.push(format!("{earlier} earlier"));
    }
    shown.reverse();
    shown.join(separator)
}

/// What a panel draws of a read model's table as of a position: its first rows, and
/// every row that differs from the same table one position earlier, each with that
/// earlier version, so the panel can mark what the selected event changed.
#[derive(Debug, Clone, PartialEq)]
pub struct TableWindow {
    pub title: &'static str,
    pub columns: Vec<&'static str>,
    /// The columns whose integers are not counts (see [`Numbers`]).
    pub numbers: NumberColumns,
    /// The rows drawn, in the table's order: its first `first` rows, then the rows
    /// after them that the selected event changed.
    pub rows: Vec<WindowRow>,
    /// How many of the table's first rows are drawn whether they changed or not.
    pub first: usize,
    /// How many rows the whole table has.
    pub total: usize,
}

/// One drawn row and its version one position earlier (`None`: it is new).
#[derive(Debug, Clone, PartialEq)]
pub struct WindowRow {
    pub row: TableRow,
    pub before: Option<TableRow>,
}

impl WindowRow {
    /// The selected event changed this row (or added it).
    pub fn changed(&self) -> bool {
        self.before.as_ref() != Some(&self.row)
    }
}

impl TableWindow {
    /// What the integers of the column at `index` are.
    pub fn numbers(&self, index: usize) -> Numbers {
        self.columns.get(index).map_or(Numbers::Count, |column| numbers_in(self.numbers, column))
    }

    /// The rows in the order a panel draws them: the rows the selected event changed
    /// past the first ones come first, so that what it did is in sight without
    /// scrolling (a panel shows a few rows, and scrolled to its end it draws more,
    /// which would push them further down), then the first rows in the table's order.
    pub fn in_drawing_order(&self) -> impl Iterator<Item = &WindowRow> {
        let first = self.first.min(self.rows.len());
        self.rows[first..].iter().chain(&self.rows[..first])
    }

    /// From the whole tables at the position and one earlier: their first `first`
    /// rows, and the rows after them that differ (looked up by key, not scanned).
    pub fn between(table: Table, before: Option<&Table>, first: usize) -> TableWindow {
        let earlier: std::collections::HashMap<&str, &TableRow> =
            before.iter().flat_map(|before| before.rows.iter().map(|row| (row.key.as_str(), row))).collect();
        let total = table.rows.len();
        let rows = table
            .rows
            .into_iter()
            .enumerate()
            .filter_map(|(index, row)| {
                let before = earlier.get(row.key.as_str()).copied();
                (index < first || before != Some(&row)).then(|| WindowRow { before: before.cloned(), row })
            })
            .collect();
        TableWindow { title: table.title, columns: table.columns, numbers: table.numbers, rows, first, total }
    }

    /// The window of a table whose rows are each added by one event and never changed
    /// after (a history): `rows` are the table's rows in order, each with the position
    /// of the event that added it, not yet drawn; `before_last` is the last position
    /// the table held one position earlier. Only the rows drawn are built.
    pub fn append_only<R>(
        title: &'static str,
        columns: Vec<&'static str>,
        numbers: NumberColumns,
        rows: Vec<(u64, R)>,
        before_last: u64,
        first: usize,
        build: impl Fn(&R) -> TableRow,
    ) -> TableWindow {
        let total = rows.len();
        let rows = rows
            .iter()
            .enumerate()
            .filter(|(index, (position, _))| *index < first || *position > before_last)
            .map(|(_, (position, row))| {
                let row = build(row);
                WindowRow { before: (*position <= before_last).then(|| row.clone()), row }
            })
            .collect();
        TableWindow { title, columns, numbers, rows, first, total }
    }
}

/// A read model shown as one table row per row of its [`Rows`], in their order, each
/// made from that row alone: what a panel draws of it is built without the rest.
pub trait KeyedTable: Projection<Event> {
    type Row: Clone + PartialEq;
    /// For people: `Order summary`.
    const TITLE: &'static str;
    const COLUMNS: &'static [&'static str];
    /// The columns whose integers are not counts.
    const NUMBERS: NumberColumns = &[];

    /// The rows the table shows.
    fn keyed_rows(&self) -> &Rows<Self::Row>;

    /// One row as a table row.
    fn table_row(row: &Self::Row) -> TableRow;

    fn table(&self) -> Table {
        Table {
            name: Self::NAME,
            title: Self::TITLE,
            columns: Self::COLUMNS.to_vec(),
            numbers: Self::NUMBERS,
            rows: self.keyed_rows().iter().map(Self::table_row).collect(),
        }
    }

    /// What [`TableWindow::between`] gives for the whole tables of `self` and
    /// `before` (this read model one position earlier), building only the rows drawn
    /// and their earlier versions: the rows `before` still shares are not compared.
    fn window(&self, before: &Self, first: usize) -> TableWindow {
        let rows = self.keyed_rows();
        let drawn = rows
            .beside(before.keyed_rows())
            .enumerate()
            .filter(|(index, (_, _, differs))| *index < first || *differs)
            .filter_map(|(index, (row, earlier, differs))| {
                let row = Self::table_row(row);
                let before = if differs { earlier.map(Self::table_row) } else { Some(row.clone()) };
                (index < first || before.as_ref() != Some(&row)).then_some(WindowRow { row, before })
            })
            .collect();
        TableWindow { title: Self::TITLE, columns: Self::COLUMNS.to_vec(), numbers: Self::NUMBERS, rows: drawn, first, total: rows.len() }
    }
}
