package resolve

import (
	"tracecode/engine/agg"
	"tracecode/engine/itemstate"
	"tracecode/engine/ledger"
)

// chainExtras fills what a resolution adds beyond status and timeline:
// the holder and the present associations.
func (r *resolver) chainExtras() error {
	if err := r.holder(); err != nil {
		return err
	}
	return r.associations()
}

// associations fills c.Associations: what is associated with the code now
// (AssociationEvent ADD not yet deleted). Only codes with records of
// their own (the Events flag) or SSCCs can have any, and nothing is read
// while no association was ever stored.
func (r *resolver) associations() error {
	c := r.c
	if !r.src.AssociationsAny() || (!c.IsUnit && !c.State.Has(itemstate.Events)) {
		return nil
	}
	if err := r.iter(); err != nil { // its bounds hold the association prefix
		return err
	}
	kb, err := agg.AssociationsAt(r.it, c.kb, c.Node, func(a *agg.Association) bool {
		c.Associations = append(c.Associations, *a)
		return true
	})
	c.kb = kb
	return err
}

// holder fills c.Holder: the custody record of the code or of its present
// containers with the highest record sequence number, or its owner.
func (r *resolver) holder() error {
	c := r.c
	if c.Org != nil {
		c.Holder.Org = c.Org.ID
	}
	if !r.src.CustodyAny() {
		return nil
	}
	consider := func(n agg.Node) error {
		if !r.src.HasCustody(n) {
			return nil
		}
		// Only now the iterator (its bounds hold the custody prefix): a
		// store where some goods changed hands does not make every
		// resolution open one.
		if err := r.iter(); err != nil {
			return err
		}
		h, ok, kb, err := agg.CustodyAt(r.it, c.kb, n)
		c.kb = kb
		if err == nil && ok && h.Seq > c.Holder.Seq {
			c.Holder = h
		}
		return err
	}
	if err := consider(c.Node); err != nil {
		return err
	}
	for _, p := range c.Parents {
		if err := consider(p.Parent); err != nil {
			return err
		}
	}
	return nil
}

// markErroneous flags the timeline entries of records declared
// erroneous (Entry.ErroneousBy); declarations carry their own flag.
func (r *resolver) markErroneous() { r.src.MarkErroneous(r.c.Timeline) }

// Corrected reports whether a timeline entry must not decide anything: an
// event declared erroneous, or an error declaration.
func (en *Entry) Corrected() bool {
	return en.ErroneousBy != 0 || en.Event.Flags&ledger.FlagErrorDeclared != 0
}
