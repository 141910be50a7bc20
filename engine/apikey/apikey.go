package apikey

import (
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"fmt"
	"strings"
	"sync"
	"time"

	"tracecode/engine/code/cn"
	"tracecode/engine/internal/wire"
	"tracecode/engine/model"
	"tracecode/engine/store"
)

// Scope is a set of permissions of an API key, one bit per permission.
// The numeric values are persisted in Key records: never renumber them.
type Scope uint8

// The scopes. A key holds any combination.
const (
	// ScopeMint lets a key mint blocks and stream their codes.
	ScopeMint Scope = 1 << 0
	// ScopeReport lets a key send line reports: commission, void, release,
	// aggregation (pack and unpack).
	ScopeReport Scope = 1 << 1
	// ScopeEvents lets a key capture supply-chain events (EPCIS) and
	// declare recalls of its organisation's lots.
	ScopeEvents Scope = 1 << 2
	// ScopeAdmin lets a key manage its organisation's master data
	// (products, lots) and its API keys; with Org 0 it manages everything
	// (the operator's key).
	ScopeAdmin Scope = 1 << 3
	// ScopeRegulator lets a key read the private chain of every code
	// produced in, or handled in, the key's Region, and read forward traces
	// of recalls there.
	ScopeRegulator Scope = 1 << 4
)

// scopeNames are in bit order.
var scopeNames = [...]string{"mint", "report", "events", "admin", "regulator"}

// AllScopes lists every scope name, in bit order.
func AllScopes() []string { return append([]string(nil), scopeNames[:]...) }

// Has reports whether s includes every scope of want.
func (s Scope) Has(want Scope) bool { return s&want == want }

// Names returns the scope names in s, in bit order.
func (s Scope) Names() []string {
	var out []string
	for i, n := range scopeNames {
		if s&(1<<i) != 0 {
			out = append(out, n)
		}
	}
	return out
}

// String lists the scopes comma-separated ("mint,report").
func (s Scope) String() string { return strings.Join(s.Names(), ",") }

// ParseScopes parses a comma-separated list of scope names.
func ParseScopes(list string) (Scope, error) {
	var s Scope
	for _, name := range strings.Split(list, ",") {
		name = strings.TrimSpace(name)
		if name == "" {
			continue
		}
		found := false
		for i, n := range scopeNames {
			if n == name {
				s |= 1 << i
				found = true
			}
		}
		if !found {
			return 0, fmt.Errorf("engine: unknown scope %q (want %s)", name, strings.Join(scopeNames[:], ", "))
		}
	}
	if s == 0 {
		return 0, errors.New("engine: an API key needs at least one scope")
	}
	return s, nil
}

// Key is the stored record of an API key: who it belongs to and what
// it may do. The secret itself is never stored, only its SHA-256.
//
// # Representation (value of key 0xC8|id, version 1)
//
//	ver=1 | created varint | revoked varint | org uvarint | scopes u8 | region uvarint
//	      | hash [32] | name str
//
// Plain SHA-256 (no slow KDF) is enough because the secret is 256 random
// bits: there is nothing to brute-force.
type Key struct {
	ID      uint64 // random, public (the token's first part); never reused
	Org     uint32 // organisation the key acts for; 0 = none (operator or regulator)
	Scopes  Scope
	Region  uint32 // GB/T 2260 division a regulator key covers (330000 = Zhejiang, 330100 = Hangzhou); 0 otherwise
	Name    string // a person-readable label
	Created int64  // unix milliseconds
	Revoked int64  // unix milliseconds; 0 = active
	hash    [32]byte
}

const apiKeyVersion = 1

// TokenPrefix starts every API key token.
const TokenPrefix = "tck_"

// Errors of the API-key store.
var (
	ErrMalformed = errors.New("engine: API key is malformed (want tck_<16 hex>_<43 base64url>)")
	ErrUnknown   = errors.New("engine: API key is unknown or its secret is wrong")
	ErrRevoked   = errors.New("engine: API key was revoked")
)

func apiKeyKey(id uint64) []byte {
	return store.APIKeyKey(id)
}

func (k *Key) appendBinary(dst []byte) []byte {
	w := wire.Writer{B: dst}
	w.Version(apiKeyVersion)
	w.Varint(k.Created)
	w.Varint(k.Revoked)
	w.U32(k.Org)
	w.U8(byte(k.Scopes))
	w.U32(k.Region)
	w.Raw(k.hash[:])
	w.Str(k.Name)
	return w.B
}

