package recall

import (
	"context"
	"encoding/json"
	"errors"
	"strings"
	"testing"
	"time"

	"tracecode/engine/outbox"
	"tracecode/engine/store"
)

// TestAckLink: every webhook notification carries its recipient's own
// link; the link acknowledges for that recipient only, once, and a link
// altered in any way (another recall, another organisation, a changed
// token, another store's key) is refused before anything is read.
func TestAckLink(t *testing.T) {
	db, err := store.Open(t.TempDir(), &store.Options{MinFreeBytes: -1})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	ob, _ := outbox.Open(db, outbox.Config{})
	bk, err := Open(db, ob, nil, DefaultClocks())
	if err != nil {
		t.Fatal(err)
	}
	bk.SetLinks(Links{Key: []byte("a store's secret, 32 bytes long."), Base: "https://trace.example.cn"})
	h1, h2 := newHook(t, "secret-of-the-distributor"), newHook(t, "secret-of-the-pharmacy-1")
	ob.SetWebhook(20, h1.srv.URL, h1.secret, 0)
	ob.SetWebhook(30, h2.srv.URL, h2.secret, 0)
	moves := []Move{{Org: 1, Kind: MoveShipped, Items: 1000}, {Org: 20, Kind: MoveReceived, Items: 1000, Cases: 100},
		{Org: 20, Kind: MoveShipped, Items: 300}, {Org: 30, Kind: MoveReceived, Items: 300, Cases: 30}}
	now := time.Date(2026, 12, 7, 9, 0, 0, 0, time.UTC).UnixMilli()
	party := func(org uint32) Party {
		return map[uint32]Party{20: {"Distributor", 620102}, 30: {"Pharmacy", 620103}}[org]
	}
	r, _, err := bk.Create(&Request{Level: LevelII, Sector: SectorFood, Producer: 1, ProducerName: "Dairy", ProducerRegion: 620100,
		Scope: Scope{Lots: []uint32{5}}, ReasonZH: "标签错误", ReasonEN: "wrong label", Now: now, Product: "奶粉", Lots: []string{"L1"}}, moves, party)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := ob.NewSender(h1.srv.Client(), nil, func() time.Time { return time.UnixMilli(now) }).Round(context.Background()); err != nil {
		t.Fatal(err)
	}
	links := map[uint32]string{}
	for org, h := range map[uint32]*hook{20: h1, 30: h2} {
		h.mu.Lock()
		if len(h.bodies) != 1 {
			t.Fatalf("org %d received %d notifications", org, len(h.bodies))
		}
		var n struct {
			AckLink string `json:"ack_link"`
		}
		if err := json.Unmarshal(h.bodies[0], &n); err != nil {
			t.Fatal(err)
		}
		h.mu.Unlock()
		want := "https://trace.example.cn/recalls/1/ack?org=" + map[uint32]string{20: "20", 30: "30"}[org] + "&t="
		if !strings.HasPrefix(n.AckLink, want) {
			t.Fatalf("org %d's link %q, want prefix %q", org, n.AckLink, want)
		}
		links[org] = n.AckLink[len(want):]
	}
	tok20 := links[20]
	if tok20 == links[30] {
		t.Fatal("two recipients got the same token")
	}
	flip := []byte(tok20)
	flip[3] ^= 1
	other := Links{Key: []byte("another store's secret, 32 bytes")}
	for _, c := range []struct {
		name  string
		id    uint64
		org   uint32
		token string
	}{
		{"the other recipient's token", r.ID, 20, links[30]},
		{"another organisation", r.ID, 30, tok20},
		{"another recall", r.ID + 1, 20, tok20},
		{"one character changed", r.ID, 20, string(flip)},
		{"truncated", r.ID, 20, tok20[:10]},
		{"not base64url", r.ID, 20, strings.Repeat("*", len(tok20))},
		{"empty", r.ID, 20, ""},
		{"another store's key", r.ID, 20, other.Token(r.ID, 20)},
	} {
		if _, err := bk.ByLink(c.id, c.org, c.token); !errors.Is(err, ErrLink) {
			t.Errorf("%s: ByLink: %v, want ErrLink", c.name, err)
		}
		if _, err := bk.AckByLink(c.id, c.org, c.token, "", now); !errors.Is(err, ErrLink) {
			t.Errorf("%s: AckByLink: %v, want ErrLink", c.name, err)
		}
	}
	v, err := bk.ByLink(r.ID, 20, tok20)
	if err != nil || v.Recipient.Org != 20 || v.Recipient.AtStart.Received != 1000 || v.Recall.ReasonEN != "wrong label" || v.Recipient.Acked != 0 {
		t.Fatalf("ByLink: %v %+v", err, v)
	}
	if _, err := bk.AckByLink(r.ID, 20, tok20, "已下架", now+60_000); err != nil {
		t.Fatal(err)
	}
	if _, err := bk.AckByLink(r.ID, 20, tok20, "", now+60_000); !errors.Is(err, ErrState) {
		t.Errorf("second acknowledgement: %v, want ErrState", err)
	}
	rs, _ := bk.Recipients(r.ID)
	for _, p := range rs {
		switch {
		case p.Org == 20 && (p.Acked != now+60_000 || p.AckedBy != "link" || p.AckNote != "已下架"):
			t.Errorf("distributor after its link: %+v", p)
		case p.Org == 30 && p.Acked != 0:
			t.Errorf("the pharmacy was acknowledged by the distributor's link: %+v", p)
		}
	}
	// A book without a key prints no link and accepts none.
	var off Links
	if off.URL(1, 20) != "" {
		t.Error("links off: URL not empty")
	}
	if err := off.Check(1, 20, tok20); !errors.Is(err, ErrLink) {
		t.Errorf("links off: Check %v", err)
	}
}

func FuzzAckLinkCheck(f *testing.F) {
	l := Links{Key: []byte("k")}
	f.Add(uint64(1), uint32(20), l.Token(1, 20))
	f.Add(uint64(0), uint32(0), "")
	f.Fuzz(func(t *testing.T, id uint64, org uint32, token string) {
		err := l.Check(id, org, token)
		if (err == nil) != (token == l.Token(id, org)) {
			t.Fatalf("Check(%d, %d, %q) = %v", id, org, token, err)
		}
	})
}
