package gs1

// North American coupon linters for AIs (8110) and (8112). Both values are
// digit strings made of fields, several of them preceded by a one-digit
// "variable length indicator" (VLI) giving their length.

// couponReader walks a coupon value; off is the value offset of s[0].
type couponReader struct {
	s   string
	i   int
	off int
}

func (r *couponReader) pos() int { return r.off + r.i + 1 }

// vli reads a VLI digit in lo..hi and returns the field length it gives
// (digit + add).
func (r *couponReader) vli(what string, lo, hi byte, add int) (int, *AIError) {
	if r.i >= len(r.s) {
		return 0, lintErr(r.pos(), ErrLength, "coupon ends before the %s length indicator at position %d", what, r.pos())
	}
	c := r.s[r.i]
	if c < lo || c > hi {
		return 0, lintErr(r.pos(), ErrInvalid, "%s length indicator %c at position %d is not %c-%c", what, c, r.pos(), lo, hi)
	}
	r.i++
	return int(c-'0') + add, nil
}

// field skips n digits of a named field.
func (r *couponReader) field(what string, n int) (string, *AIError) {
	if len(r.s)-r.i < n {
		return "", lintErr(r.pos(), ErrLength, "coupon %s at position %d is truncated: want %d digits, have %d", what, r.pos(), n, len(r.s)-r.i)
	}
	f := r.s[r.i : r.i+n]
	r.i += n
	return f, nil
}

// digitIn reads one digit that must be one of allowed.
func (r *couponReader) digitIn(what, allowed string) *AIError {
	if r.i >= len(r.s) {
		return lintErr(r.pos(), ErrLength, "coupon ends before the %s at position %d", what, r.pos())
	}
	c := r.s[r.i]
	for j := 0; j < len(allowed); j++ {
		if allowed[j] == c {
			r.i++
			return nil
		}
	}
	return lintErr(r.pos(), ErrInvalid, "%s %c at position %d is not one of %s", what, c, r.pos(), allowed)
}

// lintCoupon checks a North American Coupon Code (AI 8110), as the GS1
// "North American Coupon Application Guideline" lays it out. All digits:
//
//	GCP VLI 0-6, GS1 Company Prefix of 6+VLI digits; offer code (6);
//	save value VLI 1-5 and value; 1st purchase requirement VLI 1-5 and
//	value; requirement code 0-4 or 9; family code (3)
//
// then optional fields, each at most once and in this order, introduced by
// its field number:
//
//	1  additional purchase rules code 0-3; 2nd purchase requirement VLI 1-5
//	   and value, code 0-4 or 9, family code (3), GCP VLI 0-6 (6+VLI
//	   digits) or 9 (none)
//	2  3rd purchase: requirement VLI 1-5 and value, code 0-4 or 9, family
//	   code (3), GCP VLI 0-6 or 9
//	3  expiration date YYMMDD;  4  start date YYMMDD, not after the
//	   expiration date
//	5  serial number VLI 0-9 and 6+VLI digits
//	6  retailer GCP/GLN VLI 1-7 and 6+VLI digits
//	9  save value code 0, 1, 2, 5 or 6; applies-to-item 0-2; store coupon
//	   flag (any digit); don't-multiply flag 0 or 1
//
// Nothing may follow. A GS1 Company Prefix is only checked for length: all
// digits already satisfy the shortest-prefix rule of gcppos1.
func lintCoupon(part string, off int) *AIError {
	for i := 0; i < len(part); i++ {
		if part[i] < '0' || part[i] > '9' {
			return lintErr(off+i+1, ErrSyntax, "coupon character %q at position %d is not a digit", part[i], off+i+1)
		}
	}
	r := couponReader{s: part, off: off}
	if err := r.vliField("GS1 Company Prefix", '0', '6', 6); err != nil {
		return err
	}
	if _, err := r.field("offer code", 6); err != nil {
		return err
	}
	if err := r.vliField("save value", '1', '5', 0); err != nil {
		return err
	}
	if err := r.purchase("1st"); err != nil {
		return err
	}
	if r.optional('1') {
		if err := r.digitIn("additional purchase rules code", "0123"); err != nil {
			return err
		}
		if err := r.purchase("2nd"); err != nil {
			return err
		}
		if err := r.purchaseGCP("2nd"); err != nil {
			return err
		}
	}
	if r.optional('2') {
		if err := r.purchase("3rd"); err != nil {
			return err
		}
		if err := r.purchaseGCP("3rd"); err != nil {
			return err
		}
	}
	expiry := ""
	if r.optional('3') {
		at := r.pos()
		d, err := r.field("expiration date", 6)
		if err != nil {
			return err
		}
		if e := lintDate(d, at-1, false, false); e != nil {
			e.Reason = "coupon expiration date: " + e.Reason
			return e
		}
		expiry = d
	}
	if r.optional('4') {
		at := r.pos()
		d, err := r.field("start date", 6)
		if err != nil {
			return err
		}
		if e := lintDate(d, at-1, false, false); e != nil {
			e.Reason = "coupon start date: " + e.Reason
			return e
		}
		if expiry != "" && d > expiry {
			return lintErr(at, ErrInvalid, "coupon start date %s at position %d is after the expiration date %s", d, at, expiry)
		}
	}
	if r.optional('5') {
		if err := r.vliField("serial number", '0', '9', 6); err != nil {
			return err
		}
	}
	if r.optional('6') {
		if err := r.vliField("retailer GCP/GLN", '1', '7', 6); err != nil {
			return err
		}
	}
	if r.optional('9') {
		if err := r.digitIn("save value code", "01256"); err != nil {
			return err
		}
		if err := r.digitIn("save value applies to item", "012"); err != nil {
			return err
		}
		if err := r.digitIn("store coupon flag", "0123456789"); err != nil {
			return err
		}
		if err := r.digitIn("don't multiply flag", "01"); err != nil {
			return err
		}
	}
	if r.i < len(r.s) {
		return lintErr(r.pos(), ErrInvalid, "unexpected coupon data at position %d (not an optional field in order 1, 2, 3, 4, 5, 6, 9)", r.pos())
	}
	return nil
}

