package epc

import (
	"bufio"
	"encoding/hex"
	"os"
	"strings"
	"testing"

	"tracecode/engine/code/gs1"
)

// vector is one block of testdata/vectors.txt.
type vector struct {
	line   int
	src    string
	hex    string
	hexin  []string
	tag    string
	urn    string
	urnin  []string
	gs1    string
	fields int
}

func readVectors(t testing.TB) []vector {
	t.Helper()
	f, err := os.Open("testdata/vectors.txt")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var out []vector
	var cur *vector
	sc := bufio.NewScanner(f)
	for n := 1; sc.Scan(); n++ {
		line := sc.Text()
		if strings.HasPrefix(line, "#") {
			continue
		}
		if strings.TrimSpace(line) == "" {
			cur = nil
			continue
		}
		k, v, ok := strings.Cut(line, ": ")
		if !ok {
			t.Fatalf("vectors.txt:%d: want key: value, got %q", n, line)
		}
		if cur == nil {
			out = append(out, vector{line: n})
			cur = &out[len(out)-1]
		}
		cur.fields++
		switch k {
		case "src":
			cur.src = v
		case "hex":
			cur.hex = v
		case "hexin":
			cur.hexin = append(cur.hexin, v)
		case "tag":
			cur.tag = v
		case "urn":
			cur.urn = v
		case "urnin":
			cur.urnin = append(cur.urnin, v)
		case "gs1":
			cur.gs1 = v
		default:
			t.Fatalf("vectors.txt:%d: unknown key %q", n, k)
		}
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}

// fromElementString builds the pure identity from a human-readable element
// string, the way a caller holding GS1 keys would: gs1.Parse* for the key,
// then the epc constructor with the company prefix length.
func fromElementString(t *testing.T, es string, cpLen int) Identity {
	t.Helper()
	ai, rest, _ := strings.Cut(strings.TrimPrefix(es, "("), ")")
	key, rest, _ := strings.Cut(rest, "(")
	ai2, val, _ := strings.Cut(rest, ")")
	var id Identity
	switch {
	case ai == "01" && ai2 == "21":
		g, err := gs1.ParseGTIN(key)
		if err != nil {
			t.Fatal(err)
		}
		s, err := SGTINFromGTIN(g, val, cpLen)
		if err != nil {
			t.Fatalf("SGTINFromGTIN(%s, %q, %d): %v", key, val, cpLen, err)
		}
		id = s.Identity()
	case ai == "01" && ai2 == "10":
		g, err := gs1.ParseGTIN(key)
		if err != nil {
			t.Fatal(err)
		}
		c, err := LGTINFromGTIN(g, val, cpLen)
		if err != nil {
			t.Fatalf("LGTINFromGTIN: %v", err)
		}
		id = c.Identity()
	case ai == "00":
		c, err := gs1.ParseSSCC(key)
		if err != nil {
			t.Fatal(err)
		}
		s, err := SSCCFromGS1(c, cpLen)
		if err != nil {
			t.Fatalf("SSCCFromGS1: %v", err)
		}
		id = s.Identity()
	case ai == "414":
		l, err := gs1.ParseGLN(key)
		if err != nil {
			t.Fatal(err)
		}
		s, err := SGLNFromGLN(l, val, cpLen)
		if err != nil {
			t.Fatalf("SGLNFromGLN: %v", err)
		}
		id = s.Identity()
	default:
		t.Fatalf("element string %q not understood by the test", es)
	}
	return id
}

func TestVectors(t *testing.T) {
	vs := readVectors(t)
	if len(vs) < 30 {
		t.Fatalf("read %d vectors, want at least 30", len(vs))
	}
	for _, v := range vs {
		t.Run(v.urn, func(t *testing.T) {
			t.Logf("vectors.txt:%d %s", v.line, v.src)
			// urn -> Identity -> urn, element string
			id, err := ParseURN(v.urn)
			if err != nil {
				t.Fatalf("ParseURN(%s): %v", v.urn, err)
			}
			if id.IsTag() {
				t.Errorf("ParseURN(%s).IsTag() = true", v.urn)
			}
			if got := id.String(); got != v.urn {
				t.Errorf("ParseURN(%s).String() = %s", v.urn, got)
			}
			if got := string(id.AppendElementString(nil)); got != v.gs1 {
				t.Errorf("element string of %s = %s, want %s", v.urn, got, v.gs1)
			}
			// GS1 keys + company prefix length -> the same Identity
			if got := fromElementString(t, v.gs1, id.CPLen()); got != id {
				t.Errorf("from %s with cpLen %d: %s, want %s", v.gs1, id.CPLen(), got, id)
			}
			for _, in := range v.urnin {
				alt, err := ParseURN(in)
				if err != nil {
					t.Errorf("ParseURN(%s): %v", in, err)
					continue
				}
				if alt.AppendURN(nil) == nil || string(alt.AppendURN(nil)) != v.urn {
					t.Errorf("ParseURN(%s) pure URN = %s, want %s", in, alt.AppendURN(nil), v.urn)
				}
			}
			if v.tag == "" {
				return
			}
			// tag URN <-> hex
			tid, err := ParseURN(v.tag)
			if err != nil {
				t.Fatalf("ParseURN(%s): %v", v.tag, err)
			}
			if got := tid.String(); got != v.tag {
				t.Errorf("ParseURN(%s).String() = %s", v.tag, got)
			}
			if got := string(tid.AppendURN(nil)); got != v.urn {
				t.Errorf("pure URN of %s = %s, want %s", v.tag, got, v.urn)
			}
			tag, ok := tid.Tag()
			if !ok {
				t.Fatalf("ParseURN(%s).Tag() not ok", v.tag)
			}
			if got := string(tag.AppendHex(nil)); got != v.hex {
				t.Errorf("hex of %s = %s, want %s", v.tag, got, v.hex)
			}
			for _, h := range append([]string{v.hex}, v.hexin...) {
				d, err := DecodeHex(h)
				if err != nil {
					t.Errorf("DecodeHex(%s): %v", h, err)
					continue
				}
				if d != tag {
					t.Errorf("DecodeHex(%s) = %s, want %s", h, d, tag)
				}
				if d.Identity() != tid {
					t.Errorf("DecodeHex(%s).Identity() = %s, want %s", h, d.Identity(), tid)
				}
				raw, _ := hex.DecodeString(h)
				if d2, err := DecodeBinary(raw); err != nil || d2 != tag {
					t.Errorf("DecodeBinary(%x) = %s, %v; want %s", raw, d2, err, tag)
				}
			}
			if got := hex.EncodeToString(tag.AppendBinary(nil)); !strings.EqualFold(got, v.hex) {
				t.Errorf("AppendBinary of %s = %s, want %s", v.tag, got, v.hex)
			}
			// the identity's own hex encoders give the same bytes
			switch tag.Scheme() {
			case SchemeSGTIN96:
				s, _ := id.SGTIN()
				if got, err := s.AppendHex96(nil, tag.Filter()); err != nil || string(got) != v.hex {
					t.Errorf("AppendHex96 = %s, %v; want %s", got, err, v.hex)
				}
			case SchemeSGTIN198:
				s, _ := id.SGTIN()
				if got, err := s.AppendHex198(nil, tag.Filter()); err != nil || string(got) != v.hex {
					t.Errorf("AppendHex198 = %s, %v; want %s", got, err, v.hex)
				}
			case SchemeSSCC96:
				c, _ := id.SSCC()
				if got, err := c.AppendHex96(nil, tag.Filter()); err != nil || string(got) != v.hex {
					t.Errorf("SSCC AppendHex96 = %s, %v; want %s", got, err, v.hex)
				}
			}
		})
	}
}
