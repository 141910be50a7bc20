package verify

import (
	"bytes"
	"fmt"

	"github.com/RoaringBitmap/roaring/v2"

	"tracecode/engine/agg"
	"tracecode/engine/itemstate"
	"tracecode/engine/ledger"
	"tracecode/engine/store"
)

// derivedFamilies are the records Verify re-derives from the ledger and
// compares key by key. Not compared: Merkle checkpoints (0x82: when one is
// taken depends on CheckpointAll calls; ledger.Verify recomputes each from
// the log) and request ids (0x85: the id is the client's, not part of the
// record; ChainExtras checks each names a record of its
// organisation).
var derivedFamilies = []store.KeySpace{
	store.ItemStateKeys, store.UnitKeys, store.RecallLotKeys, store.RecallProductKeys,
	store.EventKeys, store.OrgLogKeys, store.EventByHashKeys, store.EventPayloadKeys,
	store.ErroneousKeys, store.EventIDKeys, store.EvNodeKeys, store.EvRunKeys, store.EvLotKeys,
	store.EvProductKeys, store.LotReachKeys, store.EvParentKeys, store.CustodyKeys,
	store.AssociationKeys, store.ChildParentKeys, store.ParentChildrenKeys, store.ParentUnitsKeys,
	store.ChildHistoryKeys, store.ParentHistoryKeys, store.EvTimeKeys, store.EvStepKeys, store.EvPlaceKeys,
	store.EvRegionKeys,
	store.EvForeignKeys,
}