func decodeAPIKey(id uint64, b []byte) (Key, error) {
	k := Key{ID: id}
	d := wire.NewReader(fmt.Sprintf("API key %016x", id), b)
	d.Version(apiKeyVersion)
	d.Field = "created"
	k.Created = d.Varint()
	d.Field = "revoked"
	k.Revoked = d.Varint()
	d.Field = "org"
	k.Org = d.U32()
	d.Field = "scopes"
	k.Scopes = Scope(d.U8())
	d.Field = "region"
	k.Region = d.U32()
	d.Field = "hash"
	copy(k.hash[:], d.Raw(len(k.hash)))
	d.Field = "name"
	k.Name = d.Str()
	d.Field = ""
	if err := d.Done(); err != nil {
		return Key{}, err
	}
	return k, nil
}

// Keys stores API keys in the engine's database. Authenticate is safe
// for concurrent use and caches verified keys in memory (revocation through
// this Keys drops the cache entry at once).
type Keys struct {
	db    *store.DB
	now   func() time.Time
	mu    sync.RWMutex
	cache map[uint64]Key // GUARDED_BY(mu); verified keys by ID
}

// New returns the API-key store over db.
func New(db *store.DB) *Keys {
	return &Keys{db: db, now: time.Now, cache: make(map[uint64]Key)}
}

// Options describe a key to create.
type Options struct {
	Org    uint32 // organisation; 0 for a regulator or operator key
	Scopes Scope  // at least one
	Region uint32 // required with ScopeRegulator: the GB/T 2260 division it covers
	Name   string // label, at most 200 bytes
}

// Create makes a new key and returns its token — shown once, never stored —
// and its record. The write is synced.
func (a *Keys) Create(o Options) (token string, key Key, err error) {
	switch {
	case o.Scopes == 0:
		return "", Key{}, errors.New("engine: an API key needs at least one scope")
	case o.Scopes.Has(ScopeRegulator) && o.Region == 0:
		return "", Key{}, errors.New("engine: a regulator key needs a region (GB/T 2260 code)")
	case o.Region != 0 && !o.Scopes.Has(ScopeRegulator):
		return "", Key{}, fmt.Errorf("%w: region %d given for a key without the regulator scope", model.ErrInvalid, o.Region)
	case len(o.Name) > 200:
		return "", Key{}, fmt.Errorf("engine: API key name has %d bytes, at most 200", len(o.Name))
	case o.Org == 0 && o.Scopes&(ScopeMint|ScopeReport|ScopeEvents) != 0:
		return "", Key{}, errors.New("engine: mint, report and events keys must belong to an organisation")
	}
	if o.Region != 0 {
		// The region table decides: "33" or "999999" would cover nothing
		// (or, read as a prefix, too much) and must not become a key.
		if _, err := cn.NewRegion(int(o.Region)); err != nil {
			return "", Key{}, fmt.Errorf("%w: regulator region: %w", model.ErrInvalid, err)
		}
	}
	var raw [8 + 32]byte
	if _, err := rand.Read(raw[:]); err != nil {
		return "", Key{}, fmt.Errorf("engine: random key: %w", err)
	}
	id := binary.BigEndian.Uint64(raw[:8]) | 1 // never 0
	secret := base64.RawURLEncoding.EncodeToString(raw[8:])
	key = Key{ID: id, Org: o.Org, Scopes: o.Scopes, Region: o.Region, Name: o.Name, Created: a.now().UnixMilli()}
	key.hash = sha256.Sum256([]byte(secret))
	if found, err := a.db.Has(apiKeyKey(id)); err != nil {
		return "", Key{}, err
	} else if found {
		return "", Key{}, errors.New("engine: API key id collision; try again")
	}
	b := a.db.NewBatch()
	b.Set(apiKeyKey(id), key.appendBinary(nil))
	if err := b.Commit(true); err != nil {
		return "", Key{}, err
	}
	return fmt.Sprintf("%s%016x_%s", TokenPrefix, id, secret), key, nil
}

// ParseID returns the public ID part of a token without checking the
// secret.
func ParseID(token string) (uint64, string, error) {
	if !strings.HasPrefix(token, TokenPrefix) || len(token) != len(TokenPrefix)+16+1+43 ||
		token[len(TokenPrefix)+16] != '_' {
		return 0, "", ErrMalformed
	}
	var idb [8]byte
	if _, err := hex.Decode(idb[:], []byte(token[len(TokenPrefix):len(TokenPrefix)+16])); err != nil {
		return 0, "", ErrMalformed
	}
	return binary.BigEndian.Uint64(idb[:]), token[len(TokenPrefix)+17:], nil
}