// optional consumes the field number of an optional coupon field if it is
// next.
func (r *couponReader) optional(field byte) bool {
	if r.i < len(r.s) && r.s[r.i] == field {
		r.i++
		return true
	}
	return false
}

// vliField reads a VLI in lo..hi and the field of VLI+add digits it announces.
func (r *couponReader) vliField(what string, lo, hi byte, add int) *AIError {
	n, err := r.vli(what, lo, hi, add)
	if err != nil {
		return err
	}
	_, err = r.field(what, n)
	return err
}

// purchase reads a purchase requirement (VLI 1-5 and value), its code (0-4
// or 9) and its 3-digit family code.
func (r *couponReader) purchase(nth string) *AIError {
	if err := r.vliField(nth+" purchase requirement", '1', '5', 0); err != nil {
		return err
	}
	if err := r.digitIn(nth+" purchase requirement code", "012349"); err != nil {
		return err
	}
	_, err := r.field(nth+" purchase family code", 3)
	return err
}

// purchaseGCP reads the GCP of an additional purchase: VLI 0-6 for a prefix
// of 6+VLI digits, or 9 for none (the coupon's own prefix applies).
func (r *couponReader) purchaseGCP(nth string) *AIError {
	if r.i < len(r.s) && r.s[r.i] == '9' {
		r.i++
		return nil
	}
	return r.vliField(nth+" purchase GS1 Company Prefix", '0', '6', 6)
}

// lintCouponPosOffer checks a positive offer file coupon code (AI 8112):
// format code 0 or 1; GS1 Company Prefix VLI 0-6 and 6+VLI digits; a 6-digit
// offer code; serial number VLI 0-9 and 6+VLI digits; nothing after.
func lintCouponPosOffer(part string, off int) *AIError {
	for i := 0; i < len(part); i++ {
		if part[i] < '0' || part[i] > '9' {
			return lintErr(off+i+1, ErrSyntax, "coupon character %q at position %d is not a digit", part[i], off+i+1)
		}
	}
	r := couponReader{s: part, off: off}
	if err := r.digitIn("coupon format", "01"); err != nil {
		return err
	}
	n, err := r.vli("GS1 Company Prefix", '0', '6', 6)
	if err != nil {
		return err
	}
	if _, err := r.field("GS1 Company Prefix", n); err != nil {
		return err
	}
	if _, err := r.field("offer code", 6); err != nil {
		return err
	}
	if n, err = r.vli("serial number", '0', '9', 6); err != nil {
		return err
	}
	if _, err := r.field("serial number", n); err != nil {
		return err
	}
	if r.i < len(r.s) {
		return lintErr(r.pos(), ErrLength, "unexpected data after the coupon serial number at position %d", r.pos())
	}
	return nil
}
