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

// lintCoupon checks the mandatory part of a North American Coupon Code
// (AI 8110): digits only; GS1 Company Prefix VLI 0-6 and a prefix of 6+VLI
// digits; a 6-digit offer code; save value VLI 1-5 and value; 1st purchase
// requirement VLI 1-5 and value; requirement code 0-4 or 9; 3-digit family
// code. The optional fields that may follow (additional purchases, dates,
// serial number, retailer, miscellaneous) are only checked to be digits —
// see the package documentation of limits.
func lintCoupon(part string, off int) *AIError {
	for i := 0; i < len(part); i++ {
		if part[i] < '0' || part[i] > '9' {
			return lintErr(off+i+1, ErrSyntax, "coupon character %q at position %d is not a digit", part[i], off+i+1)
		}
	}
	r := couponReader{s: part, off: off}
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
	if n, err = r.vli("save value", '1', '5', 0); err != nil {
		return err
	}
	if _, err := r.field("save value", n); err != nil {
		return err
	}
	if n, err = r.vli("1st purchase requirement", '1', '5', 0); err != nil {
		return err
	}
	if _, err := r.field("1st purchase requirement", n); err != nil {
		return err
	}
	if err := r.digitIn("1st purchase requirement code", "012349"); err != nil {
		return err
	}
	if _, err := r.field("1st purchase family code", 3); err != nil {
		return err
	}
	return nil
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
