package account

import (
	"fmt"
	"runtime"
	"slices"
	"sync"
	"time"

	"github.com/pquerna/otp"
	"github.com/pquerna/otp/totp"

	"tracecode/engine/store"
)

// Options configure a Store. The zero value of each field means its
// default.
type Options struct {
	// Params are the Argon2id parameters of new hashes (DefaultParams).
	// A login re-hashes a password made with other parameters.
	Params Params
	// MaxFailures consecutive failed logins lock the account (5).
	MaxFailures int
	// LockFor is how long a lock lasts (15 minutes).
	LockFor time.Duration
	// SessionTTL is how long a session lasts after its login (12 hours).
	SessionTTL time.Duration
	// Now is the clock (time.Now).
	Now func() time.Time
	// MaxConcurrentHashes bounds how many Argon2id computations run at
	// once (each holds Params.Memory KiB, 64 MiB by default), so a burst
	// of logins queues instead of exhausting memory. Default: GOMAXPROCS,
	// at least 1 and at most 8.
	MaxConcurrentHashes int
	// Orgs answers the organisations accounts and keys belong to (the
	// audit log's subjects and actors, an enterprise account's
	// organisation); nil: none is known.
	Orgs Orgs
}

func (o *Options) ensureDefaults() {
	if o.Params == (Params{}) {
		o.Params = DefaultParams
	}
	if o.MaxFailures <= 0 {
		o.MaxFailures = 5
	}
	if o.LockFor <= 0 {
		o.LockFor = 15 * time.Minute
	}
	if o.SessionTTL <= 0 {
		o.SessionTTL = 12 * time.Hour
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	if o.MaxConcurrentHashes <= 0 {
		o.MaxConcurrentHashes = min(max(runtime.GOMAXPROCS(0), 1), 8)
	}
}

// Store keeps accounts, sessions and the audit log in the engine's
// database. It is safe for concurrent use; there is one Store per
// database (the audit sequence is allocated in memory).
type Store struct {
	db *store.DB
	o  Options
	// mu serialises every write: account ids, login names, failure
	// counts and the audit sequence.
	mu struct {
		sync.Mutex
		nextID  uint32 // GUARDED_BY(mu)
		nextSeq uint64 // GUARDED_BY(mu)
	}
	// dummy is hashed for unknown login names, so they cost what a known
	// one costs; made at the first unknown name.
	// hashSlots holds one token per Argon2id computation in progress
	// (Options.MaxConcurrentHashes); see hashing.
	hashSlots chan struct{}
	// onHash, set only by tests before any use, runs inside every slot.
	onHash func()
	dummy  struct {
		once sync.Once
		h    passwordHash
		err  error
	}
}

// Open returns the account store over db.
func Open(db *store.DB, o Options) (*Store, error) {
	o.ensureDefaults()
	if err := o.Params.validate(); err != nil {
		return nil, err
	}
	s := &Store{db: db, o: o, hashSlots: make(chan struct{}, o.MaxConcurrentHashes)}
	last := func(ks store.KeySpace, decode func([]byte) (uint64, error)) (uint64, error) {
		it, err := db.NewIter(ks.Bounds())
		if err != nil {
			return 0, err
		}
		defer it.Close()
		if !it.Last() {
			return 0, it.Error()
		}
		id, err := decode(slices.Clone(it.Key()))
		return id, err
	}
	id, err := last(store.AccountKeys, func(k []byte) (uint64, error) {
		id, err := store.DecodeAccountKey(k)
		return uint64(id), err
	})
	if err != nil {
		return nil, err
	}
	seq, err := last(store.AuditKeys, store.DecodeAuditKey)
	if err != nil {
		return nil, err
	}
	s.mu.nextID, s.mu.nextSeq = uint32(id)+1, seq+1
	return s, nil
}

// Now returns the store's clock reading.
func (s *Store) Now() time.Time { return s.o.Now() }

// Get returns account id.
func (s *Store) Get(id uint32) (Account, error) {
	var a Account
	var derr error
	found, err := s.db.Get(accountKey(id), func(v []byte) error {
		a, derr = DecodeAccount(id, v)
		return derr
	})
	switch {
	case err != nil:
		return Account{}, err
	case !found:
		return Account{}, fmt.Errorf("%w: id %d", ErrNotFound, id)
	}
	return a, nil
}

// ByLogin returns the account with the login name.
func (s *Store) ByLogin(login string) (Account, error) {
	var id uint64
	found, err := s.db.Get(loginKey(login), func(v []byte) error {
		u, err := store.DecodeUint("account login", v)
		id = uint64(u)
		return err
	})
	switch {
	case err != nil:
		return Account{}, err
	case !found:
		return Account{}, fmt.Errorf("%w: login %q", ErrNotFound, login)
	}
	return s.Get(uint32(id))
}

// List returns the accounts keep accepts (every one for nil), in id order.
func (s *Store) List(keep func(*Account) bool) ([]Account, error) {
	var out []Account
	err := s.db.ScanPrefix(store.AccountKeys.Prefix(), func(k, v []byte) error {
		id, err := store.DecodeAccountKey(k)
		if err != nil {
			return err
		}
		a, err := DecodeAccount(id, v)
		if err != nil {
			return err
		}
		if keep == nil || keep(&a) {
			out = append(out, a)
		}
		return nil
	})
	return out, err
}

// Any reports whether any account exists.
func (s *Store) Any() (bool, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.mu.nextID > 1, nil
}

// Create makes an account for actor (Authorize decides) and records it in
// the audit log, in one synced batch. subj names the new account's
// organisation and region for the audit log.
func (s *Store) Create(actor Actor, o NewOptions, subj Subject) (Account, error) {
	if o.Name == "" {
		o.Name = o.Login
	}
	if err := o.check(); err != nil {
		return Account{}, err
	}
	if err := Authorize(actor, o); err != nil {
		s.recordDenied(actor, ActionUserCreate, subj, o.Login, err)
		return Account{}, err
	}
	pw, err := s.newHash(o.Password)
	if err != nil {
		return Account{}, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if found, err := s.db.Has(loginKey(o.Login)); err != nil {
		return Account{}, err
	} else if found {
		return Account{}, fmt.Errorf("%w: %q", ErrExists, o.Login)
	}
	a := Account{ID: s.mu.nextID, Login: o.Login, Name: o.Name, Role: o.Role, Org: o.Org, Region: o.Region,
		Categories: o.Categories, Created: s.o.Now().UnixMilli(), pw: pw}
	b := s.db.NewBatch()
	defer b.Close()
	b.Set(accountKey(a.ID), a.AppendBinary(nil))
	b.Set(loginKey(a.Login), store.Uint(a.ID).AppendBinary(nil))
	seq := s.addAudit(b, actor, ActionUserCreate, OutcomeOK, subj, a.Login, fmt.Sprintf("role %s", a.Role))
	if err := b.Commit(true); err != nil {
		return Account{}, err
	}
	s.mu.nextID++
	s.mu.nextSeq = seq + 1
	return a, nil
}

// change applies fn to account id under the write lock, writes it with an
// audit entry for action, and (with dropSessions) deletes its sessions —
// one synced batch. manage decides whether actor may change the account.
func (s *Store) change(actor Actor, id uint32, action Action, subj Subject, dropSessions bool, fn func(*Account) error) (Account, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	a, err := s.Get(id)
	if err != nil {
		return Account{}, err
	}
	if err := Manage(actor, &a); err != nil {
		seq := s.mu.nextSeq
		b := s.db.NewBatch()
		defer b.Close()
		s.addAudit(b, actor, action, OutcomeDenied, subj, a.Login, err.Error())
		if b.Commit(true) == nil {
			s.mu.nextSeq = seq + 1
		}
		return Account{}, err
	}
	if err := fn(&a); err != nil {
		return Account{}, err
	}
	b := s.db.NewBatch()
	defer b.Close()
	b.Set(accountKey(a.ID), a.AppendBinary(nil))
	if dropSessions {
		if err := s.deleteSessions(b, a.ID); err != nil {
			return Account{}, err
		}
	}
	seq := s.addAudit(b, actor, action, OutcomeOK, subj, a.Login, "")
	if err := b.Commit(true); err != nil {
		return Account{}, err
	}
	s.mu.nextSeq = seq + 1
	return a, nil
}

// Disable disables account id (its sessions end at once). Disabling twice
// keeps the first time.
func (s *Store) Disable(actor Actor, id uint32, subj Subject) (Account, error) {
	return s.change(actor, id, ActionUserDisable, subj, true, func(a *Account) error {
		if a.Disabled == 0 {
			a.Disabled = s.o.Now().UnixMilli()
		}
		return nil
	})
}

// ResetPassword sets a new password on account id, clears its lock and
// ends its sessions.
func (s *Store) ResetPassword(actor Actor, id uint32, password string, subj Subject) (Account, error) {
	if err := checkPassword(password); err != nil {
		return Account{}, err
	}
	pw, err := s.newHash(password)
	if err != nil {
		return Account{}, err
	}
	return s.change(actor, id, ActionPasswordReset, subj, true, func(a *Account) error {
		a.pw, a.Failures, a.LockedUntil = pw, 0, 0
		return nil
	})
}

// EnableTOTP gives account id a new TOTP secret (RFC 6238, SHA-1, 6
// digits, 30 s — what authenticator apps read from the key's URL) and
// returns it; from then on a login needs a one-time password.
func (s *Store) EnableTOTP(actor Actor, id uint32, subj Subject) (*otp.Key, error) {
	var key *otp.Key
	_, err := s.change(actor, id, ActionTOTPEnable, subj, true, func(a *Account) error {
		var err error
		key, err = totp.Generate(totp.GenerateOpts{Issuer: "tracecode", AccountName: a.Login})
		if err != nil {
			return fmt.Errorf("account: TOTP secret: %w", err)
		}
		a.TOTP = key.Secret()
		return nil
	})
	return key, err
}

// hashing runs f, an Argon2id computation, once one of the
// MaxConcurrentHashes slots is free.
func (s *Store) hashing(f func()) {
	s.hashSlots <- struct{}{}
	defer func() { <-s.hashSlots }()
	if s.onHash != nil {
		s.onHash()
	}
	f()
}

// newHash hashes password with the store's parameters in a hashing slot.
func (s *Store) newHash(password string) (h passwordHash, err error) {
	s.hashing(func() { h, err = newPasswordHash(password, s.o.Params) })
	return h, err
}

// matches checks password against h in a hashing slot.
func (s *Store) matches(h *passwordHash, password string) (ok bool) {
	s.hashing(func() { ok = h.matches(password) })
	return ok
}
