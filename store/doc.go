// Package store keeps Microlab's durable state in SQLite.
//
// It opens the database with write-ahead logging, foreign keys and a busy
// timeout, applies the embedded SQL migrations in order at start-up (each in
// its own transaction, recorded in schema_migrations), and offers the
// queries the web layer needs. It knows SQL and the domain types; it must
// never import anything that speaks HTTP.
//
// Writes go through a single connection, so SQLite never has to arbitrate
// between writers; reads use a small pool of their own. That is the shape a
// PostgreSQL implementation could later take with a single pool.
package store
