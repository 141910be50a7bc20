package digitallink

import "unsafe"

// b2s returns a string that shares b's memory, without copying.
//
// The rule that makes it valid: b is not modified while the string is in
// use, and the string does not outlive b's current contents. The
// decompressor uses it for values in its scratch buffer, which it does not
// touch again until the next AppendDecompressed; errors copy what they
// quote.
func b2s(b []byte) string {
	if len(b) == 0 {
		return ""
	}
	return unsafe.String(unsafe.SliceData(b), len(b))
}
