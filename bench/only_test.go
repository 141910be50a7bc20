package bench

import "testing"

// TestOnly: --only resolve/http keeps the HTTP scenarios and the group
// that runs them (over the world), and nothing else; no --only keeps all.
func TestOnly(t *testing.T) {
	e := &env{cfg: Config{Only: []string{"resolve/http"}}}
	for name, want := range map[string]bool{"resolve/http": true, "resolve/http-half": true, "resolve": false, "pack": false, "mint": false} {
		if got := e.want(name); got != want {
			t.Errorf("want(%q) = %v under --only resolve/http, want %v", name, got, want)
		}
	}
	ran := map[string]bool{}
	for _, g := range groups {
		ran[g.name] = e.wantGroup(g)
	}
	if !ran["pack and resolve"] || ran["mint"] || ran["stream"] || ran["lookup"] || ran["capture and query"] {
		t.Errorf("groups run under --only resolve/http: %v; want only pack and resolve", ran)
	}
	all := &env{}
	for _, g := range groups {
		if !all.wantGroup(g) {
			t.Errorf("group %s skipped without --only", g.name)
		}
	}
}
