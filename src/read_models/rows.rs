//! Keyed rows kept in the order they were first inserted: the table behind a read
//! model. Serialized as a plain list of rows.

use std::collections::HashMap;

use serde::{Serialize, Serializer};

#[derive(Debug, Clone)]
pub struct Rows<T> {
    rows: Vec<T>,
    index: HashMap<String, usize>,
}

impl<T> Default for Rows<T> {
    fn default() -> Self {
        Rows { rows: Vec::new(), index: HashMap::new() }
    }
}

impl<T: PartialEq> PartialEq for Rows<T> {
    fn eq(&self, other: &Self) -> bool {
        self.rows == other.rows
    }
}

impl<T> Rows<T> {
    /// Inserts a row under `key`, or replaces the row already there (keeping its place).
    pub fn upsert(&mut self, key: &str, row: T) {
        match self.index.get(key) {
            Some(&at) => self.rows[at] = row,
            None => {
                self.index.insert(key.to_owned(), self.rows.len());
                self.rows.push(row);
            }
        }
    }

    pub fn get(&self, key: &str) -> Option<&T> {
        self.index.get(key).map(|&at| &self.rows[at])
    }

    pub fn get_mut(&mut self, key: &str) -> Option<&mut T> {
        self.index.get(key).map(|&at| &mut self.rows[at])
    }

    pub fn iter(&self) -> std::slice::Iter<'_, T> {
        self.rows.iter()
    }

    pub fn len(&self) -> usize {
        self.rows.len()
    }

    pub fn is_empty(&self) -> bool {
        self.rows.is_empty()
    }
}

impl<T: Serialize> Serialize for Rows<T> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        self.rows.serialize(serializer)
    }
}
