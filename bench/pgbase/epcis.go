package pgbase

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
)

// The EPCIS capture baseline: what a typical platform does with an EPCIS
// 2.0 JSON document — split it into events, keep each event as a JSONB
// row beside the columns it filters on, with a GIN index over the JSON
// (MATCH_anyEPC becomes a containment query) and B-tree indexes on the
// business step and event time and on the location; sites map a GLN's
// SGLN to its county for WD_bizLocation.
//
//	epcis_events(id bigserial, event_time timestamptz, biz_step text, biz_location text, event jsonb)
//	  GIN (event jsonb_path_ops), B-tree (biz_step, event_time), B-tree (biz_location, event_time)
//	epcis_sites(sgln text PRIMARY KEY, county int)

// ResetEPCIS drops and creates the EPCIS tables (in the baseline's
// schema, which Reset also clears).
func (db *DB) ResetEPCIS(ctx context.Context) error {
	sc := db.schema
	for _, s := range []string{
		`CREATE SCHEMA IF NOT EXISTS ` + sc,
		`DROP TABLE IF EXISTS ` + sc + `.epcis_events, ` + sc + `.epcis_sites`,
		`CREATE TABLE ` + sc + `.epcis_events (
			id           bigserial PRIMARY KEY,
			event_time   timestamptz NOT NULL,
			biz_step     text NOT NULL,
			biz_location text NOT NULL,
			event        jsonb NOT NULL
		)`,
		`CREATE INDEX epcis_events_doc ON ` + sc + `.epcis_events USING gin (event jsonb_path_ops)`,
		`CREATE INDEX epcis_events_step ON ` + sc + `.epcis_events (biz_step, event_time)`,
		`CREATE INDEX epcis_events_loc ON ` + sc + `.epcis_events (biz_location, event_time)`,
		`CREATE TABLE ` + sc + `.epcis_sites (
			sgln   text PRIMARY KEY,
			county int NOT NULL
		)`,
		`CREATE INDEX epcis_sites_county ON ` + sc + `.epcis_sites (county)`,
	} {
		if _, err := db.pool.Exec(ctx, s); err != nil {
			return fmt.Errorf("pgbase: reset EPCIS tables: %w", err)
		}
	}
	return nil
}

// AddSite registers the site an SGLN names in a county.
func (db *DB) AddSite(ctx context.Context, sgln string, county int) error {
	_, err := db.pool.Exec(ctx, `INSERT INTO epcis_sites (sgln, county) VALUES ($1, $2)`, sgln, county)
	if err != nil {
		return fmt.Errorf("pgbase: site %s: %w", sgln, err)
	}
	return nil
}

// epcisDoc is the part of an EPCIS document the baseline reads.
type epcisDoc struct {
	EPCISBody struct {
		EventList []json.RawMessage `json:"eventList"`
	} `json:"epcisBody"`
}

// epcisEvent is the part of an event the baseline keeps in columns.
type epcisEvent struct {
	EventTime   time.Time `json:"eventTime"`
	BizStep     string    `json:"bizStep"`
	BizLocation struct {
		ID string `json:"id"`
	} `json:"bizLocation"`
}

// CaptureDocument splits an EPCIS 2.0 JSON document into its events and
// COPYs them as rows in one transaction (committed with the server's
// synchronous commit: one WAL fsync per document). It returns the number
// of events. It validates nothing beyond the JSON and the event time, and
// computes no event hash.
func (db *DB) CaptureDocument(ctx context.Context, doc []byte) (int, error) {
	var d epcisDoc
	if err := json.Unmarshal(doc, &d); err != nil {
		return 0, fmt.Errorf("pgbase: EPCIS document: %w", err)
	}
	rows := make([][]any, len(d.EPCISBody.EventList))
	for i, raw := range d.EPCISBody.EventList {
		var ev epcisEvent
		if err := json.Unmarshal(raw, &ev); err != nil {
			return 0, fmt.Errorf("pgbase: EPCIS event %d: %w", i, err)
		}
		rows[i] = []any{ev.EventTime, ev.BizStep, ev.BizLocation.ID, string(raw)}
	}
	tx, err := db.pool.Begin(ctx)
	if err != nil {
		return 0, fmt.Errorf("pgbase: capture: %w", err)
	}
	defer tx.Rollback(ctx)
	if _, err := tx.CopyFrom(ctx, pgx.Identifier{db.schema, "epcis_events"},
		[]string{"event_time", "biz_step", "biz_location", "event"}, pgx.CopyFromRows(rows)); err != nil {
		return 0, fmt.Errorf("pgbase: capture: %w", err)
	}
	if err := tx.Commit(ctx); err != nil {
		return 0, fmt.Errorf("pgbase: capture: %w", err)
	}
	return len(rows), nil
}

// EventsByEPC returns how many events name epc in their epcList (the
// GIN index answers the containment).
func (db *DB) EventsByEPC(ctx context.Context, epc string) (int, error) {
	probe, err := json.Marshal(map[string][]string{"epcList": {epc}})
	if err != nil {
		return 0, err
	}
	return db.countEvents(ctx, `SELECT event FROM epcis_events WHERE event @> $1::jsonb`, string(probe))
}

// EventsByStepInCounty returns how many events of bizStep at a site of
// county happened in [from, to): EQ_bizStep + WD_bizLocation + time.
func (db *DB) EventsByStepInCounty(ctx context.Context, bizStep string, county int, from, to time.Time) (int, error) {
	return db.countEvents(ctx, `SELECT e.event FROM epcis_events e JOIN epcis_sites s ON s.sgln = e.biz_location
		WHERE e.biz_step = $1 AND s.county = $2 AND e.event_time >= $3 AND e.event_time < $4 ORDER BY e.event_time`,
		bizStep, county, from, to)
}

// countEvents runs a query returning events and reads them all (as a
// caller would), returning how many.
func (db *DB) countEvents(ctx context.Context, sql string, args ...any) (int, error) {
	rows, err := db.pool.Query(ctx, sql, args...)
	if err != nil {
		return 0, fmt.Errorf("pgbase: query: %w", err)
	}
	defer rows.Close()
	n := 0
	for rows.Next() {
		var ev []byte
		if err := rows.Scan(&ev); err != nil {
			return 0, fmt.Errorf("pgbase: query: %w", err)
		}
		n++
	}
	return n, rows.Err()
}

// EPCISDiskBytes returns the on-disk size of the EPCIS events table and
// its indexes.
func (db *DB) EPCISDiskBytes(ctx context.Context) (int64, error) {
	var n int64
	err := db.pool.QueryRow(ctx, `SELECT pg_total_relation_size($1::regclass)`, db.schema+".epcis_events").Scan(&n)
	if err != nil {
		return 0, fmt.Errorf("pgbase: disk size: %w", err)
	}
	return n, nil
}

// Analyze updates the planner's statistics of the EPCIS tables (as
// autovacuum would after a bulk load).
func (db *DB) Analyze(ctx context.Context) error {
	if _, err := db.pool.Exec(ctx, `ANALYZE epcis_events, epcis_sites`); err != nil {
		return fmt.Errorf("pgbase: analyze: %w", err)
	}
	return nil
}
