// Package account holds the people who log in to tracecode: local
// accounts with Argon2id password hashes and optional TOTP, their roles
// (operator, regulator, inspector, enterprise admin, enterprise user),
// lockout after repeated failures, server-side sessions with a CSRF token
// each, and the append-only audit log of every login and privileged
// action.
//
// The package owns the rules that depend only on accounts: who may create
// which account (Authorize), which audit entries a reader sees
// (AuditEntry.VisibleTo), which categories a regulator covers. What an
// account may see of the chain is what an API key of the same
// organisation, region and scopes sees: package engine maps an account to
// that key (Engine.AccountKey) and keeps one set of rules for both.
package account

import (
	"errors"
	"fmt"
	"strings"
	"unicode/utf8"

	"tracecode/engine/code/cn"
	"tracecode/engine/internal/wire"
	"tracecode/engine/model"
	"tracecode/engine/store"
)

// Role is what an account is for. The numeric values are persisted:
// never renumber them.
type Role uint8

// The roles.
const (
	// RoleOperator runs the platform: every organisation, account and key.
	RoleOperator Role = 1
	// RoleRegulator is a market regulator of one region at any of the
	// four levels (province, city, county, township), optionally limited
	// to categories: it reads everything produced or handled below it.
	RoleRegulator Role = 2
	// RoleInspector is a regulator's field staff: the regulator's view of
	// its region.
	RoleInspector Role = 3
	// RoleEnterpriseAdmin manages one organisation: its master data, codes,
	// reports and its people's accounts.
	RoleEnterpriseAdmin Role = 4
	// RoleEnterpriseUser works for one organisation: master data, codes,
	// reports; no accounts.
	RoleEnterpriseUser Role = 5
)

var roleNames = [...]string{"", "operator", "regulator", "inspector", "enterprise-admin", "enterprise-user"}

// String returns the role's command-line name ("regulator", …).
func (r Role) String() string {
	if r.Valid() {
		return roleNames[r]
	}
	return fmt.Sprintf("role(%d)", uint8(r))
}

// Valid reports whether r is a defined role.
func (r Role) Valid() bool { return r >= RoleOperator && r <= RoleEnterpriseUser }

// Regional reports whether the role covers a region (regulator, inspector).
func (r Role) Regional() bool { return r == RoleRegulator || r == RoleInspector }

// Enterprise reports whether the role belongs to one organisation.
func (r Role) Enterprise() bool { return r == RoleEnterpriseAdmin || r == RoleEnterpriseUser }

// RoleNames lists the role names in numeric order.
func RoleNames() []string { return append([]string(nil), roleNames[1:]...) }

// ParseRole returns the role named s (see RoleNames).
func ParseRole(s string) (Role, error) {
	for i := 1; i < len(roleNames); i++ {
		if roleNames[i] == s {
			return Role(i), nil
		}
	}
	return 0, fmt.Errorf("%w: unknown role %q (want one of %s)", ErrInvalid, s, strings.Join(RoleNames(), ", "))
}

// Categories is a set of product categories, bit n for model.Category n.
// The zero set means every category.
type Categories uint16

// allCategories has the bit of every defined category.
var allCategories = func() Categories {
	var s Categories
	for _, n := range model.CategoryNames() {
		c, _ := model.ParseCategory(n)
		s |= 1 << c
	}
	return s
}()

// CategoriesOf returns the set of cs.
func CategoriesOf(cs ...model.Category) Categories {
	var s Categories
	for _, c := range cs {
		s |= 1 << c
	}
	return s
}

// Allows reports whether s covers category c (every category when s is 0).
func (s Categories) Allows(c model.Category) bool { return s == 0 || s&(1<<c) != 0 }

// Names lists the category names in s ("" for every category).
func (s Categories) Names() []string {
	var out []string
	for _, n := range model.CategoryNames() {
		c, _ := model.ParseCategory(n)
		if s&(1<<c) != 0 {
			out = append(out, n)
		}
	}
	return out
}

// ParseCategories parses a comma-separated list of category names ("" is
// every category).
func ParseCategories(list string) (Categories, error) {
	var s Categories
	for _, n := range strings.Split(list, ",") {
		n = strings.TrimSpace(n)
		if n == "" {
			continue
		}
		c, err := model.ParseCategory(n)
		if err != nil {
			return 0, fmt.Errorf("%w: categories: %w", ErrInvalid, err)
		}
		s |= 1 << c
	}
	return s, nil
}

