package agg

import (
	"errors"
	"fmt"

	"tracecode/engine/internal/wire"
	"tracecode/engine/store"
)

// Custody says who holds a code now: the organisation that last took it
// over, and the party it was shipped to if that party has not received it
// yet. A code without a record of its own takes the record of its nearest
// present container that has one with a higher Seq (the engine walks up);
// with none at all its holder is its owner.
//
// # Representation (key 0x8E | node, value version 1)
//
//	ver=1 | org uvarint | pending uvarint | since varint (unix ms) | seq uvarint
type Custody struct {
	Org     uint32 // the holder
	Pending uint32 // shipped to this organisation, not received yet; 0 none
	Since   int64  // event time of the transfer, unix ms
	Seq     uint64 // the record that set it; 0 for an owner without record
}

const custodyVersion = 1

// AppendCustodyKey appends the custody key of n.
func AppendCustodyKey(dst []byte, n Node) []byte {
	return store.AppendCustodyKey(dst, n.Product, n.Counter)
}

// AppendValue appends the custody value encoding.
func (c *Custody) AppendValue(dst []byte) []byte {
	w := wire.Writer{B: dst}
	w.Version(custodyVersion)
	w.U32(c.Org)
	w.U32(c.Pending)
	w.Varint(c.Since)
	w.Uvarint(c.Seq)
	return w.B
}

// DecodeCustody decodes a custody value. It allocates nothing (resolution
// reads one per level of containment) unless the value is damaged.
func DecodeCustody(v []byte) (Custody, error) {
	var c Custody
	d := wire.Reader{What: "custody", B: v}
	d.Version(custodyVersion)
	d.Field = "org"
	if c.Org = d.U32(); c.Org == 0 && d.Err == nil {
		d.Fail("organisation 0")
	}
	d.Field = "pending"
	c.Pending = d.U32()
	d.Field = "since"
	c.Since = d.Varint()
	d.Field = "seq"
	c.Seq = d.Uvarint()
	d.Field = ""
	if err := d.Done(); err != nil {
		return Custody{}, err
	}
	return c, nil
}

// CustodyAt reads n's own custody record through it (an iterator whose
// bounds include the 0x8E prefix, such as a resolution's), using kb as the
// key buffer; it returns kb for reuse. It allocates nothing.
func CustodyAt(it *store.Iter, kb []byte, n Node) (Custody, bool, []byte, error) {
	kb = AppendCustodyKey(kb[:0], n)
	if !it.SeekGE(kb) || string(it.Key()) != string(kb) {
		return Custody{}, false, kb, nil
	}
	v, err := it.Value()
	if err != nil {
		return Custody{}, false, kb, err
	}
	c, err := DecodeCustody(v)
	if err != nil {
		return c, false, kb, fmt.Errorf("agg: custody of %s: %w", n, err)
	}
	return c, true, kb, nil
}

func getCustody(get func([]byte, func([]byte) error) (bool, error), kb []byte, n Node) (Custody, bool, []byte, error) {
	kb = AppendCustodyKey(kb[:0], n)
	var c Custody
	found, err := get(kb, func(v []byte) error {
		var err error
		c, err = DecodeCustody(v)
		return err
	})
	if err != nil {
		return c, false, kb, fmt.Errorf("agg: custody of %s: %w", n, err)
	}
	return c, found, kb, nil
}

// HasAssociations reports whether db holds any association.
func HasAssociations(db *store.DB) (bool, error) { return hasAny(db, store.AssociationKeys) }

func hasAny(db *store.DB, ks store.KeySpace) (bool, error) {
	found := false
	lo, hi := ks.Bounds()
	err := db.Scan(lo, hi, func(_, _ []byte) error {
		found = true
		return errStop
	})
	if errors.Is(err, errStop) {
		err = nil
	}
	return found, err
}

var errStop = errors.New("agg: stop")

// Custody reads n's own custody record as staged.
func (t *Tx) Custody(n Node) (Custody, bool, error) {
	c, ok, kb, err := getCustody(t.b.Get, t.kb, n)
	t.kb = kb
	return c, ok, err
}

// PutCustody stages n's custody record.
func (t *Tx) PutCustody(n Node, c Custody) {
	t.kb = AppendCustodyKey(t.kb[:0], n)
	t.vb = c.AppendValue(t.vb[:0])
	t.b.Set(t.kb, t.vb)
}

// DeleteCustody stages the removal of n's custody record.
func (t *Tx) DeleteCustody(n Node) {
	t.kb = AppendCustodyKey(t.kb[:0], n)
	t.b.Delete(t.kb)
}

// CustodyOfRange calls fn with the custody record of every code among
// counters first..last of product that has one (as staged), in counter
// order, with one seek.
func (t *Tx) CustodyOfRange(product uint32, first, last uint64, fn func(n Node, c Custody) bool) error {
	lo := AppendCustodyKey(nil, Node{Product: product, Counter: first})
	hi := AppendCustodyKey(nil, Node{Product: product, Counter: last})
	hi = append(hi, 0) // just past last's key
	it, err := t.b.NewIter(lo, hi)
	if err != nil {
		return err
	}
	defer it.Close()
	for ok := it.First(); ok; ok = it.Next() {
		k := it.Key()
		product, counter, err := store.DecodeCustodyKey(k)
		if err != nil {
			return err
		}
		n := Node{Product: product, Counter: counter}
		v, err := it.Value()
		if err != nil {
			return err
		}
		c, err := DecodeCustody(v)
		if err != nil {
			return fmt.Errorf("agg: custody of %s: %w", n, err)
		}
		if !fn(n, c) {
			break
		}
	}
	return nil
}
