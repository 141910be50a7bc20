package credit

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"time"
)

// Body is the JSON body of a new entry (POST /v1/credit). Dates are
// yyyy-mm-dd in the book's clock (China Standard Time by default).
type Body struct {
	USCC        string `json:"uscc"`
	Kind        string `json:"kind"`
	Gravity     string `json:"gravity"`
	Document    string `json:"document"`
	SummaryZH   string `json:"summary_zh"`
	SummaryEN   string `json:"summary_en"`
	PublishFrom string `json:"publish_from"`
	RepairFrom  string `json:"repair_from"`
	Expiry      string `json:"expiry"`
	RequestID   string `json:"request_id"`
}

// MaxBody bounds an entry's JSON body.
const MaxBody = 16 << 10

// ParseBody reads a new entry's JSON body: unknown fields, trailing data
// and bad values are refused with an error naming the field.
func ParseBody(b []byte, loc *time.Location) (uscc string, in Input, err error) {
	if len(b) > MaxBody {
		return "", in, fmt.Errorf("%w: body: longer than %d bytes", ErrInvalid, MaxBody)
	}
	var x Body
	d := json.NewDecoder(bytes.NewReader(b))
	d.DisallowUnknownFields()
	if err := d.Decode(&x); err != nil {
		return "", in, fmt.Errorf("%w: body: %v", ErrInvalid, err)
	}
	if _, err := d.Token(); !errors.Is(err, io.EOF) {
		return "", in, fmt.Errorf("%w: body: trailing data after the JSON object", ErrInvalid)
	}
	if err := CheckUSCC(x.USCC); err != nil {
		return "", in, err
	}
	if in.Kind, err = ParseKind(x.Kind); err != nil {
		return "", in, err
	}
	if x.Gravity != "" {
		if in.Gravity, err = ParseGravity(x.Gravity); err != nil {
			return "", in, err
		}
	}
	in.Doc, in.SummaryZH, in.SummaryEN, in.RequestID = x.Document, x.SummaryZH, x.SummaryEN, x.RequestID
	for _, f := range []struct {
		name string
		v    string
		dst  *int64
	}{{"publish_from", x.PublishFrom, &in.PublishFrom}, {"repair_from", x.RepairFrom, &in.RepairFrom}, {"expiry", x.Expiry, &in.Expiry}} {
		if f.v == "" {
			continue
		}
		t, err := time.ParseInLocation("2006-01-02", f.v, loc)
		if err != nil || t.Year() < 1990 || t.Year() > 2200 {
			return "", in, fmt.Errorf("%w: %s %q: want a date yyyy-mm-dd between 1990 and 2200", ErrInvalid, f.name, f.v)
		}
		*f.dst = t.UnixMilli()
	}
	return x.USCC, in, in.Check()
}
