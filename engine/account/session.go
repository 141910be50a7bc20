package account

import (
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"errors"
	"fmt"
	"time"

	"github.com/pquerna/otp/totp"

	"tracecode/engine/internal/wire"
	"tracecode/engine/store"
)

// Session is a logged-in account's server-side record. The session id
// the cookie carries is 256 random bits; the store keeps only its SHA-256.
//
// # Representation (value of key 0xD2|sha256(id) [32], version 1)
//
//	ver=1 | account uvarint | created varint | expires varint | csrf token [32]
type Session struct {
	Account uint32
	Created int64 // unix milliseconds
	Expires int64 // unix milliseconds
	csrf    [32]byte
}

// CSRF returns the session's CSRF token, which every form of the session
// carries back (synchronizer token).
func (s *Session) CSRF() string { return base64.RawURLEncoding.EncodeToString(s.csrf[:]) }

// CheckCSRF compares a form's token with the session's, in constant time.
func (s *Session) CheckCSRF(token string) error {
	want := s.CSRF()
	if len(token) != len(want) || subtle.ConstantTimeCompare([]byte(token), []byte(want)) != 1 {
		return ErrCSRF
	}
	return nil
}

const sessionVersion = 1

func sessionKey(token string) []byte {
	sum := sha256.Sum256([]byte(token))
	return store.SessionKey(&sum)
}

func (s *Session) appendBinary(dst []byte) []byte {
	w := wire.Writer{B: dst}
	w.Version(sessionVersion)
	w.U32(s.Account)
	w.Varint(s.Created)
	w.Varint(s.Expires)
	w.Raw(s.csrf[:])
	return w.B
}

func decodeSession(b []byte) (Session, error) {
	var s Session
	d := wire.NewReader("session", b)
	d.Version(sessionVersion)
	d.Field = "account"
	s.Account = d.U32()
	d.Field = "created"
	s.Created = d.Varint()
	d.Field = "expires"
	s.Expires = d.Varint()
	d.Field = "csrf"
	copy(s.csrf[:], d.Raw(len(s.csrf)))
	d.Field = ""
	return s, d.Done()
}

// sessionTokenLen is the length of a session id: 32 bytes in base64url.
const sessionTokenLen = 43

// Credentials are what a login form sends.
type Credentials struct {
	Login    string
	Password string
	OTP      string // the one-time password of an account with TOTP
	Client   string // the client's address, for the audit log
}

// Login checks credentials and opens a session: a fresh random id each
// time (an id the client brought is never adopted). MaxFailures failures
// in a row lock the account for LockFor, correct password or not. Every
// attempt is in the audit log; subject gives an account's organisation
// and region for it (nil: SubjectOf). The error of any refusal is
// ErrLogin.
func (s *Store) Login(c Credentials, subject func(*Account) Subject) (token string, sess Session, a Account, err error) {
	a, err = s.ByLogin(c.Login)
	known := err == nil
	if err != nil && !isNotFound(err) {
		return "", Session{}, Account{}, err
	}
	// Hash before taking the lock: a login costs about 100 ms and others
	// need not wait for it. An unknown name costs the same.
	var good bool
	if known {
		good = s.matches(&a.pw, c.Password)
	} else {
		s.dummy.once.Do(func() { s.dummy.h, s.dummy.err = s.newHash("tracecode: no such account") })
		if s.dummy.err != nil {
			return "", Session{}, Account{}, s.dummy.err
		}
		s.matches(&s.dummy.h, c.Password)
	}
	if good && a.HasTOTP() {
		good = totp.Validate(c.OTP, a.TOTP)
	}
	var rehash passwordHash
	if good && a.pw.params() != s.o.Params {
		if rehash, err = s.newHash(c.Password); err != nil {
			return "", Session{}, Account{}, err
		}
	}

	s.mu.Lock()
	defer s.mu.Unlock()
	now := s.o.Now().UnixMilli()
	b := s.db.NewBatch()
	defer b.Close()
	actor := Actor{Client: c.Client}
	if !known {
		seq := s.addAudit(b, actor, ActionLogin, OutcomeFailed, Subject{}, c.Login, "unknown login name")
		if err := b.Commit(true); err != nil {
			return "", Session{}, Account{}, err
		}
		s.mu.nextSeq = seq + 1
		return "", Session{}, Account{}, ErrLogin
	}
	if a, err = s.Get(a.ID); err != nil { // the record as of now: failures counted meanwhile
		return "", Session{}, Account{}, err
	}
	actor.Account, actor.Org = a.ID, a.Org
	if subject == nil {
		subject = s.SubjectOf
	}
	subj := subject(&a)
	actor.Region = subj.Region
	if a.Role.Regional() {
		actor.Region = a.Region
	}
	refuse := func(o Outcome, why string) (string, Session, Account, error) {
		b.Set(accountKey(a.ID), a.AppendBinary(nil))
		seq := s.addAudit(b, actor, ActionLogin, o, subj, a.Login, why)
		if err := b.Commit(true); err != nil {
			return "", Session{}, Account{}, err
		}
		s.mu.nextSeq = seq + 1
		return "", Session{}, Account{}, ErrLogin
	}
	switch {
	case a.Disabled != 0:
		return refuse(OutcomeFailed, "account disabled")
	case a.LockedUntil > now:
		return refuse(OutcomeLocked, fmt.Sprintf("account locked for %d more seconds", (a.LockedUntil-now+999)/1000))
	case !good:
		a.Failures++
		if int(a.Failures) >= s.o.MaxFailures {
			a.Failures, a.LockedUntil = 0, now+s.o.LockFor.Milliseconds()
			return refuse(OutcomeLocked, fmt.Sprintf("%d failures in a row: locked for %s", s.o.MaxFailures, s.o.LockFor))
		}
		return refuse(OutcomeFailed, fmt.Sprintf("wrong password or one-time password (failure %d of %d)", a.Failures, s.o.MaxFailures))
	}
	a.Failures, a.LockedUntil = 0, 0
	if rehash.time != 0 {
		a.pw = rehash
	}
	var raw [32]byte
	if _, err := rand.Read(raw[:]); err != nil {
		return "", Session{}, Account{}, fmt.Errorf("account: random session id: %w", err)
	}
	token = base64.RawURLEncoding.EncodeToString(raw[:])
	sess = Session{Account: a.ID, Created: now, Expires: now + s.o.SessionTTL.Milliseconds()}
	if _, err := rand.Read(sess.csrf[:]); err != nil {
		return "", Session{}, Account{}, fmt.Errorf("account: random CSRF token: %w", err)
	}
	b.Set(accountKey(a.ID), a.AppendBinary(nil))
	b.Set(sessionKey(token), sess.appendBinary(nil))
	seq := s.addAudit(b, actor, ActionLogin, OutcomeOK, subj, a.Login, "")
	if err := b.Commit(true); err != nil {
		return "", Session{}, Account{}, err
	}
	s.mu.nextSeq = seq + 1
	return token, sess, a, nil
}

