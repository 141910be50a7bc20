package issue

import (
	"bytes"
	"context"
	"crypto/aes"
	"crypto/cipher"
	"crypto/rand"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"fmt"
	"slices"

	"tracecode/engine/store"
)

// ErrKEK: the store's FF1 keys cannot be opened with the key-encryption
// key given (none, or another one), or a sealed key does not open under it.
// Nothing was read or written.
var ErrKEK = errors.New("engine: key-encryption key")

// KEK is a key-encryption key: the AES-256 key that seals the FF1 keys
// stored in the data directory (AES-256-GCM; docs/keys.md). It is kept
// outside the data directory — in a file or the environment — so that a
// copy of the directory alone cannot produce a single serial. The zero KEK
// is not valid; create one with NewKEK or ParseKEK.
type KEK struct {
	id  uint64 // the first 8 bytes of SHA-256("tracecode KEK id\x00" || key)
	key [32]byte
}

// NewKEK returns a fresh random KEK.
func NewKEK() (KEK, error) {
	var k [32]byte
	if _, err := rand.Read(k[:]); err != nil {
		return KEK{}, fmt.Errorf("%w: random key: %v", ErrKEK, err)
	}
	return kekOf(k), nil
}

func kekOf(key [32]byte) KEK {
	h := sha256.New()
	h.Write([]byte("tracecode KEK id\x00"))
	h.Write(key[:])
	return KEK{id: binary.BigEndian.Uint64(h.Sum(nil)), key: key}
}

