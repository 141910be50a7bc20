package server

import (
	"testing"
	"time"
)

func TestRateLimiterBurstThenRate(t *testing.T) {
	rl := newRateLimiter(10, 5) // 10/s, burst 5
	t0 := time.Unix(1000, 0)
	for i := 0; i < 5; i++ {
		if !rl.allow(42, t0) {
			t.Fatalf("request %d within the burst was refused", i+1)
		}
	}
	if rl.allow(42, t0) {
		t.Fatal("6th request at the same instant was allowed; burst is 5")
	}
	if !rl.allow(7, t0) {
		t.Fatal("another client was refused: limits must be per client")
	}
	// 100 ms later one token has been refilled at 10/s.
	if !rl.allow(42, t0.Add(100*time.Millisecond)) {
		t.Fatal("refilled token refused")
	}
	if rl.allow(42, t0.Add(100*time.Millisecond)) {
		t.Fatal("second request after one refill allowed")
	}
}

func TestRateLimiterBoundedMemory(t *testing.T) {
	rl := newRateLimiter(1, 1)
	t0 := time.Unix(1000, 0)
	for c := uint64(0); c < 64*maxClientsPerShard*2; c++ {
		rl.allow(c, t0)
	}
	for i := range rl.shards {
		if n := len(rl.shards[i].clients); n > maxClientsPerShard {
			t.Fatalf("shard %d holds %d clients, bound is %d", i, n, maxClientsPerShard)
		}
	}
}
