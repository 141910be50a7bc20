package engine

import (
	"sync"

	"tracecode/engine/site"
)

// siteState is the organisations' sites (engine/site), loaded on first
// use.
type siteState struct {
	once sync.Once
	o    *site.Office
	err  error
}

// Sites returns the site office: the organisations' sites (factories,
// warehouses, shops …), who adds and changes them and which a key sees;
// the book is loaded on first use.
func (e *Engine) Sites() (*site.Office, error) {
	s := &e.sites
	s.once.Do(func() {
		var bk *site.Book
		if bk, s.err = site.Open(e.db); s.err == nil {
			bk.Records = func(fn func(uint64) error) error {
				c, err := e.tr()
				if err != nil {
					return err
				}
				if c == nil { // not open yet: no record reads sites
					return fn(0)
				}
				return c.AtNextRecord(fn)
			}
			s.o = site.NewOffice(bk, e.iss, e.nowMillis)
		}
	})
	return s.o, s.err
}
