// Package replicate carries the writer's committed batches to replicas over
// NATS JetStream: a publisher appends them, group-committed, to a stream
// replicated on a quorum of NATS nodes and returns only once the quorum
// has them; a lease in a JetStream key-value bucket names the one writer,
// and its epoch fences an old writer out of the stream; a replica consumes
// the stream in order, applying each record once. docs/replication.md
// gives the design, the guarantees and the failure cases tested.
package replicate

import (
	"encoding/binary"
	"errors"
	"fmt"
)

// Record is one committed batch of the writer: Seq is its position in the
// writer's log (consecutive from 1, never reused), Data the batch as the
// engine encodes it (opaque here).
type Record struct {
	Seq  uint64
	Data []byte
}

// frameVersion is the version of the message body this build writes.
const frameVersion = 1

// ErrFrame is wrapped by every error decoding a message body.
var ErrFrame = errors.New("replicate: bad message")

// maxRecords bounds the records one message may claim, so that a damaged
// count cannot make the decoder reserve memory.
const maxRecords = 1 << 20

// A message body carries one group commit: the epoch of the lease it was
// published under and consecutive records.
//
// # Representation (version 1)
//
//	ver=1 | epoch uvarint | first uvarint | n uvarint | n × (len uvarint | data)
//
// Record i (0-based) has Seq first+i.
func appendFrame(dst []byte, epoch uint64, recs []Record) []byte {
	dst = append(dst, frameVersion)
	dst = binary.AppendUvarint(dst, epoch)
	first := uint64(0)
	if len(recs) > 0 {
		first = recs[0].Seq
	}
	dst = binary.AppendUvarint(dst, first)
	dst = binary.AppendUvarint(dst, uint64(len(recs)))
	for i, r := range recs {
		if r.Seq != first+uint64(i) {
			panic(fmt.Sprintf("BUG: replicate: record %d has seq %d, want %d", i, r.Seq, first+uint64(i)))
		}
		dst = binary.AppendUvarint(dst, uint64(len(r.Data)))
		dst = append(dst, r.Data...)
	}
	return dst
}

// decodeFrame decodes a message body. The records' Data alias b.
func decodeFrame(b []byte) (epoch uint64, recs []Record, err error) {
	if len(b) == 0 {
		return 0, nil, fmt.Errorf("%w: empty", ErrFrame)
	}
	if b[0] != frameVersion {
		return 0, nil, fmt.Errorf("%w: version %d (this build reads %d)", ErrFrame, b[0], frameVersion)
	}
	off := 1
	uv := func(what string) (uint64, error) {
		v, n := binary.Uvarint(b[off:])
		if n <= 0 {
			return 0, fmt.Errorf("%w: %s at byte %d", ErrFrame, what, off)
		}
		off += n
		return v, nil
	}
	if epoch, err = uv("epoch"); err != nil {
		return 0, nil, err
	}
	first, err := uv("first sequence")
	if err != nil {
		return 0, nil, err
	}
	n, err := uv("record count")
	if err != nil {
		return 0, nil, err
	}
	if n > maxRecords || n > uint64(len(b)-off) {
		return 0, nil, fmt.Errorf("%w: %d records in %d bytes", ErrFrame, n, len(b)-off)
	}
	if n > 0 && (first == 0 || first+n < first) {
		return 0, nil, fmt.Errorf("%w: records %d+%d out of range", ErrFrame, first, n)
	}
	recs = make([]Record, 0, n)
	for i := uint64(0); i < n; i++ {
		l, err := uv(fmt.Sprintf("record %d length", first+i))
		if err != nil {
			return 0, nil, err
		}
		if l > uint64(len(b)-off) {
			return 0, nil, fmt.Errorf("%w: record %d of %d bytes at byte %d, %d left", ErrFrame, first+i, l, off, len(b)-off)
		}
		recs = append(recs, Record{Seq: first + i, Data: b[off : off+int(l) : off+int(l)]})
		off += int(l)
	}
	if off != len(b) {
		return 0, nil, fmt.Errorf("%w: %d bytes after the last record", ErrFrame, len(b)-off)
	}
	return epoch, recs, nil
}
