package model

import (
	"fmt"
	"strconv"

	"tracecode/engine/code"
	"tracecode/engine/code/gs1"
)

// FormatDate writes a yyyymmdd date as YYYY-MM-DD ("" for 0).
func FormatDate(d uint32) string {
	if d == 0 {
		return ""
	}
	return fmt.Sprintf("%04d-%02d-%02d", d/10000, d/100%100, d%100)
}

// SSCCValue returns an SSCC as the number a unit node carries.
func SSCCValue(s gs1.SSCC) uint64 {
	v, _ := strconv.ParseUint(string(s[:]), 10, 64) // 18 digits < 2^63
	return v
}

// SSCCOf returns the SSCC a scanned code carries, if it is one.
func SSCCOf(c *code.Code) (gs1.SSCC, bool) {
	if _, ok := c.GTIN(); ok {
		return gs1.SSCC{}, false
	}
	return c.SSCC()
}
