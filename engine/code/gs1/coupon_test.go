package gs1

import (
	"errors"
	"testing"
)

func TestCouponLinters(t *testing.T) {
	const base = "012345612345611110123" // GCP 123456, offer 123456, save 1, 1st purchase 1, code 0, family 123
	tests := []struct {
		ai, value string
		want      error
		pos       int
	}{
		{"8110", base, nil, 0},
		{"8110", base + "101504569", nil, 0},                   // 2nd purchase, own GCP
		{"8110", base + "101504560123456", nil, 0},             // 2nd purchase with a GCP
		{"8110", base + "21504569", nil, 0},                    // 3rd purchase
		{"8110", base + "3251231" + "4250101", nil, 0},         // expiry, start
		{"8110", base + "50123456" + "611234567", nil, 0},      // serial, retailer
		{"8110", base + "90001", nil, 0},                       // miscellaneous
		{"8110", base + "3250101" + "4251231", ErrInvalid, 30}, // start after expiry
		{"8110", base + "3251301", ErrInvalid, 25},             // month 13
		{"8110", base + "4250101" + "3251231", ErrInvalid, 29}, // fields out of order
		{"8110", base + "101504568", ErrInvalid, 30},           // GCP VLI 8
		{"8110", base + "1415", ErrInvalid, 23},                // purchase rules code 4
		{"8110", base + "90301", ErrInvalid, 24},               // save value code 3
		{"8110", base + "90002", ErrInvalid, 26},               // don't multiply 2
		{"8110", base + "9000", ErrLength, 26},                 // missing flag
		{"8110", base + "7", ErrInvalid, 22},                   // no field 7
		{"8110", "a12345612345611110123", ErrSyntax, 1},
		{"8110", "71234567890123", ErrInvalid, 1},
		{"8110", "0123456", ErrLength, 8},          // offer code truncated
		{"8110", "01234561234560", ErrInvalid, 14}, // save value VLI 0
		{"8110", "012345612345621", ErrLength, 15},
		{"8112", "001234561234560123456", nil, 0},
		{"8112", "101234561234560123456", nil, 0},
		{"8112", "061234567890121234569123456789012345", nil, 0},
		{"8112", "201234561234560123456", ErrInvalid, 1},
		{"8112", "07", ErrInvalid, 2},
		{"8112", "0012345612345601234567", ErrLength, 22},
		{"8112", "001234561234561123456", ErrLength, 16},
		{"8112", "00123456123456", ErrLength, 15},
	}
	for _, tc := range tests {
		a, _ := LookupAI(tc.ai)
		err := a.Validate(tc.value)
		if tc.want == nil {
			if err != nil {
				t.Errorf("(%s)%s: %v", tc.ai, tc.value, err)
			}
			continue
		}
		var ae *AIError
		if !errors.Is(err, tc.want) || !errors.As(err, &ae) || ae.Pos != tc.pos {
			t.Errorf("(%s)%s: %v (Pos %v), want %v at %d", tc.ai, tc.value, err, ae, tc.want, tc.pos)
		}
	}
}
