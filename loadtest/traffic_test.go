package loadtest

import (
	"math"
	"strings"
	"testing"
)

func TestCorpusAdd(t *testing.T) {
	var c Corpus
	for _, line := range []string{
		"https://id.example.com/01/09520123456788/10/L1/21/ABC123",
		"HTTP://Other.Host:8080/01/09520123456788/21/X%2FY9?17=201225",
		"/01/09520123456788/21/ZZZ",
		"https://t.example/c/7K3M9QX2",
		"(01)09520123456788(21)12345",
		"83012345678901234567",
		"",
		"# a comment",
		"/unknown/path",
	} {
		c.Add(line)
	}
	if c.Len(FormDL) != 3 || c.Len(FormShort) != 1 || c.Len(FormResolve) != 5 || c.Skipped() != 1 {
		t.Fatalf("pools dl=%d short=%d resolve=%d skipped=%d; want 3 1 5 1",
			c.Len(FormDL), c.Len(FormShort), c.Len(FormResolve), c.Skipped())
	}
	tr := mustTraffic(t, &c, Mix{Forms: [numForms]float64{1, 1, 1}, Accepts: [numAccepts]float64{1, 0}, Seed: 1})
	want := map[Form][]string{
		FormDL: {
			"/01/09520123456788/10/L1/21/ABC123",
			"/01/09520123456788/21/X%2FY9?17=201225",
			"/01/09520123456788/21/ZZZ",
		},
		FormShort: {"/c/7K3M9QX2"},
		FormResolve: {
			"/resolve?code=%2801%2909520123456788%2810%29L1%2821%29ABC123",
			"/resolve?code=%2801%2909520123456788%2821%29X%2FY9",
			"/resolve?code=%2801%2909520123456788%2821%29ZZZ",
			"/resolve?code=%2801%2909520123456788%2821%2912345",
			"/resolve?code=83012345678901234567",
		},
	}
	// Forged copies change exactly one byte, inside the serial, within its
	// character class, never inside a %XX escape.
	wantForged := map[Form][]string{
		FormDL: {
			"/01/09520123456788/10/L1/21/ABC124",
			"/01/09520123456788/21/X%2FY0?17=201225",
			"/01/09520123456788/21/ZZA",
		},
		FormShort: {"/c/7K3M9QX3"},
		FormResolve: {
			"/resolve?code=%2801%2909520123456788%2810%29L1%2821%29ABC124",
			"/resolve?code=%2801%2909520123456788%2821%29X%2FY0",
			"/resolve?code=%2801%2909520123456788%2821%29ZZA",
			"/resolve?code=%2801%2909520123456788%2821%2912346",
			"/resolve?code=83012345678901234568",
		},
	}
	for f, paths := range want {
		for i, p := range paths {
			if got := string(tr.Append(nil, Pick{Form: f, Item: uint32(i)})); got != p {
				t.Errorf("%s[%d] = %q, want %q", f, i, got, p)
			}
			if got := string(tr.Append(nil, Pick{Form: f, Item: uint32(i), Forged: true})); got != wantForged[f][i] {
				t.Errorf("forged %s[%d] = %q, want %q", f, i, got, wantForged[f][i])
			}
		}
	}
}

func mustTraffic(t testing.TB, c *Corpus, m Mix) *Traffic {
	t.Helper()
	tr, err := NewTraffic(c, m)
	if err != nil {
		t.Fatal(err)
	}
	return tr
}

func TestForgeKeepsClass(t *testing.T) {
	for i := 0; i < 256; i++ {
		b := byte(i)
		f := forge(b)
		if isAlnum(b) {
			if f == b {
				t.Errorf("forge(%q) unchanged", b)
			}
			same := (b >= '0' && b <= '9') == (f >= '0' && f <= '9') && (b >= 'a' && b <= 'z') == (f >= 'a' && f <= 'z')
			if !same || !isAlnum(f) {
				t.Errorf("forge(%q) = %q changes class", b, f)
			}
		} else if f != b {
			t.Errorf("forge(%q) = %q: non-alphanumeric must stay", b, f)
		}
	}
}

