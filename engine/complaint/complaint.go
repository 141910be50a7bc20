// Package complaint is the complaint desk (投诉举报): consumers report a
// problem from a product's scan page, the complaint is routed to the
// market regulator of the county where the product was sold (else where
// it was made), the regulator decides within 7 working days whether to
// accept it (总局令第20号 [S]), handles it and records a result, which the
// complainant looks up by tracking number. Overdue acceptance decisions
// raise an alert (rule complaint-acceptance-overdue).
//
// The complainant's name and phone are seen by the regulators the
// complaint is routed to, never by the organisations it is about.
// docs/public.md ("Complaints") describes the rules and their sources.
package complaint

import (
	"errors"
	"fmt"

	"tracecode/engine/internal/wire"
	"tracecode/engine/store"
)

// Errors. ErrInvalid wraps a message naming the field at fault.
var (
	ErrInvalid   = errors.New("complaint: invalid")
	ErrNotFound  = errors.New("complaint: not found")
	ErrForbidden = errors.New("complaint: not allowed")
	ErrState     = errors.New("complaint: wrong state")
	// ErrDuplicate: the same phone filed the same text about the same
	// code within the duplicate window; the error names the first
	// complaint's tracking number.
	ErrDuplicate = errors.New("complaint: duplicate")
)

// State is where a complaint is. Numeric values are persisted.
type State uint8

// The states: received → accepted → closed (with a result), or received
// → refused (not accepted, with the reasons).
const (
	Received State = 1
	Accepted State = 2
	Refused  State = 3
	Closed   State = 4
)

var stateNames = [...]string{"", "received", "accepted", "refused", "closed"}

// String returns the state's name.
func (s State) String() string {
	if s >= Received && s <= Closed {
		return stateNames[s]
	}
	return fmt.Sprintf("state(%d)", uint8(s))
}

// MarshalText writes the name.
func (s State) MarshalText() ([]byte, error) { return []byte(s.String()), nil }

// UnmarshalText reads the name.
func (s *State) UnmarshalText(b []byte) error {
	for i, n := range stateNames {
		if i > 0 && n == string(b) {
			*s = State(i)
			return nil
		}
	}
	return fmt.Errorf("%w: state %q", ErrInvalid, b)
}

// Change is a step of a complaint: who moved it to which state, when,
// with what note (the reasons of a refusal, the result of a closing).
type Change struct {
	State State  `json:"state"`
	Time  int64  `json:"time"`
	By    string `json:"by,omitempty"`
	Note  string `json:"note,omitempty"`
}

// Complaint is one complaint.
//
// # Representation
//
// Key: 0xBC | tracking str. Value: ver=1 | created varint | code str |
// product uvarint | lot uvarint | producer uvarint | seller uvarint |
// region uvarint | anonymous u8 | name str | phone str | text str | n
// uvarint | n × photo sha256 [32] | request id str | state u8 | due varint
// | n uvarint | n × (state u8 | time varint | by str | note str).
type Complaint struct {
	Tracking string `json:"tracking"`
	Created  int64  `json:"created"`
	Code     string `json:"code"`
	Product  uint32 `json:"product,omitzero"`
	Lot      uint32 `json:"lot,omitzero"`
	Producer uint32 `json:"producer,omitzero"`
	Seller   uint32 `json:"seller,omitzero"`
	// Region is the county the complaint is routed to.
	Region    uint32     `json:"region"`
	Anonymous bool       `json:"anonymous"`
	Name      string     `json:"name,omitempty"`
	Phone     string     `json:"phone,omitempty"`
	Text      string     `json:"text"`
	Photos    [][32]byte `json:"-"`
	RequestID string     `json:"-"`
	State     State      `json:"state"`
	// Due is the end of the acceptance decision's last working day, unix
	// ms.
	Due     int64    `json:"due"`
	Changes []Change `json:"changes,omitempty"`
}

const complaintVersion = 1

// Key returns the store key of complaint tracking.
func Key(tracking string) []byte {
	return store.ComplaintKey(tracking)
}

// AppendBinary appends c's stored value (its tracking number is the key).
func (c *Complaint) AppendBinary(dst []byte) []byte {
	w := wire.Writer{B: dst}
	w.Version(complaintVersion)
	w.Varint(c.Created)
	w.Str(c.Code)
	for _, v := range [...]uint32{c.Product, c.Lot, c.Producer, c.Seller, c.Region} {
		w.U32(v)
	}
	w.Bool(c.Anonymous)
	w.Str(c.Name)
	w.Str(c.Phone)
	w.Str(c.Text)
	w.Count(len(c.Photos))
	for _, p := range c.Photos {
		w.Raw(p[:])
	}
	w.Str(c.RequestID)
	w.U8(byte(c.State))
	w.Varint(c.Due)
	w.Count(len(c.Changes))
	for _, ch := range c.Changes {
		w.U8(byte(ch.State))
		w.Varint(ch.Time)
		w.Str(ch.By)
		w.Str(ch.Note)
	}
	return w.B
}

// Decode reads complaint tracking's stored value v.
func Decode(tracking string, v []byte) (Complaint, error) {
	c := Complaint{Tracking: tracking}
	d := wire.NewReader("complaint", v)
	d.Version(complaintVersion)
	c.Created = d.Varint()
	c.Code = d.Str()
	c.Product, c.Lot, c.Producer, c.Seller, c.Region = d.U32(), d.U32(), d.U32(), d.U32(), d.U32()
	c.Anonymous = d.U8() == 1
	c.Name = d.Str()
	c.Phone = d.Str()
	c.Text = d.Str()
	n := d.Count()
	for i := 0; i < n && d.Err == nil; i++ {
		var h [32]byte
		copy(h[:], d.Raw(32))
		c.Photos = append(c.Photos, h)
	}
	c.RequestID = d.Str()
	c.State = State(d.U8())
	c.Due = d.Varint()
	n = d.Count()
	for i := 0; i < n && d.Err == nil; i++ {
		ch := Change{State: State(d.U8()), Time: d.Varint()}
		ch.By = d.Str()
		ch.Note = d.Str()
		c.Changes = append(c.Changes, ch)
	}
	if err := d.Done(); err != nil {
		return c, err
	}
	if c.State < Received || c.State > Closed {
		return c, fmt.Errorf("%w: complaint %s: state %d", store.ErrCorrupt, tracking, c.State)
	}
	return c, nil
}
