package credit

import "sort"

// Status is where an entry's publication is at a time.
type Status string

// The statuses.
const (
	StatusPending  Status = "pending"  // before its publish-from date
	StatusActive   Status = "active"   // published
	StatusRepaired Status = "repaired" // a regulator approved its repair: no longer published
	StatusExpired  Status = "expired"  // past its expiry
)

// status returns e's status at now. REQUIRES b.mu held.
func (b *Book) status(e *Record, now int64) Status {
	for _, i := range b.decide[e.Seq] {
		if b.recs[i].Approved {
			return StatusRepaired
		}
	}
	switch {
	case now < e.PublishFrom:
		return StatusPending
	case e.Expiry != 0 && now >= e.Expiry:
		return StatusExpired
	}
	return StatusActive
}

// Entry is an entry as read: the record, its status and its repair
// history.
type Entry struct {
	Record
	Status Status `json:"status"`
	// Repair is "applied" while an application is pending, else the last
	// decision's outcome ("approved", "refused"), or "" if none.
	Repair  string   `json:"repair,omitempty"`
	History []Record `json:"repair_history,omitempty"`
}

// view builds e's Entry at now. REQUIRES b.mu held.
func (b *Book) view(e *Record, now int64) Entry {
	v := Entry{Record: *e, Status: b.status(e, now)}
	for _, r := range b.byUSCC[e.USCC] {
		x := &b.recs[r]
		if x.Target != e.Seq || x.Type == TypeEntry {
			continue
		}
		v.History = append(v.History, *x)
		switch {
		case x.Type == TypeApply:
			v.Repair = "applied"
		case x.Approved:
			v.Repair = "approved"
		default:
			v.Repair = "refused"
		}
	}
	return v
}

// Entries returns the entries about uscc at now, newest first: all of
// them (all: for the organisation itself and its regulators) or only the
// published ones (for everyone else).
func (b *Book) Entries(uscc string, now int64, all bool) []Entry {
	b.mu.RLock()
	defer b.mu.RUnlock()
	var out []Entry
	idx := b.byUSCC[uscc]
	for i := len(idx) - 1; i >= 0; i-- {
		e := &b.recs[idx[i]]
		if e.Type != TypeEntry {
			continue
		}
		v := b.view(e, now)
		if all || v.Status == StatusActive {
			out = append(out, v)
		}
	}
	return out
}

// Entry returns entry seq at now.
func (b *Book) Entry(seq uint64, now int64) (Entry, error) {
	b.mu.RLock()
	defer b.mu.RUnlock()
	e, err := b.entry(seq)
	if err != nil {
		return Entry{}, err
	}
	return b.view(e, now), nil
}

// Listed returns the active entries of the public lists — the serious
// violation list and the abnormal-operations list — at now, serious
// violations first, then newest first.
func (b *Book) Listed(now int64) []Entry {
	b.mu.RLock()
	defer b.mu.RUnlock()
	var out []Entry
	for i := len(b.recs) - 1; i >= 0; i-- {
		e := &b.recs[i]
		if e.Type != TypeEntry || (e.Kind != SeriousViolation && e.Kind != Abnormal) {
			continue
		}
		if v := b.view(e, now); v.Status == StatusActive {
			out = append(out, v)
		}
	}
	sort.SliceStable(out, func(i, j int) bool {
		return out[i].Kind == SeriousViolation && out[j].Kind != SeriousViolation
	})
	return out
}

// Pending returns the entries with a repair application pending, for
// regulators covering covers (nil: all), oldest application first.
func (b *Book) Pending(covers func(region uint32) bool, now int64) []Entry {
	b.mu.RLock()
	defer b.mu.RUnlock()
	var out []Entry
	for seq := range b.apply {
		e := &b.recs[seq-1]
		if covers == nil || covers(e.Region) {
			out = append(out, b.view(e, now))
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Seq < out[j].Seq })
	return out
}

// Warning returns the active serious-violation entry about uscc at now
// (the newest), which the scan pages of the organisation's products show.
func (b *Book) Warning(uscc string, now int64) (Entry, bool) {
	if uscc == "" {
		return Entry{}, false
	}
	b.mu.RLock()
	defer b.mu.RUnlock()
	idx := b.byUSCC[uscc]
	for i := len(idx) - 1; i >= 0; i-- {
		e := &b.recs[idx[i]]
		if e.Type == TypeEntry && e.Kind == SeriousViolation && b.status(e, now) == StatusActive {
			return b.view(e, now), true
		}
	}
	return Entry{}, false
}

// RiskClass is an organisation's risk class for spot-check sampling
// (双随机: the sampling ratio rises with the class).
type RiskClass uint8

// The risk classes, lowest first.
const (
	RiskLow        RiskClass = 1
	RiskMedium     RiskClass = 2
	RiskMediumHigh RiskClass = 3
	RiskHigh       RiskClass = 4
)

var riskNames = [...]string{"", "low", "medium", "medium-high", "high"}

// String returns "low", "medium", "medium-high" or "high".
func (c RiskClass) String() string {
	if c >= RiskLow && c <= RiskHigh {
		return riskNames[c]
	}
	return "unknown"
}

// MarshalText writes the name.
func (c RiskClass) MarshalText() ([]byte, error) { return []byte(c.String()), nil }

// RiskClass returns uscc's risk class at now, from its active entries:
// high on the serious violation list; medium-high when listed as abnormal,
// or with an active general or special penalty, failed spot check or
// confirmed alert; medium with only a minor penalty or a recall on
// record; low otherwise (docs/public.md).
func (b *Book) RiskClass(uscc string, now int64) RiskClass {
	b.mu.RLock()
	defer b.mu.RUnlock()
	c := RiskLow
	for _, i := range b.byUSCC[uscc] {
		e := &b.recs[i]
		if e.Type != TypeEntry || b.status(e, now) != StatusActive {
			continue
		}
		k := RiskLow
		switch e.Kind {
		case SeriousViolation:
			k = RiskHigh
		case Abnormal, SpotCheckFailed, AlertConfirmed:
			k = RiskMediumHigh
		case Penalty:
			k = RiskMediumHigh
			if e.Gravity == Minor {
				k = RiskMedium
			}
		case RecallHistory:
			k = RiskMedium
		}
		c = max(c, k)
	}
	return c
}
