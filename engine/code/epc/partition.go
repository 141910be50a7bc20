package epc

// partition is one row of a TDS partition table: how the bits after the
// partition field split between the GS1 company prefix and the reference
// that follows it, and how many decimal digits each holds.
type partition struct {
	cpBits, cpDigits   uint8
	refBits, refDigits uint8
}

// sgtinPartitions is TDS Table 14-2 (SGTIN): company prefix + indicator/item
// reference = 44 bits, 13 digits. Index is the partition value P; P = 12 −
// company prefix digits. P = 7 is reserved.
var sgtinPartitions = [7]partition{
	{40, 12, 4, 1},
	{37, 11, 7, 2},
	{34, 10, 10, 3},
	{30, 9, 14, 4},
	{27, 8, 17, 5},
	{24, 7, 20, 6},
	{20, 6, 24, 7},
}

// ssccPartitions is TDS Table 14-5 (SSCC): company prefix + extension/serial
// reference = 58 bits, 17 digits.
var ssccPartitions = [7]partition{
	{40, 12, 18, 5},
	{37, 11, 21, 6},
	{34, 10, 24, 7},
	{30, 9, 28, 8},
	{27, 8, 31, 9},
	{24, 7, 34, 10},
	{20, 6, 38, 11},
}

// Company prefix lengths that EPC partition tables can express.
const (
	MinCPLen = 6
	MaxCPLen = 12
)

// pow10 holds 10^0 … 10^19.
var pow10 = func() (t [20]uint64) {
	t[0] = 1
	for i := 1; i < len(t); i++ {
		t[i] = t[i-1] * 10
	}
	return t
}()

// checkCPLen validates a company prefix length argument.
func checkCPLen(cpLen int) *Error {
	if cpLen < MinCPLen || cpLen > MaxCPLen {
		return errf("company prefix length", 0, ErrCompanyPrefix, itoa(cpLen)+" is outside 6 to 12")
	}
	return nil
}

// digitsValue parses s, which the caller has checked is all digits and at
// most 19 long.
func digitsValue(s []byte) uint64 {
	var v uint64
	for _, c := range s {
		v = v*10 + uint64(c-'0')
	}
	return v
}

// putDigits writes v as exactly len(dst) decimal digits, zero-padded on the
// left. The caller guarantees v < 10^len(dst).
func putDigits(dst []byte, v uint64) {
	for i := len(dst) - 1; i >= 0; i-- {
		dst[i] = byte('0' + v%10)
		v /= 10
	}
}

// allDigits returns the index of the first non-digit in s, or -1.
func allDigits(s string) int {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return i
		}
	}
	return -1
}
