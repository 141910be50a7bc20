package model

import "fmt"

// CodeState is the state of one code as Lookup reports it. The per-item
// records add item states (commissioned, packed, shipped, …) above these.
type CodeState uint8

// The code states.
const (
	// StateIssued: the code is in an active block's issued range; it may
	// have been printed.
	StateIssued CodeState = 1
	// StateReleased: the code is in the released tail of a block — returned
	// unused by the line, never printed; a scan of it is suspicious.
	StateReleased CodeState = 2
	// StateVoided: the code's block was voided.
	StateVoided CodeState = 3
)

var codeStateNames = [...]string{"", "issued", "released", "voided"}

// String returns "issued", "released" or "voided".
func (s CodeState) String() string {
	if int(s) < len(codeStateNames) && s != 0 {
		return codeStateNames[s]
	}
	return fmt.Sprintf("state(%d)", uint8(s))
}

// MarshalText makes CodeState print as its name in JSON.
func (s CodeState) MarshalText() ([]byte, error) { return []byte(s.String()), nil }
