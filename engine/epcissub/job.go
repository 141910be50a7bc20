package epcissub

import (
	"context"
	"encoding/binary"
	"fmt"
	"sync"
	"time"

	"tracecode/engine/internal/wire"
	"tracecode/engine/store"
)

// JobState is where a capture job is. Numeric values are persisted.
type JobState uint8

// The job states.
const (
	// JobRunning: accepted, not applied yet (its document is stored).
	JobRunning JobState = 1
	// JobSuccess: every event was applied.
	JobSuccess JobState = 2
	// JobFailed: nothing was applied (Errors say why).
	JobFailed JobState = 3
)

// JobError is one problem of a failed job: the 0-based event index (-1:
// the document), where in the event, the code and why.
type JobError struct {
	Event  int    `json:"event"`
	Field  string `json:"field,omitzero"`
	Code   string `json:"code,omitzero"`
	Reason string `json:"reason"`
}

// Job is an asynchronous capture (the REST binding's POST /capture): the
// document is stored when accepted and applied by the job runner, all or
// nothing.
//
// # Representation (key 0x9C | id u64, value version 1)
//
//	ver=1 | state u8 | org uvarint | region uvarint | credential str | requestID str
//	      | xml u8 | created varint | finished varint | records uvarint | duplicates uvarint
//	      | n uvarint | n × (event varint | field str | code str | reason str) | dropped uvarint
//	      | doc str (empty once the job finished)
type Job struct {
	ID         uint64
	State      JobState
	Org        uint32
	Region     uint32 // a regulator's key: its division (CaptureOptions.Region)
	Credential string
	RequestID  string
	XML        bool
	Created    int64
	Finished   int64
	Records    int
	Duplicates int
	Errors     []JobError
	Dropped    int // errors beyond those listed
	Doc        []byte
}

const jobVersion = 1

// AppendBinary appends the stored value of j.
func (j *Job) AppendBinary(dst []byte) []byte {
	dst = append(dst, jobVersion, byte(j.State))
	dst = binary.AppendUvarint(binary.AppendUvarint(dst, uint64(j.Org)), uint64(j.Region))
	dst = appendStr(appendStr(dst, j.Credential), j.RequestID)
	x := byte(0)
	if j.XML {
		x = 1
	}
	dst = binary.AppendVarint(binary.AppendVarint(append(dst, x), j.Created), j.Finished)
	dst = binary.AppendUvarint(binary.AppendUvarint(dst, uint64(j.Records)), uint64(j.Duplicates))
	dst = binary.AppendUvarint(dst, uint64(len(j.Errors)))
	for _, e := range j.Errors {
		dst = appendStr(appendStr(appendStr(binary.AppendVarint(dst, int64(e.Event)), e.Field), e.Code), e.Reason)
	}
	dst = binary.AppendUvarint(dst, uint64(j.Dropped))
	return append(binary.AppendUvarint(dst, uint64(len(j.Doc))), j.Doc...)
}

// DecodeJob decodes job id's stored value.
func DecodeJob(id uint64, v []byte) (Job, error) {
	d := wire.NewReader("capture job", v)
	d.Version(jobVersion)
	j := Job{ID: id}
	d.Field = "state"
	j.State = JobState(d.U8())
	if d.Err == nil && (j.State < JobRunning || j.State > JobFailed) {
		d.Fail(fmt.Sprintf("state %d", j.State))
	}
	d.Field = "job"
	j.Org, j.Region = d.U32(), d.U32()
	j.Credential, j.RequestID = d.Str(), d.Str()
	x := d.U8()
	if d.Err == nil && x > 1 {
		d.Fail(fmt.Sprintf("xml flag %d", x))
	}
	j.XML = x == 1
	j.Created, j.Finished = d.Varint(), d.Varint()
	j.Records, j.Duplicates = int(d.U32()), int(d.U32())
	n := d.Count()
	for i := 0; i < n && d.Err == nil; i++ {
		j.Errors = append(j.Errors, JobError{Event: int(d.Varint()), Field: d.Str(), Code: d.Str(), Reason: d.Str()})
	}
	j.Dropped = int(d.U32())
	if doc := d.Str(); doc != "" {
		j.Doc = []byte(doc)
	}
	return j, d.Done()
}

// Outcome is what applying a job's document gave: the receipt's counts,
// or the problems that refused it. Transient is an error after which the
// job stays running and is tried again (the engine closed, the disk
// full); nothing else is retried.
type Outcome struct {
	Records, Duplicates int
	Errors              []JobError
	Dropped             int
	Transient           error
}

