// Package cn holds China's national identification codes that the engine
// prints, scans or stores: the NMPA drug trace code (药品追溯码), the
// veterinary-drug trace code (兽药追溯码), the unified social credit code
// (统一社会信用代码, GB 32100-2015), GB/T 2260 administrative-division
// codes (行政区划代码) and the 9-digit township codes below them, with the
// whole division tree (province → prefecture → county → township, Chinese
// names) embedded: see Region.
//
// Every type is a small comparable value (an array or a struct of integers)
// usable as a map key, with an AppendText method that appends the canonical
// text to a caller's buffer. Parsing and validation allocate nothing unless
// they return an error. The package does no I/O; the embedded division tree
// is decoded on the first name or tree lookup.
//
// # Input the parsers accept
//
// Every Parse function ignores white space around the code (as
// strings.TrimSpace does: the CR/LF a barcode scanner appends, tabs, the
// ideographic space U+3000), because scanners and copy-paste add it. Nothing
// else is forgiven: no inner spaces, no hyphens, no full-width digits (an
// error says "full-width" when it sees one, the usual input-method mistake).
// ParseUSCC alone folds lower case to upper case.
//
// Positions in errors are 1-based character positions within the code after
// the surrounding white space is removed.
package cn
