// Package epcisq answers the EPCIS 2.0 query interface over the ledger:
// the standard query parameters of a SimpleEventQuery (GS1 EPCIS 2.0
// §8.2.7.1, as the REST binding spells them in the query string), read
// into a Query by Parse, planned onto one driving index of the ledger and
// filtered on each record's summary, page by page with a signed page
// token. It stores nothing of its own; who may see which record is asked
// of the caller through Env (the engine owns that rule).
package epcisq

import (
	"errors"
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"

	"tracecode/engine/epcis"
)

// ErrQueryParameter is the EPCIS QueryParameterException: a parameter is
// unknown, repeated or malformed. Errors wrap it in a *ParamError.
var ErrQueryParameter = errors.New("epcisq: query parameter")

// ErrQueryTooLarge is the EPCIS QueryTooLargeException: more events match
// than the query's maxEventCount.
var ErrQueryTooLarge = errors.New("epcisq: query too large")

// ErrQueryTooComplex is the EPCIS QueryTooComplexException: the query
// would read more records than an answer may.
var ErrQueryTooComplex = errors.New("epcisq: query too complex")

// ParamError names the parameter at fault.
type ParamError struct {
	Name  string
	Value string
	Msg   string
}

func (e *ParamError) Error() string {
	if e.Value == "" {
		return fmt.Sprintf("query parameter %s: %s", e.Name, e.Msg)
	}
	return fmt.Sprintf("query parameter %s=%q: %s", e.Name, e.Value, e.Msg)
}

// Unwrap makes errors.Is(err, ErrQueryParameter) true.
func (e *ParamError) Unwrap() error { return ErrQueryParameter }

// Param is one query parameter as received (the URL's decoded name and
// value).
type Param struct {
	Name, Value string
}

// Pair is a typed identifier the query asks for: a business transaction,
// a source or a destination of a CBV (or custom) type.
type Pair struct {
	Type string
	IDs  []string
}

// Query is a parsed SimpleEventQuery. Empty lists ask nothing; times are
// unix milliseconds with HasX saying the bound was given.
type Query struct {
	EventTypes   []epcis.EventType
	GEEventTime  int64
	LTEventTime  int64
	GERecordTime int64
	LTRecordTime int64
	Actions      []epcis.Action
	BizSteps     []string
	Dispositions []string
	ReadPoints   []string
	BizLocations []string
	PersistSet   []string // EQ_persistentDisposition_set
	PersistUnset []string // EQ_persistentDisposition_unset
	EventIDs     []string
	// ErrorDeclaration: 0 not asked, 1 EXISTS_errorDeclaration.
	ErrorDeclaration bool

	// MATCH_ parameters: codes as given (any form code.Parse reads).
	MatchEPC, MatchParentID, MatchInputEPC, MatchOutputEPC, MatchAnyEPC []string

	BizTx   []Pair // EQ_bizTransaction_{type}
	Sources []Pair // EQ_source_{type}
	Dests   []Pair // EQ_destination_{type}

	// ev are the conditions answered on the event as captured (WD_,
	// MATCH_…EPCClass, quantities, transformationID, error declaration).
	ev eventConds
	// needEv: ev asks what only the parsed event answers (Parse), see
	// needsEvent.
	needEv bool

	OrderBy         string // "", "eventTime" or "recordTime"
	Descending      bool   // orderDirection=DESC
	EventCountLimit int    // 0: none
	MaxEventCount   int    // 0: none
	PerPage         int
	PageToken       string
}

// Page sizes.
const (
	DefaultPerPage = 30
	MaxPerPage     = 1000
	// MaxValues bounds the values of one pipe-delimited parameter.
	MaxValues = 64
	// MaxParams bounds how many parameters a query has.
	MaxParams = 64
)

