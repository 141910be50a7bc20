// Package pgbase is the PostgreSQL baseline of the capacity benchmarks: the
// relational design most traceability platforms use, so tracecode's figures
// can be read side by side with it from the same run.
//
// The design, deliberately the typical one and not a straw man:
//
//	codes(code text PRIMARY KEY, gtin, serial, lot, block_id, status, parent text)
//	  B-tree on code (the primary key) and on parent
//	events(id bigserial, code text, biz_step, disposition, event_time, location, org)
//	  B-tree on code
//
// Minting writes one row per code with COPY; packing sets the parent column;
// resolution walks up the parents with a recursive CTE and gathers the events
// of the item and every container above it.
package pgbase

import (
	"context"
	"errors"
	"fmt"
	"os"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
)

// DefaultDSN is the PostgreSQL server every machine of this project runs.
const DefaultDSN = "postgres://postgres@127.0.0.1:5432/test?sslmode=disable"

// Schema is the PostgreSQL schema the baseline owns; Reset drops and
// recreates it, so it never touches other tables.
const Schema = "tracecode_baseline"

// ErrUnavailable wraps a failure to reach the server.
var ErrUnavailable = errors.New("pgbase: PostgreSQL unavailable")

// DB is a connection pool to one baseline schema.
type DB struct {
	pool   *pgxpool.Pool
	schema string
}

// Open connects to dsn (DefaultDSN when "") with the schema Schema and
// checks the server answers.
func Open(ctx context.Context, dsn string) (*DB, error) { return OpenSchema(ctx, dsn, Schema) }

// OpenSchema is Open with another schema, so that runs sharing a server
// (tests of different packages run in parallel) never drop each other's
// tables. schema must be a plain SQL identifier.
func OpenSchema(ctx context.Context, dsn, schema string) (*DB, error) {
	if dsn == "" {
		dsn = DefaultDSN
	}
	cfg, err := pgxpool.ParseConfig(dsn)
	if err != nil {
		return nil, fmt.Errorf("pgbase: bad DSN %q: %w", dsn, err)
	}
	cfg.ConnConfig.RuntimeParams["search_path"] = schema
	cctx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	pool, err := pgxpool.NewWithConfig(cctx, cfg)
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrUnavailable, err)
	}
	if err := pool.Ping(cctx); err != nil {
		pool.Close()
		return nil, fmt.Errorf("%w at %s: %v", ErrUnavailable, cfg.ConnConfig.Host, err)
	}
	return &DB{pool: pool, schema: schema}, nil
}

// Close releases the pool.
func (db *DB) Close() { db.pool.Close() }

// Reset drops the baseline schema and creates it empty.
func (db *DB) Reset(ctx context.Context) error {
	sc := db.schema
	stmts := []string{
		`DROP SCHEMA IF EXISTS ` + sc + ` CASCADE`,
		`CREATE SCHEMA ` + sc,
		`CREATE TABLE ` + sc + `.codes (
			code     text PRIMARY KEY,
			gtin     text NOT NULL,
			serial   text NOT NULL,
			lot      text NOT NULL,
			block_id bigint NOT NULL,
			status   smallint NOT NULL DEFAULT 0,
			parent   text
		)`,
		`CREATE INDEX codes_parent ON ` + sc + `.codes (parent)`,
		`CREATE TABLE ` + sc + `.events (
			id          bigserial PRIMARY KEY,
			code        text NOT NULL,
			biz_step    text NOT NULL,
			disposition text NOT NULL,
			event_time  timestamptz NOT NULL,
			location    text NOT NULL,
			org         text NOT NULL
		)`,
		`CREATE INDEX events_code ON ` + sc + `.events (code)`,
	}
	for _, s := range stmts {
		if _, err := db.pool.Exec(ctx, s); err != nil {
			return fmt.Errorf("pgbase: reset: %w", err)
		}
	}
	return nil
}

// Row is one minted code as the baseline stores it.
type Row struct {
	Code, GTIN, Serial, Lot string
	BlockID                 int64
}

// Mint inserts n codes with COPY; row(i, &r) fills the i-th row. It returns
// once the transaction has committed (PostgreSQL's default synchronous
// commit fsyncs the WAL), so it is as durable as tracecode's mint.
func (db *DB) Mint(ctx context.Context, n int, row func(i int, r *Row)) error {
	var r Row
	i := 0
	src := pgx.CopyFromFunc(func() ([]any, error) {
		if i >= n {
			return nil, nil
		}
		row(i, &r)
		i++
		return []any{r.Code, r.GTIN, r.Serial, r.Lot, r.BlockID}, nil
	})
	_, err := db.pool.CopyFrom(ctx, pgx.Identifier{db.schema, "codes"},
		[]string{"code", "gtin", "serial", "lot", "block_id"}, src)
	if err != nil {
		return fmt.Errorf("pgbase: mint: %w", err)
	}
	return nil
}

// Pack sets parent as the container of children in one transaction.
func (db *DB) Pack(ctx context.Context, parent string, children []string) error {
	tag, err := db.pool.Exec(ctx, `UPDATE codes SET parent = $1 WHERE code = ANY($2)`, parent, children)
	if err != nil {
		return fmt.Errorf("pgbase: pack %s: %w", parent, err)
	}
	if int(tag.RowsAffected()) != len(children) {
		return fmt.Errorf("pgbase: pack %s: %d of %d children exist", parent, tag.RowsAffected(), len(children))
	}
	return nil
}