// Authenticate returns the key a token names if its secret matches and the
// key is not revoked.
func (a *Keys) Authenticate(token string) (Key, error) {
	id, secret, err := ParseID(token)
	if err != nil {
		return Key{}, err
	}
	sum := sha256.Sum256([]byte(secret))
	a.mu.RLock()
	k, ok := a.cache[id]
	a.mu.RUnlock()
	if !ok {
		var derr error
		found, err := a.db.Get(apiKeyKey(id), func(v []byte) error {
			k, derr = decodeAPIKey(id, v)
			return derr
		})
		if err != nil {
			return Key{}, err
		}
		if !found {
			return Key{}, ErrUnknown
		}
	}
	if subtle.ConstantTimeCompare(sum[:], k.hash[:]) != 1 {
		return Key{}, ErrUnknown
	}
	if k.Revoked != 0 {
		return Key{}, ErrRevoked
	}
	if !ok {
		a.mu.Lock()
		if len(a.cache) > 1<<16 {
			clear(a.cache)
		}
		a.cache[id] = k
		a.mu.Unlock()
	}
	return k, nil
}

// Get returns the key with the given ID.
func (a *Keys) Get(id uint64) (Key, bool, error) { return Read(a.db, id) }

// Getter reads one stored value: *store.DB and *store.Snapshot are
// Getters.
type Getter interface {
	Get(key []byte, fn func(v []byte) error) (found bool, err error)
}

// Read reads the key with the given ID through g (a snapshot, when a
// check reads the store as of one instant).
func Read(g Getter, id uint64) (Key, bool, error) {
	var k Key
	found, err := g.Get(apiKeyKey(id), func(v []byte) (err error) {
		k, err = decodeAPIKey(id, v)
		return err
	})
	return k, found, err
}

// Revoke marks the key revoked (synced). Revoking twice keeps the first time.
func (a *Keys) Revoke(id uint64) (Key, error) {
	k, found, err := a.Get(id)
	if err != nil {
		return Key{}, err
	}
	if !found {
		return Key{}, ErrUnknown
	}
	if k.Revoked == 0 {
		k.Revoked = a.now().UnixMilli()
		b := a.db.NewBatch()
		b.Set(apiKeyKey(id), k.appendBinary(nil))
		if err := b.Commit(true); err != nil {
			return Key{}, err
		}
	}
	a.mu.Lock()
	delete(a.cache, id)
	a.mu.Unlock()
	return k, nil
}

// List returns every key of org (every key at all if all is true), in ID
// order.
func (a *Keys) List(org uint32, all bool) ([]Key, error) {
	var out []Key
	err := a.db.ScanPrefix(store.APIKeyKeys.Prefix(), func(kb, v []byte) error {
		id, err := store.DecodeAPIKeyKey(kb)
		if err != nil {
			return err
		}
		k, err := decodeAPIKey(id, v)
		if err != nil {
			return err
		}
		if all || k.Org == org {
			out = append(out, k)
		}
		return nil
	})
	return out, err
}

// Any reports whether any API key exists (the demo seeds one only into an
// empty store).
func (a *Keys) Any() (bool, error) {
	var found bool
	err := a.db.ScanPrefix(store.APIKeyKeys.Prefix(), func(_, _ []byte) error {
		found = true
		return errAPIKeysStop
	})
	if errors.Is(err, errAPIKeysStop) {
		err = nil
	}
	return found, err
}

var errAPIKeysStop = errors.New("stop")

// RegionCovers reports whether the division region covers the division
// code: 330000 (a province) covers 33xxxx, 330100 (a prefecture) covers
// 3301xx, a county its 9-digit townships (620102 covers 620102001), anything
// else only itself (cn.Region.Contains). Code 0, and any code that is not a
// division, is in no region.
func RegionCovers(region, code uint32) bool {
	r, err := cn.NewRegion(int(region))
	if err != nil {
		return false
	}
	o, err := cn.NewRegion(int(code))
	return err == nil && r.Contains(o)
}

// Forget drops the verified keys cached in memory, so that the next
// Authenticate of each reads the store: a replica's server calls it once
// the writer's batches changed keys (a revocation on the writer).
func (a *Keys) Forget() {
	a.mu.Lock()
	clear(a.cache)
	a.mu.Unlock()
}

// Credential names key k in the records it writes: "key:" and its id in
// hex, or "account:" and the login of an account acting as a key.
func (k Key) Credential() string {
	if k.ID == 0 && k.Name != "" {
		return "account:" + k.Name
	}
	return fmt.Sprintf("key:%016x", k.ID)
}