// Account is the stored record of a person's account.
//
// # Representation (value of key 0xD0|id u32, version 1)
//
//	ver=1 | created varint | disabled varint | role u8 | org uvarint | region uvarint
//	      | categories uvarint | failures uvarint | locked until varint
//	      | argon2id time u8 | memory KiB uvarint | threads u8 | salt [16] | hash [32]
//	      | totp secret str | login str | name str
type Account struct {
	ID         uint32     // assigned in order from 1; never reused
	Login      string     // unique login name: 3–64 bytes of a–z, 0–9, '.', '_', '-'
	Name       string     // display name, at most 200 bytes
	Role       Role       // what the account is for
	Org        uint32     // organisation of an enterprise account (and of an inspector's agency, optional); 0 otherwise
	Region     uint32     // GB/T 2260 division (6 or 9 digits) of a regulator or inspector; 0 otherwise
	Categories Categories // categories a regulator or inspector covers; 0 = every category
	Created    int64      // unix milliseconds
	Disabled   int64      // unix milliseconds; 0 = active
	// Failures counts failed logins since the last success.
	Failures uint32
	// LockedUntil is the unix millisecond before which no login is
	// accepted (MaxFailures consecutive failures lock the account).
	LockedUntil int64
	// TOTP is the base32 secret of RFC 6238 one-time passwords; "" = none.
	TOTP string
	pw   passwordHash
}

// HasTOTP reports whether a login needs a one-time password.
func (a *Account) HasTOTP() bool { return a.TOTP != "" }

const accountVersion = 1

// Errors. Every one wraps ErrInvalid, ErrDenied or names a record.
var (
	// ErrInvalid: a request names something malformed or inconsistent.
	ErrInvalid = errors.New("account: invalid")
	// ErrDenied: the actor may not do this.
	ErrDenied = errors.New("account: not allowed")
	// ErrExists: the login name is taken.
	ErrExists = errors.New("account: login name is taken")
	// ErrNotFound: no such account.
	ErrNotFound = errors.New("account: no such account")
	// ErrLogin: the login name, password or one-time password is wrong,
	// or the account is disabled or locked. Deliberately one error: a
	// login form does not tell which.
	ErrLogin = errors.New("account: wrong login name, password or one-time password, or the account is locked or disabled")
	// ErrSession: the session is unknown, expired or its account disabled.
	ErrSession = errors.New("account: no valid session")
	// ErrCSRF: a form's CSRF token is missing or wrong.
	ErrCSRF = errors.New("account: CSRF token missing or wrong")
)

func accountKey(id uint32) []byte {
	return store.AccountKey(id)
}

func loginKey(login string) []byte { return store.AccountByLoginKey(login) }

// AppendBinary appends the record's value encoding.
func (a *Account) AppendBinary(dst []byte) []byte {
	w := wire.Writer{B: dst}
	w.Version(accountVersion)
	w.Varint(a.Created)
	w.Varint(a.Disabled)
	w.U8(byte(a.Role))
	w.U32(a.Org)
	w.U32(a.Region)
	w.Uvarint(uint64(a.Categories))
	w.U32(a.Failures)
	w.Varint(a.LockedUntil)
	w.U8(a.pw.time)
	w.U32(a.pw.memory)
	w.U8(a.pw.threads)
	w.Raw(a.pw.salt[:])
	w.Raw(a.pw.hash[:])
	w.Str(a.TOTP)
	w.Str(a.Login)
	w.Str(a.Name)
	return w.B
}