// ParseKEK reads a KEK from its text form: 64 hexadecimal digits (32
// bytes; `openssl rand -hex 32` makes one), surrounding white space
// ignored. The error says what is wrong and where; it never quotes the
// text.
func ParseKEK(text []byte) (KEK, error) {
	t := bytes.TrimSpace(text)
	if len(t) != 64 {
		return KEK{}, fmt.Errorf("%w: has %d characters, want 64 hexadecimal digits (32 bytes)", ErrKEK, len(t))
	}
	var k [32]byte
	if _, err := hex.Decode(k[:], t); err != nil {
		i := slices.IndexFunc(t, func(c byte) bool {
			return !('0' <= c && c <= '9' || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F')
		})
		return KEK{}, fmt.Errorf("%w: character %d is not a hexadecimal digit", ErrKEK, i+1)
	}
	if k == ([32]byte{}) {
		return KEK{}, fmt.Errorf("%w: is all zeros", ErrKEK)
	}
	return kekOf(k), nil
}

// AppendText appends the KEK's text form (64 lowercase hexadecimal digits)
// to dst.
func (k KEK) AppendText(dst []byte) []byte { return hex.AppendEncode(dst, k.key[:]) }

// ID names the KEK without revealing it: 16 hexadecimal digits, stored
// with the store (meta 0x07) and with every sealed key.
func (k KEK) ID() string { return kekID(k.id) }

func kekID(id uint64) string { return fmt.Sprintf("%016x", id) }

// aad is the additional data a key record is sealed with: a label and the
// record's store key (0x25|product|gen or 0x02|gen).
func keyAAD(storeKey []byte) []byte {
	return append([]byte("tracecode FF1 key v1\x00"), storeKey...)
}

func (k *KEK) gcm() cipher.AEAD {
	b, err := aes.NewCipher(k.key[:])
	if err != nil {
		panic("BUG: AES-256 with a 32-byte key: " + err.Error())
	}
	g, err := cipher.NewGCM(b)
	if err != nil {
		panic("BUG: GCM: " + err.Error())
	}
	return g
}

// seal returns the record of FF1 key plain stored under storeKey: sealed
// under k, or in the clear when k is nil.
func sealKey(k *KEK, storeKey, plain []byte, created int64) store.Key {
	if k == nil {
		return store.Key{Created: created, Wrap: store.WrapClear, Bytes: plain}
	}
	out := binary.BigEndian.AppendUint64(make([]byte, 0, store.WrappedKeyOverhead+len(plain)), k.id)
	nonce := make([]byte, 12)
	_, _ = rand.Read(nonce) // crypto/rand does not fail on supported platforms
	out = append(out, nonce...)
	out = k.gcm().Seal(out, nonce, plain, keyAAD(storeKey))
	return store.Key{Created: created, Wrap: store.WrapAESGCM, Bytes: out}
}

// openKey returns the FF1 key of record r stored under storeKey. wrapped
// says whether the store's keys are sealed (meta MetaKEK present); a record
// that disagrees is corrupt (a clear key in a sealed store would let
// whoever wrote it choose a product's serials).
func openKey(k *KEK, wrapped bool, storeKey []byte, r store.Key) ([]byte, error) {
	switch {
	case !wrapped && r.Wrap == store.WrapClear:
		return r.Bytes, nil
	case !wrapped || r.Wrap != store.WrapAESGCM:
		return nil, fmt.Errorf("%w: FF1 key %x has wrap %d in a store whose keys are %s", store.ErrCorrupt, storeKey, r.Wrap,
			map[bool]string{true: "sealed", false: "in the clear"}[wrapped])
	}
	id := binary.BigEndian.Uint64(r.Bytes)
	if id != k.id {
		return nil, fmt.Errorf("%w: FF1 key %x is sealed under KEK %s, not %s", ErrKEK, storeKey, kekID(id), k.ID())
	}
	nonce := r.Bytes[8:20]
	plain, err := k.gcm().Open(nil, nonce, r.Bytes[20:], keyAAD(storeKey))
	if err != nil {
		return nil, fmt.Errorf("%w: FF1 key %x does not open under KEK %s (damaged, or moved from another record)", ErrKEK, storeKey, k.ID())
	}
	return plain, nil
}

// storeKEK reads the id of the KEK the store's FF1 keys are sealed under;
// ok is false when they are in the clear.
func storeKEK(db *store.DB) (id uint64, ok bool, err error) {
	ok, err = db.Get(store.MetaKey(store.MetaKEK), func(v []byte) error {
		u, err := store.DecodeUint("KEK id", v)
		id = uint64(u)
		return err
	})
	return id, ok, err
}

// keyOpener checks that kek opens the store's keys and returns the
// function that opens each record. REQUIRES kek be the KEK Open was given
// (nil: none).
func keyOpener(db *store.DB, kek *KEK) (func(storeKey, v []byte) ([]byte, error), error) {
	id, wrapped, err := storeKEK(db)
	if err != nil {
		return nil, err
	}
	switch {
	case wrapped && kek == nil:
		return nil, fmt.Errorf("%w: the FF1 keys of %s are sealed under KEK %s and no KEK was given (tracecode: --kek-file or TRACECODE_KEK; docs/keys.md)",
			ErrKEK, db.Dir(), kekID(id))
	case wrapped && kek.id != id:
		return nil, fmt.Errorf("%w: the FF1 keys of %s are sealed under KEK %s, not under the KEK given (%s)",
			ErrKEK, db.Dir(), kekID(id), kek.ID())
	}
	return func(storeKey, v []byte) ([]byte, error) {
		r, err := store.DecodeKey(v)
		if err != nil {
			return nil, err
		}
		return openKey(kek, wrapped, storeKey, r)
	}, nil
}

// KeysSealed reports whether the store's FF1 keys are sealed under a KEK,
// and its id.
func (e *Book) KeysSealed() (sealed bool, kekID string) {
	if k := e.kek.Load(); k != nil && e.sealed.Load() {
		return true, k.ID()
	}
	return false, ""
}

// sealAll rewrites every FF1 key record sealed under to, raises the store
// to format 2 and names to in meta 0x07 — one synced batch, so that a
// crash leaves every key under the old protection or every key under the
// new, never a mix — then compacts the key records so that their previous
// versions leave the live tables. It returns how many keys it sealed.
// REQUIRES e.wmu.
func (e *Book) sealAll(ctx context.Context, to *KEK) (int, error) {
	if err := e.writable(); err != nil {
		return 0, err
	}
	b := e.db.NewBatch()
	defer b.Close()
	n := 0
	seal := func(k []byte, plain []byte, created int64) {
		r := sealKey(to, k, plain, created)
		b.Set(k, r.AppendBinary(nil))
		n++
	}
	var created int64
	for gen, g := range e.st.shortKeys {
		k := store.ShortKeyKey(uint8(gen))
		if _, err := e.db.Get(k, func(v []byte) error {
			r, err := store.DecodeKey(v)
			created = r.Created
			return err
		}); err != nil {
			return 0, err
		}
		seal(k, g.key, created)
	}
	for id, p := range e.st.products {
		for gen, g := range p.keys {
			k := store.ProductKeyKey(id, uint8(gen))
			if _, err := e.db.Get(k, func(v []byte) error {
				r, err := store.DecodeKey(v)
				created = r.Created
				return err
			}); err != nil {
				return 0, err
			}
			seal(k, g.key, created)
		}
	}
	b.Set(store.MetaKey(store.MetaKEK), store.Uint(to.id).AppendBinary(nil))
	if e.format.Load() < store.FormatV2 {
		b.Set(store.MetaKey(store.MetaSchema), store.Uint(store.FormatV2).AppendBinary(nil))
	}
	if err := e.commit(b); err != nil {
		return 0, err
	}
	e.format.Store(max(e.format.Load(), store.FormatV2))
	e.kek.Store(to)
	e.sealed.Store(true)
	lo, hi := store.FF1KeyBounds()
	if err := e.db.CompactRange(ctx, lo, hi); err != nil {
		return n, err
	}
	return n, nil
}

// SealKeys seals the FF1 keys of a store that keeps them in the clear
// under the KEK the engine was opened with (Options.KEK), and returns how
// many it sealed. Open does this by itself when given a KEK for such a
// store; SealKeys is for a caller that wants to see it done. It returns 0
// when the keys are sealed already.
func (e *Book) SealKeys(ctx context.Context) (int, error) {
	e.wmu.Lock()
	defer e.wmu.Unlock()
	if e.sealed.Load() {
		return 0, nil
	}
	k := e.kek.Load()
	if k == nil {
		return 0, fmt.Errorf("%w: no KEK given to seal the keys under", ErrKEK)
	}
	return e.sealAll(ctx, k)
}

// RotateKEK re-seals every FF1 key under next, in one synced batch (a crash
// leaves all keys under the old KEK or all under next), and returns how
// many keys it re-sealed. The store must be sealed already, under the KEK
// the engine was opened with. Afterwards the store opens only with next.
func (e *Book) RotateKEK(ctx context.Context, next KEK) (int, error) {
	if next.id == 0 && next.key == ([32]byte{}) {
		return 0, fmt.Errorf("%w: the new KEK is empty", ErrKEK)
	}
	e.wmu.Lock()
	defer e.wmu.Unlock()
	cur := e.kek.Load()
	switch {
	case !e.sealed.Load():
		return 0, fmt.Errorf("%w: the FF1 keys of %s are in the clear; seal them first (tracecode keys encrypt)", ErrKEK, e.db.Dir())
	case cur.id == next.id:
		return 0, fmt.Errorf("%w: the new KEK is the current one (%s)", ErrKEK, cur.ID())
	}
	return e.sealAll(ctx, &next)
}
