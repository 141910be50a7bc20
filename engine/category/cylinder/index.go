package cylinder

import (
	"errors"
	"fmt"
	"sync"

	"tracecode/engine/category"
	"tracecode/engine/code/cn"
	cylcode "tracecode/engine/code/cn/cylinder"
)

// ErrUnknownStation is returned by Index.Check for a filling unit that is
// not registered as a station: only registered stations may ask.
var ErrUnknownStation = errors.New("cylinder: unknown filling station")

// Index holds the interlock's view of every registered cylinder and
// filling station in memory, for the check a station's scale or gun makes
// before every fill: registration code → Cylinder, USCC → Station. The
// engine fills it from its store at start and on every registration,
// inspection, rebinding and scrapping. It is safe for concurrent use;
// Check allocates nothing.
type Index struct {
	table *Table
	mu    sync.RWMutex
	cyl   map[cylcode.Code]Cylinder // keys are Code.Full()
	st    map[cn.USCC]Station
}

// NewIndex returns an empty index deciding under table t (DefaultTable
// when nil).
func NewIndex(t *Table) *Index {
	if t == nil {
		t = DefaultTable()
	}
	return &Index{table: t, cyl: map[cylcode.Code]Cylinder{}, st: map[cn.USCC]Station{}}
}

// PutCylinder records (or replaces) the state of the cylinder with code c.
func (x *Index) PutCylinder(c cylcode.Code, state Cylinder) {
	x.mu.Lock()
	x.cyl[c.Full()] = state
	x.mu.Unlock()
}

// PutStation records (or replaces) a filling station.
func (x *Index) PutStation(s Station) {
	x.mu.Lock()
	x.st[s.Filler] = s
	x.mu.Unlock()
}

// Len returns the number of cylinders indexed.
func (x *Index) Len() int {
	x.mu.RLock()
	defer x.mu.RUnlock()
	return len(x.cyl)
}

// Check decides whether the station of filling unit station (its USCC)
// may fill the cylinder whose registration code was scanned, on day
// today. A code that parses but is not indexed is denied as not
// registered; a code that does not parse, or a station that is not
// registered, is an error (the caller's input, not a decision).
func (x *Index) Check(code, station string, today category.Date) (Decision, error) {
	c, err := cylcode.Parse(code)
	if err != nil {
		return Decision{}, err
	}
	u, err := cn.ParseUSCC(station)
	if err != nil {
		return Decision{}, err
	}
	x.mu.RLock()
	cy, okc := x.cyl[c.Full()]
	s, oks := x.st[u]
	x.mu.RUnlock()
	if !oks {
		return Decision{}, fmt.Errorf("%w %s", ErrUnknownStation, station)
	}
	if !okc {
		cy = Cylinder{}
	}
	return CheckFill(&cy, &s, today, x.table), nil
}
