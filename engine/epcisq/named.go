package epcisq

import (
	"errors"
	"fmt"

	"tracecode/engine/internal/wire"
	"tracecode/engine/store"
)

// NamedQuery is a query saved under a name by its owner (an
// organisation, a regulator's region or the operator: NamedOwner), as the
// REST binding's POST /queries creates it.
//
// # Representation (key 0x9E | owner | 0x00 | name, value version 1)
//
//	ver=1 | created varint (unix ms) | creator str | n uvarint | n × (name str | value str)
type NamedQuery struct {
	Owner   string
	Name    string
	Params  []Param
	Created int64
	Creator string
}

// ErrQueryExists: the owner already has a query of that name.
var ErrQueryExists = errors.New("epcisq: a query of that name exists")

const namedVersion = 1

// MaxNameLen bounds a query's name.
const MaxNameLen = 128

// CheckName checks a query name: 1 to 128 letters, digits, '-', '_', '.'.
func CheckName(name string) error {
	if name == "" || len(name) > MaxNameLen {
		return &ParamError{Name: "name", Value: name, Msg: fmt.Sprintf("a query name has 1 to %d characters", MaxNameLen)}
	}
	for _, r := range name {
		if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '-' || r == '_' || r == '.') {
			return &ParamError{Name: "name", Value: name, Msg: "a query name holds letters, digits, '-', '_' and '.' only"}
		}
	}
	return nil
}

func namedKey(owner, name string) []byte {
	return store.NamedQueryKey(owner, name)
}

func (n *NamedQuery) appendValue(dst []byte) []byte {
	w := wire.Writer{B: dst}
	w.Version(namedVersion)
	w.Varint(n.Created)
	w.Str(n.Creator)
	w.Count(len(n.Params))
	for _, p := range n.Params {
		w.Str(p.Name)
		w.Str(p.Value)
	}
	return w.B
}

func decodeNamed(k, v []byte) (NamedQuery, error) {
	owner, name, err := store.DecodeNamedQueryKey(k)
	if err != nil {
		return NamedQuery{}, err
	}
	n := NamedQuery{Owner: string(owner), Name: string(name)}
	d := wire.NewReader("named query", v)
	d.Version(namedVersion)
	n.Created = d.Varint()
	n.Creator = d.Str()
	c := d.Count()
	for j := 0; j < c && d.Err == nil; j++ {
		n.Params = append(n.Params, Param{Name: d.Str(), Value: d.Str()})
	}
	return n, d.Done()
}

// SaveQuery stores n (its parameters checked by Parse; a page token is
// not part of a query), synced. A name the owner already uses is
// ErrQueryExists. The caller serialises saves of one owner.
func SaveQuery(db *store.DB, n *NamedQuery) error {
	if err := CheckName(n.Name); err != nil {
		return err
	}
	for _, p := range n.Params {
		if p.Name == "nextPageToken" {
			return &ParamError{Name: p.Name, Msg: "is not part of a named query (give it when reading the query's events)"}
		}
	}
	if _, err := Parse(n.Params); err != nil {
		return err
	}
	k := namedKey(n.Owner, n.Name)
	found, err := db.Has(k)
	if err != nil {
		return err
	}
	if found {
		return fmt.Errorf("%w: %q", ErrQueryExists, n.Name)
	}
	b := db.NewBatch()
	defer b.Close()
	if err := b.Set(k, n.appendValue(nil)); err != nil {
		return err
	}
	return b.Commit(true)
}

// GetQuery reads owner's query name.
func GetQuery(db *store.DB, owner, name string) (NamedQuery, bool, error) {
	var n NamedQuery
	k := namedKey(owner, name)
	found, err := db.Get(k, func(v []byte) (err error) {
		n, err = decodeNamed(k, v)
		return err
	})
	return n, found, err
}

// ListQueries lists owner's queries by name.
func ListQueries(db *store.DB, owner string) ([]NamedQuery, error) {
	lo := store.NamedQueryKey(owner, "")
	var out []NamedQuery
	err := db.Scan(lo, store.PrefixEnd(lo), func(k, v []byte) error {
		n, err := decodeNamed(k, v)
		if err == nil {
			out = append(out, n)
		}
		return err
	})
	return out, err
}

// DeleteQuery removes owner's query name, synced; found is false when
// there was none.
func DeleteQuery(db *store.DB, owner, name string) (bool, error) {
	k := namedKey(owner, name)
	found, err := db.Has(k)
	if err != nil || !found {
		return false, err
	}
	b := db.NewBatch()
	defer b.Close()
	if err := b.Delete(k); err != nil {
		return false, err
	}
	return true, b.Commit(true)
}