// Aggregation is one parent and the children packed into it.
type Aggregation struct {
	Parent   string
	Children []string
}

// PackBatch applies a whole aggregation report (e.g. one pallet: its cases
// and their items) in one transaction with one UPDATE … FROM unnest, the
// way a platform ingesting a report would.
func (db *DB) PackBatch(ctx context.Context, aggs []Aggregation) error {
	var parents, children []string
	for _, a := range aggs {
		for _, c := range a.Children {
			parents = append(parents, a.Parent)
			children = append(children, c)
		}
	}
	tag, err := db.pool.Exec(ctx, `UPDATE codes SET parent = u.parent
		FROM unnest($1::text[], $2::text[]) AS u(parent, child) WHERE codes.code = u.child`, parents, children)
	if err != nil {
		return fmt.Errorf("pgbase: pack batch: %w", err)
	}
	if int(tag.RowsAffected()) != len(children) {
		return fmt.Errorf("pgbase: pack batch: %d of %d children exist", tag.RowsAffected(), len(children))
	}
	return nil
}

// Event is one supply-chain event row.
type Event struct {
	Code, BizStep, Disposition, Location, Org string
	Time                                      time.Time
}

// AddEvents inserts events in one transaction with COPY.
func (db *DB) AddEvents(ctx context.Context, evs []Event) error {
	rows := make([][]any, len(evs))
	for i, e := range evs {
		rows[i] = []any{e.Code, e.BizStep, e.Disposition, e.Time, e.Location, e.Org}
	}
	_, err := db.pool.CopyFrom(ctx, pgx.Identifier{db.schema, "events"},
		[]string{"code", "biz_step", "disposition", "event_time", "location", "org"}, pgx.CopyFromRows(rows))
	if err != nil {
		return fmt.Errorf("pgbase: events: %w", err)
	}
	return nil
}

// Chain is what Resolve returns: the code's row, its containers from the
// innermost out, and the events of all of them in time order.
type Chain struct {
	Found      bool
	Row        Row
	Containers []string
	Events     []Event
}

// resolveSQL walks up the parent column with a recursive CTE, bounded to 8
// levels, and joins the events of every code on the way.
const resolveSQL = `
WITH RECURSIVE up(code, parent, depth) AS (
	SELECT code, parent, 0 FROM codes WHERE code = $1
	UNION ALL
	SELECT c.code, c.parent, up.depth + 1 FROM codes c JOIN up ON c.code = up.parent WHERE up.depth < 8
)
SELECT up.code, up.depth, e.biz_step, e.disposition, e.event_time, e.location, e.org
FROM up LEFT JOIN events e ON e.code = up.code
ORDER BY e.event_time NULLS FIRST`

// Resolve returns the chain of code: one query for the row, one recursive
// query for containers and events.
func (db *DB) Resolve(ctx context.Context, code string) (Chain, error) {
	var ch Chain
	err := db.pool.QueryRow(ctx, `SELECT code, gtin, serial, lot, block_id FROM codes WHERE code = $1`, code).
		Scan(&ch.Row.Code, &ch.Row.GTIN, &ch.Row.Serial, &ch.Row.Lot, &ch.Row.BlockID)
	if errors.Is(err, pgx.ErrNoRows) {
		return ch, nil
	}
	if err != nil {
		return ch, fmt.Errorf("pgbase: resolve %s: %w", code, err)
	}
	ch.Found = true
	rows, err := db.pool.Query(ctx, resolveSQL, code)
	if err != nil {
		return ch, fmt.Errorf("pgbase: resolve %s: %w", code, err)
	}
	defer rows.Close()
	seen := map[string]bool{code: true}
	for rows.Next() {
		var c string
		var depth int
		var step, disp, loc, org *string
		var t *time.Time
		if err := rows.Scan(&c, &depth, &step, &disp, &t, &loc, &org); err != nil {
			return ch, fmt.Errorf("pgbase: resolve %s: %w", code, err)
		}
		if !seen[c] {
			seen[c] = true
			ch.Containers = append(ch.Containers, c)
		}
		if step != nil {
			ch.Events = append(ch.Events, Event{Code: c, BizStep: *step, Disposition: *disp, Time: *t, Location: *loc, Org: *org})
		}
	}
	return ch, rows.Err()
}

// DiskBytes returns the on-disk size of the baseline's tables and indexes.
func (db *DB) DiskBytes(ctx context.Context) (int64, error) {
	var n int64
	err := db.pool.QueryRow(ctx, `SELECT coalesce(sum(pg_total_relation_size(c.oid)), 0)::bigint
		FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
		WHERE n.nspname = $1 AND c.relkind = 'r'`, db.schema).Scan(&n)
	if err != nil {
		return 0, fmt.Errorf("pgbase: disk size: %w", err)
	}
	return n, nil
}

// Required reports whether a missing PostgreSQL must fail (CI sets
// TRACECODE_CI=1) rather than be skipped.
func Required() bool { return os.Getenv("TRACECODE_CI") == "1" }
