package recall

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"fmt"
	"strconv"
)

// ErrLink is what an acknowledgement link that does not verify wraps: a
// token that is malformed, or signed for another recall or organisation.
var ErrLink = errors.New("recall: acknowledgement link does not verify")

// Links signs and checks acknowledgement links: the URL a notification
// carries so that a recipient without an API key (a pharmacy, a shop)
// acknowledges a recall from its e-mail or webhook consumer. A link names
// one recall and one recipient organisation; its token is the first 16
// bytes of HMAC-SHA256(Key, "tracecode recall ack v1" 0 recall 0 org),
// base64url without padding. The key never leaves the store (the engine
// derives it from the store's secret), so a link cannot be forged, and a
// link for one recipient acknowledges for no other.
type Links struct {
	// Key is the HMAC key. Empty: notifications carry no link and every
	// link is refused.
	Key []byte
	// Base is the scheme and host links are printed under (the
	// resolver's public address), without a trailing slash. Empty: links
	// are relative paths.
	Base string
}

// tokenLen is the token's length in bytes before encoding: 128 bits.
const tokenLen = 16

func (l *Links) sum(id uint64, org uint32) []byte {
	m := hmac.New(sha256.New, l.Key)
	m.Write([]byte("tracecode recall ack v1\x00"))
	m.Write(strconv.AppendUint(nil, id, 10))
	m.Write([]byte{0})
	m.Write(strconv.AppendUint(nil, uint64(org), 10))
	return m.Sum(nil)[:tokenLen]
}

// Token returns the token of recall id's link for organisation org.
func (l *Links) Token(id uint64, org uint32) string {
	return base64.RawURLEncoding.EncodeToString(l.sum(id, org))
}

// URL returns the acknowledgement link of recall id for organisation org,
// or "" when links are off.
func (l *Links) URL(id uint64, org uint32) string {
	if len(l.Key) == 0 {
		return ""
	}
	return fmt.Sprintf("%s/recalls/%d/ack?org=%d&t=%s", l.Base, id, org, l.Token(id, org))
}

// Check reports whether token is recall id's link token for org, in
// constant time; the error (wrapping ErrLink) says what is wrong.
func (l *Links) Check(id uint64, org uint32, token string) error {
	if len(l.Key) == 0 {
		return fmt.Errorf("%w: acknowledgement links are not enabled", ErrLink)
	}
	if len(token) != base64.RawURLEncoding.EncodedLen(tokenLen) {
		return fmt.Errorf("%w: token t is %d characters, want %d", ErrLink, len(token), base64.RawURLEncoding.EncodedLen(tokenLen))
	}
	got, err := base64.RawURLEncoding.DecodeString(token)
	if err != nil {
		return fmt.Errorf("%w: token t is not base64url: %v", ErrLink, err)
	}
	if !hmac.Equal(got, l.sum(id, org)) {
		return fmt.Errorf("%w: token t is not the link of recall %d for organisation %d", ErrLink, id, org)
	}
	return nil
}

// LinkView is what an acknowledgement link's page shows: the recall and
// the one recipient the link is for.
type LinkView struct {
	Recall    Recall
	Recipient Recipient
}

// ByLink returns recall id and recipient org's record after checking the
// link's token; a link whose token does not verify learns nothing (it
// gets ErrLink before any lookup).
func (bk *Book) ByLink(id uint64, org uint32, token string) (LinkView, error) {
	if err := bk.links.Check(id, org, token); err != nil {
		return LinkView{}, err
	}
	r, err := bk.Get(id)
	if err != nil {
		return LinkView{}, err
	}
	rs, err := bk.Recipients(id)
	if err != nil {
		return LinkView{}, err
	}
	for _, p := range rs {
		if p.Org == org {
			return LinkView{Recall: r, Recipient: p}, nil
		}
	}
	return LinkView{}, fmt.Errorf("%w: organisation %d is not a recipient of recall %d", ErrNotFound, org, id)
}

// AckByLink records org's acknowledgement of recall id through its link
// (recorded as by "link"), after checking the token.
func (bk *Book) AckByLink(id uint64, org uint32, token, note string, now int64) (Recipient, error) {
	if err := bk.links.Check(id, org, token); err != nil {
		return Recipient{}, err
	}
	return bk.Ack(id, org, "link", note, now)
}