// Derived compares every derived record of snap with the replica's: the
// store of a scratch engine that applied the whole ledger again.
func Derived(snap *store.Snapshot, replica *store.DB, m Master, rep *Report) error {
	bad := rep.Bad
	for _, ks := range derivedFamilies {
		lo, hi := ks.Bounds()
		if err := mergeKeys(snap, replica, lo, hi, func(k, found, want []byte) {
			rep.Derived++
			if found != nil && want != nil && sameValue(ks, found, want) {
				return
			}
			where := describeKey(m, k)
			switch {
			case found == nil:
				bad(where, "missing: the ledger derives %s, the store has no such record", describeValue(k, want))
			case want == nil:
				bad(where, "not derived from the ledger: the store holds %s, which no record implies", describeValue(k, found))
			case ks == store.ItemStateKeys:
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

// sameValue compares two values of family ks: item-state chunks by their
// bitmaps (one set of offsets may serialise in more than one way), every
// other record byte for byte.
func sameValue(ks store.KeySpace, a, b []byte) bool {
	if bytes.Equal(a, b) {
		return true
	}
	if ks != store.ItemStateKeys {
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
	node := func(product uint32, counter uint64) string {
		return agg.Node{Product: product, Counter: counter}.String()
	}
	ks, _ := store.KeySpaceOf(k)
	switch ks {
	case store.ItemStateKeys:
		if block, chunk, err := store.DecodeItemStateKey(k); err == nil {
			return fmt.Sprintf("item state of block %d chunk %d", block, chunk)
		}
	case store.UnitKeys:
		if sscc, err := store.DecodeUnitKey(k); err == nil {
			return fmt.Sprintf("SSCC unit %018d", sscc)
		}
	case store.RecallLotKeys, store.RecallProductKeys:
		lot, id, err := store.DecodeRecallMarkKey(k)
		switch {
		case err != nil:
		case !lot:
			return fmt.Sprintf("recall mark of product %d", id)
		default:
			if l, err := m.Lot(id); err == nil {
				return fmt.Sprintf("recall mark of lot %d (%q of product %d)", id, l.Number, l.Product)
			}
			return fmt.Sprintf("recall mark of lot %d", id)
		}
	case store.EventKeys, store.EventPayloadKeys, store.ErroneousKeys:
		if seq, err := store.DecodeSeqKey(k); err == nil {
			what := map[store.KeySpace]string{store.EventKeys: "summary", store.EventPayloadKeys: "payload", store.ErroneousKeys: "erroneous mark"}[ks]
			return fmt.Sprintf("%s of record %d", what, seq)
		}
	case store.OrgLogKeys:
		if org, pos, err := store.DecodeOrgLogKey(k); err == nil {
			return fmt.Sprintf("log position %d of organisation %d", pos, org)
		}
	case store.EvNodeKeys:
		if product, counter, seq, err := store.DecodeEvNodeKey(k); err == nil {
			return fmt.Sprintf("event index of %s, record %d", node(product, counter), seq)
		}
	case store.EvParentKeys:
		if product, counter, seq, err := store.DecodeEvParentKey(k); err == nil {
			return fmt.Sprintf("packing index of %s, record %d", node(product, counter), seq)
		}
	case store.EvRunKeys:
		if product, first, seq, err := store.DecodeEvRunKey(k); err == nil {
			return fmt.Sprintf("run index of product %d from counter %d, record %d", product, first, seq)
		}
	case store.EvLotKeys, store.LotReachKeys, store.EvProductKeys:
		if id, seq, err := store.DecodeIndex32Key(k); err == nil {
			what := map[store.KeySpace]string{store.EvLotKeys: "event index of lot", store.LotReachKeys: "reach index of lot", store.EvProductKeys: "event index of product"}[ks]
			return fmt.Sprintf("%s %d, record %d", what, id, seq)
		}
	case store.CustodyKeys:
		if product, counter, err := store.DecodeCustodyKey(k); err == nil {
			return "custody of " + node(product, counter)
		}
	case store.AssociationKeys:
		if product, counter, child, err := store.DecodeAssociationKey(k); err == nil {
			return fmt.Sprintf("association of %q with %s", child, node(product, counter))
		}
	case store.ChildParentKeys:
		if product, first, err := store.DecodeChildParentKey(k); err == nil {
			return fmt.Sprintf("child→parent run of product %d from counter %d", product, first)
		}
	case store.ParentChildrenKeys:
		if product, counter, block, err := store.DecodeParentChildrenKey(k); err == nil {
			return fmt.Sprintf("children of %s in block %d", node(product, counter), block)
		}
	case store.ParentUnitsKeys:
		if product, counter, sscc, err := store.DecodeParentUnitsKey(k); err == nil {
			return fmt.Sprintf("SSCC child %018d of %s", sscc, node(product, counter))
		}
	case store.ChildHistoryKeys:
		if product, first, seq, err := store.DecodeChildHistoryKey(k); err == nil {
			return fmt.Sprintf("past parent of product %d from counter %d, unpacked by record %d", product, first, seq)
		}
	case store.ParentHistoryKeys:
		if product, counter, seq, err := store.DecodeParentHistoryKey(k); err == nil {
			return fmt.Sprintf("past contents of %s, unpacked by record %d", node(product, counter), seq)
		}
	case store.EvForeignKeys:
		if role, id, seq, err := store.DecodeEvForeignKey(k); err == nil {
			return fmt.Sprintf("foreign-identifier index of %q as %s, record %d", id, ledger.Role(role), seq)
		}
	}
	if len(k) == 0 {
		return "empty key"
	}
	return fmt.Sprintf("%s %x", familyName(k), k[1:])
}

// familyName is the registry name of k's family.
func familyName(k []byte) string {
	if ks, ok := store.KeySpaceOf(k); ok {
		return ks.Name()
	}
	return fmt.Sprintf("prefix %#02x", k[0])
}

// describeValue shows a derived record's value: decoded where a reader
// needs it to see what changed, else in hex.
func describeValue(k, v []byte) string {
	ks, _ := store.KeySpaceOf(k)
	switch ks {
	case store.RecallLotKeys, store.RecallProductKeys:
		if r, err := ledger.DecodeRecall(v); err == nil {
			return fmt.Sprintf("a recall by record %d", r.Seq)
		}
	case store.CustodyKeys:
		if c, err := agg.DecodeCustody(v); err == nil {
			return fmt.Sprintf("holder %d (pending %d) since record %d", c.Org, c.Pending, c.Seq)
		}
	case store.UnitKeys:
		if sscc, err := store.DecodeUnitKey(k); err == nil {
			if u, err := agg.DecodeUnit(sscc, v); err == nil {
				return fmt.Sprintf("a unit of organisation %d, level %d, state %v, registered by record %d", u.Org, u.Level, itemstate.State(u.State), u.Seq)
			}
		}
	case store.ChildParentKeys:
		if r, err := agg.DecodeRun(k, v); err == nil {
			return fmt.Sprintf("counters %d..%d in %s since record %d", r.First, r.Last, r.Parent, r.Seq)
		}
	case store.ItemStateKeys:
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
