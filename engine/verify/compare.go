package verify

import (
	"bytes"
	"encoding/binary"
	"fmt"

	"github.com/RoaringBitmap/roaring/v2"

	"tracecode/engine/agg"
	"tracecode/engine/itemstate"
	"tracecode/engine/ledger"
	"tracecode/engine/store"
)

// derivedPrefixes are the records Verify re-derives from the ledger and
// compares key by key. Not compared: Merkle checkpoints (0x82: when one is
// taken depends on CheckpointAll calls; ledger.Verify recomputes each from
// the log) and request ids (0x85: the id is the client's, not part of the
// record; ChainExtras checks each names a record of its
// organisation).
var derivedPrefixes = []byte{
	store.PrefixItemState, store.PrefixUnit, store.PrefixRecallLot, store.PrefixRecallProduct,
	store.PrefixEvent, store.PrefixOrgLog, store.PrefixEventByHash, store.PrefixEventPayload,
	store.PrefixErroneous, store.PrefixEventID, store.PrefixEvNode, store.PrefixEvRun, store.PrefixEvLot,
	store.PrefixEvProduct, store.PrefixLotReach, store.PrefixEvParent, store.PrefixCustody,
	store.PrefixAssociation, store.PrefixChildParent, store.PrefixParentChildren, store.PrefixParentUnits,
	store.PrefixChildHistory, store.PrefixParentHistory, store.PrefixEvTime, store.PrefixEvStep, store.PrefixEvPlace,
}

// Derived compares every derived record of snap with the replica's: the
// store of a scratch engine that applied the whole ledger again.
func Derived(snap *store.Snapshot, replica *store.DB, m Master, rep *Report) error {
	bad := rep.Bad
	for _, p := range derivedPrefixes {
		lo := []byte{p}
		if err := mergeKeys(snap, replica, lo, store.PrefixEnd(lo), func(k, found, want []byte) {
			rep.Derived++
			if found != nil && want != nil && sameValue(p, found, want) {
				return
			}
			where := describeKey(m, k)
			switch {
			case found == nil:
				bad(where, "missing: the ledger derives %s, the store has no such record", describeValue(k, want))
			case want == nil:
				bad(where, "not derived from the ledger: the store holds %s, which no record implies", describeValue(k, found))
			case p == store.PrefixItemState:
				bad(where, "%s", chunkDiff(k, want, found))
			default:
				bad(where, "differs: the ledger derives %s, the store holds %s", describeValue(k, want), describeValue(k, found))
			}
		}); err != nil {
			return err
		}
	}
	return nil
}

// mergeKeys walks the keys of [lo, hi) in both stores in order and calls
// fn for every key of either, with its value in each (nil: absent there).
func mergeKeys(snap *store.Snapshot, db *store.DB, lo, hi []byte, fn func(k, found, want []byte)) error {
	a, err := snap.NewIter(lo, hi)
	if err != nil {
		return err
	}
	defer a.Close()
	b, err := db.NewIter(lo, hi)
	if err != nil {
		return err
	}
	defer b.Close()
	okA, okB := a.First(), b.First()
	for okA || okB {
		c := 0
		switch {
		case !okA:
			c = 1
		case !okB:
			c = -1
		default:
			c = bytes.Compare(a.Key(), b.Key())
		}
		var va, vb []byte
		if c <= 0 {
			if va, err = a.Value(); err != nil {
				return err
			}
			va = append([]byte{}, va...)
		}
		if c >= 0 {
			if vb, err = b.Value(); err != nil {
				return err
			}
		}
		switch {
		case c < 0:
			fn(a.Key(), va, nil)
			okA = a.Next()
		case c > 0:
			fn(b.Key(), nil, vb)
			okB = b.Next()
		default:
			fn(a.Key(), va, vb)
			okA, okB = a.Next(), b.Next()
		}
	}
	if err := a.Error(); err != nil {
		return err
	}
	return b.Error()
}

// sameValue compares two values of prefix p: item-state chunks by their
// bitmaps (one set of offsets may serialise in more than one way), every
// other record byte for byte.
func sameValue(p byte, a, b []byte) bool {
	if bytes.Equal(a, b) {
		return true
	}
	if p != store.PrefixItemState {
		return false
	}
	ca, errA := itemstate.DecodeChunk(a)
	cb, errB := itemstate.DecodeChunk(b)
	if errA != nil || errB != nil {
		return false
	}
	for k := itemstate.Kind(0); k < itemstate.NumKinds; k++ {
		if !bitmapEqual(ca.Bitmap(k), cb.Bitmap(k)) {
			return false
		}
	}
	return true
}