// Jobs keeps the capture jobs and applies them in the order accepted.
type Jobs struct {
	db    *store.DB
	apply func(ctx context.Context, j *Job) Outcome
	now   func() time.Time
	mu    sync.Mutex // serialises id allocation and job writes
	run   sync.Mutex // one runner at a time
	kick  chan struct{}
}

// NewJobs returns the jobs of db, applied by apply.
func NewJobs(db *store.DB, now func() time.Time, apply func(ctx context.Context, j *Job) Outcome) *Jobs {
	return &Jobs{db: db, apply: apply, now: now, kick: make(chan struct{}, 1)}
}

// Submit stores j, running, with a new id, synced: once it returns the
// document is never lost (a restart applies it).
func (js *Jobs) Submit(j *Job) error {
	if len(j.Doc) == 0 {
		return fmt.Errorf("%w: an empty document", ErrInvalid)
	}
	js.mu.Lock()
	defer js.mu.Unlock()
	lo, hi := store.CaptureJobKeys.Bounds()
	it, err := js.db.NewIter(lo, hi)
	if err != nil {
		return err
	}
	j.ID = 1
	if it.Last() {
		last, err := store.DecodeCaptureJobKey(it.Key())
		if err != nil {
			it.Close()
			return err
		}
		j.ID = last + 1
	}
	if err := it.Close(); err != nil {
		return err
	}
	j.State, j.Created, j.Finished, j.Records, j.Duplicates, j.Errors, j.Dropped = JobRunning, js.now().UnixMilli(), 0, 0, 0, nil, 0
	if err := js.put(j); err != nil {
		return err
	}
	select {
	case js.kick <- struct{}{}:
	default:
	}
	return nil
}

func (js *Jobs) put(j *Job) error {
	b := js.db.NewBatch()
	defer b.Close()
	if err := b.Set(store.CaptureJobKey(j.ID), j.AppendBinary(nil)); err != nil {
		return err
	}
	return b.Commit(true)
}

// Get reads job id.
func (js *Jobs) Get(id uint64) (Job, bool, error) {
	var j Job
	found, err := js.db.Get(store.CaptureJobKey(id), func(v []byte) (err error) {
		j, err = DecodeJob(id, v)
		return err
	})
	return j, found, err
}

// RunOnce applies every running job, oldest first, and returns how many
// finished. A job cut short by a crash is applied again: captured events
// already in the ledger count as duplicates, so nothing is applied twice.
func (js *Jobs) RunOnce(ctx context.Context) (int, error) {
	js.run.Lock()
	defer js.run.Unlock()
	var ids []uint64
	lo, hi := store.CaptureJobKeys.Bounds()
	err := js.db.Scan(lo, hi, func(k, v []byte) error {
		if len(v) > 1 && JobState(v[1]) == JobRunning {
			id, err := store.DecodeCaptureJobKey(k)
			if err != nil {
				return err
			}
			ids = append(ids, id)
		}
		return nil
	})
	if err != nil {
		return 0, err
	}
	done := 0
	for _, id := range ids {
		j, found, err := js.Get(id)
		if err != nil || !found || j.State != JobRunning {
			if err != nil {
				return done, err
			}
			continue
		}
		out := js.apply(ctx, &j)
		if out.Transient != nil {
			return done, out.Transient
		}
		j.State, j.Records, j.Duplicates, j.Errors, j.Dropped = JobSuccess, out.Records, out.Duplicates, out.Errors, out.Dropped
		if len(out.Errors) > 0 || out.Dropped > 0 {
			j.State = JobFailed
		}
		j.Finished, j.Doc = js.now().UnixMilli(), nil
		js.mu.Lock()
		err = js.put(&j)
		js.mu.Unlock()
		if err != nil {
			return done, err
		}
		done++
	}
	return done, nil
}

// Run applies jobs as they are submitted, and every minute (a job left by
// a transient error), until ctx ends.
func (js *Jobs) Run(ctx context.Context, onError func(error)) error {
	t := time.NewTicker(time.Minute)
	defer t.Stop()
	for {
		if _, err := js.RunOnce(ctx); err != nil && ctx.Err() == nil && onError != nil {
			onError(err)
		}
		select {
		case <-ctx.Done():
			return nil
		case <-t.C:
		case <-js.kick:
		}
	}
}
