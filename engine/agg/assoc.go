package agg

import (
	"tracecode/engine/internal/wire"
	"tracecode/engine/store"
)

// Association is a present EPCIS AssociationEvent link: a device or part
// (a sensor, an RFID logger, a valve — any identifier, issued by this
// engine or not) associated with a parent asset that is a code of this
// engine. It implies no containment: the child has no parent run, the
// parent no children bitmap, and nothing moves with the parent.
//
// # Representation (key 0x8F | parent node | child identifier, value version 1)
//
//	ver=1 | since varint (unix ms) | seq uvarint
//
// The child identifier is the EPC URI or Digital Link as captured,
// without a length (it ends the key).
type Association struct {
	Parent Node
	Child  string
	Since  int64  // event time of the ADD, unix ms
	Seq    uint64 // the ADD record
}

const assocVersion = 1

// MaxAssocChild bounds a child identifier's length in a key.
const MaxAssocChild = 1000

// appendAssocKey appends the key of the association of child with parent
// (child "" gives the prefix of all of parent's associations).
func appendAssocKey(dst []byte, parent Node, child string) []byte {
	return store.AppendAssociationKey(dst, parent.Product, parent.Counter, child)
}

// AppendValue appends the association's value encoding.
func (a *Association) AppendValue(dst []byte) []byte {
	w := wire.Writer{B: dst}
	w.Version(assocVersion)
	w.Varint(a.Since)
	w.Uvarint(a.Seq)
	return w.B
}

// DecodeAssociation decodes an association key and value.
func DecodeAssociation(k, v []byte) (Association, error) {
	product, counter, child, err := store.DecodeAssociationKey(k)
	if err != nil {
		return Association{}, err
	}
	a := Association{Parent: Node{Product: product, Counter: counter}, Child: string(child)}
	d := newDecoder("association", v)
	d.Version(assocVersion)
	a.Since = d.Varint()
	a.Seq = d.Uvarint()
	return a, d.Done()
}

// scanAssocs calls fn with each association of parent, by child.
func scanAssocs(newIter func(lo, hi []byte) (*store.Iter, error), parent Node, fn func(a *Association) bool) error {
	lo := appendAssocKey(nil, parent, "")
	hi := appendAssocKey(nil, Node{Product: parent.Product, Counter: parent.Counter + 1}, "")
	if parent.Counter == ^uint64(0) {
		hi = appendAssocKey(nil, Node{Product: parent.Product + 1}, "")
	}
	it, err := newIter(lo, hi)
	if err != nil {
		return err
	}
	defer it.Close()
	for ok := it.First(); ok; ok = it.Next() {
		v, err := it.Value()
		if err != nil {
			return err
		}
		a, err := DecodeAssociation(it.Key(), v)
		if err != nil {
			return err
		}
		if !fn(&a) {
			break
		}
	}
	return nil
}

// AssociationsAt calls fn with each present association of parent,
// reading through it (an iterator whose bounds include the 0x8F prefix,
// such as a resolution's) with kb as the key buffer; it returns kb.
func AssociationsAt(it *store.Iter, kb []byte, parent Node, fn func(a *Association) bool) ([]byte, error) {
	kb = appendAssocKey(kb[:0], parent, "")
	n := len(kb)
	for ok := it.SeekGE(kb); ok; ok = it.Next() {
		k := it.Key()
		if len(k) <= n || string(k[:n]) != string(kb) {
			break
		}
		v, err := it.Value()
		if err != nil {
			return kb, err
		}
		a, err := DecodeAssociation(k, v)
		if err != nil {
			return kb, err
		}
		if !fn(&a) {
			break
		}
	}
	return kb, nil
}

// Associations calls fn with each present association of parent, as
// staged.
func (t *Tx) Associations(parent Node, fn func(a *Association) bool) error {
	return scanAssocs(t.b.NewIter, parent, fn)
}

// Associated reports whether child is associated with parent now, as
// staged.
func (t *Tx) Associated(parent Node, child string) (bool, error) {
	t.kb = appendAssocKey(t.kb[:0], parent, child)
	return t.b.Get(t.kb, func([]byte) error { return nil })
}

// Associate stages an association.
func (t *Tx) Associate(a *Association) {
	t.kb = appendAssocKey(t.kb[:0], a.Parent, a.Child)
	t.vb = a.AppendValue(t.vb[:0])
	t.b.Set(t.kb, t.vb)
}

// Dissociate stages the end of an association.
func (t *Tx) Dissociate(parent Node, child string) {
	t.kb = appendAssocKey(t.kb[:0], parent, child)
	t.b.Delete(t.kb)
}
