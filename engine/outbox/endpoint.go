package outbox

import (
	"fmt"
	"net/mail"
	"net/url"
	"strings"
	"time"

	"tracecode/engine/internal/wire"
	"tracecode/engine/store"
)

// Config configures the outbox and its sender. Zero fields get the
// defaults documented on each.
type Config struct {
	// MaxAttempts is how many tries a notification gets before it is dead
	// (default 12: with the default backoff about 17 hours of retries).
	MaxAttempts int
	// BaseDelay is the wait after the first failure (default 2 s); each
	// later failure doubles it up to MaxDelay (default 4 h). The actual
	// wait is drawn uniformly from [d/2, d] (jitter), so receivers that
	// come back are not hit by every sender at once.
	BaseDelay, MaxDelay time.Duration
	// Timeout bounds one webhook request (default 10 s).
	Timeout time.Duration
	// Workers is how many deliveries run at once (default 16).
	Workers int
	// Batch is how many due notifications one round reads (default 512).
	Batch int
	// AllowHTTP accepts http:// webhook URLs (default false: HTTPS only,
	// so the payload and signature travel encrypted). Tests and a
	// receiver on the same host may set it.
	AllowHTTP bool
}

// EnsureDefaults fills zero fields.
func (c *Config) EnsureDefaults() {
	if c.MaxAttempts <= 0 {
		c.MaxAttempts = 12
	}
	if c.BaseDelay <= 0 {
		c.BaseDelay = 2 * time.Second
	}
	if c.MaxDelay <= 0 {
		c.MaxDelay = 4 * time.Hour
	}
	if c.Timeout <= 0 {
		c.Timeout = 10 * time.Second
	}
	if c.Workers <= 0 {
		c.Workers = 16
	}
	if c.Batch <= 0 {
		c.Batch = 512
	}
}

// Validate reports a field out of range.
func (c *Config) Validate() error {
	if c.MaxDelay < c.BaseDelay {
		return fmt.Errorf("%w: MaxDelay %v is less than BaseDelay %v", ErrInvalid, c.MaxDelay, c.BaseDelay)
	}
	return nil
}

// Endpoint is how an organisation is reached: a contact for people and a
// webhook for its systems.
//
// # Representation (key 0xB8 | org u32, value version 1)
//
//	ver=1 | name str | phone str | email str | webhookURL str | secret str | updated varint
type Endpoint struct {
	Name    string `json:"name,omitzero"`
	Phone   string `json:"phone,omitzero"`
	Email   string `json:"email,omitzero"`
	Webhook string `json:"webhook,omitzero"`
	// Secret signs webhook bodies (HMAC-SHA256); never shown back.
	Secret  string `json:"-"`
	Updated int64  `json:"updated,omitzero"`
}

func endpointKey(org uint32) []byte {
	return store.EndpointKey(org)
}

// AppendBinary appends the stored value of e.
func (e *Endpoint) AppendBinary(dst []byte) []byte {
	w := wire.Writer{B: dst}
	w.Version(version)
	for _, s := range [...]string{e.Name, e.Phone, e.Email, e.Webhook, e.Secret} {
		w.Str(s)
	}
	w.Varint(e.Updated)
	return w.B
}

// DecodeEndpoint decodes a stored endpoint.
func DecodeEndpoint(v []byte) (Endpoint, error) {
	d := wire.NewReader("endpoint", v)
	d.Version(version)
	var e Endpoint
	for _, f := range [...]struct {
		name string
		dst  *string
	}{{"name", &e.Name}, {"phone", &e.Phone}, {"email", &e.Email}, {"webhook", &e.Webhook}, {"secret", &e.Secret}} {
		d.Field = f.name
		*f.dst = d.Str()
	}
	d.Field = "updated"
	e.Updated = d.Varint()
	return e, d.Done()
}

// Endpoint returns organisation org's endpoint (found false: none set).
func (o *Outbox) Endpoint(org uint32) (e Endpoint, found bool, err error) {
	var derr error
	found, err = o.db.Get(endpointKey(org), func(v []byte) error { e, derr = DecodeEndpoint(v); return nil })
	if err == nil {
		err = derr
	}
	return e, found, err
}

