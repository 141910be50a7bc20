package model

// TruncateText returns s cut to at most n bytes, at a UTF-8 character
// boundary (a summary that must fit a stored field).
func TruncateText(s string, n int) string {
	if len(s) <= n {
		return s
	}
	for n > 0 && s[n]&0xC0 == 0x80 {
		n--
	}
	return s[:n]
}
