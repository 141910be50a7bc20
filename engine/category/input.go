package category

import "strings"

// Input returns the master data of the input product a use record names
// by ref: a key of Inputs as given (a registration or approval number, a
// pesticide code prefix, a vet-drug enterprise code), else the key the
// national trace code ref is read as — a 32-digit pesticide trace code
// (also after its trace URL) by its 11-digit prefix, a 24-digit
// veterinary-drug trace code by its 5-digit enterprise code. Nil when
// none is known.
func (h *History) Input(ref string) Record {
	if r, ok := h.Inputs[ref]; ok || ref == "" {
		return r
	}
	t := strings.TrimSpace(ref)
	if i := strings.LastIndexAny(t, "/="); i >= 0 && (strings.HasPrefix(t, "http://") || strings.HasPrefix(t, "https://")) {
		t = t[i+1:]
	}
	if strings.Trim(t, "0123456789") != "" {
		return nil
	}
	switch len(t) {
	case 32:
		return h.Inputs[t[:11]]
	case 24:
		return h.Inputs[t[8:13]]
	}
	return nil
}
