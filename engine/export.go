package engine

import (
	"tracecode/engine/export"
	"tracecode/engine/issue"
)

// Exports returns the export office: the EPCIS events an organisation sees
// as one document (EPCIS), its FSMA 204 spreadsheet (FSMA), and who may
// export them (MayExport).
func (e *Engine) Exports() *export.Office { return export.NewOffice(exportParts{e, e.iss}) }

// exportParts is the engine as the export office asks it (export.Engine).
type exportParts struct {
	*Engine
	*issue.Book
}
