package issue

import (
	"strconv"

	"tracecode/engine/code"
	"tracecode/engine/code/cn/pesticide"
	"tracecode/engine/serial"
)

// The national codes this engine mints outside GS1 — the 32-digit
// pesticide trace code and the 24-digit veterinary-drug trace code — name
// their product only by a prefix the product's own code holds: the
// pesticide code's 11 digits (registration kind, registration number,
// production kind, specification), the vet-drug code's 5-digit enterprise
// code. Several products may share an enterprise code, so a scanned code
// is tried under each, as a GS1 serial is under its key generations.

// sectorKey is the productsBySector key of a pesticide prefix ('p') or a
// vet-drug enterprise code ('v').
func sectorKey(kind byte, v string) string { return string(kind) + v }

// indexSector lists p under the national code prefixes its own code
// gives. REQUIRES exclusive access to st.
func (st *state) indexSector(p *product) {
	own := p.rec.OwnCode
	add := func(k string) {
		for _, id := range st.productsBySector[k] {
			if id == p.rec.ID {
				return
			}
		}
		st.productsBySector[k] = append(st.productsBySector[k], p.rec.ID)
	}
	if len(own) == pesticide.PrefixLen {
		if _, err := pesticide.New(own, "000000000000000000000"); err == nil {
			add(sectorKey('p', own))
		}
	}
	if len(own) >= 5 && allDigits(own[:5]) {
		add(sectorKey('v', own[:5]))
	}
}

func allDigits(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return s != ""
}

// lookupPesticide resolves a 32-digit pesticide trace code: the product
// whose own code is its 11-digit prefix, then the random part's key
// generation and FF1 value (serial.AppendPesticide).
func (e *Book) lookupPesticide(r *LookupResult, c *code.Code) error {
	r.Serial = c.Pest.Random()
	gen, v, ok := serial.ParsePesticide(r.Serial)
	if !ok {
		return lookupErr(ErrNeverIssued, "pesticide trace code %s: its random part %s was not written by this engine", c.Pest, r.Serial)
	}
	e.mu.RLock()
	defer e.mu.RUnlock()
	ids := e.st.productsBySector[sectorKey('p', c.Pest.Prefix())]
	if len(ids) == 0 {
		return lookupErr(ErrUnknownProduct, "pesticide trace code prefix %s (registration …%s, specification %s) is no product's own code",
			c.Pest.Prefix(), c.Pest.RegistrationSuffix(), c.Pest.Spec())
	}
	return e.findSector(r, ids, serial.Pesticide, int(gen), v, 0)
}

// lookupVet resolves a 24-digit veterinary-drug trace code: the products
// whose own code starts with its enterprise code, the FF1 value of its 11
// random digits, and the production date of the block's lot, which the
// code's first 8 digits must be.
func (e *Book) lookupVet(r *LookupResult, c *code.Code) error {
	r.Serial = c.Vet.Random()
	v, err := strconv.ParseUint(r.Serial, 10, 64) // 11 digits, validated by the parser
	if err != nil || v >= serial.VetDrug.Params().Domain {
		return lookupErr(ErrNeverIssued, "vet-drug trace code %s: its random part %s was not written by this engine", c.Vet, r.Serial)
	}
	y, m, d := c.Vet.Date()
	date := uint32(y*10000 + int(m)*100 + d)
	e.mu.RLock()
	defer e.mu.RUnlock()
	ids := e.st.productsBySector[sectorKey('v', c.Vet.Enterprise())]
	if len(ids) == 0 {
		return lookupErr(ErrUnknownProduct, "vet-drug enterprise code %s is no product's", c.Vet.Enterprise())
	}
	return e.findSector(r, ids, serial.VetDrug, -1, v, date)
}

// findSector tries serial value v of scheme s under each product of ids
// and returns the first answer that is not "never issued". produced, when
// not 0, is the production date (yyyymmdd) the code states, which must be
// its lot's. REQUIRES e.mu (read).
func (e *Book) findSector(r *LookupResult, ids []uint32, s Scheme, gen int, v uint64, produced uint32) error {
	format, ser := r.Format, r.Serial
	var last *LookupError
	for _, id := range ids {
		p := e.st.products[id]
		*r = LookupResult{Format: format, Serial: ser, Product: p.rec, Org: *e.st.orgs[p.rec.Org]}
		lerr := e.findOwn(r, p, s, gen, v)
		if lerr != nil && lerr.Kind == ErrNeverIssued {
			last = lerr
			continue
		}
		if lerr != nil {
			return lerr
		}
		if produced != 0 && r.Lot.Produced != produced {
			return lookupErr(ErrLotMismatch, "the code says production date %d but block %d was issued for lot %q produced %d",
				produced, r.Block.ID, r.Lot.Number, r.Lot.Produced)
		}
		return nil
	}
	if len(ids) > 1 {
		return lookupErr(ErrNeverIssued, "%s under none of the %d products sharing its prefix (last: %v)", ser, len(ids), last.Err)
	}
	return last
}
