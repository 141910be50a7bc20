// Package export writes what an organisation's records say for others to
// read in bulk: the EPCIS 2.0 events it sees, as one JSON-LD or XML
// document streamed event by event (EPCIS), and the FDA FSMA 204
// electronic sortable spreadsheet of its critical tracking events (FSMA).
// It reads events through a Source (the engine's query interface) and
// stores nothing.
package export

import (
	"fmt"
	"io"
	"time"

	"tracecode/engine/apikey"
	"tracecode/engine/epcis"
	"tracecode/engine/model"
)

// Source calls fn for each event to export, in order, and stops at fn's
// first error. It may be called more than once (EPCIS reads it twice) and
// must give the same events each time.
type Source func(fn func(ev *epcis.Event) error) error

// EPCIS writes src's events to w as one EPCIS 2.0 document (XML when xml,
// else JSON-LD) created at now, holding one event in memory at a time: a
// first pass gathers the namespace prefixes the root declares, the
// second writes the events. It returns how many it wrote.
func EPCIS(w io.Writer, src Source, xml bool, now time.Time) (int, error) {
	ns := map[string]string{}
	if err := src(func(ev *epcis.Event) error { return epcis.AddNamespaces(ns, ev, xml) }); err != nil {
		return 0, err
	}
	dw, err := epcis.NewDocumentWriter(w, xml, epcis.Header{CreationDate: now.UTC().Truncate(time.Millisecond), Namespaces: ns})
	if err != nil {
		return 0, err
	}
	if err := src(dw.Write); err != nil {
		return dw.Events(), err
	}
	return dw.Events(), dw.Close()
}

// MayExport says whether key k may export organisation org's records
// (org's region orgRegion): org's own keys, a regulator of a division
// covering orgRegion, the operator. covers reports whether division a
// covers division b.
func MayExport(k apikey.Key, org, orgRegion uint32, covers func(a, b uint32) bool) error {
	switch {
	case k.Org == 0 && k.Scopes.Has(apikey.ScopeAdmin):
		return nil
	case k.Org != 0 && k.Org == org:
		return nil
	case k.Scopes.Has(apikey.ScopeRegulator) && k.Region != 0 && orgRegion != 0 && covers(k.Region, orgRegion):
		return nil
	}
	return fmt.Errorf("%w: an organisation's records are exported by its own keys, a regulator of its region or the operator", model.ErrWrongOrg)
}
