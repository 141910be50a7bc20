package main

import (
	"bytes"
	"fmt"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"tracecode/engine/chain"
	"tracecode/engine/code"
	"tracecode/engine/epcis"
)

// eventVerb is one CLI verb that records an EPCIS ObjectEvent: its CBV
// business step, action and default disposition.
type eventVerb struct {
	name, short, long string
	action            epcis.Action
	step              epcis.BizStep
	disp              epcis.Disposition
	needTo            bool // a shipment names its consignee
	example           string
}

var eventVerbs = []eventVerb{
	{name: "ship", short: "Record that codes left for another organisation (ObjectEvent OBSERVE, shipping)",
		long: `ship records that the codes (items, cases, pallets by SSCC) were shipped to the
organisation --to names: an EPCIS ObjectEvent with action OBSERVE, bizStep
shipping, disposition in_transit, and that organisation (the PGLN of its GS1
company prefix) as owning and possessing party in destinationList. Custody
moves when the consignee records receiving. Only the codes' holder may ship.`,
		action: epcis.ActionObserve, step: epcis.BizStepShipping, disp: epcis.DispInTransit, needTo: true,
		example: `  tracecode ship --data ./data --org 1 --to 3 'https://tc.example/01/09520123456788/21/A1B2C3'
  tracecode ship --data ./data --org 1 --to 3 --location urn:epc:id:sgln:6901234.00002.0 \
      --doc desadv=urn:epcglobal:cbv:bt:6901234000003:DN-1 '(00)395201230000000012'`},
	{name: "receive", short: "Record that shipped codes arrived (ObjectEvent OBSERVE, receiving)",
		long: `receive records that the codes arrived at the capturing organisation: an EPCIS
ObjectEvent with action OBSERVE, bizStep receiving and disposition
in_progress. Receiving what was shipped to --org makes it the holder.`,
		action: epcis.ActionObserve, step: epcis.BizStepReceiving, disp: epcis.DispInProgress,
		example: `  tracecode receive --data ./data --org 3 --location urn:epc:id:sgln:6923456.00001.0 '(00)395201230000000012'`},
	{name: "sell", short: "Record a retail sale (ObjectEvent DELETE, retail_selling)",
		long: `sell records that the codes were sold to consumers: an EPCIS ObjectEvent with
action DELETE, bizStep retail_selling and disposition retail_sold. A sold
code is decommissioned; a later scan of it shows the sale.`,
		action: epcis.ActionDelete, step: epcis.BizStepRetailSelling, disp: epcis.DispRetailSold,
		example: `  tracecode sell --data ./data --org 4 --time 2026-03-02T15:04:05+08:00 'https://tc.example/01/09520123456788/21/A1B2C3'`},
	{name: "dispense", short: "Record that a drug was dispensed (ObjectEvent DELETE, dispensing)",
		long: `dispense records that the codes (drug packs) were dispensed to a patient: an
EPCIS ObjectEvent with action DELETE, bizStep dispensing and disposition
dispensed (--disposition partially_dispensed for part of a pack, with
action OBSERVE).`,
		action: epcis.ActionDelete, step: epcis.BizStepDispensing, disp: epcis.DispDispensed,
		example: `  tracecode dispense --data ./data --org 5 --doc https://tracecode.example/epcis/btt/prescription=urn:epcglobal:cbv:bt:6909876000008:RX-1 '(01)06909876000015(21)P0001'`},
	{name: "inspect", short: "Record an inspection (ObjectEvent OBSERVE, inspecting)",
		long: `inspect records that the codes were inspected: an EPCIS ObjectEvent with action
OBSERVE and bizStep inspecting; --disposition gives the outcome (conformant,
non_conformant, active…; none by default). The codes' holder may record it,
and a regulator's key of the codes' region.`,
		action: epcis.ActionObserve, step: epcis.BizStepInspecting,
		example: `  tracecode inspect --data ./data --org 2 --disposition conformant --doc testres=urn:epcglobal:cbv:bt:6909876000005:INSP-7 urn:epc:id:sgtin:6909876.000001.C1`},
	{name: "destroy", short: "Record that codes were destroyed (ObjectEvent DELETE, destroying)",
		long: `destroy records that the codes were destroyed (expired or recalled goods, a
scrapped cylinder): an EPCIS ObjectEvent with action DELETE, bizStep
destroying and disposition destroyed. Only the holder may destroy.`,
		action: epcis.ActionDelete, step: epcis.BizStepDestroying, disp: epcis.DispDestroyed,
		example: `  tracecode destroy --data ./data --org 1 urn:epc:id:sgtin:9520123.045678.EXP01 urn:epc:id:sgtin:9520123.045678.EXP02`},
}

