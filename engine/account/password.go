package account

import (
	"crypto/rand"
	"crypto/subtle"
	"fmt"

	"golang.org/x/crypto/argon2"
)

// Params are Argon2id's cost parameters (RFC 9106).
type Params struct {
	Time    uint8  // passes over memory
	Memory  uint32 // KiB
	Threads uint8  // lanes
}

// DefaultParams are RFC 9106 §4's second recommended option: t=3
// passes, 64 MiB, 4 lanes — about 100 ms per hash on one core of a
// 2020s server, so a login costs one tenth of a second and an offline
// guess the same, with 64 MiB of memory each.
var DefaultParams = Params{Time: 3, Memory: 64 * 1024, Threads: 4}

func (p Params) validate() error {
	if p.Time == 0 || p.Memory < 8*uint32(p.Threads) || p.Threads == 0 {
		return fmt.Errorf("%w: argon2id parameters %+v (time ≥ 1, threads ≥ 1, memory ≥ 8 KiB per thread)", ErrInvalid, p)
	}
	return nil
}

// passwordHash is an Argon2id hash with the parameters it was made with.
type passwordHash struct {
	time    uint8
	memory  uint32
	threads uint8
	salt    [16]byte
	hash    [32]byte
}

func (h *passwordHash) params() Params { return Params{h.time, h.memory, h.threads} }

func newPasswordHash(password string, p Params) (passwordHash, error) {
	h := passwordHash{time: p.Time, memory: p.Memory, threads: p.Threads}
	if _, err := rand.Read(h.salt[:]); err != nil {
		return passwordHash{}, fmt.Errorf("account: random salt: %w", err)
	}
	copy(h.hash[:], argon2.IDKey([]byte(password), h.salt[:], uint32(p.Time), p.Memory, p.Threads, uint32(len(h.hash))))
	return h, nil
}

// matches reports whether password hashes to h, in constant time.
func (h *passwordHash) matches(password string) bool {
	if h.time == 0 || h.threads == 0 {
		return false
	}
	got := argon2.IDKey([]byte(password), h.salt[:], uint32(h.time), h.memory, h.threads, uint32(len(h.hash)))
	return subtle.ConstantTimeCompare(got, h.hash[:]) == 1
}
