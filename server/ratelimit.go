package server

import (
	"sync"
	"time"
)

// rateLimiter is a per-client token bucket for the public resolver: each
// client address may make Burst requests at once and Rate requests per
// second on average. It is sharded so concurrent handlers rarely contend.
//
// Memory is bounded: a shard forgets idle clients when it grows past
// maxClientsPerShard (a client idle long enough to have refilled its bucket
// loses nothing by being forgotten).
type rateLimiter struct {
	rate   float64 // tokens per second per client; > 0
	burst  float64 // bucket size in tokens; ≥ 1
	shards [64]rateShard
}

type rateShard struct {
	mu      sync.Mutex
	clients map[uint64]*bucket // REQUIRES: mu held
}

type bucket struct {
	tokens float64
	last   int64 // unix nanoseconds of the last refill
}

const maxClientsPerShard = 1 << 14

func newRateLimiter(rate float64, burst int) *rateLimiter {
	if burst < 1 {
		burst = 1
	}
	rl := &rateLimiter{rate: rate, burst: float64(burst)}
	for i := range rl.shards {
		rl.shards[i].clients = make(map[uint64]*bucket)
	}
	return rl
}

// allow takes one token for client (a hash of its address) at time now and
// reports whether the request may proceed.
func (rl *rateLimiter) allow(client uint64, now time.Time) bool {
	s := &rl.shards[client%uint64(len(rl.shards))]
	ns := now.UnixNano()
	s.mu.Lock()
	defer s.mu.Unlock()
	b := s.clients[client]
	if b == nil {
		if len(s.clients) >= maxClientsPerShard {
			s.evictIdle(ns, rl)
		}
		b = &bucket{tokens: rl.burst, last: ns}
		s.clients[client] = b
	}
	b.tokens += float64(ns-b.last) / 1e9 * rl.rate
	if b.tokens > rl.burst {
		b.tokens = rl.burst
	}
	b.last = ns
	if b.tokens < 1 {
		return false
	}
	b.tokens--
	return true
}

// evictIdle drops clients whose buckets would be full by now.
// REQUIRES: s.mu held.
func (s *rateShard) evictIdle(now int64, rl *rateLimiter) {
	full := int64(rl.burst / rl.rate * 1e9)
	for k, b := range s.clients {
		if now-b.last >= full {
			delete(s.clients, k)
		}
	}
	if len(s.clients) >= maxClientsPerShard {
		// Everyone is active: drop arbitrary entries rather than grow
		// without bound; they restart with a full bucket.
		n := 0
		for k := range s.clients {
			delete(s.clients, k)
			if n++; n >= maxClientsPerShard/4 {
				break
			}
		}
	}
}