func isNotFound(err error) bool { return err != nil && errors.Is(err, ErrNotFound) }

// Session returns the session a cookie's id names and its account; an
// unknown, malformed or expired id, or a disabled account, is ErrSession.
func (s *Store) Session(token string) (Session, Account, error) {
	if len(token) != sessionTokenLen {
		return Session{}, Account{}, ErrSession
	}
	if _, err := base64.RawURLEncoding.DecodeString(token); err != nil {
		return Session{}, Account{}, ErrSession
	}
	var sess Session
	var derr error
	found, err := s.db.Get(sessionKey(token), func(v []byte) error {
		sess, derr = decodeSession(v)
		return derr
	})
	switch {
	case err != nil:
		return Session{}, Account{}, err
	case !found || sess.Expires <= s.o.Now().UnixMilli():
		return Session{}, Account{}, ErrSession
	}
	a, err := s.Get(sess.Account)
	if err != nil {
		if isNotFound(err) {
			return Session{}, Account{}, ErrSession
		}
		return Session{}, Account{}, err
	}
	if a.Disabled != 0 {
		return Session{}, Account{}, ErrSession
	}
	return sess, a, nil
}

// Logout ends the session token names (and audits it); an unknown id is
// not an error.
func (s *Store) Logout(token string, actor Actor, subj Subject) error {
	if len(token) != sessionTokenLen {
		return nil
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	k := sessionKey(token)
	found, err := s.db.Has(k)
	if err != nil || !found {
		return err
	}
	b := s.db.NewBatch()
	defer b.Close()
	b.Delete(k)
	seq := s.addAudit(b, actor, ActionLogout, OutcomeOK, subj, "", "")
	if err := b.Commit(true); err != nil {
		return err
	}
	s.mu.nextSeq = seq + 1
	return nil
}

// deleteSessions adds to b the deletion of every session of account id
// and of every expired session met.
// REQUIRES: s.mu held.
func (s *Store) deleteSessions(b *store.Batch, id uint32) error {
	now := s.o.Now().UnixMilli()
	return s.db.ScanPrefix(store.SessionKeys.Prefix(), func(k, v []byte) error {
		sess, err := decodeSession(v)
		if err != nil {
			return err
		}
		if sess.Account == id || sess.Expires <= now {
			return b.Delete(append([]byte(nil), k...))
		}
		return nil
	})
}

// SessionTTL is how long a session lasts after its login.
func (s *Store) SessionTTL() time.Duration { return s.o.SessionTTL }