// verbFlags are the flags every event verb takes.
type verbFlags struct {
	data, at, location, readPoint, disposition, credential, requestID string
	docs                                                              []string
	org, to                                                           uint32
	jsonOut, print                                                    bool
}

func init() {
	for i := range eventVerbs {
		v := &eventVerbs[i]
		f := &verbFlags{}
		cmd := &cobra.Command{
			Use:     v.name + " --data DIR --org ID [flags] CODE…",
			Short:   v.short,
			Long:    v.long + verbCommonHelp,
			Example: v.example,
			Args:    cobra.MinimumNArgs(1),
			RunE: func(cmd *cobra.Command, args []string) (err error) {
				return runVerb(cmd, v, f, args)
			},
		}
		fl := cmd.Flags()
		storeDataFlag(cmd, &f.data)
		fl.Uint32Var(&f.org, "org", 0, "the organisation recording the event (required)")
		fl.Uint32Var(&f.to, "to", 0, "the organisation the codes go to (required for ship)")
		fl.StringVar(&f.at, "time", "", "when it happened, RFC 3339 with offset (default: now)")
		fl.StringVar(&f.location, "location", "", "where: the business location (an SGLN URN or a GS1 Digital Link with AI 414)")
		fl.StringVar(&f.readPoint, "read-point", "", "the read point (an SGLN URN or a Digital Link with AI 414)")
		fl.StringVar(&f.disposition, "disposition", string(v.disp), "the CBV disposition after the event")
		fl.StringArrayVar(&f.docs, "doc", nil, "a business document TYPE=ID: a CBV type (po, inv, desadv, testres…) or a URI, and the document's URI; repeatable")
		fl.StringVar(&f.credential, "credential", "cli", "who within the organisation records it")
		fl.StringVar(&f.requestID, "request-id", "", "idempotency key")
		fl.BoolVar(&f.jsonOut, "json", false, "print the receipt or the errors as JSON")
		fl.BoolVar(&f.print, "print", false, "print the EPCIS 2.0 document instead of capturing it")
		rootCmd.AddCommand(cmd)
	}
}

const verbCommonHelp = `

CODE is any code format tracecode reads (Digital Link URI, EPC URN, GS1
element string such as '(01)…(21)…' or '(00)…'). The event is the EPCIS
2.0 document POST /v1/events takes, captured through the same engine path
(capture): --print shows it instead. A rejected event prints every error
with the field and code at fault, and the exit status is 1.`