// Parse reads the standard query parameters. Every parameter is checked:
// an unknown or repeated name, an empty value or a malformed time, number
// or vocabulary term is a *ParamError naming it. Values of the EQ_,
// MATCH_ and eventType parameters are pipe-delimited lists (any one
// matches).
func Parse(params []Param) (*Query, error) {
	q := &Query{GEEventTime: math.MinInt64, LTEventTime: math.MaxInt64,
		GERecordTime: math.MinInt64, LTRecordTime: math.MaxInt64, PerPage: DefaultPerPage}
	if len(params) > MaxParams {
		return nil, &ParamError{Name: params[MaxParams].Name, Msg: fmt.Sprintf("a query has at most %d parameters", MaxParams)}
	}
	seen := make(map[string]bool, len(params))
	for _, p := range params {
		if seen[p.Name] {
			return nil, &ParamError{Name: p.Name, Msg: "is given twice (give a pipe-delimited list instead)"}
		}
		seen[p.Name] = true
		if err := q.set(p); err != nil {
			return nil, err
		}
	}
	q.needEv = q.ev.parsedOnly()
	return q, nil
}

// needsEvent reports whether the query has a condition only the parsed
// event answers (matchesEvent; WD_ the summary answers too); without one,
// a match needs no parse.
func (q *Query) needsEvent() bool { return q.needEv }

func bad(p Param, format string, args ...any) error {
	v := p.Value
	if len(v) > 80 {
		v = v[:80] + "…"
	}
	return &ParamError{Name: p.Name, Value: v, Msg: fmt.Sprintf(format, args...)}
}

// list splits a pipe-delimited value.
func list(p Param) ([]string, error) {
	if p.Value == "" {
		return nil, bad(p, "is empty")
	}
	vs := strings.Split(p.Value, "|")
	if len(vs) > MaxValues {
		return nil, bad(p, "lists more than %d values", MaxValues)
	}
	for _, v := range vs {
		if v == "" {
			return nil, bad(p, "has an empty value in its list")
		}
	}
	return vs, nil
}

// parseTime reads an xsd:dateTime with a zone (RFC 3339, fractions of a
// second allowed) as unix milliseconds.
func parseTime(p Param) (int64, error) {
	t, err := time.Parse(time.RFC3339Nano, p.Value)
	if err != nil {
		return 0, bad(p, "is not a date and time with a zone (2026-03-01T08:00:00Z, 2026-03-01T16:00:00.000+08:00)")
	}
	return t.UnixMilli(), nil
}

func positive(p Param) (int, error) {
	n, err := strconv.Atoi(p.Value)
	if err != nil || n < 1 {
		return 0, bad(p, "is not a positive integer")
	}
	return n, nil
}

