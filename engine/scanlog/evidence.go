package scanlog

import (
	"fmt"

	"tracecode/engine/internal/wire"
)

// Clone evidence. A genuine item is scanned by its buyer, perhaps their
// family and a shop assistant; a copied label is scanned by many people in
// many places. The evidence is therefore who scanned, not how often: each
// distinct client counts once, weighted by how much its scan says (a
// person's phone more than a program, a crawler nothing), and an address
// counts at most maxPerAddress however many client classes it claims (a
// load test from one machine varying its User-Agent is still one
// machine). Regions count only when they come from a trusted edge. A
// regulator may confirm a flag (it stays) or clear it (the evidence so far
// is dropped; new clients may raise it again).

// MaxClients is how many distinct clients a Stats remembers.
const MaxClients = 16

// maxPerAddress caps what one address adds to Evidence; maxEvidence is
// the most Evidence can reach.
const (
	maxPerAddress = 2
	maxEvidence   = maxPerAddress * MaxClients
)

// ClientOf returns the client identity a scan is counted under: 24 bits
// of an FNV-1a hash of the client's address (its IP as the server trusts
// it) and the client class. The address is not stored and cannot be read
// back from it (2^8 addresses of the IPv4 space share each hash).
func ClientOf(addr []byte, c ClientClass) uint32 {
	h := uint32(2166136261)
	for _, b := range addr {
		h ^= uint32(b)
		h *= 16777619
	}
	return h&^0xff | uint32(c) | 1<<31 // never 0: 0 means unknown
}

// clientWeight is what one client of class c adds to Evidence.
func clientWeight(c ClientClass) int {
	switch c {
	case ClientBrowser, ClientWeChat, ClientAlipay:
		return 2 // a person with a phone
	case ClientBot:
		return 0 // a crawler or link previewer says nothing about the label
	}
	return 1
}

// addClient records client c (if known, new and there is room).
func (s *Stats) addClient(c uint32) {
	if c == 0 || int(s.NClient) >= MaxClients {
		return
	}
	for _, x := range s.Clients[:s.NClient] {
		if x == c {
			return
		}
	}
	s.Clients[s.NClient] = c
	s.NClient++
}

// Evidence is the weighted number of distinct clients that scanned the
// item since the last clear: the sum over addresses of the weights of
// their client classes, at most maxPerAddress an address.
func (s *Stats) Evidence() int {
	total := 0
	cs := s.Clients[:s.NClient]
	for i, c := range cs {
		first := true
		for _, d := range cs[:i] {
			if d>>8 == c>>8 {
				first = false
				break
			}
		}
		if !first {
			continue
		}
		w := 0
		for _, d := range cs[i:] {
			if d>>8 == c>>8 {
				w += clientWeight(ClientClass(d & 0x7f))
			}
		}
		total += min(w, maxPerAddress)
	}
	return total
}

// Verdict is a regulator's decision on an item's suspicious flag.
// Values are persisted: never renumber them.
type Verdict uint8

// The verdicts.
const (
	VerdictNone      Verdict = 0
	VerdictConfirmed Verdict = 1 // a copied label: suspicious until cleared
	VerdictCleared   Verdict = 2 // genuine: the evidence so far is dropped
)

// String returns "confirmed", "cleared" or "".
func (v Verdict) String() string {
	switch v {
	case VerdictConfirmed:
		return "confirmed"
	case VerdictCleared:
		return "cleared"
	}
	return ""
}

// Review is the last review of an item's flag.
type Review struct {
	Verdict Verdict
	Time    int64  // unix milliseconds
	Key     uint64 // the regulator's API key id
	Reason  string // why, for the record (at most 200 characters)
}

// decodeScanEvidence reads the version-2 tail of a Stats value into s
// from d; a damaged tail is recorded in d.Err.
func decodeScanEvidence(s *Stats, d *wire.Reader) {
	d.Field = "client count"
	if s.NClient = d.U8(); s.NClient > MaxClients {
		d.Fail(fmt.Sprintf("%d clients, at most %d", s.NClient, MaxClients))
		return
	}
	d.Field = "client"
	for i := range s.Clients[:s.NClient] {
		s.Clients[i] = d.BE32()
	}
	d.Field = "verdict"
	switch s.Review.Verdict = Verdict(d.U8()); s.Review.Verdict {
	case VerdictNone:
		return
	case VerdictConfirmed, VerdictCleared:
	default:
		d.Fail(fmt.Sprintf("unknown verdict %d", s.Review.Verdict))
		return
	}
	d.Field = "review time"
	s.Review.Time = d.Varint()
	d.Field = "review key"
	s.Review.Key = d.BE64()
	d.Field = "review reason"
	s.Review.Reason = d.Str()
}

// review applies rev to r's stats and writes them with fsync before
// returning: a regulator's decision must not be lost to a crash. A clear
// drops the clients and regions seen so far.
func (l *Log) Review(r Ref, rev Review) (Stats, error) {
	sh := &l.shards[r.shard()]
	sh.mu.Lock()
	e, ok := sh.m[r]
	if !ok {
		sh.mu.Unlock()
		loaded, err := l.load(r)
		if err != nil {
			return Stats{}, err
		}
		sh.mu.Lock()
		if e, ok = sh.m[r]; !ok {
			e = scanEntry{st: loaded}
		}
	}
	e.st.Review = rev
	if rev.Verdict == VerdictCleared {
		e.st.NClient, e.st.Clients = 0, [MaxClients]uint32{}
		e.st.NRegion, e.st.Regions = 0, [MaxRegions]uint32{}
	}
	if !e.dirty {
		e.dirty = true
		sh.dirty = append(sh.dirty, r)
	}
	sh.m[r] = e
	out := e.st
	sh.mu.Unlock()
	// Flush takes flushMu: a flush that snapshotted the old stats commits
	// before this one, which carries the review.
	if err := l.Flush(); err != nil {
		return Stats{}, err
	}
	out.Suspicious = l.suspicious(&out)
	return out, nil
}