// CheckWebhook checks a webhook URL and secret: CheckURL, and a secret of
// 16 to 256 bytes.
func (o *Outbox) CheckWebhook(rawURL, secret string) error {
	if err := o.CheckURL(rawURL); err != nil {
		return err
	}
	if len(secret) < 16 || len(secret) > 256 {
		return fmt.Errorf("%w: secret: %d bytes, want 16 to 256", ErrInvalid, len(secret))
	}
	return nil
}

// CheckURL checks a webhook URL: an absolute https URL (http with
// Config.AllowHTTP) without credentials or fragment, of at most 2,000
// bytes.
func (o *Outbox) CheckURL(rawURL string) error {
	u, err := url.Parse(rawURL)
	switch {
	case rawURL == "":
		return fmt.Errorf("%w: url: empty", ErrInvalid)
	case err != nil:
		return fmt.Errorf("%w: url: %v", ErrInvalid, err)
	case len(rawURL) > 2000:
		return fmt.Errorf("%w: url: %d bytes, more than 2000", ErrInvalid, len(rawURL))
	case u.Scheme != "https" && !(o.cfg.AllowHTTP && u.Scheme == "http"):
		return fmt.Errorf("%w: url: scheme %q: a webhook is https", ErrInvalid, u.Scheme)
	case u.Host == "":
		return fmt.Errorf("%w: url: no host", ErrInvalid)
	case u.User != nil:
		return fmt.Errorf("%w: url: credentials in the URL (the secret signs the body instead)", ErrInvalid)
	case u.Fragment != "":
		return fmt.Errorf("%w: url: a fragment", ErrInvalid)
	}
	return nil
}

// checkContact checks the contact fields of e.
func checkContact(e *Endpoint) error {
	for _, f := range [...]struct{ name, v string }{{"name", e.Name}, {"phone", e.Phone}, {"email", e.Email}} {
		if len(f.v) > 200 {
			return fmt.Errorf("%w: %s: %d bytes, more than 200", ErrInvalid, f.name, len(f.v))
		}
		if strings.ContainsFunc(f.v, func(r rune) bool { return r < 0x20 || r == 0x7f || r == 0xfffd }) {
			return fmt.Errorf("%w: %s holds a control character or invalid UTF-8", ErrInvalid, f.name)
		}
	}
	if e.Phone != "" && strings.Trim(e.Phone, "+0123456789- ()") != "" {
		return fmt.Errorf("%w: phone %q: digits, spaces, +, - and parentheses only", ErrInvalid, e.Phone)
	}
	if e.Email != "" {
		if a, err := mail.ParseAddress(e.Email); err != nil || a.Address != e.Email {
			return fmt.Errorf("%w: email %q is not an address", ErrInvalid, e.Email)
		}
	}
	return nil
}

// SetWebhook sets organisation org's webhook URL and secret (url ""
// removes the webhook). Who may do it is the engine's decision.
func (o *Outbox) SetWebhook(org uint32, rawURL, secret string, now int64) (Endpoint, error) {
	if rawURL != "" {
		if err := o.CheckWebhook(rawURL, secret); err != nil {
			return Endpoint{}, err
		}
	} else {
		secret = ""
	}
	return o.update(org, now, func(e *Endpoint) { e.Webhook, e.Secret = rawURL, secret })
}

// SetContact sets organisation org's contact (name, phone, e-mail),
// keeping its webhook.
func (o *Outbox) SetContact(org uint32, c Endpoint, now int64) (Endpoint, error) {
	if err := checkContact(&c); err != nil {
		return Endpoint{}, err
	}
	return o.update(org, now, func(e *Endpoint) { e.Name, e.Phone, e.Email = c.Name, c.Phone, c.Email })
}

func (o *Outbox) update(org uint32, now int64, fn func(e *Endpoint)) (Endpoint, error) {
	if org == 0 {
		return Endpoint{}, fmt.Errorf("%w: organisation 0", ErrInvalid)
	}
	o.mu.Lock()
	defer o.mu.Unlock()
	e, _, err := o.Endpoint(org)
	if err != nil {
		return e, err
	}
	fn(&e)
	e.Updated = now
	b := o.db.NewBatch()
	defer b.Close()
	if err := b.Set(endpointKey(org), e.AppendBinary(nil)); err != nil {
		return e, err
	}
	return e, b.Commit(true)
}
