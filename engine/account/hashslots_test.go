package account

import (
	"errors"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// TestHashSlotsBoundLogins: concurrent logins never run more Argon2id
// computations at once than MaxConcurrentHashes (each holds Params.Memory
// for its duration); the rest wait for a slot and then complete.
func TestHashSlotsBoundLogins(t *testing.T) {
	f := newFixture(t)
	f.create(Actor{Operator: true}, NewOptions{Login: "clerk", Role: RoleOperator})
	const slots, logins = 2, 8
	s, err := Open(f.db, Options{Params: cheap, MaxConcurrentHashes: slots, Now: func() time.Time { return f.clock }})
	if err != nil {
		t.Fatal(err)
	}
	var in, most atomic.Int32
	entered := make(chan struct{}, logins)
	release := make(chan struct{})
	s.onHash = func() {
		n := in.Add(1)
		for m := most.Load(); n > m && !most.CompareAndSwap(m, n); m = most.Load() {
		}
		entered <- struct{}{}
		<-release
		in.Add(-1)
	}
	var wg sync.WaitGroup
	errs := make([]error, logins)
	for i := range logins {
		wg.Go(func() {
			pw := "correct horse battery"
			if i%2 == 1 {
				pw = "wrong"
			}
			_, _, _, errs[i] = s.Login(Credentials{Login: "clerk", Password: pw, Client: "192.0.2.1"},
				func(a *Account) Subject { return Subject{} })
		})
	}
	for range slots {
		<-entered
	}
	// Every other login is now queued behind the two held slots; give the
	// scheduler a moment to let any of them through if the bound is broken.
	time.Sleep(50 * time.Millisecond)
	if n := in.Load(); n != slots {
		t.Fatalf("%d hashes in progress with %d slots", n, slots)
	}
	close(release)
	wg.Wait()
	if m := most.Load(); m > slots {
		t.Errorf("at most %d hashes at once, saw %d", slots, m)
	}
	for i, err := range errs {
		if i%2 == 0 && err != nil && !errors.Is(err, ErrLogin) {
			t.Errorf("login %d: %v", i, err)
		}
	}
}
