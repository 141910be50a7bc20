package epcisq

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/binary"
	"slices"
	"strings"
)

// A page token carries where the next page starts: the order key of the
// last event returned (an index key, or a sequence number and time), and
// how many events earlier pages returned (for eventCountLimit). It is
// bound to the query and the caller by a digest, and signed with the
// engine's token key, so it cannot be replayed with other parameters or
// by another caller.
//
// # Representation (base64url, no padding)
//
//	ver=1 | digest [12] | returned uvarint | driver u8 | len uvarint | last key | mac [16]
type token struct {
	returned uint64
	driver   byte
	last     []byte
}

const (
	tokenVersion = 1
	digestLen    = 12
	macLen       = 16
	// maxTokenKey bounds the last key a token carries.
	maxTokenKey = 1100
)

// Digest binds a page token to a query and a caller: SHA-256 over the
// caller and every parameter but nextPageToken, in name order.
func Digest(caller string, params []Param) [digestLen]byte {
	ps := make([]Param, 0, len(params))
	for _, p := range params {
		if p.Name != "nextPageToken" {
			ps = append(ps, p)
		}
	}
	slices.SortFunc(ps, func(a, b Param) int { return strings.Compare(a.Name, b.Name) })
	h := sha256.New()
	h.Write([]byte("tracecode/epcisq/v1\x00"))
	h.Write([]byte(caller))
	for _, p := range ps {
		h.Write([]byte{0})
		h.Write([]byte(p.Name))
		h.Write([]byte{0})
		h.Write([]byte(p.Value))
	}
	var d [digestLen]byte
	copy(d[:], h.Sum(nil))
	return d
}

func tokenMAC(key []byte, body []byte) []byte {
	m := hmac.New(sha256.New, key)
	m.Write(body)
	return m.Sum(nil)[:macLen]
}

func encodeToken(key []byte, digest [digestLen]byte, t token) string {
	b := append([]byte{tokenVersion}, digest[:]...)
	b = binary.AppendUvarint(b, t.returned)
	b = append(b, t.driver)
	b = binary.AppendUvarint(b, uint64(len(t.last)))
	b = append(b, t.last...)
	b = append(b, tokenMAC(key, b)...)
	return base64.RawURLEncoding.EncodeToString(b)
}

// decodeToken checks and reads a page token; any failure (not base64, a
// wrong version, digest or MAC, a malformed body) is the same
// ParamError, so a forged token teaches nothing.
func decodeToken(key []byte, digest [digestLen]byte, s string) (token, error) {
	fail := &ParamError{Name: "nextPageToken", Msg: "is not a page token this server gave for this query and caller (a token is valid with the parameters and the key of the request that received it)"}
	b, err := base64.RawURLEncoding.DecodeString(s)
	if err != nil || len(b) < 1+digestLen+3+macLen || b[0] != tokenVersion {
		return token{}, fail
	}
	body, mac := b[:len(b)-macLen], b[len(b)-macLen:]
	if !hmac.Equal(mac, tokenMAC(key, body)) || [digestLen]byte(body[1:1+digestLen]) != digest {
		return token{}, fail
	}
	r := body[1+digestLen:]
	var t token
	var n int
	if t.returned, n = binary.Uvarint(r); n <= 0 {
		return token{}, fail
	}
	r = r[n:]
	if len(r) < 2 {
		return token{}, fail
	}
	t.driver, r = r[0], r[1:]
	l, n := binary.Uvarint(r)
	if n <= 0 || l > maxTokenKey || uint64(len(r)-n) != l {
		return token{}, fail
	}
	t.last = r[n:]
	return t, nil
}