func (q *Query) set(p Param) error {
	name := p.Name
	switch {
	case name == "eventType":
		vs, err := list(p)
		if err != nil {
			return err
		}
		for _, v := range vs {
			switch t := epcis.EventType(v); t {
			case epcis.ObjectEvent, epcis.AggregationEvent, epcis.TransactionEvent, epcis.TransformationEvent, epcis.AssociationEvent:
				q.EventTypes = append(q.EventTypes, t)
			default:
				return bad(p, "%q is not an EPCIS event type (ObjectEvent, AggregationEvent, TransactionEvent, TransformationEvent, AssociationEvent)", v)
			}
		}
	case name == "GE_eventTime" || name == "LT_eventTime" || name == "GE_recordTime" || name == "LT_recordTime":
		t, err := parseTime(p)
		if err != nil {
			return err
		}
		*map[string]*int64{"GE_eventTime": &q.GEEventTime, "LT_eventTime": &q.LTEventTime,
			"GE_recordTime": &q.GERecordTime, "LT_recordTime": &q.LTRecordTime}[name] = t
	case name == "EQ_action":
		vs, err := list(p)
		if err != nil {
			return err
		}
		for _, v := range vs {
			switch a := epcis.Action(v); a {
			case epcis.ActionAdd, epcis.ActionObserve, epcis.ActionDelete:
				q.Actions = append(q.Actions, a)
			default:
				return bad(p, "%q is not an action (ADD, OBSERVE, DELETE)", v)
			}
		}
	case name == "EQ_bizStep", name == "EQ_disposition", name == "EQ_persistentDisposition_set", name == "EQ_persistentDisposition_unset":
		vs, err := list(p)
		if err != nil {
			return err
		}
		for _, v := range vs {
			var n string
			if name == "EQ_bizStep" {
				s, err := epcis.ParseBizStep(v)
				if err != nil {
					return bad(p, "%v", err)
				}
				n = string(s)
			} else {
				d, err := epcis.ParseDisposition(v)
				if err != nil {
					return bad(p, "%v", err)
				}
				n = string(d)
			}
			dst := map[string]*[]string{"EQ_bizStep": &q.BizSteps, "EQ_disposition": &q.Dispositions,
				"EQ_persistentDisposition_set": &q.PersistSet, "EQ_persistentDisposition_unset": &q.PersistUnset}[name]
			*dst = append(*dst, n)
		}
	case name == "EQ_readPoint" || name == "EQ_bizLocation" || name == "EQ_eventID" ||
		name == "MATCH_epc" || name == "MATCH_parentID" || name == "MATCH_inputEPC" || name == "MATCH_outputEPC" || name == "MATCH_anyEPC":
		vs, err := list(p)
		if err != nil {
			return err
		}
		if strings.HasPrefix(name, "MATCH_") {
			for _, v := range vs {
				if strings.Contains(v, ":idpat:") || strings.HasSuffix(v, "*") {
					return bad(p, "%q is an EPC pattern; this store answers MATCH_ parameters for single codes (an SGTIN, SSCC or Digital Link of one item)", v)
				}
			}
		}
		*map[string]*[]string{"EQ_readPoint": &q.ReadPoints, "EQ_bizLocation": &q.BizLocations, "EQ_eventID": &q.EventIDs,
			"MATCH_epc": &q.MatchEPC, "MATCH_parentID": &q.MatchParentID, "MATCH_inputEPC": &q.MatchInputEPC,
			"MATCH_outputEPC": &q.MatchOutputEPC, "MATCH_anyEPC": &q.MatchAnyEPC}[name] = vs
	case name == "EXISTS_errorDeclaration":
		if p.Value != "" && p.Value != "true" {
			return bad(p, "takes no value (or true)")
		}
		q.ErrorDeclaration = true
	case strings.HasPrefix(name, "EQ_bizTransaction_"), strings.HasPrefix(name, "EQ_source_"), strings.HasPrefix(name, "EQ_destination_"):
		i := strings.IndexByte(name[3:], '_') + 3
		kind, typ := name[3:i], name[i+1:]
		if typ == "" {
			return bad(p, "names no type")
		}
		vs, err := list(p)
		if err != nil {
			return err
		}
		if kind == "bizTransaction" {
			t, err := epcis.ParseBizTransactionType(typ)
			if err != nil {
				return bad(p, "type %q: %v", typ, err)
			}
			q.BizTx = append(q.BizTx, Pair{Type: string(t), IDs: vs})
			break
		}
		t, err := epcis.ParseSourceDestType(typ)
		if err != nil {
			return bad(p, "type %q: %v", typ, err)
		}
		if kind == "source" {
			q.Sources = append(q.Sources, Pair{Type: string(t), IDs: vs})
		} else {
			q.Dests = append(q.Dests, Pair{Type: string(t), IDs: vs})
		}
	case name == "orderBy":
		if p.Value != "eventTime" && p.Value != "recordTime" {
			return bad(p, "orders by eventTime or recordTime")
		}
		q.OrderBy = p.Value
	case name == "orderDirection":
		if p.Value != "ASC" && p.Value != "DESC" {
			return bad(p, "is ASC or DESC")
		}
		q.Descending = p.Value == "DESC"
	case name == "eventCountLimit" || name == "maxEventCount" || name == "perPage":
		n, err := positive(p)
		if err != nil {
			return err
		}
		switch name {
		case "eventCountLimit":
			q.EventCountLimit = n
		case "maxEventCount":
			q.MaxEventCount = n
		default:
			q.PerPage = min(n, MaxPerPage)
		}
	case name == "nextPageToken":
		if p.Value == "" || len(p.Value) > 512 {
			return bad(p, "is not a page token of this server")
		}
		q.PageToken = p.Value
	default:
		if handled, err := q.setEvent(p); handled {
			return err
		}
		return bad(p, "is not a query parameter this server answers (see docs/epcis.md, \"Query\")")
	}
	if q.EventCountLimit > 0 && q.MaxEventCount > 0 {
		return &ParamError{Name: "maxEventCount", Msg: "cannot be given with eventCountLimit"}
	}
	if q.OrderBy == "" && q.Descending {
		// The standard orders by nothing unless asked; a direction alone
		// orders by record time.
		q.OrderBy = "recordTime"
	}
	return nil
}
