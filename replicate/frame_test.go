package replicate

import (
	"bytes"
	"errors"
	"slices"
	"strings"
	"testing"
)

func TestFrameRoundTrip(t *testing.T) {
	recs := []Record{{Seq: 7, Data: []byte("a")}, {Seq: 8, Data: nil}, {Seq: 9, Data: bytes.Repeat([]byte{1}, 300)}}
	b := appendFrame(nil, 42, recs)
	epoch, got, err := decodeFrame(b)
	if err != nil {
		t.Fatal(err)
	}
	if epoch != 42 || len(got) != 3 {
		t.Fatalf("epoch %d, %d records", epoch, len(got))
	}
	for i := range recs {
		if got[i].Seq != recs[i].Seq || !bytes.Equal(got[i].Data, recs[i].Data) {
			t.Errorf("record %d: %+v, want %+v", i, got[i], recs[i])
		}
	}
	// A fence marker: no records.
	if e, r, err := decodeFrame(appendFrame(nil, 3, nil)); err != nil || e != 3 || len(r) != 0 {
		t.Errorf("marker: %d %v %v", e, r, err)
	}
}

func TestFrameErrors(t *testing.T) {
	good := appendFrame(nil, 1, []Record{{Seq: 1, Data: []byte("abc")}})
	for _, tc := range []struct {
		name string
		b    []byte
		want string
	}{
		{"empty", nil, "empty"},
		{"version", append([]byte{9}, good[1:]...), "version 9"},
		{"truncated", good[:len(good)-1], "record 1 of 3 bytes"},
		{"trailing", append(append([]byte(nil), good...), 0), "1 bytes after"},
		{"no count", good[:3], "record count"},
		{"huge count", []byte{1, 1, 1, 0xff, 0xff, 0xff, 0xff, 0x0f}, "records in"},
		{"seq zero", []byte{1, 1, 0, 1, 0}, "out of range"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, _, err := decodeFrame(tc.b)
			if err == nil || !errors.Is(err, ErrFrame) || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("error %v, want ErrFrame containing %q", err, tc.want)
			}
		})
	}
}

func FuzzDecodeFrame(f *testing.F) {
	f.Add(appendFrame(nil, 42, []Record{{Seq: 7, Data: []byte("a")}, {Seq: 8, Data: []byte("bc")}}))
	f.Add(appendFrame(nil, 1, nil))
	f.Add([]byte{1, 0, 0, 0})
	f.Fuzz(func(t *testing.T, b []byte) {
		epoch, recs, err := decodeFrame(b)
		if err != nil {
			return
		}
		// What decodes encodes back to the same bytes.
		if again := appendFrame(nil, epoch, recs); !bytes.Equal(again, b) && len(recs) > 0 {
			t.Fatalf("decode → encode changed the bytes:\n%x\n%x", b, again)
		}
	})
}

// TestFollowerOrderDedupFence: records apply once and in order; a
// replayed record is skipped; a message from an older epoch than one seen
// is refused whole; a gap stops the follower.
func TestFollowerOrderDedupFence(t *testing.T) {
	var applied []uint64
	f := NewFollower(Position{}, func(r Record) error {
		applied = append(applied, r.Seq)
		return nil
	})
	msg := func(epoch uint64, seqs ...uint64) []byte {
		var recs []Record
		for _, s := range seqs {
			recs = append(recs, Record{Seq: s, Data: []byte{byte(s)}})
		}
		return appendFrame(nil, epoch, recs)
	}
	steps := []struct {
		stream uint64
		body   []byte
	}{
		{1, msg(5, 1, 2)},
		{2, msg(5, 2, 3)}, // a retry that overlaps: 2 is a duplicate
		{2, msg(5, 2, 3)}, // the same stream message delivered again
		{3, msg(4, 4)},    // an older epoch: a fenced writer
		{4, msg(6)},       // a new writer's fence marker
		{5, msg(6, 4, 5)},
	}
	for _, s := range steps {
		if err := f.Handle(s.stream, s.body); err != nil {
			t.Fatal(err)
		}
	}
	if got := applied; len(got) != 5 || got[0] != 1 || got[4] != 5 {
		t.Errorf("applied %v, want 1..5", got)
	}
	st := f.Stats()
	if st.Dups != 1 || st.Refused != 1 || st.Epoch != 6 || st.At != (Position{StreamSeq: 5, RecordSeq: 5}) {
		t.Errorf("stats %+v", st)
	}
	if err := f.Handle(6, msg(6, 7)); !errors.Is(err, ErrGap) {
		t.Errorf("a gap: %v", err)
	}
}

// TestFollowerGroups: the messages delivered together go to one apply
// with the same dedup and fencing as one by one; an apply that fails
// leaves the position where it was (nothing applied); records before a
// gap are applied, then the gap stops the follower.
func TestFollowerGroups(t *testing.T) {
	var calls [][]uint64
	fail := false
	f := NewBatchFollower(Position{}, func(recs []Record) error {
		if fail {
			return errors.New("disk full")
		}
		var seqs []uint64
		for _, r := range recs {
			seqs = append(seqs, r.Seq)
		}
		calls = append(calls, seqs)
		return nil
	})
	msg := func(stream, epoch uint64, seqs ...uint64) streamMsg {
		var recs []Record
		for _, s := range seqs {
			recs = append(recs, Record{Seq: s, Data: []byte{byte(s)}})
		}
		return streamMsg{stream, appendFrame(nil, epoch, recs)}
	}
	if err := f.handle([]streamMsg{msg(1, 5, 1, 2), msg(2, 5, 2, 3), msg(2, 5, 2, 3), msg(3, 4, 4), msg(4, 6), msg(5, 6, 4, 5)}); err != nil {
		t.Fatal(err)
	}
	if len(calls) != 1 || !slices.Equal(calls[0], []uint64{1, 2, 3, 4, 5}) {
		t.Errorf("applies %v, want one of 1..5", calls)
	}
	if st := f.Stats(); st.Dups != 1 || st.Refused != 1 || st.Epoch != 6 || st.Messages != 5 || st.At != (Position{StreamSeq: 5, RecordSeq: 5}) {
		t.Errorf("stats %+v", st)
	}
	fail = true
	if err := f.handle([]streamMsg{msg(6, 6, 6), msg(7, 6, 7)}); err == nil {
		t.Error("a failed apply: no error")
	}
	if st := f.Stats(); st.At != (Position{StreamSeq: 5, RecordSeq: 5}) {
		t.Errorf("after a failed apply at %+v, want 5/5", st.At)
	}
	fail = false
	if err := f.handle([]streamMsg{msg(6, 6, 6), msg(7, 6, 7), msg(8, 6, 9)}); !errors.Is(err, ErrGap) {
		t.Errorf("a gap: %v", err)
	}
	if st := f.Stats(); st.At.RecordSeq != 7 || len(calls) != 2 || !slices.Equal(calls[1], []uint64{6, 7}) {
		t.Errorf("before the gap: at %+v, applies %v", st.At, calls)
	}
}
