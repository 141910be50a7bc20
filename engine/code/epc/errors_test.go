package epc

import (
	"bufio"
	"encoding/hex"
	"errors"
	"flag"
	"os"
	"strconv"
	"strings"
	"testing"

	"tracecode/engine/code/gs1"
)

var rewrite = flag.Bool("rewrite", false, "rewrite the expected output in testdata/errors.txt")

// sentinels names every error a caller may test with errors.Is.
var sentinels = []struct {
	name string
	err  error
}{
	{"ErrSyntax", ErrSyntax}, {"ErrLength", ErrLength}, {"ErrHeader", ErrHeader},
	{"ErrScheme", ErrScheme}, {"ErrComponents", ErrComponents}, {"ErrPartition", ErrPartition},
	{"ErrCompanyPrefix", ErrCompanyPrefix}, {"ErrFilter", ErrFilter}, {"ErrRange", ErrRange},
	{"ErrSerial", ErrSerial}, {"ErrReserved", ErrReserved}, {"ErrZero", ErrZero},
	{"gs1.ErrCheckDigit", gs1.ErrCheckDigit},
}

// runErrorCase runs one line of errors.txt: an operation and its input.
//
//	hex <hex>                      DecodeHex
//	bin <hex>                      DecodeBinary of the decoded bytes
//	urn <urn>                      ParseURN
//	sgtin96 gtin= serial= cp= filter=   SGTINFromGTIN + AppendHex96
//	sgtin198 gtin= serial= cp= filter=  SGTINFromGTIN + AppendHex198
//	sscc96 sscc= cp= filter=       SSCCFromGS1 + AppendHex96
//	sgln gln= ext= cp=             SGLNFromGLN
//	lgtin gtin= lot= cp=           LGTINFromGTIN
//
// Keys (gtin=, sscc=, gln=) are copied into the gs1 array types unchecked,
// so that bad digits reach this package.
func runErrorCase(t *testing.T, op, in string) (string, error) {
	switch op {
	case "hex":
		tag, err := DecodeHex(in)
		return tag.String(), err
	case "bin":
		raw, err := hex.DecodeString(in)
		if err != nil {
			t.Fatalf("bin %s: %v", in, err)
		}
		tag, err := DecodeBinary(raw)
		return tag.String(), err
	case "urn":
		id, err := ParseURN(in)
		return id.String(), err
	}
	kv := map[string]string{}
	for _, f := range strings.Fields(in) {
		k, v, _ := strings.Cut(f, "=")
		kv[k] = v
	}
	num := func(k string) int {
		n, err := strconv.Atoi(kv[k])
		if err != nil {
			t.Fatalf("%s %s: %s=%q: %v", op, in, k, kv[k], err)
		}
		return n
	}
	var g gs1.GTIN
	copy(g[:], kv["gtin"])
	switch op {
	case "sgtin96", "sgtin198":
		s, err := SGTINFromGTIN(g, kv["serial"], num("cp"))
		if err != nil {
			return "", err
		}
		var b []byte
		if op == "sgtin96" {
			b, err = s.AppendHex96(nil, uint8(num("filter")))
		} else {
			b, err = s.AppendHex198(nil, uint8(num("filter")))
		}
		return string(b), err
	case "sscc96":
		var c gs1.SSCC
		copy(c[:], kv["sscc"])
		s, err := SSCCFromGS1(c, num("cp"))
		if err != nil {
			return "", err
		}
		b, err := s.AppendHex96(nil, uint8(num("filter")))
		return string(b), err
	case "sgln":
		var l gs1.GLN
		copy(l[:], kv["gln"])
		s, err := SGLNFromGLN(l, kv["ext"], num("cp"))
		return s.String(), err
	case "lgtin":
		c, err := LGTINFromGTIN(g, kv["lot"], num("cp"))
		return c.String(), err
	}
	t.Fatalf("unknown operation %q", op)
	return "", nil
}

// errorOutcome renders what a case produced, as errors.txt records it.
func errorOutcome(t *testing.T, out string, err error) []string {
	if err == nil {
		return []string{"ok: " + out}
	}
	var e *Error
	if !errors.As(err, &e) {
		t.Errorf("error %v is %T, want *epc.Error", err, err)
	}
	lines := []string{"error: " + err.Error()}
	var names []string
	for _, s := range sentinels {
		if errors.Is(err, s.err) {
			names = append(names, s.name)
		}
	}
	if len(names) == 0 {
		t.Errorf("error %v wraps no sentinel", err)
	}
	return append(lines, "is: "+strings.Join(names, " "))
}

// TestErrorsGolden runs every input in testdata/errors.txt and compares the
// error text and sentinel with the lines recorded under it. With -rewrite
// it records the current output instead; review the diff.
func TestErrorsGolden(t *testing.T) {
	const path = "testdata/errors.txt"
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var out strings.Builder
	var want []string
	var op, in string
	var opLine int
	cases := 0
	flush := func() {
		if op == "" {
			return
		}
		cases++
		res, err := runErrorCase(t, op, in)
		got := errorOutcome(t, res, err)
		for _, l := range got {
			out.WriteString(l + "\n")
		}
		if !*rewrite && strings.Join(got, "\n") != strings.Join(want, "\n") {
			t.Errorf("errors.txt:%d: %s %s\n got: %s\nwant: %s", opLine, op, in,
				strings.Join(got, "\n      "), strings.Join(want, "\n      "))
		}
		op, want = "", nil
	}
	sc := bufio.NewScanner(strings.NewReader(string(data)))
	for n := 1; sc.Scan(); n++ {
		line := sc.Text()
		switch {
		case strings.HasPrefix(line, "error: "), strings.HasPrefix(line, "is: "), strings.HasPrefix(line, "ok: "):
			want = append(want, line)
			continue
		case line == "" || strings.HasPrefix(line, "#"):
			flush()
			out.WriteString(line + "\n")
			continue
		}
		flush()
		out.WriteString(line + "\n")
		op, in, _ = strings.Cut(line, " ")
		opLine = n
	}
	flush()
	if *rewrite {
		if err := os.WriteFile(path, []byte(out.String()), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	if cases < 50 {
		t.Errorf("ran %d error cases, want at least 50", cases)
	}
}
