package server

import "unsafe"

// b2s returns a string sharing b's memory, without copying.
//
// The rule that makes it valid: the caller must not modify b while the
// string is in use, and must not keep the string (or anything derived from
// it that may alias it, such as model.LookupResult.Serial) after b's
// owner reuses it — for request bytes, after the handler returns.
func b2s(b []byte) string {
	if len(b) == 0 {
		return ""
	}
	return unsafe.String(unsafe.SliceData(b), len(b))
}
