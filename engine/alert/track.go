package alert

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"slices"
)

// A rule whose alert ends when its cause does (a report filed late, a
// missed visit made) tracks the alerts it raises about a subject, and a
// later evaluation that sees the cause gone closes them: Track, Tracked,
// Resolve. The tracking is a mark per alert under "open:"+rule, the
// subject and the alert id, so it commits with the alert and with the
// event that closes it.

// trackPrefix returns the key prefix of the alerts rule tracks about
// subject. A rule's subjects must be prefix-free (fixed length, as an
// item's key is).
func trackPrefix(rule string, subject []byte) []byte {
	return markKey("open:"+rule, subject)
}

// Track remembers that the rule being applied raised alert a (Raised's,
// with its id) about subject; due is the instant the finding is about
// (a deadline), read back by Tracked.
func (ev *Eval) Track(subject []byte, a *Alert, due int64) error {
	if ev.rule == "" {
		return fmt.Errorf("%w: Track outside a rule", ErrInvalid)
	}
	k := binary.BigEndian.AppendUint64(trackPrefix(ev.rule, subject), a.ID)
	return ev.putMark(k, &Mark{Seq: a.ID, Time: due, N: 1})
}

// Tracked calls fn with the id and due instant of each alert the rule
// being applied tracks about subject, oldest first: those committed and
// those this evaluation tracked, less those it resolved.
func (ev *Eval) Tracked(subject []byte, fn func(id uint64, due int64) error) error {
	prefix := trackPrefix(ev.rule, subject)
	found := map[string]Mark{}
	err := ev.x.db.ScanPrefix(prefix, func(k, v []byte) error {
		m, err := decodeMark(v)
		if err != nil {
			return err
		}
		found[string(k)] = m
		return nil
	})
	if err != nil {
		return err
	}
	for k, v := range ev.marks {
		if !bytes.HasPrefix([]byte(k), prefix) || len(k) != len(prefix)+8 {
			continue
		}
		if v == nil {
			delete(found, k)
			continue
		}
		m, err := decodeMark(v)
		if err != nil {
			return err
		}
		found[k] = m
	}
	keys := make([]string, 0, len(found))
	for k := range found {
		keys = append(keys, k)
	}
	slices.Sort(keys) // by alert id: oldest first
	for _, k := range keys {
		if err := fn(found[k].Seq, found[k].Time); err != nil {
			return err
		}
	}
	return nil
}

// Resolve closes alert id, which the rule being applied tracks about
// subject, as resolved with note (what removed the cause), and stops
// tracking it. An alert a person already closed is only untracked. The
// change is by "rule " and the rule's name, at the evaluation's time.
//
// The alert is read when Resolve is called and written when the batch
// commits: a person's acknowledgement committed in between is not kept
// in its changes (the close wins).
func (ev *Eval) Resolve(subject []byte, id uint64, note string) error {
	if ev.rule == "" {
		return fmt.Errorf("%w: Resolve outside a rule", ErrInvalid)
	}
	k := binary.BigEndian.AppendUint64(trackPrefix(ev.rule, subject), id)
	if ev.marks == nil {
		ev.marks = map[string][]byte{}
	}
	ev.marks[string(k)] = nil
	if err := ev.b.Delete(k); err != nil {
		return err
	}
	a, found, err := ev.alert(id)
	if err != nil || !found || a.State == Closed {
		return err
	}
	if err := checkText("note", note, 2000); err != nil {
		return err
	}
	a.State = Closed
	a.Changes = append(a.Changes, Change{State: Closed, Outcome: Resolved, Time: ev.now, By: "rule " + ev.rule, Note: note})
	for i := range ev.raised {
		if ev.raised[i].ID == id {
			ev.raised[i] = a
		}
	}
	return ev.b.Set(Key(id), a.AppendBinary(nil))
}

// alert reads alert id as this evaluation sees it: raised by it, or
// stored.
func (ev *Eval) alert(id uint64) (Alert, bool, error) {
	for i := range ev.raised {
		if ev.raised[i].ID == id {
			return ev.raised[i], true, nil
		}
	}
	return ev.x.load(id)
}