// runVerb builds the verb's event and captures it (or prints it).
func runVerb(cmd *cobra.Command, v *eventVerb, f *verbFlags, args []string) (err error) {
	if f.org == 0 {
		return fmt.Errorf("name the recording organisation with --org ID")
	}
	if v.needTo && f.to == 0 {
		return fmt.Errorf("%s needs --to ORG, the organisation the codes go to", v.name)
	}
	if !v.needTo && f.to != 0 {
		return fmt.Errorf("--to is for ship; %s names no consignee", v.name)
	}
	at := time.Now()
	if f.at != "" {
		if at, err = time.Parse(time.RFC3339, f.at); err != nil {
			return fmt.Errorf("--time %q: want RFC 3339, e.g. 2026-03-01T08:00:00+08:00", f.at)
		}
	}
	ev := epcis.Event{Type: epcis.ObjectEvent, EventTime: at, EventTimeZoneOffset: at.Format("-07:00"),
		Action: v.action, BizStep: v.step}
	if f.disposition != "" {
		d, err := epcis.ParseDisposition(f.disposition)
		if err != nil {
			return fmt.Errorf("--disposition: %w", err)
		}
		ev.Disposition = d
	}
	for i, a := range args {
		id, err := eventCode(a)
		if err != nil {
			return fmt.Errorf("code %d %q: %w", i+1, a, err)
		}
		ev.EPCList = append(ev.EPCList, epcis.Identifier{Raw: id, Canon: id})
	}
	for _, l := range []struct {
		flag, v string
		dst     *epcis.Location
	}{{"--location", f.location, &ev.BizLocation}, {"--read-point", f.readPoint, &ev.ReadPoint}} {
		if l.v != "" {
			if !strings.HasPrefix(l.v, "urn:epc:id:sgln:") && !strings.Contains(l.v, "/414/") {
				return fmt.Errorf("%s %q: want an SGLN URN (urn:epc:id:sgln:…) or a Digital Link with AI 414", l.flag, l.v)
			}
			*l.dst = epcis.Location{ID: epcis.Identifier{Raw: l.v, Canon: l.v}}
		}
	}
	for _, d := range f.docs {
		typ, id, ok := strings.Cut(d, "=")
		if !ok || id == "" {
			return fmt.Errorf("--doc %q: want TYPE=ID, e.g. po=urn:epcglobal:cbv:bt:6901234000003:PO-1", d)
		}
		bt, err := epcis.ParseBizTransactionType(typ)
		if err != nil {
			return fmt.Errorf("--doc %q: %w", d, err)
		}
		ev.BizTransactionList = append(ev.BizTransactionList, epcis.BizTransaction{Type: bt, ID: id})
	}
	e, err := storeOpen(f.data, f.print, nil)
	if err != nil {
		return err
	}
	defer storeClose(e, &err)
	if v.needTo {
		org, err := e.Issuance().Org(f.to)
		if err != nil {
			return fmt.Errorf("--to %d: %w", f.to, err)
		}
		if len(org.GCPs) == 0 {
			return fmt.Errorf("--to %d: organisation %q has no GS1 company prefix, so no PGLN can name it in destinationList", f.to, org.Name)
		}
		gcp := org.GCPs[0]
		pgln := epcis.Identifier{Raw: "urn:epc:id:pgln:" + gcp + "." + strings.Repeat("0", 12-len(gcp))}
		pgln.Canon = pgln.Raw
		ev.DestinationList = []epcis.SourceDest{{Type: epcis.SDTOwningParty, ID: pgln}, {Type: epcis.SDTPossessingParty, ID: pgln}}
	}
	var doc bytes.Buffer
	if err := epcis.MarshalDocument(&doc, []epcis.Event{ev}, &epcis.MarshalOptions{Header: epcis.Header{CreationDate: time.Now()}}); err != nil {
		return err
	}
	out := cmd.OutOrStdout()
	if f.print {
		_, err := out.Write(doc.Bytes())
		return err
	}
	rec, cerr := e.Reports().CaptureJSON(cmd.Context(), &doc, &chain.CaptureOptions{Org: f.org, Credential: f.credential, RequestID: f.requestID})
	return chainReceipt(out, f.jsonOut, rec, cerr)
}

// eventCode turns a code as typed into an EPCIS identifier: EPC URNs and
// Digital Link URIs as they are, other GS1 formats (element strings, bare
// SSCCs) as their Digital Link on id.gs1.org, which capture resolves like
// any other host's.
func eventCode(s string) (string, error) {
	s = strings.TrimSpace(s)
	c, err := code.Parse(s)
	if err != nil {
		return "", err
	}
	switch c.Format {
	case code.FormatEPCURN, code.FormatDigitalLink, code.FormatShort:
		return s, nil
	}
	dl, err := c.AppendDigitalLink(nil, "https://id.gs1.org")
	if err != nil {
		return "", fmt.Errorf("has no GS1 Digital Link form to put in an EPCIS event: %w", err)
	}
	return string(dl), nil
}
