package engine

import (
	"tracecode/engine/model"
	"tracecode/engine/spotcheck"
)

// parts is the engine as its parts ask it, through their small interfaces
// (credit.Registry, spotcheck.Engine): the master data, the report chain
// and the clock through the facade's own methods (Org, Orgs, Products,
// Capture, Now), and the rest below.
type parts struct{ *Engine }

func (p parts) OrgByID(id uint32) *model.Org { return p.iss.OrgByID(id) }

func (p parts) OrgByUSCC(uscc string) *model.Org { return p.iss.OrgByUSCC(uscc) }

func (p parts) Inspectors(region uint32) ([]spotcheck.Inspector, error) { return p.inspectors(region) }