func bitmapEqual(a, b *roaring.Bitmap) bool {
	switch {
	case a == nil || a.IsEmpty():
		return b == nil || b.IsEmpty()
	case b == nil:
		return false
	}
	return a.Equals(b)
}

// chunkDiff says, kind by kind, which offsets of an item-state chunk the
// ledger and the store disagree on.
func chunkDiff(k, want, found []byte) string {
	cw, err := itemstate.DecodeChunk(want)
	if err != nil {
		return fmt.Sprintf("the derived chunk does not decode: %v", err)
	}
	cf, err := itemstate.DecodeChunk(found)
	if err != nil {
		return fmt.Sprintf("the stored chunk does not decode: %v", err)
	}
	_, chunk, _ := itemstate.DecodeKey(k)
	base := uint64(chunk) << itemstate.ChunkBits
	var out []byte
	for kind := itemstate.Kind(0); kind < itemstate.NumKinds; kind++ {
		w, f := orEmpty(cw.Bitmap(kind)), orEmpty(cf.Bitmap(kind))
		if w.Equals(f) {
			continue
		}
		if len(out) > 0 {
			out = append(out, "; "...)
		}
		out = fmt.Appendf(out, "%s:", kind)
		if miss := roaring.AndNot(w, f); !miss.IsEmpty() {
			out = fmt.Appendf(out, " the ledger sets %s, the store does not", offsets(miss, base))
		}
		if extra := roaring.AndNot(f, w); !extra.IsEmpty() {
			out = fmt.Appendf(out, " the store sets %s, no record implies it", offsets(extra, base))
		}
	}
	return string(out)
}

func orEmpty(b *roaring.Bitmap) *roaring.Bitmap {
	if b == nil {
		return roaring.New()
	}
	return b
}

// offsets names a set of block offsets: "offset 7", "12 offsets (3, 4, 5 …)".
func offsets(b *roaring.Bitmap, base uint64) string {
	n := b.GetCardinality()
	if n == 1 {
		return fmt.Sprintf("offset %d", base+uint64(b.Minimum()))
	}
	var out []byte
	out = fmt.Appendf(out, "%d offsets (", n)
	it := b.Iterator()
	for i := 0; it.HasNext() && i < 5; i++ {
		if i > 0 {
			out = append(out, ", "...)
		}
		out = fmt.Appendf(out, "%d", base+uint64(it.Next()))
	}
	if n > 5 {
		out = append(out, " …"...)
	}
	return string(append(out, ')'))
}

