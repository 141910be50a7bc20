package chain

import (
	"tracecode/engine/code"
	"tracecode/engine/ledger"
)

// locationDivision places a captured event's business location in a
// division for the ledger's region index, as the query's WD_ filter does
// (epcisq's LocationIn) with the site book of the record's time: the
// registered site of its GLN (an SGLN, or a Digital Link with AI 414),
// else the region of the organisation its company prefix names.
func locationDivision(iss Issuance, hooks Hooks) ledger.Division {
	return func(location string, seq uint64) uint32 {
		if c, err := code.Parse(location); err == nil {
			for _, el := range c.Elements {
				if el.AI != "414" {
					continue
				}
				if r, ok := hooks.SiteRegion(el.Value, seq); ok {
					return r
				}
			}
		}
		if o := iss.Org(partyOrg(iss, location)); o != nil {
			return o.Region
		}
		return 0
	}
}

// AtNextRecord runs fn holding the report lock, with the sequence number
// the next record will get: a change of what reports read (a site's
// region or GLN, for the region index) takes effect from that record.
func (c *Chain) AtNextRecord(fn func(next uint64) error) error {
	c.rmu.Lock()
	defer c.rmu.Unlock()
	return fn(c.led.NextSeq())
}