// corpusN returns a corpus of n Digital Link codes with short forms.
func corpusN(n int) *Corpus {
	var c Corpus
	for i := range n {
		s := strings.Repeat("0", 8) + itoa(i)
		s = s[len(s)-8:]
		c.Add("https://h/01/09520123456788/21/S" + s)
		c.Add("https://h/c/C" + s)
	}
	return &c
}

func itoa(i int) string {
	if i == 0 {
		return "0"
	}
	var b []byte
	for ; i > 0; i /= 10 {
		b = append([]byte{byte('0' + i%10)}, b...)
	}
	return string(b)
}

func TestTrafficPickDeterministicAndMixed(t *testing.T) {
	c := corpusN(1000)
	m := Mix{Forms: [numForms]float64{0.6, 0.3, 0.1}, Accepts: [numAccepts]float64{0.75, 0.25}, Forged: 0.05,
		Theta: ScrambledTheta, Scrambled: true, Seed: 99}
	a, b := mustTraffic(t, c, m), mustTraffic(t, c, m)
	const n = 200_000
	var forms [numForms]int
	var accepts [numAccepts]int
	forged := 0
	for i := range int64(n) {
		p := a.Pick(i)
		if p != b.Pick(i) {
			t.Fatalf("Pick(%d) differs between two Traffic with the same seed", i)
		}
		forms[p.Form]++
		accepts[p.Accept]++
		if p.Forged {
			forged++
		}
	}
	share := func(k int) float64 { return float64(k) / n }
	for f, w := range m.Forms {
		if math.Abs(share(forms[f])-w) > 0.01 {
			t.Errorf("form %s share %.3f, want %.2f", Form(f), share(forms[f]), w)
		}
	}
	if math.Abs(share(accepts[AcceptHTML])-0.25) > 0.01 || math.Abs(share(forged)-0.05) > 0.005 {
		t.Errorf("html share %.3f (want 0.25), forged %.4f (want 0.05)", share(accepts[AcceptHTML]), share(forged))
	}
	// A different seed gives different traffic.
	m.Seed = 100
	other := mustTraffic(t, c, m)
	diff := 0
	for i := range int64(1000) {
		if other.Pick(i) != a.Pick(i) {
			diff++
		}
	}
	if diff < 500 {
		t.Errorf("seed change altered only %d of 1000 picks", diff)
	}
}

func TestTrafficEmptyFormRedistributed(t *testing.T) {
	var c Corpus
	c.Add("/01/09520123456788/21/A1")
	tr := mustTraffic(t, &c, DefaultMix)
	if len(tr.Warnings()) == 0 {
		t.Error("no warning for the missing short codes")
	}
	for i := range int64(10000) {
		if p := tr.Pick(i); p.Form == FormShort {
			t.Fatalf("picked the short form with no short codes")
		}
	}
	var empty Corpus
	if _, err := NewTraffic(&empty, DefaultMix); err == nil {
		t.Error("empty corpus accepted")
	}
}

func TestParseWeights(t *testing.T) {
	w, err := ParseWeights("dl=0.7, short=0.2,resolve=0.1", FormNames)
	if err != nil || w[0] != 0.7 || w[1] != 0.2 || w[2] != 0.1 {
		t.Errorf("got %v, %v", w, err)
	}
	for _, bad := range []string{"dl", "xx=1", "dl=-1", "dl=abc"} {
		if _, err := ParseWeights(bad, FormNames); err == nil {
			t.Errorf("%q accepted", bad)
		}
	}
}

func BenchmarkTrafficPickAppend(b *testing.B) {
	tr := mustTraffic(b, corpusN(100_000), DefaultMix)
	buf := make([]byte, 0, 256)
	b.ReportAllocs()
	for i := int64(0); b.Loop(); i++ {
		buf = tr.Append(buf[:0], tr.Pick(i))
	}
}