// describeKey names a derived record for a reader.
func describeKey(m Master, k []byte) string {
	p, rest := k[0], k[1:]
	u32 := func(b []byte) uint32 { return binary.BigEndian.Uint32(b) }
	u64 := func(b []byte) uint64 { return binary.BigEndian.Uint64(b) }
	node := func(b []byte) string { return agg.DecodeNodeKey(b).String() }
	switch {
	case p == store.PrefixItemState && len(rest) == 12:
		return fmt.Sprintf("item state of block %d chunk %d", u64(rest), u32(rest[8:]))
	case p == store.PrefixUnit && len(rest) == 8:
		return fmt.Sprintf("SSCC unit %018d", u64(rest))
	case p == store.PrefixRecallLot && len(rest) == 4:
		id := u32(rest)
		if l, err := m.Lot(id); err == nil {
			return fmt.Sprintf("recall mark of lot %d (%q of product %d)", id, l.Number, l.Product)
		}
		return fmt.Sprintf("recall mark of lot %d", id)
	case p == store.PrefixRecallProduct && len(rest) == 4:
		return fmt.Sprintf("recall mark of product %d", u32(rest))
	case (p == store.PrefixEvent || p == store.PrefixEventPayload || p == store.PrefixErroneous) && len(rest) == 8:
		what := map[byte]string{store.PrefixEvent: "summary", store.PrefixEventPayload: "payload", store.PrefixErroneous: "erroneous mark"}[p]
		return fmt.Sprintf("%s of record %d", what, u64(rest))
	case p == store.PrefixOrgLog && len(rest) == 12:
		return fmt.Sprintf("log position %d of organisation %d", u64(rest[4:]), u32(rest))
	case (p == store.PrefixEvNode || p == store.PrefixEvParent) && len(rest) == 20:
		what := map[byte]string{store.PrefixEvNode: "event index", store.PrefixEvParent: "packing index"}[p]
		return fmt.Sprintf("%s of %s, record %d", what, node(rest), u64(rest[12:]))
	case p == store.PrefixEvRun && len(rest) == 20:
		return fmt.Sprintf("run index of product %d from counter %d, record %d", u32(rest), u64(rest[4:]), u64(rest[12:]))
	case (p == store.PrefixEvLot || p == store.PrefixLotReach || p == store.PrefixEvProduct) && len(rest) == 12:
		what := map[byte]string{store.PrefixEvLot: "event index of lot", store.PrefixLotReach: "reach index of lot", store.PrefixEvProduct: "event index of product"}[p]
		return fmt.Sprintf("%s %d, record %d", what, u32(rest), u64(rest[4:]))
	case p == store.PrefixCustody && len(rest) == agg.NodeKeyLen:
		return "custody of " + node(rest)
	case p == store.PrefixAssociation && len(rest) > agg.NodeKeyLen:
		return fmt.Sprintf("association of %q with %s", rest[agg.NodeKeyLen:], node(rest))
	case p == store.PrefixChildParent && len(rest) == 12:
		return fmt.Sprintf("child→parent run of product %d from counter %d", u32(rest), u64(rest[4:]))
	case p == store.PrefixParentChildren && len(rest) == agg.NodeKeyLen+8:
		return fmt.Sprintf("children of %s in block %d", node(rest), u64(rest[agg.NodeKeyLen:]))
	case p == store.PrefixParentUnits && len(rest) == agg.NodeKeyLen+8:
		return fmt.Sprintf("SSCC child %018d of %s", u64(rest[agg.NodeKeyLen:]), node(rest))
	case p == store.PrefixChildHistory && len(rest) == 20:
		return fmt.Sprintf("past parent of product %d from counter %d, unpacked by record %d", u32(rest), u64(rest[4:]), u64(rest[12:]))
	case p == store.PrefixParentHistory && len(rest) == agg.NodeKeyLen+8:
		return fmt.Sprintf("past contents of %s, unpacked by record %d", node(rest), u64(rest[agg.NodeKeyLen:]))
	}
	return fmt.Sprintf("%s %x", prefixName(p), rest)
}

// prefixName is the registry name of a prefix.
func prefixName(p byte) string {
	if i, ok := store.LookupPrefix(p); ok {
		return i.Name
	}
	return fmt.Sprintf("prefix %#02x", p)
}

// describeValue shows a derived record's value: decoded where a reader
// needs it to see what changed, else in hex.
func describeValue(k, v []byte) string {
	switch k[0] {
	case store.PrefixRecallLot, store.PrefixRecallProduct:
		if r, err := ledger.DecodeRecall(v); err == nil {
			return fmt.Sprintf("a recall by record %d", r.Seq)
		}
	case store.PrefixCustody:
		if c, err := agg.DecodeCustody(v); err == nil {
			return fmt.Sprintf("holder %d (pending %d) since record %d", c.Org, c.Pending, c.Seq)
		}
	case store.PrefixUnit:
		if len(k) == 9 {
			if u, err := agg.DecodeUnit(binary.BigEndian.Uint64(k[1:]), v); err == nil {
				return fmt.Sprintf("a unit of organisation %d, level %d, state %v, registered by record %d", u.Org, u.Level, itemstate.State(u.State), u.Seq)
			}
		}
	case store.PrefixChildParent:
		if r, err := agg.DecodeRun(k, v); err == nil {
			return fmt.Sprintf("counters %d..%d in %s since record %d", r.First, r.Last, r.Parent, r.Seq)
		}
	case store.PrefixItemState:
		if c, err := itemstate.DecodeChunk(v); err == nil {
			var out []byte
			for kind := itemstate.Kind(0); kind < itemstate.NumKinds; kind++ {
				if b := c.Bitmap(kind); b != nil && !b.IsEmpty() {
					out = fmt.Appendf(out, " %s %d", kind, b.GetCardinality())
				}
			}
			return "a chunk of" + string(out)
		}
	}
	if len(v) > 24 {
		return fmt.Sprintf("%x… (%d bytes)", v[:24], len(v))
	}
	return fmt.Sprintf("%x", v)
}
