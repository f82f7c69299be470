//! Finding things across the catalog: title prefixes now, full text where an
//! archive carries an index.

pub mod titles;