// DecodeAccount decodes the value of account id.
func DecodeAccount(id uint32, b []byte) (Account, error) {
	a := Account{ID: id}
	d := wire.NewReader(fmt.Sprintf("account %d", id), b)
	d.Version(accountVersion)
	d.Field = "created"
	a.Created = d.Varint()
	d.Field = "disabled"
	a.Disabled = d.Varint()
	d.Field = "role"
	a.Role = Role(d.U8())
	d.Field = "org"
	a.Org = d.U32()
	d.Field = "region"
	a.Region = d.U32()
	d.Field = "categories"
	a.Categories = Categories(d.Uvarint())
	d.Field = "failures"
	a.Failures = d.U32()
	d.Field = "locked until"
	a.LockedUntil = d.Varint()
	d.Field = "argon2id time"
	a.pw.time = d.U8()
	d.Field = "argon2id memory"
	a.pw.memory = d.U32()
	d.Field = "argon2id threads"
	a.pw.threads = d.U8()
	d.Field = "salt"
	copy(a.pw.salt[:], d.Raw(len(a.pw.salt)))
	d.Field = "hash"
	copy(a.pw.hash[:], d.Raw(len(a.pw.hash)))
	d.Field = "totp secret"
	a.TOTP = d.Str()
	d.Field = "login"
	a.Login = d.Str()
	d.Field = "name"
	a.Name = d.Str()
	d.Field = ""
	if err := d.Done(); err != nil {
		return Account{}, err
	}
	if !a.Role.Valid() {
		return Account{}, fmt.Errorf("%w: account %d: role %d", store.ErrCorrupt, id, a.Role)
	}
	return a, nil
}

// validLogin checks a login name: 3–64 bytes of a–z, 0–9, '.', '_', '-'.
func validLogin(s string) error {
	if len(s) < 3 || len(s) > 64 {
		return fmt.Errorf("%w: login: %q has %d bytes, want 3 to 64", ErrInvalid, s, len(s))
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !('a' <= c && c <= 'z' || '0' <= c && c <= '9' || c == '.' || c == '_' || c == '-') {
			return fmt.Errorf("%w: login: %q has %q at position %d (allowed: a-z 0-9 . _ -)", ErrInvalid, s, c, i+1)
		}
	}
	return nil
}

// NewOptions describe an account to create.
type NewOptions struct {
	Login      string
	Name       string // display name; defaults to Login
	Password   string // at least MinPassword bytes
	Role       Role
	Org        uint32     // required for enterprise roles; optional for an inspector (its agency)
	Region     uint32     // required for regulator and inspector: a GB/T 2260 division (6 or 9 digits)
	Categories Categories // regulator, inspector: categories covered (0 = every one)
}

// MinPassword is the shortest password accepted, in bytes.
const MinPassword = 10

// check validates o on its own (the organisation's existence is the
// caller's to check).
func (o *NewOptions) check() error {
	if err := validLogin(o.Login); err != nil {
		return err
	}
	if err := checkPassword(o.Password); err != nil {
		return err
	}
	if len(o.Name) > 200 || !utf8.ValidString(o.Name) {
		return fmt.Errorf("%w: name: at most 200 bytes of UTF-8", ErrInvalid)
	}
	switch {
	case !o.Role.Valid():
		return fmt.Errorf("%w: role: %d is not a role (want one of %s)", ErrInvalid, o.Role, strings.Join(RoleNames(), ", "))
	case o.Role.Enterprise() && o.Org == 0:
		return fmt.Errorf("%w: org: a %s account needs an organisation", ErrInvalid, o.Role)
	case o.Role.Regional() && o.Region == 0:
		return fmt.Errorf("%w: region: a %s account needs a region (GB/T 2260 code)", ErrInvalid, o.Role)
	case !o.Role.Regional() && o.Region != 0:
		return fmt.Errorf("%w: region: %d given for a %s account", ErrInvalid, o.Region, o.Role)
	case !o.Role.Regional() && o.Categories != 0:
		return fmt.Errorf("%w: categories: only regulator and inspector accounts are limited to categories", ErrInvalid)
	case (o.Role == RoleOperator || o.Role == RoleRegulator) && o.Org != 0:
		return fmt.Errorf("%w: org: a %s account belongs to no organisation", ErrInvalid, o.Role)
	case o.Categories&^allCategories != 0:
		return fmt.Errorf("%w: categories: %#x names no category", ErrInvalid, uint16(o.Categories))
	}
	if o.Region != 0 {
		r, err := cn.NewRegion(int(o.Region))
		if err != nil {
			return fmt.Errorf("%w: region: %w", ErrInvalid, err)
		}
		if !r.Known() {
			return fmt.Errorf("%w: region: %d is not in the GB/T 2260 division tree", ErrInvalid, o.Region)
		}
	}
	return nil
}

func checkPassword(p string) error {
	if len(p) < MinPassword {
		return fmt.Errorf("%w: password: %d bytes, at least %d", ErrInvalid, len(p), MinPassword)
	}
	if len(p) > 1024 {
		return fmt.Errorf("%w: password: %d bytes, at most 1024", ErrInvalid, len(p))
	}
	return nil
}
